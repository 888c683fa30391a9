/** Sequence-space acceptance tests shared by every state. */
import { seqGt, seqLt } from '../seq.ts';

/**
 * Linux tcp_in_window(): a segment [seq, end) is acceptable if it starts at the left edge, or
 * overlaps the window [sWin, eWin), or is an empty segment exactly at the right edge.
 * This is RFC 9293 §3.10.7.4's Table 6 for a non-zero window.
 */
export function tcpInWindow(seq: number, end: number, sWin: number, eWin: number): boolean {
  if (seq === sWin) return true;
  if (seqGt(end, sWin) && seqLt(seq, eWin)) return true;
  return seq === eWin && seq === end;
}
