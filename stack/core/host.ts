/**
 * A simulated machine: an IPv4 address, its own sysctls, counters and secrets, a TCP layer and a
 * socket API. It is a node of the simulated Network; it can crash (go silent, keeping nothing
 * it could act on) and reboot (come back with no TCP state and new secrets).
 */
import type { Scheduler } from './sim/scheduler.ts';
import type { Random } from './sim/random.ts';
import type { Network, NetworkNode } from './sim/network.ts';
import type { Trace } from './observe/trace.ts';
import { decodeSegment, encodeSegment } from './wire/codec.ts';
import type { TcpSegment, WireErrorCode } from './wire/segment.ts';
import { Sysctls } from './tcp/sysctl.ts';
import { Mib, type MibName } from './tcp/mib.ts';
import { sipKeyFromWords } from './tcp/siphash.ts';
import type { Connection, HostContext, HostSecrets, Listener, RequestSock } from './tcp/connection.ts';
import { cancelAllTimers } from './tcp/lifecycle.ts';
import { tcpInput } from './tcp/input.ts';
import { NotImplementedError } from './tcp/not-implemented.ts';
import { SocketApi } from './socket.ts';

export interface HostOptions {
  name: string;
  addr: number;
  sysctls?: Record<string, number>;
}

/** A failure inside the host: a bug, or code a learner has not finished. Recorded, never thrown. */
export interface HostFault {
  t: number;
  where: string;
  message: string;
  /** Set for a lab region that is not implemented yet ("handshake/2"). */
  task?: string;
  stack?: string;
}

/** Which counter each decode failure bumps (Linux: IP header errors vs TCP checksum errors). */
const WIRE_ERROR_MIB: Record<WireErrorCode, MibName> = {
  truncated: 'IpInHdrErrors',
  'bad-ip-version': 'IpInHdrErrors',
  'bad-ip-header-length': 'IpInHdrErrors',
  'bad-ip-total-length': 'IpInHdrErrors',
  'bad-ip-checksum': 'IpInHdrErrors',
  'ip-fragment': 'IpReasmFails',
  'not-tcp': 'IpInUnknownProtos',
  'bad-tcp-data-offset': 'TcpInErrs',
  'bad-tcp-checksum': 'TcpInCsumErrors',
  'bad-tcp-option': 'TcpInErrs',
};

export class Host implements NetworkNode, HostContext {
  readonly name: string;
  readonly addrs: readonly number[];
  readonly addr: number;
  readonly sysctl: Sysctls;
  mib = new Mib();
  secrets: HostSecrets;
  connections = new Map<string, Connection>();
  requests = new Map<string, RequestSock>();
  listeners = new Map<string, Listener>();
  timeWaitCount = 0;
  challengeAcks = { second: -1, left: 0 };
  readonly faults: HostFault[] = [];
  readonly api: SocketApi;
  /** Ephemeral ports and other local choices; forked from the simulation's seed. */
  readonly random: Random;
  private up = true;
  egressDrops = false;
  rxGsoSize = 0;
  /** Incremented by reboot(): work scheduled by an earlier life is ignored. */
  private epoch = 0;

  constructor(
    readonly sched: Scheduler,
    readonly network: Network,
    readonly trace: Trace,
    random: Random,
    opts: HostOptions,
  ) {
    this.name = opts.name;
    this.addr = opts.addr >>> 0;
    this.addrs = [this.addr];
    this.sysctl = new Sysctls(opts.sysctls ?? {});
    this.random = random;
    this.secrets = this.drawSecrets();
    this.api = new SocketApi(this);
    network.attach(this);
  }

  private drawSecrets(): HostSecrets {
    const r = this.random;
    const key = () => sipKeyFromWords([r.u32(), r.u32(), r.u32(), r.u32()]);
    // A wall clock somewhere in 2026, so timestamps and ISNs do not start near zero.
    return { isn: key(), ts: key(), cookie: [key(), key()], clockOffsetMs: 1_767_225_600_000 + r.int(31_536_000_000) };
  }

  isUp(): boolean {
    return this.up;
  }

  receive(packet: Uint8Array): void {
    if (!this.up) return;
    this.mib.inc('IpInReceives');
    const res = decodeSegment(packet);
    if (!res.ok) {
      this.mib.inc(WIRE_ERROR_MIB[res.error.code]);
      if (this.trace.enabled) this.note(`dropped a malformed packet (${res.error.code}): ${res.error.detail}`);
      return;
    }
    if (res.segment.dstAddr !== this.addr) {
      this.mib.inc('IpInAddrErrors');
      return;
    }
    // guard() inlined: this runs for every packet, and a closure per packet shows up in floods.
    try {
      tcpInput(this, res.segment);
    } catch (err) {
      this.guard('segment arrival', () => {
        throw err;
      });
    }
  }

  output(seg: TcpSegment): void {
    if (!this.up) return;
    // __tcp_transmit_skb counts the segment before the device's queue may drop it.
    this.mib.inc('TcpOutSegs');
    if (this.egressDrops) return;
    this.network.send(this, encodeSegment(seg), seg);
  }

  note(text: string): void {
    if (this.trace.enabled) this.trace.push({ kind: 'note', t: this.sched.now, host: this.name, text });
  }

  guard(where: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const fault: HostFault = { t: this.sched.now, where, message: e.message, stack: e.stack };
      if (e instanceof NotImplementedError) fault.task = e.task;
      this.faults.push(fault);
      this.note(`exception during ${where}: ${e.message}`);
    }
  }

  /** Schedules `fn` at virtual time `t` for this host's current life (a reboot cancels it). */
  at(t: number, fn: () => void, label = ''): void {
    const epoch = this.epoch;
    this.sched.at(t, () => {
      if (this.epoch === epoch && this.up) this.guard(label || 'scheduled action', fn);
    }, `${this.name} ${label}`);
  }

  /** Power off: the host stops answering and every timer stops; its memory is frozen. */
  crash(): void {
    if (!this.up) return;
    this.up = false;
    this.note('host crashed');
    for (const c of this.connections.values()) cancelAllTimers(c);
    for (const r of this.requests.values()) if (r.timer) r.timer.cancelled = true;
  }

  /** Power on with empty TCP state, new boot secrets and zeroed counters. */
  reboot(): void {
    this.epoch++;
    for (const c of this.connections.values()) {
      cancelAllTimers(c);
      c.closed = true;
    }
    for (const r of this.requests.values()) if (r.timer) r.timer.cancelled = true;
    this.connections = new Map();
    this.requests = new Map();
    this.listeners = new Map();
    this.timeWaitCount = 0;
    this.challengeAcks = { second: -1, left: 0 };
    this.mib = new Mib();
    this.secrets = this.drawSecrets();
    this.api.reset();
    this.up = true;
    this.note('host rebooted: all TCP state lost');
  }
}
