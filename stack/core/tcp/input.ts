/**
 * SEGMENT ARRIVES (RFC 9293 §3.10.7): finding who a segment is for, and the processing of the
 * synchronized states in the RFC's order with Linux's choices — sequence check, RST (RFC 5961),
 * SYN (challenge ACK), ACK, data, FIN (tcp_rcv_state_process, tcp_validate_incoming).
 */
import { ACK, FIN, PSH, RST, SYN, URG, hasFlag, tsOption, type TcpSegment } from '../wire/segment.ts';
import { seqGeq, seqGt, seqLeq, seqLt } from '../seq.ts';
import { ADV_MSS, type Connection, type HostContext, RCV_BUF, connKey, listenerKey } from './connection.ts';
import { cancelTimer, destroy, setState, setTimer, traceQueues } from './lifecycle.ts';
import { ackOutOfOrder, sackCompressSendAck } from './sack-compress.ts';
import { DELACK_MS, receiveBufferFull, receiveWindow, scheduleAck, sendAck, sendChallengeAck, sendDupAck, sendResetFor, tsClock } from './output.ts';
import { pushData } from './send.ts';
import { dsackExtend, dsackSet, sackNewOfo, sackRemove, sackReset } from './sack-blocks.ts';
import { checkWriteSpace } from './send-buffer.ts';
import { WAKE_DATA_READY } from './poll-events.ts';
import { onRetransmitTimeout } from './retransmit.ts';
import { processAck } from './ack.ts';
import { restartAfterIdle } from './congestion.ts';
import { canReceive, peerFinReceived } from './state-classes.ts';
import { onSegmentInSynSent } from './handshake.ts';
import {
  dataAfterClose,
  onAckOfFin,
  onFin,
  onSegmentInOrphanFinWait2,
  onSegmentInTimeWait,
  resetFromOrphan,
} from './teardown.ts';
import { onSegmentAtListener, onSegmentForRequest } from './listener.ts';
import { resetKeepaliveTimer } from './keepalive.ts';
import { tcpOptionsLength } from '../wire/codec.ts';
import { chargeInOrder, growWindow, measureScalingRatio, moveFromOfo, truesizeModel, tunTailroom, tunTruesize } from './receive-window.ts';
import type { Errno } from './errno.ts';

/** TCP_TIMEOUT_MIN (2 jiffies): how soon tcp_rcv_synsent_state_process retries a SYN after resetting a stale peer. */
const TCP_TIMEOUT_MIN = 2;

/** Entry point: a decoded segment addressed to this host. */
export function tcpInput(host: HostContext, seg: TcpSegment): void {
  host.mib.inc('TcpInSegs');
  const key = connKey(seg.dstAddr, seg.dstPort, seg.srcAddr, seg.srcPort);
  const conn = host.connections.get(key);
  if (conn) {
    if (conn.state === 'TIME_WAIT') return timeWaitInput(host, conn, seg);
    if (conn.state === 'FIN_WAIT_2' && conn.orphan) {
      const reply = onSegmentInOrphanFinWait2(conn, seg);
      if (reply === 'ack') sendAck(conn);
      else if (reply === 'rst') resetFromOrphan(conn, seg);
      return;
    }
    if (conn.state === 'SYN_SENT') {
      const verdict = onSegmentInSynSent(conn, seg);
      // Only the two reset verdicts send anything here: whatever else comes back is 'done'.
      if (verdict === 'reset' || verdict === 'reset-and-retry') {
        sendResetFor(host, seg); // <SEQ=SEG.ACK><CTL=RST>
        if (verdict === 'reset-and-retry') setTimer(conn, 'retransmit', TCP_TIMEOUT_MIN, onRetransmitTimeout);
        return;
      }
      if ((conn.state as string) === 'ESTABLISHED') {
        // tcp_ack of the SYN-ACK stamps rcv_tstamp: idleness (keepalive, tcpi_last_data_recv) counts from here.
        conn.lastRcvAt = conn.now;
        // tcp_finish_connect's lsndtime and tcp_init_transfer's snd_cwnd_stamp: the idle and
        // application-limited clocks of slow start after idle start here too.
        conn.lastDataSentAt = conn.now;
        conn.cwndStamp = conn.now;
        // tcp_snd_una_update in tcp_ack of the SYN-ACK: our SYN's sequence number is the first
        // byte acknowledged (a passive open starts at 0: its request sock took that ACK).
        conn.bytesAcked = 1;
        // tcp_finish_connect: a socket with SO_KEEPALIVE starts its idle clock now.
        if (conn.opts.keepalive) resetKeepaliveTimer(conn);
        pushData(conn);
      }
      return;
    }
    return onSegmentSynchronized(conn, seg);
  }
  const req = host.requests.get(key);
  if (req) return onSegmentForRequest(host, req, seg, onSegmentSynchronized);
  const listener = findListener(host, seg.dstAddr, seg.dstPort);
  if (listener) return onSegmentAtListener(host, listener, seg, null, onSegmentSynchronized);
  // CLOSED (RFC 9293 §3.10.7.1): every segment but a RST draws a RST.
  sendResetFor(host, seg);
}

