/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4).
 *
 * Sequence numbers wrap, so "a < b" means "b is ahead of a by less than 2^31": the signed 32-bit
 * difference decides, exactly as Linux's `before()`/`after()` in include/net/tcp.h do. Results are
 * unsigned 32-bit numbers (`>>> 0`) so they compare with `===` against values read off the wire.
 */

/** a + n modulo 2^32 (n may be negative). */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** The signed 32-bit difference a − b: negative when a is before b in sequence space. */
export function seqSub(a: number, b: number): number {
  return (a - b) | 0;
}

/** a is before b (Linux `before(a, b)`). */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLeq(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** a is after b (Linux `after(a, b)`). */
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGeq(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** The later of a and b in sequence space. */
export function seqMax(a: number, b: number): number {
  return ((a - b) | 0) > 0 ? a >>> 0 : b >>> 0;
}

/** The earlier of a and b in sequence space. */
export function seqMin(a: number, b: number): number {
  return ((a - b) | 0) < 0 ? a >>> 0 : b >>> 0;
}

/**
 * lo ≤ x < hi in sequence space: x lies in the half-open window starting at lo. Measured as the
 * unsigned distance from lo, so a window that straddles 2^32 works and lo === hi is empty. This is
 * the shape of RFC 9293 §3.4's acceptability tests, e.g. RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND.
 */
export function seqInRange(x: number, lo: number, hi: number): boolean {
  return (x - lo) >>> 0 < (hi - lo) >>> 0;
}
