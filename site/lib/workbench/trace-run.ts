/**
 * A test's trace dressed as a ScenarioRun, so the figures' sequence renderer (built for named
 * scenarios) can draw the learner's run and the reference run of the same test and seed.
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { SegmentEvent, TraceEvent } from '../../../stack/core/observe/trace.ts';

/** The two hosts to draw: the first segment's sender on the left, its receiver on the right. */
export function lanesOf(trace: readonly TraceEvent[]): [string, string] | null {
  const first = trace.find((e): e is SegmentEvent => e.kind === 'segment' && e.to !== null && e.to !== e.from);
  return first && first.to ? [first.from, first.to] : null;
}

export function runFromTrace(trace: TraceEvent[], title: string, seed: number): ScenarioRun | null {
  const lanes = lanesOf(trace);
  if (!lanes) return null;
  const hosts = new Map<string, string>();
  for (const e of trace) if (e.kind === 'segment' && !hosts.has(e.from)) hosts.set(e.from, e.src.replace(/:\d+$/, ''));
  const endTime = trace.reduce((t, e) => Math.max(t, e.kind === 'segment' && e.arriveAt !== null ? e.arriveAt : e.t), 0);
  return {
    info: { name: title, chapter: 'handshake', title, description: '', lanes, duration: endTime },
    seed,
    sysctls: {},
    hosts: [...hosts].map(([name, addr]) => ({ name, addr })),
    trace,
    endTime,
    nstat: {},
    ss: {},
    metrics: {},
  };
}
