/**
 * The sending half of a connection: segmenting queued data into the peer's window (RFC 9293
 * §3.8.6), processing what an ACK acknowledges (§3.10.7.4 step 5), and the retransmission
 * timer with Linux's backoff and give-up rules (tcp_retransmit_timer, tcp_write_timeout).
 */
import { ACK, FIN, PSH, type TcpSegment } from '../wire/segment.ts';
import { seqGeq, seqGt, seqLeq, seqLt, seqMax } from '../seq.ts';
import type { Connection } from './connection.ts';
import { cancelTimer, destroy, setTimer, timerPending } from './lifecycle.ts';
import { sendSegment } from './output.ts';
import { RTO_MIN_CONST, clampToUserTimeout, modelTimeout, rtoMax, rttSample } from './rto.ts';
import { nextSynRto, sendSyn, sendSynAckFromConnection, synSentExpired } from './handshake.ts';

/** States in which data (and our FIN) may be sent. */
function canSend(conn: Connection): boolean {
  switch (conn.state) {
    case 'ESTABLISHED':
    case 'CLOSE_WAIT':
    case 'FIN_WAIT_1':
    case 'CLOSING':
    case 'LAST_ACK':
      return true;
    default:
      return false;
  }
}

/**
 * Sends whatever the window, the congestion window and Nagle's rule allow, then the FIN if the
 * application has closed and every byte before it has gone out.
 */
/**
 * The segment size for sending now (tcp_current_mss → tcp_bound_to_half_wnd): against a peer whose
 * largest window is small, segments are at most half that window (the whole window if it is
 * 536 bytes or less), so two can be in flight — window 1500 and MSS 1000 give 750-byte segments.
 */
export function sendMss(conn: Connection): number {
  const max = conn.maxSndWnd;
  const cutoff = max > 536 ? max >> 1 : max;
  if (cutoff > 0 && conn.mss > cutoff) return Math.max(cutoff, 68 - 20 - (conn.tsOk ? 12 : 0));
  return conn.mss;
}

export function pushData(conn: Connection): void {
  if (!canSend(conn) || conn.closed) return;
  const mss = sendMss(conn);
  let sentNow = false;
  for (;;) {
    const offset = (conn.sndNxt - conn.sendQueueSeq) | 0;
    const avail = conn.sendQueue.length - offset;
    if (avail > 0) {
      const wndEdge = (conn.sndUna + conn.sndWnd) >>> 0;
      // cwnd grows by fractions in congestion avoidance, but only whole segments may be sent
      // (Linux counts snd_cwnd in packets and accumulates the fraction in snd_cwnd_cnt).
      const cwndEdge = (conn.sndUna + Math.floor(conn.cwnd) * mss) >>> 0;
      const usable = Math.min((wndEdge - conn.sndNxt) | 0, (cwndEdge - conn.sndNxt) | 0);
      let len = Math.min(mss, avail, usable);
      if (len <= 0) {
        // Zero window with nothing in flight: probe it, or we would wait forever (RFC 9293 §3.8.6.1).
        if (conn.sndWnd === 0 && conn.sndUna === conn.sndMax) armPersist(conn);
        break;
      }
      // Sender silly-window avoidance (RFC 9293 §3.8.6.2.1), Linux's way (tcp_snd_wnd_test): a
      // transmission starts only if the window has room for a full segment, or for all that is
      // left. Once one has started, its tail may be cut at the window's edge (tcp_mss_split_point).
      // With nothing in flight no ACK would open the window further, so the piece goes now (Linux
      // sends it from the zero-window probe timer instead).
      if (!sentNow && len < Math.min(mss, avail) && conn.sndUna !== conn.sndMax) break;
      // Nagle (RFC 896, RFC 9293 §3.7.4) in Linux's Minshall form (tcp_nagle_check,
      // tcp_minshall_check): hold a small segment only while an earlier small one is unacknowledged.
      if (!conn.opts.nodelay && len < mss && (len === avail || sentNow) && conn.sndSml !== null && seqGt(conn.sndSml, conn.sndUna) && seqLeq(conn.sndSml, conn.sndNxt)) break;
      if (len > avail) len = avail;
      const payload = conn.sendQueue.peek(offset, len);
      const last = offset + len === conn.sendQueue.length;
      const withFin = last && conn.finQueued && !conn.finSent;
      let flags = ACK | (last ? PSH : 0);
      if (withFin) flags |= FIN;
      const retrans = seqLt(conn.sndNxt, conn.sndMax);
      sendSegment(conn, flags, conn.sndNxt, payload, retrans);
      sentNow = true;
      if (len < mss) conn.sndSml = (conn.sndNxt + len) >>> 0; // tcp_minshall_update
      noteSent(conn, len + (withFin ? 1 : 0), retrans);
      if (withFin) {
        conn.finSeq = (conn.sndNxt - 1) >>> 0;
        conn.finSent = true;
      }
      continue;
    }
    if (conn.finQueued && !conn.finSent) {
      const retrans = seqLt(conn.sndNxt, conn.sndMax);
      sendSegment(conn, FIN | ACK, conn.sndNxt, undefined, retrans);
      conn.finSeq = conn.sndNxt;
      conn.finSent = true;
      noteSent(conn, 1, retrans);
    }
    break;
  }
}

