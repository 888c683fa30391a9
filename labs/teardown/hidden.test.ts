/**
 * Hidden tests of the teardown lab (graded). Every test starts from a connection placed in the
 * state under test by the reference code (stack/testing placed fixtures: host ISS 5000, peer ISS
 * 1000, host port 40000, peer port 80, SRTT 10 ms ⇒ RTO 210 ms; SYN_RECV from the driven
 * simultaneous-open fixture), so no test depends on the learner's handshake. Entering TIME_WAIT
 * and orphaning a FIN_WAIT_2 socket are handed to the learner's enterTimeWait / finWait2Orphaned
 * directly (support.ts), so tasks 3 and 4 do not wait on tasks 1 and 2 (checked by
 * labs/tests/task-isolation.test.ts). Timings are Linux v6.18's (tcp-facts.md): TIME_WAIT is
 * TCP_TIMEWAIT_LEN = 60 s, restarted by a segment with ACK; an orphaned FIN_WAIT_2 lasts
 * tcp_fin_timeout = 60 s (TCP_LINGER2, at least 3.5 RTO); the ACK of the FIN that leads to
 * CLOSE_WAIT is delayed 40 ms once the connection has received data, and leaves at once before
 * that (Linux's delayed-ACK timeout, ato, is 0 until the first data; measured on 6.18).
 */
import { labTest } from '../kit/scoring.ts';
import type { LabTestContext } from '../kit/context.ts';
import type { TcpState } from '../../stack/core/tcp/connection.ts';
import type { TcpOption, TcpSegment } from '../../stack/core/wire/segment.ts';
import { closeTransition, finTime, onFin } from '../../stack/core/tcp/teardown.ts';
import { placeConnection, type PlacedOptions, type PlacedState } from '../../stack/testing/placed.ts';
import { synReceived } from '../../stack/testing/fixtures.ts';
import type { StateFixture } from '../../stack/testing/fixtures.ts';
import { ackOfFinAsOnAckOfFin, closeInFinWait2, closedAt, enterTimeWaitAsOnFin, expectClosed, expectLastsUntil, expectMib, expectRead, expectState, secs, statePath, timeWaitWithListener } from './support.ts';

/** A connection placed in `state` by the reference code; `text` says how it got there. */
function placed(t: LabTestContext, state: PlacedState, text: string, opts: Omit<PlacedOptions, 'seed'> = {}): StateFixture & { conn: NonNullable<StateFixture['conn']> } {
  const f = t.fixture(text, (o) => placeConnection(state, { ...opts, ...o }));
  return f as StateFixture & { conn: NonNullable<StateFixture['conn']> };
}

// ---------------------------------------------------------------------------------------------
// Task 1 — close(): a FIN, or a RST when data would be lost
// ---------------------------------------------------------------------------------------------

labTest('close() in ESTABLISHED sends a FIN at once and waits in FIN_WAIT_1', { task: 1 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.advanceTo(500);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(500, { flags: 'F.', rseq: 1, rack: 1, len: 0 }, 'the FIN: <SEQ=SND.NXT = ISS+1><ACK=RCV.NXT = peer ISS+1><CTL=FIN,ACK>');
  expectState(h, conn, 'FIN_WAIT_1', 'our FIN is sent and not yet acknowledged');
  h.expectNothingUntil(709, 'nothing more until the FIN\'s retransmission timer (RTO 210 ms) fires');
  h.expectSegment(710, { flags: 'F.', rseq: 1, rack: 1 }, 'the unacknowledged FIN is retransmitted one RTO later, like data');
});

labTest('close() in CLOSE_WAIT sends our FIN and waits in LAST_ACK', { task: 1 }, (t) => {
  const f = placed(t, 'CLOSE_WAIT', 'CLOSE_WAIT: the peer\'s FIN was received and acknowledged');
  const { h, conn, fd } = f;
  h.advanceTo(300);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(300, { flags: 'F.', rseq: 1, rack: 2 }, 'our FIN, acknowledging the peer\'s FIN (peer ISS+2)');
  expectState(h, conn, 'LAST_ACK', 'the passive closer waits for the ACK of its FIN');
});

labTest('close() in SYN_SENT ends the attempt: no FIN, no more SYNs, the connection is gone', { task: 1 }, (t) => {
  const f = placed(t, 'SYN_SENT', 'SYN_SENT: our SYN went out at 0 ms and is unanswered');
  const { h, conn, fd } = f;
  h.advanceTo(300);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  expectClosed(h, conn, 'a connection that never opened owes the peer no FIN');
  h.expectNothingUntil(10_000, 'no FIN and no SYN retransmission (the one due at 1000 ms) after close()');
});

labTest('close() in SYN_RECV (a simultaneous open) sends a FIN and waits in FIN_WAIT_1', { task: 1 }, (t) => {
  const f = t.fixture('simultaneous open: our SYN crossed the peer\'s SYN; we are in SYN_RECV', (o) => synReceived({ ...o, role: 'client' }));
  const { h, fd } = f;
  const conn = f.conn!;
  h.advanceTo(50);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(50, { flags: 'F.', rseq: 1, rack: 1 }, 'a FIN right behind our SYN-ACK (Linux tcp_close_state: SYN_RECV → FIN_WAIT_1 with a FIN)');
  expectState(h, conn, 'FIN_WAIT_1');
});

labTest('close() after shutdown(SHUT_WR) in FIN_WAIT_1 keeps the state and sends no second FIN', { task: 1, guard: true }, (t) => {
  const f = placed(t, 'FIN_WAIT_1', 'FIN_WAIT_1 after shutdown(SHUT_WR): our FIN went out at 0 ms', { orphan: false });
  const { h, conn, fd } = f;
  h.advanceTo(100);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  expectState(h, conn, 'FIN_WAIT_1', 'the FIN is already out: close() only orphans the socket');
  h.expectNothingUntil(209, 'no new FIN: the one sent at 0 ms is still in flight');
  h.expectSegment(210, { flags: 'F.', rseq: 1 }, 'only the retransmission of the first FIN, at its RTO');
});

labTest('close() after shutdown(SHUT_WR) in FIN_WAIT_2 starts the orphan timeout: freed 60 s later', { task: 1 }, (t) => {
  const f = placed(t, 'FIN_WAIT_2', 'FIN_WAIT_2 after shutdown(SHUT_WR): our FIN was acknowledged; no timeout runs', { orphan: false });
  const { h, conn, fd } = f;
  h.advanceTo(2000);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  expectState(h, conn, 'FIN_WAIT_2', 'close() in FIN_WAIT_2 sends nothing');
  expectLastsUntil(h, conn, 'FIN_WAIT_2', 62_000, 'the orphaned FIN_WAIT_2 (tcp_fin_timeout = 60 s from close() at t=2.000 s)');
});

labTest('where close() leads from every state (Linux\'s new_state table)', { task: 1 }, (t) => {
  const h = t.harness();
  const table: Array<[TcpState, TcpState, boolean, string]> = [
    ['ESTABLISHED', 'FIN_WAIT_1', true, 'we are done sending'],
    ['SYN_RECV', 'FIN_WAIT_1', true, 'the peer already believes the connection open'],
    ['CLOSE_WAIT', 'LAST_ACK', true, 'the peer closed first'],
    ['FIN_WAIT_1', 'FIN_WAIT_1', false, 'our FIN is already out'],
    ['FIN_WAIT_2', 'FIN_WAIT_2', false, 'our FIN is already acknowledged'],
    ['CLOSING', 'CLOSING', false, 'both FINs are out'],
    ['LAST_ACK', 'LAST_ACK', false, 'our FIN is already out'],
    ['SYN_SENT', 'CLOSED', false, 'the connection never existed'],
    ['LISTEN', 'CLOSED', false, 'nothing to close gracefully'],
    ['TIME_WAIT', 'CLOSED', false, 'TIME_WAIT belongs to the kernel'],
    ['CLOSED', 'CLOSED', false, 'nothing to do'],
  ];
  for (const [from, next, fin, why] of table) {
    const got = h.act(`closeTransition('${from}')`, () => closeTransition(from));
    h.check(`close() in ${from} → ${next}${fin ? ' with a FIN' : ', no FIN'}`, () =>
      got && got.next === next && got.sendFin === fin
        ? null
        : `expected close() in ${from} to lead to ${next} ${fin ? 'and send a FIN' : 'without sending a FIN'} (${why}), but closeTransition returned { next: ${got?.next}, sendFin: ${got?.sendFin} }`);
  }
});

labTest('close() with unread data sends RST instead of FIN and skips TIME_WAIT (RFC 2525 §2.17)', { task: 1 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.send(100, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'x' });
  h.discard();
  h.advanceTo(200);
  h.act(`close(${fd}) without reading the 1 byte that arrived`, () => h.host.api.close(fd));
  h.expectSegment(200, { flags: 'R.', rseq: 1, rack: 2 }, 'a RST: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, never a FIN, when data would be thrown away');
  expectClosed(h, conn, 'an aborted connection goes straight to CLOSED: no FIN_WAIT, no TIME_WAIT');
  expectMib(h, 'TCPAbortOnClose', 1, 'close() with unread data');
  expectMib(h, 'TCPAbortOnData', 0, 'the unread-data rule comes first');
  h.expectNothingUntil(120_000, 'nothing after the RST');
});

