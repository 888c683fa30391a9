/**
 * Visible tests of the teardown lab: one friendly check per task, shown to the learner with
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
