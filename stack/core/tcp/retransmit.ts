/**
 * Retransmission: the RTO timer with Linux's backoff and give-up rules (tcp_retransmit_timer,
 * tcp_write_timeout), and resending a segment from the send queue (tcp_retransmit_skb) — the
 * head after a timeout, a segment RACK marked lost, the last one as a tail loss probe.
 */
import { ACK, FIN, PSH } from '../wire/segment.ts';
import { seqGeq, seqGt, seqLt } from '../seq.ts';
import type { Connection } from './connection.ts';
import { cancelTimer, destroy, setTimer } from './lifecycle.ts';
import { sendSegment } from './output.ts';
import { RTO_MIN_CONST, clampToUserTimeout, modelTimeout, rtoMax } from './rto.ts';
import { nextSynRto, sendSyn, sendSynAckFromConnection, synSentExpired } from './handshake.ts';
import { onRto } from './congestion.ts';
import { markLost, recordSent, resendCarriesPsh } from './sack-scoreboard.ts';
import { bytesToRecordEnd } from './send-buffer.ts';

/** (Re)starts the retransmission timer with the current RTO; it replaces a loss probe or reordering timer. */
export function armRetransmit(conn: Connection): void {
  cancelTimer(conn, 'persist');
  conn.probesTstamp = null;
  cancelTimer(conn, 'loss-probe');
  cancelTimer(conn, 'reorder');
  setTimer(conn, 'retransmit', clampToUserTimeout(conn, conn.rto), onRetransmitTimeout);
}

/** Stops whichever timer stands for the retransmission timer: nothing is outstanding. */
export function cancelRetransmitTimers(conn: Connection): void {
  cancelTimer(conn, 'retransmit');
  cancelTimer(conn, 'loss-probe');
  cancelTimer(conn, 'reorder');
}

/**
 * Resends [seq, seq + len) of the send queue, with the FIN when it reaches the end of a closed
 * stream; returns the sequence space it took. SND.NXT does not move: this is a resend.
 */
export function retransmitRange(conn: Connection, seq: number, maxLen: number, endsMultiSegmentPacket = false): number {
  const offset = (seq - conn.sendQueueSeq) | 0;
  // A resend stays within its buffer too: no merging across a MSG_EOR record end.
  const len = Math.max(0, Math.min(maxLen, bytesToRecordEnd(conn, seq), conn.sendQueue.length - offset));
  const last = offset + len === conn.sendQueue.length;
  const fin = last && conn.finQueued;
  if (len === 0 && !fin) return 0;
  conn.totalRetrans++;
  // PSH as the original had it: at the end of the queue, or where a write ended (KERNEL.md finding
  // 27); and on the last segment of a resend that leaves as a packet of several (finding 58).
  const psh = len > 0 && (last || endsMultiSegmentPacket || resendCarriesPsh(conn, seq, (seq + len) >>> 0));
  sendSegment(conn, ACK | (psh ? PSH : 0) | (fin ? FIN : 0), seq, conn.sendQueue.peek(offset, len), true);
  if (fin) {
    conn.finSeq = (seq + len) >>> 0;
    conn.finSent = true;
  }
  const span = len + (fin ? 1 : 0);
  recordSent(conn, seq, (seq + span) >>> 0, true);
  if (seqGt((seq + span) >>> 0, conn.sndMax)) conn.sndMax = (seq + span) >>> 0;
  return span;
}

/** Resends the oldest unacknowledged segment (with the FIN if it is the last); returns its span. */
export function retransmitHead(conn: Connection): number {
  return retransmitRange(conn, conn.sndUna, conn.mss);
}

/** tcp_orphan_retries: the sysctl, or 8 when it is 0 and the connection still looks alive (its backed-off RTO below TCP_RTO_MAX). */
export function tcpOrphanRetries(conn: Connection, alive: boolean): number {
  return conn.host.sysctl.get('net.ipv4.tcp_orphan_retries') || (alive ? 8 : 0);
}

