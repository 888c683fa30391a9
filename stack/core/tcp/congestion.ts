/**
 * Congestion control as Linux 6.18 runs it with Reno (tcp_cong.c tcp_reno_*, tcp_input.c
 * tcp_cong_control): cwnd counts segments, as snd_cwnd does, and grows only on an ACK that
 * acknowledges new data, by the segments it delivered; a loss starts a reduction that RFC 6937
 * Proportional Rate Reduction paces (tcp_cwnd_reduction), ending at ssthresh. Linux's default
 * CUBIC and pacing are beyond the model.
 */
import type { Connection } from './connection.ts';
import { seqLt } from '../seq.ts';
import { pipe } from './sack-scoreboard.ts';
import { CHRONO_SNDBUF_LIMITED, chronoStart } from './chrono.ts';
import { initUndo } from './undo.ts';

/** TCP_INFINITE_SSTHRESH. */
const INFINITE_SSTHRESH = 0x7fffffff;
/** TCP_INIT_CWND (RFC 6928), tcp_init_cwnd without a route metric: the restart window. */
const INIT_CWND = 10;

/** tcp_reno_ssthresh: half the congestion window, at least two segments. */
function renoSsthresh(conn: Connection): number {
  return Math.max(conn.cwnd >> 1, 2);
}

/**
 * tcp_reno_cong_avoid: slow start below ssthresh, at most up to it (tcp_slow_start); what is left
 * of the delivered segments counts toward one more segment per cwnd delivered (tcp_cong_avoid_ai,
 * snd_cwnd_cnt). `delivered` is in segments, SACKed ones included (tcp_ack's acked_sacked).
 */
export function onAck(conn: Connection, delivered: number): void {
  // tcp_cong_avoid stamps snd_cwnd_stamp on every ACK of new data it sees, grown or not: RFC
  // 2861's application-limited clock runs only while no such ACK arrives.
  conn.cwndStamp = conn.now;
  if (!isCwndLimited(conn)) return;
  if (conn.cwnd < conn.ssthresh) {
    const grown = Math.min(conn.cwnd + delivered, conn.ssthresh);
    delivered -= grown - conn.cwnd;
    conn.cwnd = grown;
    if (delivered <= 0) return;
  }
  const w = conn.cwnd;
  if (conn.cwndCnt >= w) {
    conn.cwndCnt = 0;
    conn.cwnd++;
  }
  conn.cwndCnt += delivered;
  if (conn.cwndCnt >= w) {
    const delta = Math.floor(conn.cwndCnt / w);
    conn.cwndCnt -= delta * w;
    conn.cwnd += delta;
  }
}

/**
 * tcp_is_cwnd_limited: Reno grows cwnd only while cwnd is what holds the sender back — the current
 * window was cwnd-limited, or, in slow start, cwnd is below twice the most segments out in it. An
 * application that sends less than cwnd allows leaves cwnd where it is (upstream
 * slow-start-app-limited: 9 segments out with cwnd 10 give cwnd 18, not 19).
 */
export function isCwndLimited(conn: Connection): boolean {
  if (conn.isCwndLimited) return true;
  if (conn.cwnd < conn.ssthresh) return conn.cwnd < 2 * conn.maxPacketsOut;
  return false;
}

/**
 * tcp_cwnd_validate, after tcp_write_xmit sent something or found cwnd full: once per window
 * (SND.UNA past where the last one ended) the memory starts again; within it, being cwnd-limited
 * is remembered, and otherwise the most segments out.
 */
