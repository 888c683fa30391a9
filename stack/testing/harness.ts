/**
 * The peer harness (smoltcp's `send!`/`recv!`/`recv_nothing!` in spirit): a World with one stack
 * host under test and a scripted remote peer that is NOT a stack host. The peer owns an address on
 * the simulated network, injects hand-built segments (encoded with `encodeSegment`, delivered
 * through the network) and records every packet the host sends to it. Links have no delay unless
 * asked, so "the host sends at t" and "the peer sees it at t" are the same instant and a test can
 * say exactly when something must (and must not) happen. See ./index.ts for the API summary.
 */
import { World } from '../core/world.ts';
import type { Host } from '../core/host.ts';
import type { NetworkNode } from '../core/sim/network.ts';
import { decodeSegment, encodeSegment } from '../core/wire/codec.ts';
import { flagBit, flagsString, formatAddr, formatSegmentPd, parseAddr } from '../core/wire/format.ts';
import { ACK, FIN, PSH, RST, SYN, type TcpOption, type TcpSegment } from '../core/wire/segment.ts';
import type { TcpStateName } from '../core/observe/trace.ts';
import { NotImplementedError } from '../core/tcp/not-implemented.ts';
import { StepRecorder, fmtTime, type Step } from './steps.ts';

/** A packet the peer received: when, the decoded segment (null if undecodable), the raw bytes. */
export interface CapturedSegment {
  t: number;
  seg: TcpSegment | null;
  bytes: Uint8Array;
}

/** The scripted peer's network presence: it records what arrives and never answers by itself. */
export class PeerNode implements NetworkNode {
  readonly received: CapturedSegment[] = [];
  up = true;
  constructor(
    readonly name: string,
    readonly addrs: readonly number[],
    private readonly clock: () => number,
  ) {}
  isUp(): boolean {
    return this.up;
  }
  receive(packet: Uint8Array): void {
    const r = decodeSegment(packet);
    this.received.push({ t: this.clock(), seg: r.ok ? r.segment : null, bytes: packet });
  }
}

export interface HarnessOptions {
  /** Seeds the world: ephemeral ports, secrets (hence ISNs). Default 1. */
  seed?: number;
  /** Sysctl overrides for the host under test ({ 'net.ipv4.tcp_syncookies': 0 }). */
  sysctls?: Record<string, number>;
  /** One-way link delay in ms (default 0: what the host sends at t, the peer records at t). */
  delay?: number;
  hostAddr?: string; // default 10.0.0.2
  peerAddr?: string; // default 10.0.0.1
  /** The peer's initial sequence number (default 1000, so "ISN+1 = 1001" reads easily). */
  peerIss?: number;
  /** Ports: the host's and the peer's (fixtures set them; a connecting host picks its own). */
  hostPort?: number;
  peerPort?: number;
}

/** Fields of a segment the peer sends; everything omitted is filled in from the harness. */
export interface SegmentFields {
  /** packetdrill letters ("S", "S.", ".", "P.", "F.", "R", "R.") or a bitmask. */
  flags: string | number;
  /** Absolute sequence number. Default: peer ISN for a SYN, peer ISN + 1 otherwise. */
  seq?: number;
  /** Absolute ack number. Default with ACK set: host ISN + 1 (0 without ACK). */
  ack?: number;
  /** Raw 16-bit window field (default 64240). */
  window?: number;
  options?: TcpOption[];
  payload?: Uint8Array | string;
  srcAddr?: number;
  srcPort?: number;
  dstPort?: number;
  urgent?: number;
}

