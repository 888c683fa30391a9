/**
 * The Internet checksum (RFC 1071) and the TCP pseudo-header (RFC 9293 §3.1).
 *
 * Runs twice per simulated segment (once to write, once to verify), so the loops are written for
 * speed. RFC 1071 §2(B) lets the sum be taken in either byte order and swapped at the end, so:
 * - long aligned ranges are read four bytes at a time through a Uint32Array in the machine's own
 *   byte order, the 16-bit halves summed in four independent accumulators;
 * - short or unaligned ranges sum high and low bytes into two accumulators, combined once.
 * Every accumulator stays below 2^31 for any IPv4 packet, so the arithmetic stays in small
 * integers and never overflows.
 */

/** Below this many bytes a Uint32Array view costs more to create than it saves. */
const WORD_PATH_MIN_BYTES = 128;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** One's-complement sum of whole 32-bit words at a 4-byte-aligned offset, as big-endian 16-bit words. */
function wordSum(bytes: Uint8Array, start: number, words: number): number {
  const w = new Int32Array(bytes.buffer, bytes.byteOffset + start, words);
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let k = 0;
  for (const last = words - 1; k < last; k += 2) {
    const x = w[k];
    const y = w[k + 1];
    a += x & 0xffff;
    b += x >>> 16;
    c += y & 0xffff;
    d += y >>> 16;
  }
  if (k < words) {
    a += w[k] & 0xffff;
    b += w[k] >>> 16;
  }
  const sum = fold(a + b + c + d);
  // On a little-endian machine each half read was a byte-swapped network word.
  return LITTLE_ENDIAN ? ((sum & 0xff) << 8) | (sum >>> 8) : sum;
}

/**
 * The one's-complement sum of bytes[start, end) as big-endian 16-bit words, plus `initial`,
 * folded to 16 bits. An odd final byte is padded with a zero byte (RFC 1071 §4.1).
 * Chain calls by passing one result as the next call's `initial`; each range must start on a
 * word boundary relative to the data being summed.
 */
export function onesComplementSum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let hi = 0;
  let lo = 0;
  let i = start;
  if (end - start >= WORD_PATH_MIN_BYTES && ((bytes.byteOffset + start) & 3) === 0) {
    const words = (end - start) >>> 2;
    initial += wordSum(bytes, start, words);
    i += words * 4;
  }
  const end8 = end - 7;
  for (; i < end8; i += 8) {
    hi += bytes[i] + bytes[i + 2] + bytes[i + 4] + bytes[i + 6];
    lo += bytes[i + 1] + bytes[i + 3] + bytes[i + 5] + bytes[i + 7];
  }
  const end2 = end - 1;
  for (; i < end2; i += 2) {
    hi += bytes[i];
    lo += bytes[i + 1];
  }
  if (i < end) hi += bytes[i];
  return fold(hi * 256 + lo + initial);
}

/**
 * The Internet checksum of bytes[start, end): the one's complement of the one's-complement sum
 * (RFC 1071). `initial` carries a sum already taken elsewhere, e.g. the TCP pseudo-header.
 * Over data that includes a correct checksum field the result is 0.
 */
export function internetChecksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  return ~onesComplementSum(bytes, start, end, initial) & 0xffff;
}

/**
 * The one's-complement sum of the IPv4 TCP pseudo-header (RFC 9293 §3.1): source address,
 * destination address, a zero byte, protocol 6, and the TCP length (header + data, not counting
 * the pseudo-header). Pass it as `initial` to internetChecksum over the TCP header and data.
 */
export function tcpPseudoHeaderSum(srcAddr: number, dstAddr: number, tcpLength: number): number {
  let sum = (srcAddr >>> 16) + (srcAddr & 0xffff) + (dstAddr >>> 16) + (dstAddr & 0xffff) + 6 + tcpLength;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}
