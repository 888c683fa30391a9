/**
 * Visible tests of the handshake lab: run them with `npm run lab -- handshake`. They show the
 * shape of each task; the hidden tests (graded) check the same behaviours and their edge cases.
 */
import { labTest } from '../kit/scoring.ts';
import { chooseIss } from '../../stack/core/tcp/handshake.ts';
import { listen, synReceived, synSent } from '../../stack/testing/fixtures.ts';
import { expectCallResult, expectField, expectPending, expectSegmentsAt, expectState, expectSynQueue, linuxIsn } from './support.ts';

labTest('connect() sends a SYN whose sequence number is the RFC 6528 ISN', { task: 1 }, (t) => {
  const h = t.harness({ peerPort: 80 });
  const fd = h.act('socket()', () => h.host.api.socket());
  if (!fd.ok) return h.fail('socket() failed');
  h.act('bind(40000)', () => h.host.api.bind(fd.value, 0, 40000));
  h.act('connect() to peer:80', () => h.host.api.connect(fd.value, h.peerAddr, 80));
  h.expectSegment(0, { flags: 'S', seq: linuxIsn(h.host, h.hostAddr, 40000, h.peerAddr, 80) }, 'SYN with ISN = SipHash(4-tuple) + clock');
});

labTest('a SYN-ACK acknowledging ISN+1 makes the client ESTABLISHED and it sends the ACK', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 }, 'the third segment of the handshake');
  expectState(h, f.conn!, 'ESTABLISHED');
  expectCallResult(h, 'connect()', f.openCall!, 'ok', 10);
});

labTest('a SYN-ACK with an unacceptable ACK draws a RST', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S.', ack: h.hSeq(0) });
  h.expectSegment(10, { flags: 'R', rseq: 0 }, 'RST <SEQ=SEG.ACK>');
  expectState(h, f.conn!, 'SYN_SENT');
});

labTest('the server answers a SYN with a SYN-ACK acknowledging ISN+1', { task: 3 }, (t) => {
  const f = t.fixture('server listening on port 80', (o) => listen(o));
  const { h } = f;
  h.send(0, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(0, { flags: 'S.', rack: 1, options: [{ kind: 'mss', value: 1460 }] });
});

labTest('the final ACK completes the passive open and accept() returns', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h, host } = f;
  const accept = h.act('accept()', () => host.api.accept(f.listenFd!));
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  expectCallResult(h, 'accept()', accept, 'ok', 10);
  expectSynQueue(h, f.listenFd!, 0, 'the request became a connection');
});

labTest('the first SYN retransmissions come 1 s apart', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT; the peer never answers', (o) => synSent(o));
  expectSegmentsAt(f.h, [1000, 2000, 3000], { flags: 'S', rseq: 0 }, 3500, 'SYN retransmission');
});

labTest('the SYN-ACK is retransmitted after 1 s, then 2 s', { task: 4 }, (t) => {
  const f = t.fixture('server in SYN_RECV; the client never answers', (o) => synReceived(o));
  expectSegmentsAt(f.h, [1000, 3000], { flags: 'S.', rseq: 0, rack: 1 }, 5000, 'SYN-ACK retransmission');
});

labTest('ISS 4294967295: the SYN-ACK acknowledging 0 (ISS + 1 modulo 2^32) completes the handshake', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  t.reference(h, 'the client\'s ISS is set to 4294967295 (as if its SYN had carried it)', () => {
    const c = f.conn!;
    c.iss = 0xffffffff;
    c.sndUna = 0xffffffff;
    c.sndNxt = c.sndMax = 0;
    h.hostIss = 0xffffffff;
  });
  h.send(10, { flags: 'S.', ack: 0, options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: '.', seq: 0, rack: 1 }, 'the third segment: compare sequence numbers with seqLeq/seqGt, which work across 2^32');
  expectState(h, f.conn!, 'ESTABLISHED');
});

labTest('a final ACK of the server\'s ISN (not ISN+1) draws RST <SEQ=SEG.ACK>, and the request stays', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h } = f;
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(0) });
  h.expectSegment(10, { flags: 'R', rseq: 0 }, 'RST <SEQ=SEG.ACK> for an ACK of something never sent (tcp_check_req)');
  expectSynQueue(h, f.listenFd!, 1, 'a bad ACK does not end the request');
});

labTest('connect() gives up with ETIMEDOUT at 131 s', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT; the peer never answers', (o) => synSent(o));
  const { h } = f;
  h.advanceTo(131_000);
  h.discard();
  expectCallResult(h, 'connect()', f.openCall!, 'ETIMEDOUT', 131_000);
});

// ---------------------------------------------------------------------------------------------
// More of each task: one plain case per behaviour the task statement names.
// ---------------------------------------------------------------------------------------------

