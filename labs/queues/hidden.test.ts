/**
 * Hidden tests of the queues lab (graded). Listener states are built by the reference code
 * (fixtures, t.reference); then the learner's functions are called directly or run by segments
 * arriving at exact virtual times. Expected values follow Linux v6.18: tcp_conn_request,
 * sk_acceptq_is_full / inet_csk_reqsk_queue_is_full (strict >), tcp_check_req's listen_overflow.
 */
import { labTest } from '../kit/scoring.ts';
import { withReferenceFor } from '../kit/side.ts';
import type { LabTestContext } from '../kit/context.ts';
import { acceptQueueIsFull, admitSyn, effectiveBacklog, onAcceptQueueOverflow, synQueueIsFull, type SynDecision } from '../../stack/core/tcp/listen-queues.ts';
import type { Listener } from '../../stack/core/tcp/connection.ts';
import type { Call } from '../../stack/core/socket.ts';
import type { PeerHarness } from '../../stack/testing/harness.ts';
import { ssRows } from '../../stack/core/observe/ss.ts';
import { parseAddr } from '../../stack/core/wire/format.ts';
import {
  TASK1_FUNCTIONS,
  TASK2_FUNCTIONS,
  TASK3_FUNCTIONS,
  ackFrom,
  connectFrom,
  counts,
  expectAdded,
  expectQueues,
  expectSsListen,
  floodWarnings,
  queueListener,
  synFrom,
} from './support.ts';

const COOKIES_OFF = { 'net.ipv4.tcp_syncookies': 0 };
const COOKIES_ALWAYS = { 'net.ipv4.tcp_syncookies': 2 };
const ABORT = { 'net.ipv4.tcp_abort_on_overflow': 1 };

function ports(n: number, from = 40000): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

function state(l: Listener): string {
  return `SYN queue ${l.synQueue.size}, accept queue ${l.acceptQueue.length}, backlog ${l.backlog}`;
}

function checkIs(h: PeerHarness, call: string, got: unknown, expected: unknown, why: string): void {
  h.check(`${call} returns ${String(expected)}`, () => (got === expected ? null : `${call} should return ${String(expected)} (${why}), but it returned ${String(got)}`));
}

/** The learner's admitSyn on the listener as it is now. */
function decide(h: PeerHarness, listener: Listener, reopen: boolean, expected: SynDecision, why: string): void {
  const call = `admitSyn(${state(listener)}${reopen ? ', a SYN reopening a TIME_WAIT connection' : ''})`;
  const got = h.act(call, () => admitSyn(h.host, listener, reopen));
  checkIs(h, call, got, expected, why);
}

/** Socket calls on the host, by the learner's code (listen() runs effectiveBacklog). */
function listenOn(h: PeerHarness, backlog: number): number {
  const fd = h.act('socket()', () => h.host.api.socket());
  if (!fd.ok) return h.fail(`socket() failed with ${fd.errno}`);
  h.act(`bind(${fd.value}, 0.0.0.0:80)`, () => h.host.api.bind(fd.value, 0, 80));
  const r = h.act(`listen(${fd.value}, ${backlog})`, () => h.host.api.listen(fd.value, backlog));
  h.check(`listen(${fd.value}, ${backlog}) returns 0`, () => (r.ok ? null : `listen() should succeed (the kernel caps the backlog silently), but it failed with ${r.errno}`));
  return fd.value;
}

function callState<T>(c: Call<T>): string {
  if (!c.done) return 'is still waiting';
  return c.result!.ok ? `succeeded at ${c.doneAt} ms` : `failed with ${(c.result as { errno: string }).errno} at ${c.doneAt} ms`;
}

// ── Task 1: the backlog and when each queue is full ─────────────────────────────────────────────

labTest('listen(fd, 4) gets backlog 4, shown as Send-Q in ss -lnt', { task: 1, guard: true }, (t) => {
  const h = t.harness();
  const fd = listenOn(h, 4);
  expectSsListen(h, 0, 4, 'below somaxconn (4096) the backlog is what listen() asked for');
  h.act(`listen(${fd}, 10) again`, () => h.host.api.listen(fd, 10));
  expectSsListen(h, 0, 10, 'calling listen() again on a listener only changes its backlog');
});

labTest('a backlog above net.core.somaxconn is silently capped', { task: 1 }, (t) => {
  const h = t.harness();
  const fd = listenOn(h, 5000);
  expectSsListen(h, 0, 4096, 'the default somaxconn is 4096, and listen() still returns 0');
  h.act(`listen(${fd}, 4096)`, () => h.host.api.listen(fd, 4096));
  expectSsListen(h, 0, 4096, 'a backlog equal to somaxconn is kept');
  h.act(`listen(${fd}, 4097)`, () => h.host.api.listen(fd, 4097));
  expectSsListen(h, 0, 4096, 'one above somaxconn is capped to it');
  const h2 = t.harness({ sysctls: { 'net.core.somaxconn': 2 } });
  listenOn(h2, 4);
  expectSsListen(h2, 0, 2, 'with net.core.somaxconn=2, listen(fd, 4) gets min(4, 2) = 2');
});

