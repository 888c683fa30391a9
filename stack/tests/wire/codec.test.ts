import { describe, expect, it } from 'vitest';
import { decodeSegment, encodeSegment, tcpOptionsLength } from '../../core/wire/codec.ts';
import { internetChecksum } from '../../core/wire/checksum.ts';
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../../core/wire/segment.ts';
import type { DecodeResult, TcpOption, TcpSegment, WireErrorCode } from '../../core/wire/segment.ts';
import { CLIENT, LINUX_SYN_OPTIONS, SERVER, asDecoded, bytesOf, fixIpChecksum, fixTcpChecksum, segment, setTotalLength } from './fixtures.ts';

function decoded(result: DecodeResult): TcpSegment {
  if (!result.ok) throw new Error(`expected a segment, got ${result.error.code}: ${result.error.detail}`);
  return result.segment;
}

function expectError(result: DecodeResult, code: WireErrorCode, detail?: RegExp): void {
  if (result.ok) throw new Error(`expected ${code}, but the packet decoded`);
  expect(result.error.code).toBe(code);
  if (detail) expect(result.error.detail).toMatch(detail);
}

const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

describe('encodeSegment: the bytes on the wire', () => {
  it('writes the IPv4 header Linux would (RFC 791): v4, IHL 5, DF, TTL 64, protocol 6', () => {
    const seg = segment({ flags: SYN, seq: 0x01020304, options: LINUX_SYN_OPTIONS });
    const b = encodeSegment(seg);
    expect(b.length).toBe(20 + 20 + 20);
    expect(b[0]).toBe(0x45);
    expect(b[1]).toBe(0); // TOS
    expect(u16(b, 2)).toBe(60); // total length
    expect(u16(b, 4)).toBe(0); // identification defaults to 0
    expect(u16(b, 6)).toBe(0x4000); // DF, offset 0
    expect(b[8]).toBe(64);
    expect(b[9]).toBe(6);
    expect(u32(b, 12)).toBe(CLIENT);
    expect(u32(b, 16)).toBe(SERVER);
    expect(internetChecksum(b, 0, 20)).toBe(0);
  });

  it('uses the given TTL and IP ID', () => {
    const b = encodeSegment(segment({ ttl: 1, ipId: 0xbeef }));
    expect(b[8]).toBe(1);
    expect(u16(b, 4)).toBe(0xbeef);
  });

  it('writes the TCP header fields and the options in the order given (RFC 9293 §3.1)', () => {
    const seg = segment({ flags: SYN, seq: 0xfedcba98, ack: 0x11223344, window: 64240, urgent: 0x0102, options: LINUX_SYN_OPTIONS });
    const b = encodeSegment(seg);
    const t = 20;
    expect(u16(b, t)).toBe(40000);
    expect(u16(b, t + 2)).toBe(80);
    expect(u32(b, t + 4)).toBe(0xfedcba98);
    expect(u32(b, t + 8)).toBe(0x11223344);
    expect(b[t + 12] >> 4).toBe(10); // 20 + 20 option bytes = 10 words
    expect(b[t + 13]).toBe(SYN);
    expect(u16(b, t + 14)).toBe(64240);
    expect(u16(b, t + 18)).toBe(0x0102);
    // mss 1460, sackOK, TS val 100 ecr 0, nop, wscale 7 — byte for byte.
    expect([...b.subarray(t + 20, t + 40)]).toEqual([
      2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 100, 0, 0, 0, 0, 1, 3, 3, 7,
    ]);
  });

  it('pads options to a 32-bit boundary with zero (EOL) bytes', () => {
    const b = encodeSegment(segment({ options: [{ kind: 'mss', value: 536 }, { kind: 'nop' }] }));
    expect(b[20 + 12] >> 4).toBe(7); // 5 option bytes round up to 8
    expect([...b.subarray(40, 48)]).toEqual([2, 4, 0x02, 0x18, 1, 0, 0, 0]);
    expect(b.length).toBe(48);
  });

  it('appends the payload after the header', () => {
    const payload = bytesOf('hello, world');
    const b = encodeSegment(segment({ flags: PSH | ACK, payload }));
    expect(u16(b, 2)).toBe(20 + 20 + payload.length);
    expect(b.subarray(40)).toEqual(payload);
  });

  it('accepts exactly 40 option bytes and refuses 41', () => {
    const forty: TcpOption[] = [{ kind: 'sack', blocks: [[1, 2], [3, 4], [5, 6], [7, 8]] }, ...Array<TcpOption>(6).fill({ kind: 'nop' })];
    expect(tcpOptionsLength(forty)).toBe(40);
    expect(encodeSegment(segment({ options: forty }))[32] >> 4).toBe(15);
    expect(() => encodeSegment(segment({ options: [...forty, { kind: 'nop' }] }))).toThrow(/options take 41 bytes, the TCP header has room for 40/);
  });

  it.each([
    ['srcPort', { srcPort: 65536 }, /srcPort is 65536/],
    ['dstPort', { dstPort: -1 }, /dstPort is -1/],
    ['seq', { seq: 2 ** 32 }, /seq is 4294967296/],
    ['ack', { ack: 1.5 }, /ack is 1.5/],
    ['window', { window: 70000 }, /window is 70000/],
    ['flags', { flags: 0x100 }, /flags is 256/],
    ['urgent', { urgent: NaN }, /urgent is NaN/],
    ['srcAddr', { srcAddr: -1 }, /srcAddr is -1/],
    ['ttl', { ttl: 256 }, /ttl is 256/],
    ['ipId', { ipId: 65536 }, /ipId is 65536/],
    ['mss', { options: [{ kind: 'mss', value: 65536 }] }, /option 0 \(mss\) value is 65536/],
    ['wscale', { options: [{ kind: 'nop' }, { kind: 'wscale', shift: 256 }] }, /option 1 \(wscale\) shift is 256/],
    ['ts', { options: [{ kind: 'ts', val: 1, ecr: -5 }] }, /option 0 \(TS\) ecr is -5/],
    ['sack without blocks', { options: [{ kind: 'sack', blocks: [] }] }, /sack\) block count is 0/],
    ['sack edge', { options: [{ kind: 'sack', blocks: [[0, 2 ** 32]] }] }, /block 0 right edge is 4294967296/],
    ['unknown posing as NOP', { options: [{ kind: 'unknown', code: 1, data: new Uint8Array(0) }] }, /\(unknown\) code is 1, must be an integer 2..255/],
    ['payload', { payload: new Uint8Array(65536) }, /IPv4 total length would be 65576 bytes/],
  ] as Array<[string, Partial<TcpSegment>, RegExp]>)('throws a RangeError naming the field: %s', (_name, fields, message) => {
    expect(() => encodeSegment(segment(fields))).toThrow(RangeError);
    expect(() => encodeSegment(segment(fields))).toThrow(message);
  });
});

