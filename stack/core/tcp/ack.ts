/**
 * What an acceptable ACK does to the sending half (RFC 9293 §3.10.7.4 step 5, Linux tcp_ack):
 * SACK blocks onto the scoreboard, SND.UNA forward, the RTT sample, congestion control, loss
 * detection (RACK with SACK, three duplicate ACKs without), loss recovery, and which timer —
 * loss probe, reordering or RTO — now guards what is still outstanding.
 */
import { tsOption, type TcpSegment } from '../wire/segment.ts';
import { seqGeq, seqGt, seqLeq, seqLt, seqSub } from '../seq.ts';
import type { Connection } from './connection.ts';
import { timerPending } from './lifecycle.ts';
import { tsClock } from './output.ts';
import { rttSample } from './rto.ts';
import { cwndReduction, currentSsthresh, endCwndReduction, initCwndReduction, onAck as ccOnAck, reduceOnce } from './congestion.ts';
import { ackRecords, applySack, checkRenoReordering, checkSackReordering, highestSacked, markLost, pipe, retransOut, sackedCount, type SackResult, type SentSegment } from './sack-scoreboard.ts';
import { processTlpAck, rackAdvance, rackDetectLoss, rackDsackSeen, rackMarkLost, rackUpdateReoWnd, scheduleLossProbe } from './rack.ts';
import { armRetransmit, cancelRetransmitTimers, retransmitRange } from './retransmit.ts';
import { NAGLE_PUSH, pushData, sendLossProbe } from './send.ts';
import { bufferEndAfter, freeAckedSkbs } from './send-buffer.ts';
import { CHRONO_BUSY, chronoStop } from './chrono.ts';
import { countDsack, initUndo, tryUndoDsack, tryUndoLoss, tryUndoPartial, tryUndoRecovery } from './undo.ts';

const NO_SACK: SackResult = { newlySacked: [], dsack: false, reord: null };

