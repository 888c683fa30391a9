/**
 * Visible tests of the teardown lab: a check for each family of behaviour of each task, shown to the learner with
 * every step. The hidden tests check the same behaviours and many more edge cases.
 */
import { labTest } from '../kit/scoring.ts';
import type { TcpState } from '../../stack/core/tcp/connection.ts';
import type { TcpOption } from '../../stack/core/wire/segment.ts';
import { closeTransition, finTime } from '../../stack/core/tcp/teardown.ts';
import { placeConnection } from '../../stack/testing/placed.ts';
import { ackOfFinAsOnAckOfFin, closeInFinWait2, enterTimeWaitAsOnFin, expectClosed, expectLastsUntil, expectMib, expectRead, expectState, timeWaitWithListener } from './support.ts';

labTest('close() on an idle connection sends a FIN and moves to FIN_WAIT_1', { task: 1 }, (t) => {
  const { h, conn, fd } = t.fixture('an idle ESTABLISHED connection (host ISS 5000, peer ISS 1000)', (o) => placeConnection('ESTABLISHED', o));
  h.advanceTo(100);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(100, { flags: 'F.', rseq: 1, rack: 1 }, 'a FIN: seq ISS+1, ack peer ISS+1');
  expectState(h, conn!, 'FIN_WAIT_1');
});

labTest('the peer\'s FIN after our FIN was acknowledged: ACK it and enter TIME_WAIT', { task: 2 }, (t) => {
  const { h, conn } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR): our FIN is acknowledged', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  h.send(1000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(1000, { flags: '.', rseq: 2, rack: 2 }, 'the ACK acknowledges the FIN: peer ISS+2');
  expectState(h, conn!, 'TIME_WAIT');
});

labTest('TIME_WAIT lasts 60 s on Linux', { task: 3 }, (t) => {
  const { h, conn } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR)', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  h.advanceTo(1000);
  enterTimeWaitAsOnFin(h, conn!);
  h.discard();
  expectLastsUntil(h, conn!, 'TIME_WAIT', 61_000, 'TIME_WAIT (60 s from entering it at t=1.000 s)');
});

labTest('an orphaned FIN_WAIT_2 is freed after tcp_fin_timeout (60 s)', { task: 4 }, (t) => {
  const { h, conn, fd } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR)', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  h.advanceTo(1000);
  closeInFinWait2(h, conn!, fd);
  expectLastsUntil(h, conn!, 'FIN_WAIT_2', 61_000, 'the orphaned FIN_WAIT_2 (60 s from t=1.000 s)');
  expectClosed(h, conn!);
});

labTest('close() with unread data sends a RST instead of a FIN, and no TIME_WAIT follows', { task: 1 }, (t) => {
  const { h, conn, fd } = t.fixture('an idle ESTABLISHED connection', (o) => placeConnection('ESTABLISHED', o));
  h.send(100, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'x' });
  h.discard();
  h.advanceTo(200);
  h.act(`close(${fd}) without reading the 1 byte that arrived`, () => h.host.api.close(fd));
  h.expectSegment(200, { flags: 'R.', rseq: 1, rack: 2 }, 'a RST <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>: the peer must not believe its byte was read');
  expectClosed(h, conn!, 'an aborted connection goes straight to CLOSED');
  expectMib(h, 'TCPAbortOnClose', 1, 'close() threw unread data away');
});

labTest('close() in SYN_SENT simply ends the connection: no FIN for a connection that never existed', { task: 1 }, (t) => {
  const { h, conn, fd } = t.fixture('a connection in SYN_SENT: our SYN went out at 0 ms', (o) => placeConnection('SYN_SENT', o));
  h.advanceTo(100);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  expectClosed(h, conn!, 'closeTransition(SYN_SENT) leads to CLOSED: destroy it');
  h.expectNothingUntil(5000, 'no FIN, no RST, and no SYN retransmission after the close');
});

