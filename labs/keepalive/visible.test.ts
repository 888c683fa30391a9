/**
 * Visible tests of the keepalive lab: a check for each family of behaviour of each task, shown to the learner with
 * every step. The hidden tests check the same behaviours with exact Linux timings and edge cases.
 */
import { labTest } from '../kit/scoring.ts';
import { keepaliveTime, sendKeepaliveProbe } from '../../stack/core/tcp/keepalive.ts';
import { placeConnection } from '../../stack/testing/placed.ts';
import { every, expectGiveUp, expectMib, expectProbesAt, keepaliveOn } from './support.ts';

labTest('with the defaults, the first probe waits 7200 s (tcp_keepalive_time)', { task: 1 }, (t) => {
  const { h, conn } = t.fixture('an idle ESTABLISHED connection', (o) => placeConnection('ESTABLISHED', o));
  const got = h.act('keepaliveTime(conn)', () => keepaliveTime(conn!));
  h.check('keepaliveTime(conn) = 7 200 000 ms', () => (got === 7_200_000 ? null : `expected keepaliveTime(conn) to be 7200 s = 7 200 000 ms, but it returned ${got}`));
});

labTest('a probe is an ACK one below SND.UNA, with no data', { task: 2 }, (t) => {
  const { h, conn } = t.fixture('an idle ESTABLISHED connection (host ISS 5000, peer ISS 1000)', (o) => placeConnection('ESTABLISHED', o));
  h.advanceTo(1000);
  h.act('sendKeepaliveProbe(conn)', () => sendKeepaliveProbe(conn!));
  h.expectSegment(1000, { flags: '.', rseq: 0, rack: 1, len: 0 }, 'the probe: seq ISS (= SND.UNA − 1), ack peer ISS+1');
  expectMib(h, 'TCPKeepAlive', 1, 'Linux counts every probe it sends');
});

labTest('a silent peer: probes at 60, 70, 80 s, then RST at 90 s (TCP_KEEPIDLE 60, TCP_KEEPINTVL 10, TCP_KEEPCNT 3)', { task: 3 }, (t) => {
  const { h, conn, fd } = t.fixture('an idle ESTABLISHED connection', (o) => placeConnection('ESTABLISHED', o));
  keepaliveOn(h, fd, { idle: 60, intvl: 10, cnt: 3 });
  expectProbesAt(h, conn!, every(60_000, 10_000, 3), 0, 1, 'TCP_KEEPIDLE = 60 s of silence, then TCP_KEEPINTVL = 10 s apart');
  expectGiveUp(h, conn!, 90_000, 1, 1, '60 + 3 × 10 = 90 s');
});

labTest('TCP_KEEPIDLE set on the socket wins over tcp_keepalive_time (the sysctl is 1800 s here)', { task: 1 }, (t) => {
  const { h, conn, fd } = t.fixture('an idle ESTABLISHED connection, net.ipv4.tcp_keepalive_time = 1800', (o) => placeConnection('ESTABLISHED', { ...o, sysctls: { 'net.ipv4.tcp_keepalive_time': 1800 } }));
  keepaliveOn(h, fd, { idle: 60 });
  const got = h.act('keepaliveTime(conn)', () => keepaliveTime(conn!));
  h.check('keepaliveTime(conn) = 60 000 ms', () => (got === 60_000 ? null : `expected keepaliveTime(conn) to be TCP_KEEPIDLE 60 s = 60 000 ms (the socket option wins over the sysctl), but it returned ${got}`));
});

labTest('SND.UNA = 0: the probe\'s sequence number wraps to 2^32 − 1', { task: 2 }, (t) => {
  const { h, conn } = t.fixture('an idle ESTABLISHED connection whose ISS is 2^32 − 1 (SND.UNA = 0)', (o) => placeConnection('ESTABLISHED', { ...o, hostIss: 0xffffffff }));
  h.advanceTo(1000);
  h.act('sendKeepaliveProbe(conn)', () => sendKeepaliveProbe(conn!));
  h.expectSegment(1000, { flags: '.', seq: 0xffffffff, rack: 1, len: 0 }, 'SND.UNA − 1 modulo 2^32');
});

labTest('TCP_USER_TIMEOUT replaces the probe count: idle 60 s, interval 10 s, user timeout 30 s ⇒ dead at 70 s', { task: 3 }, (t) => {
  const { h, conn, fd } = t.fixture('an idle ESTABLISHED connection', (o) => placeConnection('ESTABLISHED', o));
  keepaliveOn(h, fd, { idle: 60, intvl: 10, cnt: 5, userTimeout: 30_000 });
  expectProbesAt(h, conn!, [60_000], 0, 1, 'TCP_KEEPIDLE = 60 s; idle ≥ the 30 s user timeout already, but no probe is out yet');
  expectGiveUp(h, conn!, 70_000, 1, 1, 'idle 70 s ≥ TCP_USER_TIMEOUT 30 s with a probe unanswered');
});
