/**
 * Visible tests of the queues lab: a plain check of each behaviour the tasks name, to run while
 * working. The graded hidden tests go further (every boundary, every counter, real clients).
 */
import { labTest } from '../kit/scoring.ts';
import { acceptQueueIsFull, admitSyn, effectiveBacklog, onAcceptQueueOverflow, synQueueIsFull } from '../../stack/core/tcp/listen-queues.ts';
import { connectFrom, counts, expectAdded, floodWarnings, queueListener, synFrom } from './support.ts';

labTest('effectiveBacklog: listen(fd, 128) keeps 128, listen(fd, 10000) is capped at somaxconn 4096', { task: 1 }, (t) => {
  const h = t.harness();
  for (const [backlog, want] of [[128, 128], [10000, 4096]] as const) {
    const got = h.act(`effectiveBacklog(${backlog}, 4096)`, () => effectiveBacklog(backlog, 4096));
    h.check(`effectiveBacklog(${backlog}, 4096) = ${want}`, () => (got === want ? null : `expected min(${backlog}, 4096) = ${want}, but got ${got}`));
  }
});

labTest('acceptQueueIsFull: with backlog 1, two waiting connections fill the accept queue', { task: 1 }, (t) => {
  const { h, listener } = queueListener(t, 1);
  t.reference(h, 'ports 40000 and 40001 complete handshakes', () => connectFrom(h, [40000, 40001]));
  const got = h.act('acceptQueueIsFull(listener with 2 waiting, backlog 1)', () => acceptQueueIsFull(listener));
  h.check('the accept queue is full', () => (got === true ? null : 'expected true: 2 > 1 (the queue holds backlog + 1)'));
});

labTest('admitSyn: a SYN to an empty listener gets a request sock', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 4);
  const before = counts(host);
  const got = h.act('admitSyn(host, listener, false)', () => admitSyn(host, listener, false));
  h.check("admitSyn returns 'request'", () => (got === 'request' ? null : `expected 'request' (both queues are empty), but got ${JSON.stringify(got)}`));
  expectAdded(h, before, {}, 'nothing overflowed');
});

labTest('onAcceptQueueOverflow: by default the overflowing ACK is dropped and counted', { task: 3 }, (t) => {
  const { h, host } = queueListener(t, 1);
  const before = counts(host);
  const got = h.act('onAcceptQueueOverflow(host)', () => onAcceptQueueOverflow(host));
  h.check("onAcceptQueueOverflow returns 'drop'", () => (got === 'drop' ? null : `expected 'drop' (net.ipv4.tcp_abort_on_overflow = 0), but got ${JSON.stringify(got)}`));
  expectAdded(h, before, { ListenOverflows: 1, ListenDrops: 1 }, 'an accept-queue overflow');
});

labTest('effectiveBacklog: a negative backlog means somaxconn (the comparison is unsigned)', { task: 1 }, (t) => {
  const h = t.harness();
  const got = h.act('effectiveBacklog(-1, 4096)', () => effectiveBacklog(-1, 4096));
  h.check('effectiveBacklog(-1, 4096) = 4096', () => (got === 4096 ? null : `expected 4096: (unsigned) -1 is 4294967295, far above somaxconn, so listen() gets somaxconn — but it returned ${got}`));
});

labTest('admitSyn: with cookies on (default), a SYN that finds the SYN queue full gets a cookie', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 1);
  t.reference(h, 'two SYNs arrive (2 requests = backlog + 1: the SYN queue is full)', () => [40000, 40001].forEach((p) => synFrom(h, p)));
  const before = counts(host);
  const got = h.act('admitSyn(host, listener, false)', () => admitSyn(host, listener, false));
  h.check('admitSyn says cookie', () => (got === 'cookie' ? null : `expected 'cookie' (the SYN queue holds 2 > backlog 1 and net.ipv4.tcp_syncookies = 1), but it returned ${JSON.stringify(got)}`));
  expectAdded(h, before, { TCPReqQFullDoCookies: 1 }, 'tcp_syn_flood_action counts a cookie answer');
});

labTest('onAcceptQueueOverflow: with tcp_abort_on_overflow = 1 the overflowing ACK is answered with a RST', { task: 3 }, (t) => {
  const { h, host } = queueListener(t, 1, { 'net.ipv4.tcp_abort_on_overflow': 1 });
  const before = counts(host);
  const got = h.act('onAcceptQueueOverflow(host)', () => onAcceptQueueOverflow(host));
  h.check('onAcceptQueueOverflow says reset', () => (got === 'reset' ? null : `expected 'reset' with net.ipv4.tcp_abort_on_overflow = 1, but it returned ${JSON.stringify(got)}`));
  expectAdded(h, before, { ListenOverflows: 1, ListenDrops: 1 }, 'the same counters as with the default');
});

labTest('synQueueIsFull: an empty SYN queue is not full; with backlog 2, three requests fill it', { task: 1 }, (t) => {
  const { h, listener } = queueListener(t, 2);
  const empty = h.act('synQueueIsFull(listener with no requests, backlog 2)', () => synQueueIsFull(listener));
  h.check('an empty SYN queue is not full', () => (empty === false ? null : `expected false: no request is waiting, but got ${JSON.stringify(empty)}`));
  t.reference(h, 'ports 40000, 40001 and 40002 send SYNs', () => [40000, 40001, 40002].forEach((p) => synFrom(h, p)));
  const full = h.act('synQueueIsFull(listener with 3 requests, backlog 2)', () => synQueueIsFull(listener));
  h.check('the SYN queue is full', () => (full === true ? null : `expected true: 3 requests > backlog 2 (the queue holds backlog + 1), but got ${JSON.stringify(full)}`));
});

