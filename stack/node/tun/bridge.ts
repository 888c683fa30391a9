/**
 * The bridge between the simulated stack and the Linux kernel's TCP, run INSIDE the network
 * namespace (see session.ts for how a process gets there).
 *
 *   kernel TCP ─ tun device (kernel address, e.g. 10.77.0.1/24)
 *                  │ one IP packet per read/write (IFF_TUN, IFF_NO_PI)
 *               socat  TUN:… ⇄ UDP:127.0.0.1:<ours>,bind=127.0.0.1:<its>
 *                  │ one IP packet per datagram, on the namespace's loopback
 *               this process: UDP socket ⇄ World { host "stack" (10.77.0.2), node "kernel" }
 *
 * socat owns the TUN device (Node has no ioctl to open one); when socat exits, the kernel removes
 * the device with it. Packets from the kernel are injected into the stack host at the wall-clock
 * time they arrive (RealtimeDriver.inject); packets the stack sends to the kernel's address are
 * delivered, with no link delay, to the "kernel" network node, which writes them to the socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import type { Host } from '../../core/host.ts';
import type { NetworkNode } from '../../core/sim/network.ts';
import type { TraceEvent } from '../../core/observe/trace.ts';
import { formatAddr } from '../../core/wire/format.ts';
import { World } from '../../core/world.ts';
import { RealtimeDriver } from '../realtime.ts';
import { insideNetns } from './netns.ts';
import { pdeathsigPrefix } from './prerequisites.ts';

export interface TunBridgeOptions {
  /** The namespace this process must be in; the bridge refuses to start anywhere else. */
  netns: string;
  /** Name of the TUN device socat creates in the namespace. */
  tunName: string;
  /** The stack's address (u32). */
  stackAddr: number;
  /** The kernel's address on the TUN device (u32). */
  kernelAddr: number;
  prefixLen: number;
  /** More addresses the stack may send to through the TUN (they reach the kernel too). */
  extraKernelAddrs?: number[];
  seed?: number;
  /** Sysctl overrides for the stack host. */
  sysctls?: Record<string, number>;
  /** Every trace event of the stack, as it happens (the trace is not kept otherwise). */
  onTrace?: (ev: TraceEvent) => void;
  /** Every packet crossing the bridge, with the virtual time (ms since the bridge opened). */
  onPacket?: (direction: 'from-kernel' | 'to-kernel', bytes: Uint8Array, t: number) => void;
  /** How long socat may take to set up the device (ms). */
  startTimeoutMs?: number;
}

/** Packet loss the bridge adds on purpose, per direction (probabilities 0..1). */
export interface BridgeLoss {
  fromKernel: number;
  toKernel: number;
}

export interface TunBridgeCounters {
  /** IPv4 TCP packets from the kernel handed to the stack. */
  fromKernel: number;
  /** Packets the stack sent to the kernel. */
  toKernel: number;
  /** Packets from the tun device that are not IPv4 TCP (IPv6 router solicitations, ICMP, ...). */
  ignored: number;
  /** Packets dropped on purpose by setLoss(). */
  dropped: number;
}

export class TunBridgeError extends Error {
  override name = 'TunBridgeError';
}

const IPPROTO_TCP = 6;
/** Socket buffers for bursts: a full 128 KB window of 1500-byte packets is ~90 datagrams. */
const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

export class TunBridge {
  readonly world: World;
  readonly stack: Host;
  readonly driver: RealtimeDriver;
  readonly counters: TunBridgeCounters = { fromKernel: 0, toKernel: 0, ignored: 0, dropped: 0 };
  private loss: BridgeLoss = { fromKernel: 0, toKernel: 0 };
  /** Settles with the reason once the bridge stops working on its own (socat died, socket error). */
  readonly failure: Promise<TunBridgeError>;
  private failWith!: (e: TunBridgeError) => void;
  private socat: ChildProcess | null = null;
  private socatStderr = '';
  private closing = false;
  private readonly udp: dgram.Socket;
  private waiters: Array<{ pred: () => boolean; resolve: (met: boolean) => void; timer: ReturnType<typeof setTimeout> | null }> = [];