export function cwndValidate(conn: Connection, cwndLimited: boolean): void {
  const packetsOut = conn.rtx.length;
  if (!seqLt(conn.sndUna, conn.cwndUsageSeq) || cwndLimited || (!conn.isCwndLimited && packetsOut > conn.maxPacketsOut)) {
    conn.isCwndLimited = cwndLimited;
    conn.maxPacketsOut = packetsOut;
    conn.cwndUsageSeq = conn.sndNxt;
  }
  if (isCwndLimited(conn)) {
    conn.cwndUsed = 0;
    conn.cwndStamp = conn.now;
    return;
  }
  if (packetsOut > conn.cwndUsed) conn.cwndUsed = packetsOut;
  if (conn.now - conn.cwndStamp >= conn.rto && conn.host.sysctl.get('net.ipv4.tcp_slow_start_after_idle')) applicationLimited(conn);
  // Starved by the send buffer: everything written has gone out, cwnd had room, and the writer
  // is waiting for space (SOCK_NOSPACE).
  if (conn.sndNoSpace && ((conn.sendQueueSeq + conn.sendQueue.length - conn.sndMax) | 0) <= 0 && (conn.state === 'ESTABLISHED' || conn.state === 'CLOSE_WAIT')) {
    chronoStart(conn, CHRONO_SNDBUF_LIMITED);
  }
}

/**
 * tcp_cwnd_application_limited (RFC 2861 §3, the "slow part"): cwnd was not filled for an RTO, so
 * it decays halfway toward what was used (at least the initial window) — only in the Open state,
 * and not while a writer waits for buffer space (then the buffer, not the application, held the
 * sender back).
 */
function applicationLimited(conn: Connection): void {
  if (conn.caState === 'open' && !conn.sndNoSpace) {
    const used = Math.max(conn.cwndUsed, INIT_CWND);
    if (used < conn.cwnd) {
      conn.ssthresh = currentSsthresh(conn);
      conn.cwnd = (conn.cwnd + used) >> 1;
    }
    conn.cwndUsed = 0;
  }
  conn.cwndStamp = conn.now;
}

/** tcp_current_ssthresh: outside a reduction, at least three quarters of cwnd. */
export function currentSsthresh(conn: Connection): number {
  if (conn.caState === 'recovery' || conn.caState === 'cwr') return conn.ssthresh;
  return Math.max(conn.ssthresh, (conn.cwnd >> 1) + (conn.cwnd >> 2));
}

/**
 * tcp_slow_start_after_idle_check (RFC 5681 §4.1, RFC 2861): when a write queues a new buffer, or a
 * window update finds data waiting, on a connection with nothing in flight: if no data has left
 * for longer than the RTO, the ACK clock is gone and cwnd restarts (tcp_cwnd_restart) — halved
 * once per RTO of idleness, never below min(cwnd, the initial window). Zero-window probes carry no
 * data, so they do not count as sending (upstream slow-start-after-win-update).
 */
export function restartAfterIdle(conn: Connection): void {
  if (conn.rtx.length > 0 || !conn.host.sysctl.get('net.ipv4.tcp_slow_start_after_idle')) return;
  let idle = conn.now - conn.lastDataSentAt;
  if (idle <= conn.rto) return;
  const restart = Math.min(INIT_CWND, conn.cwnd);
  conn.ssthresh = currentSsthresh(conn);
  let cwnd = conn.cwnd;
  while ((idle -= conn.rto) > 0 && cwnd > restart) cwnd >>= 1;
  conn.cwnd = Math.max(cwnd, restart);
  conn.cwndStamp = conn.now;
  conn.cwndUsed = 0;
}

/**
 * tcp_init_cwnd_reduction: fast recovery (or a loss a probe repaired) begins. ssthresh is set now;
 * cwnd is left to PRR, which counts from here.
 */
export function initCwndReduction(conn: Connection): void {
  conn.highSeq = conn.sndMax;
  conn.tlpHighSeq = null;
  conn.cwndCnt = 0;
  conn.priorCwnd = conn.cwnd;
  conn.prrDelivered = 0;
  conn.prrOut = 0;
  conn.ssthresh = renoSsthresh(conn);
}

/**
 * tcp_cwnd_reduction (RFC 6937): on each ACK during recovery, cwnd becomes the pipe plus what may
 * be sent now. While the pipe is above ssthresh, sends are proportional to deliveries
 * (ssthresh/prior_cwnd of them, rounded up); at or below it, slow start back toward ssthresh
 * (PRR-SSRB: what was delivered and not yet answered, at least this ACK's deliveries, one more on
 * an ACK that moved SND.UNA without a new loss). The first ACK always allows one segment: the
 * fast retransmission.
 */
