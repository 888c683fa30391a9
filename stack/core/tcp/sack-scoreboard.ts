/**
 * The retransmission queue as a SACK scoreboard (RFC 2018, RFC 6675 §3; Linux's tcp_rtx_queue
 * with TCPCB_SACKED_ACKED / TCPCB_LOST / TCPCB_SACKED_RETRANS; gVisor sack_scoreboard.go): one
 * record per segment sent and not yet cumulatively acknowledged, in sequence order, with when it
 * last left and what the peer's SACK blocks say about it. RACK reads the send times, loss
 * recovery the marks.
 */
import { seqGeq, seqGt, seqLeq, seqLt } from '../seq.ts';
import type { Connection } from './connection.ts';

export interface SentSegment {
  seq: number;
  /** One past the last sequence number, counting a FIN. */
  end: number;
  /** When it last left (tcp_skb_timestamp_us): RACK compares these. */
  xmitAt: number;
  /** Sent more than once (TCPCB_EVER_RETRANS): its ACK is no RTT sample (Karn). */
  retrans: boolean;
  /** Covered by a SACK block (TCPCB_SACKED_ACKED). */
  sacked: boolean;
  /** Marked lost and not yet sent again (TCPCB_LOST without TCPCB_SACKED_RETRANS). */
  lost: boolean;
  /** Marked lost, resent since or not, until SACKed or acknowledged (TCPCB_LOST): what lost_out and tcpi_lost count. */
  markedLost: boolean;
  /**
   * It ended the data written so far when it first left: tcp_push marks that skb with PSH
   * (tcp_mark_push), and a resend of the skb's tail carries PSH again (KERNEL.md finding 27).
   */
  psh: boolean;
  /** tp->delivered when it last left (tcp_rate_skb_sent's tx.delivered). */
  txDelivered: number;
}

/** Records a transmission of [seq, end): a new record for new data, a fresh send time for a resend. */
export function recordSent(conn: Connection, seq: number, end: number, retrans: boolean, psh = false): void {
  const q = conn.rtx;
  const last = q.length ? q[q.length - 1] : null;
  if (!retrans && (!last || seqGeq(seq, last.end))) {
    q.push({ seq, end, xmitAt: conn.now, retrans: false, sacked: false, lost: false, markedLost: false, psh, txDelivered: conn.delivered });
    return;
  }
  let resent = 0;
  for (const r of q) {
    if (seqLeq(r.end, seq)) continue;
    if (seqGeq(r.seq, end)) break;
    r.xmitAt = conn.now;
    r.txDelivered = conn.delivered;
    r.retrans = true;
    resent++;
    if (r.lost) {
      r.lost = false;
      conn.lostOut--;
    }
  }
  if (retrans && resent > 0) {
    // tcp_retransmit_skb: one more resend the undo must see reported duplicate (undo_retrans),
    // and the episode's first resend stamps retrans_stamp.
    conn.undoRetrans = Math.max(conn.undoRetrans, 0) + resent;
    if (conn.undoStamp === null) conn.undoStamp = conn.now;
  }
  // A go-back-N resend may run past what the queue holds (a FIN added after the last record).
  const tail = q.length ? q[q.length - 1].end : seq;
  if (seqGt(end, tail)) q.push({ seq: tail, end, xmitAt: conn.now, retrans, sacked: false, lost: false, markedLost: false, psh, txDelivered: conn.delivered });
}

/** Does a resend of [seq, end) end where a segment that carried a write's PSH ended? */
export function resendCarriesPsh(conn: Connection, seq: number, end: number): boolean {
  for (const r of conn.rtx) {
    if (seqLeq(r.end, seq)) continue;
    if (seqGt(r.end, end)) break;
    if (r.psh) return true;
  }
  return false;
}

/**
 * SND.UNA moved to `ack`: drops the records it covers (trimming one it cuts) and hands each
 * fully acknowledged one not SACKed before to `delivered` (RACK's tcp_rack_advance). Returns
 * whether any of them had been sent more than once (FLAG_RETRANS_DATA_ACKED: Karn's rule then
 * forbids an RTT sample from this ACK's timing).
 */
export function ackRecords(conn: Connection, ack: number, delivered: (r: SentSegment) => void): boolean {
  const q = conn.rtx;
  let n = 0;
  let retransAcked = false;
  while (n < q.length && seqLeq(q[n].end, ack)) {
    if (q[n].retrans) retransAcked = true;
    if (q[n].sacked) conn.sackedOut--;
    else delivered(q[n]);
    if (q[n].lost) conn.lostOut--;
    n++;
  }
  if (n) q.splice(0, n);
  if (q.length && seqLt(q[0].seq, ack)) q[0].seq = ack;
  return retransAcked;
}

/**
 * tcp_dsack_seen's count: the segments a D-SACK block [start, end) reports duplicated, or 0 for a
 * dubious one (empty, or wider than any window the peer offered).
 */
export function dsackSegments(conn: Connection, start: number, end: number): number {
  const len = (end - start) | 0;
  if (len <= 0 || len > conn.maxSndWnd) return 0;
  return len > conn.mss ? Math.ceil(len / conn.mss) : 1;
}

/** What one ACK's SACK option told us. */
export interface SackResult {
  /** Records newly covered by a block. */
  newlySacked: SentSegment[];
  /** The first block reports a duplicate (RFC 2883 D-SACK): below SEG.ACK or inside the second. */
  dsack: boolean;
  /**
   * tcp_sacktag_state.reord: the lowest start of a newly SACKed segment, sent only once, that lies
   * below what was already SACKed — a hole filled late by the original, i.e. reordering; null if none.
   */
  reord: number | null;
}

