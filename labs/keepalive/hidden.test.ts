/**
 * Hidden tests of the keepalive lab (graded). Every test starts from an idle ESTABLISHED
 * connection placed by the reference code (stack/testing placed fixture: host ISS 5000, peer ISS
 * 1000, nothing received since t=0, SRTT 10 ms ⇒ RTO 210 ms); the test then switches keepalive
 * on through setsockopt, as an application does. Timings are Linux v6.18's
 * (/work/shared/reference/tcp-facts.md §1, §3.1): probes after tcp_keepalive_time = 7200 s of
 * receiving nothing, every tcp_keepalive_intvl = 75 s, RST and ETIMEDOUT after
 * tcp_keepalive_probes = 9 unanswered probes (7875 s); TCP_KEEPIDLE/KEEPINTVL/KEEPCNT override
 * per socket; TCP_USER_TIMEOUT replaces the count (dead once idle ≥ it with a probe out).
 */
import { labTest } from '../kit/scoring.ts';
import type { LabTestContext } from '../kit/context.ts';
import { keepaliveInterval, keepaliveProbes, keepaliveTime, sendKeepaliveProbe } from '../../stack/core/tcp/keepalive.ts';
import { placeConnection, type PlacedOptions } from '../../stack/testing/placed.ts';
import type { StateFixture } from '../../stack/testing/fixtures.ts';
import { every, expectGiveUp, expectMib, expectProbesAt, expectQuietUntil, expectReadError, keepaliveDue, keepaliveOn, looksLikeProbe, secs } from './support.ts';

type Idle = StateFixture & { conn: NonNullable<StateFixture['conn']> };

function idle(t: LabTestContext, text = 'an idle ESTABLISHED connection; nothing received since t=0', opts: Omit<PlacedOptions, 'seed'> = {}): Idle {
  return t.fixture(text, (o) => placeConnection('ESTABLISHED', { ...opts, ...o })) as Idle;
}

// ---------------------------------------------------------------------------------------------
// Task 1 — the three knobs
// ---------------------------------------------------------------------------------------------

labTest('SO_KEEPALIVE arms the timer for tcp_keepalive_time = 7200 s', { task: 1 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd);
  const due = keepaliveDue(h, conn);
  h.check(`the keepalive timer is due at ${secs(7_200_000)}`, () =>
    due === 7_200_000 ? null : `expected the keepalive timer to be set for ${secs(7_200_000)} (tcp_keepalive_time = 7200 s, in seconds: the stack counts milliseconds), but it was set for ${due === null ? 'no time at all' : secs(due)}`);
});

labTest('TCP_KEEPIDLE overrides tcp_keepalive_time for this socket', { task: 1 }, (t) => {
  const { h, conn, fd } = idle(t, 'an idle ESTABLISHED connection; net.ipv4.tcp_keepalive_time = 1800', { sysctls: { 'net.ipv4.tcp_keepalive_time': 1800 } });
  keepaliveOn(h, fd, { idle: 60 });
  const due = keepaliveDue(h, conn);
  h.check(`the keepalive timer is due at ${secs(60_000)}`, () =>
    due === 60_000 ? null : `expected the keepalive timer to be set for ${secs(60_000)} (TCP_KEEPIDLE = 60 s beats the sysctl's 1800 s), but it was set for ${due === null ? 'no time at all' : secs(due)}`);
});

labTest('without TCP_KEEPIDLE the sysctl decides: tcp_keepalive_time = 1800 ⇒ 1800 s', { task: 1 }, (t) => {
  const { h, conn, fd } = idle(t, 'an idle ESTABLISHED connection; net.ipv4.tcp_keepalive_time = 1800', { sysctls: { 'net.ipv4.tcp_keepalive_time': 1800 } });
  keepaliveOn(h, fd);
  const due = keepaliveDue(h, conn);
  h.check(`the keepalive timer is due at ${secs(1_800_000)}`, () =>
    due === 1_800_000 ? null : `expected the keepalive timer to be set for ${secs(1_800_000)} (no TCP_KEEPIDLE: tcp_keepalive_time = 1800 s applies), but it was set for ${due === null ? 'no time at all' : secs(due)}`);
});