/** What an expected segment must look like; omitted fields are not checked. */
export interface SegmentMatch {
  /** Exact flag set in packetdrill letters ("S.", "R", ".", "F.", "P."), or a bitmask. */
  flags?: string | number;
  /** Absolute sequence number. */
  seq?: number;
  /** Absolute acknowledgment number. */
  ack?: number;
  /** Sequence number relative to the host's ISN (packetdrill's left column). */
  rseq?: number;
  /** Ack number relative to the peer's ISN. */
  rack?: number;
  /** Raw window field. */
  window?: number;
  /** Payload length. */
  len?: number;
  payload?: Uint8Array | string;
  /** Exact option list, or 'none'. */
  options?: TcpOption[] | 'none';
  dstPort?: number;
  /** Any extra check: return a sentence describing what is wrong, or null. */
  test?: (seg: TcpSegment) => string | null;
}

/** "S." → SYN|ACK. Unknown letters are an error, not silently ignored. */
export function parseFlags(flags: string | number): number {
  if (typeof flags === 'number') return flags;
  if (flags === '-') return 0;
  let out = 0;
  for (const ch of flags) {
    const bit = flagBit(ch);
    if (bit === undefined) throw new Error(`unknown flag letter "${ch}" in "${flags}" (use S F R P E W U and "." for ACK)`);
    out |= bit;
  }
  return out;
}

/** "SYN-ACK", "RST", "FIN-ACK", "data" — how a learner names a segment. */
export function describeFlags(flags: number): string {
  const has = (f: number) => (flags & f) !== 0;
  if (has(RST)) return has(ACK) ? 'RST-ACK' : 'RST';
  if (has(SYN)) return has(ACK) ? 'SYN-ACK' : 'SYN';
  if (has(FIN)) return has(ACK) ? 'FIN-ACK' : 'FIN';
  if (has(ACK)) return has(PSH) ? 'PSH-ACK' : 'ACK';
  return flags === 0 ? 'segment with no flags' : `segment with flags ${flagsString(flags)}`;
}

/** "an ACK", "a SYN-ACK", "a RST" (as the course writes it). */
function withArticle(name: string): string {
  return `${name.startsWith('ACK') ? 'an' : 'a'} ${name}`;
}

function bytesOf(p: Uint8Array | string | undefined): Uint8Array {
  if (p === undefined) return new Uint8Array(0);
  if (typeof p !== 'string') return p;
  const out = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c > 255) throw new Error('payload strings must be Latin-1; pass a Uint8Array for other bytes');
    out[i] = c;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function optionsText(o: TcpOption[]): string {
  return o.length ? formatSegmentPd({ srcAddr: 0, dstAddr: 0, srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, urgent: 0, options: o, payload: new Uint8Array(0) }, { seqBase: 0, ackBase: 0 }).replace(/^.*?win 0 /, '') : 'no options';
}

function sameOptions(a: TcpOption[], b: TcpOption[]): boolean {
  return optionsText(a) === optionsText(b);
}

export class PeerHarness {
  readonly world: World;
  readonly host: Host;
  readonly peer: PeerNode;
  readonly steps: StepRecorder;
  readonly hostAddr: number;
  readonly peerAddr: number;
  /** The peer's ISN; segments it sends count from here. */
  peerIss: number;
  /** The host's ISN once known (learned from its SYN or SYN-ACK, or set by a fixture). */
  hostIss: number | null = null;
  hostPort: number;
  peerPort: number;
  /** Every segment both ways, for failure reports. */
  readonly wire: Array<{ t: number; dir: 'peer→host' | 'host→peer'; seg: TcpSegment | null; len: number }> = [];
  private consumed = 0;
  private faultsSeen = 0;

  constructor(opts: HarnessOptions = {}) {
    const seed = opts.seed ?? 1;
    this.world = new World({ seed, sysctls: opts.sysctls ?? {}, link: { delay: opts.delay ?? 0 } });
    this.hostAddr = parseAddr(opts.hostAddr ?? '10.0.0.2');
    this.peerAddr = parseAddr(opts.peerAddr ?? '10.0.0.1');
    this.host = this.world.addHost('host', this.hostAddr);
    this.peer = new PeerNode('peer', [this.peerAddr], () => this.world.now);
    this.world.network.attach(this.peer);
    this.peerIss = (opts.peerIss ?? 1000) >>> 0;
    this.hostPort = opts.hostPort ?? 80;
    this.peerPort = opts.peerPort ?? 40000;
    this.steps = new StepRecorder(() => this.world.now, seed, () => this.recentLines());
    const origReceive = this.peer.receive.bind(this.peer);
    this.peer.receive = (packet: Uint8Array) => {
      origReceive(packet);
      const c = this.peer.received[this.peer.received.length - 1];
      this.wire.push({ t: c.t, dir: 'host→peer', seg: c.seg, len: packet.length });
    };
  }

