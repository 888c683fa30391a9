/**
 * How figures spell times and segments. Segment labels follow packetdrill's vocabulary
 * ("S. seq 0 ack 1 win 65535 <mss 1460,sackOK,TS,nop,wscale 7>") with the relative sequence
 * numbers Wireshark shows, so the course, the CLI and a real capture read alike.
 */
import type { SegmentEvent } from '../../../stack/core/observe/trace.ts';
import type { TcpOption } from '../../../stack/core/wire/segment.ts';
import type { Locale } from '../../i18n/locale.ts';
import { figureStrings } from '../../i18n/figures.ts';

function trimNumber(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/** Virtual time (ms) as "0 ms", "40 ms", "1.5 ms", "1 s", "7200 s" ("40 毫秒", "7200 秒" in Chinese). */
export function formatTime(ms: number, locale: Locale = 'en'): string {
  if (!Number.isFinite(ms)) return String(ms);
  const t = figureStrings(locale);
  if (Math.abs(ms) < 1000) return `${trimNumber(ms, 3)} ${t.unitMs}`;
  return `${trimNumber(ms / 1000, 4)} ${t.unitS}`;
}

/** A span of virtual time; same units as formatTime so a "60 s" label matches the prose. */
export function formatDuration(ms: number, locale: Locale = 'en'): string {
  return formatTime(ms, locale);
}

export function hasAck(flags: string): boolean {
  return flags.includes('.');
}

/** Options abbreviated the way tcpdump does: timestamps become "TS", padding is dropped. */
export function formatOptions(options: readonly TcpOption[]): string {
  const parts: string[] = [];
  for (const opt of options) {
    switch (opt.kind) {
      case 'mss':
        parts.push(`mss ${opt.value}`);
        break;
      case 'wscale':
        parts.push(`wscale ${opt.shift}`);
        break;
      case 'sackOK':
        parts.push('sackOK');
        break;
      case 'sack':
        parts.push(`sack ${opt.blocks.map(([l, r]) => `${l}:${r}`).join(' ')}`);
        break;
      case 'ts':
        parts.push('TS');
        break;
      case 'unknown':
        parts.push(`opt ${opt.code}`);
        break;
      case 'nop':
      case 'eol':
        break;
    }
  }
  return parts.length > 0 ? `<${parts.join(',')}>` : '';
}

/** "S. seq 0 ack 1 win 65535": ack only when the ACK bit is set, len only when there is data. */
export function formatSegmentHeader(seg: SegmentEvent): string {
  const parts = [seg.flags, `seq ${seg.relSeq}`];
  if (hasAck(seg.flags)) parts.push(`ack ${seg.relAck}`);
  if (seg.len > 0) parts.push(`len ${seg.len}`);
  parts.push(`win ${seg.win}`);
  return parts.join(' ');
}

/** Header plus abbreviated options, on one line (tables, titles). */
export function formatSegment(seg: SegmentEvent): string {
  const opts = formatOptions(seg.options);
  return opts ? `${formatSegmentHeader(seg)} ${opts}` : formatSegmentHeader(seg);
}

export function formatFate(fate: SegmentEvent['fate'], locale: Locale = 'en'): string {
  return figureStrings(locale).fate[fate] ?? String(fate);
}

/**
 * Segments that re-send sequence space already sent on the same 4-tuple. Only SYN, FIN and data
 * occupy sequence space (RFC 9293 §3.4), so a repeated pure ACK is a duplicate ACK, not a
 * retransmission; copies made by the link (duplicate: true) are not retransmissions either.
 */
export function findRetransmissions(segments: readonly SegmentEvent[]): Set<number> {
  const seen = new Set<string>();
  const retransmitted = new Set<number>();
  for (const seg of segments) {
    if (seg.duplicate) continue;
    const occupiesSpace = seg.len > 0 || seg.flags.includes('S') || seg.flags.includes('F');
    if (!occupiesSpace) continue;
    // PSH may differ between the original and the resend; SYN vs SYN-ACK (simultaneous open) may not.
    const key = `${seg.src}>${seg.dst} ${seg.flags.replace('P', '')} ${seg.seq} ${seg.len}`;
    if (seen.has(key)) retransmitted.add(seg.id);
    else seen.add(key);
  }
  return retransmitted;
}