export function findListener(host: HostContext, addr: number, port: number) {
  return host.listeners.get(listenerKey(addr, port)) ?? host.listeners.get(listenerKey(0, port));
}

function timeWaitInput(host: HostContext, conn: Connection, seg: TcpSegment): void {
  const v = onSegmentInTimeWait(conn, seg);
  if (v.action === 'ack') sendAck(conn);
  else if (v.action === 'rst') sendResetFor(host, seg);
  else if (v.action === 'reopen') {
    const listener = findListener(host, seg.dstAddr, seg.dstPort);
    if (!listener) {
      sendAck(conn); // no listener: the SYN is answered like any old segment
      return;
    }
    // Not TWRecycled: Linux counts that only when connect() takes over a TIME_WAIT 4-tuple
    // (__inet_check_established); a SYN reopening it is counted nowhere (measured on 6.18).
    destroy(conn, 'new SYN reopens the 4-tuple');
    onSegmentAtListener(host, listener, seg, v.iss, onSegmentSynchronized);
  }
}

/** RFC 9293 §3.10.7.4 for SYN_RECV (full sockets) and every synchronized state. */
export function onSegmentSynchronized(conn: Connection, seg: TcpSegment): void {
  const host = conn.host;
  const dataLen = seg.payload.length;
  const end = (seg.seq + dataLen + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0)) >>> 0;

  // RFC 7323 §5 PAWS: a timestamp older than the last one seen marks an old duplicate.
  // TSvals wrap modulo 2^32 like sequence numbers, so "older" is seqLt's signed difference.
  const ts = conn.tsOk ? tsOption(seg) : undefined;
  if (ts && !hasFlag(seg, RST) && seqLt(ts.val, conn.tsRecent)) {
    host.mib.inc('PAWSEstab');
    sendDupAck(conn, seg);
    return;
  }

  // Step 1: is the segment in the window? (Linux tcp_sequence: not entirely before RCV.NXT, not
  // starting beyond the right edge, and — since 6.17 — not ending beyond it unless the receive
  // queue is empty, so that a peer ignoring our window cannot fill the buffer; a FIN may stick
  // out by its own sequence number.)
  const rcvWnd = Math.max(0, (conn.rcvWup - conn.rcvNxt) | 0);
  const limit = (conn.rcvNxt + rcvWnd) >>> 0;
  const tooOld = seqLt(end, conn.rcvNxt);
  const tooNew = seqGt(seg.seq, limit) ||
    (seqGt((end - (seg.flags & FIN ? 1 : 0)) >>> 0, limit) && conn.recvQueue.length > 0);
  // Linux tcp_reset_check: after the peer's FIN, a RST at RCV.NXT − 1 resets too — it is "old"
  // by one, so this must be decided before the sequence check drops it.
  const afterFin = conn.rcvFin && seg.seq === ((conn.rcvNxt - 1) >>> 0);
  if (tooOld || tooNew) {
    if (seg.flags & RST && afterFin) return resetReceived(conn);
    if (!(seg.flags & RST)) {
      if (seg.flags & SYN) {
        host.mib.inc('TCPSYNChallenge');
        sendChallengeAck(conn);
      } else {
        // LINUX_MIB_BEYOND_WINDOW: counted for a segment dropped for its right end, not for an old one.
        if (tooNew) host.mib.inc('BeyondWindow');
        sendDupAck(conn, seg);
      }
    }
    return;
  }

  // Step 2: RST (RFC 5961 §3.2): only an exact hit on RCV.NXT resets; in-window otherwise earns a
  // challenge ACK. After a FIN, Linux also accepts RCV.NXT − 1.
  if (seg.flags & RST) {
    if (seg.seq === conn.rcvNxt || afterFin) return resetReceived(conn);
    sendChallengeAck(conn);
    return;
  }

  // Step 4: SYN in a synchronized state ⇒ challenge ACK (RFC 5961 §4), except the crossed
  // SYN-ACK of a simultaneous open arriving in SYN_RECV.
  if (seg.flags & SYN) {
    const crossed = conn.state === 'SYN_RECV' && (seg.flags & ACK) !== 0 &&
      ((seg.seq + 1) >>> 0) === conn.rcvNxt && seg.ack === conn.sndNxt;
    if (!crossed) {
      host.mib.inc('TCPSYNChallenge');
      sendChallengeAck(conn);
      return;
    }
  }

  // Step 5: ACK.
  if (!(seg.flags & ACK)) return;
  if (conn.state === 'SYN_RECV') {
    if (seqGt(seg.ack, conn.sndUna) && seqLeq(seg.ack, conn.sndMax)) {
      // A simultaneous open's SYN counts in bytes_acked; a passive child is born with SND.UNA
      // past its SYN-ACK (tcp_create_openreq_child), so the ACK that makes it counts nothing.
      if (conn.listener === null) conn.bytesAcked += (seg.ack - conn.sndUna) >>> 0;
      conn.sndUna = seg.ack;
      conn.sndWnd = seg.window << conn.sndWscale;
      conn.maxSndWnd = Math.max(conn.maxSndWnd, conn.sndWnd);
      conn.sndWl1 = seg.seq;
      conn.sndWl2 = seg.ack;
      conn.retransmits = 0;
      conn.retransStamp = 0;
      setState(conn, 'ESTABLISHED', conn.listener ? 'final ACK received' : 'SYN-ACK received (simultaneous open)');
      if (conn.listener) {
        traceQueues(conn.listener, host);
        conn.listener.wake?.(WAKE_DATA_READY);
      }
      cancelTimer(conn, 'retransmit');
      // The crossed SYN-ACK of a simultaneous open: its SYN occupies a sequence number we have
      // already received, so Linux treats it as a duplicate and ACKs at once (tcp_data_queue).
      if (seg.flags & SYN) sendAck(conn);
    } else {
      sendResetFor(host, seg);
      return;
    }
  } else {
    // RFC 5961 §5: an ACK for data never sent, or far behind, gets a challenge ACK.
    if (seqGt(seg.ack, conn.sndMax)) {
      sendChallengeAck(conn);
      return;
    }
    // tcp_ack: not further back than the largest window, nor than what was ever acknowledged
    // (bytes_acked) — an ACK below SND.UNA on a connection that has sent nothing is too old.
    if (seqLt(seg.ack, (conn.sndUna - Math.min(conn.maxSndWnd, conn.bytesAcked)) >>> 0)) {
      sendChallengeAck(conn);
      return;
    }
    const windowBefore = conn.sndWnd;
    // tcp_ack_update_window runs before tcp_clean_rtx_queue: its idle check sees what was in flight.
    const packetsOutBefore = conn.rtx.length;
    const duplicate = seg.ack === conn.sndUna && dataLen === 0 && !(seg.flags & FIN) && (seg.window << conn.sndWscale) === windowBefore;
    const finAcked = processAck(conn, seg, duplicate);
    // RFC 9293 §3.10.7.4: update the window only from a newer segment (WL1/WL2).
    if (seqLt(conn.sndWl1, seg.seq) || (conn.sndWl1 === seg.seq && seqLeq(conn.sndWl2, seg.ack))) {
      conn.sndWnd = seg.window << conn.sndWscale;
      conn.maxSndWnd = Math.max(conn.maxSndWnd, conn.sndWnd);
      conn.sndWl1 = seg.seq;
      conn.sndWl2 = seg.ack;
      // A changed window with data waiting to go is another moment to check for idleness.
      if (conn.sndWnd !== windowBefore && packetsOutBefore === 0 && ((conn.sendQueueSeq + conn.sendQueue.length - conn.sndMax) | 0) > 0) restartAfterIdle(conn);
    }
    if (finAcked) {
      onAckOfFin(conn, seg);
      if (conn.closed || conn.state === 'TIME_WAIT') return;
    }
  }
  // Any acceptable ACK shows the peer is alive (tcp_ack: rcv_tstamp, icsk_probes_out = 0).
  conn.lastRcvAt = conn.now;
  conn.probesOut = 0;
  // tcp_store_ts_recent: only from a segment that does not start beyond RCV.NXT (RFC 7323 §4.3).
  if (ts && seqLeq(seg.seq, conn.rcvNxt)) {
    conn.tsRecent = ts.val;
    conn.tsRecentStamp = conn.now;
  }

  // Step 7: segment text.
  if (ts && dataLen > 0 && conn.state === 'ESTABLISHED') rcvRttMeasureTs(conn, ts.ecr, dataLen);
  if (dataLen > 0) {
    if (canReceive(conn.state)) {
      if (dataAfterClose(conn, seg)) return;
      receiveData(conn, seg);
    } else if (seqLeq(end, conn.rcvNxt)) {
      // CLOSE_WAIT, CLOSING, LAST_ACK: the peer already sent its FIN; a retransmission is ACKed,
      // with a D-SACK as tcp_data_queue gives any old segment.
      dsackSet(conn, seg.seq, end);
      sendAck(conn);
    }
  }

  // Step 8: FIN.
  if (seg.flags & FIN && !conn.closed) {
    const finSeq = (end - 1) >>> 0;
    // The peer's FIN has already been received in CLOSE_WAIT, CLOSING and LAST_ACK: a FIN at or
    // beyond RCV.NXT there is bogus and ignored (Linux skips tcp_data_queue in those states).
    const peerFinDone = peerFinReceived(conn.state);
    if (peerFinDone && !seqLt(finSeq, conn.rcvNxt)) {
      // nothing
    } else if (finSeq === conn.rcvNxt) {
      // tcp_data_queue: with the receive buffer full, a bare FIN is still taken (so that a peer
      // sending FINs into our zero window does not loop) but flagged ICSK_ACK_NOMEM |
      // ICSK_ACK_NOW: its ACK goes at once, not after CLOSE_WAIT's delayed-ACK timeout (measured
      // on 6.18, KERNEL.md finding 47).
      const ackNow = dataLen === 0 && receiveBufferFull(conn);
      finReceived(conn);
      if (ackNow && conn.state === 'CLOSE_WAIT') sendAck(conn);
      conn.wake?.();
    } else if (seqLt(finSeq, conn.rcvNxt)) {
      sendAck(conn); // a retransmitted FIN: our ACK was lost
    } else if (dataLen === 0) {
      if (!queueOutOfOrder(conn, finSeq, new Uint8Array(0), true)) ackOutOfOrder(conn);
    }
  }
  if (!conn.closed) {
    // tcp_data_snd_check: tcp_push_pending_frames, then tcp_check_space. Whether cwnd was full
    // is as it stood before this ACK's transmissions (measured on 6.18: an ACK that lets 20
    // segments fill cwnd 20 still grows the buffer; KERNEL.md finding 40).
    const cwndRoom = conn.rtx.length < Math.floor(conn.cwnd);
    pushData(conn);
    checkWriteSpace(conn, cwndRoom);
  }
}

