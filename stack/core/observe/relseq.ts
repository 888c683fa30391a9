/**
 * Relative sequence numbers, as Wireshark shows them: each direction of a connection counts from
 * its own ISN, so a trace reads "SYN seq 0, SYN-ACK seq 0 ack 1, ACK seq 1 ack 1" whatever ISNs
 * the hosts picked (RFC 9293 §3.4.1 makes those unpredictable on purpose).
 *
 * The rules follow Wireshark's `tcp_analyze_sequence_number` (epan/dissectors/packet-tcp.c):
 * - a direction's base is the sequence number of the SYN it sent (its ISN);
 * - a direction first seen without a SYN gets base = seq - 1, so its first segment shows seq 1, not
 *   0 — Wireshark does this so that a capture started mid-connection still lines up with one
 *   that saw the handshake;
 * - a direction whose base is unknown learns it from the other side's first ACK: base = ack - 1;
 * - a SYN (without ACK) carrying a new ISN on a known 4-tuple is a new connection reusing it: both
 *   directions start over.
 * All results are unsigned modulo 2^32, so a connection whose numbers wrap still counts up.
 */
import { ACK, SYN, type TcpSegment } from '../wire/segment.ts';

export interface RelativeNumbers {
  relSeq: number;
  relAck: number;
}

export class RelativeSequence {
  /** Direction key "srcAddr:srcPort>dstAddr:dstPort" → base sequence number. */
  private readonly bases = new Map<string, number>();

  observe(seg: TcpSegment): RelativeNumbers {
    const fwd = directionKey(seg.srcAddr, seg.srcPort, seg.dstAddr, seg.dstPort);
    const rev = directionKey(seg.dstAddr, seg.dstPort, seg.srcAddr, seg.srcPort);
    const hasAck = (seg.flags & ACK) !== 0;
    let base = this.bases.get(fwd);

    if (seg.flags & SYN) {
      if (!hasAck && base !== seg.seq) {
        // A retransmitted SYN repeats its ISN and keeps the bases; a different ISN opens a new
        // connection on the same 4-tuple, whose peer will answer with a new ISN of its own.
        this.bases.delete(rev);
      }
      base = seg.seq >>> 0;
      this.bases.set(fwd, base);
    } else if (base === undefined) {
      base = (seg.seq - 1) >>> 0;
      this.bases.set(fwd, base);
    }

    let relAck = 0;
    if (hasAck) {
      let revBase = this.bases.get(rev);
      if (revBase === undefined) {
        revBase = (seg.ack - 1) >>> 0;
        this.bases.set(rev, revBase);
      }
      relAck = (seg.ack - revBase) >>> 0;
    }
    return { relSeq: (seg.seq - base) >>> 0, relAck };
  }

  /** Forgets every connection (a new capture). */
  clear(): void {
    this.bases.clear();
  }
}

function directionKey(srcAddr: number, srcPort: number, dstAddr: number, dstPort: number): string {
  return `${srcAddr >>> 0}:${srcPort}>${dstAddr >>> 0}:${dstPort}`;
}
