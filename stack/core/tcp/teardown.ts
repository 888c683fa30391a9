/**
 * LAB: the four-way teardown.
 *
 * How each side closes its half of the connection: what close() and shutdown() send, how a FIN
 * and the ACK of our FIN move the state machine (RFC 9293 Figure 5, §3.6), TIME_WAIT, and the
 * orphaned FIN_WAIT_2 that Linux does not keep forever.
 *
 *   active closer:  ESTABLISHED → FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT → CLOSED
 *   passive closer: ESTABLISHED → CLOSE_WAIT → LAST_ACK → CLOSED
 *   both at once:   FIN_WAIT_1 → CLOSING → TIME_WAIT
 */
import { ACK, FIN, RST, SYN, hasFlag, segmentLength, tsOption, type TcpSegment } from '../wire/segment.ts';
import { seqAdd, seqGeq, seqGt, seqLeq, seqLt, seqSub } from '../seq.ts';
import type { Connection, TcpState } from './connection.ts';
import { cancelTimer, destroy, setState, setTimer } from './lifecycle.ts';
import { oowRateLimited, scheduleAck, sendAck, sendActiveReset, sendResetFor } from './output.ts';
import { tcpInWindow } from './acceptable.ts';
import { pushData } from './send.ts';

// ---------------------------------------------------------------------------------------------
// Task 1 — close() and shutdown(): a FIN when the application is done, a RST when data would
// otherwise be lost (Linux __tcp_close, tcp_close_state, tcp_shutdown).
// ---------------------------------------------------------------------------------------------

/**
 * The state a close moves to, and whether a FIN must be sent (Linux's new_state table).
 * SYN_SENT simply ends: no FIN is owed for a connection that never existed.
 */
export function closeTransition(state: TcpState): { next: TcpState; sendFin: boolean } {
  // #region lab teardown/1 Where close() leads from each state
  switch (state) {
    case 'ESTABLISHED':
    case 'SYN_RECV':
      return { next: 'FIN_WAIT_1', sendFin: true };
    case 'CLOSE_WAIT':
      return { next: 'LAST_ACK', sendFin: true };
    case 'FIN_WAIT_1':
    case 'FIN_WAIT_2':
    case 'CLOSING':
    case 'LAST_ACK':
      return { next: state, sendFin: false };
    default: // SYN_SENT, LISTEN, TIME_WAIT, CLOSED
      return { next: 'CLOSED', sendFin: false };
  }
  // #endregion
}

/** close() on a connection: the socket is orphaned and the kernel finishes the job. */
export function closeConnection(conn: Connection): void {
  conn.orphan = true;
  conn.shutRd = true;
  const host = conn.host;
  // #region lab teardown/1 close(): FIN, or RST when data would be lost
  if (conn.recvQueue.length > 0) {
    // RFC 2525 §2.17, RFC 9293 §3.6.1: unread data means the peer would believe it was delivered.
    host.mib.inc('TCPAbortOnClose');
    sendActiveReset(conn);
    destroy(conn, 'close() with unread data: RST');
    return;
  }
  if (conn.opts.linger?.onoff && conn.opts.linger.linger === 0) {
    // SO_LINGER {on, 0}: an abortive close (tcp_disconnect), no FIN and no TIME_WAIT. The RST
    // goes only to a peer that believes the connection open (tcp_need_reset); __tcp_close counts
    // every such close.
    host.mib.inc('TCPAbortOnData');
    const s = conn.state;
    if (s === 'ESTABLISHED' || s === 'CLOSE_WAIT' || s === 'FIN_WAIT_1' || s === 'FIN_WAIT_2' || s === 'SYN_RECV') sendActiveReset(conn);
    destroy(conn, 'close() with SO_LINGER 0: RST');
    return;
  }
  const { next, sendFin } = closeTransition(conn.state);
  if (next === 'CLOSED') {
    destroy(conn, 'close()');
    return;
  }
  setState(conn, next, 'close()');
  if (sendFin) queueFin(conn);
  if (conn.state === 'FIN_WAIT_2') finWait2Orphaned(conn);
  // #endregion
}