labTest('close() after reading everything sends a normal FIN', { task: 1 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.send(100, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'hello' });
  h.discard();
  const r = h.act(`read(${fd})`, () => h.host.api.read(fd));
  h.check('read() returned the 5 bytes', () => (r.done && r.result?.ok && r.result.value.length === 5 ? null : 'test setup: read() did not return the 5 bytes'));
  h.advanceTo(200);
  h.act(`close(${fd}) with nothing left unread`, () => h.host.api.close(fd));
  h.expectSegment(200, { flags: 'F.', rseq: 1, rack: 6 }, 'a FIN acknowledging the 5 bytes: nothing was lost, so no RST');
  expectState(h, conn, 'FIN_WAIT_1');
  expectMib(h, 'TCPAbortOnClose', 0, 'nothing was unread');
});

labTest('SO_LINGER {on, 0 s}: close() aborts with RST from ESTABLISHED, no TIME_WAIT', { task: 1 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.act(`setsockopt(${fd}, SO_LINGER, {onoff=1, linger=0})`, () => h.host.api.setsockopt(fd, 'SO_LINGER', { onoff: true, linger: 0 }));
  h.advanceTo(400);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(400, { flags: 'R.', rseq: 1, rack: 1 }, 'tcp_disconnect: RST <SEQ=SND.NXT><ACK=RCV.NXT>');
  expectClosed(h, conn, 'an abortive close skips FIN_WAIT and TIME_WAIT');
  expectMib(h, 'TCPAbortOnData', 1, 'Linux counts a SO_LINGER 0 abort here');
  h.expectNothingUntil(120_000, 'nothing after the RST');
});

labTest('SO_LINGER {on, 5 s} is not an abort: close() sends a FIN', { task: 1 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.act(`setsockopt(${fd}, SO_LINGER, {onoff=1, linger=5})`, () => h.host.api.setsockopt(fd, 'SO_LINGER', { onoff: true, linger: 5 }));
  h.advanceTo(400);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(400, { flags: 'F.', rseq: 1, rack: 1 }, 'a graceful FIN: only a zero linger time aborts');
  expectState(h, conn, 'FIN_WAIT_1');
  expectMib(h, 'TCPAbortOnData', 0, 'no abort');
});

labTest('SO_LINGER {off, 0 s} is the default behaviour: close() sends a FIN', { task: 1 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.act(`setsockopt(${fd}, SO_LINGER, {onoff=0, linger=0})`, () => h.host.api.setsockopt(fd, 'SO_LINGER', { onoff: false, linger: 0 }));
  h.advanceTo(400);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(400, { flags: 'F.', rseq: 1, rack: 1 }, 'a graceful FIN: linger is switched off');
  expectState(h, conn, 'FIN_WAIT_1');
});

labTest('SO_LINGER {on, 0 s} in CLOSE_WAIT: RST instead of the FIN', { task: 1 }, (t) => {
  const f = placed(t, 'CLOSE_WAIT', 'CLOSE_WAIT: the peer\'s FIN was received and acknowledged');
  const { h, conn, fd } = f;
  h.act(`setsockopt(${fd}, SO_LINGER, {onoff=1, linger=0})`, () => h.host.api.setsockopt(fd, 'SO_LINGER', { onoff: true, linger: 0 }));
  h.advanceTo(400);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(400, { flags: 'R.', rseq: 1, rack: 2 }, 'RST <SEQ=SND.NXT><ACK=RCV.NXT = peer ISS+2>');
  expectClosed(h, conn, 'no LAST_ACK after an abort');
});

labTest('SO_LINGER {on, 0 s} in SYN_SENT: the attempt just ends, no RST for a connection that never existed', { task: 1 }, (t) => {
  const f = placed(t, 'SYN_SENT', 'SYN_SENT: our SYN went out at 0 ms', { sockopts: { linger: { onoff: true, linger: 0 } } });
  const { h, conn, fd } = f;
  h.advanceTo(300);
  h.act(`close(${fd}) with SO_LINGER {on, 0}`, () => h.host.api.close(fd));
  expectClosed(h, conn);
  expectMib(h, 'TCPAbortOnData', 1, '__tcp_close counts every SO_LINGER 0 close');
  h.expectNothingUntil(10_000, 'no RST (the peer never answered: tcp_need_reset is false in SYN_SENT) and no SYN retransmission');
});

labTest('SO_LINGER {on, 0 s} in CLOSING (after shutdown): no RST — the peer has already closed too', { task: 1 }, (t) => {
  const f = placed(t, 'CLOSING', 'CLOSING after shutdown(SHUT_WR): FINs crossed, ours unacknowledged', { orphan: false, sockopts: { linger: { onoff: true, linger: 0 } } });
  const { h, conn, fd } = f;
  h.advanceTo(100);
  h.act(`close(${fd}) with SO_LINGER {on, 0}`, () => h.host.api.close(fd));
  expectClosed(h, conn, 'an abortive close ends the connection at once');
  expectMib(h, 'TCPAbortOnData', 1, 'the abort is counted');
  h.expectNothingUntil(10_000, 'no RST (tcp_need_reset: only ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, FIN_WAIT_2 and SYN_RECV get one) and no FIN retransmission');
});

labTest('SO_LINGER {on, 0 s} after shutdown(SHUT_WR): RST from FIN_WAIT_1 and from FIN_WAIT_2', { task: 1 }, (t) => {
  const linger0 = { linger: { onoff: true, linger: 0 } };
  const a = placed(t, 'FIN_WAIT_1', 'FIN_WAIT_1 after shutdown(SHUT_WR), SO_LINGER {on, 0}', { orphan: false, sockopts: linger0 });
  a.h.advanceTo(100);
  a.h.act(`close(${a.fd})`, () => a.h.host.api.close(a.fd));
  a.h.expectSegment(100, { flags: 'R.', rseq: 2, rack: 1 }, 'tcp_need_reset(FIN_WAIT_1): the peer still believes the connection open — RST <SEQ=SND.NXT = ISS+2>');
  expectClosed(a.h, a.conn);
  const b = placed(t, 'FIN_WAIT_2', 'FIN_WAIT_2 after shutdown(SHUT_WR), SO_LINGER {on, 0}', { orphan: false, sockopts: linger0 });
  b.h.advanceTo(100);
  b.h.act(`close(${b.fd})`, () => b.h.host.api.close(b.fd));
  b.h.expectSegment(100, { flags: 'R.', rseq: 2, rack: 1 }, 'tcp_need_reset(FIN_WAIT_2): RST instead of an orphan timeout');
  expectClosed(b.h, b.conn, 'no FIN_WAIT_2 wait after an abortive close');
  b.h.expectNothingUntil(100_000);
});

labTest('SO_LINGER {on, 0 s} in SYN_RECV (a simultaneous open): RST', { task: 1 }, (t) => {
  const f = t.fixture('simultaneous open: our SYN crossed the peer\'s SYN; we are in SYN_RECV', (o) => synReceived({ ...o, role: 'client' }));
  const { h, fd } = f;
  const conn = f.conn!;
  h.act(`setsockopt(${fd}, SO_LINGER, {onoff=1, linger=0})`, () => h.host.api.setsockopt(fd, 'SO_LINGER', { onoff: true, linger: 0 }));
  h.advanceTo(50);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(50, { flags: 'R.', rseq: 1, rack: 1 }, 'tcp_need_reset(SYN_RECV): the peer has our SYN-ACK and may believe the connection open');
  expectClosed(h, conn);
});

labTest('SO_LINGER {on, 0 s} in LAST_ACK (after shutdown): no RST — the peer has closed and our FIN is out', { task: 1 }, (t) => {
  const f = placed(t, 'CLOSE_WAIT', 'CLOSE_WAIT: the peer\'s FIN was received and acknowledged', { sockopts: { linger: { onoff: true, linger: 0 } } });
  const { h, conn, fd } = f;
  t.reference(h, `shutdown(${fd}, SHUT_WR): our FIN, LAST_ACK`, () => h.host.api.shutdown(fd, 'SHUT_WR'));
  h.expectSegment(0, { flags: 'F.', rseq: 1, rack: 2 });
  h.advanceTo(100);
  h.act(`close(${fd}) with SO_LINGER {on, 0}`, () => h.host.api.close(fd));
  expectClosed(h, conn);
  expectMib(h, 'TCPAbortOnData', 1, 'the abort is counted');
  h.expectNothingUntil(10_000, 'no RST from LAST_ACK (tcp_need_reset is false there) and no FIN retransmission');
});

labTest('unread data and SO_LINGER 0 together: the unread-data rule decides (TCPAbortOnClose)', { task: 1 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection', { sockopts: { linger: { onoff: true, linger: 0 } } });
  const { h, conn, fd } = f;
  h.send(100, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'abc' });
  h.discard();
  h.advanceTo(150);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(150, { flags: 'R.', rseq: 1, rack: 4 });
  expectClosed(h, conn);
  expectMib(h, 'TCPAbortOnClose', 1, 'close() with unread data is checked first (__tcp_close)');
  expectMib(h, 'TCPAbortOnData', 0, 'the SO_LINGER branch is never reached');
});

labTest('the FIN follows data still in flight: its sequence number is one past the last byte', { task: 1 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.advanceTo(100);
  h.act(`write(${fd}, 100 bytes)`, () => h.host.api.write(fd, 'd'.repeat(100)));
  h.expectSegment(100, { flags: 'P.', rseq: 1, len: 100 });
  h.advanceTo(105);
  h.act(`close(${fd}) before the data is acknowledged`, () => h.host.api.close(fd));
  h.expectSegment(105, { flags: 'F.', rseq: 101, rack: 1, len: 0 }, 'the FIN at ISS+101, after the 100 data bytes');
  expectState(h, conn, 'FIN_WAIT_1');
});