/** tcp_ack's rexmit: what tcp_xmit_recovery sends after the ACK — nothing, new data (F-RTO), or what is marked lost. */
const REXMIT_NONE = 0;
const REXMIT_LOST = 1;
const REXMIT_NEW = 2;
type Rexmit = typeof REXMIT_NONE | typeof REXMIT_LOST | typeof REXMIT_NEW;

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
  const priorUna = conn.sndUna;
  let sack = NO_SACK;
  const priorFack = conn.sackedOut > 0 ? highestSacked(conn) : conn.sndUna;
  const tsEcr = conn.tsOk ? tsOption(seg)?.ecr : undefined;
  if (conn.sackOk) {
    const opt = seg.options.find((o) => o.kind === 'sack');
    if (opt && opt.kind === 'sack') {
      sack = applySack(conn, seg.ack, opt.blocks);
      if (sack.dsack) {
        conn.host.mib.inc('TCPDSACKRecv');
        // tcp_dsack_seen: a dubious D-SACK (wider than any window, or more duplicates than were
        // ever resent) counts for neither RACK nor the undo.
        if (rackDsackSeen(conn, opt.blocks[0][0], opt.blocks[0][1]) > 0) countDsack(conn, opt.blocks[0], priorUna);
      }
      for (const r of sack.newlySacked) rackAdvance(conn, r);
      // tcp_sacktag_write_queue: not in Loss, unless the timeout may still prove spurious.
      if (sack.reord !== null && (conn.caState !== 'loss' || conn.undoMarker !== null)) checkSackReordering(conn, sack.reord);
    }
  }
  // FLAG_ORIG_SACK_ACKED: data sent only once, from before high_seq, was delivered (F-RTO's proof).
  let origAcked = false;
  for (const r of sack.newlySacked) if (!r.retrans && seqLeq(r.end, conn.highSeq)) origAcked = true;
  // Segments this ACK delivered, cumulatively or by SACK (tp->delivered − prior_delivered).
  let delivered = sack.newlySacked.length;
  let finAcked = false;
  let firstAckt = -1;
  if (advanced) {
    const acked = onAckAdvance(conn, seg);
    finAcked = acked.finAcked;
    firstAckt = acked.firstAckt;
    delivered += acked.segments;
    // tcp_clean_rtx_queue: a hole below the highest SACK filled by a segment sent only once was
    // reordering, not loss; RACK then keeps its reordering window in recovery.
    if (conn.sackOk && acked.firstOriginal !== null && seqLt(acked.firstOriginal, priorFack)) checkSackReordering(conn, acked.firstOriginal);
    if (acked.firstOriginalEnd !== null && seqLeq(acked.firstOriginalEnd, conn.highSeq)) origAcked = true;
  } else if (duplicate && !conn.sackOk) delivered += onDuplicateAck(conn);
  ackUpdateRtt(conn, advanced, firstAckt, sack.newlySacked, tsEcr);
  conn.delivered += delivered;
  rackUpdateReoWnd(conn);
  if (conn.tlpHighSeq !== null) processTlpAck(conn, seg.ack, advanced, sack.dsack, () => reduceOnce(conn));
  // tcp_fastretrans_alert, D: an Open sender has no resend to date an undo from.
  if (conn.caState === 'open' && (duplicate || sack.newlySacked.length > 0 || sack.dsack)) conn.undoStamp = null;
  // tcp_fastretrans_alert, D: CWR is held until something above high_seq is acknowledged, so
  // that the peer has seen it.
  if (conn.caState === 'cwr' && seqGt(conn.sndUna, conn.highSeq)) {
    endCwndReduction(conn);
    conn.caState = 'open';
  }
  // A recovery episode ends once SND.UNA reaches what was out when it began, undone first if its
  // resends proved needless (tcp_try_undo_recovery; Loss ends in processLoss). Without SACK, Reno
  // holds recovery until something above it is acknowledged (RFC 6582 §3.2 step 6's "false fast
  // retransmit" guard). Disorder is no episode: it ends below, once nothing is left out.
  if (conn.caState === 'recovery' && seqGeq(conn.sndUna, conn.highSeq) && !tryUndoRecovery(conn, tsEcr)) {
    conn.renoSackedOut = 0;
    endCwndReduction(conn);
    conn.caState = 'open';
  }
  // E: in Loss, F-RTO and the undo of a spurious timeout; in Recovery, the undo when the ACK
  // answers an original (timestamps) or D-SACKs reported every resend; then what is lost now,
  // and whether recovery starts.
  let rexmit: Rexmit = REXMIT_NONE;
  const wasEpisode = conn.caState === 'loss' || conn.caState === 'recovery';
  let hold = false;
  if (conn.caState === 'loss') rexmit = processLoss(conn, seg, advanced, origAcked, sack.newlySacked.length > 0, duplicate && !sack.dsack, tsEcr);
  else if (conn.caState === 'recovery') {
    const partial = advanced ? tryUndoPartial(conn, priorUna, tsEcr, (low) => checkSackReordering(conn, low, true)) : 'no';
    if (partial === 'hold') hold = true;
    else if (partial === 'undone' || tryUndoDsack(conn)) tryKeepOpen(conn);
  } else if (conn.caState === 'open' || conn.caState === 'disorder') tryUndoDsack(conn);
  // Loss ended, or an undo ended Recovery: Linux falls through to the Open state's handling.
  const reopened = wasEpisode && conn.caState !== 'loss' && conn.caState !== 'recovery';
  let newlyLost = 0;
  let reoArmed = false;
  // With SACK, RACK is 6.18's only loss detection: tcp_recovery's bit 0 no longer turns it off
  // (measured, KERNEL.md finding 34); without SACK, NewReno's duplicate ACKs.
  if (hold) {
    // tcp_try_undo_partial found the original arrived while resends are still out: nothing more
    // is marked lost or resent on this ACK.
  } else if (conn.sackOk) {
    if (conn.sndUna !== conn.sndMax) {
      const lost = rackMarkLost(conn, onReorderTimeout);
      reoArmed = timerPending(conn, 'reorder');
      newlyLost = lost.length;
      if (lost.length) startRecovery(conn);
    }
  } else newlyLost = newRenoMarkLost(conn, advanced);
  // tcp_try_to_open: no loss proven on a "dubious" ACK (a duplicate, one that SACKed something, or
  // any ACK outside Open, such as one that just reopened it): Disorder while anything is SACKed,
  // marked lost or was resent.
  if ((conn.caState === 'open' || conn.caState === 'disorder') && (duplicate || sack.newlySacked.length > 0 || conn.caState === 'disorder' || reopened)) tryKeepOpen(conn);
  // tcp_cong_control: PRR while recovering; otherwise grow on an ACK of new data — or, once
  // reordering beyond net.ipv4.tcp_reordering was seen, on any delivery, SACKed ones included
  // (tcp_may_raise_cwnd).
  if (conn.caState === 'recovery' || conn.caState === 'cwr') cwndReduction(conn, delivered, newlyLost, advanced);
  else if (advanced || (delivered > 0 && conn.reordering > conn.host.sysctl.get('net.ipv4.tcp_reordering'))) ccOnAck(conn, delivered);
  // tcp_xmit_recovery.
  if (rexmit === REXMIT_NEW) {
    // F-RTO step 2.b: new data, past what the timeout's go-back-N would resend, without Nagle.
    const goBack = conn.sndNxt;
    conn.sndNxt = conn.sndMax;
    pushData(conn, NAGLE_PUSH);
    if (!seqGt(conn.sndMax, conn.highSeq)) {
      conn.frto = false;
      conn.sndNxt = goBack;
    }
  }
  if (conn.caState === 'recovery' && !hold) retransmitLost(conn);
  // In Loss the timeout's go-back-N (send.ts, from SND.NXT) resends; once F-RTO has sent past
  // it, what is still marked lost is resent from the scoreboard.
  else if (conn.caState === 'loss' && rexmit !== REXMIT_NONE && conn.sndNxt === conn.sndMax) retransmitLost(conn);
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