  private constructor(readonly opts: TunBridgeOptions) {
    this.failure = new Promise((resolve) => (this.failWith = resolve));
    this.world = new World({ seed: opts.seed ?? 1, link: { delay: 0 }, sysctls: opts.sysctls });
    this.stack = this.world.addHost('stack', opts.stackAddr);
    const kernelNode: NetworkNode = {
      name: 'kernel',
      addrs: [opts.kernelAddr, ...(opts.extraKernelAddrs ?? []).filter((a) => a !== opts.kernelAddr)],
      isUp: () => true,
      receive: (packet) => this.toKernel(packet),
    };
    this.world.network.attach(kernelNode);
    this.world.network.setLink('stack', 'kernel', { delay: 0 });
    this.driver = new RealtimeDriver(this.world.sched, {
      onError: (err) => this.fail(`the simulation stopped: ${(err as Error).message}`),
      afterTick: () => {
        this.drainTrace();
        this.checkWaiters();
      },
    });
    this.udp = dgram.createSocket({ type: 'udp4', recvBufferSize: UDP_BUFFER_BYTES, sendBufferSize: UDP_BUFFER_BYTES });
  }

  /** Starts socat, connects the socket to it and starts the real-time clock. */
  static async open(opts: TunBridgeOptions): Promise<TunBridge> {
    if (!insideNetns(opts.netns)) {
      throw new TunBridgeError(`refusing to create a TUN device: this process is not inside network namespace ${opts.netns}`);
    }
    const bridge = new TunBridge(opts);
    try {
      await bridge.start();
    } catch (err) {
      await bridge.close();
      throw err;
    }
    return bridge;
  }