/** shutdown(SHUT_WR): send our FIN but keep reading (a half-close, RFC 9293 §3.6.1). */
export function shutdownWrite(conn: Connection): void {
  conn.shutWr = true;
  if (conn.state === 'ESTABLISHED' || conn.state === 'SYN_RECV' || conn.state === 'CLOSE_WAIT') {
    const { next, sendFin } = closeTransition(conn.state);
    setState(conn, next, 'shutdown(SHUT_WR)');
    if (sendFin) queueFin(conn);
  } else if (conn.state === 'SYN_SENT') {
    destroy(conn, 'shutdown(SHUT_WR) in SYN_SENT');
  }
}

/** The FIN follows every byte already queued; it may ride on the last data segment. */
function queueFin(conn: Connection): void {
  conn.finQueued = true;
  pushData(conn);
}

// ---------------------------------------------------------------------------------------------
// Task 2 — the state machine of the teardown: the ACK of our FIN (step 5 of RFC 9293
// §3.10.7.4) and the peer's FIN (step 8).
// ---------------------------------------------------------------------------------------------

/** Our FIN has just been acknowledged, by `seg`. */
export function onAckOfFin(conn: Connection, seg: TcpSegment): void {
  // #region lab teardown/2 The ACK of our FIN
  switch (conn.state) {
    case 'FIN_WAIT_1':
      setState(conn, 'FIN_WAIT_2', 'ACK of FIN');
      if (conn.orphan) finWait2Orphaned(conn, seg);
      break;
    case 'CLOSING':
      enterTimeWait(conn, 'ACK of FIN in CLOSING');
      break;
    case 'LAST_ACK':
      destroy(conn, 'ACK of FIN in LAST_ACK');
      break;
    default:
      break;
  }
  // #endregion
}

/** The peer's FIN has arrived in order; RCV.NXT has not yet moved over it. */
export function onFin(conn: Connection): void {
  // #region lab teardown/2 The peer's FIN
  conn.rcvNxt = seqAdd(conn.rcvNxt, 1); // a FIN occupies one sequence number
  conn.rcvFin = true;
  switch (conn.state) {
    case 'SYN_RECV':
    case 'ESTABLISHED':
      setState(conn, 'CLOSE_WAIT', 'FIN received');
      // Linux (tcp_fin) enters ping-pong mode: the ACK is delayed, hoping the application's
      // close() lets the FIN carry it — the three-segment teardown seen in captures.
      conn.pingpong = true;
      scheduleAck(conn);
      break;
    case 'FIN_WAIT_1':
      // Our FIN is not acknowledged yet: both sides are closing at once.
      setState(conn, 'CLOSING', 'FIN received in FIN_WAIT_1');
      sendAck(conn);
      break;
    case 'FIN_WAIT_2':
      sendAck(conn);
      enterTimeWait(conn, 'FIN received in FIN_WAIT_2');
      break;
    default:
      break;
  }
  // #endregion
}

// ---------------------------------------------------------------------------------------------
// Task 3 — TIME_WAIT (Linux tcp_time_wait, tcp_timewait_state_process). enterTimeWait is given:
// it is called from onAckOfFin and onFin (task 2) and from the orphan's FIN (task 4); the timer
// (armTimeWait) and the segments that arrive (onSegmentInTimeWait, called from input.ts for every
// segment of a TIME_WAIT 4-tuple) are the task.
// ---------------------------------------------------------------------------------------------

/** TCP_TIMEWAIT_LEN: Linux waits 60 s in TIME_WAIT — a constant, not 2×MSL and not a sysctl. */
export const TIME_WAIT_LEN = 60_000;

