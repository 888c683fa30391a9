/**
 * What an acceptable ACK does to the sending half (RFC 9293 §3.10.7.4 step 5, Linux tcp_ack):
 * SACK blocks onto the scoreboard, SND.UNA forward, the RTT sample, congestion control, loss
 * detection (RACK with SACK, three duplicate ACKs without), loss recovery, and which timer —
 * loss probe, reordering or RTO — now guards what is still outstanding.
 */
import type { TcpSegment } from '../wire/segment.ts';
import { seqGeq, seqGt, seqLt } from '../seq.ts';
import type { Connection } from './connection.ts';
import { timerPending } from './lifecycle.ts';
import { rttSample } from './rto.ts';
import { cwndReduction, endCwndReduction, initCwndReduction, onAck as ccOnAck, reduceOnce } from './congestion.ts';
import { ackRecords, applySack, checkRenoReordering, checkSackReordering, highestSacked, markLost, pipe, retransOut, sackedCount, type SackResult } from './sack-scoreboard.ts';
import { processTlpAck, rackAdvance, rackDetectLoss, rackDsackSeen, rackMarkLost, rackRecoveryEnded, rackUpdateReoWnd, scheduleLossProbe } from './rack.ts';
import { armRetransmit, cancelRetransmitTimers, retransmitRange } from './retransmit.ts';
import { sendLossProbe } from './send.ts';
import { freeAckedSkbs } from './send-buffer.ts';
import { CHRONO_BUSY, chronoStop } from './chrono.ts';

const NO_SACK: SackResult = { newlySacked: [], dsack: false, reord: null };

/**
 * Step 5 for the send side of a synchronized connection, once SEG.ACK is known not to be ahead
 * of SND.MAX. `duplicate` says the segment is a duplicate ACK in RFC 5681's sense (no data, no
 * window change, SEG.ACK = SND.UNA). Returns true when our FIN is now acknowledged.
 * The order is tcp_ack's: the scoreboard, SND.UNA, the loss-recovery state (tcp_fastretrans_alert),
 * then cwnd (tcp_cong_control), then the retransmissions it allows (tcp_xmit_recovery); new data
 * follows when the caller pushes.
 */
export function processAck(conn: Connection, seg: TcpSegment, duplicate: boolean): boolean {
  const advanced = seqGt(seg.ack, conn.sndUna);
  let sack = NO_SACK;
  const priorFack = conn.sackedOut > 0 ? highestSacked(conn) : conn.sndUna;
  if (conn.sackOk) {
    const opt = seg.options.find((o) => o.kind === 'sack');
    if (opt && opt.kind === 'sack') {
      sack = applySack(conn, seg.ack, opt.blocks);
      if (sack.dsack) {
        conn.host.mib.inc('TCPDSACKRecv');
        rackDsackSeen(conn, opt.blocks[0][0], opt.blocks[0][1]);
      }
      for (const r of sack.newlySacked) rackAdvance(conn, r);
      if (sack.reord !== null) checkSackReordering(conn, sack.reord);
    }
  }
  // Segments this ACK delivered, cumulatively or by SACK (tp->delivered − prior_delivered).
  let delivered = sack.newlySacked.length;
  let finAcked = false;
  if (advanced) {
    const acked = onAckAdvance(conn, seg);
    finAcked = acked.finAcked;
    delivered += acked.segments;
    // tcp_clean_rtx_queue: a hole below the highest SACK filled by a segment sent only once was
    // reordering, not loss; RACK then keeps its reordering window in recovery.
    if (conn.sackOk && acked.firstOriginal !== null && seqLt(acked.firstOriginal, priorFack)) checkSackReordering(conn, acked.firstOriginal);
  } else if (duplicate && !conn.sackOk) delivered += onDuplicateAck(conn);
  conn.delivered += delivered;
  rackUpdateReoWnd(conn);
  if (conn.tlpHighSeq !== null) processTlpAck(conn, seg.ack, advanced, sack.dsack, () => reduceOnce(conn));
  // tcp_fastretrans_alert, D: CWR is held until something above high_seq is acknowledged, so
  // that the peer has seen it.
  if (conn.caState === 'cwr' && seqGt(conn.sndUna, conn.highSeq)) {
    endCwndReduction(conn);
    conn.caState = 'open';
  }
  // A recovery episode ends once SND.UNA reaches what was out when it began. Without SACK, Reno
  // holds recovery until something above it is acknowledged (RFC 6582 §3.2 step 6's "false fast
  // retransmit" guard, tcp_try_undo_recovery). Disorder is no episode: it ends below, once
  // nothing is left out.
  if ((conn.caState === 'recovery' || conn.caState === 'loss') && seqGeq(conn.sndUna, conn.highSeq)) {
    rackRecoveryEnded(conn);
    if (conn.caState === 'loss') conn.caState = 'open';
    else if (conn.sackOk || conn.sndUna !== conn.highSeq) {
      conn.renoSackedOut = 0;
      endCwndReduction(conn);
      conn.caState = 'open';
    }
  }
  // E: what is lost now, and whether recovery starts.
  let newlyLost = 0;
  let reoArmed = false;
  // With SACK, RACK is 6.18's only loss detection: tcp_recovery's bit 0 no longer turns it off
  // (measured, KERNEL.md finding 34); without SACK, NewReno's duplicate ACKs.
  if (conn.sackOk) {
    if (conn.sndUna !== conn.sndMax) {
      const lost = rackMarkLost(conn, onReorderTimeout);
      reoArmed = timerPending(conn, 'reorder');
      newlyLost = lost.length;
      if (lost.length) startRecovery(conn);
    }
  } else newlyLost = newRenoMarkLost(conn, advanced);
  // tcp_try_to_open: no loss proven on a "dubious" ACK (a duplicate, one that SACKed something, or
  // any ACK outside Open): Disorder while anything is SACKed, marked lost or was resent.
  if ((conn.caState === 'open' || conn.caState === 'disorder') && (duplicate || sack.newlySacked.length > 0 || conn.caState === 'disorder')) tryKeepOpen(conn);
  // tcp_cong_control: PRR while recovering; otherwise grow on an ACK of new data — or, once
  // reordering beyond net.ipv4.tcp_reordering was seen, on any delivery, SACKed ones included
  // (tcp_may_raise_cwnd).
  if (conn.caState === 'recovery' || conn.caState === 'cwr') cwndReduction(conn, delivered, newlyLost, advanced);
  else if (advanced || (delivered > 0 && conn.reordering > conn.host.sysctl.get('net.ipv4.tcp_reordering'))) ccOnAck(conn, delivered);
  if (conn.caState === 'recovery') retransmitLost(conn);
  // tcp_set_xmit_timer, on an ACK that acknowledged or SACKed something.
  if ((advanced || sack.newlySacked.length) && !reoArmed) setXmitTimer(conn);
  return finAcked;
}

