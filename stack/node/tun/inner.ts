/**
 * The inner half of `npm run tun`: runs inside the namespace, opens the bridge and runs the
 * server or the client until it is done or interrupted. Returns the exit code.
 */
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import type { TraceEvent } from '../../core/observe/trace.ts';
import { encodePcap, type PcapRecord } from '../../core/wire/pcap.ts';
import { formatAddr, formatEndpoint, formatSegmentPd } from '../../core/wire/format.ts';
import { decodeSegment } from '../../core/wire/codec.ts';
import { RelativeSequence } from '../../core/observe/relseq.ts';
import { TunBridge } from './bridge.ts';
import { runClient } from './connect.ts';
import { startServer } from './serve.ts';
import { atNow } from './sockets.ts';
import type { TunCommand } from './options.ts';

type RunCommand = Exclude<TunCommand, { mode: 'help' }>;

/**
 * The --trace printer: every packet crossing the bridge in packetdrill notation with relative
 * sequence numbers (as Wireshark counts them), and the stack's state changes and notes. Packets
 * are printed from the bytes, so those the kernel sent show up too.
 */
export class TracePrinter {
  private readonly relseq = new RelativeSequence();

  constructor(private readonly write: (line: string) => void) {}

  packet(bytes: Uint8Array, t: number): void {
    const d = decodeSegment(bytes, { verifyChecksums: false });
    if (!d.ok) {
      this.write(`${stamp(t)}  undecodable packet (${d.error.detail})`);
      return;
    }
    const seg = d.segment;
    const rel = this.relseq.observe(seg);
    const body = formatSegmentPd(seg, { seqBase: (seg.seq - rel.relSeq) >>> 0, ackBase: (seg.ack - rel.relAck) >>> 0 });
    this.write(`${stamp(t)}  ${formatEndpoint(seg.srcAddr, seg.srcPort)} > ${formatEndpoint(seg.dstAddr, seg.dstPort)}: ${body}`);
  }

  event(ev: TraceEvent): void {
    if (ev.kind === 'state') this.write(`${stamp(ev.t)}  stack ${ev.conn}: ${ev.from} -> ${ev.to} (${ev.cause})`);
    else if (ev.kind === 'note') this.write(`${stamp(ev.t)}  stack note: ${ev.text}`);
  }
}

function stamp(t: number): string {
  return (t / 1000).toFixed(6);
}