labTest('keepaliveTime(conn) in ms: TCP_KEEPIDLE if set (non-zero), else the sysctl, read each time', { task: 1 }, (t) => {
  const { h, conn } = idle(t);
  const cases: Array<[string, number, number, number]> = [
    ['defaults', 0, 7200, 7_200_000],
    ['TCP_KEEPIDLE = 1', 1, 7200, 1000],
    ['TCP_KEEPIDLE = 32767', 32767, 7200, 32_767_000],
    ['tcp_keepalive_time = 600, no TCP_KEEPIDLE', 0, 600, 600_000],
    ['TCP_KEEPIDLE = 45, tcp_keepalive_time = 600', 45, 600, 45_000],
  ];
  for (const [what, opt, sysctl, want] of cases) {
    conn.opts.keepIdle = opt;
    h.host.sysctl.set('net.ipv4.tcp_keepalive_time', sysctl);
    const got = h.act(`keepaliveTime(conn) with ${what}`, () => keepaliveTime(conn));
    h.check(`keepaliveTime = ${want} ms with ${what}`, () => (got === want ? null : `expected keepaliveTime(conn) to be ${want} ms with ${what}, but it returned ${got}`));
  }
});

labTest('keepaliveInterval(conn) in ms: TCP_KEEPINTVL if set, else tcp_keepalive_intvl (75 s)', { task: 1 }, (t) => {
  const { h, conn } = idle(t);
  const cases: Array<[string, number, number, number]> = [
    ['defaults', 0, 75, 75_000],
    ['TCP_KEEPINTVL = 10', 10, 75, 10_000],
    ['tcp_keepalive_intvl = 30, no TCP_KEEPINTVL', 0, 30, 30_000],
    ['TCP_KEEPINTVL = 2, tcp_keepalive_intvl = 30', 2, 30, 2000],
  ];
  for (const [what, opt, sysctl, want] of cases) {
    conn.opts.keepIntvl = opt;
    h.host.sysctl.set('net.ipv4.tcp_keepalive_intvl', sysctl);
    const got = h.act(`keepaliveInterval(conn) with ${what}`, () => keepaliveInterval(conn));
    h.check(`keepaliveInterval = ${want} ms with ${what}`, () => (got === want ? null : `expected keepaliveInterval(conn) to be ${want} ms with ${what}, but it returned ${got}`));
  }
});

labTest('keepaliveProbes(conn): TCP_KEEPCNT if set, else tcp_keepalive_probes (9) — a count, not a time', { task: 1 }, (t) => {
  const { h, conn } = idle(t);
  const cases: Array<[string, number, number, number]> = [
    ['defaults', 0, 9, 9],
    ['TCP_KEEPCNT = 3', 3, 9, 3],
    ['tcp_keepalive_probes = 5, no TCP_KEEPCNT', 0, 5, 5],
    ['TCP_KEEPCNT = 127, tcp_keepalive_probes = 5', 127, 5, 127],
  ];
  for (const [what, opt, sysctl, want] of cases) {
    conn.opts.keepCnt = opt;
    h.host.sysctl.set('net.ipv4.tcp_keepalive_probes', sysctl);
    const got = h.act(`keepaliveProbes(conn) with ${what}`, () => keepaliveProbes(conn));
    h.check(`keepaliveProbes = ${want} with ${what}`, () => (got === want ? null : `expected keepaliveProbes(conn) to be ${want} with ${what}, but it returned ${got}`));
  }
});

labTest('TCP_KEEPIDLE set after SO_KEEPALIVE counts from the last segment received', { task: 1 }, (t) => {
  const { h, conn, fd } = idle(t);
  h.send(100_000, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.advanceTo(150_000);
  keepaliveOn(h, fd, { idle: 120 });
  const due = keepaliveDue(h, conn);
  h.check(`the keepalive timer is due at ${secs(220_000)}`, () =>
    due === 220_000 ? null : `expected the keepalive timer to be due at ${secs(220_000)} (TCP_KEEPIDLE = 120 s after the last segment received at ${secs(100_000)}), but it was set for ${due === null ? 'no time at all' : secs(due)}`);
});

// ---------------------------------------------------------------------------------------------
// Task 2 — the probe
// ---------------------------------------------------------------------------------------------

labTest('a probe is a bare ACK with SEQ = SND.UNA − 1, ACK = RCV.NXT and no data', { task: 2 }, (t) => {
  const { h, conn } = idle(t);
  h.advanceTo(1000);
  h.act('the keepalive timer sends a probe: sendKeepaliveProbe(conn)', () => sendKeepaliveProbe(conn));
  h.expectSegment(1000, { flags: '.', seq: 5000, rack: 1, len: 0, options: 'none' }, 'the probe: <SEQ=SND.UNA−1 = 5000><ACK=RCV.NXT = 1001><CTL=ACK>, one below what the peer expects, so it must answer');
  expectMib(h, 'TCPKeepAlive', 1, 'one probe sent');
  h.expectNothingUntil(10_000, 'a probe is sent once; the timer decides about the next one');
});

labTest('the probe follows the exchange: after 100 bytes each way it is seq ISS+100, ack peer ISS+101', { task: 2 }, (t) => {
  const { h, conn, fd } = idle(t);
  h.act(`write(${fd}, 100 bytes)`, () => h.host.api.write(fd, 'q'.repeat(100)));
  h.expectSegment(0, { flags: 'P.', rseq: 1, len: 100 });
  h.send(10, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(101), payload: 'a'.repeat(100) });
  h.discard();
  h.advanceTo(5000);
  h.act('sendKeepaliveProbe(conn)', () => sendKeepaliveProbe(conn));
  h.expectSegment(5000, { flags: '.', rseq: 100, rack: 101, len: 0 }, 'the probe: SND.UNA − 1 = ISS+100, RCV.NXT = peer ISS+101');
});

