/**
 * Shared pieces of the teardown lab's tests: checks worded for the learner (state, lifetime,
 * counters, call results) and the two entry points the tests hand to the learner's code directly.
 *
 * Fixtures (stack/testing) build every starting state with the reference code. Two transitions,
 * though, ARE the lesson of a task and must run the learner's code without depending on another
 * task: entering TIME_WAIT (task 3: enterTimeWait arms the timer) and orphaning a FIN_WAIT_2
 * socket (task 4: finWait2Orphaned arms its timer). `enterTimeWaitAsOnFin`, `closeInFinWait2` and
 * `ackOfFinAsOnAckOfFin` do what the stack's own callers do (onFin's FIN_WAIT_2 branch, close() in
 * FIN_WAIT_2, onAckOfFin in an orphaned FIN_WAIT_1) with only the call under test going to the
 * learner's file.
 */
import type { Call } from '../../stack/core/socket.ts';
import type { Connection } from '../../stack/core/tcp/connection.ts';
import type { MibName } from '../../stack/core/tcp/mib.ts';
import type { TcpStateName } from '../../stack/core/observe/trace.ts';
import { cancelTimer, setState } from '../../stack/core/tcp/lifecycle.ts';
import { sendAck } from '../../stack/core/tcp/output.ts';
import { ACK, NO_PAYLOAD, type TcpSegment } from '../../stack/core/wire/segment.ts';
import { enterTimeWait, finWait2Orphaned } from '../../stack/core/tcp/teardown.ts';
import type { PeerHarness } from '../../stack/testing/harness.ts';
import type { LabTestContext } from '../kit/context.ts';
import type { StateFixture } from '../../stack/testing/fixtures.ts';
import { placeConnection } from '../../stack/testing/placed.ts';

/** "t=61.000 s": lifetimes read better in seconds. */
export function secs(ms: number): string {
  return `t=${(ms / 1000).toFixed(3)} s`;
}

/** When the trace saw `conn` reach CLOSED, or null. */
export function closedAt(h: PeerHarness, conn: Connection): number | null {
  const label = conn.label;
  for (const e of h.world.trace.events) {
    if (e.kind === 'state' && e.conn === label && e.to === 'CLOSED') return e.t;
  }
  return null;
}

/** The states `conn` went through, in order (from the trace). */
export function statePath(h: PeerHarness, conn: Connection, since = 0): TcpStateName[] {
  const label = conn.label;
  const out: TcpStateName[] = [];
  for (const e of h.world.trace.events) {
    if (e.kind !== 'state' || e.conn !== label || e.t < since) continue;
    if (out.length === 0) out.push(e.from);
    out.push(e.to);
  }
  return out;
}

function describeNow(h: PeerHarness, conn: Connection): string {
  if (conn.closed || conn.state === 'CLOSED') {
    const at = closedAt(h, conn);
    return `the connection closed${at === null ? '' : ` at ${secs(at)}`}`;
  }
  return `it is in ${conn.state}`;
}

export function expectState(h: PeerHarness, conn: Connection, state: TcpStateName, why = ''): void {
  h.check(`the connection is in ${state}`, () =>
    !conn.closed && conn.state === state ? null : `expected the connection to be in ${state}${why ? ` (${why})` : ''}, but ${describeNow(h, conn)}`);
}

/** The connection is CLOSED and gone from the host's table (so the 4-tuple is free). */
export function expectClosed(h: PeerHarness, conn: Connection, why = ''): void {
  h.check('the connection is CLOSED and gone from the connection table', () => {
    if (!conn.closed) return `expected the connection to be closed${why ? ` (${why})` : ''}, but it is still in ${conn.state}`;
    if (h.host.connections.get(conn.key) === conn) return 'the connection is CLOSED but still in the host\'s connection table — destroy() removes it';
    return null;
  });
}

/**
 * A timed state: `conn` is still in `state` 1 ms before `end`, and CLOSED at `end` exactly, having
 * sent nothing meanwhile (a silent expiry). `what` names the wait, e.g. "TIME_WAIT (60 s from
 * entering it at t=1.000 s)".
 */
export function expectLastsUntil(h: PeerHarness, conn: Connection, state: TcpStateName, end: number, what: string): void {
  h.expectNothingUntil(end - 1, `nothing is sent while the connection waits in ${state}`);
  h.check(`still in ${state} at ${secs(end - 1)}`, () =>
    !conn.closed && conn.state === state ? null : `${what} should end at ${secs(end)}, but at ${secs(end - 1)} ${describeNow(h, conn)}`);
  h.expectNothingUntil(end, `the connection leaves ${state} at ${secs(end)} without sending anything`);
  h.check(`CLOSED at ${secs(end)}`, () => {
    if (!conn.closed) return `${what} should end at ${secs(end)}, but the connection is still in ${conn.state}`;
    if (h.host.connections.get(conn.key) === conn) return 'the connection is CLOSED but still in the host\'s connection table — destroy() removes it';
    return null;
  });
}

/** A Linux counter (nstat name without TcpExt) has exactly this value. */
export function expectMib(h: PeerHarness, name: MibName, n: number, why: string): void {
  const got = h.host.mib.get(name);
  h.check(`nstat ${name} = ${n}`, () => (got === n ? null : `expected the counter ${name} to be ${n} (${why}), but it is ${got}`));
}