describe('decodeSegment: round trips', () => {
  const cases: Array<[string, TcpSegment]> = [
    ['Linux SYN', segment({ flags: SYN, seq: 0xdeadbeef, window: 64240, options: LINUX_SYN_OPTIONS })],
    ['SYN-ACK with ECN bits', segment({ flags: SYN | ACK | ECE, seq: 7, ack: 0xdeadbef0, options: [{ kind: 'mss', value: 1400 }, { kind: 'nop' }, { kind: 'wscale', shift: 14 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }] })],
    ['data with PSH, URG, CWR', segment({ flags: PSH | ACK | URG | CWR, urgent: 3, payload: bytesOf('abc') })],
    ['SACK, four blocks', segment({ flags: ACK, options: [{ kind: 'sack', blocks: [[1, 2], [0xfffffff0, 0x10], [100, 200], [0, 0xffffffff]] }, { kind: 'nop' }, { kind: 'nop' }] })],
    ['TS with top-bit values', segment({ flags: ACK, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 0xffffffff, ecr: 0x80000000 }] })],
    ['unknown option kinds kept', segment({ flags: ACK, options: [{ kind: 'unknown', code: 30, data: new Uint8Array([0x10, 0x01]) }, { kind: 'unknown', code: 254, data: new Uint8Array(0) }] })],
    ['explicit EOL ends the list', segment({ flags: ACK, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'eol' }] })],
    ['FIN', segment({ flags: FIN | ACK, seq: 0xffffffff, ack: 1 })],
    ['RST', segment({ flags: RST, window: 0 })],
    ['no flags at all, TTL 255, IP ID 65535', segment({ flags: 0, ttl: 255, ipId: 0xffff })],
    ['all flags', segment({ flags: 0xff })],
    ['1460-byte payload', segment({ flags: ACK, payload: new Uint8Array(1460).map((_, i) => i) })],
  ];
  it.each(cases)('%s', (_name, seg) => {
    expect(decoded(decodeSegment(encodeSegment(seg)))).toEqual(asDecoded(seg));
  });

  it('reports the encoder’s padding as one trailing EOL', () => {
    const seg = segment({ options: [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }] });
    expect(decoded(decodeSegment(encodeSegment(seg))).options).toEqual([{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'eol' }]);
  });

  it('returns a payload that does not alias the packet bytes', () => {
    const b = encodeSegment(segment({ payload: bytesOf('data') }));
    const seg = decoded(decodeSegment(b));
    b.fill(0);
    expect(seg.payload).toEqual(bytesOf('data'));
  });

  it('skips IP options (IHL > 5)', () => {
    const seg = segment({ flags: SYN, options: LINUX_SYN_OPTIONS, payload: bytesOf('x') });
    const plain = encodeSegment(seg);
    // Insert 8 bytes of IP options: NOP, NOP, then a 4-byte Router Alert (RFC 2113), then IHL 7.
    const b = new Uint8Array(plain.length + 8);
    b.set(plain.subarray(0, 20), 0);
    b.set([1, 1, 0x94, 0x04], 20);
    b.set([0, 0, 0, 0], 24);
    b.set(plain.subarray(20), 28);
    b[0] = 0x47;
    setTotalLength(b, b.length);
    fixIpChecksum(b);
    expect(decoded(decodeSegment(b))).toEqual(asDecoded(seg));
  });

  it('ignores bytes after the IP total length (Ethernet padding)', () => {
    const seg = segment({ flags: ACK, seq: 5, ack: 9 });
    const plain = encodeSegment(seg);
    const padded = new Uint8Array(60).fill(0xee);
    padded.set(plain);
    expect(decoded(decodeSegment(padded))).toEqual(asDecoded(seg));
  });

  it('keeps bytes after an EOL out of the option list', () => {
    const b = encodeSegment(segment({ options: [{ kind: 'nop' }, { kind: 'eol' }, { kind: 'nop' }, { kind: 'nop' }] }));
    b[42] = 0xff; // garbage after EOL would be a broken option if it were parsed
    fixTcpChecksum(b);
    expect(decoded(decodeSegment(b)).options).toEqual([{ kind: 'nop' }, { kind: 'eol' }]);
  });
});