// ---------------------------------------------------------------------------------------------
// Task 2 — the ACK of our FIN and the peer's FIN
// ---------------------------------------------------------------------------------------------

labTest('the peer\'s FIN after a request: CLOSE_WAIT, read() returns 0, the ACK is delayed 40 ms', { task: 2 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.send(900, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'request' });
  h.expectSegment(900, { flags: '.', rseq: 1, rack: 8 }, 'the first data is ACKed at once (quickack mode)');
  const data = h.act(`read(${fd}) takes the 7 bytes`, () => h.host.api.read(fd));
  h.check('read() returned the 7 bytes', () => (data.done && data.result?.ok && data.result.value.length === 7 ? null : 'expected read() to return the 7 bytes of the request'));
  const r = h.act(`read(${fd}) (blocks: nothing more to read yet)`, () => h.host.api.read(fd));
  h.send(1000, { flags: 'F.', seq: h.pSeq(8), ack: h.hSeq(1) });
  expectState(h, conn, 'CLOSE_WAIT', 'the peer has closed its direction; we wait for our application');
  expectRead(h, 'the blocked read()', r, 'eof');
  h.expectNothingUntil(1039, 'Linux (tcp_fin) schedules the ACK instead of sending it at once');
  h.expectSegment(1040, { flags: '.', rseq: 1, rack: 9 }, 'the delayed ACK 40 ms later acknowledges the FIN: peer ISS+9, after 7 bytes a FIN takes one more sequence number');
});

labTest('a FIN on a connection that never received data: CLOSE_WAIT, and the ACK leaves at once', { task: 2 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection that has received no data');
  const { h, conn, fd } = f;
  h.send(1000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(1) });
  expectState(h, conn, 'CLOSE_WAIT', 'the peer has closed its direction; we wait for our application');
  h.expectSegment(1000, { flags: '.', rseq: 1, rack: 2 }, 'the ACK of the FIN, at once: peer ISS+2, a FIN takes one sequence number (the delayed-ACK timeout is 0 until data arrives, so the scheduled ACK does not wait — measured on Linux 6.18)');
  const r = h.act(`read(${fd})`, () => h.host.api.read(fd));
  expectRead(h, 'read()', r, 'eof');
});

labTest('after data, a FIN still gets a delayed ACK: tcp_fin switches to ping-pong mode', { task: 2 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn } = f;
  h.send(100, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: '0123456789' });
  h.expectSegment(100, { flags: '.', rseq: 1, rack: 11 }, 'the first data is ACKed at once (quickack mode)');
  h.send(200, { flags: 'F.', seq: h.pSeq(11), ack: h.hSeq(1) });
  expectState(h, conn, 'CLOSE_WAIT');
  h.expectNothingUntil(239, 'the FIN\'s ACK waits, even in quickack mode: conn.pingpong turns quick ACKs off');
  h.expectSegment(240, { flags: '.', rseq: 1, rack: 12 }, 'the delayed ACK of the FIN, 40 ms later');
});

labTest('CLOSE_WAIT has no timer: three hours later it still waits for close(), which then sends the FIN', { task: 2 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.send(1000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.expectSegment(1000, { flags: '.', rseq: 1, rack: 2 }, 'the ACK of the FIN (at once: no data has been received)');
  h.expectNothingUntil(10_800_000, 'nothing for three hours: only our application can end CLOSE_WAIT');
  expectState(h, conn, 'CLOSE_WAIT', 'neither RFC 9293 nor Linux puts a timer on CLOSE_WAIT');
  t.reference(h, `close(${fd}) at last`, () => h.host.api.close(fd));
  h.expectSegment(10_800_000, { flags: 'F.', rseq: 1, rack: 2 }, 'our FIN, acknowledging the peer\'s');
  expectState(h, conn, 'LAST_ACK');
});

labTest('the three-segment teardown: after data, an application that closes within 40 ms sends a FIN that carries the ACK', { task: 2 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.send(900, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'request' });
  h.expectSegment(900, { flags: '.', rseq: 1, rack: 8 }, 'the first data is ACKed at once (quickack mode)');
  h.act(`read(${fd}) takes the 7 bytes, so close() will not find unread data`, () => h.host.api.read(fd));
  h.send(1000, { flags: 'F.', seq: h.pSeq(8), ack: h.hSeq(1) });
  h.expectNothingUntil(1020, 'the ACK of the FIN is delayed');
  t.reference(h, `close(${fd}) 20 ms after the FIN`, () => h.host.api.close(fd));
  h.expectSegment(1020, { flags: 'F.', rseq: 1, rack: 9 }, 'our FIN acknowledges the peer\'s FIN');
  expectState(h, conn, 'LAST_ACK');
  h.expectNothingUntil(1100, 'no separate ACK at 1040 ms: the FIN carried it (FIN, FIN+ACK, ACK)');
});

labTest('the ACK of our FIN in FIN_WAIT_1 (after shutdown) leads to FIN_WAIT_2, which never times out', { task: 2 }, (t) => {
  const f = placed(t, 'FIN_WAIT_1', 'FIN_WAIT_1 after shutdown(SHUT_WR): our FIN went out at 0 ms', { orphan: false });
  const { h, conn, fd } = f;
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  expectState(h, conn, 'FIN_WAIT_2', 'our FIN is acknowledged; we wait for the peer\'s');
  h.expectNothingUntil(3_600_000, 'nothing sent: no FIN retransmission, no ACK for an ACK');
  expectState(h, conn, 'FIN_WAIT_2', 'a FIN_WAIT_2 socket the application still holds has no timeout — only an orphan gets tcp_fin_timeout');
  h.send(3_600_000, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(2), payload: 'late' });
  h.expectSegment(3_600_000, { flags: '.', rseq: 2, rack: 5 }, 'a half-closed socket still receives: the 4 bytes are ACKed');
  const r = h.act(`read(${fd})`, () => h.host.api.read(fd));
  h.check('read() returns the 4 bytes', () => (r.done && r.result?.ok && r.result.value.length === 4 ? null : 'expected read() to return the 4 bytes the peer sent after our FIN'));
});

labTest('the ACK of our FIN in an orphaned FIN_WAIT_1 leads to FIN_WAIT_2 with the tcp_fin_timeout (60 s)', { task: 2 }, (t) => {
  const f = placed(t, 'FIN_WAIT_1', 'FIN_WAIT_1 after close(): our FIN went out at 0 ms, the socket is orphaned');
  const { h, conn } = f;
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  expectState(h, conn, 'FIN_WAIT_2');
  expectLastsUntil(h, conn, 'FIN_WAIT_2', 60_010, 'the orphaned FIN_WAIT_2 (tcp_fin_timeout = 60 s from the ACK at t=0.010 s)');
});

