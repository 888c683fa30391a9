/**
 * The packet half of the packetdrill runner: one `Flow` per connection the script talks about,
 * the mapping of its relative sequence numbers and timestamps in both directions, building the
 * segments the script injects, and comparing the segments the stack sends with the `>` lines
 * (google/packetdrill run_packet.c: map_inbound_packet, map_outbound_live_packet, verify_tcp,
 * verify_outbound_live_tcp_options).
 */
import type { PdPacket, PdTcpOption } from './ast.ts';
import { ACK, FIN, PSH, SYN, type TcpOption, type TcpSegment } from '../core/wire/segment.ts';
import { flagBit, flagsString, formatSegmentPd } from '../core/wire/format.ts';

/** One connection between the host under test and the script's remote end. */
export interface Flow {
  localPort: number;
  remotePort: number;
  /**
   * live ISN − script ISN for the stack's side, learned from its first SYN or SYN-ACK
   * (packetdrill's local_isn). Until then 0: numbers pass through unchanged, as in packetdrill.
   */
  localOffset: number;
  localIsnKnown: boolean;
  /** Script TS val → the TSval the stack really sent, for inbound TS ecr (set_outbound_ts_val_mapping). */
  tsVals: Map<number, number>;
  firstTs: { script: number; actual: number } | null;
}

export function newFlow(localPort: number, remotePort: number): Flow {
  return { localPort, remotePort, localOffset: 0, localIsnKnown: false, tsVals: new Map(), firstTs: null };
}

/** packetdrill flag letters to header bits; the parser has already refused any other letter. */
export function flagBits(flags: string): number {
  let bits = 0;
  for (const c of flags) bits |= flagBit(c) ?? 0;
  return bits;
}

export interface Endpoints {
  localAddr: number;
  remoteAddr: number;
}

/**
 * The segment the script's `<` line injects. Sequence numbers are the script's own (the remote
 * ISN is whatever the script's SYN says, as in packetdrill); ACK and SACK blocks point into the
 * stack's sequence space and are shifted by its ISN; TS ecr is mapped back to a TSval the stack
 * really sent. Returns a reason string when the line cannot be mapped.
 */
export function inboundSegment(p: PdPacket, flow: Flow, ends: Endpoints): TcpSegment | string {
  const bits = flagBits(p.flags);
  const options: TcpOption[] = [];
  for (const o of p.options === 'any' || p.options === undefined ? [] : p.options) {
    const mapped = inboundOption(o, flow, (bits & ACK) !== 0);
    if (typeof mapped === 'string') return mapped;
    options.push(mapped);
  }
  const seg: TcpSegment = {
    srcAddr: ends.remoteAddr,
    dstAddr: ends.localAddr,
    srcPort: flow.remotePort,
    dstPort: flow.localPort,
    seq: p.seqStart >>> 0,
    ack: bits & ACK ? ((p.ack ?? 0) + flow.localOffset) >>> 0 : (p.ack ?? 0) >>> 0,
    flags: bits,
    window: p.win ?? 0,
    urgent: p.urg ?? 0,
    options,
    payload: new Uint8Array(p.len),
  };
  if (p.tos !== undefined) seg.tos = p.tos;
  return seg;
}

function inboundOption(o: PdTcpOption, flow: Flow, hasAck: boolean): TcpOption | string {
  switch (o.kind) {
    case 'mss':
    case 'nop':
    case 'eol':
    case 'wscale':
    case 'sackOK':
      return o;
    case 'sack':
      return { kind: 'sack', blocks: o.blocks.map(([l, r]) => [(l + flow.localOffset) >>> 0, (r + flow.localOffset) >>> 0]) };
    case 'ts': {
      if (o.val === '*' || o.ecr === '*') return "'*' in an inbound TS option: an injected packet needs definite values";
      let ecr = o.ecr;
      if (hasAck) {
        const exact = flow.tsVals.get(o.ecr);
        if (exact !== undefined) ecr = exact;
        else if (flow.firstTs) ecr = (o.ecr - flow.firstTs.script + flow.firstTs.actual) >>> 0;
        else return `unable to map TS ecr ${o.ecr}: the stack has sent no segment with a TS val yet`;
      }
      return { kind: 'ts', val: o.val, ecr };
    }
    case 'unsupported':
      return `unsupported TCP option ${o.text}`;
  }
}