  get now(): number {
    return this.world.now;
  }

  get seed(): number {
    return this.world.seed;
  }

  /** Peer ISN + n, modulo 2^32. */
  pSeq(n: number): number {
    return (this.peerIss + n) >>> 0;
  }

  /** Host ISN + n, modulo 2^32 (the host's ISN must be known). */
  hSeq(n: number): number {
    if (this.hostIss === null) throw new Error('hSeq(): the host has not sent a SYN or SYN-ACK yet, so its ISN is unknown');
    return (this.hostIss + n) >>> 0;
  }

  /** Builds a segment from the peer to the host, filling in what `fields` leaves out. */
  seg(fields: SegmentFields): TcpSegment {
    const flags = parseFlags(fields.flags);
    const ack = fields.ack ?? (flags & ACK && this.hostIss !== null ? (this.hostIss + 1) >>> 0 : 0);
    return {
      srcAddr: fields.srcAddr ?? this.peerAddr,
      dstAddr: this.hostAddr,
      srcPort: fields.srcPort ?? this.peerPort,
      dstPort: fields.dstPort ?? this.hostPort,
      seq: (fields.seq ?? (flags & SYN ? this.peerIss : this.peerIss + 1)) >>> 0,
      ack: ack >>> 0,
      flags,
      window: fields.window ?? 64240,
      urgent: fields.urgent ?? 0,
      options: fields.options ?? [],
      payload: bytesOf(fields.payload),
    };
  }

  /** Runs the world to virtual time `t` (ms). Segments the host sends meanwhile wait in `pending()`. */
  advanceTo(t: number): void {
    if (!(t >= this.world.now)) throw new Error(`advanceTo(${t}): the clock is already at ${this.world.now} ms; tests move forward only`);
    this.world.runUntil(t);
    this.checkFaults();
  }

  /** At time `t`, the peer sends a segment (built with `seg()` unless a full segment is given). */
  send(t: number, segment: TcpSegment | SegmentFields): TcpSegment {
    this.advanceTo(t);
    const seg = 'srcAddr' in segment && 'dstAddr' in segment && typeof segment.flags === 'number' ? (segment as TcpSegment) : this.seg(segment as SegmentFields);
    this.steps.record('action', `peer → host: ${this.pd(seg, 'peer→host')}`);
    this.wire.push({ t: this.now, dir: 'peer→host', seg, len: seg.payload.length });
    this.world.network.send(this.peer, encodeSegment(seg), seg);
    this.world.runUntil(t);
    this.checkFaults();
    return seg;
  }

  /** At time `t`, raw bytes (possibly garbage) reach the host's receive() as if from the peer. */
  sendBytes(t: number, bytes: Uint8Array, label = `${bytes.length} raw bytes`): void {
    this.advanceTo(t);
    this.steps.record('action', `peer → host: ${label}`);
    this.wire.push({ t: this.now, dir: 'peer→host', seg: null, len: bytes.length });
    // Handed to the host directly: the network routes by the destination address inside the
    // bytes, which garbage does not have.
    this.host.receive(bytes);
    this.world.runUntil(t);
    this.checkFaults();
  }