/** A read() call has finished by now with `expected`: 'eof', 'data' or an errno. */
export function expectRead(h: PeerHarness, what: string, call: Call<Uint8Array>, expected: 'eof' | string): void {
  h.check(`${what} ${expected === 'eof' ? 'returns 0 (end of stream)' : `fails with ${expected}`}`, () => {
    const want = expected === 'eof' ? 'return 0 (end of stream)' : `fail with ${expected}`;
    if (!call.done) return `expected ${what} to ${want}, but it is still blocked`;
    const r = call.result!;
    if (!r.ok) return r.errno === expected ? null : `expected ${what} to ${want}, but it failed with ${r.errno}`;
    if (expected === 'eof') return r.value.length === 0 ? null : `expected ${what} to return 0 (end of stream), but it returned ${r.value.length} bytes`;
    return `expected ${what} to ${want}, but it returned ${r.value.length} bytes`;
  });
}

/**
 * The peer's FIN reaches a (non-orphaned) FIN_WAIT_2 connection: RCV.NXT moves past the FIN and
 * the ACK goes out, as onFin does (reference behaviour) — then enterTimeWait(conn), the learner's.
 */
export function enterTimeWaitAsOnFin(h: PeerHarness, conn: Connection): void {
  h.act('the peer\'s FIN arrives in FIN_WAIT_2: RCV.NXT moves past it, the ACK goes out, and the stack calls enterTimeWait(conn) — your code', () => {
    conn.rcvNxt = (conn.rcvNxt + 1) >>> 0;
    conn.rcvFin = true;
    sendAck(conn);
    enterTimeWait(conn, 'FIN received in FIN_WAIT_2');
  });
}

/**
 * The peer's ACK of our FIN reaches an orphaned FIN_WAIT_1 connection: SND.UNA moves past the FIN,
 * the retransmission timer stops and the state becomes FIN_WAIT_2, as the stack's input and
 * onAckOfFin do (reference behaviour) — then finWait2Orphaned(conn, that ACK), the learner's.
 */
export function ackOfFinAsOnAckOfFin(h: PeerHarness, conn: Connection): void {
  const seg: TcpSegment = {
    srcAddr: conn.remoteAddr,
    dstAddr: conn.localAddr,
    srcPort: conn.remotePort,
    dstPort: conn.localPort,
    seq: conn.rcvNxt,
    ack: conn.sndNxt,
    flags: ACK,
    window: 64240,
    urgent: 0,
    options: [],
    payload: NO_PAYLOAD,
  };
  h.act(`the peer's ACK of our FIN arrives (. seq ${seg.seq} ack ${seg.ack}): SND.UNA moves past the FIN, the state becomes FIN_WAIT_2, and the stack calls finWait2Orphaned(conn, that ACK) — your code`, () => {
    conn.sndUna = conn.sndNxt;
    cancelTimer(conn, 'retransmit');
    setState(conn, 'FIN_WAIT_2', 'ACK of FIN');
    finWait2Orphaned(conn, seg);
  });
}

interface ApiInternals {
  fds: Map<number, unknown>;
}

/**
 * close(fd) on a FIN_WAIT_2 socket after shutdown(SHUT_WR): the descriptor goes, the socket is
 * orphaned, and the stack calls finWait2Orphaned(conn) — the learner's — as close() does.
 */
export function closeInFinWait2(h: PeerHarness, conn: Connection, fd: number): void {
  h.act(`close(${fd}) in FIN_WAIT_2: the socket is orphaned and the stack calls finWait2Orphaned(conn) — your code`, () => {
    const api = h.host.api as unknown as ApiInternals;
    if (!(api.fds instanceof Map)) throw new Error('labs/teardown/support.ts: SocketApi no longer keeps a private `fds` map');
    api.fds.delete(fd);
    conn.wake = null;
    conn.orphan = true;
    conn.shutRd = true;
    finWait2Orphaned(conn);
  });
}

/** A TIME_WAIT connection on our port 80 and, beside it, a listener on port 80 (SO_REUSEADDR): where a new SYN may reopen the 4-tuple. */
export function timeWaitWithListener(t: LabTestContext, hostIss = 5000, tsRecent?: number, peerIss?: number) {
  const ts = tsRecent === undefined ? '' : `, timestamps on, the peer's last TSval kept (ts_recent) ${tsRecent}`;
  const peer = peerIss === undefined ? '' : `, peer ISS ${peerIss}`;
  const f = t.fixture(`TIME_WAIT on our port 80 (host ISS ${hostIss}${peer}${ts}), and a listener on port 80 with SO_REUSEADDR`, (o) => {
    const p = placeConnection('TIME_WAIT', { ...o, role: 'server', hostIss, tsRecent, sockopts: { reuseAddr: true }, ...(peerIss === undefined ? {} : { peerIss }) });
    const api = p.host.api;
    const lfd = p.h.act('socket()', () => api.socket());
    if (!lfd.ok) return p.h.fail('test setup: socket() failed');
    p.h.act(`setsockopt(${lfd.value}, SO_REUSEADDR, 1)`, () => api.setsockopt(lfd.value, 'SO_REUSEADDR', 1));
    const b = p.h.act(`bind(${lfd.value}, 0.0.0.0:80)`, () => api.bind(lfd.value, 0, 80));
    if (!b.ok) return p.h.fail(`test setup: bind() failed with ${b.errno}`);
    p.h.act(`listen(${lfd.value}, 5)`, () => api.listen(lfd.value, 5));
    return p;
  });
  return f as StateFixture & { conn: NonNullable<StateFixture['conn']> };
}
