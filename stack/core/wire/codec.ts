/**
 * IPv4 + TCP segments to bytes and back.
 *
 * encodeSegment writes what Linux would put on the wire for an IPv4 TCP segment: a 20-byte IPv4
 * header (no IP options; TOS 0 and DF set unless the segment says otherwise: Linux does path-MTU
 * discovery on TCP sockets, `ip_no_pmtu_disc` = 0, and IP_TOS / IP_MTU_DISCOVER change them) and
 * the TCP header with options in exactly the order given.
 *
 * decodeSegment is the receive path. It never throws: a simulated attacker, a corrupting link or a
 * packetdrill script can hand it any bytes at all, and the host turns each WireError into a Linux
 * MIB counter.
 *
 * Both sides read and write bytes directly (no DataView, no closures): the simulator's budget is
 * 1,000,000 segments per second through encode → link → decode → TCP input.
 */
import { internetChecksum, onesComplementSum, tcpPseudoHeaderSum } from './checksum.ts';
import { NO_PAYLOAD, type DecodeResult, type TcpOption, type TcpSegment, type WireErrorCode } from './segment.ts';

export const IPV4_HEADER_BYTES = 20;
export const TCP_HEADER_BYTES = 20;
/** The data offset field is 4 bits of 32-bit words: at most 60 header bytes, 40 of them options. */
export const TCP_MAX_OPTION_BYTES = 40;
export const IPPROTO_TCP = 6;

/** Linux's `ip_default_ttl` (net.ipv4.ip_default_ttl = 64). */
const DEFAULT_TTL = 64;
/** IPv4 flags + fragment offset word with only DF (0x4000) set. */
const IP_DF = 0x4000;
const IP_MF = 0x2000;
const IP_FRAG_OFFSET_MASK = 0x1fff;

// ---------------------------------------------------------------------------------------------
// Packet memory
// ---------------------------------------------------------------------------------------------

/**
 * Packets and payload copies up to PACKET_SLAB_MAX_BYTES are carved from shared 64 KiB slabs
 * instead of each getting its own ArrayBuffer: V8 allocates any typed array over 64 bytes outside
 * its heap, which measured ~10× the cost of carving a view, and that dominated a 1000-byte
 * segment's encode. (Node's Buffer pool does the same.) A slab itself costs ~2.3 µs at 16 KiB and
 * ~4.5 µs at 64 KiB, so the larger one halves the share each full-sized segment pays.
 * Consequences: the bytes are a view with a byteOffset, so read them through the Uint8Array,
 * never through `.buffer`; and a view kept alive keeps its slab alive. Carves are 8-byte aligned
 * so the checksum can read whole words.
 */
const PACKET_SLAB_BYTES = 64 * 1024;
const PACKET_SLAB_MAX_BYTES = 2048;
/** V8 keeps typed arrays up to this size on its own heap, where allocating them is cheap. */
const V8_ON_HEAP_MAX_BYTES = 64;
let slab = new ArrayBuffer(PACKET_SLAB_BYTES);
let slabUsed = 0;

function allocPacketBytes(n: number): Uint8Array {
  if (n > PACKET_SLAB_MAX_BYTES || n <= V8_ON_HEAP_MAX_BYTES) return new Uint8Array(n);
  if (slabUsed + n > PACKET_SLAB_BYTES) {
    slab = new ArrayBuffer(PACKET_SLAB_BYTES);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab, slabUsed, n);
  slabUsed = (slabUsed + n + 7) & ~7;
  return bytes;
}

function copyBytes(from: Uint8Array, start: number, end: number): Uint8Array {
  if (start === end) return NO_PAYLOAD;
  const copy = allocPacketBytes(end - start);
  copy.set(from.subarray(start, end));
  return copy;
}

/**
 * A copy of `bytes` in packet memory, for data that ends up in segments: write() queues one per
 * call, and a chatty application's 100-byte writes would each pay for an ArrayBuffer of their own.
 */