/** Everything up to SND.UNA acknowledged: stop; else a loss probe if RACK-TLP applies, else the RTO from now. */
function setXmitTimer(conn: Connection): void {
  if (conn.sndUna === conn.sndMax) {
    cancelRetransmitTimers(conn);
    return;
  }
  if (!scheduleLossProbe(conn, conn.now + conn.rto, sendLossProbe)) armRetransmit(conn);
}

/**
 * tcp_try_keep_open: Disorder while anything is SACKed or marked lost (tcp_left_out) or a resend
 * is still unacknowledged (tcp_any_retrans_done), else Open; a change of state starts a new
 * high_seq.
 */
function tryKeepOpen(conn: Connection): void {
  const state = sackedCount(conn) + conn.lostOut > 0 || (conn.rtx.length > 0 && conn.rtx[0].retrans) || retransOut(conn) > 0 ? 'disorder' : 'open';
  if (conn.caState !== state) {
    conn.caState = state;
    conn.highSeq = conn.sndNxt;
  }
}

/** tcp_enter_recovery: once per loss episode, until SND.UNA passes what was out when it began. */
function startRecovery(conn: Connection): void {
  if (conn.caState === 'recovery') return;
  conn.host.mib.inc(conn.sackOk ? 'TCPSackRecovery' : 'TCPRenoRecovery');
  // A reduction already under way (CWR) goes on; Recovery does not start another.
  if (conn.caState !== 'cwr') initCwndReduction(conn);
  conn.caState = 'recovery';
}

/**
 * Without SACK (tcp_newreno_mark_lost): the third duplicate ACK marks the head lost and starts
 * recovery; in recovery, an ACK that moves SND.UNA without reaching the recovery point (a partial
 * ACK, RFC 6582) marks the new head lost. Returns the segments newly marked.
 */
function newRenoMarkLost(conn: Connection, advanced: boolean): number {
  const head = conn.rtx[0];
  if (!head || head.lost) return 0;
  if (conn.caState === 'recovery' ? !advanced || head.retrans : conn.renoSackedOut < conn.reordering) return 0;
  markLost(conn, head);
  if (conn.caState !== 'recovery') startRecovery(conn);
  return 1;
}

/**
 * tcp_xmit_retransmit_queue: resend the segments marked lost, oldest first, while the pipe
 * (segments believed in the network) is below cwnd — PRR has just set cwnd to the pipe plus what
 * may go now, at least one on the first ACK (the fast retransmission).
 */