  /** Runs `fn` (a syscall, a sysctl change) as a numbered step at the current time. */
  act<T>(text: string, fn: () => T): T {
    this.steps.record('action', text);
    let r: T;
    try {
      r = fn();
    } catch (err) {
      // Syscalls run outside the host's guard: a lab's unfinished region surfaces here.
      const e = err instanceof Error ? err : new Error(String(err));
      this.steps.fail(text, {
        message: e instanceof NotImplementedError
          ? `the stack stopped in unfinished code (${e.message}) during ${text}`
          : `${text} threw "${e.message}"`,
      });
    }
    this.world.runUntil(this.world.now);
    this.checkFaults();
    return r;
  }

  /** Segments the host has sent that no expectation has taken yet. */
  pending(): CapturedSegment[] {
    return this.peer.received.slice(this.consumed);
  }

  /** Takes every pending segment without checking it (for tests that only care about later ones). */
  discard(): CapturedSegment[] {
    const out = this.pending();
    this.consumed = this.peer.received.length;
    return out;
  }

  /**
   * Exactly at time `t` the host sends a segment matching `match`: nothing may have arrived
   * earlier (since the last expectation), and the first segment at `t` must match.
   */
  expectSegment(t: number, match: SegmentMatch, what?: string): TcpSegment {
    this.advanceTo(t);
    const label = what ?? `host sends ${this.describeMatch(match)}`;
    // The test's own words for the segment say which rule it stands for: the learner reads them
    // with the difference, not only in the step list.
    const wanted = what ? ` (wanted: ${what})` : '';
    const pending = this.pending();
    const early = pending.find((p) => p.t < t);
    if (early) {
      this.steps.fail(label, {
        message: `expected ${this.describeMatch(match)} at ${t} ms, but the host sent ${this.describeCaptured(early)} earlier, at ${early.t} ms${wanted}`,
        expected: `${fmtTime(t)}  ${this.matchPd(match)}`,
        actual: `${fmtTime(early.t)}  ${this.capturedPd(early)}`,
      });
    }
    const at = pending.find((p) => p.t === t);
    if (!at) {
      this.steps.fail(label, {
        message: `expected ${this.describeMatch(match)} at ${t} ms, but the host sent nothing${wanted}`,
        expected: `${fmtTime(t)}  ${this.matchPd(match)}`,
        actual: 'no segment',
      });
    }
    if (!at.seg) {
      this.steps.fail(label, { message: `expected ${this.describeMatch(match)} at ${t} ms, but the host sent ${at.bytes.length} bytes that do not decode as IPv4+TCP` });
    }
    const problems = this.mismatches(at.seg, match);
    if (problems.length) {
      this.steps.fail(label, {
        message: `expected ${this.describeMatch(match)} at ${t} ms, but ${problems.join('; and ')}${wanted}`,
        expected: `${fmtTime(t)}  ${this.matchPd(match)}`,
        actual: `${fmtTime(at.t)}  ${this.capturedPd(at)}`,
      });
    }
    this.consumed = this.peer.received.indexOf(at) + 1;
    if (at.seg.flags & SYN && this.hostIss === null) {
      this.hostIss = at.seg.seq;
      this.hostPort = at.seg.srcPort;
      this.peerPort = at.seg.dstPort;
    }
    this.steps.record('expect', `host → peer: ${this.pd(at.seg, 'host→peer')}`);
    return at.seg;
  }

  /** Nothing reaches the peer from now up to and including time `t`. */
  expectNothingUntil(t: number, what?: string): void {
    this.advanceTo(t);
    const extra = this.pending();
    if (extra.length) {
      const e = extra[0];
      this.steps.fail(what ?? `host sends nothing until ${t} ms`, {
        message: `expected the host to send nothing until ${t} ms, but it sent ${this.describeCaptured(e)} at ${e.t} ms`,
        expected: `nothing until ${fmtTime(t)}`,
        actual: `${fmtTime(e.t)}  ${this.capturedPd(e)}`,
      });
    }
    this.steps.record('expect', what ?? `host sends nothing until ${t} ms`);
  }

  /** A check that is not about segments: `problem` returns a sentence, or null when all is well. */
  check(text: string, problem: () => string | null): void {
    const p = problem();
    if (p !== null) this.steps.fail(text, { message: p });
    this.steps.record('expect', text);
  }