labTest('crossed FINs: the peer\'s FIN in FIN_WAIT_1 is ACKed at once and leads to CLOSING', { task: 2 }, (t) => {
  const f = placed(t, 'FIN_WAIT_1', 'FIN_WAIT_1 after close(): our FIN went out at 0 ms');
  const { h, conn } = f;
  h.send(100, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.expectSegment(100, { flags: '.', rseq: 2, rack: 2 }, 'an immediate ACK of the peer\'s FIN: <SEQ=ISS+2><ACK=peer ISS+2>');
  expectState(h, conn, 'CLOSING', 'both FINs are out and ours is not yet acknowledged');
  h.expectNothingUntil(209);
  h.expectSegment(210, { flags: 'F.', rseq: 1, rack: 2 }, 'our FIN is still unacknowledged, so it is retransmitted at its RTO');
});

labTest('the ACK of our FIN in CLOSING leads to TIME_WAIT, silently', { task: 2 }, (t) => {
  const f = placed(t, 'CLOSING', 'CLOSING: FINs crossed; ours is unacknowledged');
  const { h, conn } = f;
  h.send(100, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
  expectState(h, conn, 'TIME_WAIT', 'RFC 9293 step 5: in CLOSING, the ACK of our FIN means TIME_WAIT');
  h.expectNothingUntil(5000, 'nothing to answer: an ACK is not acknowledged, and our FIN is no longer retransmitted');
});

labTest('the ACK of our FIN in LAST_ACK ends the connection: CLOSED, gone from the table', { task: 2 }, (t) => {
  const f = placed(t, 'LAST_ACK', 'LAST_ACK: the peer closed first, our FIN went out at 0 ms');
  const { h, conn } = f;
  h.send(10, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
  expectClosed(h, conn, 'the passive closer never enters TIME_WAIT');
  h.expectNothingUntil(5000, 'nothing sent, no FIN retransmission');
  h.send(5000, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
  h.expectSegment(5000, { flags: 'R', seq: h.hSeq(2) }, 'the 4-tuple is free: a stray ACK now meets no connection and draws <SEQ=SEG.ACK><CTL=RST>');
});

labTest('the peer\'s FIN in FIN_WAIT_2 is ACKed at once and leads to TIME_WAIT', { task: 2 }, (t) => {
  const f = placed(t, 'FIN_WAIT_2', 'FIN_WAIT_2 after shutdown(SHUT_WR): our FIN is acknowledged', { orphan: false });
  const { h, conn } = f;
  h.send(1000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(1000, { flags: '.', rseq: 2, rack: 2 }, 'the last ACK of the connection: <SEQ=ISS+2><ACK=peer ISS+2>');
  expectState(h, conn, 'TIME_WAIT', 'the active closer ends in TIME_WAIT');
});

labTest('FIN and the ACK of our FIN in one segment: FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT, never CLOSING', { task: 2 }, (t) => {
  const f = placed(t, 'FIN_WAIT_1', 'FIN_WAIT_1 after shutdown(SHUT_WR): our FIN went out at 0 ms', { orphan: false });
  const { h, conn } = f;
  h.send(10, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(10, { flags: '.', rseq: 2, rack: 2 }, 'the ACK of the peer\'s FIN');
  expectState(h, conn, 'TIME_WAIT');
  const path = statePath(h, conn, 10);
  h.check('the states passed were FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT', () =>
    path.join(' → ') === 'FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT' ? null : `expected FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT (the ACK is processed before the FIN: step 5, then step 8), but the connection went ${path.join(' → ')}`);
});

labTest('RCV.NXT moves past the FIN and read() sees the end of stream', { task: 2 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection');
  const { h, conn, fd } = f;
  h.send(100, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.check('RCV.NXT = peer ISS + 2', () => (conn.rcvNxt === h.pSeq(2) ? null : `expected RCV.NXT to be peer ISS+2 = ${h.pSeq(2)} (the FIN takes one sequence number), but it is ${conn.rcvNxt}`));
  const r = h.act(`read(${fd})`, () => h.host.api.read(fd));
  expectRead(h, 'read()', r, 'eof');
  h.send(200, { flags: 'R', seq: h.pSeq(1) });
  expectClosed(h, conn, 'after the FIN, a RST at RCV.NXT − 1 is exact too (tcp_reset_check) — this needs the FIN to be recorded');
});

labTest('a FIN at the top of the sequence space: RCV.NXT wraps to 0 (mod 2^32)', { task: 2 }, (t) => {
  const f = placed(t, 'ESTABLISHED', 'an idle ESTABLISHED connection whose peer ISS is 2^32 − 2 (RCV.NXT = 2^32 − 1)', { peerIss: 0xfffffffe });
  const { h, conn } = f;
  h.send(100, { flags: 'F.', seq: 0xffffffff, ack: h.hSeq(1) });
  h.check('RCV.NXT = 0', () => (conn.rcvNxt === 0 ? null : `expected RCV.NXT to wrap to 0 (2^32 − 1 + 1, modulo 2^32: keep it with >>> 0), but it is ${conn.rcvNxt}`));
  h.expectSegment(100, { flags: '.', rseq: 1, ack: 0 }, 'the ACK of the FIN acknowledges 0 (at once: no data has been received)');
});

labTest('RFC 9293 step 8: a FIN processed in SYN-RECEIVED also leads to CLOSE_WAIT', { task: 2 }, (t) => {
  const f = t.fixture('simultaneous open: our SYN crossed the peer\'s SYN; we are in SYN_RECV', (o) => synReceived({ ...o, role: 'client' }));
  const { h } = f;
  const conn = f.conn!;
  h.act('the peer\'s FIN is processed in SYN_RECV: onFin(conn)', () => onFin(conn));
  expectState(h, conn, 'CLOSE_WAIT');
  h.check('RCV.NXT moved past the FIN', () => (conn.rcvNxt === h.pSeq(2) ? null : `expected RCV.NXT = peer ISS+2 = ${h.pSeq(2)}, but it is ${conn.rcvNxt}`));
});

// ---------------------------------------------------------------------------------------------
// Task 3 — TIME_WAIT
// ---------------------------------------------------------------------------------------------

labTest('TIME_WAIT lasts exactly 60 s (TCP_TIMEWAIT_LEN), then the connection closes silently', { task: 3 }, (t) => {
  const f = placed(t, 'FIN_WAIT_2', 'FIN_WAIT_2 after shutdown(SHUT_WR): our FIN is acknowledged', { orphan: false });
  const { h, conn } = f;
  h.advanceTo(1000);
  enterTimeWaitAsOnFin(h, conn);
  h.expectSegment(1000, { flags: '.', rseq: 2, rack: 2 });
  expectState(h, conn, 'TIME_WAIT');
  expectLastsUntil(h, conn, 'TIME_WAIT', 61_000, 'TIME_WAIT (60 s from entering it at t=1.000 s)');
});

labTest('tcp_fin_timeout does not change TIME_WAIT: still 60 s with tcp_fin_timeout = 10', { task: 3 }, (t) => {
  const f = placed(t, 'FIN_WAIT_2', 'FIN_WAIT_2 after shutdown(SHUT_WR), net.ipv4.tcp_fin_timeout = 10', { orphan: false, sysctls: { 'net.ipv4.tcp_fin_timeout': 10 } });
  const { h, conn } = f;
  h.advanceTo(3000);
  enterTimeWaitAsOnFin(h, conn);
  h.discard();
  expectLastsUntil(h, conn, 'TIME_WAIT', 63_000, 'TIME_WAIT (a constant 60 s on Linux, whatever tcp_fin_timeout says) entered at t=3.000 s');
});

labTest('a retransmitted FIN in TIME_WAIT is ACKed and restarts the full 60 s', { task: 3 }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0 (its timer due at 60 s)');
  const { h, conn } = f;
  h.send(30_000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(30_000, { flags: '.', rseq: 2, rack: 2 }, 'the peer lost our last ACK and resent its FIN: ACK it again');
  expectState(h, conn, 'TIME_WAIT');
  expectLastsUntil(h, conn, 'TIME_WAIT', 90_000, 'TIME_WAIT (restarted for 60 s by the FIN at t=30.000 s)');
});

labTest('each retransmitted FIN restarts TIME_WAIT again', { task: 3 }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0');
  const { h, conn } = f;
  h.send(50_000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(50_000, { flags: '.', rseq: 2, rack: 2 });
  h.send(100_000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(100_000, { flags: '.', rseq: 2, rack: 2 });
  expectLastsUntil(h, conn, 'TIME_WAIT', 160_000, 'TIME_WAIT (restarted for 60 s by the second FIN at t=100.000 s)');
});

labTest('a bare ACK at RCV.NXT in TIME_WAIT gets no answer but restarts the 60 s', { task: 3 }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0');
  const { h, conn } = f;
  h.send(20_000, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
  expectLastsUntil(h, conn, 'TIME_WAIT', 80_000, 'TIME_WAIT (restarted for 60 s by the in-window ACK at t=20.000 s, which gets no answer)');
});

labTest('an ACK one past RCV.NXT is not in window: it is answered with an ACK (and restarts the wait)', { task: 3 }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0');
  const { h, conn } = f;
  h.send(20_000, { flags: '.', seq: h.pSeq(3), ack: h.hSeq(2) });
  h.expectSegment(20_000, { flags: '.', rseq: 2, rack: 2 }, 'only SEG.SEQ = RCV.NXT exactly counts as the in-window bare ACK; anything else is ACKed');
  expectLastsUntil(h, conn, 'TIME_WAIT', 80_000, 'TIME_WAIT (restarted for 60 s by the segment with ACK at t=20.000 s)');
});

labTest('data in TIME_WAIT is answered with an ACK and restarts the 60 s', { task: 3 }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0');
  const { h, conn } = f;
  h.send(10_000, { flags: 'P.', seq: h.pSeq(2), ack: h.hSeq(2), payload: 'zz' });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2 }, 'data at RCV.NXT is not a bare ACK: the reply re-states RCV.NXT and accepts nothing');
  expectLastsUntil(h, conn, 'TIME_WAIT', 70_000, 'TIME_WAIT (restarted for 60 s at t=10.000 s)');
});

labTest('a FIN at RCV.NXT in TIME_WAIT is not a bare ACK either: ACKed, wait restarted', { task: 3 }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0');
  const { h, conn } = f;
  h.send(10_000, { flags: 'F.', seq: h.pSeq(2), ack: h.hSeq(2) });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2 }, 'a FIN takes a sequence number, so SEG.LEN = 1: answered like any segment that is not exactly a bare ACK');
  expectLastsUntil(h, conn, 'TIME_WAIT', 70_000, 'TIME_WAIT (restarted for 60 s at t=10.000 s)');
});

labTest('a SYN+FIN at RCV.NXT without ACK is not a bare ACK: answered, but the wait is not restarted', { task: 3, guard: true }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0');
  const { h, conn } = f;
  h.send(10_000, { flags: 'SF', seq: h.pSeq(2), ack: 0 });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2 }, 'SYN and FIN each take a sequence number (SEG.LEN = 2): not the in-window bare ACK, not a new SYN beyond RCV.NXT — re-state RCV.NXT');
  expectLastsUntil(h, conn, 'TIME_WAIT', 60_000, 'TIME_WAIT entered at t=0 (a segment without ACK never restarts it)');
});

labTest('a RST at RCV.NXT ends TIME_WAIT at once (tcp_rfc1337 = 0, "TIME_WAIT assassination")', { task: 3, weight: 2 }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0');
  const { h, conn } = f;
  h.send(5000, { flags: 'R', seq: h.pSeq(2) });
  expectClosed(h, conn, 'Linux lets an exact RST kill a TIME_WAIT socket unless net.ipv4.tcp_rfc1337 = 1');
  h.check('closed at t=5.000 s', () => (closedAt(h, conn) === 5000 ? null : `expected the RST to close the connection at t=5.000 s, but it closed at ${closedAt(h, conn) === null ? 'no time' : secs(closedAt(h, conn)!)}`));
  h.expectNothingUntil(70_000, 'no reply to a RST');
});

