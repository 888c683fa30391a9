/**
 * Undoing a congestion-window reduction that turns out needless, as Linux 6.18 does it
 * (net/ipv4/tcp_input.c, tcp_try_undo_*): the segments believed lost had only been delayed or
 * reordered. Three kinds of evidence: an ACK echoing a timestamp older than our first resend (the
 * original arrived: RFC 3522 Eifel detection, tcp_packet_delayed); D-SACKs reporting every resend
 * as a duplicate (RFC 3708, undo_retrans reaching 0); and, after a timeout, F-RTO's ACK of data
 * sent only once (RFC 5682, ack.ts's processLoss). The undo puts cwnd back to at least what it was
 * and ssthresh to its value before the reduction (tcp_undo_cwnd_reduction with Reno's undo_cwnd).
 */
import { seqGt, seqLeq, seqLt } from '../seq.ts';
import type { Connection } from './connection.ts';
import { tsClockAt } from './output.ts';
import { dsackSegments, retransOut } from './sack-scoreboard.ts';
import { rackRecoveryEnded, rackRecoveryUndone } from './rack.ts';

/**
 * tcp_init_undo, when Recovery or Loss begins: remember SND.UNA, and count the resends already in
 * flight (a loss probe's resend included) as ones a D-SACK must still report — −1 when there are
 * none, because 0 means "every resend was a duplicate".
 */
export function initUndo(conn: Connection): void {
  conn.undoMarker = conn.sndUna;
  let inFlight = retransOut(conn);
  if (conn.tlpHighSeq !== null && conn.tlpRetrans) inFlight++;
  conn.undoRetrans = inFlight || -1;
}

/**
 * tcp_packet_delayed: the ACK echoes a TS val older than our first resend of the episode, so it
 * answers an original transmission. `tsEcr` is the ACK's TS ecr (undefined: no timestamp).
 */
function packetDelayed(conn: Connection, tsEcr: number | undefined): boolean {
  if (conn.undoStamp === null || !tsEcr) return false;
  return seqLt(tsEcr, tsClockAt(conn.host, conn.tsOffset, conn.undoStamp));
}

/** tcp_may_undo: a reduction to undo, and either every resend reported duplicate or the ACK proves the original arrived. */
function mayUndo(conn: Connection, tsEcr: number | undefined): boolean {
  return conn.undoMarker !== null && (conn.undoRetrans === 0 || packetDelayed(conn, tsEcr));
}

/**
 * tcp_undo_cwnd_reduction: cwnd back to at least prior_cwnd (tcp_reno_undo_cwnd), ssthresh back
 * to prior_ssthresh if that was larger, no more undo for this episode. With `unmarkLoss` nothing
 * is believed lost any more: what a timeout's go-back-N had not yet resent counts as in flight again.
 */
export function undoCwndReduction(conn: Connection, unmarkLoss: boolean): void {
  if (unmarkLoss) {
    for (const r of conn.rtx) {
      r.lost = false;
      r.markedLost = false;
    }
    conn.lostOut = 0;
    if (seqLt(conn.sndNxt, conn.sndMax)) {
      conn.sndNxt = conn.sndMax;
      // The go-back-N rewind forgot a FIN that had gone out; SND.MAX still covers it.
      const finSeq = (conn.sendQueueSeq + conn.sendQueue.length) >>> 0;
      if (conn.finQueued && seqGt(conn.sndMax, finSeq)) {
        conn.finSeq = finSeq;
        conn.finSent = true;
      }
    }
  }
  if (conn.priorSsthresh) {
    conn.cwnd = Math.max(conn.cwnd, conn.priorCwnd);
    if (conn.priorSsthresh > conn.ssthresh) conn.ssthresh = conn.priorSsthresh;
  }
  conn.cwndStamp = conn.now;
  conn.undoMarker = null;
  // RACK looks at the scoreboard again on this ACK.
  conn.rack.advanced = true;
}

/**
 * tcp_is_non_sack_preventing_reopen: without SACK the state holds at SND.UNA = high_seq until
 * something above it is acknowledged (RFC 6582's guard against a false fast retransmit).
 */
export function renoPreventsReopen(conn: Connection): boolean {
  if (conn.sackOk || conn.sndUna !== conn.highSeq) return false;
  if (!anyRetransDone(conn)) conn.undoStamp = null;
  return true;
}

