/**
 * LAB: keepalive.
 *
 * An idle connection sends nothing, so a peer that crashed or vanished goes unnoticed forever.
 * With SO_KEEPALIVE, Linux probes an idle connection after tcp_keepalive_time (7200 s), then every
 * tcp_keepalive_intvl (75 s), and gives up after tcp_keepalive_probes (9) unanswered probes:
 * RST and ETIMEDOUT at 7875 s. TCP_KEEPIDLE/KEEPINTVL/KEEPCNT override the sysctls per socket;
 * TCP_USER_TIMEOUT replaces the probe count (tcp_keepalive_timer, tcp_write_wakeup).
 */
import { ACK } from '../wire/segment.ts';
import { seqAdd, seqSub } from '../seq.ts';
import type { Connection } from './connection.ts';
import { cancelTimer, destroy, setTimer } from './lifecycle.ts';
import { sendActiveReset, sendSegment } from './output.ts';

// Task 1 — the three knobs, per socket or from the sysctls.
export function keepaliveTime(conn: Connection): number {
  // #region lab keepalive/1 Idle time before the first probe (ms)
  return (conn.opts.keepIdle || conn.host.sysctl.get('net.ipv4.tcp_keepalive_time')) * 1000;
  // #endregion
}

export function keepaliveInterval(conn: Connection): number {
  // #region lab keepalive/1 Interval between probes (ms)
  return (conn.opts.keepIntvl || conn.host.sysctl.get('net.ipv4.tcp_keepalive_intvl')) * 1000;
  // #endregion
}

export function keepaliveProbes(conn: Connection): number {
  // #region lab keepalive/1 Unanswered probes before giving up
  return conn.opts.keepCnt || conn.host.sysctl.get('net.ipv4.tcp_keepalive_probes');
  // #endregion
}

/** (Re)starts the keepalive clock; called when SO_KEEPALIVE is set or its knobs change. */
export function resetKeepaliveTimer(conn: Connection): void {
  if (!conn.opts.keepalive || conn.closed) {
    cancelTimer(conn, 'keepalive');
    return;
  }
  setTimer(conn, 'keepalive', keepaliveTime(conn), onKeepaliveTimer);
}

// Task 2 — the probe.
/** A keepalive probe: an ACK with SEQ = SND.UNA − 1 and no data, which the peer must answer. */
export function sendKeepaliveProbe(conn: Connection): void {
  // #region lab keepalive/2 Send a probe
  conn.host.mib.inc('TCPKeepAlive');
  sendSegment(conn, ACK, seqAdd(conn.sndUna, -1));
  // #endregion
}

// Task 3 — the timer.
export function onKeepaliveTimer(conn: Connection): void {
  const synchronized = conn.state !== 'CLOSED' && conn.state !== 'SYN_SENT' && conn.state !== 'LISTEN';
  if (!conn.opts.keepalive || !synchronized) return;
  // #region lab keepalive/3 Decide: wait, probe, or give up
  // Data in flight, or queued but unsent (tcp_write_queue_empty): the retransmission timer, or
  // the data itself, decides whether the peer is alive.
  if (conn.sndUna !== conn.sndMax || conn.sendQueue.length > seqSub(conn.sndNxt, conn.sendQueueSeq)) {
    setTimer(conn, 'keepalive', keepaliveTime(conn), onKeepaliveTimer);
    return;
  }
  const idle = conn.now - conn.lastRcvAt;
  if (idle < keepaliveTime(conn)) {
    // Something arrived since the timer was set: sleep until the connection has been idle long enough.
    setTimer(conn, 'keepalive', keepaliveTime(conn) - idle, onKeepaliveTimer);
    return;
  }
  const userTimeout = conn.opts.userTimeout;
  const dead = userTimeout
    ? idle >= userTimeout && conn.probesOut > 0
    : conn.probesOut >= keepaliveProbes(conn);
  if (dead) {
    sendActiveReset(conn);
    destroy(conn, 'keepalive: peer did not answer', 'ETIMEDOUT');
    return;
  }
  sendKeepaliveProbe(conn);
  conn.probesOut++;
  setTimer(conn, 'keepalive', keepaliveInterval(conn), onKeepaliveTimer);
  // #endregion
}