labTest('with tcp_rfc1337 = 1 a RST in TIME_WAIT is ignored and does not restart the wait', { task: 3, guard: true }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0, net.ipv4.tcp_rfc1337 = 1', { sysctls: { 'net.ipv4.tcp_rfc1337': 1 } });
  const { h, conn } = f;
  h.send(5000, { flags: 'R', seq: h.pSeq(2) });
  expectState(h, conn, 'TIME_WAIT', 'RFC 1337: TIME_WAIT must survive a RST');
  expectLastsUntil(h, conn, 'TIME_WAIT', 60_000, 'TIME_WAIT (entered at t=0; a RST never restarts it)');
});

labTest('a RST outside the window is ignored in TIME_WAIT: no answer, no restart', { task: 3, guard: true }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0');
  const { h, conn } = f;
  h.send(5000, { flags: 'R.', seq: (h.pSeq(2) + 5000) >>> 0, ack: h.hSeq(2) });
  expectState(h, conn, 'TIME_WAIT', 'only a RST exactly at RCV.NXT counts');
  expectLastsUntil(h, conn, 'TIME_WAIT', 60_000, 'TIME_WAIT entered at t=0 (a RST never restarts it)');
});


labTest('a new SYN beyond RCV.NXT reopens the 4-tuple: SYN-ACK with ISS = old SND.NXT + 65537', { task: 3 }, (t) => {
  const f = timeWaitWithListener(t);
  const { h, conn } = f;
  const synSeq = (h.pSeq(2) + 100_000) >>> 0;
  h.send(10_000, { flags: 'S', seq: synSeq, ack: 0 });
  const iss = (5002 + 65537) >>> 0;
  h.expectSegment(10_000, { flags: 'S.', seq: iss, ack: (synSeq + 1) >>> 0 }, `the listener answers with ISS = old SND.NXT (5002) + 65535 + 2 = ${iss}, beyond anything the old connection used (RFC 9293 §3.6.1)`);
  expectClosed(h, conn, 'the TIME_WAIT entry gives way to the new connection');
});

labTest('the reopened ISS wraps modulo 2^32 and is never 0', { task: 3 }, (t) => {
  const hostIss = (2 ** 32 - 65537 - 2) >>> 0; // old SND.NXT = ISS + 2, so SND.NXT + 65537 ≡ 0
  const f = timeWaitWithListener(t, hostIss);
  const { h } = f;
  const synSeq = (h.pSeq(2) + 777) >>> 0;
  h.send(10_000, { flags: 'S', seq: synSeq, ack: 0 });
  h.expectSegment(10_000, { flags: 'S.', seq: 1, ack: (synSeq + 1) >>> 0 }, 'old SND.NXT + 65537 = 2^32 ≡ 0, and Linux turns an ISN of 0 into 1');
});

labTest('a SYN exactly at RCV.NXT does not reopen: it is answered with an ACK and does not restart the wait', { task: 3, guard: true }, (t) => {
  const f = timeWaitWithListener(t);
  const { h, conn } = f;
  h.send(10_000, { flags: 'S', seq: h.pSeq(2), ack: 0 });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2 }, 'reopening needs SEG.SEQ > RCV.NXT; otherwise the SYN is treated as an old duplicate and ACKed');
  expectState(h, conn, 'TIME_WAIT');
  expectLastsUntil(h, conn, 'TIME_WAIT', 60_000, 'TIME_WAIT entered at t=0 (an ACK-less SYN never restarts it)');
});

labTest('an old SYN below RCV.NXT is ACKed, not reopened, and does not restart the wait', { task: 3, guard: true }, (t) => {
  const f = timeWaitWithListener(t);
  const { h, conn } = f;
  h.send(10_000, { flags: 'S', seq: (h.pSeq(2) - 50) >>> 0, ack: 0 });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2 });
  expectLastsUntil(h, conn, 'TIME_WAIT', 60_000, 'TIME_WAIT entered at t=0 (an ACK-less segment never restarts it)');
});

labTest('a SYN-ACK beyond RCV.NXT is not a new connection: ACKed, and its ACK flag restarts the wait', { task: 3 }, (t) => {
  const f = timeWaitWithListener(t);
  const { h, conn } = f;
  h.send(10_000, { flags: 'S.', seq: (h.pSeq(2) + 100_000) >>> 0, ack: h.hSeq(2) });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2 }, 'only a bare SYN (no ACK, no RST) may reopen');
  expectLastsUntil(h, conn, 'TIME_WAIT', 70_000, 'TIME_WAIT (restarted for 60 s by the segment with ACK at t=10.000 s)');
});

labTest('a SYN with RST beyond RCV.NXT is neither a new connection nor answered', { task: 3, guard: true }, (t) => {
  const f = timeWaitWithListener(t);
  const { h, conn } = f;
  h.send(10_000, { flags: 'SR', seq: (h.pSeq(2) + 100_000) >>> 0, ack: 0 });
  expectState(h, conn, 'TIME_WAIT', 'only a bare SYN (no RST, no ACK) may reopen the 4-tuple');
  expectLastsUntil(h, conn, 'TIME_WAIT', 60_000, 'TIME_WAIT entered at t=0 (an out-of-window RST is dropped: no answer, no restart)');
});

/** A SYN's options with the timestamp option: `<mss 1460,nop,nop,TS val V ecr 0>`. */
function synWithTs(val: number): TcpOption[] {
  return [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val, ecr: 0 }];
}

/** The segment echoes `ecr` in its timestamp option (TSecr = the ts_recent it keeps). */
function echoes(ecr: number): (seg: TcpSegment) => string | null {
  return (seg) => {
    const ts = seg.options.find((o) => o.kind === 'ts');
    if (!ts || ts.kind !== 'ts') return 'it carries no timestamp option, but the connection uses timestamps';
    return ts.ecr === ecr ? null : `its TSecr is ${ts.ecr}, but it should echo ts_recent = ${ecr}`;
  };
}

labTest('with timestamps, a SYN with a newer TSval reopens the 4-tuple even below RCV.NXT (RFC 6191)', { task: 3 }, (t) => {
  const f = timeWaitWithListener(t, 5000, 110);
  const { h, conn } = f;
  const synSeq = h.pSeq(0);
  h.send(10_000, { flags: 'S', seq: synSeq, ack: 0, options: synWithTs(120) });
  const iss = (5002 + 65537) >>> 0;
  h.expectSegment(10_000, { flags: 'S.', seq: iss, ack: (synSeq + 1) >>> 0, test: echoes(120) },
    `SEG.SEQ (the old peer ISS) is not beyond RCV.NXT, but TSval 120 is newer than ts_recent 110, so the SYN cannot be an old duplicate: the listener answers with ISS = old SND.NXT + 65537 = ${iss}`);
  expectClosed(h, conn, 'the TIME_WAIT entry gives way to the new connection');
});

labTest('PAWS: a SYN beyond RCV.NXT but with an older TSval is an old duplicate — ACK, TcpExtPAWSTimewait, and a fresh 60 s', { task: 3, weight: 2 }, (t) => {
  const f = timeWaitWithListener(t, 5000, 110);
  const { h, conn } = f;
  h.send(10_000, { flags: 'S', seq: (h.pSeq(2) + 100_000) >>> 0, ack: 0, options: synWithTs(50) });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2, test: echoes(110) },
    'TSval 50 is older than ts_recent 110: PAWS (RFC 7323 §5) marks the SYN an old duplicate whatever its sequence number — no reopening; it is answered with an ACK that echoes ts_recent');
  expectState(h, conn, 'TIME_WAIT');
  expectMib(h, 'PAWSTimewait', 1, 'Linux counts a segment PAWS rejects in TIME_WAIT');
  expectLastsUntil(h, conn, 'TIME_WAIT', 70_000, 'TIME_WAIT (restarted for 60 s by the PAWS-rejected SYN at t=10.000 s, although it has no ACK flag)');
});

labTest('a SYN with the same TSval as ts_recent and an old sequence number: an ACK, no reopening, no restart', { task: 3, guard: true }, (t) => {
  const f = timeWaitWithListener(t, 5000, 110);
  const { h, conn } = f;
  h.send(10_000, { flags: 'S', seq: h.pSeq(0), ack: 0, options: synWithTs(110) });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2, test: echoes(110) },
    'TSval 110 is not newer than ts_recent 110 and SEG.SEQ is not beyond RCV.NXT: not a new connection — but not older either, so PAWS does not reject it');
  expectMib(h, 'PAWSTimewait', 0, 'an equal TSval passes PAWS');
  expectLastsUntil(h, conn, 'TIME_WAIT', 60_000, 'TIME_WAIT entered at t=0 (a SYN without ACK that PAWS did not reject never restarts it)');
});