export async function runInner(cmd: RunCommand): Promise<number> {
  const c = cmd.common;
  const log = (line: string) => process.stderr.write(`tun: ${line}\n`);
  const records: PcapRecord[] = [];
  const printer = c.trace ? new TracePrinter((line) => process.stderr.write(`${line}\n`)) : null;
  // Read --send for serve before anything is set up, so a typo fails fast.
  let serveBytes: Uint8Array | null = null;
  if (cmd.mode === 'serve' && cmd.send) {
    try {
      serveBytes = readFileSync(cmd.send);
    } catch (err) {
      log(`cannot read --send ${cmd.send}: ${(err as Error).message}`);
      return 2;
    }
  }
  const bridge = await TunBridge.open({
    netns: c.netns,
    tunName: c.tunName,
    stackAddr: c.stackAddr,
    kernelAddr: c.kernelAddr,
    prefixLen: c.prefixLen,
    extraKernelAddrs: cmd.mode === 'connect' ? [cmd.host] : [],
    seed: c.seed ?? randomInt(2 ** 31),
    sysctls: c.sysctls,
    onTrace: printer ? (ev) => printer.event(ev) : undefined,
    onPacket: c.pcap || printer
      ? (_dir, bytes, t) => {
          printer?.packet(bytes, t);
          if (c.pcap) records.push({ t, bytes: bytes.slice() });
        }
      : undefined,
  });
  log(`stack ${formatAddr(c.stackAddr)} <-> ${c.tunName} (kernel ${formatAddr(c.kernelAddr)}/${c.prefixLen}) in network namespace ${c.netns}`);

  let stopping: Promise<number> | null = null;
  const finish = async (code: number, abortOpen: number[] = []): Promise<number> => {
    if (abortOpen.length) {
      // Leave no connection half-open in the kernel: SO_LINGER {on, 0} + close() sends a RST.
      try {
        atNow(bridge.driver, () => {
          for (const fd of abortOpen) {
            bridge.stack.api.setsockopt(fd, 'SO_LINGER', { onoff: true, linger: 0 });
            bridge.stack.api.close(fd);
          }
        });
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        // the stack had already stopped
      }
    }
    await bridge.close();
    if (c.pcap) {
      writeFileSync(c.pcap, encodePcap(records));
      log(`wrote ${records.length} packets to ${c.pcap}`);
    }
    log(`bridge closed (${bridge.counters.fromKernel} packets from the kernel, ${bridge.counters.toKernel} to it, ${bridge.counters.ignored} non-TCP ignored)`);
    return code;
  };

  // Ctrl-C reaches this process twice (from the terminal and forwarded by the outer one): the
  // handlers stay installed so that the second signal does not kill a clean stop half-way.
  const interrupted = new Promise<NodeJS.Signals>((resolve) => {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => resolve(s));
  });

  if (cmd.mode === 'serve') {
    const server = startServer(bridge, { port: cmd.port, echo: cmd.echo, send: serveBytes, once: cmd.once, log });
    const what = cmd.echo ? 'echo server' : cmd.send ? `server sending ${cmd.send}` : 'server (reads and reports)';
    log(`${what} listening on ${formatAddr(c.stackAddr)}:${cmd.port}; from the kernel side try: ip netns exec ${c.netns} socat - TCP:${formatAddr(c.stackAddr)}:${cmd.port}`);
    const outcome = await Promise.race([
      server.done.then((ok) => ({ kind: 'done' as const, ok })),
      interrupted.then((sig) => ({ kind: 'signal' as const, sig })),
      bridge.failure.then((err) => ({ kind: 'failed' as const, err })),
    ]);
    if (outcome.kind === 'signal') {
      log(`${outcome.sig}: stopping${server.open.size ? `, resetting ${server.open.size} open connection(s)` : ''}`);
      stopping = finish(0, [...server.open]);
    } else if (outcome.kind === 'failed') {
      log(outcome.err.message);
      stopping = finish(1);
    } else stopping = finish(outcome.ok ? 0 : 1);
    return stopping;
  }

  let input = null;
  if (cmd.send === '-') input = process.stdin;
  else if (cmd.send) {
    input = createReadStream(cmd.send);
    const opened = await new Promise<Error | null>((resolve) => {
      input!.once('open', () => resolve(null));
      input!.once('error', resolve);
    });
    if (opened) {
      log(`cannot read --send ${cmd.send}: ${opened.message}`);
      return finish(2);
    }
  }
  const output = cmd.out ? createWriteStream(cmd.out) : process.stdout;
  const outcome = await Promise.race([
    runClient(bridge, { host: cmd.host, port: cmd.port, input, output, log }).then((ok) => ({ kind: 'done' as const, ok })),
    interrupted.then((sig) => ({ kind: 'signal' as const, sig })),
    bridge.failure.then((err) => ({ kind: 'failed' as const, err })),
  ]).catch((err: Error) => ({ kind: 'failed' as const, err }));
  if (output !== process.stdout) await new Promise<void>((resolve) => output.end(() => resolve()));
  if (outcome.kind === 'signal') {
    log(`${outcome.sig}: stopping, resetting the connection`);
    const fds = bridge.stack.api.descriptors();
    return finish(130, fds);
  }
  if (outcome.kind === 'failed') {
    log(outcome.err.message);
    return finish(1);
  }
  return finish(outcome.ok ? 0 : 1);
}
