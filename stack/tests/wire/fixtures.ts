/**
 * Segments and packet surgery shared by the wire tests.
 */
import { internetChecksum, tcpPseudoHeaderSum } from '../../core/wire/checksum.ts';
import { ACK, FIN, PSH, RST, SYN } from '../../core/wire/segment.ts';
import type { TcpOption, TcpSegment } from '../../core/wire/segment.ts';

export const CLIENT = 0x0a000001; // 10.0.0.1
export const SERVER = 0x0a000002; // 10.0.0.2

/** What Linux puts on a SYN by default: mss, sackOK, TS, nop, wscale (tcp_options_write order). */
export const LINUX_SYN_OPTIONS: TcpOption[] = [
  { kind: 'mss', value: 1460 },
  { kind: 'sackOK' },
  { kind: 'ts', val: 100, ecr: 0 },
  { kind: 'nop' },
  { kind: 'wscale', shift: 7 },
];

export function segment(fields: Partial<TcpSegment> = {}): TcpSegment {
  return {
    srcAddr: CLIENT,
    dstAddr: SERVER,
    srcPort: 40000,
    dstPort: 80,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 65535,
    urgent: 0,
    options: [],
    payload: new Uint8Array(0),
    ...fields,
  };
}

export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A handshake, data both ways with SACK, FIN, RST: the set the pcap and tshark tests write. */
export function conversation(): TcpSegment[] {
  const cIss = 0xfffffff0; // the client's ISN wraps past 2^32 during the exchange
  const sIss = 0x12345678;
  const payload = new Uint8Array(1000).map((_, i) => (i * 7) & 0xff);
  return [
    segment({ seq: cIss, flags: SYN, window: 64240, options: LINUX_SYN_OPTIONS, ipId: 0 }),
    segment({
      srcAddr: SERVER, dstAddr: CLIENT, srcPort: 80, dstPort: 40000,
      seq: sIss, ack: cIss + 1, flags: SYN | ACK, window: 65160,
      options: [{ kind: 'mss', value: 1400 }, { kind: 'sackOK' }, { kind: 'ts', val: 5000, ecr: 100 }, { kind: 'nop' }, { kind: 'wscale', shift: 9 }],
    }),
    segment({ seq: cIss + 1, ack: sIss + 1, flags: ACK, window: 502, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 101, ecr: 5000 }], ipId: 1 }),
    segment({ seq: cIss + 1, ack: sIss + 1, flags: PSH | ACK, window: 502, payload, ipId: 2 }),
    segment({
      srcAddr: SERVER, dstAddr: CLIENT, srcPort: 80, dstPort: 40000,
      seq: sIss + 1, ack: cIss + 1, flags: ACK, window: 500,
      options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[(cIss + 1001) >>> 0, (cIss + 2001) >>> 0], [(cIss + 3001) >>> 0, (cIss + 4001) >>> 0]] }],
    }),
    segment({ seq: (cIss + 1001) >>> 0, ack: sIss + 1, flags: FIN | ACK, window: 502, ipId: 3, ttl: 255 }),
    // Options whose length is not a multiple of 4: the encoder pads with EOL.
    segment({ srcAddr: SERVER, dstAddr: CLIENT, srcPort: 80, dstPort: 40000, seq: sIss + 1, ack: (cIss + 1002) >>> 0, flags: ACK, window: 500, options: [{ kind: 'mss', value: 536 }, { kind: 'sackOK' }] }),
    segment({ seq: (cIss + 1002) >>> 0, flags: RST, window: 0, ipId: 4 }),
    segment({ srcAddr: SERVER, dstAddr: CLIENT, srcPort: 80, dstPort: 40000, seq: sIss + 1, ack: (cIss + 1002) >>> 0, flags: RST | ACK, window: 0 }),
  ];
}

/** Recompute the IPv4 header checksum after editing the header. */
export function fixIpChecksum(b: Uint8Array): Uint8Array {
  const ihl = (b[0] & 0x0f) * 4;
  b[10] = 0;
  b[11] = 0;
  const sum = internetChecksum(b, 0, ihl);
  b[10] = sum >>> 8;
  b[11] = sum & 0xff;
  return b;
}

/** Recompute the TCP checksum (pseudo-header from the IP header) after editing the segment. */
export function fixTcpChecksum(b: Uint8Array): Uint8Array {
  const ihl = (b[0] & 0x0f) * 4;
  const total = (b[2] << 8) | b[3];
  const src = ((b[12] << 24) | (b[13] << 16) | (b[14] << 8) | b[15]) >>> 0;
  const dst = ((b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19]) >>> 0;
  b[ihl + 16] = 0;
  b[ihl + 17] = 0;
  const sum = internetChecksum(b, ihl, total, tcpPseudoHeaderSum(src, dst, total - ihl));
  b[ihl + 16] = sum >>> 8;
  b[ihl + 17] = sum & 0xff;
  return b;
}

export function setTotalLength(b: Uint8Array, total: number): Uint8Array {
  b[2] = total >>> 8;
  b[3] = total & 0xff;
  return b;
}

/** Options as the decoder reports them: parsing stops after an EOL, and encoder padding reads as one EOL. */
export function optionsAsDecoded(options: TcpOption[]): TcpOption[] {
  const out: TcpOption[] = [];
  let len = 0;
  for (const o of options) {
    out.push(o);
    if (o.kind === 'eol') return out;
    len += optionSize(o);
  }
  if (len % 4 !== 0) out.push({ kind: 'eol' });
  return out;
}

export function optionSize(o: TcpOption): number {
  switch (o.kind) {
    case 'eol':
    case 'nop':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sackOK':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'ts':
      return 10;
    case 'unknown':
      return 2 + o.data.length;
  }
}

/** The segment decode should return for one that was encoded: TTL and IP ID defaults filled in. */
export function asDecoded(seg: TcpSegment): TcpSegment {
  return { ...seg, ttl: seg.ttl ?? 64, ipId: seg.ipId ?? 0, options: optionsAsDecoded(seg.options) };
}

export const WIRE_ERROR_CODES = [
  'truncated',
  'bad-ip-version',
  'bad-ip-header-length',
  'bad-ip-total-length',
  'bad-ip-checksum',
  'ip-fragment',
  'not-tcp',
  'bad-tcp-data-offset',
  'bad-tcp-checksum',
  'bad-tcp-option',
] as const;