labTest('a bare ACK at RCV.NXT in TIME_WAIT records its TSval: a later SYN with an older one is rejected by PAWS', { task: 3 }, (t) => {
  const f = timeWaitWithListener(t, 5000, 110);
  const { h, conn } = f;
  h.send(5000, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2), options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 200, ecr: 0 }] });
  h.expectNothingUntil(5000, 'the in-window bare ACK gets no answer');
  h.send(10_000, { flags: 'S', seq: (h.pSeq(2) + 100_000) >>> 0, ack: 0, options: synWithTs(150) });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2, test: echoes(200) },
    'the ACK at t=5.000 s moved ts_recent from 110 to 200 (as tcp_timewait_state_process does for an in-window segment), so TSval 150 is older: PAWS rejects the SYN');
  expectState(h, conn, 'TIME_WAIT');
  expectMib(h, 'PAWSTimewait', 1, 'the SYN at t=10.000 s');
});

labTest('TSvals wrap like sequence numbers: ts_recent 4294967200, a SYN with TSval 50 is newer and reopens', { task: 3, weight: 2 }, (t) => {
  const f = timeWaitWithListener(t, 5000, 4294967200);
  const { h, conn } = f;
  const synSeq = h.pSeq(0);
  h.send(10_000, { flags: 'S', seq: synSeq, ack: 0, options: synWithTs(50) });
  h.expectSegment(10_000, { flags: 'S.', seq: (5002 + 65537) >>> 0, ack: (synSeq + 1) >>> 0 },
    'TSval 50 is 146 ticks after ts_recent 4294967200 modulo 2^32 — newer, so not PAWS-rejected and the SYN reopens (compare TSvals by their signed 32-bit difference, not with <)');
  expectClosed(h, conn, 'the TIME_WAIT entry gives way to the new connection');
});

labTest('TSvals wrap like sequence numbers: ts_recent 50, a SYN with TSval 4294967200 is older — PAWS rejects it', { task: 3, weight: 2 }, (t) => {
  const f = timeWaitWithListener(t, 5000, 50);
  const { h, conn } = f;
  h.send(10_000, { flags: 'S', seq: (h.pSeq(2) + 100_000) >>> 0, ack: 0, options: synWithTs(4294967200) });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2, test: echoes(50) },
    'TSval 4294967200 lies 146 ticks before ts_recent 50 modulo 2^32: an old duplicate that PAWS rejects, whatever its sequence number (a plain 4294967200 < 50 says it is newer)');
  expectState(h, conn, 'TIME_WAIT');
  expectMib(h, 'PAWSTimewait', 1, 'the PAWS-rejected SYN');
});

labTest('ts_recent 0 means no TSval kept: a SYN beyond RCV.NXT with TSval 3000000000 is not an old duplicate and reopens', { task: 3 }, (t) => {
  const f = timeWaitWithListener(t, 5000, 0);
  const { h, conn } = f;
  const synSeq = (h.pSeq(2) + 100_000) >>> 0;
  h.send(10_000, { flags: 'S', seq: synSeq, ack: 0, options: synWithTs(3_000_000_000) });
  h.expectSegment(10_000, { flags: 'S.', seq: (5002 + 65537) >>> 0, ack: (synSeq + 1) >>> 0 },
    'ts_recent 0 stands for "no TSval kept" (tcp_paws_check: !ts_recent passes), so nothing can be older than it — check conn.tsRecent !== 0 before the signed difference (3000000000 − 0 is negative as a signed 32-bit number); SEG.SEQ > RCV.NXT, so the SYN reopens');
  expectMib(h, 'PAWSTimewait', 0, 'nothing to compare the TSval with');
  expectClosed(h, conn, 'the TIME_WAIT entry gives way to the new connection');
});

labTest('70 s after ts_recent was stored PAWS still rejects an old-TSval SYN: only a RST is let through after TCP_PAWS_MSL', { task: 3, weight: 2 }, (t) => {
  const f = timeWaitWithListener(t, 5000, 110);
  const { h, conn } = f;
  h.send(30_000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2), options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 130, ecr: 0 }] });
  h.expectSegment(30_000, { flags: '.', rseq: 2, rack: 2 }, 'the retransmitted FIN is ACKed and restarts TIME_WAIT (until t=90.000 s); it is below RCV.NXT, so ts_recent stays 110, stored at t=0');
  h.send(70_000, { flags: 'S', seq: (h.pSeq(2) + 100_000) >>> 0, ack: 0, options: synWithTs(50) });
  h.expectSegment(70_000, { flags: '.', rseq: 2, rack: 2, test: echoes(110) },
    'TSval 50 is older than ts_recent 110: tcp_paws_reject relaxes the 60 s bound (TCP_PAWS_MSL) for a RST only — a SYN is still an old duplicate, ACKed, not reopened');
  expectState(h, conn, 'TIME_WAIT');
  expectMib(h, 'PAWSTimewait', 1, 'the PAWS-rejected SYN at t=70.000 s');
  expectLastsUntil(h, conn, 'TIME_WAIT', 130_000, 'TIME_WAIT (restarted for 60 s by the PAWS-rejected SYN at t=70.000 s)');
});

labTest('PAWS covers a RST too: at RCV.NXT but with an older TSval, 10 s after ts_recent was stored, it is dropped', { task: 3, weight: 2 }, (t) => {
  const f = timeWaitWithListener(t, 5000, 110);
  const { h, conn } = f;
  h.send(10_000, { flags: 'R', seq: h.pSeq(2), options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 50, ecr: 0 }] });
  h.expectNothingUntil(10_000, 'no reply to a RST');
  expectState(h, conn, 'TIME_WAIT', 'tcp_paws_reject holds a RST to PAWS for TCP_PAWS_MSL = 60 s after ts_recent was stored: TSval 50 is older than 110');
  expectMib(h, 'PAWSTimewait', 1, 'the PAWS-rejected RST');
  expectLastsUntil(h, conn, 'TIME_WAIT', 60_000, 'TIME_WAIT entered at t=0 (a RST never restarts it)');
});

labTest('a RST at RCV.NXT with a newer TSval still ends TIME_WAIT', { task: 3 }, (t) => {
  const f = timeWaitWithListener(t, 5000, 110);
  const { h, conn } = f;
  h.send(10_000, { flags: 'R', seq: h.pSeq(2), options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 120, ecr: 0 }] });
  expectClosed(h, conn, 'TSval 120 is newer than ts_recent 110, SEG.SEQ = RCV.NXT: TIME_WAIT assassination (tcp_rfc1337 = 0)');
});

labTest('60 s after ts_recent was stored, PAWS no longer holds a RST back: an old-TSval RST at RCV.NXT ends the wait', { task: 3, weight: 2, guard: true }, (t) => {
  const f = timeWaitWithListener(t, 5000, 110);
  const { h, conn } = f;
  h.send(30_000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2), options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 130, ecr: 0 }] });
  h.expectSegment(30_000, { flags: '.', rseq: 2, rack: 2 }, 'the retransmitted FIN is ACKed and restarts TIME_WAIT (until t=90.000 s); it is below RCV.NXT, so ts_recent stays 110, stored at t=0');
  h.send(70_000, { flags: 'R', seq: h.pSeq(2), options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 50, ecr: 0 }] });
  expectClosed(h, conn, 'at t=70 s ts_recent is 70 s old — more than TCP_PAWS_MSL = 60 s — so tcp_paws_reject lets the RST through, and it is exactly at RCV.NXT');
});

labTest('sequence numbers wrap in TIME_WAIT too: with RCV.NXT 4294967294, a SYN at 100 lies beyond it and reopens', { task: 3, weight: 2 }, (t) => {
  const f = timeWaitWithListener(t, 5000, undefined, 0xfffffffc);
  const { h, conn } = f;
  h.send(10_000, { flags: 'S', seq: 100, ack: 0 });
  h.expectSegment(10_000, { flags: 'S.', seq: (5002 + 65537) >>> 0, ack: 101 },
    'RCV.NXT is peer ISS + 2 = 4294967294, and 100 is 102 beyond it modulo 2^32: SEG.SEQ > RCV.NXT in sequence space (seqGt), so the SYN reopens the 4-tuple');
  expectClosed(h, conn, 'the TIME_WAIT entry gives way to the new connection');
});

labTest('a bare ACK at RCV.NXT stores ts_recent anew: an old-TSval RST is held back until exactly 60 s after that ACK', { task: 3, weight: 2 }, (t) => {
  const f = timeWaitWithListener(t, 5000, 110);
  const { h, conn } = f;
  const ts = (val: number) => [{ kind: 'nop' as const }, { kind: 'nop' as const }, { kind: 'ts' as const, val, ecr: 0 }];
  h.send(5_000, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2), options: ts(120) });
  h.expectNothingUntil(5_000, 'the in-window bare ACK gets no answer; it restarts TIME_WAIT and stores ts_recent 120, stamped t=5 s');
  h.send(30_000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2), options: ts(130) });
  h.expectSegment(30_000, { flags: '.', rseq: 2, rack: 2 }, 'the retransmitted FIN restarts TIME_WAIT (until t=90.000 s); it lies below RCV.NXT, so ts_recent stays 120 from t=5 s');
  h.send(64_999, { flags: 'R', seq: h.pSeq(2), options: ts(50) });
  expectState(h, conn, 'TIME_WAIT', 'at t=64.999 s ts_recent (stored at t=5 s) is 59 whole seconds old: under TCP_PAWS_MSL = 60 s, PAWS drops the RST');
  h.send(65_000, { flags: 'R', seq: h.pSeq(2), options: ts(50) });
  expectClosed(h, conn, 'at t=65.000 s ts_recent is 60 s old: !time_before32(now, ts_recent_stamp + TCP_PAWS_MSL) lets the exact RST through');
});

