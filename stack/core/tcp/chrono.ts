/**
 * Linux's send chronographs (tcp_output.c tcp_chrono_start / tcp_chrono_stop, tcp.c
 * tcp_get_info_chrono_stats): the time a sender had data to send, and how much of it the peer's
 * window or the send buffer held it back — tcp_info's tcpi_busy_time, tcpi_rwnd_limited and
 * tcpi_sndbuf_limited. One chronograph runs at a time, the most telling condition winning
 * (sndbuf-limited over rwnd-limited over busy). Linux counts in jiffies: HZ 250 on the kernel
 * measured, so the times move in 4 ms steps (KERNEL.md finding 22).
 */
import type { Connection } from './connection.ts';
import { JIFFY_MS, jiffiesAt } from './jiffies.ts';

export const CHRONO_UNSPEC = 0;
export const CHRONO_BUSY = 1;
export const CHRONO_RWND_LIMITED = 2;
export const CHRONO_SNDBUF_LIMITED = 3;
export type ChronoType = 0 | 1 | 2 | 3;

const USEC_PER_JIFFY = JIFFY_MS * 1000;

/** tcp_chrono_set: the running chronograph's time goes to its total; `type` runs from now. */
function chronoSet(conn: Connection, type: ChronoType): void {
  const now = jiffiesAt(conn.now);
  const elapsed = now - conn.chronoStart;
  if (conn.chronoType === CHRONO_BUSY) conn.chronoBusy += elapsed;
  else if (conn.chronoType === CHRONO_RWND_LIMITED) conn.chronoRwnd += elapsed;
  else if (conn.chronoType === CHRONO_SNDBUF_LIMITED) conn.chronoSndbuf += elapsed;
  conn.chronoStart = now;
  conn.chronoType = type;
}

/** tcp_chrono_start: `type` takes over if it says more than the one running. */
export function chronoStart(conn: Connection, type: ChronoType): void {
  if (type > conn.chronoType) chronoSet(conn, type);
}

/**
 * tcp_chrono_stop: with nothing left to send or to be acknowledged every chronograph stops;
 * otherwise, if `type` was the one running, the sender is merely busy again.
 */
export function chronoStop(conn: Connection, type: ChronoType): void {
  if (conn.rtx.length === 0 && conn.sendQueue.length === 0 && !(conn.finQueued && !conn.finSent)) {
    if (conn.chronoType !== CHRONO_UNSPEC) chronoSet(conn, CHRONO_UNSPEC);
  } else if (type === conn.chronoType) chronoSet(conn, CHRONO_BUSY);
}

/**
 * tcp_get_info_chrono_stats, in microseconds: the running chronograph counts up to now; busy time
 * is the sum of all three.
 */
export function chronoStats(conn: Connection): { busy: number; rwndLimited: number; sndbufLimited: number } {
  const running = conn.chronoType === CHRONO_UNSPEC ? 0 : jiffiesAt(conn.now) - conn.chronoStart;
  const busy = conn.chronoBusy + (conn.chronoType === CHRONO_BUSY ? running : 0);
  const rwnd = conn.chronoRwnd + (conn.chronoType === CHRONO_RWND_LIMITED ? running : 0);
  const sndbuf = conn.chronoSndbuf + (conn.chronoType === CHRONO_SNDBUF_LIMITED ? running : 0);
  return { busy: (busy + rwnd + sndbuf) * USEC_PER_JIFFY, rwndLimited: rwnd * USEC_PER_JIFFY, sndbufLimited: sndbuf * USEC_PER_JIFFY };
}