labTest('a negative backlog means somaxconn (the comparison is unsigned)', { task: 1 }, (t) => {
  const h = t.harness();
  listenOn(h, -1);
  expectSsListen(h, 0, 4096, '(unsigned) -1 is 4294967295, far above somaxconn = 4096');
  const h2 = t.harness({ sysctls: { 'net.core.somaxconn': 128 } });
  listenOn(h2, -2147483648);
  expectSsListen(h2, 0, 128, 'any negative backlog read as unsigned is huge, so it becomes somaxconn = 128');
});

labTest('listen(fd, 0) gets backlog 0', { task: 1 }, (t) => {
  const h = t.harness();
  listenOn(h, 0);
  expectSsListen(h, 0, 0, '0 is not negative: it stays 0 (and still admits one connection, see the queue tests)');
  for (const [b, s, want] of [[1, 0, 0], [0, 0, 0], [7, 7, 7]] as const) {
    const got = h.act(`effectiveBacklog(${b}, somaxconn ${s})`, () => effectiveBacklog(b, s));
    checkIs(h, `effectiveBacklog(${b}, ${s})`, got, want, `min(${b}, ${s})`);
  }
});

labTest('the SYN queue is full only when it holds more than backlog requests', { task: 1 }, (t) => {
  const { h, listener } = queueListener(t, 2);
  const full = (expected: boolean, why: string) => {
    const got = h.act(`synQueueIsFull(${state(listener)})`, () => synQueueIsFull(listener));
    checkIs(h, `synQueueIsFull(${state(listener)})`, got, expected, why);
  };
  full(false, 'an empty SYN queue is not full');
  t.reference(h, 'peers on ports 40000 and 40001 send SYNs', () => ports(2).forEach((p) => synFrom(h, p)));
  full(false, 'Linux compares qlen > backlog: 2 requests with backlog 2 is not full yet');
  t.reference(h, 'port 40002 sends a SYN', () => synFrom(h, 40002));
  full(true, '3 requests = backlog + 1: now qlen > backlog');
});

labTest('with backlog 0 one request fits; the second makes the SYN queue full', { task: 1 }, (t) => {
  const { h, listener } = queueListener(t, 0);
  const got0 = h.act(`synQueueIsFull(${state(listener)})`, () => synQueueIsFull(listener));
  checkIs(h, 'synQueueIsFull (no requests, backlog 0)', got0, false, '0 > 0 is false: listen(fd, 0) still takes a SYN');
  t.reference(h, 'port 40000 sends a SYN', () => synFrom(h, 40000));
  const got1 = h.act(`synQueueIsFull(${state(listener)})`, () => synQueueIsFull(listener));
  checkIs(h, 'synQueueIsFull (1 request, backlog 0)', got1, true, '1 > 0');
});

labTest('the accept queue is full only when it holds more than backlog connections', { task: 1 }, (t) => {
  const { h, listener } = queueListener(t, 2);
  const full = (expected: boolean, why: string) => {
    const got = h.act(`acceptQueueIsFull(${state(listener)})`, () => acceptQueueIsFull(listener));
    checkIs(h, `acceptQueueIsFull(${state(listener)})`, got, expected, why);
  };
  full(false, 'nothing waits for accept()');
  t.reference(h, 'peers on ports 40000 and 40001 complete handshakes', () => connectFrom(h, ports(2)));
  full(false, 'sk_acceptq_is_full is sk_ack_backlog > sk_max_ack_backlog: 2 > 2 is false');
  t.reference(h, 'port 40002 completes a handshake', () => connectFrom(h, [40002]));
  full(true, '3 connections = backlog + 1 fill it');
});

labTest('backlog 4 lets a 5th connection into the accept queue, but not a 6th', { task: 1 }, (t) => withReferenceFor([...TASK2_FUNCTIONS, ...TASK3_FUNCTIONS], () => {
  const { h, listener } = queueListener(t, 4);
  connectFrom(h, ports(4));
  const s5 = synFrom(h, 40004)!;
  const s6 = synFrom(h, 40005)!;
  ackFrom(h, 40004, s5, 10);
  expectQueues(h, listener, 1, 5, 'the 5th final ACK finds 4 waiting, and 4 > 4 is false: room for one more');
  ackFrom(h, 40005, s6, 20);
  expectQueues(h, listener, 1, 5, 'the 6th final ACK finds 5 waiting: 5 > 4, so it is not admitted and its request stays');
  expectSsListen(h, 5, 4, 'Recv-Q can exceed Send-Q by one: the accept queue holds backlog + 1');
  h.expectNothingUntil(20, 'the overflowing ACK is dropped silently (tcp_abort_on_overflow = 0)');
}));

