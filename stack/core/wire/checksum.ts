/**
 * The Internet checksum (RFC 1071) and the TCP pseudo-header (RFC 9293 §3.1).
 *
 * Runs twice per simulated segment (once to write, once to verify), so the loop is written for
 * speed: RFC 1071 §2(B) lets the sum be taken in any byte order, so high and low bytes go into two
 * separate accumulators and are combined once at the end. Each accumulator stays below 2^31 for any
 * IPv4 packet (at most 32768 words × 255), so plain small-integer arithmetic never overflows.
 */

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
  let sum = hi * 256 + lo + initial;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
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