/** The peer reset the connection (RFC 9293 §3.10.7.4 step 2; Linux tcp_reset errno choice). */
function resetReceived(conn: Connection): void {
  const host = conn.host;
  let errno: Errno | null = 'ECONNRESET';
  switch (conn.state) {
    case 'SYN_RECV':
      // Linux tcp_reset: only SYN_SENT reports ECONNREFUSED; a simultaneous open in SYN_RECV is reset.
      errno = conn.listener ? null : 'ECONNRESET';
      break;
    case 'CLOSE_WAIT':
      errno = 'EPIPE';
      host.mib.inc('TcpEstabResets');
      break;
    case 'ESTABLISHED':
      host.mib.inc('TcpEstabResets');
      break;
    default:
      break;
  }
  destroy(conn, `RST received in ${conn.state}`, errno);
}

/**
 * tcp_fin: the state change (onFin, the teardown lab's part), then its tail: data queued out of
 * order beyond the FIN is dropped and there is nothing left to SACK or D-SACK, so an ACK sent
 * after this (the delayed ACK in CLOSE_WAIT) carries no SACK option even when the FIN's segment
 * repeated old data (measured on 6.18, KERNEL.md finding 46). An ACK onFin itself sends (in
 * FIN_WAIT_1 or FIN_WAIT_2) still carries what was pending, as tcp_fin's does.
 */