export function cwndReduction(conn: Connection, delivered: number, newlyLost: number, unaAdvanced: boolean): void {
  if (delivered <= 0 || conn.priorCwnd === 0) return;
  const inFlight = pipe(conn);
  const delta = conn.ssthresh - inFlight;
  conn.prrDelivered += delivered;
  let sndcnt: number;
  if (delta < 0) {
    sndcnt = Math.floor((conn.ssthresh * conn.prrDelivered + conn.priorCwnd - 1) / conn.priorCwnd) - conn.prrOut;
  } else {
    sndcnt = Math.max(conn.prrDelivered - conn.prrOut, delivered);
    if (unaAdvanced && !newlyLost) sndcnt++;
    sndcnt = Math.min(delta, sndcnt);
  }
  sndcnt = Math.max(sndcnt, conn.prrOut ? 0 : 1);
  conn.cwnd = inFlight + sndcnt;
}

/**
 * tcp_enter_cwr: a reduction without a loss — the local device refused a segment (tcp_transmit_skb
 * failing with NET_XMIT_DROP). From Open or Disorder only; PRR paces it like a recovery, and it
 * ends once something above high_seq is acknowledged (measured on 6.18: ssthresh 5 and CWR at
 * once, cwnd 5 and Open after the ACK; KERNEL.md finding 49).
 */
export function enterCwr(conn: Connection): void {
  // A congestion signal that is no loss cannot prove spurious: nothing of it is ever undone.
  conn.priorSsthresh = 0;
  if (conn.caState !== 'open' && conn.caState !== 'disorder') return;
  conn.undoMarker = null;
  initCwndReduction(conn);
  conn.caState = 'cwr';
}

/** tcp_end_cwnd_reduction: CWR or recovery is over; cwnd settles at ssthresh, unless the reduction was undone. */
export function endCwndReduction(conn: Connection): void {
  if (conn.caState === 'cwr' || conn.undoMarker !== null) settleAtSsthresh(conn);
}

function settleAtSsthresh(conn: Connection): void {
  if (conn.ssthresh < INFINITE_SSTHRESH) {
    conn.cwnd = conn.ssthresh;
    conn.cwndCnt = 0;
    conn.cwndStamp = conn.now;
  }
}

/**
 * A loss probe's ACK shows it repaired a loss (tcp_process_tlp_ack): the window is reduced once,
 * entering and leaving CWR at once.
 */
export function reduceOnce(conn: Connection): void {
  initCwndReduction(conn);
  settleAtSsthresh(conn);
}

/**
 * The retransmission timer fired (tcp_enter_loss): ssthresh from the cwnd of the episode's first
 * timeout (from Open or Disorder, or once the last episode's high_seq is acknowledged; a later one
 * in the same episode keeps it), remembering what to undo to, and cwnd one segment — everything
 * out is now marked lost, so the pipe is empty. F-RTO (net.ipv4.tcp_frto, RFC 5682 §3.1 step 1)
 * runs unless a fast recovery was under way; a repeated timeout on the same data keeps it (§3.2).
 * Call before the state becomes Loss.
 */
export function onRto(conn: Connection): void {
  const newRecovery = conn.caState === 'open' || conn.caState === 'disorder' || conn.caState === 'cwr';
  const firstInEpisode = conn.caState === 'open' || conn.caState === 'disorder' || ((conn.highSeq - conn.sndUna) | 0) <= 0 || (conn.caState === 'loss' && conn.retransmits === 0);
  if (firstInEpisode) {
    conn.priorSsthresh = currentSsthresh(conn);
    conn.priorCwnd = conn.cwnd;
    conn.ssthresh = renoSsthresh(conn);
    initUndo(conn);
  }
  conn.cwnd = 1;
  conn.cwndCnt = 0;
  conn.cwndStamp = conn.now;
  conn.frto = conn.host.sysctl.get('net.ipv4.tcp_frto') !== 0 && (newRecovery || conn.retransmits > 0);
}
