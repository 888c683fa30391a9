/**
 * Robustness: random byte strings and mutated valid segments (flipped bits, truncation, random
 * flags, sequence and ack numbers, windows, options, payloads) thrown at a host in every state.
 * Whatever arrives, the host never throws out of receive(), never records a fault, never answers
 * a RST with a RST, and keeps its invariants (stack/testing/invariants.ts) — also after the
 * timers have run for a while afterwards.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type PeerHarness,
  closeWait,
  closing,
  established,
  finWait1,
  finWait2HalfClosed,
  finWait2Orphaned,
  invariantViolations,
  lastAck,
  listen,
  synReceived,
  synSent,
  timeWait,
} from '../../testing/index.ts';
import { encodeSegment } from '../../core/wire/codec.ts';
import { fitOptions, tcpOption, u16, u32, u8 } from '../wire/arbitraries.ts';
import { RST, type TcpOption, type TcpSegment } from '../../core/wire/segment.ts';

/** Fixed seeds keep CI reproducible; TCP_FUZZ_RUNS=5000 TCP_FUZZ_SEED=<n> explores further. */
const RUNS = Number(process.env.TCP_FUZZ_RUNS ?? 60);
const SEED = process.env.TCP_FUZZ_SEED === undefined ? undefined : Number(process.env.TCP_FUZZ_SEED);

const optionArb = tcpOption({ maxSackBlocks: 2, unknown: false });

/** How a segment differs from one the connection expects; applied to live numbers at send time. */
interface Mutation {
  flags: number;
  /** Offset from RCV.NXT (the peer's next sequence number), or an absolute number. */
  seq: { rel: number } | { abs: number };
  ack: { rel: number } | { abs: number };
  window: number;
  options: TcpOption[];
  payload: Uint8Array;
  /** Sent to the connection's ports, or to a random port. */
  port: number | null;
  /** Byte-level damage after encoding: bit flips (checksums then fail) and truncation. */
  flips: number[];
  truncate: number | null;
}

const near = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, -2, 100, -100, 65535, -65535, 0x7fffffff, -0x80000000),
  fc.integer({ min: -70_000, max: 70_000 }),
);
const numberArb: fc.Arbitrary<{ rel: number } | { abs: number }> = fc.oneof({ weight: 4, arbitrary: near.map((rel) => ({ rel })) }, { weight: 1, arbitrary: u32.map((abs) => ({ abs })) });

const flagsArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0x10, 0x18, 0x11, 0x12, 0x02, 0x04, 0x14, 0x01, 0x19, 0x06, 0x03, 0x00) },
  { weight: 1, arbitrary: u8 },
);

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  flags: flagsArb,
  seq: numberArb,
  ack: numberArb,
  window: fc.oneof(fc.constantFrom(0, 1, 64240, 65535), u16),
  options: fc.array(optionArb, { maxLength: 4 }).map(fitOptions),
  payload: fc.oneof({ weight: 3, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1400, maxLength: 3000 }) }),
  port: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: u16 }),
  flips: fc.oneof({ weight: 5, arbitrary: fc.constant<number[]>([]) }, { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }),
  truncate: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
});

type Input = { kind: 'segment'; m: Mutation; gap: number } | { kind: 'bytes'; bytes: Uint8Array; gap: number };

const inputArb: fc.Arbitrary<Input> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ m: mutationArb, gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })) }).map((r) => ({ kind: 'segment' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ bytes: fc.uint8Array({ maxLength: 120 }), gap: fc.integer({ min: 0, max: 500 }) }).map((r) => ({ kind: 'bytes' as const, ...r })) },
);

/** The peer's idea of the connection's numbers right now (RCV.NXT side and SND side of the host). */
function liveNumbers(h: PeerHarness): { peerNext: number; hostNext: number } {
  const conn = [...h.host.connections.values()][0];
  if (conn) return { peerNext: conn.rcvNxt, hostNext: conn.sndNxt };
  return { peerNext: h.pSeq(1), hostNext: h.hostIss === null ? 0 : h.hSeq(1) };
}

function build(h: PeerHarness, m: Mutation): { seg: TcpSegment; bytes: Uint8Array } {
  const { peerNext, hostNext } = liveNumbers(h);
  const num = (n: { rel: number } | { abs: number }, base: number) => ('abs' in n ? n.abs : (base + n.rel) >>> 0);
  const seg = h.seg({
    flags: m.flags,
    seq: num(m.seq, peerNext),
    ack: num(m.ack, hostNext),
    window: m.window,
    options: m.options,
    payload: m.payload,
    dstPort: m.port ?? h.hostPort,
  });
  let bytes = encodeSegment(seg);
  if (m.flips.length || m.truncate !== null) {
    bytes = bytes.slice();
    for (const f of m.flips) bytes[f % bytes.length] ^= 1 << (f % 8);
    if (m.truncate !== null) bytes = bytes.subarray(0, m.truncate % (bytes.length + 1));
  }
  return { seg, bytes };
}

const STATES: Array<[string, () => PeerHarness]> = [
  ['LISTEN', () => listen({ backlog: 1 }).h],
  ['SYN_SENT', () => synSent().h],
  ['SYN_RECV (request sock)', () => synReceived().h],
  ['SYN_RECV (simultaneous open)', () => synReceived({ role: 'client' }).h],
  ['ESTABLISHED (client)', () => established().h],
  ['ESTABLISHED (server, timestamps)', () => established({ role: 'server', peerOptions: [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'ts', val: 1, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }] }).h],
  ['FIN_WAIT_1', () => finWait1().h],
  ['FIN_WAIT_2 (orphaned)', () => finWait2Orphaned().h],
  ['FIN_WAIT_2 (half-closed)', () => finWait2HalfClosed().h],
  ['CLOSING', () => closing().h],
  ['TIME_WAIT', () => timeWait({ role: 'server' }).h],
  ['CLOSE_WAIT', () => closeWait().h],
  ['LAST_ACK', () => lastAck().h],
];

function problemsAfter(h: PeerHarness): string[] {
  const out = invariantViolations(h.host);
  if (h.host.faults.length) out.push(`host fault: ${h.host.faults[0].where}: ${h.host.faults[0].message}`);
  return out;
}

describe('robustness: whatever arrives, the host stays consistent', () => {
  STATES.forEach(([name, make], i) => {
    it(`${name}`, () => {
      fc.assert(
        fc.property(fc.array(inputArb, { minLength: 1, maxLength: 8 }), (inputs) => {
          const h = make();
          h.discard();
          let t = h.now;
          for (const input of inputs) {
            t += input.gap;
            h.advanceTo(t);
            h.discard();
            let sentRst = false;
            if (input.kind === 'bytes') {
              h.host.receive(input.bytes);
            } else {
              const { seg, bytes } = build(h, input.m);
              sentRst = (seg.flags & RST) !== 0;
              expect(() => h.host.receive(bytes)).not.toThrow();
            }
            h.world.runUntil(t);
            const replies = h.discard().filter((p) => p.t === t);
            if (sentRst) expect(replies.filter((p) => p.seg && p.seg.flags & RST).map((p) => h.pd(p.seg!, 'host→peer'))).toEqual([]);
            expect(problemsAfter(h)).toEqual([]);
          }
          // Let every timer the inputs armed run: retransmissions, TIME_WAIT, keepalive, SYN-ACKs.
          h.world.runUntil(t + 200_000);
          expect(problemsAfter(h)).toEqual([]);
        }),
        { numRuns: RUNS, seed: SEED === undefined ? 0x5eed + i : SEED + i },
      );
    });
  });
});