  /** The connection is in `state` now (a connection that left every table is in CLOSED). */
  expectState(conn: { state: TcpStateName; label: string }, state: TcpStateName): void {
    this.check(`${conn.label} is in ${state}`, () => (conn.state === state ? null : `expected the connection to be in ${state}, but it is in ${conn.state}`));
  }

  /** `actual` must equal `expected` (===); `name` says what is compared, in TCP terms. */
  expectEqual<T>(name: string, actual: T, expected: T): void {
    this.check(`${name} = ${String(expected)}`, () => (actual === expected ? null : `expected ${name} to be ${String(expected)}, but it was ${String(actual)}`));
  }

  /** Fails the test with a learner-facing sentence. */
  fail(message: string, expected?: string, actual?: string): never {
    return this.steps.fail(message, { message, expected, actual });
  }

  /** The steps so far (the results document's `steps`). */
  stepList(): readonly Step[] {
    return this.steps.steps;
  }

  /** A segment in packetdrill notation, relative to each side's ISN where known. */
  pd(seg: TcpSegment, dir: 'peer→host' | 'host→peer'): string {
    const host = this.hostIss ?? 0;
    const bases = dir === 'peer→host' ? { seqBase: this.peerIss, ackBase: host } : { seqBase: host, ackBase: this.peerIss };
    const ports = (dir === 'peer→host' && (seg.srcPort !== this.peerPort || seg.dstPort !== this.hostPort)) ||
      (dir === 'host→peer' && (seg.srcPort !== this.hostPort || seg.dstPort !== this.peerPort))
      ? ` [${formatAddr(seg.srcAddr)}:${seg.srcPort} > ${formatAddr(seg.dstAddr)}:${seg.dstPort}]`
      : '';
    return formatSegmentPd(seg, bases) + ports;
  }

  private checkFaults(): void {
    const faults = this.host.faults;
    if (faults.length > this.faultsSeen) {
      const f = faults[this.faultsSeen];
      this.faultsSeen = faults.length;
      this.steps.fail(`the stack runs without exceptions`, {
        message: f.task
          ? `the stack stopped in unfinished code (${f.message}) during ${f.where} at ${f.t} ms`
          : `the stack threw "${f.message}" during ${f.where} at ${f.t} ms`,
      });
    }
  }

  private recentLines(): string[] {
    return this.wire.slice(-12).map((w) => {
      const body = w.seg ? this.pd(w.seg, w.dir) : `${w.len} undecodable bytes`;
      return `${fmtTime(w.t).padEnd(14)} ${w.dir}  ${body}`;
    });
  }

  private capturedPd(c: CapturedSegment): string {
    return c.seg ? this.pd(c.seg, 'host→peer') : `${c.bytes.length} undecodable bytes`;
  }

  private describeCaptured(c: CapturedSegment): string {
    if (!c.seg) return 'an undecodable packet';
    return `${withArticle(describeFlags(c.seg.flags))} (${this.pd(c.seg, 'host→peer')})`;
  }

  /** "a SYN-ACK acknowledging peer ISN+1 = 1001". */
  describeMatch(m: SegmentMatch): string {
    const parts: string[] = [];
    parts.push(m.flags !== undefined ? withArticle(describeFlags(parseFlags(m.flags))) : 'a segment');
    const ack = this.expectedAck(m);
    if (ack !== null) parts.push(`acknowledging ${this.ackText(ack)}`);
    const seq = this.expectedSeq(m);
    if (seq !== null) parts.push(`with seq ${this.seqText(seq)}`);
    if (m.len !== undefined) parts.push(`carrying ${m.len} bytes`);
    if (m.window !== undefined) parts.push(`with window ${m.window}`);
    return parts.join(' ');
  }

  private expectedAck(m: SegmentMatch): number | null {
    if (m.ack !== undefined) return m.ack >>> 0;
    if (m.rack !== undefined) return (this.peerIss + m.rack) >>> 0;
    return null;
  }

