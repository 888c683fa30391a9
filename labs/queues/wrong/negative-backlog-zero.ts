/**
 * LAB: the SYN queue and the accept queue.
 *
 * A listener has two queues, both limited by one number: the backlog passed to listen(), capped by
 * net.core.somaxconn (sk_max_ack_backlog).
 *   - SYN queue: request socks in SYN_RECV, waiting for the final ACK.
 *   - accept queue: ESTABLISHED connections waiting for accept().
 * Linux compares with `>`, so backlog + 1 connections fit. What happens to a SYN, and to a final
 * ACK, when a queue is full is this file's business (Linux tcp_conn_request, tcp_check_req).
 */
import type { HostContext, Listener } from './connection.ts';

// Task 1 — sizes.
/** listen(fd, backlog): the effective limit. The comparison is unsigned: a negative backlog means somaxconn. */
export function effectiveBacklog(backlog: number, somaxconn: number): number {
  // #region lab queues/1 The backlog listen() really gets
  // __sys_listen_socket: if ((unsigned int)backlog > somaxconn) backlog = somaxconn.
  return Math.min(Math.max(0, backlog), somaxconn);
  // #endregion
}

export function synQueueIsFull(listener: Listener): boolean {
  // #region lab queues/1 Is the SYN queue full?
  return listener.synQueue.size > listener.backlog;
  // #endregion
}

export function acceptQueueIsFull(listener: Listener): boolean {
  // #region lab queues/1 Is the accept queue full?
  return listener.acceptQueue.length > listener.backlog;
  // #endregion
}

// Task 2 — a SYN arrives.
export type SynDecision = 'request' | 'cookie' | 'drop';

/**
 * tcp_conn_request(): keep a request sock, answer statelessly with a cookie, or drop the SYN.
 * `reopen` is a SYN that took over a TIME_WAIT connection: Linux admits those without limits.
 */
export function admitSyn(host: HostContext, listener: Listener, reopen: boolean): SynDecision {
  const syncookies = host.sysctl.get('net.ipv4.tcp_syncookies');
  // #region lab queues/2 Decide what to do with a SYN
  let wantCookie = false;
  if ((syncookies === 2 || synQueueIsFull(listener)) && !reopen) {
    // tcp_syn_flood_action warns once per listener, with cookies or without; never when they are forced on.
    if (!listener.warnedSynFlood && syncookies !== 2) {
      listener.warnedSynFlood = true;
      host.note(`Possible SYN flooding on port ${listener.localPort}. ${syncookies === 0 ? 'Dropping request' : 'Sending cookies'}.`);
    }
    if (syncookies === 0) {
      host.mib.inc('TCPReqQFullDrop');
      host.mib.inc('ListenDrops');
      return 'drop';
    }
    host.mib.inc('TCPReqQFullDoCookies');
    wantCookie = true;
  }
  // Since Linux 4.10 a SYN is dropped while the accept queue is full, cookies or not.
  if (acceptQueueIsFull(listener)) {
    host.mib.inc('ListenOverflows');
    host.mib.inc('ListenDrops');
    return 'drop';
  }
  // Without cookies, the last quarter of tcp_max_syn_backlog is kept for peers proven to be
  // alive (known RTT); this stack keeps no such metrics, so every peer is unproven.
  if (!wantCookie && syncookies === 0 && !reopen) {
    const max = host.sysctl.get('net.ipv4.tcp_max_syn_backlog');
    if (max - listener.synQueue.size < max >> 2) {
      host.mib.inc('ListenDrops');
      return 'drop';
    }
  }
  return wantCookie ? 'cookie' : 'request';
  // #endregion
}

// Task 3 — the final ACK finds the accept queue full.
/**
 * tcp_abort_on_overflow = 0: drop the ACK and keep the request; its SYN-ACK retransmissions give
 * the client another chance later. = 1: reset the connection the client believes is open.
 */
export function onAcceptQueueOverflow(host: HostContext): 'drop' | 'reset' {
  // #region lab queues/3 The final ACK finds the accept queue full
  host.mib.inc('ListenOverflows');
  host.mib.inc('ListenDrops');
  return host.sysctl.get('net.ipv4.tcp_abort_on_overflow') ? 'reset' : 'drop';
  // #endregion
}