labTest('the probe takes SND.UNA − 1, not SND.NXT − 1, when data is in flight (tcp_xmit_probe_skb)', { task: 2 }, (t) => {
  const { h, conn, fd } = idle(t);
  h.advanceTo(100);
  h.act(`write(${fd}, 100 bytes)`, () => h.host.api.write(fd, 'q'.repeat(100)));
  h.expectSegment(100, { flags: 'P.', rseq: 1, len: 100 });
  h.act('sendKeepaliveProbe(conn) with 100 bytes unacknowledged', () => sendKeepaliveProbe(conn));
  h.expectSegment(100, { flags: '.', rseq: 0, rack: 1, len: 0 }, 'SEQ = SND.UNA − 1 = ISS+0: a byte the peer has certainly acknowledged');
  h.check('SND.NXT and SND.UNA are unchanged by the probe', () =>
    conn.sndNxt === h.hSeq(101) && conn.sndUna === h.hSeq(1) ? null : `a probe must not move the send sequence: expected SND.UNA = ISS+1 and SND.NXT = ISS+101, but they are ISS+${(conn.sndUna - h.hSeq(0)) >>> 0} and ISS+${(conn.sndNxt - h.hSeq(0)) >>> 0}`);
});

labTest('each probe is counted (nstat TcpExtTCPKeepAlive)', { task: 2 }, (t) => {
  const { h, conn } = idle(t);
  h.advanceTo(1000);
  h.act('sendKeepaliveProbe(conn)', () => sendKeepaliveProbe(conn));
  h.advanceTo(2000);
  h.act('sendKeepaliveProbe(conn) again', () => sendKeepaliveProbe(conn));
  h.discard();
  expectMib(h, 'TCPKeepAlive', 2, 'two probes');
});

labTest('SND.UNA = 0: the probe\'s sequence number wraps to 2^32 − 1', { task: 2 }, (t) => {
  const { h, conn } = idle(t, 'an idle ESTABLISHED connection whose ISS is 2^32 − 1 (SND.UNA = 0)', { hostIss: 0xffffffff });
  h.advanceTo(1000);
  h.act('sendKeepaliveProbe(conn)', () => sendKeepaliveProbe(conn));
  h.expectSegment(1000, { flags: '.', seq: 0xffffffff, rack: 1, len: 0 }, 'SND.UNA − 1 modulo 2^32');
  h.check('SND.UNA still 0', () => (conn.sndUna === 0 ? null : `the probe moved SND.UNA to ${conn.sndUna}`));
});

// ---------------------------------------------------------------------------------------------
// Task 3 — the timer: wait, probe, or give up
// ---------------------------------------------------------------------------------------------

labTest('a dead peer with the defaults: 9 probes from 7200 s, 75 s apart, then RST and ETIMEDOUT at 7875 s', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  const r = h.act(`read(${fd}) (blocks: the peer is silent)`, () => h.host.api.read(fd));
  keepaliveOn(h, fd);
  expectProbesAt(h, conn, every(7_200_000, 75_000, 9), 0, 1, 'tcp_keepalive_time = 7200 s of silence, then tcp_keepalive_intvl = 75 s apart');
  expectGiveUp(h, conn, 7_875_000, 1, 1, '9 probes unanswered: 7200 + 9 × 75 = 7875 s');
  expectReadError(h, r, 'ETIMEDOUT', 7_875_000);
  h.expectNothingUntil(9_000_000, 'nothing after the RST');
});