  private expectedSeq(m: SegmentMatch): number | null {
    if (m.seq !== undefined) return m.seq >>> 0;
    if (m.rseq !== undefined) return this.hSeq(m.rseq);
    return null;
  }

  private ackText(ack: number): string {
    const rel = (ack - this.peerIss) | 0;
    return Math.abs(rel) < 0x10000000 ? `peer ISN${rel >= 0 ? '+' : ''}${rel} = ${ack}` : `${ack}`;
  }

  private seqText(seq: number): string {
    if (this.hostIss === null) return `${seq}`;
    const rel = (seq - this.hostIss) | 0;
    return Math.abs(rel) < 0x10000000 ? `host ISN${rel >= 0 ? '+' : ''}${rel} = ${seq}` : `${seq}`;
  }

  private mismatches(seg: TcpSegment, m: SegmentMatch): string[] {
    const out: string[] = [];
    if (m.flags !== undefined) {
      const want = parseFlags(m.flags);
      if (seg.flags !== want) out.push(`it was ${withArticle(describeFlags(seg.flags))} (${flagsString(seg.flags)}), not ${flagsString(want)}`);
    }
    const ack = this.expectedAck(m);
    // A segment without the ACK flag acknowledges nothing, whatever its ack field holds. Where the
    // expected flags themselves have no ACK (a bare RST), `ack` asks for the raw field instead
    // (Linux's tcp_v4_send_reset leaves it 0).
    const ackFlagExpected = m.flags === undefined || (parseFlags(m.flags) & ACK) !== 0;
    if (ack !== null && ackFlagExpected && !(seg.flags & ACK)) out.push('it carried no ACK flag, so it acknowledged nothing');
    else if (ack !== null && seg.ack !== ack) out.push(`it acknowledged ${this.ackText(seg.ack)}`);
    const seq = this.expectedSeq(m);
    if (seq !== null && seg.seq !== seq) out.push(`its sequence number was ${this.seqText(seg.seq)}`);
    if (m.window !== undefined && seg.window !== m.window) out.push(`it advertised window ${seg.window} instead of ${m.window}`);
    if (m.len !== undefined && seg.payload.length !== m.len) out.push(`it carried ${seg.payload.length} bytes of data instead of ${m.len}`);
    if (m.payload !== undefined && !sameBytes(seg.payload, bytesOf(m.payload))) out.push('its data differs from what was expected');
    if (m.dstPort !== undefined && seg.dstPort !== m.dstPort) out.push(`it went to port ${seg.dstPort} instead of ${m.dstPort}`);
    if (m.options !== undefined) {
      const want = m.options === 'none' ? [] : m.options;
      if (!sameOptions(seg.options, want)) out.push(`its options were ${optionsText(seg.options)} instead of ${optionsText(want)}`);
    }
    if (m.test) {
      const p = m.test(seg);
      if (p !== null) out.push(p);
    }
    return out;
  }

  /** The expectation as a packetdrill line, with `*` for what is not checked. */
  private matchPd(m: SegmentMatch): string {
    const host = this.hostIss ?? 0;
    const flags = m.flags !== undefined ? flagsString(parseFlags(m.flags)) : '*';
    const seq = this.expectedSeq(m);
    const start = seq === null ? '*' : String((seq - host) >>> 0);
    const len = m.len ?? (m.payload !== undefined ? bytesOf(m.payload).length : null);
    let s = `${flags} ${start}:${len === null || start === '*' ? '*' : (Number(start) + len) >>> 0}(${len ?? '*'})`;
    const ack = this.expectedAck(m);
    if (ack !== null) s += ` ack ${(ack - this.peerIss) >>> 0}`;
    s += ` win ${m.window ?? '*'}`;
    if (m.options !== undefined) s += m.options === 'none' ? '' : ` ${optionsText(m.options)}`;
    return s;
  }
}
