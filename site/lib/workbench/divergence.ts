/**
 * Where the learner's run of a test first differs from the reference run of the same test and
 * seed, in words that name the segment and the field. Both runs share the seed, so the hosts' boot
 * secrets, clocks and ports are the same and every absolute number — the ISN above all — must
 * match; comparing numbers relative to each side's ISN (as the chapters' figures do) would call a
 * SYN with a wrong ISN "the same segment".
 */
import { formatOptions } from '../../../stack/core/wire/format.ts';
import type { SegmentEvent, TraceEvent } from '../../../stack/core/observe/trace.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

/** Times closer than this are the same instant (the simulator's clock is exact; this is float slack). */
const SAME_INSTANT_MS = 1e-6;

export interface TraceDivergence {
  /** 1-based position among the segments between the two hosts. */
  position: number;
  /** Segment ids to highlight in each diagram (null: the segment is only in the other run). */
  learnerId: number | null;
  referenceId: number | null;
  /** The fields that differ, most telling first ("missing" / "extra" when one run stops short). */
  fields: string[];
  /** One sentence for the learner. */
  text: string;
}

type Field = { name: string; of: (s: SegmentEvent) => string };

// Order matters: the first differing field is named first. Direction and flags say "a different
// segment"; then the numbers a lab computes; then time (a retransmission timer) and the rest.
const FIELDS: Field[] = [
  { name: 'direction', of: (s) => `${s.from}→${s.to ?? '?'}` },
  { name: 'flags', of: (s) => s.flags },
  { name: 'seq', of: (s) => String(s.seq) },
  { name: 'ack', of: (s) => (s.flags.includes('.') ? String(s.ack) : '-') },
  { name: 'length', of: (s) => String(s.len) },
  { name: 'window', of: (s) => String(s.win) },
  { name: 'options', of: (s) => formatOptions(s.options) || 'none' },
  { name: 'time', of: (s) => `${formatMs(s.t)}` },
  { name: 'fate', of: (s) => s.fate },
];

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 3)} s` : `${Number(ms.toFixed(3))} ms`;
}

function segmentsOf(trace: readonly TraceEvent[]): SegmentEvent[] {
  return trace.filter((e): e is SegmentEvent => e.kind === 'segment' && e.to !== null && e.to !== e.from && !e.duplicate);
}

export function traceDivergence(learner: readonly TraceEvent[], reference: readonly TraceEvent[], t: WorkbenchStrings = WORKBENCH_EN): TraceDivergence | null {
  /** "segment 1 (client→server S at 0 ms)" */
  const name = (seg: SegmentEvent, position: number): string => t.segmentName(position, seg.from, seg.to ?? '?', seg.flags, formatMs(seg.t));
  const mine = segmentsOf(learner);
  const theirs = segmentsOf(reference);
  const common = Math.min(mine.length, theirs.length);
  for (let i = 0; i < common; i++) {
    const [a, b] = [mine[i], theirs[i]];
    const differing = FIELDS.filter((f) => (f.name === 'time' ? Math.abs(a.t - b.t) > SAME_INSTANT_MS : f.of(a) !== f.of(b)));
    if (differing.length === 0) continue;
    const [firstField] = differing;
    return {
      position: i + 1,
      learnerId: a.id,
      referenceId: b.id,
      fields: differing.map((f) => f.name),
      text: t.differsIn(name(a, i + 1), t.segmentField(firstField.name), firstField.of(a), firstField.of(b), differing.slice(1).map((f) => t.segmentField(f.name))),
    };
  }
  if (mine.length === theirs.length) return null;
  if (mine.length > theirs.length) {
    const extra = mine[common];
    return { position: common + 1, learnerId: extra.id, referenceId: null, fields: ['extra'], text: t.extraSegment(name(extra, common + 1), theirs.length) };
  }
  const missing = theirs[common];
  return { position: common + 1, learnerId: null, referenceId: missing.id, fields: ['missing'], text: t.missingSegment(mine.length, name(missing, common + 1)) };
}
