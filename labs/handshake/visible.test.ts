/**
 * Visible tests of the handshake lab: run them with `npm run lab -- handshake`. They show the
 * shape of each task; the hidden tests (graded) check the same behaviours and their edge cases.
 */
import { labTest } from '../kit/scoring.ts';
import { listen, synReceived, synSent } from '../../stack/testing/fixtures.ts';
import { expectCallResult, expectSegmentsAt, expectState, expectSynQueue, linuxIsn } from './support.ts';

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