describe('decodeSegment: each WireErrorCode from a crafted packet', () => {
  const syn = () => encodeSegment(segment({ flags: SYN, options: LINUX_SYN_OPTIONS, payload: bytesOf('payload!') }));

  it('truncated: fewer than 20 bytes', () => {
    expectError(decodeSegment(new Uint8Array(0)), 'truncated', /packet is 0 bytes, shorter than the 20-byte IPv4 header/);
    expectError(decodeSegment(syn().subarray(0, 19)), 'truncated', /19 bytes/);
  });

  it('truncated: an IP payload too short for a TCP header', () => {
    const b = setTotalLength(syn().slice(0, 39), 39);
    expectError(decodeSegment(fixIpChecksum(b)), 'truncated', /TCP segment is 19 bytes, shorter than the 20-byte TCP header/);
  });

  it('bad-ip-version', () => {
    const b = syn();
    b[0] = 0x65;
    expectError(decodeSegment(fixIpChecksum(b)), 'bad-ip-version', /IP version 6, expected 4/);
  });

  it('bad-ip-header-length: IHL below 5', () => {
    const b = syn();
    b[0] = 0x44;
    expectError(decodeSegment(b), 'bad-ip-header-length', /IHL\) 4 words = 16 bytes, minimum is 5/);
  });

  it('bad-ip-header-length: IHL past the end of the packet', () => {
    const b = syn().slice(0, 40);
    b[0] = 0x4f;
    expectError(decodeSegment(b), 'bad-ip-header-length', /60 bytes runs past the 40-byte packet/);
  });

  it('bad-ip-total-length: more than the bytes received', () => {
    const b = syn();
    expectError(decodeSegment(b.subarray(0, b.length - 1)), 'bad-ip-total-length', new RegExp(`total length ${b.length} exceeds the ${b.length - 1} bytes received`));
  });

  it('bad-ip-total-length: smaller than the header', () => {
    expectError(decodeSegment(fixIpChecksum(setTotalLength(syn(), 19))), 'bad-ip-total-length', /total length 19 is smaller than the 20-byte IPv4 header/);
  });

  it('bad-ip-checksum, naming the field value and the right one', () => {
    const b = syn();
    b[8] = 63; // TTL changed in flight without fixing the checksum
    const right = encodeSegment(segment({ flags: SYN, options: LINUX_SYN_OPTIONS, payload: bytesOf('payload!'), ttl: 63 }));
    const hex = (x: number) => '0x' + x.toString(16).padStart(4, '0');
    expectError(decodeSegment(b), 'bad-ip-checksum', new RegExp(`IPv4 header checksum ${hex(u16(b, 10))}, expected ${hex(u16(right, 10))}`));
  });

  it('ip-fragment: MF set', () => {
    const b = syn();
    b[6] |= 0x20;
    expectError(decodeSegment(fixIpChecksum(b)), 'ip-fragment', /MF 1, fragment offset 0/);
  });

  it('ip-fragment: non-zero offset', () => {
    const b = syn();
    b[7] = 3;
    expectError(decodeSegment(fixIpChecksum(b)), 'ip-fragment', /MF 0, fragment offset 24 bytes/);
  });

  it('not-tcp', () => {
    const b = syn();
    b[9] = 17;
    expectError(decodeSegment(fixIpChecksum(b)), 'not-tcp', /IP protocol 17 \(UDP\), expected 6 \(TCP\)/);
  });

  it('bad-tcp-data-offset: below 5', () => {
    const b = syn();
    b[32] = 0x40;
    expectError(decodeSegment(fixTcpChecksum(b)), 'bad-tcp-data-offset', /data offset 4 words = 16 bytes, minimum is 5/);
  });

  it('bad-tcp-data-offset: past the end of the segment', () => {
    const b = encodeSegment(segment({ flags: ACK }));
    b[32] = 0x60;
    expectError(decodeSegment(fixTcpChecksum(b)), 'bad-tcp-data-offset', /6 words = 24 bytes runs past the 20-byte TCP segment/);
  });

  it('bad-tcp-checksum, naming the field value and the right one', () => {
    const b = syn();
    const field = u16(b, 36);
    b[b.length - 1] ^= 0x01; // one payload bit flipped
    const right = u16(fixTcpChecksum(b.slice()), 36);
    const hex = (x: number) => '0x' + x.toString(16).padStart(4, '0');
    expect(right).not.toBe(field);
    expectError(decodeSegment(b), 'bad-tcp-checksum', new RegExp(`TCP checksum ${hex(field)}, expected ${hex(right)}`));
  });

  it('bad-tcp-checksum: the pseudo-header covers the addresses', () => {
    const b = syn();
    b[19] = 3; // destination address rewritten (e.g. a NAT that forgot the TCP checksum)
    expectError(decodeSegment(fixIpChecksum(b)), 'bad-tcp-checksum');
  });

  const optionCases: Array<[string, TcpOption[], RegExp]> = [
    ['MSS of length 5', [{ kind: 'unknown', code: 2, data: new Uint8Array(3) }], /MSS option \(kind 2\) at header byte 20 has length 5, expected 4/],
    ['window scale of length 4', [{ kind: 'nop' }, { kind: 'unknown', code: 3, data: new Uint8Array(2) }], /window scale option \(kind 3\) at header byte 21 has length 4, expected 3/],
    ['SACK-permitted of length 3', [{ kind: 'unknown', code: 4, data: new Uint8Array(1) }], /SACK-permitted option \(kind 4\) at header byte 20 has length 3, expected 2/],
    ['timestamps of length 8', [{ kind: 'unknown', code: 8, data: new Uint8Array(6) }], /timestamps option \(kind 8\) at header byte 20 has length 8, expected 10/],
    ['SACK of length 11', [{ kind: 'unknown', code: 5, data: new Uint8Array(9) }], /SACK option \(kind 5\) at header byte 20 has length 11/],
    ['SACK with no blocks', [{ kind: 'unknown', code: 5, data: new Uint8Array(0) }], /SACK option \(kind 5\) at header byte 20 has length 2/],
  ];
  it.each(optionCases)('bad-tcp-option: %s', (_name, options, message) => {
    expectError(decodeSegment(encodeSegment(segment({ options }))), 'bad-tcp-option', message);
  });

  it('bad-tcp-option: a length byte below 2', () => {
    const b = encodeSegment(segment({ options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }] }));
    b[41] = 30;
    b[42] = 1;
    expectError(decodeSegment(fixTcpChecksum(b)), 'bad-tcp-option', /kind 30 at header byte 21 has length 1, minimum is 2/);
  });

  it('bad-tcp-option: an option running past the header', () => {
    const b = encodeSegment(segment({ options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }] }));
    b[42] = 8;
    b[43] = 10;
    expectError(decodeSegment(fixTcpChecksum(b)), 'bad-tcp-option', /kind 8 at header byte 22 has length 10, running past the end of the 24-byte header/);
  });

  it('bad-tcp-option: a kind byte with no room for its length', () => {
    const b = encodeSegment(segment({ options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }] }));
    b[43] = 2;
    expectError(decodeSegment(fixTcpChecksum(b)), 'bad-tcp-option', /kind 2 at header byte 23 has no length byte/);
  });

  it('verifyChecksums: false accepts bad checksums but still checks structure', () => {
    const b = syn();
    b[10] ^= 0xff;
    b[36] ^= 0xff;
    expect(decoded(decodeSegment(b, { verifyChecksums: false })).flags).toBe(SYN);
    expectError(decodeSegment(b), 'bad-ip-checksum');
    b[32] = 0x40;
    expectError(decodeSegment(b, { verifyChecksums: false }), 'bad-tcp-data-offset');
  });

  it('checks in header order: the first problem is the one reported', () => {
    const b = syn();
    b[9] = 17; // not TCP, and the IP checksum is now wrong too
    expectError(decodeSegment(b), 'bad-ip-checksum');
    b[0] = 0x55; // and the version is wrong
    expectError(decodeSegment(b), 'bad-ip-version');
  });
});