labTest('FIN_WAIT_2 after shutdown(SHUT_WR) is still probed, also when SND.NXT wrapped past 2^32 behind our FIN', { task: 3 }, (t) => {
  const f = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR): host ISS 2^32 − 2, so our FIN sat at 2^32 − 1 and SND.NXT = SND.UNA = 0; nothing received since t=0', (o) =>
    placeConnection('FIN_WAIT_2', { ...o, orphan: false, hostIss: 0xfffffffe })) as Idle;
  const { h, conn, fd } = f;
  keepaliveOn(h, fd);
  // tcp_keepalive_timer probes every state but CLOSE and SYN_SENT; nothing is in flight or
  // unsent: the send queue begins at the FIN's number, one before SND.NXT in sequence space.
  expectProbesAt(h, conn, [7_200_000], 1, 1,
    'the FIN is acknowledged, so nothing is in flight: SND.NXT − (start of the send queue) is 0 − (2^32 − 1) ≡ 1 as a signed 32-bit difference (seqSub), not −4294967295');
});

labTest('per-socket knobs: TCP_KEEPIDLE 60, TCP_KEEPINTVL 10, TCP_KEEPCNT 5 ⇒ probes at 60–100 s, dead at 110 s', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 60, intvl: 10, cnt: 5 });
  expectProbesAt(h, conn, every(60_000, 10_000, 5), 0, 1, 'TCP_KEEPIDLE = 60 s, then TCP_KEEPINTVL = 10 s apart');
  expectGiveUp(h, conn, 110_000, 1, 1, '60 + 5 × 10 = 110 s');
  h.check('the socket reports ETIMEDOUT', () => {
    const e = h.host.api.getsockopt(fd, 'SO_ERROR');
    return e.ok && e.value === 110 ? null : `expected getsockopt(SO_ERROR) to return ETIMEDOUT (110), but it returned ${e.ok ? JSON.stringify(e.value) : e.errno}`;
  });
});

labTest('sysctls: tcp_keepalive_time = 600 ⇒ dead at 600 + 9 × 75 = 1275 s', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t, 'an idle ESTABLISHED connection; net.ipv4.tcp_keepalive_time = 600', { sysctls: { 'net.ipv4.tcp_keepalive_time': 600 } });
  keepaliveOn(h, fd);
  expectProbesAt(h, conn, every(600_000, 75_000, 9), 0, 1, 'tcp_keepalive_time = 600 s');
  expectGiveUp(h, conn, 1_275_000, 1, 1, '600 + 9 × 75 = 1275 s');
});

labTest('sysctls: tcp_keepalive_probes = 3 ⇒ probes at 7200, 7275, 7350 s, dead at 7425 s', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t, 'an idle ESTABLISHED connection; net.ipv4.tcp_keepalive_probes = 3', { sysctls: { 'net.ipv4.tcp_keepalive_probes': 3 } });
  keepaliveOn(h, fd);
  expectProbesAt(h, conn, every(7_200_000, 75_000, 3), 0, 1, 'tcp_keepalive_time = 7200 s');
  expectGiveUp(h, conn, 7_425_000, 1, 1, '3 probes unanswered: 7200 + 3 × 75 = 7425 s');
});

labTest('TCP_KEEPCNT = 1: one unanswered probe, then RST one interval later', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 30, intvl: 5, cnt: 1 });
  expectProbesAt(h, conn, [30_000], 0, 1, 'TCP_KEEPIDLE = 30 s');
  expectGiveUp(h, conn, 35_000, 1, 1, 'TCP_KEEPCNT = 1: 30 + 1 × 5 = 35 s');
});

labTest('the knobs are read at every timer: a new TCP_KEEPINTVL applies from the next re-arm', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 60, intvl: 10, cnt: 4 });
  expectProbesAt(h, conn, [60_000, 70_000], 0, 1, 'TCP_KEEPIDLE = 60 s, TCP_KEEPINTVL = 10 s');
  h.advanceTo(75_000);
  h.act(`setsockopt(${fd}, TCP_KEEPINTVL, 25)`, () => h.host.api.setsockopt(fd, 'TCP_KEEPINTVL', 25));
  expectQuietUntil(h, conn, 79_999, 'probe 3 was already due at 80 s when the interval changed');
  h.expectSegment(80_000, { flags: '.', rseq: 0, rack: 1, len: 0 }, 'probe 3 at 80 s');
  expectQuietUntil(h, conn, 104_999, 'after probe 3 the timer is re-armed with the new TCP_KEEPINTVL = 25 s');
  h.expectSegment(105_000, { flags: '.', rseq: 0, rack: 1, len: 0 }, 'probe 4, 25 s after probe 3');
  expectGiveUp(h, conn, 130_000, 1, 1, '4 probes unanswered, the last interval 25 s');
});