/** A segment the stack sent, with the virtual time (µs) it left. */
export interface Sent {
  seg: TcpSegment;
  usecs: number;
}

export interface Mismatch {
  field: string;
  expected: string;
  actual: string;
}

/** The stack's segment in the script's notation, numbers relative to the flow's ISNs. */
export function formatActual(seg: TcpSegment, flow: Flow | null): string {
  // TS val in the script's space too, once the connection's first one is known (as packetdrill
  // prints the live packet after map_outbound_live_packet).
  const base = flow?.firstTs;
  const shown = base
    ? { ...seg, options: seg.options.map((o) => (o.kind === 'ts' ? { ...o, val: (base.script + (o.val - base.actual)) >>> 0 } : o)) }
    : seg;
  const pd = formatSegmentPd(shown, { seqBase: flow?.localOffset ?? 0, ackBase: 0 });
  const s = seg.tos ? `(tos ${hexByte(seg.tos)}) ${pd}` : pd;
  return flow && (seg.srcPort !== flow.localPort || seg.dstPort !== flow.remotePort) ? `${seg.srcPort}>${seg.dstPort} ${s}` : s;
}

/**
 * Compares what the stack sent (one segment, or several consecutive ones that together carry the
 * scripted payload) with a `>` line. The first segment's SYN teaches the flow the stack's ISN.
 * Returns the first field that differs, as packetdrill's check_field reports it.
 */
/**
 * How far an outbound TS val may stray from the script's (--tcp_ts_tick_usecs): `tickUsecs` µs
 * per TS val unit, 0 for no check (packetdrill's default); `toleranceUsecs` the error allowed.
 */
export interface TsValCheck {
  tickUsecs: number;
  toleranceUsecs: number;
}

export const NO_TS_VAL_CHECK: TsValCheck = { tickUsecs: 0, toleranceUsecs: 0 };

export function compareOutbound(p: PdPacket, sent: TcpSegment[], flow: Flow, tsCheck: TsValCheck = NO_TS_VAL_CHECK): Mismatch | null {
  const first = sent[0];
  const last = sent[sent.length - 1];
  if (first.srcPort !== flow.localPort || first.dstPort !== flow.remotePort) {
    return { field: 'ports', expected: `${flow.localPort}>${flow.remotePort}`, actual: `${first.srcPort}>${first.dstPort}` };
  }
  if (first.flags & SYN && !flow.localIsnKnown) {
    flow.localOffset = (first.seq - p.seqStart) >>> 0;
    flow.localIsnKnown = true;
  }
  const expectedBits = flagBits(p.flags);
  // Split segments: PSH and FIN sit on the last piece, as on the one packet Linux would send.
  const actualBits = (first.flags & ~(PSH | FIN)) | (last.flags & (PSH | FIN));
  if (actualBits !== expectedBits) return { field: 'flags', expected: p.flags, actual: flagsString(actualBits) };
  const seq = (first.seq - flow.localOffset) >>> 0;
  if (seq !== p.seqStart) return { field: 'tcp_seq', expected: String(p.seqStart), actual: String(seq) };
  const len = sent.reduce((n, s) => n + s.payload.length, 0);
  if (len !== p.len) return { field: 'payload length', expected: String(p.len), actual: String(len) };
  const expectedAck = (p.ack ?? 0) >>> 0;
  if (last.ack !== expectedAck) return { field: 'tcp_ack_seq', expected: String(expectedAck), actual: String(last.ack) };
  if (p.win !== undefined && last.window !== p.win) return { field: 'tcp_window', expected: String(p.win), actual: String(last.window) };
  if ((p.urg ?? 0) !== first.urgent) return { field: 'tcp_urg_ptr', expected: String(p.urg ?? 0), actual: String(first.urgent) };
  if (p.tos !== undefined && (last.tos ?? 0) !== p.tos) return { field: 'tos', expected: hexByte(p.tos), actual: hexByte(last.tos ?? 0) };
  return compareOptions(p, first, flow, tsCheck);
}

