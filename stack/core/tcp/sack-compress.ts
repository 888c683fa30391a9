/**
 * SACK compression (Linux 6.18 __tcp_ack_snd_check, tcp_sack_compress_send_ack,
 * tcp_compressed_ack_kick; KERNEL.md finding 55). While segments keep arriving out of order at one
 * RCV.NXT, the first three ACKs go at once — the sender needs three duplicate ACKs
 * (TCP_FASTRETRANS_THRESH) — and later ones wait a short time so that one ACK can report several
 * arrivals: 5 % of the RTT, at most net.ipv4.tcp_comp_sack_delay_ns (1 ms). Any ACK sent ends the
 * wait (output.ts, sendSegment), and so does a segment that needs a third SACK block or extends an older one
 * (sack-blocks.ts), since the sender should hear of the older blocks before they drop off.
 */
import type { Connection } from './connection.ts';
import { cancelTimer, setTimer, timerPending } from './lifecycle.ts';
import { sendAck } from './output.ts';

/** TCP_FASTRETRANS_THRESH: ACKs at one RCV.NXT that always go at once. */
const FASTRETRANS_THRESH = 3;

/**
 * The out-of-order part of __tcp_ack_snd_check: the ACK for a segment just queued out of order.
 * Without SACK, or after tcp_comp_sack_nr held-back ACKs, it goes now.
 */
export function ackOutOfOrder(conn: Connection): void {
  const sysctl = conn.host.sysctl;
  // Quickack mode, or more than a full segment unacknowledged, sends at once whatever the queue.
  if ((conn.quickAcks > 0 && !conn.pingpong) || conn.unackedSegs >= 2 || !conn.sackOk || conn.compressedAck >= sysctl.get('net.ipv4.tcp_comp_sack_nr')) {
    sendAck(conn);
    return;
  }
  if (conn.compressedAckRcvNxt !== conn.rcvNxt) {
    conn.compressedAckRcvNxt = conn.rcvNxt;
    conn.dupAckCounter = 0;
  }
  if (conn.dupAckCounter < FASTRETRANS_THRESH) {
    conn.dupAckCounter++;
    sendAck(conn);
    return;
  }
  conn.compressedAck++;
  conn.ackPending = true;
  if (timerPending(conn, 'compressed-ack')) return;
  // The receiver's RTT estimate, or the smoothed RTT if that is smaller; with neither (no
  // timestamps and less than a window received) the delay is 0 and the ACK goes at once.
  let rtt = conn.rcvRtt;
  if (conn.srtt > 0 && conn.srtt < rtt) rtt = conn.srtt;
  const delay = Math.min(sysctl.get('net.ipv4.tcp_comp_sack_delay_ns') / 1e6, rtt / 20);
  // hrtimer_start_range_ns may fire anywhere up to tcp_comp_sack_slack_ns after the delay, and
  // with no other timer due in that range it fires at its end: measured 0.12–0.26 ms after
  // the delay, 0.1 ms of slack plus processing. So the timer is set for the range's end — which
  // also lets segments arriving back to back share one ACK when the delay is 0.
  setTimer(conn, 'compressed-ack', delay + sysctl.get('net.ipv4.tcp_comp_sack_slack_ns') / 1e6, onCompressedAckTimer);
}

/** tcp_compressed_ack_kick: the held-back ACK goes; the one sent is not counted as compressed. */
function onCompressedAckTimer(conn: Connection): void {
  if (conn.compressedAck === 0) return;
  conn.compressedAck--;
  sendAck(conn);
}

/**
 * tcp_sack_compress_send_ack: sends the held-back ACK now, before the SACK blocks change shape.
 * Returns whether it sent one.
 */
export function sackCompressSendAck(conn: Connection): boolean {
  if (conn.compressedAck === 0) return false;
  cancelTimer(conn, 'compressed-ack');
  conn.host.mib.inc('TCPAckCompressed', conn.compressedAck - 1);
  conn.compressedAck = 0;
  sendAck(conn);
  return true;
}
