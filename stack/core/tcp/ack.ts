/**
 * What an acceptable ACK does to the sending half (RFC 9293 §3.10.7.4 step 5, Linux tcp_ack):
 * SACK blocks onto the scoreboard, SND.UNA forward, the RTT sample, congestion control, loss
 * detection (RACK with SACK, three duplicate ACKs without), loss recovery, and which timer —
 * loss probe, reordering or RTO — now guards what is still outstanding.
 */
import type { TcpSegment } from '../wire/segment.ts';
import { seqGeq, seqGt, seqLt } from '../seq.ts';
import type { Connection } from './connection.ts';
import { timerPending } from './lifecycle.ts';
import { rttSample } from './rto.ts';
import { onAck as ccOnAck, onLoss as ccOnLoss } from './congestion.ts';
import { ackRecords, applySack, pipe, type SackResult } from './sack-scoreboard.ts';
import { processTlpAck, rackAdvance, rackDetectLoss, rackEnabled, rackMarkLost, scheduleLossProbe } from './rack.ts';
import { armRetransmit, cancelRetransmitTimers, retransmitHead, retransmitRange } from './retransmit.ts';
import { sendLossProbe } from './send.ts';
import { freeAckedSkbs } from './send-buffer.ts';

const NO_SACK: SackResult = { newlySacked: [], dsack: false };

/**
 * Step 5 for the send side of a synchronized connection, once SEG.ACK is known not to be ahead
 * of SND.MAX. `duplicate` says the segment is a duplicate ACK in RFC 5681's sense (no data, no
 * window change, SEG.ACK = SND.UNA). Returns true when our FIN is now acknowledged.
 */
export function processAck(conn: Connection, seg: TcpSegment, duplicate: boolean): boolean {
  const advanced = seqGt(seg.ack, conn.sndUna);
  let sack = NO_SACK;
  if (conn.sackOk) {
    const opt = seg.options.find((o) => o.kind === 'sack');
    if (opt && opt.kind === 'sack') {
      sack = applySack(conn, seg.ack, opt.blocks);
      if (sack.dsack) conn.host.mib.inc('TCPDSACKRecv');
      for (const r of sack.newlySacked) rackAdvance(conn, r);
    }
  }
  let finAcked = false;
  if (advanced) finAcked = onAckAdvance(conn, seg);
  else if (duplicate && !(conn.sackOk && rackEnabled(conn))) onDuplicateAck(conn);
  if (conn.tlpHighSeq !== null) {
    processTlpAck(conn, seg.ack, advanced, sack.dsack, () => {
      // tcp_init_cwnd_reduction … tcp_end_cwnd_reduction: one halving for the repaired loss.
      ccOnLoss(conn, 0);
    });
  }
  let reoArmed = false;
  if (conn.sackOk && rackEnabled(conn) && conn.sndUna !== conn.sndMax) {
    const lost = rackMarkLost(conn, onReorderTimeout);
    reoArmed = timerPending(conn, 'reorder');
    if (lost.length) startRecovery(conn);
  }
  if (conn.caState !== 'open' && seqGeq(conn.sndUna, conn.highSeq)) conn.caState = 'open';
  if (conn.caState === 'recovery') retransmitLost(conn);
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

/** tcp_enter_recovery: once per loss episode, until SND.UNA passes what was out when it began. */
function startRecovery(conn: Connection): void {
  if (conn.caState === 'recovery') return;
  conn.host.mib.inc('TCPSackRecovery');
  ccOnLoss(conn, 0);
  conn.caState = 'recovery';
  conn.highSeq = conn.sndMax;
}

/**
 * tcp_xmit_retransmit_queue: resend the segments marked lost, oldest first, while the pipe
 * (segments believed in the network) is below cwnd. The first one always goes (fast retransmit).
 */
function retransmitLost(conn: Connection): void {
  let first = true;
  for (const r of conn.rtx) {
    if (!r.lost) continue;
    if (!first && pipe(conn) >= Math.floor(conn.cwnd)) break;
    if (seqLt(r.seq, conn.sndUna)) continue;
    if (first) conn.host.mib.inc('TCPFastRetrans');
    retransmitRange(conn, r.seq, (r.end - r.seq) >>> 0);
    first = false;
  }
}

/** tcp_rack_reo_timeout: segments whose reordering allowance ran out are lost now. */
function onReorderTimeout(conn: Connection): void {
  const { lost } = rackDetectLoss(conn);
  if (lost.length) {
    startRecovery(conn);
    retransmitLost(conn);
  }
  if (conn.sndUna !== conn.sndMax && !timerPending(conn, 'retransmit') && !timerPending(conn, 'reorder')) armRetransmit(conn);
}

/**
 * SND.UNA < SEG.ACK ≤ SND.MAX: drop what is acknowledged, take the RTT sample, grow cwnd.
 * Returns true when our FIN is now acknowledged.
 */
export function onAckAdvance(conn: Connection, seg: TcpSegment): boolean {
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
  if (dataAcked > 0) freeAckedSkbs(conn);
  conn.sndUna = seg.ack;
  if (seqLt(conn.sndNxt, conn.sndUna)) conn.sndNxt = conn.sndUna;
  ackRecords(conn, seg.ack, (r) => rackAdvance(conn, r));
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
  ccOnAck(conn, acked);
  return finAcked;
}

/** A duplicate ACK while data is outstanding: three of them trigger fast retransmit (RFC 5681 §3.2). */
export function onDuplicateAck(conn: Connection): void {
  if (conn.sndUna === conn.sndMax) return;
  conn.dupAcks++;
  if (conn.dupAcks === 3) {
    ccOnLoss(conn, 3);
    retransmitHead(conn);
  }
}