labTest('listen(fd, 0) still admits one connection', { task: 1, guard: true }, (t) => withReferenceFor([...TASK2_FUNCTIONS, ...TASK3_FUNCTIONS], () => {
  const { h, host, fd, listener } = queueListener(t, 0);
  const a = synFrom(h, 40000)!;
  ackFrom(h, 40000, a, 10);
  expectQueues(h, listener, 0, 1, '0 > 0 is false, so the first completed connection gets in');
  const accept = h.act(`accept(${fd})`, () => host.api.accept(fd));
  h.check('accept() returns the connection at once', () => (accept.done && accept.result?.ok ? null : `expected accept() to return the waiting connection, but it ${callState(accept)}`));
  expectSsListen(h, 0, 0, 'after accept() nothing waits');
}));

// ── Task 2: what to do with a SYN ──────────────────────────────────────────────────────────────

labTest('a SYN to a listener with room gets a request sock and a SYN-ACK', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 2);
  const before = counts(host);
  decide(h, listener, false, 'request', 'both queues are empty');
  expectAdded(h, before, {}, 'an ordinary SYN is not a drop or a cookie');
  h.send(5, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(5, { flags: 'S.', ack: h.pSeq(1) }, 'host answers the SYN with a SYN-ACK at once');
  expectQueues(h, listener, 1, 0, 'the SYN left a request sock in SYN_RECV');
});

labTest('a SYN queue holding exactly backlog requests still takes a SYN', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 2);
  t.reference(h, 'ports 40000 and 40001 send SYNs', () => ports(2).forEach((p) => synFrom(h, p)));
  const before = counts(host);
  decide(h, listener, false, 'request', '2 requests with backlog 2 is not full (Linux compares qlen > backlog)');
  expectAdded(h, before, {}, 'nothing overflowed');
  h.send(10, { flags: 'S', srcPort: 40002, options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: 'S.', dstPort: 40002 }, 'the third SYN gets a SYN-ACK');
  expectQueues(h, listener, 3, 0, 'the third request fits: backlog + 1');
});

labTest('cookies on (default): a SYN that finds the SYN queue full gets a cookie', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 1);
  t.reference(h, 'ports 40000 and 40001 send SYNs (2 requests = backlog + 1)', () => ports(2).forEach((p) => synFrom(h, p)));
  const before = counts(host);
  decide(h, listener, false, 'cookie', 'the SYN queue is full (2 > 1) and net.ipv4.tcp_syncookies = 1');
  expectAdded(h, before, { TCPReqQFullDoCookies: 1 }, 'tcp_syn_flood_action counts a cookie answer once; a cookie is not a drop');
  h.send(10, { flags: 'S', srcPort: 40002, options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: 'S.', dstPort: 40002 }, 'the SYN is answered at once, with a cookie SYN-ACK');
  expectQueues(h, listener, 2, 0, 'a cookie keeps no request sock');
  expectAdded(h, before, { TCPReqQFullDoCookies: 2 }, 'the direct call and the SYN each counted one cookie');
});

labTest('the SYN-flood warning is logged once per listener', { task: 2 }, (t) => {
  const { h, listener } = queueListener(t, 0);
  t.reference(h, 'port 40000 sends a SYN (1 request = backlog + 1)', () => synFrom(h, 40000));
  decide(h, listener, false, 'cookie', 'the SYN queue is full and cookies are on');
  h.check('the kernel log says "Possible SYN flooding on port 80. Sending cookies."', () => {
    const w = floodWarnings(h);
    return w.length === 1 && w[0] === 'Possible SYN flooding on port 80. Sending cookies.' ? null
      : `expected exactly one log line "Possible SYN flooding on port 80. Sending cookies." (host.note), but got ${w.length ? w.map((x) => JSON.stringify(x)).join(', ') : 'none'}`;
  });
  decide(h, listener, false, 'cookie', 'still full');
  decide(h, listener, false, 'cookie', 'still full');
  h.check('no second warning', () => (floodWarnings(h).length === 1 ? null : `Linux warns once per listener (queue->synflood_warned), but the log has ${floodWarnings(h).length} warnings`));
});

labTest('tcp_syncookies=2 answers every SYN with a cookie, without the warning', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 5, COOKIES_ALWAYS);
  const before = counts(host);
  decide(h, listener, false, 'cookie', 'net.ipv4.tcp_syncookies = 2 means cookies even for an empty SYN queue');
  expectAdded(h, before, { TCPReqQFullDoCookies: 1 }, 'Linux counts it in tcp_syn_flood_action like any cookie answer');
  h.check('no SYN-flood warning', () => (floodWarnings(h).length === 0 ? null : `with tcp_syncookies = 2 cookies are deliberate, and Linux logs nothing, but the log has ${JSON.stringify(floodWarnings(h)[0])}`));
});