function finReceived(conn: Connection): void {
  onFin(conn);
  for (const s of conn.ooo) conn.rmemAlloc -= s.truesize;
  conn.ooo.length = 0;
  if (conn.sackOk) sackReset(conn);
}

/**
 * tcp_data_queue_ofo: keeps [seq, seq + data + fin) until the hole before it fills. Queued data
 * it repeats is D-SACKed (RFC 2883 §4.1.3) and queued segments it covers are dropped; then its
 * SACK block moves to the front (sack-blocks.ts). Returns whether that sent an ACK held back by
 * SACK compression — then, as in Linux, no ACK is left scheduled for this segment.
 */
function queueOutOfOrder(conn: Connection, seq: number, data: Uint8Array, fin: boolean, truesize = 0, room = 0): boolean {
  const q = conn.ooo;
  const end = (seq + data.length + (fin ? 1 : 0)) >>> 0;
  const entry = { seq, data, fin, truesize, room };
  if (q.length === 0) {
    q.push(entry);
    conn.rmemAlloc += truesize;
    // The first out-of-order segment: one SACK block, whatever was kept before.
    if (conn.sackOk) {
      conn.selectiveAcks.length = 0;
      conn.selectiveAcks.push([seq, end]);
    }
    return false;
  }
  // The queued segment starting at or before this one, if any.
  let at = q.length;
  while (at > 0 && seqGt(q[at - 1].seq, seq)) at--;
  if (at > 0) {
    const prev = q[at - 1];
    const prevEnd = (prev.seq + prev.data.length + (prev.fin ? 1 : 0)) >>> 0;
    if (seqLt(seq, prevEnd)) {
      if (seqLeq(end, prevEnd)) {
        // All of it is queued already: drop it.
        dsackSet(conn, seq, end);
        return conn.sackOk && sackNewOfo(conn, seq, end, sackCompressSendAck);
      }
      if (seqGt(seq, prev.seq)) dsackSet(conn, seq, prevEnd);
      else {
        // Same start, more data: it replaces the queued segment.
        dsackExtend(conn, prev.seq, prevEnd);
        conn.rmemAlloc -= prev.truesize;
        q.splice(--at, 1);
      }
    }
  }
  q.splice(at, 0, entry);
  // tcp_ooo_try_coalesce: a segment that continues the last queued one is copied into its spare
  // room when it fits, and costs nothing more (measured on 6.18: 100 bytes after a queued
  // 1448-byte segment left sk_rmem_alloc as it was). The entries stay apart for reassembly.
  const last = at === q.length - 1 && at > 0 ? q[at - 1] : null;
  if (last && !last.fin && truesize > 0 && ((last.seq + last.data.length) >>> 0) === seq && data.length <= last.room) {
    last.room -= data.length;
    entry.truesize = 0;
    entry.room = last.room;
    last.room = 0;
  } else conn.rmemAlloc += truesize;
  // Queued segments after it that it covers are dropped; one it overlaps ends the D-SACK block.
  while (at + 1 < q.length) {
    const next = q[at + 1];
    if (seqLeq(end, next.seq)) break;
    const nextEnd = (next.seq + next.data.length + (next.fin ? 1 : 0)) >>> 0;
    if (seqLt(end, nextEnd)) {
      dsackExtend(conn, next.seq, end);
      break;
    }
    conn.rmemAlloc -= next.truesize;
    q.splice(at + 1, 1);
    dsackExtend(conn, next.seq, nextEnd);
  }
  return conn.sackOk && sackNewOfo(conn, seq, end, sackCompressSendAck);
}

