// Placed fixtures checked against driven ones (smoltcp's `sanity!`). The teardown and keepalive
// labs grade from connections constructed directly in a state (stack/testing/placed.ts): if such a
// state drifts from what the stack really produces, the lab grades against a state Linux never
// reaches. So every state the labs place is also reached by driving the real stack — socket calls
// and the peer's segments (stack/testing/fixtures.ts) — and the fields the stack reads are compared.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seqSub } from '../../stack/core/seq.ts';
import type { Connection } from '../../stack/core/tcp/connection.ts';
import type { TcpOption } from '../../stack/core/wire/segment.ts';
import {
  closeWait,
  closing,
  established,
  finWait1,
  finWait2,
  lastAck,
  synSent,
  timeWait,
  type StateFixture,
} from '../../stack/testing/fixtures.ts';
import { placeConnection, type PlacedOptions, type PlacedState } from '../../stack/testing/placed.ts';

const LABS = join(import.meta.dirname, '..');
const SEEDS = [1, 2, 3];
/** The peer offers timestamps and nothing else (placed fixtures model no SACK or window scaling). */
const PEER_TS_ONLY: TcpOption[] = [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 7000, ecr: 0 }];

interface Case {
  name: string;
  state: PlacedState;
  /** Options for placeConnection; `tsRecent: 'driven'` takes the TSval the driven run kept. */
  placed: Omit<PlacedOptions, 'seed' | 'tsRecent'> & { tsRecent?: 'driven' };
  driven: (seed: number) => StateFixture;
  /** Fields that differ between the driven path and the placed one, each with why that is harmless. */
  differs?: Partial<Record<keyof Observed, string>>;
}

/** The ACK of our FIN was a second RTT sample (mdev 15 ms instead of 20); the RTO is 210 ms either way (rttvar stays rto_min). */
const SECOND_SAMPLE = 'the ACK of our FIN was a second RTT sample in the driven run; the RTO, which the stack reads, is 210 ms in both';
/** Nothing reads rcv_tstamp in TIME_WAIT (PAWS reads tsRecentStamp), and the orphan's FIN_WAIT2 substate does not stamp it. */
const TW_LAST_RCV = 'nothing reads lastRcvAt in TIME_WAIT (PAWS reads tsRecentStamp), and the segment that led there does not stamp it (the orphan\'s FIN_WAIT2 substate; step 5 returns once the ACK of our FIN made it TIME_WAIT)';

const keepaliveOn = { beforeOpen: (host: StateFixture['host'], fd: number) => void host.api.setsockopt(fd, 'SO_KEEPALIVE', 1) };

