/**
 * RACK-TLP (RFC 8985) as Linux 6.18 runs it (RACK loss detection on every SACK connection —
 * tcp_recovery's bit 0 no longer turns it off, KERNEL.md finding 34; tcp_early_retrans = 3: tail
 * loss probes; net/ipv4/tcp_recovery.c, tcp_output.c
 * tcp_schedule_loss_probe / tcp_send_loss_probe; gVisor rack.go).
 *
 * RACK: a segment is lost once a segment sent after it has been delivered and more than the
 * latest RTT plus a reordering window has passed since it left. TLP: when the sender goes quiet
 * with data outstanding, one segment is sent ~2 RTT later (new data if the window allows, else
 * the last segment again), so that a lost tail draws a SACK and RACK instead of an RTO.
 */
import type { Connection } from './connection.ts';
import { cancelTimer, setTimer, timerPending } from './lifecycle.ts';
import { dsackSegments, markLost, sackedCount, type SentSegment } from './sack-scoreboard.ts';
import { canSend } from './state-classes.ts';
import { TCP_TIMEOUT_MIN_JIFFIES, jiffiesDelay } from './jiffies.ts';

/** TCP_TIMEOUT_MIN_US: added to the PTO with more than one segment out. */
const TIMEOUT_MIN_MS = 2;
/** TCP_TIMEOUT_INIT: the PTO before any RTT sample. */
const PTO_NO_RTT_MS = 1000;

/** tcp_rack_sent_after: was (t1, seq1) sent after (t2, seq2)? Equal times are ordered by sequence. */
function sentAfter(t1: number, t2: number, seq1: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && ((seq1 - seq2) | 0) > 0);
}

/** tcp_rack_advance: a segment was delivered (cumulatively or by SACK). */
export function rackAdvance(conn: Connection, r: SentSegment): void {
  // tcp_rate_skb_delivered: the ACK's prior_delivered is what had been delivered when the latest
  // of the segments it delivers left.
  if (r.txDelivered > conn.rack.priorDelivered) conn.rack.priorDelivered = r.txDelivered;
  const rtt = conn.now - r.xmitAt;
  // A retransmitted segment's delivery is ambiguous; trust it only if it cannot be the original's.
  if (r.retrans && rtt < conn.minRtt) return;
  if (!r.retrans && rtt < conn.minRtt) conn.minRtt = rtt;
  conn.rack.advanced = true;
  conn.rack.rtt = rtt;
  if (conn.rack.xmitAt < 0 || sentAfter(r.xmitAt, conn.rack.xmitAt, r.end, conn.rack.endSeq)) {
    conn.rack.xmitAt = r.xmitAt;
    conn.rack.endSeq = r.end;
  }
}

/** tcp_recovery bit 1 (TCP_RACK_STATIC_REO_WND): the reordering window stays min_RTT/4. */
const RACK_STATIC_REO_WND = 2;
/** tcp_recovery bit 2 (TCP_RACK_NO_DUPTHRESH): RACK keeps its window however many are SACKed. */
const RACK_NO_DUPTHRESH = 4;
/** TCP_RACK_RECOVERY_THRESH: recoveries without a D-SACK before the window shrinks back to one step. */
const RACK_RECOVERY_THRESH = 16;

/**
 * tcp_dsack_seen: the ACK's first SACK block [start, end) is a D-SACK (RFC 2883). It counts the
 * duplicate segments (tp->dsack_dups, delivered too); unless more were reported than were ever
 * resent, or it covers a loss probe (TLP is timer-driven, not RACK's doing), a D-SACK after
 * reordering was seen means RACK's window may have been too short: rackUpdateReoWnd widens it.
 * Returns the duplicate segments it counted (0: a dubious D-SACK).
 */
export function rackDsackSeen(conn: Connection, start: number, end: number): number {
  const dups = dsackSegments(conn, start, end);
  if (dups === 0) return 0;
  // A one-segment D-SACK ending where the loss probe ended reports the probe.
  const tlp = ((end - start) | 0) <= conn.mss && conn.tlpHighSeq !== null && conn.tlpHighSeq === end;
  conn.dsackDups += dups;
  if (conn.dsackDups > conn.totalRetrans) return 0;
  if (conn.reordSeen && !tlp) conn.rack.dsackSeen = true;
  conn.delivered += dups;
  return dups;
}