function retransmitLost(conn: Connection): void {
  let room = Math.floor(conn.cwnd) - pipe(conn);
  for (const r of conn.rtx) {
    if (room <= 0 || conn.lostOut === 0) break;
    if (!r.lost) continue;
    if (seqLt(r.seq, conn.sndUna)) continue;
    // Every segment resent here counts, as tcp_xmit_retransmit_queue adds one per packet.
    conn.host.mib.inc('TCPFastRetrans');
    retransmitRange(conn, r.seq, (r.end - r.seq) >>> 0);
    conn.prrOut++;
    room--;
  }
}

/** tcp_rack_reo_timeout: segments whose reordering allowance ran out are lost now. */
function onReorderTimeout(conn: Connection): void {
  const { lost } = rackDetectLoss(conn);
  if (lost.length) {
    if (conn.caState !== 'recovery') {
      startRecovery(conn);
      cwndReduction(conn, 1, lost.length, false);
    }
    retransmitLost(conn);
  }
  if (conn.sndUna !== conn.sndMax && !timerPending(conn, 'retransmit') && !timerPending(conn, 'reorder')) armRetransmit(conn);
}

/**
 * SND.UNA < SEG.ACK ≤ SND.MAX: drop what is acknowledged and take the RTT sample. Returns whether
 * our FIN is now acknowledged, how many segments this delivered (not counting ones already
 * SACKed, which were delivered then) and where the first of them never resent began.
 */
export function onAckAdvance(conn: Connection, seg: TcpSegment): { finAcked: boolean; segments: number; firstOriginal: number | null } {
  // Bytes of data acknowledged: everything up to SEG.ACK except a FIN's sequence number.
  // Our FIN sits right after the last queued byte. An RTO rewind clears finSent, but a peer that
  // already holds the FIN out of order may acknowledge it before we send it again; SEG.ACK was
  // checked to be ≤ SND.MAX, so an ACK beyond the data proves the FIN went out and arrived.
  const finSeq = (conn.sendQueueSeq + conn.sendQueue.length) >>> 0;
  const finAcked = conn.finQueued && seqGt(seg.ack, finSeq);
  if (finAcked) {
    conn.finSeq = finSeq;
    conn.finSent = true;
  }
  const dataEnd = finAcked ? finSeq : seg.ack;
  const dataAcked = Math.max(0, (dataEnd - conn.sendQueueSeq) | 0);
  conn.sendQueue.drop(dataAcked);
  conn.sendQueueSeq = (conn.sendQueueSeq + dataAcked) >>> 0;
  if (dataAcked > 0) freeAckedSkbs(conn);
  conn.sndUna = seg.ack;
  if (seqLt(conn.sndNxt, conn.sndUna)) conn.sndNxt = conn.sndUna;
  const before = conn.rtx.length;
  let segments = 0;
  let firstOriginal: number | null = null;
  ackRecords(conn, seg.ack, (r) => {
    segments++;
    if (firstOriginal === null && !r.retrans) firstOriginal = r.seq;
    rackAdvance(conn, r);
  });
  const acked = before - conn.rtx.length;
  // tcp_clean_rtx_queue emptied the retransmission queue.
  if (acked > 0 && conn.rtx.length === 0) chronoStop(conn, CHRONO_BUSY);
  if (!conn.sackOk && acked > 0) {
    // tcp_remove_reno_sacks: one acknowledged segment fills the hole, the rest were already
    // counted by duplicate ACKs.
    segments = Math.max(acked - conn.renoSackedOut, 1);
    conn.renoSackedOut = Math.max(0, conn.renoSackedOut - Math.max(acked - 1, 0));
    checkRenoReordering(conn, acked);
  }
  if (conn.rttTime >= 0 && seqGeq(seg.ack, conn.rttSeq)) {
    rttSample(conn, conn.now - conn.rttTime);
    conn.rttTime = -1;
    // RFC 6298 §5 (Karn), Linux tcp_ack_update_rtt: only a valid RTT sample collapses the
    // backed-off RTO; an ACK of retransmitted data leaves it doubled.
    conn.backoff = 0;
  }
  // Progress: RFC 6298 §5.3 restarts the timer with the current RTO.
  conn.retransmits = 0;
  conn.retransStamp = 0;
  return { finAcked, segments, firstOriginal };
}

/**
 * A duplicate ACK while data is outstanding (RFC 5681 §3.2). Without SACK it stands for one
 * segment that left the network (tcp_add_reno_sack, never more than leaves one hole:
 * tcp_limit_reno_sacked); returns the segments it delivered.
 */
export function onDuplicateAck(conn: Connection): number {
  if (conn.sndUna === conn.sndMax || conn.sackOk) return 0;
  const prior = conn.renoSackedOut;
  conn.renoSackedOut++;
  checkRenoReordering(conn, 0);
  return conn.renoSackedOut - prior;
}
