/**
 * LAB: SYN floods — SYN cookies.
 *
 * When a listener's SYN queue overflows, Linux stops keeping state for new SYNs. It encodes what
 * it must remember in the ISN of its SYN-ACK (the cookie) and decodes it from the ACK that
 * completes the handshake (net/ipv4/syncookies.c):
 *
 *   cookie = H0(4-tuple) + client ISN + (minute << 24) + ((H1(4-tuple, minute) + mss index) mod 2^24)
 *
 * H0 and H1 are SipHash under two boot-time secrets; the minute counter lets old cookies expire;
 * the MSS survives as a 2-bit index into a small table. Window scale and SACK-permitted survive
 * only if the client sent timestamps: they ride in the low 6 bits of the timestamp clock, to which
 * the SYN-ACK adds the connection's random offset (ts_off) like every TSval it sends.
 */
import { seqAdd, seqGt } from '../seq.ts';
import type { HostContext } from './connection.ts';
import { siphashU32 } from './siphash.ts';

/** msstab[]: the MSS values a cookie can carry; the client's MSS is rounded down to one of them. */
export const MSS_TABLE = [536, 1300, 1440, 1460] as const;
/** Low bits of the cookie that hold hash + MSS index; the minute counter sits above them. */
export const COOKIE_BITS = 24;
/** MAX_SYNCOOKIE_AGE: a cookie is good in the minute it was made and the next one. */
export const MAX_COOKIE_AGE = 2;
/** TCP_SYNCOOKIE_VALID: cookies are checked only if this listener sent one in the last 2 minutes. */
export const COOKIE_VALID_MS = 120_000;

/** tcp_cookie_time(): minutes on the host's clock. */
export function cookieMinute(host: HostContext): number {
  return Math.floor((host.sched.now + host.secrets.clockOffsetMs) / 60_000) >>> 0;
}

export interface CookieTuple {
  srcAddr: number; // the client
  dstAddr: number; // us
  srcPort: number;
  dstPort: number;
}

/** cookie_hash(): SipHash of the 4-tuple and a counter under syncookie_secret[c]. */
export function cookieHash(host: HostContext, t: CookieTuple, count: number, c: 0 | 1): number {
  // Hash inputs are unsigned 32-bit words (>>> 0): the ports packed into one, the counter.
  return siphashU32(host.secrets.cookie[c], [t.srcAddr, t.dstAddr, ((t.srcPort << 16) | t.dstPort) >>> 0, count >>> 0]);
}

// Task 1 — the MSS index.
export function mssIndex(mss: number): number {
  // #region lab syn-flood/1 Round the client's MSS down to a table entry
  // Down, never to the nearest: we must not send segments larger than the client can take.
  let i = MSS_TABLE.length - 1;
  while (i > 0 && mss < MSS_TABLE[i]) i--;
  return i;
  // #endregion
}

// Task 2 — make and check a cookie.
/** The ISN of a cookie SYN-ACK for a SYN with sequence number `clientIsn`. */
export function encodeCookie(host: HostContext, t: CookieTuple, clientIsn: number, mssIdx: number): number {
  // #region lab syn-flood/2 Encode a cookie
  const count = cookieMinute(host);
  const h0 = cookieHash(host, t, 0, 0);
  const h1 = cookieHash(host, t, count, 1);
  // A sum of hashes, a counter and the client's ISN taken modulo 2^32 (>>> 0): an ISN being made,
  // not a step in anyone's sequence space, so no seqAdd.
  return (h0 + clientIsn + (count << COOKIE_BITS) + ((h1 + mssIdx) & 0xffffff)) >>> 0;
  // #endregion
}

/**
 * Checks the ACK that should complete a cookie handshake: SEG.ACK − 1 is our cookie, SEG.SEQ − 1
 * the client's ISN. Returns the MSS index it carries, or null for a forged or expired cookie.
 */
export function decodeCookie(host: HostContext, t: CookieTuple, cookie: number, clientIsn: number): number | null {
  // #region lab syn-flood/2 Check a cookie
  const count = cookieMinute(host);
  // c may go negative: the unsigned shift and the masks below take it modulo 2^32.
  const c = cookie - cookieHash(host, t, 0, 0) - clientIsn;
  const age = (count - (c >>> COOKIE_BITS)) & 0xff;
  if (age >= MAX_COOKIE_AGE) return null;
  const idx = (c - cookieHash(host, t, count - age, 1)) & 0xffffff;
  return idx < MSS_TABLE.length ? idx : null;
  // #endregion
}

// Task 3 — options carried in the timestamp (cookie_init_timestamp, cookie_timestamp_decode).
export const TS_OPT_WSCALE_MASK = 0xf;
export const TS_OPT_SACK = 1 << 4;
export const TS_OPT_ECN = 1 << 5;
export const TS_OPT_BITS = 6;

/**
 * The clock value a cookie SYN-ACK starts from (cookie_init_timestamp): the host's timestamp clock
 * `tsNow` — without the connection's offset — with its low 6 bits replaced by the options to
 * remember. listener.ts adds the offset (tcp_synack_options: tsval + ts_off) before it goes out.
 */
export function encodeTsOptions(tsNow: number, wscale: number | null, sackOk: boolean): number {
  // #region lab syn-flood/3 Hide wscale and SACK-permitted in the TSval
  let options = wscale === null ? TS_OPT_WSCALE_MASK : wscale & TS_OPT_WSCALE_MASK;
  if (sackOk) options |= TS_OPT_SACK;
  // The cleared low 6 bits take the options; & gives a signed 32-bit result, >>> 0 reads it unsigned.
  let ts = ((tsNow & ~((1 << TS_OPT_BITS) - 1)) + options) >>> 0;
  // Never run ahead of the clock: step back one 64-ms slot instead (TSvals wrap like sequence numbers).
  if (seqGt(ts, tsNow)) ts = seqAdd(ts, -(1 << TS_OPT_BITS));
  return ts;
  // #endregion
}

/**
 * Reads the options back from the TSecr of the completing ACK. The client echoes the TSval it
 * saw — our clock value plus this connection's `tsOffset` — so the offset comes off first
 * (cookie_v4_check: tcp_opt.rcv_tsecr -= tsoff), or its random low bits would be read as options.
 */
export function decodeTsOptions(tsEcr: number, tsOffset: number): { wscale: number | null; sackOk: boolean } {
  // #region lab syn-flood/3 Read wscale and SACK-permitted back from the TSecr
  // TSecr − ts_off modulo 2^32 (>>> 0): the clock value encodeTsOptions made.
  const options = (tsEcr - tsOffset) >>> 0;
  // Like cookie_timestamp_decode, the masks look no higher than bit 4.
  const ws = options & TS_OPT_WSCALE_MASK;
  return { wscale: ws === TS_OPT_WSCALE_MASK ? null : ws, sackOk: (options & TS_OPT_SACK) !== 0 };
  // #endregion
}