labTest('cookies off: a SYN that finds the SYN queue full is dropped', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 1, COOKIES_OFF);
  t.reference(h, 'ports 40000 and 40001 send SYNs (2 requests = backlog + 1)', () => ports(2).forEach((p) => synFrom(h, p)));
  const before = counts(host);
  decide(h, listener, false, 'drop', 'the SYN queue is full and net.ipv4.tcp_syncookies = 0: no cookie to fall back on');
  expectAdded(h, before, { TCPReqQFullDrop: 1, ListenDrops: 1 }, 'tcp_syn_flood_action counts TCPReqQFullDrop, the drop path counts ListenDrops');
  h.check('the kernel log says "Possible SYN flooding on port 80. Dropping request."', () => {
    const w = floodWarnings(h);
    return w.length === 1 && w[0] === 'Possible SYN flooding on port 80. Dropping request.' ? null
      : `with cookies off Linux still warns once per listener, ending "Dropping request." instead of "Sending cookies.", but the log has ${w.length ? w.map((x) => JSON.stringify(x)).join(', ') : 'nothing'}`;
  });
  h.send(10, { flags: 'S', srcPort: 40002, options: [{ kind: 'mss', value: 1460 }] });
  h.expectNothingUntil(999, 'the SYN is dropped silently: no SYN-ACK, no RST (the client will retransmit)');
  expectQueues(h, listener, 2, null, 'the dropped SYN left nothing behind');
});

labTest('a SYN is dropped while the accept queue is full, even with cookies on', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 1);
  t.reference(h, 'ports 40000 and 40001 complete handshakes (2 connections = backlog + 1)', () => connectFrom(h, ports(2)));
  const before = counts(host);
  decide(h, listener, false, 'drop', 'the accept queue is full (2 > 1): since Linux 4.10 a SYN is dropped then, whatever the cookie setting');
  expectAdded(h, before, { ListenOverflows: 1, ListenDrops: 1 }, 'an accept-queue overflow counts ListenOverflows and ListenDrops');
  h.send(10, { flags: 'S', srcPort: 40002, options: [{ kind: 'mss', value: 1460 }] });
  h.expectNothingUntil(999, 'the SYN gets no answer');
  expectQueues(h, listener, 0, 2, 'the dropped SYN left nothing behind');
});

labTest('an accept queue holding exactly backlog connections still admits a SYN', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 1);
  t.reference(h, 'port 40000 completes a handshake', () => connectFrom(h, [40000]));
  const before = counts(host);
  decide(h, listener, false, 'request', '1 connection waiting with backlog 1 is not full');
  expectAdded(h, before, {}, 'nothing overflowed');
});

labTest('tcp_syncookies=2 with a full accept queue: the cookie is counted, then the SYN dropped', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 0, COOKIES_ALWAYS);
  t.reference(h, 'port 40000 completes a (cookie) handshake: 1 connection = backlog + 1', () => connectFrom(h, [40000]));
  const before = counts(host);
  decide(h, listener, false, 'drop', 'the cookie decision comes first, but the accept-queue check after it still drops the SYN');
  expectAdded(h, before, { TCPReqQFullDoCookies: 1, ListenOverflows: 1, ListenDrops: 1 }, 'tcp_conn_request counts both steps it ran: the cookie decision and the accept-queue overflow');
});

labTest('both queues full with cookies on: warned, counted as a cookie and an overflow, dropped', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 0);
  t.reference(h, 'port 40001 sends a SYN (1 request: the SYN queue is full); port 40000 then connects with a cookie (1 connection: the accept queue is full)', () => {
    synFrom(h, 40001);
    connectFrom(h, [40000]);
  });
  expectQueues(h, listener, 1, 1, 'setup: both queues hold backlog + 1');
  const before = counts(host);
  const warned = floodWarnings(h).length;
  decide(h, listener, false, 'drop', 'the SYN queue is full (a cookie is wanted), and then the accept queue is full (drop)');
  expectAdded(h, before, { TCPReqQFullDoCookies: 1, ListenOverflows: 1, ListenDrops: 1 }, 'one count for each check that fired, in tcp_conn_request\'s order');
  h.check('the SYN-flood warning has been logged once', () => (floodWarnings(h).length === 1 ? null
    : `the cookie decision comes before the accept-queue check and logs "Possible SYN flooding on port 80. Sending cookies." once per listener; the log has ${floodWarnings(h).length} warnings (${warned} before this SYN)`));
});

labTest('a SYN reopening a TIME_WAIT connection skips the SYN-queue limit', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 0);
  t.reference(h, 'port 40000 sends a SYN (the SYN queue is full)', () => synFrom(h, 40000));
  const before = counts(host);
  decide(h, listener, true, 'request', 'Linux converts TIME_WAIT buckets to requests "without limitations": no cookie for a reopening SYN');
  expectAdded(h, before, {}, 'the SYN-queue check did not run');
  host.sysctl.set('net.ipv4.tcp_syncookies', 2);
  decide(h, listener, true, 'request', 'even with tcp_syncookies = 2 a reopening SYN gets a real request sock');
});