function hexByte(n: number): string {
  return `0x${n.toString(16)}`;
}

function optionText(o: TcpOption | PdTcpOption): string {
  switch (o.kind) {
    case 'mss':
      return `mss ${o.value}`;
    case 'wscale':
      return `wscale ${o.shift}`;
    case 'sack':
      return `sack ${o.blocks.map(([l, r]) => `${l}:${r}`).join(' ')}`;
    case 'ts':
      return `TS val ${o.val} ecr ${o.ecr}`;
    case 'unknown':
      return `option ${o.code}`;
    case 'unsupported':
      return o.text;
    default:
      return o.kind;
  }
}

function listText(options: ReadonlyArray<TcpOption | PdTcpOption>): string {
  return options.length ? `<${options.map(optionText).join(',')}>` : '(no options)';
}

/**
 * Options in order, kind by kind. No list in the script means no options at all; `<...>` means
 * unchecked. TS val is checked only with a tick (tsValMismatch); TS ecr must echo the TS val the
 * script last sent, unless written as '*' (stricter than packetdrill, which never checks it).
 */
function compareOptions(p: PdPacket, seg: TcpSegment, flow: Flow, tsCheck: TsValCheck): Mismatch | null {
  if (p.options === 'any') {
    rememberTs(p, seg, flow);
    return null;
  }
  const want = p.options ?? [];
  const got = seg.options;
  const bad = (): Mismatch => ({ field: 'tcp options', expected: listText(want), actual: listText(got) });
  if (want.length !== got.length) return bad();
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (w.kind !== g.kind) return bad();
    if (w.kind === 'mss' && g.kind === 'mss' && w.value !== g.value) return bad();
    if (w.kind === 'wscale' && g.kind === 'wscale' && w.shift !== g.shift) return bad();
    if (w.kind === 'sack' && g.kind === 'sack' && (w.blocks.length !== g.blocks.length || w.blocks.some(([l, r], j) => g.blocks[j][0] !== l || g.blocks[j][1] !== r))) {
      return bad();
    }
    if (w.kind === 'ts' && g.kind === 'ts' && w.val !== '*' && tsCheck.tickUsecs > 0) {
      const bad = tsValMismatch(w.val, g.val, flow, tsCheck);
      if (bad) return bad;
    }
    if (w.kind === 'ts' && g.kind === 'ts' && w.ecr !== '*' && w.ecr !== g.ecr) {
      return { field: 'TS ecr', expected: String(w.ecr), actual: String(g.ecr) };
    }
  }
  rememberTs(p, seg, flow);
  return null;
}

/**
 * run_packet.c (map_outbound_live_packet, verify_outbound_tcp_option): the stack's TS val is moved
 * into the script's space by the first outbound TS val of the connection — the first one therefore
 * always matches — and then may differ from the script's by at most the tolerance, counted in ticks.
 */
function tsValMismatch(scriptVal: number, actualVal: number, flow: Flow, tsCheck: TsValCheck): Mismatch | null {
  const base = flow.firstTs ?? { script: scriptVal, actual: actualVal };
  const mapped = (base.script + (actualVal - base.actual)) >>> 0;
  const ticks = Math.abs((mapped - scriptVal) | 0);
  if (ticks * tsCheck.tickUsecs <= tsCheck.toleranceUsecs) return null;
  return {
    field: 'TS val',
    expected: String(scriptVal),
    actual: `${mapped} (${ticks} ticks of ${tsCheck.tickUsecs} µs off, tolerance ${tsCheck.toleranceUsecs} µs)`,
  };
}

function rememberTs(p: PdPacket, seg: TcpSegment, flow: Flow): void {
  const got = seg.options.find((o) => o.kind === 'ts');
  const want = p.options === 'any' || p.options === undefined ? undefined : p.options.find((o) => o.kind === 'ts');
  if (!got || got.kind !== 'ts' || !want || want.kind !== 'ts' || want.val === '*') return;
  flow.tsVals.set(want.val, got.val);
  flow.firstTs ??= { script: want.val, actual: got.val };
}
