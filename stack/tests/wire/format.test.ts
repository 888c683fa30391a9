import { describe, expect, it } from 'vitest';
import { flagsString, formatAddr, formatEndpoint, formatOptions, formatSegmentPd, parseAddr } from '../../core/wire/format.ts';
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../../core/wire/segment.ts';
import { LINUX_SYN_OPTIONS, bytesOf, segment } from './fixtures.ts';

describe('flagsString (packetdrill letters)', () => {
  it.each([
    [SYN, 'S'],
    [SYN | ACK, 'S.'],
    [ACK, '.'],
    [PSH | ACK, 'P.'],
    [FIN | ACK, 'F.'],
    [FIN | PSH | ACK, 'FP.'],
    [FIN, 'F'],
    [RST, 'R'],
    [RST | ACK, 'R.'],
    [SYN | RST, 'SR'],
    [SYN | FIN, 'SF'],
    [0, '-'],
    [SYN | ECE | CWR, 'SEW'],
    [SYN | ACK | ECE, 'SE.'],
    [ACK | CWR, 'W.'],
    [URG | ACK, 'U.'],
    [PSH | URG | ACK, 'PU.'],
    [0xff, 'SFRPEWU.'],
  ])('%i → %s', (flags, text) => {
    expect(flagsString(flags)).toBe(text);
  });
});

describe('formatOptions', () => {
  it('writes the Linux SYN options as packetdrill does', () => {
    expect(formatOptions(LINUX_SYN_OPTIONS)).toBe('<mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>');
  });

  it('writes SACK blocks, EOL and unknown kinds', () => {
    expect(formatOptions([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[1, 2], [3, 4]] }])).toBe('<nop,nop,sack 1:2 3:4>');
    expect(formatOptions([{ kind: 'mss', value: 536 }, { kind: 'eol' }])).toBe('<mss 536,eol>');
    expect(formatOptions([{ kind: 'unknown', code: 30, data: new Uint8Array([0x10, 0xab]) }, { kind: 'unknown', code: 253, data: new Uint8Array(0) }])).toBe('<opt30 10ab,opt253>');
  });

  it('is empty when there are no options', () => {
    expect(formatOptions([])).toBe('');
  });
});

describe('formatSegmentPd', () => {
  const cIss = 0xfffffff0;
  const sIss = 1000;

  it('writes the SYN relative to its own ISN, with no ack', () => {
    expect(formatSegmentPd(segment({ seq: cIss, flags: SYN, window: 64240, options: LINUX_SYN_OPTIONS }), { seqBase: cIss, ackBase: sIss })).toBe(
      'S 0:0(0) win 64240 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>',
    );
  });

  it('writes the SYN-ACK with ack relative to the peer ISN, across the 2^32 wrap', () => {
    const synAck = segment({ seq: sIss, ack: (cIss + 1) >>> 0, flags: SYN | ACK, window: 65535, options: [{ kind: 'mss', value: 1460 }] });
    expect(formatSegmentPd(synAck, { seqBase: sIss, ackBase: cIss })).toBe('S. 0:0(0) ack 1 win 65535 <mss 1460>');
  });

  it('writes data whose start and end straddle 2^32 relative to a wrapped base', () => {
    const data = segment({ seq: 0xfffffffa, ack: sIss + 1, flags: PSH | ACK, window: 502, payload: new Uint8Array(1000) });
    // 0xfffffffa − 0xfffffff0 = 10: data from relative 10 to 1010, though the raw numbers wrap.
    expect(formatSegmentPd(data, { seqBase: cIss, ackBase: sIss })).toBe('P. 10:1010(1000) ack 1 win 502');
    const fin = segment({ seq: 0x000003e2, ack: sIss + 1, flags: FIN | ACK, window: 502 });
    expect(formatSegmentPd(fin, { seqBase: cIss, ackBase: sIss })).toBe('F. 1010:1010(0) ack 1 win 502');
  });

  it('shows relative numbers below the base as large unsigned values, as packetdrill would read them', () => {
    expect(formatSegmentPd(segment({ seq: 5, flags: RST, window: 0 }), { seqBase: 6, ackBase: 0 })).toBe('R 4294967295:4294967295(0) win 0');
  });

  it('prints the ack field only when the ACK bit is set', () => {
    expect(formatSegmentPd(segment({ seq: 1, ack: 77, flags: RST }), { seqBase: 0, ackBase: 0 })).toBe('R 1:1(0) win 65535');
    expect(formatSegmentPd(segment({ seq: 1, ack: 77, flags: RST | ACK }), { seqBase: 0, ackBase: 0 })).toBe('R. 1:1(0) ack 77 win 65535');
  });

  it('prints the urgent pointer when set, after win (packetdrill opt_urg_ptr)', () => {
    expect(formatSegmentPd(segment({ flags: URG | ACK, ack: 1, urgent: 2, payload: bytesOf('ab') }), { seqBase: 0, ackBase: 0 })).toBe('U. 0:2(2) ack 1 win 65535 urg 2');
  });
});

describe('addresses', () => {
  it('formats and parses dotted quads', () => {
    expect(formatAddr(0x0a000001)).toBe('10.0.0.1');
    expect(formatAddr(0xffffffff)).toBe('255.255.255.255');
    expect(formatAddr(0)).toBe('0.0.0.0');
    expect(formatAddr(0xc0a80164)).toBe('192.168.1.100');
    expect(parseAddr('10.0.0.1')).toBe(0x0a000001);
    expect(parseAddr('255.255.255.255')).toBe(0xffffffff);
    expect(parseAddr('192.168.1.100')).toBe(0xc0a80164);
    expect(formatEndpoint(0x0a000001, 80)).toBe('10.0.0.1:80');
  });

  it('round-trips every octet value', () => {
    for (let v = 0; v < 256; v++) {
      const addr = ((v << 24) | (((v * 7) & 0xff) << 16) | (((v * 13) & 0xff) << 8) | (255 - v)) >>> 0;
      expect(parseAddr(formatAddr(addr))).toBe(addr);
    }
  });

  it.each([
    ['', /expected four decimal numbers/],
    ['10.0.0', /expected four decimal numbers/],
    ['10.0.0.1.5', /expected four decimal numbers/],
    ['10.0.0.256', /part 4 is 256, must be 0-255/],
    ['10.0.0.-1', /expected four decimal numbers/],
    [' 10.0.0.1', /expected four decimal numbers/],
    ['10.0.0.1:80', /expected four decimal numbers/],
    ['0x0a.0.0.1', /expected four decimal numbers/],
    ['010.0.0.1', /part 1 "010" has a leading zero/],
    ['a.b.c.d', /expected four decimal numbers/],
  ])('rejects %j with a clear message', (text, message) => {
    expect(() => parseAddr(text)).toThrow(message);
    expect(() => parseAddr(text)).toThrow(/invalid IPv4 address/);
  });
});