/** tcp_any_retrans_done: a resend is in flight, or the head was ever resent. */
export function anyRetransDone(conn: Connection): boolean {
  return retransOut(conn) > 0 || (conn.rtx.length > 0 && conn.rtx[0].retrans);
}

/**
 * tcp_try_undo_recovery, once SND.UNA has reached high_seq in Recovery or Loss: undo if the
 * episode's resends proved needless (TCPFullUndo, or TCPLossUndo after a timeout). Returns true
 * when the state must hold (renoPreventsReopen); otherwise the caller opens it.
 */
export function tryUndoRecovery(conn: Connection, tsEcr: number | undefined): boolean {
  if (mayUndo(conn, tsEcr)) {
    undoCwndReduction(conn, false);
    conn.host.mib.inc(conn.caState === 'loss' ? 'TCPLossUndo' : 'TCPFullUndo');
  } else rackRecoveryEnded(conn);
  return renoPreventsReopen(conn);
}

/** tcp_try_undo_dsack: D-SACKs have reported every resend of the episode as a duplicate. */
export function tryUndoDsack(conn: Connection): boolean {
  if (conn.undoMarker === null || conn.undoRetrans !== 0) return false;
  rackRecoveryUndone(conn);
  undoCwndReduction(conn, false);
  conn.host.mib.inc('TCPDSACKUndo');
  return true;
}

/**
 * tcp_try_undo_loss, in Loss on an ACK that advanced SND.UNA (by timestamps or D-SACKs) or, with
 * `frtoUndo`, on F-RTO's proof that data sent only once arrived (TCPSpuriousRTOs). The timeout's
 * losses are unmarked; the state becomes Open unless Reno must hold it. Returns whether it undid.
 */
export function tryUndoLoss(conn: Connection, frtoUndo: boolean, tsEcr: number | undefined): boolean {
  if (!frtoUndo && !mayUndo(conn, tsEcr)) return false;
  undoCwndReduction(conn, true);
  conn.host.mib.inc('TCPLossUndo');
  if (frtoUndo) conn.host.mib.inc('TCPSpuriousRTOs');
  conn.retransmits = 0;
  if (renoPreventsReopen(conn)) return true;
  if (frtoUndo || conn.sackOk) conn.caState = 'open';
  return true;
}

/**
 * tcp_try_undo_partial, on an ACK that advanced SND.UNA short of high_seq in Recovery: if the ACK
 * answers an original (timestamps), the hole was reordering, not loss. With resends still in
 * flight the state holds (returns true: no more is marked lost or resent on this ACK); otherwise
 * the reduction is undone (TCPPartialUndo) and the caller tries to open.
 */
export function tryUndoPartial(conn: Connection, priorUna: number, tsEcr: number | undefined, checkReordering: (lowSeq: number) => void): 'hold' | 'undone' | 'no' {
  if (conn.undoMarker === null || !packetDelayed(conn, tsEcr)) return 'no';
  checkReordering(priorUna);
  if (retransOut(conn) > 0) return 'hold';
  if (!anyRetransDone(conn)) conn.undoStamp = null;
  undoCwndReduction(conn, true);
  conn.host.mib.inc('TCPPartialUndo');
  return 'undone';
}

/**
 * The undo's share of a D-SACK (tcp_check_dsack, tcp_sacktag_one): a duplicate reported for data
 * resent since undoMarker brings undo_retrans closer to 0 — below SND.UNA by the block's size in
 * segments, within the queue by each resent segment it covers. `priorUna` is SND.UNA before this ACK.
 */
export function countDsack(conn: Connection, block: readonly [number, number], priorUna: number): void {
  if (conn.undoMarker === null || conn.undoRetrans <= 0) return;
  const [start, end] = block;
  // tcp_dsack_seen: an empty or implausibly large range (beyond any window offered) is ignored.
  const dups = dsackSegments(conn, start, end);
  if (dups === 0) return;
  if (seqLeq(end, priorUna)) {
    if (seqGt(end, conn.undoMarker)) conn.undoRetrans = Math.max(0, conn.undoRetrans - dups);
    return;
  }
  for (const r of conn.rtx) {
    if (!seqLt(r.seq, end)) break;
    if (r.retrans && seqLeq(start, r.seq) && seqLeq(r.end, end) && seqGt(r.end, conn.undoMarker) && conn.undoRetrans > 0) conn.undoRetrans--;
  }
}
