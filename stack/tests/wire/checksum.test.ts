import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { internetChecksum, onesComplementSum, tcpPseudoHeaderSum } from '../../core/wire/checksum.ts';
import { encodeSegment } from '../../core/wire/codec.ts';
import { CLIENT, LINUX_SYN_OPTIONS, SERVER, bytesOf, segment } from './fixtures.ts';
import { ACK, PSH, SYN } from '../../core/wire/segment.ts';

/** RFC 1071 §1 taken literally: add 16-bit words with end-around carry, one at a time. */
function naiveChecksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) {
    const word = (bytes[i] << 8) | (i + 1 < end ? bytes[i + 1] : 0);
    sum += word;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

describe('Internet checksum (RFC 1071)', () => {
  it("reproduces RFC 1071 §3's worked example", () => {
    // Bytes 00 01 f2 03 f4 f5 f6 f7: the RFC sums them to 0xddf2 (after the end-around carry).
    const bytes = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(onesComplementSum(bytes, 0, 8)).toBe(0xddf2);
    expect(internetChecksum(bytes, 0, 8)).toBe(0x220d);
  });

  it('computes a well-known IPv4 header checksum (0xb861)', () => {
    // 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, DF, total length 0x73; checksum field zeroed.
    const header = new Uint8Array([0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7]);
    expect(internetChecksum(header, 0, 20)).toBe(0xb861);
    header[10] = 0xb8;
    header[11] = 0x61;
    expect(internetChecksum(header, 0, 20)).toBe(0);
  });

  it('pads an odd final byte with zero', () => {
    expect(internetChecksum(new Uint8Array([0x12]), 0, 1)).toBe(~0x1200 & 0xffff);
    expect(internetChecksum(new Uint8Array([0x12, 0x34, 0x56]), 0, 3)).toBe(~(0x1234 + 0x5600) & 0xffff);
  });

  it('sums only the [start, end) range and chains through `initial`', () => {
    const bytes = new Uint8Array([0xff, 0xff, 0x12, 0x34, 0xab, 0xcd, 0xff]);
    expect(internetChecksum(bytes, 2, 6)).toBe(~(0x1234 + 0xabcd) & 0xffff);
    expect(internetChecksum(bytes, 4, 6, onesComplementSum(bytes, 2, 4))).toBe(internetChecksum(bytes, 2, 6));
  });

  it('sums the pseudo-header fields of RFC 9293 §3.1', () => {
    // 10.0.0.1, 10.0.0.2, zero, protocol 6, TCP length 40.
    expect(tcpPseudoHeaderSum(CLIENT, SERVER, 40)).toBe(0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + 40);
    // Carries fold back in: 255.255.255.255 twice.
    expect(tcpPseudoHeaderSum(0xffffffff, 0xffffffff, 0)).toBe(naivePseudo(0xffffffff, 0xffffffff, 0));
  });

  it('matches the word-at-a-time definition on random data and ranges (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1600 }), fc.nat(), fc.nat(), fc.nat({ max: 0x3ffff }), (bytes, s, l, initial) => {
        const start = bytes.length === 0 ? 0 : (s % (bytes.length + 1)) & ~1;
        const end = start + (bytes.length === start ? 0 : l % (bytes.length - start + 1));
        expect(internetChecksum(bytes, start, end, initial)).toBe(naiveChecksum(bytes, start, end, initial));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same answer on the aligned 32-bit-word path and the byte path', () => {
    // Long ranges at 4-byte-aligned addresses are summed through a Uint32Array view; walk the
    // start across every alignment and the length across every remainder so both paths and the
    // hand-over between them are compared with the definition.
    const data = new Uint8Array(1600).map((_, i) => (i * 151 + 7) & 0xff);
    for (let viewOffset = 0; viewOffset < 4; viewOffset++) {
      const view = data.subarray(viewOffset);
      for (let start = 0; start < 8; start += 2) {
        for (const len of [127, 128, 129, 130, 131, 255, 256, 1000, 1001, 1500, 1501]) {
          expect(internetChecksum(view, start, start + len, 0x1234), `view +${viewOffset}, start ${start}, len ${len}`).toBe(naiveChecksum(view, start, start + len, 0x1234));
        }
      }
    }
    const ones = new Uint8Array(65516).fill(0xff); // the largest TCP segment: every accumulator near its limit
    expect(internetChecksum(ones, 0, ones.length)).toBe(naiveChecksum(ones, 0, ones.length));
  });

  it('re-verifies to 0 over an encoded packet, both headers', () => {
    for (const seg of [
      segment({ flags: SYN, options: LINUX_SYN_OPTIONS }),
      segment({ seq: 1, ack: 1, flags: PSH | ACK, payload: bytesOf('GET / HTTP/1.1\r\nHost: x\r\n\r\n') }), // odd payload
    ]) {
      const b = encodeSegment(seg);
      expect(internetChecksum(b, 0, 20)).toBe(0);
      expect(internetChecksum(b, 20, b.length, tcpPseudoHeaderSum(seg.srcAddr, seg.dstAddr, b.length - 20))).toBe(0);
      // And the naive definition agrees that the TCP checksum field is right.
      expect(naiveChecksum(b, 20, b.length, naivePseudo(seg.srcAddr, seg.dstAddr, b.length - 20))).toBe(0);
    }
  });
});

function naivePseudo(src: number, dst: number, len: number): number {
  const p = new Uint8Array([src >>> 24, (src >>> 16) & 255, (src >>> 8) & 255, src & 255, dst >>> 24, (dst >>> 16) & 255, (dst >>> 8) & 255, dst & 255, 0, 6, len >>> 8, len & 255]);
  return ~naiveChecksum(p, 0, 12) & 0xffff;
}