labTest('a blind RST one past RCV.NXT is dropped in TIME_WAIT: only SEG.SEQ = RCV.NXT exactly counts', { task: 3, weight: 2, guard: true }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0');
  const { h, conn } = f;
  h.send(5000, { flags: 'R', seq: h.pSeq(3) });
  h.expectNothingUntil(5000, 'no reply to a RST');
  expectState(h, conn, 'TIME_WAIT', 'tcp_timewait_state_process kills only for seq == rcv_nxt; a RST elsewhere, even inside the window, is dropped');
  expectLastsUntil(h, conn, 'TIME_WAIT', 60_000, 'TIME_WAIT entered at t=0 (a RST never restarts it)');
});

labTest('timestamps count only if the old connection used them: without, a SYN\'s TSval cannot reopen', { task: 3, guard: true }, (t) => {
  const f = timeWaitWithListener(t);
  const { h, conn } = f;
  h.send(10_000, { flags: 'S', seq: h.pSeq(0), ack: 0, options: synWithTs(999_999) });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2 }, 'the old connection negotiated no timestamps, so there is no ts_recent to compare with: only SEG.SEQ > RCV.NXT could reopen, and it is not');
  expectState(h, conn, 'TIME_WAIT');
  expectMib(h, 'PAWSTimewait', 0, 'no timestamps, no PAWS');
});

labTest('ACKs for empty segments in TIME_WAIT are rate-limited to one per 500 ms; a FIN is always answered', { task: 3 }, (t) => {
  const f = placed(t, 'TIME_WAIT', 'TIME_WAIT entered at t=0');
  const { h, conn } = f;
  h.send(10_000, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(10_000, { flags: '.', rseq: 2, rack: 2 }, 'an old ACK (SEG.SEQ ≠ RCV.NXT) is answered with an ACK');
  h.send(10_200, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(10_200, { flags: '.', rseq: 2, rack: 2 }, 'a retransmitted FIN is always answered: it occupies a sequence number, so it cannot be part of an ACK loop (tcp_oow_rate_limited)');
  h.send(10_499, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectNothingUntil(10_499, 'a second empty segment within 500 ms of the last rate-limited ACK (at 10.000 s) gets no answer (tcp_invalid_ratelimit)');
  expectMib(h, 'TCPACKSkippedTimeWait', 1, 'the ACK skipped at 10.499 s');
  h.send(10_500, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(10_500, { flags: '.', rseq: 2, rack: 2 }, '500 ms after the last one, the next ACK may go');
  expectLastsUntil(h, conn, 'TIME_WAIT', 70_500, 'TIME_WAIT (restarted for 60 s by every segment with ACK, the last at t=10.500 s)');
});

// ---------------------------------------------------------------------------------------------
// Task 4 — the orphaned FIN_WAIT_2
// ---------------------------------------------------------------------------------------------

function finWait2(t: LabTestContext, text: string, opts: Omit<PlacedOptions, 'seed'> = {}) {
  return placed(t, 'FIN_WAIT_2', `FIN_WAIT_2 after shutdown(SHUT_WR)${text}`, { ...opts, orphan: false });
}

labTest('an orphaned FIN_WAIT_2 is freed silently after tcp_fin_timeout = 60 s: no RST, no TIME_WAIT', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  expectLastsUntil(h, conn, 'FIN_WAIT_2', 61_000, 'the orphaned FIN_WAIT_2 (tcp_fin_timeout = 60 s from t=1.000 s)');
  const path = statePath(h, conn, 1000);
  h.check('FIN_WAIT_2 went straight to CLOSED', () => (path.includes('TIME_WAIT') ? `expected FIN_WAIT_2 → CLOSED without TIME_WAIT, but the connection went ${path.join(' → ')}` : null));
  h.expectNothingUntil(200_000, 'nothing is ever sent for the freed socket');
});

labTest('tcp_fin_timeout = 10 frees the orphan after 10 s', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, ', net.ipv4.tcp_fin_timeout = 10', { sysctls: { 'net.ipv4.tcp_fin_timeout': 10 } });
  h.advanceTo(2000);
  closeInFinWait2(h, conn, fd);
  expectLastsUntil(h, conn, 'FIN_WAIT_2', 12_000, 'the orphaned FIN_WAIT_2 (tcp_fin_timeout = 10 s, in seconds, from t=2.000 s)');
});

labTest('TCP_LINGER2 overrides tcp_fin_timeout for this socket (30 s instead of 10 s)', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, ', net.ipv4.tcp_fin_timeout = 10', { sysctls: { 'net.ipv4.tcp_fin_timeout': 10 } });
  h.act(`setsockopt(${fd}, TCP_LINGER2, 30)`, () => h.host.api.setsockopt(fd, 'TCP_LINGER2', 30));
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  expectLastsUntil(h, conn, 'FIN_WAIT_2', 31_000, 'the orphaned FIN_WAIT_2 (TCP_LINGER2 = 30 s, from t=1.000 s)');
});

labTest('TCP_LINGER2 = 0 means "not set": tcp_fin_timeout applies', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, ', net.ipv4.tcp_fin_timeout = 10', { sysctls: { 'net.ipv4.tcp_fin_timeout': 10 } });
  h.act(`setsockopt(${fd}, TCP_LINGER2, 0)`, () => h.host.api.setsockopt(fd, 'TCP_LINGER2', 0));
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  expectLastsUntil(h, conn, 'FIN_WAIT_2', 11_000, 'the orphaned FIN_WAIT_2 (TCP_LINGER2 = 0 falls back to tcp_fin_timeout = 10 s, from t=1.000 s)');
});

labTest('the orphan timeout is never shorter than 3.5 RTO (RTO 6 s ⇒ 21 s, not tcp_fin_timeout = 10 s)', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, ', SRTT 2 s (RTO 6 s), net.ipv4.tcp_fin_timeout = 10', { srtt: 2000, sysctls: { 'net.ipv4.tcp_fin_timeout': 10 } });
  h.check('test setup: RTO = SRTT + 4·RTTVAR = 2000 + 4000 = 6000 ms', () => (conn.rto === 6000 ? null : `test setup: RTO is ${conn.rto}`));
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  expectLastsUntil(h, conn, 'FIN_WAIT_2', 22_000, 'the orphaned FIN_WAIT_2 (max(10 s, 3.5 × 6 s = 21 s), from t=1.000 s)');
});

labTest('finTime(conn) returns milliseconds: TCP_LINGER2, else tcp_fin_timeout, at least 3.5 RTO', { task: 4 }, (t) => {
  const { h, conn } = finWait2(t, '');
  const cases: Array<[string, number, number, number, number]> = [
    // what, linger2 (s), tcp_fin_timeout (s), rto (ms), expected (ms)
    ['defaults', 0, 60, 210, 60_000],
    ['tcp_fin_timeout = 5', 0, 5, 210, 5000],
    ['TCP_LINGER2 = 7', 7, 60, 210, 7000],
    ['TCP_LINGER2 = 1, RTO 1 s', 1, 60, 1000, 3500],
    ['tcp_fin_timeout = 0, RTO 400 ms', 0, 0, 400, 1400],
  ];
  for (const [what, linger2, finTimeout, rto, want] of cases) {
    conn.opts.linger2 = linger2;
    conn.rto = rto;
    h.host.sysctl.set('net.ipv4.tcp_fin_timeout', finTimeout);
    const got = h.act(`finTime(conn) with ${what}`, () => finTime(conn));
    h.check(`finTime = ${want} ms with ${what}`, () => (got === want ? null : `expected finTime(conn) to be ${want} ms with ${what}, but it returned ${got}`));
  }
});

labTest('TCP_LINGER2 < 0: no FIN_WAIT_2 wait at all — RST at once', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.act(`setsockopt(${fd}, TCP_LINGER2, -1)`, () => h.host.api.setsockopt(fd, 'TCP_LINGER2', -1));
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.expectSegment(1000, { flags: 'R.', rseq: 2, rack: 1 }, 'RST <SEQ=SND.NXT = ISS+2><ACK=RCV.NXT>');
  expectClosed(h, conn);
  expectMib(h, 'TCPAbortOnLinger', 1, 'the abort is counted');
  h.expectNothingUntil(100_000);
});

labTest('TCP_LINGER2 < 0 after close() in FIN_WAIT_1: the ACK of our FIN draws a bare RST <SEQ=SEG.ACK>', { task: 4 }, (t) => {
  const f = placed(t, 'FIN_WAIT_1', 'FIN_WAIT_1 after close() with TCP_LINGER2 = -1: our FIN went out at 0 ms, the socket is orphaned', { sockopts: { linger2: -1 } });
  const { h, conn } = f;
  h.advanceTo(10);
  ackOfFinAsOnAckOfFin(h, conn);
  h.expectSegment(10, { flags: 'R', seq: h.hSeq(2) },
    'an orphan that may not wait in FIN_WAIT_2 is gone as soon as its FIN is acknowledged, and Linux answers that ACK like a segment for no connection: <SEQ=SEG.ACK = ISS+2><CTL=RST>, no ACK flag (not the R. that close() sends)');
  expectClosed(h, conn, 'no FIN_WAIT_2 and no TIME_WAIT with TCP_LINGER2 < 0');
  expectMib(h, 'TCPAbortOnData', 1, 'tcp_rcv_state_process counts this abort as TCPAbortOnData');
  expectMib(h, 'TCPAbortOnLinger', 0, 'TCPAbortOnLinger is for close() finding FIN_WAIT_2, not for this path');
  h.expectNothingUntil(100_000, 'nothing more: the connection is gone');
});

