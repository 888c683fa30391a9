/**
 * Retransmission timeout bookkeeping: RFC 6298 with Linux's bounds and estimator
 * (tcp_rtt_estimator, __tcp_set_rto): RTO = SRTT + max(4·RTTVAR, rto_min), at most rto_max.
 */
import type { Connection, HostContext } from './connection.ts';
import { TCP_TIMEOUT_MIN_MS } from './jiffies.ts';

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

/** Feed one RTT measurement (ms) into SRTT/RTTVAR and recompute the RTO. */
export function rttSample(conn: Connection, rtt: number): void {
  const m = Math.max(rtt, 0.001);
  if (conn.srtt === 0) {
    // RFC 6298 §2.2
    conn.srtt = m;
    conn.rttvar = m / 2;
  } else {
    // RFC 6298 §2.3 (RTTVAR first, with the old SRTT)
    conn.rttvar = 0.75 * conn.rttvar + 0.25 * Math.abs(conn.srtt - m);
    conn.srtt = 0.875 * conn.srtt + 0.125 * m;
  }
  setRto(conn);
}

/** __tcp_set_rto: the variance term is floored at rto_min, so RTO ≥ SRTT + 200 ms. */
export function setRto(conn: Connection): void {
  if (conn.srtt === 0) return;
  const host = conn.host;
  conn.rto = Math.min(conn.srtt + Math.max(4 * conn.rttvar, rtoMin(host)), rtoMax(host));
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