labTest('a SYN reopening a TIME_WAIT connection is still dropped when the accept queue is full', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 0);
  t.reference(h, 'port 40000 completes a handshake (the accept queue is full)', () => connectFrom(h, [40000]));
  const before = counts(host);
  decide(h, listener, true, 'drop', 'the accept-queue check applies to every SYN, reopening or not');
  expectAdded(h, before, { ListenOverflows: 1, ListenDrops: 1 }, 'an accept-queue overflow');
});

function maxSynBacklogListener(t: LabTestContext, syncookies: number, requests: number) {
  const f = queueListener(t, 20, { 'net.ipv4.tcp_syncookies': syncookies, 'net.ipv4.tcp_max_syn_backlog': 8 });
  t.reference(f.h, `${requests} peers send SYNs`, () => ports(requests).forEach((p) => synFrom(f.h, p)));
  return f;
}

labTest('cookies off: with 6 of tcp_max_syn_backlog=8 used, an unproven peer still gets in', { task: 2 }, (t) => {
  const { h, host, listener } = maxSynBacklogListener(t, 0, 6);
  const before = counts(host);
  decide(h, listener, false, 'request', '8 − 6 = 2 slots left, not fewer than 8 / 4 = 2');
  expectAdded(h, before, {}, 'no drop');
});

labTest('cookies off: with 7 of tcp_max_syn_backlog=8 used, unproven peers are dropped', { task: 2 }, (t) => {
  const { h, host, listener } = maxSynBacklogListener(t, 0, 7);
  const before = counts(host);
  decide(h, listener, false, 'drop', '8 − 7 = 1 slot left, fewer than 8 / 4 = 2: the last quarter is kept for peers with a known RTT (this stack knows none), although the SYN queue (backlog 20) has room');
  expectAdded(h, before, { ListenDrops: 1 }, 'this drop is counted only as ListenDrops (not TCPReqQFullDrop: the SYN queue is not full)');
  h.send(10, { flags: 'S', srcPort: 40099, options: [{ kind: 'mss', value: 1460 }] });
  h.expectNothingUntil(999, 'the SYN gets no answer');
});

labTest('tcp_max_syn_backlog does nothing with cookies on, nor for a reopening SYN', { task: 2 }, (t) => {
  const { h, host, listener } = maxSynBacklogListener(t, 1, 7);
  const before = counts(host);
  decide(h, listener, false, 'request', 'the ¾ rule applies only when net.ipv4.tcp_syncookies = 0');
  host.sysctl.set('net.ipv4.tcp_syncookies', 0);
  decide(h, listener, true, 'request', 'a SYN reopening a TIME_WAIT connection skips the ¾ rule');
  expectAdded(h, before, {}, 'no drop');
});

/** Spoofed SYNs now from `n` addresses in 198.18.0.0/15 that route nowhere (their SYN-ACKs are lost). */
function spoofedSyns(h: PeerHarness, n: number): void {
  for (let i = 1; i <= n; i++) h.send(h.now, { flags: 'S', srcAddr: parseAddr(`198.18.0.${i}`), srcPort: 50000 + i, seq: 7_000_000 * i, options: [{ kind: 'mss', value: 1460 }] });
}

labTest('under a flood ss shows backlog + 1 SYN-RECV sockets while the cookie counters climb', { task: 2 }, (t) => {
  const { h, host } = queueListener(t, 2);
  const before = counts(host);
  h.act('10 spoofed SYNs from 198.18.0.1–10 arrive at 0 ms', () => spoofedSyns(h, 10));
  const synRecv = ssRows(host).filter((r) => r.state === 'SYN_RECV').length;
  h.check('ss -n state syn-recv lists 3 sockets', () => (synRecv === 3 ? null
    : `the first 3 SYNs (backlog + 1) get request socks and every later one a cookie, so ss should list 3 SYN-RECV sockets, but it lists ${synRecv}`));
  expectAdded(h, before, { TCPReqQFullDoCookies: 7 }, '7 of the 10 SYNs found the SYN queue full and were answered with cookies');
  h.check('7 cookie SYN-ACKs went out (SyncookiesSent)', () => (host.mib.get('SyncookiesSent') === 7 ? null : `expected TcpExtSyncookiesSent 7, but it is ${host.mib.get('SyncookiesSent')}`));
  h.check('one SYN-flood warning', () => (floodWarnings(h).length === 1 ? null : `expected the warning once, but the log has ${floodWarnings(h).length}`));
});