/**
 * tcp_rack_update_reo_wnd, once per ACK after the scoreboard: a D-SACK seen since the window last
 * grew (and about a segment sent after that, so at most once a round trip) adds a step of
 * min_RTT/4 and holds the new width for 16 recoveries; once they are used up without another
 * D-SACK it is one step again. tcp_recovery bit 1 keeps it at one step. Measured on 6.18: 25,
 * 50, 75 ms with min_RTT 100 ms over three rounds each ending in a D-SACK (KERNEL.md finding 56).
 */
export function rackUpdateReoWnd(conn: Connection): void {
  const rack = conn.rack;
  const prior = rack.priorDelivered;
  rack.priorDelivered = 0;
  if (conn.host.sysctl.get('net.ipv4.tcp_recovery') & RACK_STATIC_REO_WND || prior === 0) return;
  if (prior < rack.lastDelivered) rack.dsackSeen = false;
  if (rack.dsackSeen) {
    rack.reoWndSteps = Math.min(255, rack.reoWndSteps + 1);
    rack.dsackSeen = false;
    rack.lastDelivered = conn.delivered;
    rack.reoWndPersist = RACK_RECOVERY_THRESH;
  } else if (rack.reoWndPersist === 0) rack.reoWndSteps = 1;
}

/**
 * tcp_try_undo_recovery without an undo: a recovery (or loss) episode ended, one of the 16 that
 * hold a widened window is used up. (When Linux undoes the episode instead, the count stays.)
 */
export function rackRecoveryEnded(conn: Connection): void {
  if (conn.rack.reoWndPersist > 0) conn.rack.reoWndPersist--;
}

/**
 * tcp_try_undo_dsack: D-SACKs proved an episode's resends needless, so reordering fooled RACK:
 * the widened window is held for one recovery more (up to the 16).
 */
export function rackRecoveryUndone(conn: Connection): void {
  conn.rack.reoWndPersist = Math.min(RACK_RECOVERY_THRESH, conn.rack.reoWndPersist + 1);
}

/**
 * tcp_rack_reo_wnd: until reordering is seen, no allowance in Recovery or Loss, nor once as many
 * segments as the reordering degree are SACKed; else reo_wnd_steps × min_RTT/4, at most SRTT.
 */
function reoWnd(conn: Connection): number {
  if (!conn.reordSeen) {
    if (conn.caState === 'recovery' || conn.caState === 'loss') return 0;
    if (sackedCount(conn) >= conn.reordering && !(conn.host.sysctl.get('net.ipv4.tcp_recovery') & RACK_NO_DUPTHRESH)) return 0;
  }
  const minRtt = Number.isFinite(conn.minRtt) ? conn.minRtt : 0;
  return Math.min((minRtt / 4) * conn.rack.reoWndSteps, conn.srtt);
}

/**
 * tcp_rack_detect_loss: marks lost every segment sent before the latest delivered one whose
 * time is up; returns the segments newly marked and how long until the next one's time is up (0: none).
 */
export function rackDetectLoss(conn: Connection): { lost: SentSegment[]; reoTimeout: number } {
  const lost: SentSegment[] = [];
  let reoTimeout = 0;
  if (conn.rack.xmitAt < 0) return { lost, reoTimeout };
  const wnd = reoWnd(conn);
  for (const r of conn.rtx) {
    if (r.sacked || r.lost) continue;
    if (!sentAfter(conn.rack.xmitAt, r.xmitAt, conn.rack.endSeq, r.end)) {
      // Records are in sequence order, which is send order for all but resent ones (sent later
      // still): the first never-resent record sent after the latest delivery ends the search, as
      // the walk of Linux's time-sorted list does — one step per ACK without loss.
      if (!r.retrans) break;
      continue;
    }
    const remaining = r.xmitAt + conn.rack.rtt + wnd - conn.now;
    if (remaining <= 0) {
      markLost(conn, r);
      lost.push(r);
    } else reoTimeout = Math.max(reoTimeout, remaining);
  }
  return { lost, reoTimeout };
}

