/**
 * Segments as text, in packetdrill's notation: the traces, the grader's failure messages and the
 * packetdrill runner all print and compare segments this way, so a learner reading a failure sees
 * the same line they would write in a .pkt script.
 */
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from './segment.ts';
import type { TcpOption, TcpSegment } from './segment.ts';

/**
 * Flags in packetdrill's letters: S F R P, then E W U (ECE, CWR, URG), then "." for ACK.
 * packetdrill sets the ACK bit only from ".", so "S." is SYN-ACK and "R" (no dot) is a bare RST.
 * No flags at all is "-".
 */
export function flagsString(flags: number): string {
  let s = '';
  for (const [letter, bit] of FLAG_LETTERS) if (flags & bit) s += letter;
  return s === '' ? '-' : s;
}

/** packetdrill's flag letters (google/packetdrill tcp_packet.c), in the order it prints them. */
const FLAG_LETTERS: ReadonlyArray<readonly [letter: string, bit: number]> = [
  ['S', SYN], ['F', FIN], ['R', RST], ['P', PSH], ['E', ECE], ['W', CWR], ['U', URG], ['.', ACK],
];

/** The header bit a packetdrill flag letter stands for; undefined for any other character. */
export function flagBit(letter: string): number | undefined {
  return FLAG_LETTERS.find(([l]) => l === letter)?.[1];
}

function formatOption(o: TcpOption): string {
  switch (o.kind) {
    case 'eol':
      return 'eol';
    case 'nop':
      return 'nop';
    case 'mss':
      return `mss ${o.value}`;
    case 'wscale':
      return `wscale ${o.shift}`;
    case 'sackOK':
      return 'sackOK';
    case 'sack':
      return 'sack ' + o.blocks.map(([left, right]) => `${left}:${right}`).join(' ');
    case 'ts':
      return `TS val ${o.val} ecr ${o.ecr}`;
    case 'unknown': {
      // packetdrill has no syntax for arbitrary options; this is readable and unambiguous.
      let hex = '';
      for (let i = 0; i < o.data.length; i++) hex += o.data[i].toString(16).padStart(2, '0');
      return hex === '' ? `opt${o.code}` : `opt${o.code} ${hex}`;
    }
  }
}

/** `<mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>`, or "" when there are no options. */
export function formatOptions(options: TcpOption[]): string {
  if (options.length === 0) return '';
  return '<' + options.map(formatOption).join(',') + '>';
}

/**
 * The body of a packetdrill packet line: `S. 0:0(0) ack 1 win 65535 <mss 1460,...>`.
 * seq is printed relative to seqBase and ack relative to ackBase (each side's ISN, as packetdrill
 * and Wireshark do), modulo 2^32. The end is start + payload bytes, as packetdrill writes it (SYN
 * and FIN are not counted). `ack N` appears only when the ACK bit is set; `urg N` only when the
 * urgent pointer is non-zero.
 */
export function formatSegmentPd(seg: TcpSegment, bases: { seqBase: number; ackBase: number }): string {
  const start = (seg.seq - bases.seqBase) >>> 0;
  const len = seg.payload.length;
  let s = `${flagsString(seg.flags)} ${start}:${(start + len) >>> 0}(${len})`;
  if (seg.flags & ACK) s += ` ack ${(seg.ack - bases.ackBase) >>> 0}`;
  s += ` win ${seg.window}`;
  if (seg.urgent !== 0) s += ` urg ${seg.urgent}`;
  if (seg.options.length > 0) s += ' ' + formatOptions(seg.options);
  return s;
}

/** Dotted-quad text for an IPv4 address held as an unsigned 32-bit integer. */
export function formatAddr(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parse a dotted-quad IPv4 address ("10.0.0.1") into an unsigned 32-bit integer. Only the strict
 * four-decimal-part form is accepted: inet_aton's shorthands ("10.1", "0x0a.0.0.1", octal "010")
 * are rejected, because in a scenario file they are far more likely to be typos than intent.
 */
export function parseAddr(text: string): number {
  const m = DOTTED_QUAD.exec(text);
  if (m === null) {
    throw new Error(`invalid IPv4 address ${JSON.stringify(text)}: expected four decimal numbers 0-255 separated by dots, like "10.0.0.1"`);
  }
  let addr = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i];
    if (part.length > 1 && part[0] === '0') {
      throw new Error(`invalid IPv4 address ${JSON.stringify(text)}: part ${i} "${part}" has a leading zero (octal is not accepted)`);
    }
    const value = Number(part);
    if (value > 255) throw new Error(`invalid IPv4 address ${JSON.stringify(text)}: part ${i} is ${value}, must be 0-255`);
    addr = addr * 256 + value;
  }
  return addr;
}

/** "10.0.0.1:80". */
export function formatEndpoint(addr: number, port: number): string {
  return `${formatAddr(addr)}:${port}`;
}