labTest('a sysctl changed while probing applies to a socket without its own value', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 60 });
  expectProbesAt(h, conn, [60_000], 0, 1, 'TCP_KEEPIDLE = 60 s');
  h.advanceTo(61_000);
  h.act('sysctl net.ipv4.tcp_keepalive_intvl = 5; net.ipv4.tcp_keepalive_probes = 2', () => {
    h.host.sysctl.set('net.ipv4.tcp_keepalive_intvl', 5);
    h.host.sysctl.set('net.ipv4.tcp_keepalive_probes', 2);
  });
  h.expectSegment(135_000, { flags: '.', rseq: 0, rack: 1, len: 0 }, 'probe 2 was armed with the old 75 s interval');
  expectGiveUp(h, conn, 140_000, 1, 1, 'the new sysctls: 2 probes, then one 5 s interval');
});

labTest('an answered probe resets the count and the idle clock: the next probe waits a full idle time', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 100, intvl: 10, cnt: 3 });
  expectProbesAt(h, conn, [100_000, 110_000], 0, 1, 'TCP_KEEPIDLE = 100 s, TCP_KEEPINTVL = 10 s');
  h.send(110_010, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  expectProbesAt(h, conn, every(210_010, 10_000, 3), 0, 1, 'the peer answered at t=110.010 s, so the count starts again from 0 after 100 s of silence from then');
  expectGiveUp(h, conn, 240_010, 1, 1, 'the count restarted at 0 after the answer: 3 fresh probes, 210.01 + 3 × 10 s');
});

labTest('a live peer is probed once per idle period, forever', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 50, intvl: 10, cnt: 2 });
  for (const at of [50_000, 100_020, 150_040]) {
    expectProbesAt(h, conn, [at], 0, 1, 'one probe per 50 s of silence: the peer answered the previous one 20 ms after it');
    h.send(at + 20, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  }
  expectQuietUntil(h, conn, 200_059, 'the peer answered at t=150.060 s');
  h.expectSegment(200_060, { flags: '.', rseq: 0, rack: 1, len: 0 });
  h.check('still ESTABLISHED', () => (conn.state === 'ESTABLISHED' && !conn.closed ? null : `expected a peer that answers every probe to keep the connection open, but it is ${conn.closed ? 'closed' : conn.state}`));
});

labTest('data received before the first probe postpones it: idle counts from the last segment received', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd);
  h.send(3_000_000, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'ping' });
  h.expectSegment(3_000_000, { flags: '.', rseq: 1, rack: 5 }, 'the data is ACKed');
  expectQuietUntil(h, conn, 10_199_999, 'the connection has been idle only since t=3000.000 s, when data arrived: the first probe waits 7200 s from then');
  h.expectSegment(10_200_000, { flags: '.', rseq: 0, rack: 5, len: 0 }, 'the first probe 7200 s after the data, at 10200 s');
});

labTest('a segment exactly at the idle limit: the probe goes out when idle = keepalive time, not later', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 20, intvl: 5 });
  h.send(7_000, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  expectQuietUntil(h, conn, 26_999, 'an ACK arrived at t=7.000 s, so at 20 s the connection had been idle only 13 s: the timer sleeps for the 7 s missing');
  h.expectSegment(27_000, { flags: '.', rseq: 0, rack: 1, len: 0 }, 'the probe at 27 s: idle since 7 s, for exactly TCP_KEEPIDLE = 20 s');
  expectQuietUntil(h, conn, 31_999, 'the next probe is one TCP_KEEPINTVL (5 s) after the first');
  h.expectSegment(32_000, { flags: '.', rseq: 0, rack: 1, len: 0 }, 'the next probe one TCP_KEEPINTVL (5 s) later');
});