/** In-order delivery, out-of-order reassembly, and the ACK policy for data (RFC 9293 step 7). */
function receiveData(conn: Connection, seg: TcpSegment): void {
  const host = conn.host;
  let seq = seg.seq;
  let data = seg.payload;
  if (seqLt(seq, conn.rcvNxt)) {
    const trim = (conn.rcvNxt - seq) >>> 0;
    // tcp_data_queue: the part below RCV.NXT is a duplicate, reported by D-SACK (RFC 2883).
    dsackSet(conn, seq, trim >= data.length ? (seq + data.length) >>> 0 : conn.rcvNxt);
    if (trim >= data.length) {
      // Old data with a new FIN right at RCV.NXT ("partial packet, seq < rcv_nxt < end_seq" in
      // tcp_data_queue): the FIN is news, so step 8 takes it and decides the one ACK (delayed,
      // ping-pong after tcp_fin) — no extra immediate ACK of the old bytes (measured on 6.18).
      if (seg.flags & FIN && ((seq + data.length) >>> 0) === conn.rcvNxt) return;
      // Entirely old: the peer missed our ACK. Tell it again, now.
      sendAck(conn);
      return;
    }
    data = data.subarray(trim);
    seq = conn.rcvNxt;
  }
  const segFin = (seg.flags & FIN) !== 0;
  // tcp_measure_rcv_mss reads a GSO packet's segment size, not its length.
  const gso = host.rxGsoSize;
  const mssLen = gso > 0 && data.length > gso ? gso : data.length;
  const model = truesizeModel(conn);
  let truesize = 0;
  let ipLen = 0;
  if (model) {
    // The whole packet's sk_buff is charged, whatever part of it is new (IPv4 and TCP headers too).
    ipLen = 40 + tcpOptionsLength(seg.options) + seg.payload.length;
    truesize = tunTruesize(ipLen);
    if (seq === conn.rcvNxt && ((conn.rcvWup - conn.rcvNxt) | 0) <= 0) {
      // tcp_data_queue: in sequence but the window offered is closed.
      host.mib.inc('TCPZeroWindowDrop');
      sendAck(conn);
      return;
    }
    if (conn.rmemAlloc > conn.opts.rcvBuf) {
      // tcp_try_rmem_schedule fails (tcp_can_ingest: what is queued already exceeds sk_rcvbuf;
      // collapsing the queue to make room is not modelled). In order, the ACK goes at once with a
      // zero window (ICSK_ACK_NOMEM | ICSK_ACK_NOW), and the data is dropped unless nothing waits
      // to be read, when it is taken anyway lest the connection stall.
      if (seq !== conn.rcvNxt) {
        host.mib.inc('TCPOFODrop');
        sendAck(conn);
        return;
      }
      conn.ackNoMem = true;
      if (conn.recvQueue.length > 0) {
        host.mib.inc('TCPRcvQDrop');
        sendAck(conn);
        return;
      }
    }
  } else if (conn.recvQueue.length >= RCV_BUF) {
    // Zero window: the data cannot be taken (tcp_data_queue); the ACK repeats the closed window.
    sendAck(conn);
    return;
  }
  if (seq !== conn.rcvNxt) {
    // A hole before this segment: keep it, and ACK so the sender sees a duplicate ACK — at once
    // for the first three at this RCV.NXT, later ones perhaps held back (SACK compression).
    host.mib.inc('TCPOFOQueue');
    if (model) {
      // tcp_data_queue_ofo measures the segment (since 6.17) and, with SACK, may grow the window
      // before the segment is charged.
      measureScalingRatio(conn, mssLen, data.length, truesize);
      measureRcvMss(conn, mssLen, seg.flags);
      if (conn.sackOk) growWindow(conn, data.length, truesize);
    }
    if (!queueOutOfOrder(conn, seq, data, segFin, truesize, model ? tunTailroom(ipLen) : 0)) ackOutOfOrder(conn);
    return;
  }
  const hadHole = conn.ooo.length > 0;
  conn.recvQueue.push(data);
  conn.rcvNxt = (conn.rcvNxt + data.length) >>> 0;
  if (model) {
    chargeInOrder(conn, data.length, ipLen, truesize);
    measureScalingRatio(conn, mssLen, data.length, truesize);
  }
  measureRcvMss(conn, mssLen, seg.flags);
  // tcp_event_data_recv: tcp_grow_window for segments of 128 bytes or more.
  if (model && data.length >= 128) growWindow(conn, data.length, truesize);
  // tcp_event_data_recv: the first data starts quickack mode (the first segments are ACKed at
  // once); data after a silence longer than the RTO starts it again — the sender apparently had
  // to wait for its window, so it should not also wait for our delayed ACK. Otherwise ato follows
  // the gap m since the previous data: half of it plus m when m is shorter (half plus 20 ms for
  // m up to 20 ms), at most the RTO; a longer gap leaves it as it is.
  if (conn.ato === 0) {
    conn.ato = DELACK_MS;
    incrQuickack(conn);
  } else if (conn.lastDataAt >= 0) {
    const m = conn.now - conn.lastDataAt;
    if (m <= DELACK_MS / 2) conn.ato = conn.ato / 2 + DELACK_MS / 2;
    else if (m < conn.ato) conn.ato = Math.min(conn.ato / 2 + m, conn.rto);
    else if (m > conn.rto) incrQuickack(conn);
  }
  conn.lastDataAt = conn.now;
  rcvRttMeasure(conn);
  // __tcp_ack_snd_check counts bytes against rcv_mss: a segment of several MSS (GRO, or
  // packetdrill's 10000-byte lines) counts as that many full segments (KERNEL.md finding 39).
  if (data.length >= conn.mss) conn.unackedSegs += Math.max(1, Math.floor(data.length / conn.rcvMss));
  // Fill from the out-of-order queue (tcp_ofo_queue). Queued data this segment already carried
  // was received twice: D-SACK it.
  let finFromOoo = false;
  let dsackHigh = conn.rcvNxt;
  while (conn.ooo.length) {
    const s = conn.ooo[0];
    const sEnd = (s.seq + s.data.length) >>> 0;
    if (seqGt(s.seq, conn.rcvNxt)) break;
    conn.ooo.shift();
    let moved = false;
    if (seqLt(s.seq, dsackHigh)) {
      // The duplicate is the queued segment's part below what this segment brought: [seq,
      // min(end, RCV.NXT before the fill)) — 1001:3001, not 1001:6001, when 1:6001 covers queued
      // 1001:3001 (6.18, with the fix to tcp_ofo_queue; KERNEL.md finding 46).
      const sEndFin = (sEnd + (s.fin ? 1 : 0)) >>> 0;
      dsackExtend(conn, s.seq, seqLt(sEndFin, dsackHigh) ? sEndFin : dsackHigh);
    }
    if (seqGt(sEnd, conn.rcvNxt)) {
      const part = s.data.subarray((conn.rcvNxt - s.seq) >>> 0);
      conn.recvQueue.push(part);
      conn.rcvNxt = sEnd;
      if (model) moveFromOfo(conn, part.length, s.truesize, s.room);
      moved = true;
    }
    // An out-of-order segment wholly covered by what arrived is freed (tcp_ofo_queue: tcp_drop_reason).
    if (!moved) conn.rmemAlloc -= s.truesize;
    if (s.fin && seqGeq(conn.rcvNxt, sEnd)) finFromOoo = true;
  }
  if (conn.selectiveAcks.length) sackRemove(conn);
  conn.wake?.(WAKE_DATA_READY); // tcp_data_ready → sk_data_ready
  // The FIN of this segment is handled by step 8; a FIN waiting in the out-of-order queue here.
  if (finFromOoo && !segFin) finReceived(conn);
  // With a FIN on this segment, step 8 decides the ACK once tcp_fin has entered ping-pong mode:
  // data + FIN get one delayed ACK, as in Linux — unless a hole was just filled (ACK now).
  if (segFin && !hadHole) conn.ackPending = true;
  else scheduleAck(conn, hadHole);
}