labTest('what the client sees when cookies are off and a flood fills the SYN queue: connect() returns after 67 s', { task: 2 }, (t) => withReferenceFor([...TASK3_FUNCTIONS, 'acceptQueueIsFull'], () => {
  const { h, host, listener } = queueListener(t, 1, COOKIES_OFF);
  t.reference(h, '2 spoofed SYNs fill the SYN queue (backlog + 1); their SYN-ACKs go nowhere', () => spoofedSyns(h, 2));
  const before = counts(host);
  const client = h.world.addHost('client', '10.0.0.3');
  const cfd = client.api.socket();
  if (!cfd.ok) return h.fail('client socket() failed');
  h.advanceTo(100);
  const connect = h.act('client 10.0.0.3: connect() to 10.0.0.2:80', () => client.api.connect(cfd.value, h.hostAddr, 80));
  h.advanceTo(67_099);
  h.check('connect() still waits at 67.099 s', () => (connect.done ? `every SYN until then finds the SYN queue full and is dropped, but connect() ${callState(connect)}` : null));
  expectAdded(h, before, { TCPReqQFullDrop: 10, ListenDrops: 10 }, 'the client\'s SYNs at 0.1, 1.1, 2.1, 3.1, 4.1, 5.1, 7.1, 11.1, 19.1 and 35.1 s were dropped');
  expectQueues(h, listener, 0, null, 'the spoofed requests ran out of SYN-ACK retransmissions and were dropped at 63 s');
  h.advanceTo(67_100);
  h.check('the SYN at 67.1 s gets in and connect() returns then', () => (connect.done && connect.result?.ok && connect.doneAt === 67_100 ? null
    : `the client's 11th SYN (67 s after the first) finds room and should complete the handshake at once, but connect() ${callState(connect)}`));
}));

labTest('what the client sees when its SYN finds the accept queue full: connect() waits for a retransmission', { task: 2 }, (t) => withReferenceFor([...TASK3_FUNCTIONS, 'acceptQueueIsFull'], () => {
  const { h, host, fd, listener } = queueListener(t, 0);
  t.reference(h, 'port 40000 completes a handshake: the accept queue is full (1 = backlog + 1)', () => connectFrom(h, [40000]));
  const before = counts(host);
  const client = h.world.addHost('client', '10.0.0.3');
  const cfd = client.api.socket();
  if (!cfd.ok) return h.fail('client socket() failed');
  h.advanceTo(100);
  const connect = h.act('client 10.0.0.3: connect() to 10.0.0.2:80', () => client.api.connect(cfd.value, h.hostAddr, 80));
  h.advanceTo(1_500);
  h.check('connect() is still waiting at 1500 ms', () => (connect.done ? `the client's SYNs at 100 and 1100 ms should have been dropped (the accept queue is full), but connect() ${callState(connect)}` : null));
  expectAdded(h, before, { ListenOverflows: 2, ListenDrops: 2 }, 'the client\'s SYNs at 100 ms and 1100 ms were dropped');
  const accept = h.act(`server: accept(${fd}) at 1500 ms`, () => host.api.accept(fd));
  h.check('accept() returned the waiting connection', () => (accept.done && accept.result?.ok ? null : `expected accept() to take the waiting connection, but it ${callState(accept)}`));
  h.advanceTo(2_099);
  h.check('connect() still waits at 2099 ms', () => (connect.done ? `connect() ${callState(connect)}, before the client's next SYN retransmission at 2100 ms` : null));
  h.advanceTo(2_100);
  h.check('the SYN retransmitted at 2100 ms is admitted and connect() returns then', () => (connect.done && connect.result?.ok && connect.doneAt === 2_100 ? null
    : `the client's SYN at 2100 ms (1 s after the previous one: tcp_syn_linear_timeouts) finds room and should complete the handshake at once, but connect() ${callState(connect)}`));
  expectQueues(h, listener, 0, 1, 'the client\'s connection now waits for accept()');
}));

// ── Task 3: the final ACK finds the accept queue full ──────────────────────────────────────────

labTest('tcp_abort_on_overflow=0: onAcceptQueueOverflow counts the overflow and says drop', { task: 3 }, (t) => {
  const { h, host } = queueListener(t, 1);
  const before = counts(host);
  const got = h.act('onAcceptQueueOverflow(host) with net.ipv4.tcp_abort_on_overflow = 0', () => onAcceptQueueOverflow(host));
  checkIs(h, 'onAcceptQueueOverflow', got, 'drop', 'the default: drop the ACK and keep the request, so its SYN-ACK retransmissions give the client another chance');
  expectAdded(h, before, { ListenOverflows: 1, ListenDrops: 1 }, 'tcp_v4_syn_recv_sock counts ListenOverflows and ListenDrops when sk_acceptq_is_full');
});

labTest('tcp_abort_on_overflow=1: onAcceptQueueOverflow counts the overflow and says reset', { task: 3 }, (t) => {
  const { h, host } = queueListener(t, 1, ABORT);
  const before = counts(host);
  const got = h.act('onAcceptQueueOverflow(host) with net.ipv4.tcp_abort_on_overflow = 1', () => onAcceptQueueOverflow(host));
  checkIs(h, 'onAcceptQueueOverflow', got, 'reset', 'with the setting at 1 Linux answers the overflowing ACK with a RST');
  expectAdded(h, before, { ListenOverflows: 1, ListenDrops: 1 }, 'the counters are the same for both settings');
});

/**
 * Backlog 1: port 40000 connects; 40001 and 40002 send SYNs; 40001's ACK fills the accept queue
 * (2 = backlog + 1). Returns 40002's SYN-ACK, whose ACK will overflow.
 */