labTest('no probes while data is unacknowledged; after the ACK, idle counts from it', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 10, intvl: 30, cnt: 2 });
  h.act(`write(${fd}, 100 bytes) — the peer does not acknowledge`, () => h.host.api.write(fd, 'r'.repeat(100)));
  h.advanceTo(12_000);
  const sent = h.discard();
  const probes = sent.filter((c) => c.seg && looksLikeProbe(conn, c.seg));
  h.check('only retransmissions went out before 12 s, no keepalive probe', () =>
    probes.length === 0 && h.host.mib.get('TCPKeepAlive') === 0
      ? null
      : `expected no keepalive probe while 100 bytes were unacknowledged (the retransmission timer watches the peer then), but ${h.host.mib.get('TCPKeepAlive')} were sent, the first at ${secs(probes[0]?.t ?? NaN)}`);
  h.send(12_000, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(101) });
  expectQuietUntil(h, conn, 21_999, 'the timer that fired at 10 s with data in flight comes back after TCP_KEEPIDLE (not TCP_KEEPINTVL = 30 s), at 20 s, finds 8 s of idleness since the ACK at 12 s, and sleeps 2 s more');
  h.expectSegment(22_000, { flags: '.', rseq: 100, rack: 1, len: 0 }, 'the first probe 10 s after the ACK at 12 s');
  expectQuietUntil(h, conn, 51_999, 'the next probe is one TCP_KEEPINTVL (30 s) later');
  h.expectSegment(52_000, { flags: '.', rseq: 100, rack: 1, len: 0 });
});

labTest('unsent data (the peer\'s window is 0) also keeps keepalive away: the persist timer probes instead', { task: 3, guard: true }, (t) => {
  const { h, conn, fd } = idle(t, 'an idle ESTABLISHED connection; the peer advertised a zero window', { peerWindow: 0 });
  keepaliveOn(h, fd, { idle: 10, intvl: 3, cnt: 2 });
  h.act(`write(${fd}, 1 byte) — nothing can be sent`, () => h.host.api.write(fd, 'z'));
  h.advanceTo(60_000);
  h.discard();
  expectMib(h, 'TCPKeepAlive', 0, 'the write queue is not empty: tcp_keepalive_timer leaves the connection to the zero-window probes');
  h.check('still ESTABLISHED', () => (conn.state === 'ESTABLISHED' && !conn.closed ? null : `expected the connection to stay open (keepalive must not count zero-window probes), but it is ${conn.closed ? 'closed' : conn.state}`));
});

labTest('TCP_USER_TIMEOUT replaces the count: idle 60 s, interval 10 s, user timeout 30 s ⇒ dead at 70 s', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 60, intvl: 10, cnt: 5, userTimeout: 30_000 });
  expectProbesAt(h, conn, [60_000], 0, 1, 'TCP_KEEPIDLE = 60 s; idle ≥ the 30 s user timeout already, but no probe is out yet');
  expectGiveUp(h, conn, 70_000, 1, 1, 'idle 70 s ≥ TCP_USER_TIMEOUT 30 s with a probe unanswered');
});

labTest('TCP_USER_TIMEOUT exactly reached at a timer: idle = user timeout is enough', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 60, intvl: 10, userTimeout: 70_000 });
  expectProbesAt(h, conn, [60_000], 0, 1, 'TCP_KEEPIDLE = 60 s');
  expectGiveUp(h, conn, 70_000, 1, 1, 'idle 70 000 ms ≥ TCP_USER_TIMEOUT 70 000 ms');
});

labTest('TCP_USER_TIMEOUT longer than the count: probes continue until the user timeout', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  keepaliveOn(h, fd, { idle: 60, intvl: 10, cnt: 1, userTimeout: 100_000 });
  expectProbesAt(h, conn, every(60_000, 10_000, 4), 0, 1, 'TCP_KEEPIDLE = 60 s, TCP_KEEPINTVL = 10 s');
  expectGiveUp(h, conn, 100_000, 1, 1, 'TCP_KEEPCNT = 1 would have given up at 70 s; TCP_USER_TIMEOUT = 100 s replaces it');
});

labTest('a rebooted peer answers the probe with RST: ECONNRESET at once, not ETIMEDOUT', { task: 3 }, (t) => {
  const { h, conn, fd } = idle(t);
  const r = h.act(`read(${fd}) (blocks)`, () => h.host.api.read(fd));
  keepaliveOn(h, fd, { idle: 600 });
  const probe = h.expectSegment(600_000, { flags: '.', rseq: 0, rack: 1, len: 0 }, 'the first probe');
  h.send(600_010, { flags: 'R', seq: probe.ack, ack: 0 });
  expectReadError(h, r, 'ECONNRESET', 600_010);
  h.check('the connection is closed', () => (conn.closed ? null : `expected the RST to close the connection, but it is in ${conn.state}`));
  h.expectNothingUntil(1_000_000, 'no more probes, no RST of our own');
});