labTest('admitSyn: the SYN-flood warning is logged once per listener, not for every SYN', { task: 2 }, (t) => {
  const { h, listener } = queueListener(t, 2);
  t.reference(h, 'ports 40000, 40001 and 40002 send SYNs (3 requests = backlog + 1: the SYN queue is full)', () => [40000, 40001, 40002].forEach((p) => synFrom(h, p)));
  for (let i = 1; i <= 3; i++) h.act(`admitSyn(host, listener, false) — SYN ${i} of the flood`, () => admitSyn(h.host, listener, false));
  h.check('the kernel log says "Possible SYN flooding on port 80. Sending cookies." once', () => {
    const w = floodWarnings(h);
    return w.length === 1 && w[0] === 'Possible SYN flooding on port 80. Sending cookies.' ? null
      : `expected exactly one log line "Possible SYN flooding on port 80. Sending cookies." (host.note, then remember it in listener.warnedSynFlood), but the log has ${w.length ? w.map((x) => JSON.stringify(x)).join(', ') : 'nothing'}`;
  });
});

labTest('admitSyn: with tcp_syncookies = 0, a SYN that finds the SYN queue full is dropped', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 2, { 'net.ipv4.tcp_syncookies': 0 });
  t.reference(h, 'ports 40000, 40001 and 40002 send SYNs (3 requests = backlog + 1: the SYN queue is full)', () => [40000, 40001, 40002].forEach((p) => synFrom(h, p)));
  const before = counts(host);
  const got = h.act('admitSyn(host, listener, false)', () => admitSyn(host, listener, false));
  h.check("admitSyn returns 'drop'", () => (got === 'drop' ? null : `expected 'drop' (the SYN queue is full and cookies are off: nothing to fall back on), but got ${JSON.stringify(got)}`));
  expectAdded(h, before, { TCPReqQFullDrop: 1, ListenDrops: 1 }, 'a SYN dropped because the SYN queue is full');
});

labTest('admitSyn: while the accept queue is full a SYN is dropped, even with cookies on', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 2);
  t.reference(h, 'ports 40000, 40001 and 40002 complete handshakes (3 connections = backlog + 1: the accept queue is full)', () => connectFrom(h, [40000, 40001, 40002]));
  const before = counts(host);
  const got = h.act('admitSyn(host, listener, false)', () => admitSyn(host, listener, false));
  h.check("admitSyn returns 'drop'", () => (got === 'drop' ? null : `expected 'drop' (no room for another connection: a cookie would not help), but got ${JSON.stringify(got)}`));
  expectAdded(h, before, { ListenOverflows: 1, ListenDrops: 1 }, 'a SYN dropped because the accept queue is full');
});

labTest('admitSyn: with tcp_syncookies = 2 even the first SYN gets a cookie, and nothing is logged', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 4, { 'net.ipv4.tcp_syncookies': 2 });
  const before = counts(host);
  const got = h.act('admitSyn(host, listener, false) on an empty listener', () => admitSyn(host, listener, false));
  h.check("admitSyn returns 'cookie'", () => (got === 'cookie' ? null : `expected 'cookie' (tcp_syncookies = 2 means always, not only when the SYN queue is full), but got ${JSON.stringify(got)}`));
  expectAdded(h, before, { TCPReqQFullDoCookies: 1 }, 'every cookie answer is counted');
  h.check('no SYN-flood warning', () => (floodWarnings(h).length === 0 ? null : `with tcp_syncookies = 2 the cookies are deliberate and Linux logs nothing, but the log has ${JSON.stringify(floodWarnings(h)[0])}`));
});

labTest('admitSyn: with cookies off, the last quarter of tcp_max_syn_backlog is kept back', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 64, { 'net.ipv4.tcp_syncookies': 0, 'net.ipv4.tcp_max_syn_backlog': 16 });
  t.reference(h, '13 peers send SYNs (13 requests: only 3 of tcp_max_syn_backlog = 16 left)', () => Array.from({ length: 13 }, (_, i) => 40000 + i).forEach((p) => synFrom(h, p)));
  const before = counts(host);
  const got = h.act('admitSyn(host, listener, false)', () => admitSyn(host, listener, false));
  h.check("admitSyn returns 'drop'", () => (got === 'drop' ? null
    : `expected 'drop': 16 − 13 = 3 slots left is fewer than 16 / 4 = 4, the quarter kept for proven peers (the SYN queue itself, backlog 64, has room) — but got ${JSON.stringify(got)}`));
  expectAdded(h, before, { ListenDrops: 1 }, 'this drop counts ListenDrops only (the SYN queue is not full)');
});

labTest('admitSyn: a SYN reopening a TIME_WAIT connection gets a request sock even when the SYN queue is full', { task: 2 }, (t) => {
  const { h, host, listener } = queueListener(t, 1);
  t.reference(h, 'ports 40000 and 40001 send SYNs (2 requests = backlog + 1: the SYN queue is full)', () => [40000, 40001].forEach((p) => synFrom(h, p)));
  const before = counts(host);
  const got = h.act('admitSyn(host, listener, true) — a SYN that took over a TIME_WAIT connection', () => admitSyn(host, listener, true));
  h.check("admitSyn returns 'request'", () => (got === 'request' ? null : `expected 'request' (Linux admits a TIME_WAIT reopen without the SYN-queue limit), but got ${JSON.stringify(got)}`));
  expectAdded(h, before, {}, 'the SYN-queue check did not run for a reopening SYN');
});