export function enterTimeWait(conn: Connection, cause: string): void {
  const host = conn.host;
  // Every timer of the full socket ends here (inet_csk_clear_xmit_timers via tcp_done/tcp_time_wait):
  // whatever timers the connection has — retransmission, delayed ACK, keepalive, persist, FIN_WAIT_2
  // or one added later — none may fire in TIME_WAIT.
  for (const name of Object.keys(conn.timers) as Array<keyof typeof conn.timers>) cancelTimer(conn, name);
  if (host.timeWaitCount >= host.sysctl.get('net.ipv4.tcp_max_tw_buckets')) {
    host.mib.inc('TCPTimeWaitOverflow');
    destroy(conn, 'TIME_WAIT bucket table full: closed at once');
    return;
  }
  setState(conn, 'TIME_WAIT', cause);
  becomeTimewaitSock(conn);
  armTimeWait(conn);
}

/**
 * TcpExtTW (LINUX_MIB_TIMEWAITED) counts sockets as they become timewait socks, not as their 60 s
 * run out: measured on 6.18, `nstat` shows TW 1 the moment an orphaned FIN_WAIT_2 is handed over
 * and no second count at TIME_WAIT or at expiry.
 */
function becomeTimewaitSock(conn: Connection): void {
  if (conn.twSock) return;
  conn.twSock = true;
  conn.host.mib.inc('TW');
}

/** (Re)starts the TIME_WAIT timer: called on entry and by every segment that restarts the wait. */
export function armTimeWait(conn: Connection): void {
  // #region lab teardown/3 Arm the TIME_WAIT timer
  setTimer(conn, 'time-wait', TIME_WAIT_LEN, (c) => destroy(c, 'TIME_WAIT expired'));
  // #endregion
}

/**
 * TCP_PAWS_MSL (include/net/tcp.h): a RST is held to PAWS only this long after ts_recent was
 * stored (conn.tsRecentStamp; tcp_paws_reject: "we can relax time bounds for RST segments to MSL").
 */
export const PAWS_MSL_SECONDS = 60;

/** What a segment for a TIME_WAIT connection leads to. `reopen` hands a SYN to the listener with this ISN. */
export type TimeWaitVerdict = { action: 'none' | 'ack' | 'rst' | 'killed' } | { action: 'reopen'; iss: number };

