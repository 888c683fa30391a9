/**
 * The SACK blocks our ACKs carry as a receiver (RFC 2018 §4, RFC 2883), kept as Linux keeps them
 * in tp->selective_acks and tp->duplicate_sack. The sender's side (what SACK blocks we receive
 * mean) is ack.ts and sack-scoreboard.ts.
 *
 * RFC 2018 §4: the first block holds the segment that arrived last, the others follow most recent
 * first, so a block is repeated in several ACKs before it drops off the end. Linux keeps up to 4
 * (TCP_SACK_BLOCKS_MAX); how many go out depends on the option space (3 beside timestamps).
 */
import { seqGeq, seqGt, seqLt } from '../seq.ts';
import type { Connection } from './connection.ts';

/** TCP_SACK_BLOCKS_MAX. */
const SACK_BLOCKS_MAX = 4;

/** tcp_sack_extend: grows `block` to cover [seq, end) if the two overlap or touch. */
function extendBlock(block: [number, number], seq: number, end: number): boolean {
  if (seqGt(block[0], end) || seqGt(seq, block[1])) return false;
  if (seqLt(seq, block[0])) block[0] = seq;
  if (seqGt(end, block[1])) block[1] = end;
  return true;
}

/** TCP_SACK_BLOCKS_EXPECTED: the blocks a sender can be counted on to see (ACKs get lost). */
const SACK_BLOCKS_EXPECTED = 2;

/**
 * tcp_sack_new_ofo_skb: [seq, end) has just been queued out of order (or duplicated queued data).
 * A block it extends moves to the front and absorbs any block it now touches
 * (tcp_sack_maybe_coalesce); otherwise it is a new first block and, with 4 already kept, the
 * oldest goes. When that block is the third or later, or a new block joins two, `flushHeld` first
 * sends an ACK held back by SACK compression (tcp_sack_compress_send_ack), so the blocks it knew
 * reach the sender before they move down; returns whether it sent one.
 */
export function sackNewOfo(conn: Connection, seq: number, end: number, flushHeld: (conn: Connection) => boolean): boolean {
  const sacks = conn.selectiveAcks;
  for (let i = 0; i < sacks.length; i++) {
    const block = sacks[i];
    if (!extendBlock(block, seq, end)) continue;
    const flushed = i >= SACK_BLOCKS_EXPECTED && flushHeld(conn);
    for (; i > 0; i--) sacks[i] = sacks[i - 1];
    sacks[0] = block;
    for (let j = 1; j < sacks.length; ) {
      if (extendBlock(block, sacks[j][0], sacks[j][1])) sacks.splice(j, 1);
      else j++;
    }
    return flushed;
  }
  const flushed = sacks.length >= SACK_BLOCKS_EXPECTED && flushHeld(conn);
  if (sacks.length >= SACK_BLOCKS_MAX) sacks.pop();
  sacks.unshift([seq, end]);
  return flushed;
}

/**
 * tcp_sack_remove: RCV.NXT has advanced; blocks now at or below it are acknowledged cumulatively
 * and go. With nothing left out of order, none remain.
 */
export function sackRemove(conn: Connection): void {
  const sacks = conn.selectiveAcks;
  if (conn.ooo.length === 0) {
    sacks.length = 0;
    return;
  }
  for (let i = 0; i < sacks.length; ) {
    if (seqGeq(conn.rcvNxt, sacks[i][0])) sacks.splice(i, 1);
    else i++;
  }
}

/**
 * tcp_dsack_set: [seq, end) arrived again. RFC 2883: the next ACK reports it as its first block.
 * Only with SACK negotiated and net.ipv4.tcp_dsack on; counted as old (below RCV.NXT) or as a
 * duplicate of out-of-order data.
 */
export function dsackSet(conn: Connection, seq: number, end: number): void {
  if (!conn.sackOk || !conn.host.sysctl.get('net.ipv4.tcp_dsack')) return;
  conn.host.mib.inc(seqLt(seq, conn.rcvNxt) ? 'TCPDSACKOldSent' : 'TCPDSACKOfoSent');
  conn.dsackPending = true;
  conn.dsackBlock[0] = seq;
  conn.dsackBlock[1] = end;
}

/** tcp_sack_reset: nothing left to SACK or D-SACK. */
export function sackReset(conn: Connection): void {
  conn.dsackPending = false;
  conn.selectiveAcks.length = 0;
}

/** tcp_dsack_extend: a further duplicate in the same segment widens the pending D-SACK block. */
export function dsackExtend(conn: Connection, seq: number, end: number): void {
  if (!conn.dsackPending) dsackSet(conn, seq, end);
  else extendBlock(conn.dsackBlock, seq, end);
}