labTest('the peer\'s FIN reaches the orphan in time: ACK at once, then a full 60 s TIME_WAIT', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(40_000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(40_000, { flags: '.', rseq: 2, rack: 2 }, 'the ACK of the peer\'s FIN, at once');
  expectState(h, conn, 'TIME_WAIT');
  expectLastsUntil(h, conn, 'TIME_WAIT', 100_000, 'TIME_WAIT (60 s from the FIN at t=40.000 s; the FIN_WAIT_2 timeout due at t=61 s no longer applies)');
});

labTest('data after close() reaches the orphan: RST <SEQ=SEG.ACK>, the socket is gone (RFC 1122)', { task: 4, weight: 2 }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(2), payload: 'more' });
  h.expectSegment(5000, { flags: 'R', seq: h.hSeq(2) }, 'nobody can read this data: reset, answering the segment (tcp_v4_send_reset)');
  expectClosed(h, conn);
  expectMib(h, 'TCPAbortOnData', 1, 'data after close()');
});

labTest('data and FIN together after close() is still new data: RST', { task: 4, guard: true }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: 'FP.', seq: h.pSeq(1), ack: h.hSeq(2), payload: 'bye' });
  h.expectSegment(5000, { flags: 'R', seq: h.hSeq(2) }, 'only a FIN with nothing before it (SEG.SEQ + SEG.LEN = RCV.NXT + 1) is accepted');
  expectClosed(h, conn);
});

labTest('one byte of data at RCV.NXT after close() is data, not a FIN: RST', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(2), payload: 'x' });
  h.expectSegment(5000, { flags: 'R', seq: h.hSeq(2) }, 'SEG.SEQ + SEG.LEN = RCV.NXT + 1 here too, but there is no FIN flag: new data after close() — reset (the FIN is accepted only with the FIN flag set)');
  expectClosed(h, conn, 'data after close() ends the orphan; no TIME_WAIT');
  expectMib(h, 'TCPAbortOnData', 1, 'data after close()');
});

labTest('the orphan accepts the FIN at the top of the sequence space (RCV.NXT + 1 wraps to 0)', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, ', peer ISS 2^32 − 2 (RCV.NXT = 2^32 − 1)', { peerIss: 0xfffffffe });
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: 'F.', seq: 0xffffffff, ack: h.hSeq(2) });
  h.expectSegment(5000, { flags: '.', rseq: 2, ack: 0 }, 'SEG.SEQ + SEG.LEN = 2^32 ≡ 0 = RCV.NXT + 1 (mod 2^32): this is the FIN, ACK it');
  expectState(h, conn, 'TIME_WAIT');
});

labTest('new data inside the orphan\'s window, even past a hole, draws a RST; data far beyond the window an ACK', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: 'P.', seq: h.pSeq(1_000_001), ack: h.hSeq(2), payload: 'far' });
  h.expectSegment(5000, { flags: '.', rseq: 2, rack: 1 }, 'a segment a million bytes ahead is outside any window: re-state RCV.NXT');
  expectState(h, conn, 'FIN_WAIT_2');
  h.send(6000, { flags: 'P.', seq: h.pSeq(101), ack: h.hSeq(2), payload: 'near' });
  h.expectSegment(6000, { flags: 'R', seq: h.hSeq(2) }, 'data 100 bytes ahead is inside the window: new data after close() — reset');
  expectClosed(h, conn);
});

labTest('the orphan\'s window is the one it last advertised (64240 bytes): data at its right edge is out of window', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.check('test setup: the host advertised 64240 bytes (RCV.NXT + 64240 is the right edge)', () => (conn.rcvWup === h.pSeq(1 + 64240) ? null : `test setup: the right edge is peer ISS+${(conn.rcvWup - h.pSeq(0)) >>> 0}`));
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: 'P.', seq: h.pSeq(1 + 64240), ack: h.hSeq(2), payload: 'edge' });
  h.expectSegment(5000, { flags: '.', rseq: 2, rack: 1 }, 'data starting at the right edge of the advertised window is not acceptable: ACK (tcp_in_window with tw_rcv_wnd)');
  expectState(h, conn, 'FIN_WAIT_2');
  h.send(6000, { flags: 'P.', seq: h.pSeq(64240), ack: h.hSeq(2), payload: 'last' });
  h.expectSegment(6000, { flags: 'R', seq: h.hSeq(2) }, 'data starting at the last byte of the window is new data after close(): RST');
  expectClosed(h, conn);
});

labTest('the orphan\'s window across 2^32: a bare ACK and a SYN 1000 past RCV.NXT, beyond the wrap, are inside it — the ACK is ignored, the SYN draws a RST', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, ', peer ISS 2^32 − 256 (RCV.NXT = 2^32 − 255, the window\'s right edge wraps past 0)', { peerIss: 0xffffff00 });
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  const seq = h.pSeq(1 + 1000);
  h.send(4000, { flags: '.', seq, ack: h.hSeq(2) });
  h.expectNothingUntil(4999, `a bare ACK at SEG.SEQ = ${seq}, 1000 past RCV.NXT beyond the wrap, is inside the window (RCV.WUP − RCV.NXT = 64240 as a signed difference: seqSub) and carries nothing new: ignored, no ACK and no RST`);
  expectState(h, conn, 'FIN_WAIT_2');
  h.send(5000, { flags: 'S', seq, ack: 0 });
  h.expectSegment(5000, { flags: 'R.', seq: 0, ack: (seq + 1) >>> 0 },
    `SEG.SEQ = ${seq} is 1000 after RCV.NXT = ${h.pSeq(1)} in sequence space (seqGeq, not >=), and the window RCV.WUP − RCV.NXT = 64240 is their signed difference (seqSub), although RCV.WUP has wrapped to a smaller number: a SYN in the window draws RST <SEQ=0><ACK=SEG.SEQ+1>`);
  expectClosed(h, conn);
});

labTest('a RST in the orphan\'s window ends it silently', { task: 4, guard: true }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: 'R', seq: h.pSeq(1) });
  expectClosed(h, conn);
  h.expectNothingUntil(100_000, 'no reply to a RST');
});

labTest('a blind RST far outside the orphan\'s window does not end it: the window check comes first, and it is answered with an ACK', { task: 4, weight: 2 }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: 'R', seq: (h.pSeq(1) + 1_000_000) >>> 0 });
  h.expectSegment(5000, { flags: '.', rseq: 2, rack: 1 },
    'the FIN_WAIT2 substate checks the window before the RST flag (tcp_timewait_state_process): out of window, it re-states RCV.NXT with an ACK');
  expectState(h, conn, 'FIN_WAIT_2', 'a RST outside the window is a blind guess, not the peer');
  expectLastsUntil(h, conn, 'FIN_WAIT_2', 61_000, 'the orphaned FIN_WAIT_2 (60 s from t=1.000 s)');
});

labTest('a SYN at RCV.NXT reaching the orphan draws a RST and frees it', { task: 4, guard: true }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: 'S', seq: h.pSeq(1), ack: 0 });
  h.expectSegment(5000, { flags: 'R.', seq: 0, ack: h.pSeq(2) }, 'the FIN_WAIT2 substate answers a SYN in its window with RST <SEQ=0><ACK=SEG.SEQ+1>');
  expectClosed(h, conn);
});

labTest('an old duplicate below RCV.NXT is answered with an ACK; the orphan keeps waiting', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: '.', seq: (h.pSeq(1) - 10) >>> 0, ack: h.hSeq(2) });
  h.expectSegment(5000, { flags: '.', rseq: 2, rack: 1 }, 'out of window: re-state RCV.NXT');
  h.send(5100, { flags: '.', seq: (h.pSeq(1) - 10) >>> 0, ack: h.hSeq(2) });
  h.expectNothingUntil(5100, 'a second out-of-window ACK within 500 ms is skipped (tcp_invalid_ratelimit)');
  h.send(5200, { flags: 'P.', seq: (h.pSeq(1) - 10) >>> 0, ack: h.hSeq(2), payload: '0123456789' });
  h.expectSegment(5200, { flags: '.', rseq: 2, rack: 1 }, 'old data is always answered: the rate limit only holds back replies to empty segments');
  expectState(h, conn, 'FIN_WAIT_2');
  expectLastsUntil(h, conn, 'FIN_WAIT_2', 61_000, 'the orphaned FIN_WAIT_2 (unchanged by old segments: 60 s from t=1.000 s)');
});

labTest('a pure ACK, or data without the ACK flag, is ignored by the orphan', { task: 4 }, (t) => {
  const { h, conn, fd } = finWait2(t, '');
  h.advanceTo(1000);
  closeInFinWait2(h, conn, fd);
  h.send(5000, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.send(6000, { flags: 'P', seq: h.pSeq(1), ack: 0, payload: 'noack' });
  h.send(7000, { flags: 'F', seq: h.pSeq(1), ack: 0 });
  h.expectNothingUntil(7000, 'no reply: a segment without ACK is dropped, and an ACK is not acknowledged');
  expectState(h, conn, 'FIN_WAIT_2');
  expectLastsUntil(h, conn, 'FIN_WAIT_2', 61_000, 'the orphaned FIN_WAIT_2 (60 s from t=1.000 s)');
});