function overflowSetup(t: LabTestContext, sysctls: Record<string, number> = {}) {
  const f = queueListener(t, 1, sysctls);
  const { h } = f;
  connectFrom(h, [40000]);
  const b = synFrom(h, 40001)!;
  const c = synFrom(h, 40002)!;
  ackFrom(h, 40001, b);
  expectQueues(h, f.listener, 1, 2, 'setup: 2 connections wait (backlog + 1) and port 40002\'s request is in SYN_RECV');
  return { ...f, c };
}

const OTHERS = [...TASK1_FUNCTIONS, ...TASK2_FUNCTIONS];

labTest('abort=0: the overflowing ACK is dropped silently and the SYN-ACK is resent 1 s after the first', { task: 3 }, (t) => withReferenceFor(OTHERS, () => {
  const { h, host, listener, c } = overflowSetup(t);
  const before = counts(host);
  ackFrom(h, 40002, c, 10);
  h.expectNothingUntil(999, 'no RST, no answer: the ACK is dropped');
  expectQueues(h, listener, 1, 2, 'port 40002\'s request stays in the SYN queue (marked acked)');
  expectAdded(h, before, { ListenOverflows: 1, ListenDrops: 1 }, 'one overflowing ACK');
  h.expectSegment(1_000, { flags: 'S.', seq: c.seq, ack: h.pSeq(1), dstPort: 40002 }, 'the request timer resends the SYN-ACK at 1000 ms, 1 s after the first');
  expectSsListen(h, 2, 1, 'Recv-Q 2 = backlog + 1: the accept queue is full');
}));

labTest('abort=0: once accept() makes room, the client\'s answer to the resent SYN-ACK gets it in', { task: 3, guard: true }, (t) => withReferenceFor(OTHERS, () => {
  const { h, host, fd, listener, c } = overflowSetup(t);
  ackFrom(h, 40002, c, 10);
  h.advanceTo(500);
  const first = h.act(`accept(${fd})`, () => host.api.accept(fd));
  const second = h.act(`accept(${fd})`, () => host.api.accept(fd));
  const third = h.act(`accept(${fd}) — blocks until port 40002's connection is complete`, () => host.api.accept(fd));
  h.check('two accept() calls returned the waiting connections', () => (first.done && second.done ? null : 'expected the two waiting connections to be accepted at once'));
  h.check('the third accept() waits', () => (third.done ? `port 40002's ACK was dropped, so its connection does not exist yet, but accept() ${callState(third)}` : null));
  h.expectSegment(1_000, { flags: 'S.', seq: c.seq, dstPort: 40002 }, 'the SYN-ACK is resent at 1000 ms');
  ackFrom(h, 40002, c, 1_000);
  h.check('accept() returns port 40002\'s connection at 1000 ms', () => (third.done && third.result?.ok && third.doneAt === 1_000 ? null
    : `the client (ESTABLISHED since 0 ms) answered the resent SYN-ACK with an ACK, and now there is room, so the connection should complete at 1000 ms, but accept() ${callState(third)}`));
  expectQueues(h, listener, 0, 0, 'the request became a connection and was accepted');
  h.expectNothingUntil(4_000, 'no more SYN-ACKs: the request is gone');
}));

labTest('abort=0: if the queue stays full the SYN-ACK goes at 0, 1, 3, 7, 15, 31 s, the request dies at 63 s and the client then gets a RST', { task: 3 }, (t) => withReferenceFor(OTHERS, () => {
  const { h, host, listener, c } = overflowSetup(t);
  const before = counts(host);
  ackFrom(h, 40002, c, 10);
  for (const at of [1_000, 3_000, 7_000, 15_000, 31_000]) {
    h.expectNothingUntil(at - 1);
    h.expectSegment(at, { flags: 'S.', seq: c.seq, dstPort: 40002 }, `SYN-ACK retransmission at ${at / 1000} s`);
    ackFrom(h, 40002, c, at); // the client, ESTABLISHED, answers each duplicate SYN-ACK with an ACK
  }
  expectAdded(h, before, { ListenOverflows: 6, ListenDrops: 6 }, 'the first ACK and the 5 answers to resent SYN-ACKs all found the accept queue full');
  h.advanceTo(62_999);
  expectQueues(h, listener, 1, 2, 'the request still waits at 62.999 s');
  h.advanceTo(63_000);
  expectQueues(h, listener, 0, 2, 'after 5 retransmissions (tcp_synack_retries) the request is dropped silently at 63 s');
  h.expectNothingUntil(63_999, 'the request is dropped without a RST');
  h.send(64_000, { flags: 'P.', srcPort: 40002, seq: h.pSeq(1), ack: (c.seq + 1) >>> 0, payload: 'hello' });
  h.expectSegment(64_000, { flags: 'R', seq: (c.seq + 1) >>> 0, dstPort: 40002 }, 'the client\'s data reaches a listener that knows nothing of it: RST');
}));