/**
 * tcp_write_timeout() for synchronized states: give up once the time since the first
 * retransmission passes the model time of tcp_retries2 backoffs from 200 ms (924.6 s by default),
 * or TCP_USER_TIMEOUT when set. Orphaned sockets use tcp_orphan_retries (0 means 8 while alive).
 */
export function writeTimeoutExpired(conn: Connection): boolean {
  const host = conn.host;
  if (conn.retransmits === 0) return false;
  let boundary = host.sysctl.get('net.ipv4.tcp_retries2');
  if (conn.orphan) {
    const orphanRetries = tcpOrphanRetries(conn, conn.rto < rtoMax(host));
    boundary = orphanRetries;
    if (conn.retransmits >= boundary && !conn.opts.userTimeout) return true;
  }
  const timeout = conn.opts.userTimeout || modelTimeout(boundary, RTO_MIN_CONST, rtoMax(host));
  return conn.now - conn.retransStamp >= timeout;
}

export function onRetransmitTimeout(conn: Connection): void {
  const host = conn.host;
  if (conn.state === 'SYN_SENT' || conn.state === 'SYN_RECV') {
    if (synSentExpired(conn)) {
      host.mib.inc('TcpAttemptFails');
      destroy(conn, 'SYN retransmissions exhausted', conn.error ?? 'ETIMEDOUT');
      return;
    }
    host.mib.inc('TCPTimeouts');
    host.mib.inc('TCPSynRetrans');
    if (conn.state === 'SYN_SENT') sendSyn(conn, true);
    else sendSynAckFromConnection(conn, true);
    conn.retransmits++;
    conn.totalRetrans++;
    conn.rto = nextSynRto(conn);
    setTimer(conn, 'retransmit', clampToUserTimeout(conn, conn.rto), onRetransmitTimeout);
    return;
  }
  if (conn.sndUna === conn.sndMax) return;
  // retrans_stamp: the time of the first retransmission (tcp_retransmit_skb stamps it from the
  // segment it has just resent), so tcp_retries2 and TCP_USER_TIMEOUT count from there — on
  // Linux 6.18 data sent at 1 s with RTO 300 ms and a 3 s user timeout dies at 4.3 s, not 4 s.
  if (!conn.retransStamp) conn.retransStamp = conn.now;
  if (writeTimeoutExpired(conn)) {
    host.mib.inc('TCPAbortOnTimeout');
    // Linux reports the soft error if one was recorded, else ETIMEDOUT; no RST is sent.
    destroy(conn, 'retransmissions exhausted', 'ETIMEDOUT');
    return;
  }
  host.mib.inc('TCPTimeouts');
  // tcp_enter_loss: everything unSACKed counts as lost (first: the undo counts only resends still
  // in flight), back to one segment, and no loss probe until the loss is repaired; then go back
  // to SND.UNA (RFC 5681 §3.1, RFC 9293 §3.8.1).
  for (const r of conn.rtx) markLost(conn, r);
  onRto(conn);
  conn.caState = 'loss';
  conn.highSeq = conn.sndMax;
  conn.tlpHighSeq = null;
  // tcp_timeout_mark_lost: without SACK, the duplicate ACKs counted as SACKed are forgotten.
  conn.renoSackedOut = 0;
  conn.sndNxt = conn.sndUna;
  if (conn.finSent && seqGeq(conn.finSeq, conn.sndUna)) conn.finSent = false;
  conn.retransmits++;
  conn.backoff++;
  conn.rto = Math.min(conn.rto * 2, rtoMax(host));
  cancelTimer(conn, 'retransmit', false);
  // After a timeout the head goes out even into a closed window (tcp_retransmit_skb allows SND.UNA).
  const span = retransmitHead(conn);
  conn.sndNxt = (conn.sndUna + span) >>> 0;
  if (seqLt(conn.sndMax, conn.sndNxt)) conn.sndMax = conn.sndNxt;
  setTimer(conn, 'retransmit', clampToUserTimeout(conn, conn.rto), onRetransmitTimeout);
}