export function onSegmentInTimeWait(conn: Connection, seg: TcpSegment): TimeWaitVerdict {
  // #region lab teardown/3 A segment arrives in TIME_WAIT
  const host = conn.host;
  // Timestamps count only if the old connection used them. PAWS (RFC 7323 §5, tcp_paws_reject):
  // a TSval older than the last one kept (ts_recent) marks an old duplicate; ts_recent 0 means
  // none kept. TSvals wrap modulo 2^32 like sequence numbers, so "older" is seqLt. A RST is held
  // to PAWS only for TCP_PAWS_MSL = 60 s after ts_recent was stored (tsRecentStamp).
  const tsVal = conn.tsOk ? (tsOption(seg)?.val ?? null) : null;
  const older = tsVal !== null && conn.tsRecent !== 0 && seqLt(tsVal, conn.tsRecent);
  const rstPawsExpired = Math.floor(conn.now / 1000) >= Math.floor(conn.tsRecentStamp / 1000) + PAWS_MSL_SECONDS;
  const pawsReject = older && !(hasFlag(seg, RST) && rstPawsExpired);
  // In window: only a RST or a bare ACK exactly at RCV.NXT. Any other RST — even one inside the
  // receive window — is dropped: in real TIME_WAIT a blind attacker must guess RCV.NXT exactly.
  if (!pawsReject && seg.seq === conn.rcvNxt && (segmentLength(seg) === 0 || hasFlag(seg, RST))) {
    if (hasFlag(seg, RST)) {
      // "TIME_WAIT assassination": Linux lets such a RST end TIME_WAIT unless tcp_rfc1337=1.
      if (!host.sysctl.get('net.ipv4.tcp_rfc1337')) {
        destroy(conn, 'RST in TIME_WAIT');
        return { action: 'killed' };
      }
    } else {
      armTimeWait(conn);
    }
    if (tsVal !== null) {
      conn.tsRecent = tsVal;
      conn.tsRecentStamp = conn.now;
    }
    return { action: 'none' };
  }
  // A new SYN for the same 4-tuple may reopen it (RFC 9293 §3.6.1 MAY-2) when it cannot be an old
  // duplicate: its sequence number is beyond the old connection's, or — with timestamps — its
  // TSval is newer than any the old connection sent (RFC 6191), whatever its sequence number.
  // The new ISN is larger than any the old incarnation used.
  const newerTs = tsVal !== null && seqGt(tsVal, conn.tsRecent);
  if ((seg.flags & (SYN | RST | ACK)) === SYN && !pawsReject && (seqGt(seg.seq, conn.rcvNxt) || newerTs)) {
    return { action: 'reopen', iss: seqAdd(conn.sndNxt, 65535 + 2) || 1 };
  }
  if (pawsReject) host.mib.inc('PAWSTimewait');
  if (hasFlag(seg, RST)) return { action: 'none' };
  // A retransmitted FIN (our last ACK was lost) or any old segment: ACK it. A segment with ACK,
  // or one PAWS has just shown to be an old duplicate, restarts the 60 s so TIME_WAIT outlives
  // the peer's retransmissions and the stray copies still in the network.
  if (pawsReject || hasFlag(seg, ACK)) armTimeWait(conn);
  if (oowRateLimited(conn, seg)) {
    host.mib.inc('TCPACKSkippedTimeWait');
    return { action: 'none' };
  }
  return { action: 'ack' };
  // #endregion
}

// ---------------------------------------------------------------------------------------------
// Task 4 — the orphaned FIN_WAIT_2, and data that arrives after close().
// ---------------------------------------------------------------------------------------------

/**
 * tcp_fin_time(): how long an orphaned FIN_WAIT_2 socket waits for the peer's FIN — TCP_LINGER2
 * if set, else tcp_fin_timeout — but never less than 3.5 RTO.
 */
export function finTime(conn: Connection): number {
  // #region lab teardown/4 The orphaned FIN_WAIT_2 lifetime
  const fin = conn.opts.linger2 > 0 ? conn.opts.linger2 * 1000 : conn.host.sysctl.get('net.ipv4.tcp_fin_timeout') * 1000;
  return Math.max(fin, 3.5 * conn.rto);
  // #endregion
}

/**
 * Nobody will read from or close this socket any more, and our FIN is acknowledged: a peer that
 * never sends its FIN must not pin it forever. After shutdown(SHUT_WR) alone (not orphaned)
 * FIN_WAIT_2 has no timeout. `ackOfFin` is the segment that acknowledged our FIN when the socket
 * was already orphaned (FIN_WAIT_1 → FIN_WAIT_2); null when close() finds FIN_WAIT_2.
 */
export function finWait2Orphaned(conn: Connection, ackOfFin: TcpSegment | null = null): void {
  const host = conn.host;
  conn.waitStartedAt = conn.now;
  // #region lab teardown/4 Arm the FIN_WAIT_2 timer, or abort with TCP_LINGER2 < 0
  if (conn.opts.linger2 < 0) {
    if (ackOfFin) {
      // tcp_rcv_state_process (FIN_WAIT1, orphaned): tcp_done, counted as TCPAbortOnData, and the
      // segment that acknowledged our FIN is answered as if no connection existed:
      // <SEQ=SEG.ACK><CTL=RST>, no ACK flag (tcp_v4_send_reset).
      host.mib.inc('TCPAbortOnData');
      destroy(conn, 'TCP_LINGER2 < 0: the ACK of our FIN ends the orphan with a RST');
      sendResetFor(host, ackOfFin);
      return;
    }
    // __tcp_close in FIN_WAIT2: tcp_send_active_reset <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>.
    host.mib.inc('TCPAbortOnLinger');
    sendActiveReset(conn);
    destroy(conn, 'TCP_LINGER2 < 0: RST instead of FIN_WAIT_2');
    return;
  }
  setTimer(conn, 'fin-wait-2', finTime(conn), (c) => destroy(c, 'FIN_WAIT_2 timeout (orphaned): freed silently'));
  // #endregion
  // tcp_time_wait(sk, TCP_FIN_WAIT2, tmo) takes over an orphan whose lifetime fits in
  // TCP_TIMEWAIT_LEN. A longer tcp_fin_timeout keeps the full socket for the difference first;
  // that handover later on is not modelled (such a socket is counted only if it reaches TIME_WAIT).
  if (conn.state === 'FIN_WAIT_2' && finTime(conn) <= TIME_WAIT_LEN) becomeTimewaitSock(conn);
}