labTest('chooseIss: the same 4-tuple one second later gets an ISN larger by 15,625,000 (the 64 ns clock)', { task: 1 }, (t) => {
  const h = t.harness();
  const host = h.host;
  const first = h.act('chooseIss(10.0.0.2:40000 → 10.0.0.1:80) at 0 ms', () => chooseIss(host, h.hostAddr, 40000, h.peerAddr, 80));
  h.advanceTo(1000);
  const later = h.act('the same 4-tuple at 1000 ms', () => chooseIss(host, h.hostAddr, 40000, h.peerAddr, 80));
  h.check('the ISN grew by 1000 × 15625 = 15,625,000 (mod 2^32)', () => {
    const grew = (later - first) >>> 0;
    return grew === 15_625_000 ? null : `expected the ISN 1 s later to be larger by 15,625,000 (isnClock counts 64 ns ticks: 15,625 per ms), but it changed by ${grew} — is isnClock(host) part of your sum?`;
  });
});

labTest('after the SYN-ACK the TCB holds IRS, RCV.NXT, SND.UNA and the peer\'s window', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  const conn = f.conn!;
  h.send(10, { flags: 'S.', seq: 500_000, ack: h.hSeq(1), window: 20_000, options: [{ kind: 'mss', value: 1460 }] });
  h.discard();
  expectField(h, 'IRS', conn.irs, 500_000, 'the SYN-ACK\'s sequence number: the peer\'s ISN');
  expectField(h, 'RCV.NXT', conn.rcvNxt, 500_001, 'IRS + 1: the peer\'s SYN takes one sequence number');
  expectField(h, 'SND.UNA', conn.sndUna, h.hSeq(1), 'SEG.ACK = ISS + 1: our SYN is acknowledged');
  expectField(h, 'SND.WND', conn.sndWnd, 20_000, 'the window the SYN-ACK offered (never scaled in a SYN-ACK)');
  expectField(h, 'SND.WL1', conn.sndWl1, 500_000, 'SEG.SEQ of the segment that set the window');
  expectField(h, 'SND.WL2', conn.sndWl2, h.hSeq(1), 'SEG.ACK of the segment that set the window');
  expectField(h, 'the largest window seen (maxSndWnd)', conn.maxSndWnd, 20_000);
});

labTest('the peer\'s MSS option from the SYN-ACK sets the size of our segments', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1200 }] });
  h.discard();
  expectField(h, 'the send MSS', f.conn!.mss, 1200, 'min(the peer\'s MSS 1200, our 1460): readSynOptions and applySynOptions');
});

labTest('the handshake times the first RTT: a SYN-ACK after 20 ms gives the first data an RTO of 220 ms', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT, SYN sent at 0 ms', (o) => synSent(o));
  const { h } = f;
  h.send(20, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(20, { flags: '.', rseq: 1, rack: 1 });
  h.act('write 100 bytes', () => h.host.api.write(f.fd, 'q'.repeat(100)));
  h.expectSegment(20, { flags: 'P.', rseq: 1, len: 100 });
  h.expectNothingUntil(239, 'no retransmission before SRTT + max(4·RTTVAR, 200 ms) = 20 + 200 = 220 ms: call handshakeRtt with the SYN\'s send time');
  h.expectSegment(240, { flags: 'P.', rseq: 1, len: 100 }, 'the data is resent 220 ms after it was sent');
});

labTest('a RST that acknowledges our SYN refuses the connection: connect() fails with ECONNREFUSED', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(30, { flags: 'R.', seq: 0, ack: h.hSeq(1) });
  expectCallResult(h, 'connect()', f.openCall!, 'ECONNREFUSED', 30);
  h.expectNothingUntil(3000, 'nothing is sent after a refusal: no RST for a RST, no SYN retransmission');
});

labTest('after an unacceptable ACK Linux resends the SYN almost at once (2 ms later)', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(40, { flags: 'S.', ack: h.hSeq(3) });
  h.expectSegment(40, { flags: 'R', rseq: 3 }, 'RST <SEQ=SEG.ACK> for an ACK beyond SND.NXT');
  t.reference(h, 'the SYN retransmission timer (task 4) runs on the reference', () => {
    h.expectNothingUntil(41);
    h.expectSegment(42, { flags: 'S', rseq: 0 }, 'the SYN again at 42 ms: our SYN was not retransmitted yet, so onSegmentInSynSent returns \'reset-and-retry\'');
  });
});

labTest('simultaneous open: a bare SYN in SYN_SENT leads to SYN_RECV and a SYN-ACK from the same ISS', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(25, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(25, { flags: 'S.', rseq: 0, rack: 1 }, 'SYN-ACK <SEQ=ISS><ACK=peer ISN+1>: both sides opened at once (RFC 9293 Figure 7)');
  expectState(h, f.conn!, 'SYN_RECV');
  expectPending(h, 'connect()', f.openCall!);
});