labTest('the peer closes first: its FIN moves us to CLOSE_WAIT, and close() then sends our FIN (LAST_ACK)', { task: 2 }, (t) => {
  const { h, conn, fd } = t.fixture('an idle ESTABLISHED connection that has received no data', (o) => placeConnection('ESTABLISHED', o));
  h.send(1000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.expectSegment(1000, { flags: '.', rseq: 1, rack: 2 }, 'the FIN takes one sequence number: ACK peer ISS+2 (at once: no data was received yet)');
  expectState(h, conn!, 'CLOSE_WAIT');
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(1000, { flags: 'F.', rseq: 1, rack: 2 }, 'our FIN');
  expectState(h, conn!, 'LAST_ACK');
});

labTest('TIME_WAIT: a retransmitted FIN is ACKed and restarts the 60 s; a RST one past RCV.NXT changes nothing', { task: 3 }, (t) => {
  const { h, conn } = t.fixture('TIME_WAIT entered at t=0', (o) => placeConnection('TIME_WAIT', o));
  h.send(10_000, { flags: 'R', seq: h.pSeq(3) });
  h.expectNothingUntil(10_000, 'no reply to a RST');
  expectState(h, conn!, 'TIME_WAIT', 'only a RST exactly at RCV.NXT may end TIME_WAIT: this one is a blind guess');
  h.send(30_000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(30_000, { flags: '.', rseq: 2, rack: 2 }, 'the peer lost our last ACK and resent its FIN: ACK it again');
  expectLastsUntil(h, conn!, 'TIME_WAIT', 90_000, 'TIME_WAIT (restarted for 60 s by the FIN at t=30.000 s)');
});

labTest('after close(), new data reaching the orphan draws a RST; a RST far outside its window does not end it', { task: 4 }, (t) => {
  const { h, conn, fd } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR)', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  h.advanceTo(1000);
  closeInFinWait2(h, conn!, fd);
  h.send(2000, { flags: 'R', seq: (h.pSeq(1) + 1_000_000) >>> 0 });
  h.expectSegment(2000, { flags: '.', rseq: 2, rack: 1 }, 'out of the window: re-state RCV.NXT — the window check comes before the RST');
  expectState(h, conn!, 'FIN_WAIT_2');
  h.send(3000, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(2), payload: 'late' });
  h.expectSegment(3000, { flags: 'R', seq: h.hSeq(2) }, 'nobody can read it any more: RST <SEQ=SEG.ACK> (RFC 1122)');
  expectClosed(h, conn!);
  expectMib(h, 'TCPAbortOnData', 1, 'data arrived after close()');
});

// ---------------------------------------------------------------------------------------------
// More of each task: one plain case per behaviour the task statement names.
// ---------------------------------------------------------------------------------------------

labTest('closeTransition: where close() leads from ESTABLISHED, CLOSE_WAIT, FIN_WAIT_2 and SYN_SENT', { task: 1 }, (t) => {
  const h = t.harness();
  const rows: Array<[TcpState, TcpState, boolean, string]> = [
    ['ESTABLISHED', 'FIN_WAIT_1', true, 'we are done sending: our FIN goes out'],
    ['CLOSE_WAIT', 'LAST_ACK', true, 'the peer closed first: our FIN goes out and we wait for its ACK'],
    ['FIN_WAIT_2', 'FIN_WAIT_2', false, 'our FIN is already out and acknowledged'],
    ['SYN_SENT', 'CLOSED', false, 'the connection never opened: no FIN is owed'],
  ];
  for (const [from, next, fin, why] of rows) {
    const got = h.act(`closeTransition('${from}')`, () => closeTransition(from));
    h.check(`close() in ${from} → ${next}${fin ? ' with a FIN' : ', no FIN'}`, () =>
      got && got.next === next && got.sendFin === fin
        ? null
        : `expected { next: '${next}', sendFin: ${fin} } for ${from} (${why}), but closeTransition returned { next: ${got?.next}, sendFin: ${got?.sendFin} }`);
  }
});

labTest('close() with SO_LINGER {on, 0 s} aborts: a RST instead of the FIN, counted as TCPAbortOnData', { task: 1 }, (t) => {
  const { h, conn, fd } = t.fixture('an idle ESTABLISHED connection', (o) => placeConnection('ESTABLISHED', o));
  h.act(`setsockopt(${fd}, SO_LINGER, {onoff=1, linger=0})`, () => h.host.api.setsockopt(fd, 'SO_LINGER', { onoff: true, linger: 0 }));
  h.advanceTo(300);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  h.expectSegment(300, { flags: 'R.', rseq: 1, rack: 1 }, 'an abortive close: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> (sendActiveReset), no FIN');
  expectClosed(h, conn!, 'an abortive close skips FIN_WAIT and TIME_WAIT');
  expectMib(h, 'TCPAbortOnData', 1, 'Linux counts a close() with SO_LINGER {on, 0} as TCPAbortOnData');
});

labTest('close() in FIN_WAIT_2 after shutdown(SHUT_WR) sends nothing and starts the orphan timeout (60 s)', { task: 1 }, (t) => {
  const { h, conn, fd } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR): our FIN is acknowledged, no timeout runs', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  h.advanceTo(5000);
  h.act(`close(${fd})`, () => h.host.api.close(fd));
  expectState(h, conn!, 'FIN_WAIT_2', 'our FIN is already out: close() only orphans the socket');
  expectLastsUntil(h, conn!, 'FIN_WAIT_2', 65_000, 'the orphaned FIN_WAIT_2 (tcp_fin_timeout = 60 s from close() at t=5.000 s: call finWait2Orphaned, task 4)');
});

