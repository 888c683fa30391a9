/**
 * Retransmission timeout bookkeeping: Linux's estimator and bounds (tcp_rtt_estimator,
 * __tcp_set_rto). SRTT is RFC 6298's; the variance is Linux's own: mdev follows the error with
 * gain 1/4 (1/32 while the RTT falls), rttvar is the largest mdev of the last round trip, decaying
 * once per round trip, and never below rto_min. RTO = SRTT + rttvar, at most rto_max.
 */
import type { Connection, HostContext } from './connection.ts';
import { TCP_TIMEOUT_MIN_MS } from './jiffies.ts';
import { seqGt } from '../seq.ts';

/** TCP_TIMEOUT_INIT: RTO before any RTT sample (RFC 6298 §2.1). */
export const TIMEOUT_INIT = 1000;
/** TCP_TIMEOUT_FALLBACK: RTO when the handshake gave no RTT sample (RFC 6298 §5.7). */
export const TIMEOUT_FALLBACK = 3000;
/** TCP_RTO_MIN, the base of tcp_model_timeout for established connections. */
export const RTO_MIN_CONST = 200;

export function rtoMin(host: HostContext): number {
  return host.sysctl.get('net.ipv4.tcp_rto_min_us') / 1000;
}

export function rtoMax(host: HostContext): number {
  return host.sysctl.get('net.ipv4.tcp_rto_max_ms');
}

/**
 * tcp_rtt_estimator: feed one RTT measurement (ms) into SRTT, mdev and rttvar, then recompute the
 * RTO (tcp_set_rto). Linux keeps these in integer microseconds (SRTT scaled by 8), and so does
 * this, so tcpi_rtt and tcpi_rttvar come out as the kernel's do.
 */
export function rttSample(conn: Connection, rtt: number): void {
  const m0 = Math.max(1, Math.round(rtt * 1000));
  let srtt8 = Math.round(conn.srtt * 8000);
  if (srtt8 !== 0) {
    let m = m0 - (srtt8 >> 3);
    srtt8 += m;
    let mdev = Math.round(conn.mdev * 1000);
    if (m < 0) {
      m = -m - (mdev >> 2);
      // Eifel's idea, Linux's way: a falling RTT moves mdev with a finer gain (1/32), so the
      // RTO neither grows nor drops too fast.
      if (m > 0) m >>= 3;
    } else m -= mdev >> 2;
    mdev += m;
    conn.mdev = mdev / 1000;
    if (conn.mdev > conn.mdevMax) {
      conn.mdevMax = conn.mdev;
      if (conn.mdevMax > conn.rttvar) conn.rttvar = conn.mdevMax;
    }
    // Once a round trip: rttvar decays a quarter of the way towards that round trip's largest mdev.
    if (seqGt(conn.sndUna, conn.rttSeq)) {
      if (conn.mdevMax < conn.rttvar) {
        const rttvar = Math.round(conn.rttvar * 1000);
        conn.rttvar = (rttvar - ((rttvar - Math.round(conn.mdevMax * 1000)) >> 2)) / 1000;
      }
      conn.rttSeq = conn.sndNxt;
      conn.mdevMax = rtoMin(conn.host);
    }
  } else {
    // The first sample: RTO = 3 × RTT, and not below SRTT + rto_min.
    srtt8 = m0 * 8;
    conn.mdev = (m0 * 2) / 1000;
    conn.rttvar = Math.max(conn.mdev, rtoMin(conn.host));
    conn.mdevMax = conn.rttvar;
    conn.rttSeq = conn.sndNxt;
  }
  conn.srtt = Math.max(1, srtt8) / 8000;
  setRto(conn);
}

/** __tcp_set_rto and tcp_bound_rto: SRTT + rttvar, at most rto_max. */
export function setRto(conn: Connection): void {
  if (conn.srtt === 0) return;
  conn.rto = Math.min(conn.srtt + conn.rttvar, rtoMax(conn.host));
}

/**
 * tcp_model_timeout: how long `boundary` doubling retransmissions starting at `rtoBase` take,
 * counting each RTO capped at rto_max. 15 retries from 200 ms: 1023 × 0.2 s + 6 × 120 s = 924.6 s.
 */
export function modelTimeout(boundary: number, rtoBase: number, rtoMaxMs: number): number {
  const linearBackoffThresh = Math.floor(Math.log2(rtoMaxMs / rtoBase));
  if (boundary <= linearBackoffThresh) return ((2 << boundary) - 1) * rtoBase;
  return ((2 << linearBackoffThresh) - 1) * rtoBase + rtoMaxMs * (boundary - linearBackoffThresh);
}

/**
 * tcp_clamp_probe0_to_user_timeout: with TCP_USER_TIMEOUT set, the probe timer never sleeps past
 * the moment the user timeout expires, counted from the timer's first run (icsk_probes_tstamp),
 * and never for less than TCP_TIMEOUT_MIN.
 */
export function clampProbe0ToUserTimeout(conn: Connection, delay: number): number {
  const ut = conn.opts.userTimeout;
  if (!ut || conn.probesTstamp === null) return delay;
  return Math.min(delay, Math.max(ut - (conn.now - conn.probesTstamp), TCP_TIMEOUT_MIN_MS));
}

/**
 * tcp_clamp_rto_to_user_timeout: with TCP_USER_TIMEOUT set, the retransmission timer never
 * sleeps past the moment the user timeout expires.
 */
export function clampToUserTimeout(conn: Connection, delay: number): number {
  const ut = conn.opts.userTimeout;
  // Only timers re-armed after a timeout are clamped; retrans_stamp is then set (0 is a valid time).
  if (!ut || conn.retransmits === 0) return delay;
  const remaining = ut - (conn.now - conn.retransStamp);
  if (remaining <= 0) return 1;
  return Math.min(delay, remaining);
}