/** Applies the SACK blocks of an ACK (tcp_sacktag_write_queue); blocks outside SND.UNA..SND.MAX are ignored. */
export function applySack(conn: Connection, ack: number, blocks: ReadonlyArray<readonly [number, number]>): SackResult {
  const out: SackResult = { newlySacked: [], dsack: false, reord: null };
  if (!blocks.length) return out;
  const priorFack = highestSacked(conn);
  const [l0, r0] = blocks[0];
  if (seqLeq(r0, ack) || (blocks.length > 1 && seqGeq(l0, blocks[1][0]) && seqLeq(r0, blocks[1][1]))) out.dsack = true;
  for (let i = out.dsack ? 1 : 0; i < blocks.length; i++) {
    const [l, r] = blocks[i];
    if (!seqLt(l, r) || seqLt(l, conn.sndUna) || seqGt(r, conn.sndMax)) continue;
    for (const rec of conn.rtx) {
      if (seqGeq(rec.seq, r)) break;
      if (rec.sacked || seqLt(rec.seq, l) || seqGt(rec.end, r)) continue;
      rec.sacked = true;
      rec.markedLost = false;
      conn.sackedOut++;
      if (!rec.retrans && seqLt(rec.seq, priorFack) && (out.reord === null || seqLt(rec.seq, out.reord))) out.reord = rec.seq;
      if (rec.lost) {
        rec.lost = false;
        conn.lostOut--;
      }
      out.newlySacked.push(rec);
    }
  }
  return out;
}

/** tcp_highest_sack_seq: the end of the highest SACKed record (SND.UNA when none is): the FACK point. */
export function highestSacked(conn: Connection): number {
  for (let i = conn.rtx.length - 1; i >= 0; i--) if (conn.rtx[i].sacked) return conn.rtx[i].end;
  return conn.sndUna;
}

/**
 * tcp_check_sack_reordering: a segment sent once, starting at `lowSeq`, was delivered after data
 * above it — by SACK, or by a cumulative ACK filling a hole below the highest SACK. That is
 * reordering, not loss: remember it (RACK keeps its reordering window from now on), and if it
 * reached further than the current degree, raise tp->reordering to the distance in whole segments
 * (up to tcp_max_reordering). `byTimestamp`: an ACK echoing an original's timestamp showed it
 * (tcp_try_undo_partial), counted as TCPTSReorder.
 */
export function checkSackReordering(conn: Connection, lowSeq: number, byTimestamp = false): void {
  const fack = highestSacked(conn);
  if (!seqLt(lowSeq, fack)) return;
  const metric = (fack - lowSeq) >>> 0;
  if (metric > conn.reordering * conn.mss && conn.mss > 0) {
    conn.reordering = Math.min(Math.ceil(metric / conn.mss), conn.host.sysctl.get('net.ipv4.tcp_max_reordering'));
  }
  conn.reordSeen = true;
  conn.host.mib.inc(byTimestamp ? 'TCPTSReorder' : 'TCPSACKReorder');
}

/**
 * tcp_check_reno_reordering: without SACK, more duplicate ACKs than segments out (beyond the one
 * hole tcp_limit_reno_sacked keeps) can only mean reordering; the degree becomes the segments out,
 * plus those an ACK just removed. Call after renoSackedOut changed.
 */
export function checkRenoReordering(conn: Connection, addend: number): void {
  const packetsOut = conn.rtx.length;
  const holes = Math.min(Math.max(conn.lostOut, 1), packetsOut);
  if (conn.renoSackedOut + holes <= packetsOut) return;
  conn.renoSackedOut = packetsOut - holes;
  conn.reordering = Math.min(packetsOut + addend, conn.host.sysctl.get('net.ipv4.tcp_max_reordering'));
  conn.reordSeen = true;
  conn.host.mib.inc('TCPRenoReorder');
}

/** tcp_mark_skb_lost: a segment is now believed lost (RACK, NewReno's head, or the RTO). */
export function markLost(conn: Connection, r: SentSegment): void {
  if (r.lost || r.sacked) return;
  r.lost = true;
  r.markedLost = true;
  conn.lostOut++;
}

/** tp->retrans_out: resent segments neither acknowledged, SACKed nor marked lost again. */
export function retransOut(conn: Connection): number {
  let n = 0;
  for (const r of conn.rtx) if (r.retrans && !r.sacked && !r.lost) n++;
  return n;
}

/** sacked_out, in segments: SACKed ones, or without SACK the duplicate ACKs counted as such (tcp_add_reno_sack). */
export function sackedCount(conn: Connection): number {
  return conn.sackOk ? conn.sackedOut : conn.renoSackedOut;
}

/**
 * tcp_packets_in_flight ("pipe", RFC 6675): segments sent and neither acknowledged, SACKed nor
 * marked lost (a lost one counts again once it is resent). Without SACK each duplicate ACK stands
 * for one segment that has left the network (Linux counts them in sacked_out), which is what lets
 * RFC 3042 limited transmit send a new segment for each of the first two. Counters, not a walk
 * of the queue: tcp_write_xmit asks this for every segment it sends.
 */
export function pipe(conn: Connection): number {
  return conn.rtx.length - conn.sackedOut - conn.lostOut - (conn.sackOk ? 0 : conn.renoSackedOut);
}