/**
 * tcp_rcv_rtt_update: a receiver RTT sample (ms). Timed windows (`windowed`) only ever lower the
 * estimate — a window may have waited for the application — while timestamp samples are smoothed
 * by 1/8 as SRTT is.
 */
function rcvRttUpdate(conn: Connection, sample: number, windowed: boolean): void {
  const old = conn.rcvRtt;
  if (old === 0) conn.rcvRtt = sample;
  else if (!windowed) conn.rcvRtt = old - old / 8 + sample / 8;
  else if (sample < old) conn.rcvRtt = sample;
}

/**
 * tcp_rcv_rtt_measure_ts: a full-sized segment (at least rcv_mss) echoing a TSval not sampled
 * before gives the time since we sent that TSval (1 ms at least).
 */
function rcvRttMeasureTs(conn: Connection, ecr: number, len: number): void {
  if (ecr === conn.rcvRttLastTsecr) return;
  conn.rcvRttLastTsecr = ecr;
  if (len < conn.rcvMss) return;
  const delta = (tsClock(conn.host, conn.tsOffset) - ecr) | 0;
  if (delta >= 0) rcvRttUpdate(conn, Math.max(1, delta), false);
}

/**
 * tcp_rcv_rtt_measure (in tcp_event_data_recv): without help from timestamps, the time from one
 * in-order segment until RCV.NXT has passed the window offered then is at least a round trip.
 */