const CASES: Case[] = [
  { name: 'SYN_SENT', state: 'SYN_SENT', placed: {}, driven: (seed) => synSent({ seed }) },
  { name: 'ESTABLISHED (client)', state: 'ESTABLISHED', placed: {}, driven: (seed) => established({ seed }) },
  { name: 'ESTABLISHED (server, accept())', state: 'ESTABLISHED', placed: { role: 'server' }, driven: (seed) => established({ seed, role: 'server' }) },
  { name: 'ESTABLISHED with SO_KEEPALIVE', state: 'ESTABLISHED', placed: { sockopts: { keepalive: true } }, driven: (seed) => established({ seed, ...keepaliveOn }) },
  { name: 'ESTABLISHED with timestamps', state: 'ESTABLISHED', placed: { tsRecent: 'driven' }, driven: (seed) => established({ seed, peerOptions: PEER_TS_ONLY }) },
  { name: 'FIN_WAIT_1 after close()', state: 'FIN_WAIT_1', placed: {}, driven: (seed) => finWait1({ seed, how: 'close' }) },
  { name: 'FIN_WAIT_1 after shutdown(SHUT_WR)', state: 'FIN_WAIT_1', placed: { orphan: false }, driven: (seed) => finWait1({ seed, how: 'shutdown' }) },
  { name: 'FIN_WAIT_2 after close() (orphaned)', state: 'FIN_WAIT_2', placed: {}, driven: (seed) => finWait2({ seed, how: 'close' }), differs: { mdev: SECOND_SAMPLE } },
  { name: 'FIN_WAIT_2 after shutdown(SHUT_WR)', state: 'FIN_WAIT_2', placed: { orphan: false }, driven: (seed) => finWait2({ seed, how: 'shutdown' }), differs: { mdev: SECOND_SAMPLE } },
  { name: 'CLOSE_WAIT', state: 'CLOSE_WAIT', placed: {}, driven: (seed) => closeWait({ seed }) },
  // Placed CLOSING is the FINs crossing at one instant; driven, the peer's FIN came one RTT after ours.
  { name: 'CLOSING after close()', state: 'CLOSING', placed: {}, driven: (seed) => closing({ seed, how: 'close' }), differs: { 'armed timers (ms from now)': 'our FIN went out 10 ms before the peer\'s in the driven run, so its retransmission is due 200 ms from now, not 210' } },
  { name: 'CLOSING after shutdown(SHUT_WR)', state: 'CLOSING', placed: { orphan: false }, driven: (seed) => closing({ seed, how: 'shutdown' }), differs: { 'armed timers (ms from now)': 'our FIN went out 10 ms before the peer\'s in the driven run, so its retransmission is due 200 ms from now, not 210' } },
  { name: 'LAST_ACK', state: 'LAST_ACK', placed: {}, driven: (seed) => lastAck({ seed }) },
  { name: 'TIME_WAIT (from FIN_WAIT_2)', state: 'TIME_WAIT', placed: {}, driven: (seed) => timeWait({ seed }), differs: { mdev: SECOND_SAMPLE, 'lastRcvAt, ms ago': TW_LAST_RCV } },
  {
    name: 'TIME_WAIT (from CLOSING)', state: 'TIME_WAIT', placed: {}, driven: (seed) => timeWait({ seed, via: 'closing' }),
    // Placed TIME_WAIT follows the FIN_WAIT_2 path; through CLOSING the ACK of our FIN comes after the peer's FIN.
    differs: {
      'SND.WL1 − IRS': 'through CLOSING the window was last taken from the ACK after the peer\'s FIN (IRS + 2); nothing reads it in TIME_WAIT',
      srtt: 'through CLOSING the ACK of our FIN came 20 ms after it (a 20 ms sample); nothing is retransmitted in TIME_WAIT',
      mdev: 'the same 20 ms sample',
      rto: 'the same 20 ms sample (211.25 ms); nothing is retransmitted in TIME_WAIT',
      'lastRcvAt, ms ago': TW_LAST_RCV,
    },
  },
  { name: 'TIME_WAIT (server, timestamps)', state: 'TIME_WAIT', placed: { role: 'server', tsRecent: 'driven' }, driven: (seed) => timeWait({ seed, role: 'server', peerOptions: PEER_TS_ONLY }), differs: { mdev: SECOND_SAMPLE, 'lastRcvAt, ms ago': TW_LAST_RCV } },
];

/**
 * What the stack reads from a connection, with sequence numbers relative to ISS and IRS (a driven
 * connection's ISS is RFC 6528's, a placed one's 5000) and times relative to now. Not compared:
 * tsOffset (a per-connection random that only shifts our TSvals) and the trace.
 */