/**
 * A segment for an orphaned FIN_WAIT_2 socket (Linux keeps it as a timewait sock in the
 * FIN_WAIT2 substate). Returns the reply to send.
 */
export function onSegmentInOrphanFinWait2(conn: Connection, seg: TcpSegment): 'none' | 'ack' | 'rst' {
  // #region lab teardown/4 Segments after close() in FIN_WAIT_2
  const len = segmentLength(seg);
  const end = seqAdd(seg.seq, len);
  // The window is the one we last advertised (tcp_time_wait keeps it as tw_rcv_wnd).
  const rcvWnd = Math.max(0, seqSub(conn.rcvWup, conn.rcvNxt));
  if (!tcpInWindow(seg.seq, end, conn.rcvNxt, seqAdd(conn.rcvNxt, rcvWnd))) {
    return oowRateLimited(conn, seg) ? 'none' : 'ack';
  }
  if (hasFlag(seg, RST)) {
    destroy(conn, 'RST in FIN_WAIT_2');
    return 'none';
  }
  if (hasFlag(seg, SYN) && seqGeq(seg.seq, conn.rcvNxt)) return 'rst';
  if (!hasFlag(seg, ACK) || seqLeq(end, conn.rcvNxt) || len === 0) return 'none';
  // New data after a close(): nobody can read it — RFC 1122 says we must reset.
  if (!hasFlag(seg, FIN) || end !== seqAdd(conn.rcvNxt, 1)) {
    conn.host.mib.inc('TCPAbortOnData');
    return 'rst';
  }
  cancelTimer(conn, 'fin-wait-2');
  conn.rcvNxt = end;
  conn.rcvFin = true;
  sendAck(conn);
  enterTimeWait(conn, 'FIN received in FIN_WAIT_2');
  return 'none';
  // #endregion
}

/** RST for a segment in the FIN_WAIT_2 substate ends the socket (tcp_v4_timewait: TCP_TW_RST). */
export function resetFromOrphan(conn: Connection, seg: TcpSegment): void {
  sendResetFor(conn.host, seg);
  destroy(conn, 'data after close(): RST');
}

/**
 * Data arriving for a socket closed by its application in FIN_WAIT_1 (or in FIN_WAIT_2 before the
 * FIN was acknowledged): it can never be read, so the connection is reset (tcp_rcv_state_process).
 * The RST answers the offending segment (tcp_v4_do_rcv → tcp_v4_send_reset): <SEQ=SEG.ACK><CTL=RST>.
 */
export function dataAfterClose(conn: Connection, seg: TcpSegment): boolean {
  if (!conn.orphan || !conn.shutRd) return false;
  const dataEnd = seqAdd(seg.seq, seg.payload.length);
  if (seg.payload.length === 0 || !seqGt(dataEnd, conn.rcvNxt)) return false;
  conn.host.mib.inc('TCPAbortOnData');
  sendResetFor(conn.host, seg);
  destroy(conn, 'data received after close(): RST');
  return true;
}
