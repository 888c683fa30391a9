/**
 * Every figure of every scenario the stack ships, drawn from real runs: nothing throws, and what
 * is drawn matches the trace (arrows = segments between the lanes, numbered steps = the host's
 * state changes, queue peaks = the queue events' maxima).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ScenarioInfo, ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { QueueEvent, SegmentEvent } from '../../../stack/core/observe/trace.ts';
import { renderFigureBody, renderQueueChart, renderSequence, renderStateMachine, stateSteps } from '../../lib/figures/index.ts';
import { tagsWith } from './svg-query.ts';

const runnerPath = new URL('../../../stack/core/scenarios/index.ts', import.meta.url);
const haveRunner = existsSync(runnerPath);

interface Runner {
  listScenarios(): ScenarioInfo[];
  runScenario(name: string, options?: object): ScenarioRun;
}

describe.skipIf(!haveRunner)('figures of the stack\'s scenarios', async () => {
  const { listScenarios, runScenario } = (await import(runnerPath.href)) as Runner;
  const scenarios = listScenarios();

  it('lists scenarios', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  for (const info of scenarios) {
    it(`${info.name}: every figure renders and agrees with the trace`, () => {
      const run = runScenario(info.name);
      for (const kind of ['sequence', 'states', 'queues', 'timers'] as const) {
        for (const host of info.lanes) {
          const body = renderFigureBody(kind, run, { host });
          expect(body).toMatch(/^<div class="fig-scroll" role="group" aria-label="figure" data-pagefind-ignore="all"><svg [^>]*role="img" aria-label="[^"]+"/);
        }
      }
      const [left, right] = info.lanes;
      const between = run.trace.filter(
        (e): e is SegmentEvent => e.kind === 'segment' && [left, right].includes(e.from) && e.to !== null && [left, right].includes(e.to) && e.from !== e.to,
      );
      expect(tagsWith(renderSequence(run, { maxSegments: Infinity }), 'data-seg-id')).toHaveLength(between.length);
      for (const host of info.lanes) {
        const steps = tagsWith(renderStateMachine(run, host, { maxSteps: Infinity }), 'data-step');
        expect(steps).toHaveLength(stateSteps(run, host).length);
        const queues = run.trace.filter((e): e is QueueEvent => e.kind === 'queue' && e.host === host);
        if (queues.length > 0) {
          // The chart shows the listener with the most queue events.
          const counts = new Map<string, number>();
          for (const q of queues) counts.set(q.listener, (counts.get(q.listener) ?? 0) + 1);
          const listener = [...counts].sort((a, b) => b[1] - a[1])[0][0];
          const mine = queues.filter((q) => q.listener === listener);
          const peaks = Object.fromEntries(tagsWith(renderQueueChart(run, host), 'data-max').map((p) => [p['data-queue'], Number(p['data-max'])]));
          expect(peaks).toEqual({ syn: Math.max(...mine.map((q) => q.synQueue)), accept: Math.max(...mine.map((q) => q.acceptQueue)) });
        }
      }
    });
  }
});