/**
 * tcp_enter_recovery: once per loss episode, until SND.UNA passes what was out when it began.
 * What to undo to is remembered, unless CWR's reduction (which no undo restores) is under way.
 */
function startRecovery(conn: Connection): void {
  if (conn.caState === 'recovery') return;
  conn.host.mib.inc(conn.sackOk ? 'TCPSackRecovery' : 'TCPRenoRecovery');
  conn.priorSsthresh = 0;
  initUndo(conn);
  // A reduction already under way (CWR) goes on; Recovery does not start another.
  if (conn.caState !== 'cwr') {
    conn.priorSsthresh = currentSsthresh(conn);
    initCwndReduction(conn);
  }
  conn.caState = 'recovery';
}

/**
 * tcp_ack_update_rtt: every ACK that can be timed gives an RTT sample — from the first newly
 * acknowledged segment sent only once, else from the first newly SACKed one, else (when all it
 * acknowledged was resent) from the timestamp it echoes. A valid sample ends the RTO's backoff
 * (RFC 6298 §5); an ACK of resent data without timestamps leaves it doubled.
 */
function ackUpdateRtt(conn: Connection, advanced: boolean, firstAckt: number, newlySacked: readonly SentSegment[], tsEcr: number | undefined): void {
  let rtt = firstAckt >= 0 ? conn.now - firstAckt : -1;
  if (rtt < 0) {
    let first: SentSegment | null = null;
    for (const r of newlySacked) if (!r.retrans && (first === null || seqLt(r.seq, first.seq))) first = r;
    if (first !== null) rtt = conn.now - first.xmitAt;
  }
  // tcp_rtt_tsopt_us: whole TS ticks (1 ms), at least one. (tsEcr is only read with timestamps on.)
  if (rtt < 0 && advanced && tsEcr) rtt = Math.max(seqSub(tsClock(conn.host, conn.tsOffset), tsEcr), 1);
  if (rtt < 0) return;
  rttSample(conn, rtt);
  conn.backoff = 0;
}

/**
 * tcp_process_loss (RFC 5682 §3.1, the SACK-enhanced F-RTO): an ACK in Loss. An ACK of new data
 * that proves the resends needless (timestamps, D-SACKs) undoes the timeout. Under F-RTO, data sent
 * only once being delivered proves the timeout spurious (step 3.b); a SACK or duplicate ACK after
 * F-RTO's new data proves the loss real (3.a); the first ACK that advances SND.UNA sends new data
 * if there is some and the window allows (2.b), else F-RTO ends. Once SND.UNA reaches high_seq
 * the episode is over. Returns what tcp_xmit_recovery is to send.
 */
