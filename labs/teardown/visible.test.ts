/**
 * Visible tests of the teardown lab: a check for each family of behaviour of each task, shown to the learner with
 * every step. The hidden tests check the same behaviours and many more edge cases.
 */
import { labTest } from '../kit/scoring.ts';
import { placeConnection } from '../../stack/testing/placed.ts';
import { closeInFinWait2, enterTimeWaitAsOnFin, expectClosed, expectLastsUntil, expectState } from './support.ts';

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
});