/**
 * tcp_rack_mark_lost after an ACK: runs detection once per delivery, and arms the reordering
 * timer (which replaces the retransmission timer) for segments not yet due.
 */
export function rackMarkLost(conn: Connection, onReoTimeout: (c: Connection) => void): SentSegment[] {
  if (!conn.rack.advanced) return [];
  conn.rack.advanced = false;
  const { lost, reoTimeout } = rackDetectLoss(conn);
  if (reoTimeout > 0) {
    cancelTimer(conn, 'retransmit');
    cancelTimer(conn, 'loss-probe');
    // Whole ticks of the kernel's clock plus two, 8 ms on top of the time left, as finding 22
    // measured (usecs_to_jiffies(remaining) + TCP_TIMEOUT_MIN). 6.18's source arms
    // usecs_to_jiffies(remaining + TCP_TIMEOUT_MIN_US) instead, which later runs fit better; which
    // rule holds is open (KERNEL.md, Left for next time).
    setTimer(conn, 'reorder', jiffiesDelay(conn.now, reoTimeout, TCP_TIMEOUT_MIN_JIFFIES), onReoTimeout);
  }
  return lost;
}

/** tcp_schedule_loss_probe's conditions: SACK, early_retrans 3 or 4, data out, state Open or CWR (not Disorder, Recovery or Loss). */
function tlpAllowed(conn: Connection): boolean {
  const er = conn.host.sysctl.get('net.ipv4.tcp_early_retrans');
  return (er === 3 || er === 4) && conn.sackOk && conn.rtx.length > 0 && (conn.caState === 'open' || conn.caState === 'cwr') && canSend(conn.state);
}

/**
 * tcp_schedule_loss_probe: the probe timeout is 2·SRTT, plus rto_min when a single segment is out
 * (its ACK may be delayed) or 2 ms otherwise, and never later than the RTO would fire. Returns
 * false when no probe applies (the caller arms the RTO instead). `rtoDue` is when the RTO would fire.
 */
export function scheduleLossProbe(conn: Connection, rtoDue: number, onProbe: (c: Connection) => void): boolean {
  if (!tlpAllowed(conn)) return false;
  let pto: number;
  if (conn.srtt > 0) pto = 2 * conn.srtt + (conn.rtx.length === 1 ? conn.host.sysctl.get('net.ipv4.tcp_rto_min_us') / 1000 : TIMEOUT_MIN_MS);
  else pto = PTO_NO_RTT_MS;
  const untilRto = rtoDue - conn.now;
  if (untilRto > 0) pto = Math.min(pto, untilRto);
  cancelTimer(conn, 'retransmit');
  cancelTimer(conn, 'reorder');
  setTimer(conn, 'loss-probe', pto, onProbe);
  return true;
}

/** Either timer that stands for the retransmission timer is pending. */
export function xmitTimerPending(conn: Connection): boolean {
  return timerPending(conn, 'retransmit') || timerPending(conn, 'loss-probe') || timerPending(conn, 'reorder');
}

/**
 * tcp_process_tlp_ack: what an ACK at or beyond the probe's SND.NXT says. The probe of new data
 * needs no follow-up. A retransmitted probe that drew a D-SACK, or a pure duplicate ACK, means
 * the original arrived too: no loss. An ACK beyond it means the probe repaired a loss, so the
 * congestion window is reduced once (CWR).
 */
export function processTlpAck(conn: Connection, ack: number, advanced: boolean, dsack: boolean, reduce: () => void): void {
  if (conn.tlpHighSeq === null || ((ack - conn.tlpHighSeq) | 0) < 0) return;
  if (!conn.tlpRetrans || dsack) conn.tlpHighSeq = null;
  else if (((ack - conn.tlpHighSeq) | 0) > 0) {
    conn.tlpHighSeq = null;
    conn.host.mib.inc('TCPLossProbeRecovery');
    reduce();
  } else if (!advanced) conn.tlpHighSeq = null;
}