function processLoss(conn: Connection, seg: TcpSegment, advanced: boolean, origAcked: boolean, dataSacked: boolean, dupack: boolean, tsEcr: number | undefined): Rexmit {
  const recovered = seqGeq(conn.sndUna, conn.highSeq);
  if (advanced && tryUndoLoss(conn, false, tsEcr)) return REXMIT_NONE;
  if (conn.frto) {
    if (origAcked && tryUndoLoss(conn, true, tsEcr)) return REXMIT_NONE;
    if (seqGt(conn.sndMax, conn.highSeq)) {
      if (dataSacked || dupack) conn.frto = false;
    } else if (advanced && !recovered) {
      conn.highSeq = conn.sndMax;
      // tcp_write_queue_empty and tcp_wnd_end: data (or a FIN) never sent, and room for it in the
      // window this ACK offers.
      const queueEnd = (conn.sendQueueSeq + conn.sendQueue.length + (conn.finQueued ? 1 : 0)) >>> 0;
      const wndEnd = (seg.ack + seg.window * 2 ** conn.sndWscale) >>> 0;
      if (seqGt(queueEnd, conn.sndMax) && seqGt(wndEnd, conn.sndMax)) return REXMIT_NEW;
      conn.frto = false;
    }
  }
  if (recovered) {
    if (!tryUndoRecovery(conn, tsEcr)) conn.caState = 'open';
    return REXMIT_NONE;
  }
  return REXMIT_LOST;
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
 * may go now, at least one on the first ACK (the fast retransmission). Resending the head
 * restarts the RTO from now unless RACK's reordering timer stands in for it (measured on 6.18:
 * without SACK, the RTO after a fast retransmission on the third duplicate ACK fires 300 ms after
 * that resend, not after the original; teardown/frto-off-after-recovery). Lost segments that
 * follow each other within one sent buffer leave as one packet of up to cwnd's room
 * (tcp_retransmit_skb resends a whole skb, or its first `segs` segments), and a packet of several
 * ends with PSH (KERNEL.md finding 58); a SACKed segment splits its buffer (tcp_fragment), so it
 * ends a packet.
 */
function retransmitLost(conn: Connection): void {
  let room = Math.floor(conn.cwnd) - pipe(conn);
  const fast = conn.caState !== 'loss';
  let rearm = false;
  const q = conn.rtx;
  for (let i = 0; i < q.length; i++) {
    if (room <= 0 || conn.lostOut === 0) break;
    const r = q[i];
    if (!r.lost) continue;
    if (seqLt(r.seq, conn.sndUna)) continue;
    if (r === conn.rtx[0] && !timerPending(conn, 'reorder')) rearm = true;
    const bufferEnd = bufferEndAfter(conn, r.seq);
    let j = i;
    while (j + 1 - i < room && j + 1 < q.length && q[j + 1].lost && q[j + 1].seq === q[j].end && !seqGt(q[j + 1].end, bufferEnd)) j++;
    for (let k = i; k <= j; k++) {
      // Every segment resent here counts, as tcp_xmit_retransmit_queue adds one per packet (in
      // Loss as TCPSlowStartRetrans, which is not kept); prr_out only while PRR runs.
      if (fast) conn.host.mib.inc('TCPFastRetrans');
      retransmitRange(conn, q[k].seq, (q[k].end - q[k].seq) >>> 0, k === j && j > i);
      if (fast) conn.prrOut++;
      room--;
    }
    i = j;
  }
  if (rearm) armRetransmit(conn);
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
 * SACKed, which were delivered then) and where the first of them never resent began and ended.
 */
export function onAckAdvance(conn: Connection, seg: TcpSegment): { finAcked: boolean; segments: number; firstOriginal: number | null; firstOriginalEnd: number | null; firstAckt: number } {
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
  conn.bytesAcked += (seg.ack - conn.sndUna) >>> 0;
  conn.sndUna = seg.ack;
  if (seqLt(conn.sndNxt, conn.sndUna)) conn.sndNxt = conn.sndUna;
  const before = conn.rtx.length;
  let segments = 0;
  let firstOriginal: number | null = null;
  let firstOriginalEnd: number | null = null;
  let firstAckt = -1;
  const retransAcked = ackRecords(conn, seg.ack, (r) => {
    segments++;
    if (firstOriginal === null && !r.retrans) {
      firstOriginal = r.seq;
      firstOriginalEnd = r.end;
      firstAckt = r.xmitAt;
    }
    rackAdvance(conn, r);
  });
  // Karn's rule (RFC 6298 §3, FLAG_RETRANS_DATA_ACKED): no sample from the ACK's timing when it
  // covers anything sent twice.
  if (retransAcked) firstAckt = -1;
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
  // Progress: RFC 6298 §5.3 restarts the timer with the current RTO.
  conn.retransmits = 0;
  conn.retransStamp = 0;
  return { finAcked, segments, firstOriginal, firstOriginalEnd, firstAckt };
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
