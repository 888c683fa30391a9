/**
 * Visible tests of the queues lab: a few friendly checks to run while working. The graded hidden
 * tests go further (every boundary, every counter, both tcp_abort_on_overflow values, real clients).
 */
import { labTest } from '../kit/scoring.ts';
import { acceptQueueIsFull, admitSyn, effectiveBacklog, onAcceptQueueOverflow } from '../../stack/core/tcp/listen-queues.ts';
import { connectFrom, counts, expectAdded, queueListener, synFrom } from './support.ts';

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