labTest('after close(), the ACK of our FIN leads to FIN_WAIT_2, and the orphan is freed 60 s later', { task: 2 }, (t) => {
  const { h, conn } = t.fixture('FIN_WAIT_1 after close(): our FIN went out at 0 ms, the socket is orphaned', (o) => placeConnection('FIN_WAIT_1', o));
  h.send(100, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  expectState(h, conn!, 'FIN_WAIT_2', 'our FIN is acknowledged; now we wait for the peer\'s');
  expectLastsUntil(h, conn!, 'FIN_WAIT_2', 60_100, 'the orphaned FIN_WAIT_2 (an orphan gets its timeout from finWait2Orphaned: 60 s from the ACK at t=0.100 s)');
});

labTest('simultaneous close: the peer\'s FIN in FIN_WAIT_1 is ACKed at once (CLOSING), then the ACK of our FIN leads to TIME_WAIT', { task: 2 }, (t) => {
  const { h, conn } = t.fixture('FIN_WAIT_1 after close(): our FIN went out at 0 ms', (o) => placeConnection('FIN_WAIT_1', o));
  h.send(100, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.expectSegment(100, { flags: '.', rseq: 2, rack: 2 }, 'the ACK of the peer\'s FIN, at once: <SEQ=ISS+2><ACK=peer ISS+2>');
  expectState(h, conn!, 'CLOSING', 'both FINs are out and ours is not acknowledged yet');
  h.send(150, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
  expectState(h, conn!, 'TIME_WAIT', 'in CLOSING, the ACK of our FIN means TIME_WAIT (enterTimeWait)');
});

labTest('the passive closer: the ACK of our FIN in LAST_ACK ends the connection', { task: 2 }, (t) => {
  const { h, conn } = t.fixture('LAST_ACK: the peer closed first, our FIN went out at 0 ms', (o) => placeConnection('LAST_ACK', o));
  h.send(50, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
  expectClosed(h, conn!, 'LAST_ACK ends when our FIN is acknowledged: the passive closer never enters TIME_WAIT');
  h.expectNothingUntil(1000, 'nothing to send: no FIN retransmission, no ACK of an ACK');
});

labTest('after data, the peer\'s FIN: CLOSE_WAIT, read() returns 0, and the ACK waits 40 ms', { task: 2 }, (t) => {
  const { h, conn, fd } = t.fixture('an idle ESTABLISHED connection', (o) => placeConnection('ESTABLISHED', o));
  h.send(500, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'hello' });
  h.expectSegment(500, { flags: '.', rseq: 1, rack: 6 }, 'the first data is ACKed at once (quickack mode)');
  h.act(`read(${fd}) takes the 5 bytes`, () => h.host.api.read(fd));
  h.send(600, { flags: 'F.', seq: h.pSeq(6), ack: h.hSeq(1) });
  expectState(h, conn!, 'CLOSE_WAIT', 'the peer has closed its direction; we wait for our application');
  const r = h.act(`read(${fd}) after the FIN`, () => h.host.api.read(fd));
  expectRead(h, 'read()', r, 'eof');
  h.expectNothingUntil(639, 'the ACK of this FIN is scheduled (scheduleAck, with conn.pingpong = true as tcp_fin does), not sent at once');
  h.expectSegment(640, { flags: '.', rseq: 1, rack: 7 }, 'the delayed ACK, 40 ms later: peer ISS+7, the FIN takes one sequence number after the 5 bytes');
});

/** A SYN's options with a timestamp: <mss 1460,nop,nop,TS val V ecr 0>. */
function tsOptions(val: number): TcpOption[] {
  return [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val, ecr: 0 }];
}

labTest('a RST exactly at RCV.NXT ends TIME_WAIT at once (tcp_rfc1337 = 0)', { task: 3 }, (t) => {
  const { h, conn } = t.fixture('TIME_WAIT entered at t=0', (o) => placeConnection('TIME_WAIT', o));
  h.send(8000, { flags: 'R', seq: h.pSeq(2) });
  expectClosed(h, conn!, 'an exact RST kills a TIME_WAIT socket on Linux unless net.ipv4.tcp_rfc1337 = 1 ("TIME_WAIT assassination")');
  h.expectNothingUntil(70_000, 'no reply to a RST');
});

labTest('a bare ACK at RCV.NXT in TIME_WAIT gets no answer, but restarts the 60 s', { task: 3 }, (t) => {
  const { h, conn } = t.fixture('TIME_WAIT entered at t=0', (o) => placeConnection('TIME_WAIT', o));
  h.send(25_000, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
  expectLastsUntil(h, conn!, 'TIME_WAIT', 85_000, 'TIME_WAIT (an in-window bare ACK at t=25.000 s is not answered, and restarts the 60 s)');
});

labTest('a new SYN beyond RCV.NXT reopens the 4-tuple: the listener answers with ISS = old SND.NXT + 65537', { task: 3 }, (t) => {
  const { h, conn } = timeWaitWithListener(t);
  const synSeq = (h.pSeq(2) + 50_000) >>> 0;
  h.send(20_000, { flags: 'S', seq: synSeq, ack: 0 });
  const iss = 5002 + 65537;
  h.expectSegment(20_000, { flags: 'S.', seq: iss, ack: (synSeq + 1) >>> 0 }, `a SYN-ACK from the listener with ISS = old SND.NXT (5002) + 65535 + 2 = ${iss}: return { action: 'reopen', iss }`);
  expectClosed(h, conn, 'the TIME_WAIT entry gives way to the new connection');
});

labTest('PAWS in TIME_WAIT: a SYN with an older TSval is an old duplicate — ACKed, counted, and the 60 s start over', { task: 3 }, (t) => {
  const { h, conn } = timeWaitWithListener(t, 5000, 1000);
  h.send(20_000, { flags: 'S', seq: (h.pSeq(2) + 50_000) >>> 0, ack: 0, options: tsOptions(900) });
  h.expectSegment(20_000, { flags: '.', rseq: 2, rack: 2 }, 'TSval 900 is older than ts_recent 1000: PAWS (RFC 7323 §5) says old duplicate, whatever its sequence number — an ACK, no reopening');
  expectState(h, conn, 'TIME_WAIT');
  expectMib(h, 'PAWSTimewait', 1, 'Linux counts every segment PAWS rejects in TIME_WAIT');
  expectLastsUntil(h, conn, 'TIME_WAIT', 80_000, 'TIME_WAIT (restarted for 60 s at t=20.000 s by the PAWS-rejected SYN)');
});

labTest('with timestamps, a SYN with a newer TSval reopens the 4-tuple even at an old sequence number (RFC 6191)', { task: 3 }, (t) => {
  const { h, conn } = timeWaitWithListener(t, 5000, 1000);
  const synSeq = h.pSeq(0);
  h.send(20_000, { flags: 'S', seq: synSeq, ack: 0, options: tsOptions(1100) });
  h.expectSegment(20_000, { flags: 'S.', seq: 5002 + 65537, ack: (synSeq + 1) >>> 0 }, 'SEG.SEQ is not beyond RCV.NXT, but TSval 1100 is newer than ts_recent 1000: it cannot be an old duplicate, so it reopens');
  expectClosed(h, conn, 'the TIME_WAIT entry gives way to the new connection');
});

labTest('ACKs to old segments in TIME_WAIT are rate-limited: a second one 100 ms later is skipped and counted', { task: 3 }, (t) => {
  const { h } = t.fixture('TIME_WAIT entered at t=0', (o) => placeConnection('TIME_WAIT', o));
  h.send(20_000, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(20_000, { flags: '.', rseq: 2, rack: 2 }, 'an old ACK (SEG.SEQ ≠ RCV.NXT) is answered with an ACK that re-states RCV.NXT');
  h.send(20_100, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectNothingUntil(20_100, 'the same old ACK again 100 ms later: no answer (oowRateLimited) — this is how two confused hosts avoid an ACK loop');
  expectMib(h, 'TCPACKSkippedTimeWait', 1, 'the skipped ACK is counted');
});

labTest('finTime(conn): tcp_fin_timeout, or TCP_LINGER2 when set, in milliseconds — never below 3.5 RTO', { task: 4 }, (t) => {
  const { h, conn } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR)', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  const rows: Array<[string, number, number, number, number]> = [
    // what, TCP_LINGER2 (s), tcp_fin_timeout (s), RTO (ms), expected (ms)
    ['the defaults (tcp_fin_timeout 60 s, RTO 210 ms)', 0, 60, 210, 60_000],
    ['TCP_LINGER2 = 20 s', 20, 60, 210, 20_000],
    ['tcp_fin_timeout = 2 s and RTO 2 s (3.5 × 2 s = 7 s is longer)', 0, 2, 2000, 7000],
  ];
  for (const [what, linger2, finTimeout, rto, want] of rows) {
    conn!.opts.linger2 = linger2;
    conn!.rto = rto;
    h.host.sysctl.set('net.ipv4.tcp_fin_timeout', finTimeout);
    const got = h.act(`finTime(conn) with ${what}`, () => finTime(conn!));
    h.check(`finTime = ${want} ms with ${what}`, () => (got === want ? null : `expected finTime(conn) to be ${want} ms with ${what}, but it returned ${got}`));
  }
});

labTest('TCP_LINGER2 < 0: close() in FIN_WAIT_2 does not wait at all — RST|ACK at once (TCPAbortOnLinger)', { task: 4 }, (t) => {
  const { h, conn, fd } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR)', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  h.act(`setsockopt(${fd}, TCP_LINGER2, -1)`, () => h.host.api.setsockopt(fd, 'TCP_LINGER2', -1));
  h.advanceTo(3000);
  closeInFinWait2(h, conn!, fd);
  h.expectSegment(3000, { flags: 'R.', rseq: 2, rack: 1 }, 'RST <SEQ=SND.NXT = ISS+2><ACK=RCV.NXT> (sendActiveReset), instead of waiting in FIN_WAIT_2');
  expectClosed(h, conn!);
  expectMib(h, 'TCPAbortOnLinger', 1, 'close() finding FIN_WAIT_2 with TCP_LINGER2 < 0');
});

labTest('TCP_LINGER2 < 0 after close(): the ACK of our FIN is answered with a bare RST <SEQ=SEG.ACK> (TCPAbortOnData)', { task: 4 }, (t) => {
  const { h, conn } = t.fixture('FIN_WAIT_1 after close() with TCP_LINGER2 = -1: our FIN went out at 0 ms', (o) => placeConnection('FIN_WAIT_1', { ...o, sockopts: { linger2: -1 } }));
  h.advanceTo(20);
  ackOfFinAsOnAckOfFin(h, conn!);
  h.expectSegment(20, { flags: 'R', seq: h.hSeq(2) }, 'the orphan may not wait, so the ACK that acknowledged our FIN is answered as if no connection existed: sendResetFor(host, ackOfFin)');
  expectClosed(h, conn!);
  expectMib(h, 'TCPAbortOnData', 1, 'this path counts TCPAbortOnData');
});

labTest('the peer\'s FIN reaches the orphan: ACK at once, then TIME_WAIT', { task: 4 }, (t) => {
  const { h, conn, fd } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR)', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  h.advanceTo(1000);
  closeInFinWait2(h, conn!, fd);
  h.send(20_000, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(20_000, { flags: '.', rseq: 2, rack: 2 }, 'the ACK of the peer\'s FIN, at once: RCV.NXT moves past the FIN (peer ISS+2)');
  expectState(h, conn!, 'TIME_WAIT', 'the orphan got the FIN it was waiting for');
});

labTest('a RST inside the orphan\'s window ends it silently', { task: 4 }, (t) => {
  const { h, conn, fd } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR)', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  h.advanceTo(1000);
  closeInFinWait2(h, conn!, fd);
  h.send(4000, { flags: 'R', seq: h.pSeq(1) });
  expectClosed(h, conn!, 'a RST in the window is the peer giving up: the orphan is gone');
  h.expectNothingUntil(10_000, 'no reply to a RST');
});

labTest('a SYN inside the orphan\'s window draws RST <SEQ=0><ACK=SEG.SEQ+1> and frees it', { task: 4 }, (t) => {
  const { h, conn, fd } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR)', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  h.advanceTo(1000);
  closeInFinWait2(h, conn!, fd);
  h.send(4000, { flags: 'S', seq: h.pSeq(101), ack: 0 });
  h.expectSegment(4000, { flags: 'R.', seq: 0, ack: h.pSeq(102) }, 'return \'rst\' for a SYN at or after RCV.NXT: the stack answers it like a segment for no connection');
  expectClosed(h, conn!);
});

labTest('a pure ACK, or a segment without the ACK flag, is ignored by the orphan', { task: 4 }, (t) => {
  const { h, conn, fd } = t.fixture('FIN_WAIT_2 after shutdown(SHUT_WR)', (o) => placeConnection('FIN_WAIT_2', { ...o, orphan: false }));
  h.advanceTo(1000);
  closeInFinWait2(h, conn!, fd);
  h.send(4000, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.send(5000, { flags: 'P', seq: h.pSeq(1), ack: 0, payload: 'noack' });
  h.expectNothingUntil(5000, 'no reply: an ACK carries nothing new, and a segment without ACK is dropped');
  expectState(h, conn!, 'FIN_WAIT_2', 'neither segment changes anything');
});
