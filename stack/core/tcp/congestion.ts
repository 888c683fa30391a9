/**
 * Congestion control behind three events, as gVisor's congestionControl and smoltcp's Controller
 * put it: onAck (bytes newly acknowledged), onLoss (fast recovery starts) and onRto (the
 * retransmission timer fired). The model is Reno (RFC 5681) with RFC 6928's initial window; Linux's
 * default CUBIC, PRR and pacing are beyond it. cwnd counts segments, as Linux's snd_cwnd does.
 */
import type { Connection } from './connection.ts';

/** Half the flight, at least two segments (RFC 5681 eq. 4, Linux tcp_reno_ssthresh). */
function halfFlight(conn: Connection): number {
  return Math.max(Math.floor(conn.inFlight / conn.mss / 2), 2);
}

/** Slow start below ssthresh, then about one segment per RTT (RFC 5681 §3.1). */
export function onAck(conn: Connection, ackedBytes: number): void {
  if (conn.cwnd < conn.ssthresh) conn.cwnd += Math.max(1, Math.floor(ackedBytes / conn.mss));
  else conn.cwnd += 1 / conn.cwnd;
}

/**
 * Loss detected by duplicate ACKs or RACK: fast recovery. `dupAckInflation` is Reno's +3 for the
 * three segments the duplicate ACKs say have left the network (RFC 5681 §3.2 step 4).
 */
export function onLoss(conn: Connection, dupAckInflation: number): void {
  conn.ssthresh = halfFlight(conn);
  conn.cwnd = conn.ssthresh + dupAckInflation;
}

/** The retransmission timer fired: back to one segment (RFC 5681 §3.1, tcp_enter_loss). */
export function onRto(conn: Connection): void {
  conn.ssthresh = halfFlight(conn);
  conn.cwnd = 1;
}