export function copyToPacketMemory(bytes: Uint8Array): Uint8Array {
  return copyBytes(bytes, 0, bytes.length);
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

function isU8(x: number): boolean {
  return (x & 0xff) === x;
}
function isU16(x: number): boolean {
  return (x & 0xffff) === x;
}
function isU32(x: number): boolean {
  return x >>> 0 === x;
}

function fieldError(field: string, value: unknown, range: string): RangeError {
  return new RangeError(`cannot encode TCP segment: ${field} is ${String(value)}, must be ${range}`);
}

/**
 * The bytes the options occupy on the wire before padding. Throws the RangeError encodeSegment
 * would: for an option that cannot be written (a value out of range, an empty SACK option, an
 * unknown option posing as EOL or NOP), or for more than 40 bytes of options.
 */
export function tcpOptionsLength(options: TcpOption[]): number {
  return encodeOptions(options);
}

/**
 * Options are written here first, by the same pass that sizes and checks them, then copied into
 * the packet: sizing and writing in two passes read every option's kind twice, and with the many
 * shapes option objects come in those reads are among the encoder's slowest.
 */
const optionScratch = new Uint8Array(TCP_MAX_OPTION_BYTES);

/**
 * Writes the options into optionScratch and returns the bytes they take before padding (past 40
 * it only counts, for the error). Throws a RangeError for an option that cannot be written (a value
 * out of range, an empty SACK option, an unknown option posing as EOL or NOP) and for options that
 * take more than the 40 bytes the TCP header has room for.
 */
function encodeOptions(options: TcpOption[]): number {
  const b = optionScratch;
  let at = 0;
  for (let k = 0; k < options.length; k++) {
    const o = options[k];
    switch (o.kind) {
      case 'eol':
        if (at < TCP_MAX_OPTION_BYTES) b[at] = 0;
        at += 1;
        break;
      case 'nop':
        if (at < TCP_MAX_OPTION_BYTES) b[at] = 1;
        at += 1;
        break;
      case 'mss':
        if (!isU16(o.value)) throw fieldError(`option ${k} (mss) value`, o.value, 'an integer 0..65535');
        if (at + 4 <= TCP_MAX_OPTION_BYTES) {
          b[at] = 2;
          b[at + 1] = 4;
          b[at + 2] = o.value >>> 8;
          b[at + 3] = o.value;
        }
        at += 4;
        break;
      case 'wscale':
        if (!isU8(o.shift)) throw fieldError(`option ${k} (wscale) shift`, o.shift, 'an integer 0..255');
        if (at + 3 <= TCP_MAX_OPTION_BYTES) {
          b[at] = 3;
          b[at + 1] = 3;
          b[at + 2] = o.shift;
        }
        at += 3;
        break;
      case 'sackOK':
        if (at + 2 <= TCP_MAX_OPTION_BYTES) {
          b[at] = 4;
          b[at + 1] = 2;
        }
        at += 2;
        break;
      case 'sack': {
        const blocks = o.blocks;
        const n = blocks.length;
        // RFC 2018 §3: length 8n+2 with at least one block; the decoder rejects any other length.
        if (n < 1) throw fieldError(`option ${k} (sack) block count`, n, 'at least 1');
        for (let j = 0; j < n; j++) {
          const [left, right] = blocks[j];
          if (!isU32(left)) throw fieldError(`option ${k} (sack) block ${j} left edge`, left, 'an unsigned 32-bit integer');
          if (!isU32(right)) throw fieldError(`option ${k} (sack) block ${j} right edge`, right, 'an unsigned 32-bit integer');
        }
        if (at + 2 + 8 * n <= TCP_MAX_OPTION_BYTES) {
          b[at] = 5;
          b[at + 1] = 2 + 8 * n;
          for (let j = 0; j < n; j++) {
            writeU32(b, at + 2 + 8 * j, blocks[j][0]);
            writeU32(b, at + 6 + 8 * j, blocks[j][1]);
          }
        }
        at += 2 + 8 * n;
        break;
      }
      case 'ts':
        if (!isU32(o.val)) throw fieldError(`option ${k} (TS) val`, o.val, 'an unsigned 32-bit integer');
        if (!isU32(o.ecr)) throw fieldError(`option ${k} (TS) ecr`, o.ecr, 'an unsigned 32-bit integer');
        if (at + 10 <= TCP_MAX_OPTION_BYTES) {
          b[at] = 8;
          b[at + 1] = 10;
          writeU32(b, at + 2, o.val);
          writeU32(b, at + 6, o.ecr);
        }
        at += 10;
        break;
      case 'unknown':
        // Kinds 0 and 1 are single bytes with no length field (RFC 9293 §3.1); writing a length
        // after them would be read back as different options.
        if (!isU8(o.code) || o.code < 2) throw fieldError(`option ${k} (unknown) code`, o.code, 'an integer 2..255');
        if (at + 2 + o.data.length <= TCP_MAX_OPTION_BYTES) {
          b[at] = o.code;
          b[at + 1] = 2 + o.data.length;
          b.set(o.data, at + 2);
        }
        at += 2 + o.data.length;
        break;
      default:
        throw new RangeError(`cannot encode TCP segment: option ${k} has unknown kind ${JSON.stringify((o as { kind: unknown }).kind)}`);
    }
  }
  if (at > TCP_MAX_OPTION_BYTES) {
    throw new RangeError(`cannot encode TCP segment: options take ${at} bytes, the TCP header has room for ${TCP_MAX_OPTION_BYTES}`);
  }
  return at;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

/**
 * The checksum of the header encodeSegment writes (RFC 791 §3.1), summed from the field values
 * rather than read back from the bytes: every other 16-bit word of that header is a constant
 * (version and IHL 0x45 beside the TOS; no fragment offset; protocol 6 beside the TTL).
 */
function ipv4HeaderChecksum(tos: number, totalLength: number, ipId: number, fragWord: number, ttl: number, srcAddr: number, dstAddr: number): number {
  let sum = (0x4500 | tos) + totalLength + ipId + fragWord + ((ttl << 8) | IPPROTO_TCP) +
    (srcAddr >>> 16) + (srcAddr & 0xffff) + (dstAddr >>> 16) + (dstAddr & 0xffff);
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * The IPv4 packet carrying this segment (a view into shared packet memory: see allocPacketBytes).
 * Throws a RangeError only when the segment cannot be
 * represented on the wire (a field out of range, options over 40 bytes, a packet over 65535
 * bytes): the stack built something impossible, which is a bug, not a network event.
 */
export function encodeSegment(seg: TcpSegment): Uint8Array {
  const ttl = seg.ttl ?? DEFAULT_TTL;
  const ipId = seg.ipId ?? 0;
  const tos = seg.tos ?? 0;
  const fragWord = seg.df === false ? 0 : IP_DF;
  if (!isU32(seg.srcAddr)) throw fieldError('srcAddr', seg.srcAddr, 'an unsigned 32-bit integer');
  if (!isU32(seg.dstAddr)) throw fieldError('dstAddr', seg.dstAddr, 'an unsigned 32-bit integer');
  if (!isU16(seg.srcPort)) throw fieldError('srcPort', seg.srcPort, 'an integer 0..65535');
  if (!isU16(seg.dstPort)) throw fieldError('dstPort', seg.dstPort, 'an integer 0..65535');
  if (!isU32(seg.seq)) throw fieldError('seq', seg.seq, 'an unsigned 32-bit integer');
  if (!isU32(seg.ack)) throw fieldError('ack', seg.ack, 'an unsigned 32-bit integer');
  if (!isU8(seg.flags)) throw fieldError('flags', seg.flags, 'a bitmask 0..255');
  if (!isU16(seg.window)) throw fieldError('window', seg.window, 'an integer 0..65535 (the unscaled field)');
  if (!isU16(seg.urgent)) throw fieldError('urgent', seg.urgent, 'an integer 0..65535');
  if (!isU8(ttl)) throw fieldError('ttl', ttl, 'an integer 0..255');
  if (!isU16(ipId)) throw fieldError('ipId', ipId, 'an integer 0..65535');
  if (!isU8(tos)) throw fieldError('tos', tos, 'an integer 0..255');

  const optionBytes = encodeOptions(seg.options);
  // RFC 9293 §3.1: the header ends on a 32-bit boundary; the padding is zeros, which read as EOL.
  const tcpHeaderBytes = TCP_HEADER_BYTES + ((optionBytes + 3) & ~3);
  const payload = seg.payload;
  const tcpLength = tcpHeaderBytes + payload.length;
  const totalLength = IPV4_HEADER_BYTES + tcpLength;
  if (totalLength > 0xffff) {
    throw new RangeError(`cannot encode TCP segment: IPv4 total length would be ${totalLength} bytes (payload ${payload.length}), maximum is 65535`);
  }

  const b = allocPacketBytes(totalLength);
  // IPv4 header (RFC 791 §3.1).
  b[0] = 0x45;
  b[1] = tos;
  b[2] = totalLength >>> 8;
  b[3] = totalLength;
  b[4] = ipId >>> 8;
  b[5] = ipId;
  b[6] = fragWord >>> 8;
  b[8] = ttl;
  b[9] = IPPROTO_TCP;
  writeU32(b, 12, seg.srcAddr);
  writeU32(b, 16, seg.dstAddr);
  const ipSum = ipv4HeaderChecksum(tos, totalLength, ipId, fragWord, ttl, seg.srcAddr, seg.dstAddr);
  b[10] = ipSum >>> 8;
  b[11] = ipSum;

  // TCP header (RFC 9293 §3.1).
  const t = IPV4_HEADER_BYTES;
  b[t] = seg.srcPort >>> 8;
  b[t + 1] = seg.srcPort;
  b[t + 2] = seg.dstPort >>> 8;
  b[t + 3] = seg.dstPort;
  writeU32(b, t + 4, seg.seq);
  writeU32(b, t + 8, seg.ack);
  b[t + 12] = (tcpHeaderBytes >>> 2) << 4;
  b[t + 13] = seg.flags;
  b[t + 14] = seg.window >>> 8;
  b[t + 15] = seg.window;
  b[t + 18] = seg.urgent >>> 8;
  b[t + 19] = seg.urgent;
  for (let i = 0; i < optionBytes; i++) b[t + TCP_HEADER_BYTES + i] = optionScratch[i];
  if (payload.length > 0) b.set(payload, t + tcpHeaderBytes);
  const tcpSum = internetChecksum(b, t, totalLength, tcpPseudoHeaderSum(seg.srcAddr, seg.dstAddr, tcpLength));
  b[t + 16] = tcpSum >>> 8;
  b[t + 17] = tcpSum;
  return b;
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

function fail(code: WireErrorCode, detail: string): DecodeResult {
  return { ok: false, error: { code, detail } };
}

function hex16(x: number): string {
  return '0x' + x.toString(16).padStart(4, '0');
}

function readU16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** The checksum a sender should have written in the field at `fieldAt`: the sum with that field left out. */
function expectedChecksum(b: Uint8Array, start: number, end: number, fieldAt: number, initial: number): number {
  return internetChecksum(b, fieldAt + 2, end, onesComplementSum(b, start, fieldAt, initial));
}

const PROTOCOL_NAMES: Record<number, string> = { 1: 'ICMP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 58: 'ICMPv6', 132: 'SCTP' };

/** Known option kinds: name for messages, and the one length each must have (SACK checked apart). */
const OPTION_NAMES: Record<number, string> = { 2: 'MSS', 3: 'window scale', 4: 'SACK-permitted', 5: 'SACK', 8: 'timestamps' };

/**
 * Decode an IPv4 packet carrying TCP. Never throws. Checks run in header order, so the first
 * problem found is the one reported:
 *
 * - truncated: fewer than 20 bytes (no room for an IPv4 header), or an IP payload shorter than the
 *   20-byte TCP header;
 * - bad-ip-version, bad-ip-header-length (IHL < 5 or past the end of the bytes),
 *   bad-ip-total-length (smaller than the header or more than the bytes received),
 *   bad-ip-checksum, ip-fragment (MF set or offset ≠ 0; the simulator never fragments),
 *   not-tcp;
 * - bad-tcp-data-offset (< 5 or past the end of the IP payload), bad-tcp-checksum,
 *   bad-tcp-option.
 *
 * IP options are skipped (they still count in the header checksum). Bytes after the IP total
 * length are link padding and ignored. `verifyChecksums: false` skips both checksum checks, for
 * tools that read hand-made or offloaded captures. The payload and unknown options' data are
 * copies, so the caller may reuse or corrupt `bytes` afterwards.
 *
 * Note: this is stricter than Linux about options. `tcp_parse_options` stops parsing at a length
 * byte < 2 or one that runs past the header, and ignores a known option with the wrong length; it
 * never drops the segment for it. The host decides what a bad-tcp-option means for it.
 */
export function decodeSegment(bytes: Uint8Array, opts?: { verifyChecksums?: boolean }): DecodeResult {
  const verify = opts?.verifyChecksums ?? true;
  const n = bytes.length;
  if (n < IPV4_HEADER_BYTES) {
    return fail('truncated', `packet is ${n} bytes, shorter than the 20-byte IPv4 header`);
  }
  const version = bytes[0] >>> 4;
  if (version !== 4) return fail('bad-ip-version', `IP version ${version}, expected 4`);
  const ihl = bytes[0] & 0x0f;
  const ipHeaderBytes = ihl * 4;
  if (ihl < 5) return fail('bad-ip-header-length', `IPv4 header length (IHL) ${ihl} words = ${ipHeaderBytes} bytes, minimum is 5 words = 20 bytes`);
  if (ipHeaderBytes > n) return fail('bad-ip-header-length', `IPv4 header length (IHL) ${ihl} words = ${ipHeaderBytes} bytes runs past the ${n}-byte packet`);
  const totalLength = readU16(bytes, 2);
  if (totalLength < ipHeaderBytes) return fail('bad-ip-total-length', `IPv4 total length ${totalLength} is smaller than the ${ipHeaderBytes}-byte IPv4 header`);
  if (totalLength > n) return fail('bad-ip-total-length', `IPv4 total length ${totalLength} exceeds the ${n} bytes received`);
  if (verify && internetChecksum(bytes, 0, ipHeaderBytes) !== 0) {
    return fail('bad-ip-checksum', `IPv4 header checksum ${hex16(readU16(bytes, 10))}, expected ${hex16(expectedChecksum(bytes, 0, ipHeaderBytes, 10, 0))}`);
  }
  const frag = readU16(bytes, 6);
  if ((frag & (IP_MF | IP_FRAG_OFFSET_MASK)) !== 0) {
    return fail('ip-fragment', `IPv4 fragment (MF ${frag & IP_MF ? 1 : 0}, fragment offset ${(frag & IP_FRAG_OFFSET_MASK) * 8} bytes); fragments are not reassembled`);
  }
  const protocol = bytes[9];
  if (protocol !== IPPROTO_TCP) {
    const name = PROTOCOL_NAMES[protocol];
    return fail('not-tcp', `IP protocol ${protocol}${name ? ` (${name})` : ''}, expected 6 (TCP)`);
  }

  const t = ipHeaderBytes;
  const tcpLength = totalLength - ipHeaderBytes;
  if (tcpLength < TCP_HEADER_BYTES) return fail('truncated', `TCP segment is ${tcpLength} bytes, shorter than the 20-byte TCP header`);
  const dataOffset = bytes[t + 12] >>> 4;
  const tcpHeaderBytes = dataOffset * 4;
  if (dataOffset < 5) return fail('bad-tcp-data-offset', `TCP data offset ${dataOffset} words = ${tcpHeaderBytes} bytes, minimum is 5 words = 20 bytes`);
  if (tcpHeaderBytes > tcpLength) return fail('bad-tcp-data-offset', `TCP data offset ${dataOffset} words = ${tcpHeaderBytes} bytes runs past the ${tcpLength}-byte TCP segment`);

  const srcAddr = readU32(bytes, 12);
  const dstAddr = readU32(bytes, 16);
  if (verify) {
    const pseudo = tcpPseudoHeaderSum(srcAddr, dstAddr, tcpLength);
    if (internetChecksum(bytes, t, totalLength, pseudo) !== 0) {
      return fail('bad-tcp-checksum', `TCP checksum ${hex16(readU16(bytes, t + 16))}, expected ${hex16(expectedChecksum(bytes, t, totalLength, t + 16, pseudo))}`);
    }
  }

  const options: TcpOption[] = [];
  const optEnd = t + tcpHeaderBytes;
  let i = t + TCP_HEADER_BYTES;
  while (i < optEnd) {
    const kind = bytes[i];
    if (kind === 0) {
      // RFC 9293 §3.2: End of Option List; whatever follows is padding.
      options.push({ kind: 'eol' });
      break;
    }
    if (kind === 1) {
      options.push({ kind: 'nop' });
      i++;
      continue;
    }
    const at = i - t;
    if (i + 1 >= optEnd) return fail('bad-tcp-option', `TCP option kind ${kind} at header byte ${at} has no length byte before the end of the ${tcpHeaderBytes}-byte header`);
    const len = bytes[i + 1];
    if (len < 2) return fail('bad-tcp-option', `TCP option kind ${kind} at header byte ${at} has length ${len}, minimum is 2`);
    if (i + len > optEnd) return fail('bad-tcp-option', `TCP option kind ${kind} at header byte ${at} has length ${len}, running past the end of the ${tcpHeaderBytes}-byte header`);
    switch (kind) {
      case 2:
        if (len !== 4) return badLength(kind, at, len, '4');
        options.push({ kind: 'mss', value: readU16(bytes, i + 2) });
        break;
      case 3:
        if (len !== 3) return badLength(kind, at, len, '3');
        options.push({ kind: 'wscale', shift: bytes[i + 2] });
        break;
      case 4:
        if (len !== 2) return badLength(kind, at, len, '2');
        options.push({ kind: 'sackOK' });
        break;
      case 5: {
        if (len < 10 || (len - 2) % 8 !== 0) return badLength(kind, at, len, '2 + 8 × blocks (10, 18, 26 or 34)');
        const blocks: Array<[number, number]> = [];
        for (let j = i + 2; j < i + len; j += 8) blocks.push([readU32(bytes, j), readU32(bytes, j + 4)]);
        options.push({ kind: 'sack', blocks });
        break;
      }
      case 8:
        if (len !== 10) return badLength(kind, at, len, '10');
        options.push({ kind: 'ts', val: readU32(bytes, i + 2), ecr: readU32(bytes, i + 6) });
        break;
      default:
        options.push({ kind: 'unknown', code: kind, data: copyBytes(bytes, i + 2, i + len) });
    }
    i += len;
  }

  const segment: TcpSegment = {
    srcAddr,
    dstAddr,
    srcPort: readU16(bytes, t),
    dstPort: readU16(bytes, t + 2),
    seq: readU32(bytes, t + 4),
    ack: readU32(bytes, t + 8),
    flags: bytes[t + 13],
    window: readU16(bytes, t + 14),
    urgent: readU16(bytes, t + 18),
    options,
    payload: copyBytes(bytes, optEnd, totalLength),
    ttl: bytes[8],
    ipId: readU16(bytes, 4),
  };
  // Only when not the defaults, so the common segment keeps one shape.
  if (bytes[1] !== 0) segment.tos = bytes[1];
  if ((frag & IP_DF) === 0) segment.df = false;
  return { ok: true, segment };
}

function badLength(kind: number, at: number, len: number, expected: string): DecodeResult {
  return fail('bad-tcp-option', `TCP ${OPTION_NAMES[kind]} option (kind ${kind}) at header byte ${at} has length ${len}, expected ${expected}`);
}
