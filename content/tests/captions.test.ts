/**
 * A figure has two descriptions: the caption the chapter writes and the text alternative the
 * renderer computes from the run (the SVG's title, read by screen readers). Where the caption states
 * times, they must be times the run shows: a timer's gaps, the moments it fired (counted from the
 * first transmission), or how long a state lasted. A caption promising retransmissions at 1, 3, 7,
 * 15 and 31 s over a figure whose text alternative says "synack timer fired 0 times" fails here.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../stack/core/scenarios/index.ts';
import { renderFigureHtml, memoiseRunner } from '../../site/lib/figures/figure.ts';
import { figureProps, lineOf, loadChapters } from './chapters.ts';

const runner = memoiseRunner((name, options) => runScenario(name, options));

/** Seconds in "1 s", "200 ms", "1.5 s" (the renderer's formatDuration). */
function seconds(value: string, unit: string): number {
  return unit === 'ms' ? Number(value) / 1000 : Number(value);
}

/** The times a timer-timeline text alternative states, in seconds. */
export function altTimes(alt: string): { gaps: number[]; firedAt: number[]; durations: number[]; fired: Record<string, number> } {
  const gaps: number[] = [];
  const firedAt: number[] = [];
  const fired: Record<string, number> = {};
  for (const m of alt.matchAll(/([\w-]+) timer fired (\d+) times?(?: after ([^;.]*))?/g)) {
    fired[m[1]] = Number(m[2]);
    let t = 0;
    for (const g of (m[3] ?? '').matchAll(/(\d+(?:\.\d+)?) (ms|s)\b/g)) {
      const gap = seconds(g[1], g[2]);
      gaps.push(gap);
      t += gap;
      firedAt.push(Math.round(t * 1000) / 1000);
    }
  }
  const durations = [...alt.matchAll(/\b[A-Z][A-Z0-9_]+ (\d+(?:\.\d+)?) (ms|s)\b/g)].map((m) => seconds(m[1], m[2]));
  return { gaps, firedAt, durations, fired };
}

/** Every number the caption gives in seconds: "63 s", "1, 3, 7, 15 and 31 s", "2, 4 or 8 s". */
export function captionSeconds(caption: string): number[] {
  const out: number[] = [];
  for (const m of caption.matchAll(/((?:\d+(?:\.\d+)?(?:,\s*|\s+and\s+|\s+or\s+))*\d+(?:\.\d+)?) s\b/g)) {
    for (const n of m[1].matchAll(/\d+(?:\.\d+)?/g)) out.push(Number(n[0]));
  }
  return out;
}

describe('the parsers', () => {
  it('read a timer text alternative and a caption', () => {
    const alt = 'Timer timeline for server in X: 6 segments sent (5 retransmissions); synack timer fired 6 times after 1 s, 2 s, 4 s, 8 s, 16 s, 32 s; SYN_RECV 63 s.';
    expect(altTimes(alt)).toEqual({ gaps: [1, 2, 4, 8, 16, 32], firedAt: [1, 3, 7, 15, 31, 63], durations: [63], fired: { synack: 6 } });
    expect(altTimes('…; synack timer fired 0 times; SYN_RECV 10 ms.').durations).toEqual([0.01]);
    expect(captionSeconds('resends at 1, 3, 7, 15 and 31 s, and is dropped at 63 s; TIME_WAIT, 60 s')).toEqual([1, 3, 7, 15, 31, 63, 60]);
  });
});

const chapters = loadChapters();
const timers = chapters.flatMap((c) =>
  [...c.text.matchAll(/<TimerTimeline\b/g)].map((m) => ({
    file: c.file,
    line: lineOf(c.text, m.index!),
    props: figureProps(c.text, m.index! + m[0].length).props as Record<string, unknown>,
  })),
);

describe('timer figures: the times a caption states are times the figure shows', () => {
  it('the chapters have timer figures', () => {
    expect(timers.length).toBeGreaterThan(5);
  });
  for (const f of timers) {
    it(`${f.file}:${f.line} <TimerTimeline scenario="${String(f.props.scenario)}">`, () => {
      const html = renderFigureHtml({ kind: 'timers', ...(f.props as { scenario: string }) }, runner, () => {});
      const alt = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
      expect(alt, `${f.file}:${f.line}: the figure has no text alternative`).toMatch(/^Timer timeline/);
      const shown = altTimes(alt);
      const known = [0, ...shown.gaps, ...shown.firedAt, ...shown.durations]; // 0: the first transmission
      const stated = captionSeconds(String(f.props.caption ?? ''));
      const unmatched = stated.filter((t) => !known.some((k) => Math.abs(k - t) <= Math.max(0.05, t * 0.01)));
      expect(unmatched, `${f.file}:${f.line}: the caption states ${stated.join(', ')} s; the text alternative says "${alt}"`).toEqual([]);
    });
  }
});

const queueCharts = chapters.flatMap((c) =>
  [...c.text.matchAll(/<QueueChart\b/g)].map((m) => ({
    file: c.file,
    line: lineOf(c.text, m.index!),
    props: figureProps(c.text, m.index! + m[0].length).props as Record<string, unknown>,
  })),
);

describe('queue charts: the queue sizes a caption states are sizes the figure shows', () => {
  it('the chapters have queue charts', () => {
    expect(queueCharts.length).toBeGreaterThan(2);
  });
  for (const f of queueCharts) {
    it(`${f.file}:${f.line} <QueueChart scenario="${String(f.props.scenario)}">`, () => {
      const html = renderFigureHtml({ kind: 'queues', ...(f.props as { scenario: string }) }, runner, () => {});
      const alt = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
      expect(alt, `${f.file}:${f.line}: the figure has no text alternative`).toMatch(/^Queue chart/);
      // "backlog 4", "at 5", "= 5", "LISTEN 5 4": every whole number the caption gives, except the
      // "+ 1" of "backlog + 1", must be a peak, a backlog or a counter the text alternative states.
      const shown = new Set([...alt.matchAll(/\d+/g)].map((m) => Number(m[0])));
      const caption = String(f.props.caption ?? '').replace(/\+ 1\b/g, '');
      const stated = [...caption.matchAll(/\b\d+\b/g)].map((m) => Number(m[0]));
      expect(stated.filter((n) => !shown.has(n)), `${f.file}:${f.line}: the caption states ${stated.join(', ')}; the text alternative says "${alt}"`).toEqual([]);
    });
  }
});