function noteSent(conn: Connection, len: number, retrans: boolean): void {
  const end = (conn.sndNxt + len) >>> 0;
  if (!retrans) {
    conn.sendTimes.push({ end, at: conn.now });
    // Time one segment per RTT (Karn: never a retransmitted one).
    if (conn.rttTime < 0) {
      conn.rttSeq = end;
      conn.rttTime = conn.now;
    }
  }
  conn.sndNxt = end;
  conn.sndMax = seqMax(conn.sndMax, end);
  // RFC 6298 §5.1: start the timer when sending data if it is not running.
  if (!timerPending(conn, 'retransmit')) armRetransmit(conn);
}

export function armRetransmit(conn: Connection): void {
  cancelTimer(conn, 'persist');
  setTimer(conn, 'retransmit', clampToUserTimeout(conn, conn.rto), onRetransmitTimeout);
}

function armPersist(conn: Connection): void {
  if (timerPending(conn, 'persist') || timerPending(conn, 'retransmit')) return;
  setTimer(conn, 'persist', Math.min(conn.rto * 2 ** conn.backoff, rtoMax(conn.host)), (c) => {
    // Zero-window probe: a segment just left of the window that the peer must ACK (tcp_write_wakeup).
    if (c.sndWnd === 0 && c.sendQueue.length > 0) {
      c.backoff++;
      c.probesOut++;
      sendSegment(c, ACK, (c.sndUna - 1) >>> 0);
      armPersist(c);
    } else pushData(c);
  });
}

/**
 * Step 5 of segment arrival for the send side: SEG.ACK is already known to be acceptable
 * (SND.UNA < SEG.ACK ≤ SND.MAX). Returns true when our FIN is now acknowledged.
 */
export function onAckAdvance(conn: Connection, seg: TcpSegment): boolean {
  const host = conn.host;
  const acked = (seg.ack - conn.sndUna) >>> 0;
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
  conn.sndUna = seg.ack;
  if (seqLt(conn.sndNxt, conn.sndUna)) conn.sndNxt = conn.sndUna;
  while (conn.sendTimes.length && seqGeq(seg.ack, conn.sendTimes[0].end)) conn.sendTimes.shift();
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
  conn.dupAcks = 0;
  // Congestion window (RFC 5681): slow start below ssthresh, then about one MSS per RTT.
  if (conn.cwnd < conn.ssthresh) conn.cwnd += Math.max(1, Math.floor(acked / conn.mss));
  else conn.cwnd += 1 / conn.cwnd;
  if (conn.sndUna === conn.sndMax) cancelTimer(conn, 'retransmit');
  else armRetransmit(conn);
  return finAcked;
}

/** A duplicate ACK while data is outstanding: three of them trigger fast retransmit (RFC 5681 §3.2). */
export function onDuplicateAck(conn: Connection): void {
  if (conn.sndUna === conn.sndMax) return;
  conn.dupAcks++;
  if (conn.dupAcks === 3) {
    conn.ssthresh = Math.max(Math.floor(conn.inFlight / conn.mss / 2), 2);
    conn.cwnd = conn.ssthresh + 3;
    retransmitHead(conn);
  }
}

/** Resends the oldest unacknowledged segment (with the FIN if it is the last); returns its span. */
function retransmitHead(conn: Connection): number {
  const offset = (conn.sndUna - conn.sendQueueSeq) | 0;
  const len = Math.max(0, Math.min(conn.mss, conn.sendQueue.length - offset));
  const last = offset + len === conn.sendQueue.length;
  const fin = last && conn.finQueued;
  conn.totalRetrans++;
  conn.rttTime = -1;
  if (len > 0 || fin) {
    sendSegment(conn, ACK | (len > 0 && last ? PSH : 0) | (fin ? FIN : 0), conn.sndUna, conn.sendQueue.peek(offset, len), true);
    if (fin) {
      conn.finSeq = (conn.sndUna + len) >>> 0;
      conn.finSent = true;
    }
  }
  return len + (fin ? 1 : 0);
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
    const alive = conn.rto < rtoMax(host);
    const orphanRetries = host.sysctl.get('net.ipv4.tcp_orphan_retries') || (alive ? 8 : 0);
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
  // Loss: back to one segment and go back to SND.UNA (RFC 5681 §3.1, RFC 9293 §3.8.1).
  conn.ssthresh = Math.max(Math.floor(conn.inFlight / conn.mss / 2), 2);
  conn.cwnd = 1;
  conn.rttTime = -1;
  conn.sndNxt = conn.sndUna;
  if (conn.finSent && seqGeq(conn.finSeq, conn.sndUna)) conn.finSent = false;
  conn.retransmits++;
  conn.backoff++;
  conn.rto = Math.min(conn.rto * 2, rtoMax(host));
  cancelTimer(conn, 'retransmit', false);
  pushDataForced(conn);
  setTimer(conn, 'retransmit', clampToUserTimeout(conn, conn.rto), onRetransmitTimeout);
}

/** After a timeout the head goes out even into a closed window (tcp_retransmit_skb allows SND.UNA). */
function pushDataForced(conn: Connection): void {
  const before = conn.sndNxt;
  pushData(conn);
  if (conn.sndNxt !== before) {
    conn.totalRetrans++;
    return;
  }
  const span = retransmitHead(conn);
  conn.sndNxt = (conn.sndUna + span) >>> 0;
}