function rcvRttMeasure(conn: Connection): void {
  if (conn.rcvRttTime >= 0) {
    if (seqLt(conn.rcvNxt, conn.rcvRttSeq)) return;
    rcvRttUpdate(conn, Math.max(0.001, conn.now - conn.rcvRttTime), true);
  }
  conn.rcvRttSeq = (conn.rcvNxt + receiveWindow(conn)) >>> 0;
  conn.rcvRttTime = conn.now;
}

/** TCP_MAX_QUICKACKS. */
const QUICKACKS = 16;

/**
 * tcp_incr_quickack: quickack mode for as many segments as half the window offered holds (at
 * least 2, at most TCP_MAX_QUICKACKS). A window of 8688 and 1448-byte segments give 3: the fourth
 * segment's ACK is delayed (measured on 6.18). Only the SO_RCVBUF window model knows tp->rcv_wnd;
 * elsewhere the window offered holds 16 segments or more and the cap decides.
 */
function incrQuickack(conn: Connection): void {
  let quick = QUICKACKS;
  if (truesizeModel(conn)) quick = Math.min(Math.floor(conn.rcvWnd / (2 * conn.rcvMss)) || 2, QUICKACKS);
  if (quick > conn.quickAcks) conn.quickAcks = quick;
}

/**
 * tcp_measure_rcv_mss: learns the peer's segment size, and marks a segment that ends a write —
 * smaller than that size, or exactly one size with PSH — so that the read which empties the queue
 * ACKs it at once (ackAfterRead). A small segment without PSH (or FIN, URG, SYN) that repeats the
 * last one's size is taken for a full segment of a small-MTU path instead.
 */
function measureRcvMss(conn: Connection, len: number, flags: number): void {
  const lss = conn.lastSegSize;
  conn.lastSegSize = 0;
  if (len >= conn.rcvMss) {
    conn.rcvMss = Math.min(len, ADV_MSS);
    if (flags & PSH) conn.ackPushed |= 1;
    return;
  }
  // The same test on the length with the TCP header, as Linux makes it (20 bytes + timestamps).
  const header = 20 + (conn.tsOk ? 12 : 0);
  const total = len + header;
  if (total >= 536 + 20 || (total >= 88 + 20 && !(flags & (FIN | URG | SYN | PSH)))) {
    conn.lastSegSize = len;
    if (len === lss) {
      conn.rcvMss = len;
      return;
    }
  }
  if (conn.ackPushed & 1) conn.ackPushed |= 2;
  conn.ackPushed |= 1;
}