labTest('abort=1: the overflowing ACK gets a RST at once and the request is dropped', { task: 3 }, (t) => withReferenceFor(OTHERS, () => {
  const { h, host, listener, c } = overflowSetup(t, ABORT);
  const before = counts(host);
  ackFrom(h, 40002, c, 10);
  h.expectSegment(10, { flags: 'R', seq: (c.seq + 1) >>> 0, dstPort: 40002 }, 'the host answers the ACK with <SEQ=SEG.ACK><CTL=RST> at 10 ms');
  expectQueues(h, listener, 0, 2, 'the request is dropped');
  expectAdded(h, before, { ListenOverflows: 1, ListenDrops: 1 }, 'the same counters as with abort = 0');
  h.expectNothingUntil(5_000, 'no SYN-ACK is resent: the request no longer exists');
}));

/**
 * A real client (a second stack host, 10 ms away) whose final ACK arrives after the scripted
 * peer has filled the accept queue: backlog 1, port 40000 connected at 0 ms; the client's SYN
 * reaches the server at 110 ms; port 40001 connects at 125 ms; the client's ACK arrives at 130 ms.
 */
function realClientOverflow(t: LabTestContext, sysctls: Record<string, number>) {
  const f = queueListener(t, 1, sysctls);
  const { h } = f;
  connectFrom(h, [40000]);
  const client = h.world.addHost('client', '10.0.0.3');
  h.world.network.setLink('client', 'host', { delay: 10 });
  const sock = client.api.socket();
  if (!sock.ok) h.fail('client socket() failed');
  const cfd = sock.ok ? sock.value : -1;
  h.advanceTo(100);
  const connect = h.act('client 10.0.0.3 (10 ms away): connect() to 10.0.0.2:80', () => client.api.connect(cfd, h.hostAddr, 80));
  h.advanceTo(120);
  h.check('the client\'s connect() returned at 120 ms, when the SYN-ACK arrived', () => (connect.done && connect.result?.ok && connect.doneAt === 120 ? null : `expected connect() to succeed at 120 ms, but it ${callState(connect)}`));
  h.advanceTo(125);
  connectFrom(h, [40001]);
  expectQueues(h, f.listener, 1, 2, 'port 40001 filled the accept queue at 125 ms, before the client\'s ACK (due at 130 ms)');
  return { ...f, client, cfd, connect };
}

labTest('what the client sees with abort=1: connect() succeeded, then its read() fails with ECONNRESET', { task: 3 }, (t) => withReferenceFor(OTHERS, () => {
  const { h, host, client, cfd } = realClientOverflow(t, ABORT);
  const read = h.act('client: read() — waits for the server\'s first bytes', () => client.api.read(cfd));
  h.advanceTo(139);
  h.check('read() still waits at 139 ms', () => (read.done ? `read() ${callState(read)} before the server's RST could arrive (sent at 130 ms, 10 ms away)` : null));
  h.advanceTo(140);
  h.check('read() fails with ECONNRESET at 140 ms', () => (read.done && !read.result!.ok && (read.result as { errno: string }).errno === 'ECONNRESET' && read.doneAt === 140 ? null
    : `the server answers the overflowing ACK at 130 ms with a RST, which reaches the ESTABLISHED client at 140 ms: its read() should fail with ECONNRESET then, but it ${callState(read)}`));
  h.check('nstat shows the overflow', () => (host.mib.get('ListenOverflows') === 1 ? null : `expected TcpExtListenOverflows 1, but it is ${host.mib.get('ListenOverflows')}`));
}));

labTest('what the client sees with abort=0: connected at once, served late', { task: 3, guard: true }, (t) => withReferenceFor(OTHERS, () => {
  const { h, host, fd } = realClientOverflow(t, {});
  h.advanceTo(500);
  const accepts = h.act(`server: accept(${fd}) three times at 500 ms — two return at once, the third waits for the client`, () => [0, 1, 2].map(() => host.api.accept(fd)));
  h.check('the client\'s ACK at 130 ms was dropped: only two connections were waiting', () => (accepts[0].done && accepts[1].done && !accepts[2].done ? null
    : `expected two accept() calls to return and the third to wait, but they ${accepts.map(callState).join(', ')}`));
  h.advanceTo(1_129);
  h.check('the client\'s connection is not yet accepted at 1129 ms', () => (accepts[2].done ? `the client's ACK at 130 ms was dropped, so the server has no connection for it yet, but accept() ${callState(accepts[2])}` : null));
  h.advanceTo(1_130);
  h.check('accept() returns the client at 1130 ms', () => (accepts[2].done && accepts[2].result?.ok && accepts[2].doneAt === 1_130 ? null
    : `the SYN-ACK is resent at 1110 ms (1 s after the first), reaches the client at 1120 ms, the client answers with an ACK that arrives at 1130 ms and finds room: accept() should return then, but it ${callState(accepts[2])}`));
}));