  private async start(): Promise<void> {
    const udp = this.udp;
    udp.on('error', (err) => this.fail(`bridge socket: ${err.message}`));
    const ourPort = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => {
        udp.off('error', reject);
        resolve(udp.address().port);
      });
    });
    const socatPort = await freeUdpPort();
    const { tunName, kernelAddr, prefixLen } = this.opts;
    const tun = `TUN:${formatAddr(kernelAddr)}/${prefixLen},tun-name=${tunName},tun-type=tun,iff-no-pi,iff-up`;
    // socat's socket gets the same large buffers as ours: a burst from the stack (a whole
    // congestion window written in one tick) must not overflow the default 208 KB.
    const peer = `UDP:127.0.0.1:${ourPort},bind=127.0.0.1:${socatPort},rcvbuf=${UDP_BUFFER_BYTES},sndbuf=${UDP_BUFFER_BYTES}`;
    // -d -d: notices on stderr, among them "starting data transfer loop" once the device is up.
    const argv = [...pdeathsigPrefix('KILL'), 'socat', '-d', '-d', '-b', '65536', tun, peer];
    // Its own process group: Ctrl-C in the terminal must reach us, not socat, so that the bridge
    // is still there to carry the RSTs of a clean stop (socat dies with us through pdeathsig).
    const socat = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.socat = socat;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TunBridgeError(`socat did not set up ${tunName} within ${this.opts.startTimeoutMs ?? 5000} ms${this.socatErrors()}`)), this.opts.startTimeoutMs ?? 5000);
      socat.stderr!.setEncoding('utf8');
      socat.stderr!.on('data', (chunk: string) => {
        this.socatStderr = (this.socatStderr + chunk).slice(-4000);
        if (this.socatStderr.includes('starting data transfer loop')) {
          clearTimeout(timer);
          resolve();
        }
      });
      socat.on('error', (err) => {
        clearTimeout(timer);
        reject(new TunBridgeError(`could not start socat: ${err.message}`));
      });
      socat.on('exit', (code, sig) => {
        clearTimeout(timer);
        const why = `socat exited (${sig ?? `code ${code}`})${this.socatErrors()}`;
        reject(new TunBridgeError(why));
        if (!this.closing) this.fail(why);
      });
    });
    await new Promise<void>((resolve) => udp.connect(socatPort, '127.0.0.1', resolve));
    udp.on('message', (msg, rinfo) => {
      if (rinfo.port !== socatPort) return;
      this.fromKernel(new Uint8Array(msg.buffer, msg.byteOffset, msg.length));
    });
    this.driver.start();
  }

  /** The error lines socat printed, for messages. */
  private socatErrors(): string {
    const lines = this.socatStderr.split('\n').filter((l) => / [EF] /.test(l)).map((l) => l.replace(/^.*? [EF] /, ''));
    if (!lines.length) return '';
    let hint = '';
    if (lines.some((l) => /TUNSETIFF.*busy/i.test(l))) hint = ` (a device named ${this.opts.tunName} already exists in the namespace; pick another with --tun)`;
    if (lines.some((l) => /File exists/i.test(l))) hint = ' (the address or its route is already configured in the namespace)';
    return `: ${lines.join('; ')}${hint}`;
  }

  /**
   * Drops packets at random in either direction from now on (the world's seeded Random), to
   * exercise both TCPs' loss recovery against each other. { fromKernel: 0, toKernel: 0 } stops it.
   */
  setLoss(loss: BridgeLoss): void {
    for (const p of [loss.fromKernel, loss.toKernel]) {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`loss must be a probability between 0 and 1, got ${p}`);
    }
    this.loss = { ...loss };
  }

  private fromKernel(packet: Uint8Array): void {
    // IPv4 (version 4) carrying TCP (protocol 6); the kernel also sends IPv6 neighbour discovery
    // and router solicitations through a fresh device, which the stack has no use for.
    if (packet.length < 20 || packet[0] >> 4 !== 4 || packet[9] !== IPPROTO_TCP) {
      this.counters.ignored++;
      return;
    }
    if (this.loss.fromKernel > 0 && this.world.random.chance(this.loss.fromKernel)) {
      this.counters.dropped++;
      return;
    }
    this.counters.fromKernel++;
    this.driver.inject(() => {
      this.opts.onPacket?.('from-kernel', packet, this.world.now);
      this.stack.receive(packet);
    });
  }

  private toKernel(packet: Uint8Array): void {
    if (this.closing) return;
    if (this.loss.toKernel > 0 && this.world.random.chance(this.loss.toKernel)) {
      this.counters.dropped++;
      return;
    }
    this.counters.toKernel++;
    this.opts.onPacket?.('to-kernel', packet, this.world.now);
    // The encoder's slab memory is never reused, but the socket sends later: give it its own copy.
    this.udp.send(Buffer.from(packet));
  }

  private drainTrace(): void {
    const events = this.world.trace.events;
    if (!events.length) return;
    const sink = this.opts.onTrace;
    if (sink) for (const ev of events) sink(ev);
    // Nothing else reads the trace here; a long-running server must not keep it forever.
    events.length = 0;
  }

  /**
   * Resolves true once `pred` holds after a tick of the stack (a state reached, bytes acknowledged),
   * or false after `timeoutMs` of wall-clock time.
   */
  until(pred: () => boolean, timeoutMs = Infinity): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { pred, resolve, timer: null as ReturnType<typeof setTimeout> | null };
      if (Number.isFinite(timeoutMs)) {
        w.timer = setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          resolve(false);
        }, timeoutMs);
      }
      this.waiters.push(w);
    });
  }

  private checkWaiters(): void {
    if (!this.waiters.length) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      let met = false;
      try {
        met = w.pred();
      } catch {
        met = false;
      }
      if (met) {
        if (w.timer) clearTimeout(w.timer);
        w.resolve(true);
      } else still.push(w);
    }
    this.waiters = still;
  }

  private fail(message: string): void {
    if (this.closing) return;
    this.failWith(new TunBridgeError(message));
  }

  /** Stops the clock, kills socat (which removes the device) and closes the socket. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.driver.stop();
    this.drainTrace();
    const socat = this.socat;
    if (socat && socat.exitCode === null && socat.signalCode === null) {
      const gone = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
      socat.kill('SIGTERM');
      const timer = setTimeout(() => socat.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(timer);
    }
    try {
      this.udp.close();
    } catch {
      // never bound, or already closed
    }
  }
}

/** A UDP port on the namespace's loopback that nobody is using right now. */
async function freeUdpPort(): Promise<number> {
  const probe = dgram.createSocket('udp4');
  const port = await new Promise<number>((resolve, reject) => {
    probe.once('error', reject);
    probe.bind(0, '127.0.0.1', () => resolve(probe.address().port));
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