function observe(f: StateFixture) {
  const c = f.conn as Connection;
  const now = f.h.now;
  // Before the SYN-ACK there is no IRS, and the window fields are unset: compare them as they are.
  const synchronized = c.state !== 'SYN_SENT';
  const rel = (x: number, base: number) => seqSub(x, base);
  const relIrs = (x: number) => (synchronized ? seqSub(x, c.irs) : x);
  const timers: Record<string, number> = {};
  for (const [name, handle] of Object.entries(c.timers)) {
    const t = handle as { cancelled: boolean; at: number } | undefined;
    if (t && !t.cancelled) timers[name] = t.at - now;
  }
  return {
    state: c.state,
    closed: c.closed,
    inTable: f.host.connections.get(c.key) === c,
    orphan: c.orphan,
    shutRd: c.shutRd,
    shutWr: c.shutWr,
    twSock: c.twSock,
    timeWaitCount: f.host.timeWaitCount,
    'SND.UNA − ISS': rel(c.sndUna, c.iss),
    'SND.NXT − ISS': rel(c.sndNxt, c.iss),
    'SND.MAX − ISS': rel(c.sndMax, c.iss),
    'send queue start − ISS': rel(c.sendQueueSeq, c.iss),
    'FIN seq − ISS': c.finSent ? rel(c.finSeq, c.iss) : null,
    finQueued: c.finQueued,
    finSent: c.finSent,
    'RCV.NXT − IRS': relIrs(c.rcvNxt),
    'RCV.WND (rcvWup − RCV.NXT)': seqSub(c.rcvWup, c.rcvNxt),
    rcvFin: c.rcvFin,
    'SND.WND': c.sndWnd,
    maxSndWnd: c.maxSndWnd,
    'SND.WL1 − IRS': relIrs(c.sndWl1),
    'SND.WL2 − ISS': synchronized ? rel(c.sndWl2, c.iss) : c.sndWl2,
    mss: c.mss,
    tsOk: c.tsOk,
    sackOk: c.sackOk,
    wscaleOk: c.wscaleOk,
    sndWscale: c.sndWscale,
    rcvWscale: c.rcvWscale,
    tsRecent: c.tsRecent,
    // PAWS reads ts_recent_stamp in whole seconds (TCP_PAWS_MSL): how many seconds ago it was stored.
    'tsRecentStamp, seconds ago': c.tsOk ? Math.floor(now / 1000) - Math.floor(c.tsRecentStamp / 1000) : null,
    'lastRcvAt, ms ago': now - c.lastRcvAt,
    pingpong: c.pingpong,
    srtt: c.srtt,
    mdev: c.mdev,
    rttvar: c.rttvar,
    rto: c.rto,
    retransmits: c.retransmits,
    backoff: c.backoff,
    sendQueue: c.sendQueue.length,
    recvQueue: c.recvQueue.length,
    'armed timers (ms from now)': timers,
  };
}

type Observed = ReturnType<typeof observe>;

function without(o: Observed, keys: string[]): Partial<Observed> {
  const copy: Record<string, unknown> = { ...o };
  for (const k of keys) delete copy[k];
  return copy as Partial<Observed>;
}

describe('placed fixtures match the states the stack really reaches', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const seed of SEEDS) {
      const driven = c.driven(seed);
      const tsRecent = c.placed.tsRecent === 'driven' ? driven.conn!.tsRecent : undefined;
      expect(c.placed.tsRecent === undefined || driven.conn!.tsOk, 'test setup: the driven connection uses timestamps').toBe(true);
      const placed = placeConnection(c.state, { ...c.placed, tsRecent, seed });
      const skip = Object.keys(c.differs ?? {});
      expect(without(observe(placed), skip), `seed ${seed}: placed ${c.name} differs from the driven one`).toEqual(without(observe(driven), skip));
    }
  });
});

/** The calls that place a connection in the labs' test files, with their option text. */
function placedCalls(): Array<{ file: string; state: string; text: string }> {
  const out: Array<{ file: string; state: string; text: string }> = [];
  for (const slug of readdirSync(LABS)) {
    let names: string[];
    try {
      names = readdirSync(join(LABS, slug));
    } catch {
      continue;
    }
    if (!names.includes('lab.yaml')) continue;
    names = names.filter((n) => n.endsWith('.ts'));
    for (const name of names) {
      const source = readFileSync(join(LABS, slug, name), 'utf8');
      // placeConnection('STATE', …) directly, or a suite's own wrapper placed(t, 'STATE', 'text', …).
      for (const m of source.matchAll(/(?:placeConnection|placed)\((?:t, )?'([A-Z_0-9]+)'([^;]*)/g)) {
        out.push({ file: `labs/${slug}/${name}`, state: m[1], text: m[2] });
      }
    }
  }
  return out;
}

describe('every state the labs place is checked above', () => {
  it('finds the placed states in the lab test files (the scan works)', () => {
    const states = new Set(placedCalls().map((c) => c.state));
    for (const s of ['ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']) expect(states).toContain(s);
  });

  const calls = new Map(placedCalls().map((c) => [`${c.file}: ${c.state}${/orphan: false/.test(c.text) ? ' (orphan: false)' : ''}`, c]));
  it.each([...calls])('%s', (_name, call) => {
    const notOrphan = /orphan: false/.test(call.text);
    const covered = CASES.some((c) => c.state === call.state && (c.placed.orphan === false) === notOrphan);
    expect(covered, `${call.file} places ${call.state}${notOrphan ? ' with orphan: false' : ''}, which no case above drives through the stack`).toBe(true);
  });
});
