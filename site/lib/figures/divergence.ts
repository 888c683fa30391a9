/**
 * Where two runs of the same scenario part ways: the lab workbench draws the learner's run beside
 * the reference run and emphasises the first segment that differs. Segments are compared on what
 * a learner can act on: who sent it, flags, relative seq/ack, length and when it left.
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { SegmentEvent } from '../../../stack/core/observe/trace.ts';
import type { Locale } from '../../i18n/locale.ts';
import { figureStrings } from '../../i18n/figures.ts';
import { formatSegmentHeader, formatTime } from './format.ts';

export interface Divergence {
  /** Position in each run's segment sequence (0-based). */
  index: number;
  /** The segment ids at that position; null when that run has no segment there. */
  aId: number | null;
  bId: number | null;
  /** Which fields differ ("flags", "time", ...); "missing" when one run ended. */
  fields: string[];
  /** One line for a learner: what the first run did, then what the second did. */
  description: string;
}

/** Times closer than this are equal: both runs use the same virtual clock, so only float noise. */
const TIME_EPSILON_MS = 1e-6;

function segmentsOf(run: ScenarioRun): SegmentEvent[] {
  if (!run || !Array.isArray(run.trace)) throw new TypeError('firstDivergence: expected a ScenarioRun with a trace');
  return run.trace.filter((e): e is SegmentEvent => e.kind === 'segment');
}

function describe(seg: SegmentEvent, locale: Locale): string {
  const t = figureStrings(locale);
  return t.divergence.segment(t.host(seg.from), seg.to === null ? '?' : t.host(seg.to), formatSegmentHeader(seg), formatTime(seg.t, locale));
}

/** `fields` stay English identifiers in both editions; `description` is in the locale's language. */
export function firstDivergence(a: ScenarioRun, b: ScenarioRun, locale: Locale = 'en'): Divergence | null {
  const t = figureStrings(locale).divergence;
  const sa = segmentsOf(a);
  const sb = segmentsOf(b);
  const common = Math.min(sa.length, sb.length);
  for (let i = 0; i < common; i++) {
    const x = sa[i];
    const y = sb[i];
    const fields: string[] = [];
    if (x.from !== y.from) fields.push('from');
    if (x.flags !== y.flags) fields.push('flags');
    if (x.relSeq !== y.relSeq) fields.push('seq');
    if (x.relAck !== y.relAck) fields.push('ack');
    if (x.len !== y.len) fields.push('len');
    if (Math.abs(x.t - y.t) > TIME_EPSILON_MS) fields.push('time');
    if (fields.length > 0) {
      return {
        index: i,
        aId: x.id,
        bId: y.id,
        fields,
        description: t.differs(i + 1, fields.map(t.field), describe(x, locale), describe(y, locale)),
      };
    }
  }
  if (sa.length === sb.length) return null;
  const longer = sa.length > sb.length ? sa : sb;
  const extra = longer[common];
  return {
    index: common,
    aId: sa.length > sb.length ? extra.id : null,
    bId: sb.length > sa.length ? extra.id : null,
    fields: ['missing'],
    description: t.onlyIn(common + 1, sa.length > sb.length, describe(extra, locale)),
  };
}
