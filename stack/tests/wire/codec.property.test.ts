import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeSegment, encodeSegment } from '../../core/wire/codec.ts';
import type { DecodeResult, TcpSegment } from '../../core/wire/segment.ts';
import { fitOptions, tcpOption, u16, u32, u8 } from './arbitraries.ts';
import { LINUX_SYN_OPTIONS, WIRE_ERROR_CODES, asDecoded, conversation, segment } from './fixtures.ts';

const optionArb = tcpOption({ maxSackBlocks: 4, unknown: true });

/** Random option lists, cut to the 40 bytes a TCP header can hold. */
const optionsArb = fc.array(optionArb, { maxLength: 12 }).map(fitOptions);

const segmentArb: fc.Arbitrary<TcpSegment> = fc.record({
  srcAddr: u32,
  dstAddr: u32,
  srcPort: u16,
  dstPort: u16,
  seq: u32,
  ack: u32,
  flags: u8,
  window: u16,
  urgent: u16,
  options: optionsArb,
  payload: fc.uint8Array({ maxLength: 1500 }),
  ttl: fc.option(u8, { nil: undefined }),
  ipId: fc.option(u16, { nil: undefined }),
});

const validPacketArb = fc.oneof(segmentArb.map(encodeSegment), fc.constantFrom(...conversation().map(encodeSegment)));

/** A DecodeResult is either a segment or one of the documented errors with a sentence; nothing else. */
function expectWellFormed(result: DecodeResult): void {
  expect(typeof result.ok).toBe('boolean');
  if (result.ok) {
    expect(result.segment.payload).toBeInstanceOf(Uint8Array);
    expect(Array.isArray(result.segment.options)).toBe(true);
  } else {
    expect(WIRE_ERROR_CODES).toContain(result.error.code);
    expect(result.error.detail.length).toBeGreaterThan(10);
  }
}

describe('codec properties (fast-check)', () => {
  it('encode → decode returns the segment (defaults filled, padding as EOL)', () => {
    fc.assert(
      fc.property(segmentArb, (seg) => {
        const result = decodeSegment(encodeSegment(seg));
        expect(result).toEqual({ ok: true, segment: asDecoded(seg) });
      }),
      { numRuns: 1000 },
    );
  });

  it('decode → encode reproduces the exact bytes of any packet the encoder made', () => {
    fc.assert(
      // Options after an EOL are not parsed, so they cannot come back; stop the lists there.
      fc.property(segmentArb, (generated) => {
        const eol = generated.options.findIndex((o) => o.kind === 'eol');
        const seg = eol < 0 ? generated : { ...generated, options: generated.options.slice(0, eol + 1) };
        const bytes = encodeSegment(seg);
        const result = decodeSegment(bytes);
        if (!result.ok) throw new Error(result.error.detail);
        expect(encodeSegment(result.segment)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (bytes, verifyChecksums) => {
        expectWellFormed(decodeSegment(bytes, { verifyChecksums }));
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on arbitrary bytes behind a plausible IPv4 + TCP header', () => {
    // Random bytes almost always fail at the version nibble; fix the first bytes so the fuzzing
    // reaches the TCP header and option parser too.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 100 }), fc.integer({ min: 5, max: 7 }), (bytes, ihl) => {
        bytes[0] = 0x40 | ihl;
        bytes[2] = 0;
        bytes[3] = Math.min(bytes[3], bytes.length);
        bytes[6] = 0x40;
        bytes[7] = 0;
        bytes[9] = 6;
        expectWellFormed(decodeSegment(bytes, { verifyChecksums: false }));
      }),
      { numRuns: 3000 },
    );
  });

  it('valid packets with bytes mutated, truncated or extended: never throws, only documented results', () => {
    const edit = fc.oneof(
      fc.record({ op: fc.constant('mutate' as const), at: fc.nat(), value: u8 }),
      fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), value: u8 }),
      fc.record({ op: fc.constant('extend' as const), at: fc.nat({ max: 64 }), value: u8 }),
    );
    fc.assert(
      fc.property(validPacketArb, fc.array(edit, { minLength: 1, maxLength: 6 }), fc.boolean(), (packet, edits, verifyChecksums) => {
        let b = packet.slice();
        for (const e of edits) {
          if (e.op === 'mutate' && b.length > 0) b[e.at % b.length] = e.value;
          else if (e.op === 'truncate') b = b.slice(0, e.at % (b.length + 1));
          else if (e.op === 'extend') {
            const longer = new Uint8Array(b.length + e.at).fill(e.value);
            longer.set(b);
            b = longer;
          }
        }
        expectWellFormed(decodeSegment(b, { verifyChecksums }));
      }),
      { numRuns: 2000 },
    );
  });

  it('extra bytes after the IP total length never change the result', () => {
    fc.assert(
      fc.property(validPacketArb, fc.uint8Array({ minLength: 1, maxLength: 64 }), (packet, trailer) => {
        const longer = new Uint8Array(packet.length + trailer.length);
        longer.set(packet);
        longer.set(trailer, packet.length);
        expect(decodeSegment(longer)).toEqual(decodeSegment(packet));
      }),
      { numRuns: 300 },
    );
  });

  it('any single flipped bit is caught (checksums cover every byte of the packet)', () => {
    fc.assert(
      fc.property(validPacketArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (packet, at, bit) => {
        const b = packet.slice();
        b[at % b.length] ^= 1 << bit;
        const result = decodeSegment(b);
        expect(result.ok).toBe(false);
        expectWellFormed(result);
      }),
      { numRuns: 2000 },
    );
  });

  it('cutting any tail off a valid packet is reported, never decoded as a shorter segment', () => {
    const packet = encodeSegment(segment({ flags: 0x02, options: LINUX_SYN_OPTIONS, payload: new Uint8Array(30).fill(7) }));
    for (let len = 0; len < packet.length; len++) {
      const result = decodeSegment(packet.subarray(0, len));
      expect(result.ok, `cut to ${len} bytes`).toBe(false);
      expect(['truncated', 'bad-ip-total-length']).toContain(result.ok ? '' : result.error.code);
    }
  });
});