labTest('the SYN-ACK\'s sequence number is the server\'s own RFC 6528 ISN, and it carries no data', { task: 3 }, (t) => {
  const f = t.fixture('server listening on port 80', (o) => listen(o));
  const { h } = f;
  h.send(0, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
  const want = linuxIsn(h.host, h.hostAddr, 80, h.peerAddr, h.peerPort);
  h.expectSegment(0, { flags: 'S.', seq: want, rack: 1, len: 0, test: (s) => (s.urgent === 0 ? null : `its urgent pointer was ${s.urgent}, not 0`) },
    `SYN-ACK with ISS = chooseIss for the server's 4-tuple (local 80, remote ${h.peerPort}) = ${want}, no payload`);
});

labTest('a retransmitted SYN (same sequence number) makes the server resend its SYN-ACK at once', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV: SYN received and SYN-ACK sent at 0 ms', (o) => synReceived(o));
  const { h } = f;
  h.send(700, { flags: 'S', seq: h.pSeq(0), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(700, { flags: 'S.', rseq: 0, rack: 1 }, 'the same SYN again means our SYN-ACK was probably lost: \'resend-synack\'');
  expectSynQueue(h, f.listenFd!, 1, 'still the one request');
});

labTest('a segment far outside the window gets an ACK and completes nothing', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h } = f;
  h.send(10, { flags: '.', seq: h.pSeq(500_000), ack: h.hSeq(1) });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 }, '\'ack\': re-state <SEQ=ISS+1><ACK=IRS+1> to the peer');
  expectSynQueue(h, f.listenFd!, 1, 'an out-of-window segment is no final ACK');
});

labTest('a RST in the window removes the request, silently', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h } = f;
  h.send(10, { flags: 'R', seq: h.pSeq(1), ack: 0 });
  h.expectNothingUntil(200, 'never answer a RST');
  expectSynQueue(h, f.listenFd!, 0, '\'embryonic-reset\': the client gave up on this connection');
});

labTest('a segment without ACK is dropped; the request still completes with the real final ACK', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h, host } = f;
  h.send(10, { flags: 'P', seq: h.pSeq(1), ack: 0, payload: 'hi' });
  h.expectNothingUntil(100, '\'drop\': a segment without ACK cannot complete the handshake');
  expectSynQueue(h, f.listenFd!, 1, 'the request waits');
  const accept = h.act('accept()', () => host.api.accept(f.listenFd!));
  h.send(150, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  expectCallResult(h, 'accept()', accept, 'ok', 150);
});

labTest('older kernels (tcp_syn_linear_timeouts = 0): the SYN RTO doubles from the start — SYNs at 1, 3 and 7 s', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT with tcp_syn_linear_timeouts = 0', (o) => synSent({ ...o, sysctls: { 'net.ipv4.tcp_syn_linear_timeouts': 0 } }));
  expectSegmentsAt(f.h, [1000, 3000, 7000], { flags: 'S', rseq: 0 }, 14_000, 'SYN retransmission');
});

labTest('TCP_SYNCNT = 3 wins over tcp_syn_retries: SYNs up to 11 s, ETIMEDOUT at 19 s', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT with TCP_SYNCNT 3', (o) => synSent({ ...o, beforeOpen: (host, fd) => void host.api.setsockopt(fd, 'TCP_SYNCNT', 3) }));
  const { h } = f;
  expectSegmentsAt(h, [1000, 2000, 3000, 4000, 5000, 7000, 11_000], { flags: 'S', rseq: 0 }, 18_999, 'SYN retransmission');
  expectPending(h, 'connect()', f.openCall!);
  h.advanceTo(19_000);
  expectCallResult(h, 'connect()', f.openCall!, 'ETIMEDOUT', 19_000);
});

labTest('TCP_USER_TIMEOUT = 4500 ms: SYNs at 0–4 s, then connect() gives up at 4.5 s', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT with TCP_USER_TIMEOUT 4500 ms', (o) => synSent({ ...o, beforeOpen: (host, fd) => void host.api.setsockopt(fd, 'TCP_USER_TIMEOUT', 4500) }));
  const { h } = f;
  expectSegmentsAt(h, [1000, 2000, 3000, 4000], { flags: 'S', rseq: 0 }, 4499, 'SYN retransmission');
  h.advanceTo(4500);
  expectCallResult(h, 'connect()', f.openCall!, 'ETIMEDOUT', 4500);
});

labTest('the SYN-ACK backoff is capped at tcp_rto_max_ms (2000): SYN-ACKs at 1, 3 and 5 s', { task: 4 }, (t) => {
  const f = t.fixture('server in SYN_RECV with net.ipv4.tcp_rto_max_ms = 2000', (o) => synReceived({ ...o, sysctls: { 'net.ipv4.tcp_rto_max_ms': 2000 } }));
  expectSegmentsAt(f.h, [1000, 3000, 5000], { flags: 'S.', rseq: 0, rack: 1 }, 6500, 'SYN-ACK retransmission');
});
