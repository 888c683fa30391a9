/**
 * Every figure and experiment in the chapters renders from its scenario, exactly as the chapter
 * asks for it (seed, sysctls, faults, host) and through the renderers the site uses at build time
 * and in the page. A figure that would show an error box on the site fails here.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../stack/core/scenarios/index.ts';
import { renderFigureHtml, memoiseRunner, type FigureKind } from '../../site/lib/figures/figure.ts';
import { experimentOptions, experimentProblems, type ExperimentConfig, type KnobChoice } from '../../site/lib/figures/experiment.ts';
import { figureProps as props, loadChapters, lineOf } from './chapters.ts';

const KINDS: Record<string, FigureKind> = {
  SequenceDiagram: 'sequence',
  StateMachine: 'states',
  QueueChart: 'queues',
  TimerTimeline: 'timers',
};

const runner = memoiseRunner((name, options) => runScenario(name, options));
const chapters = loadChapters();

describe.each(chapters.map((c) => [c.file, c] as const))('%s', (file, c) => {
  const figures = [...c.text.matchAll(/<(SequenceDiagram|StateMachine|QueueChart|TimerTimeline|Experiment)\b/g)].map((m) => ({
    component: m[1],
    line: lineOf(c.text, m.index!),
    ...props(c.text, m.index! + m[0].length),
  }));

  for (const f of figures.filter((x) => x.component !== 'Experiment')) {
    it(`line ${f.line}: <${f.component} scenario="${String(f.props.scenario)}"> renders`, () => {
      const errors: string[] = [];
      const html = renderFigureHtml({ kind: KINDS[f.component], ...(f.props as { scenario: string }) }, runner, (m) => errors.push(m));
      expect(errors, `${file}:${f.line}`).toEqual([]);
      expect(html).not.toContain('data-figure-error');
      expect(html).toMatch(/<svg[^>]*role="img"/);
      expect(html).toContain('<table');
    });
  }

  for (const e of figures.filter((x) => x.component === 'Experiment')) {
    it(`line ${e.line}: <Experiment scenario="${String(e.props.scenario)}"> is valid and every knob value runs`, () => {
      expect(experimentProblems(e.props), `${file}:${e.line}`).toEqual([]);
      // As Experiment.astro builds it: the chapter's seed, sysctls and faults are every run's base.
      const p = e.props as { scenario: string; show: FigureKind; knobs?: ExperimentConfig['knobs']; seed?: number; sysctls?: Record<string, number>; faults?: string[] };
      const config: ExperimentConfig = {
        scenario: p.scenario,
        show: p.show,
        knobs: p.knobs ?? [],
        base: { ...(p.seed !== undefined ? { seed: p.seed } : {}), ...(p.sysctls ? { sysctls: p.sysctls } : {}), ...(p.faults ? { faults: p.faults } : {}) },
      };
      const knobs = config.knobs;
      const values: KnobChoice[][] = knobs.map((k) =>
        'sysctl' in k ? k.values : 'fault' in k ? [false, true] : (k as { seed: number[] }).seed,
      );
      // Every value of each knob, the others at their first value: what a learner can pick.
      const combos: KnobChoice[][] = [values.map((v) => v[0])];
      values.forEach((vs, i) => vs.slice(1).forEach((v) => combos.push(values.map((w, j) => (j === i ? v : w[0])))));
      for (const choice of combos) {
        const errors: string[] = [];
        const html = renderFigureHtml({ kind: config.show, scenario: config.scenario, ...experimentOptions(config, choice) }, runner, (m) => errors.push(m));
        expect(errors, `${file}:${e.line} with ${JSON.stringify(choice)}`).toEqual([]);
        expect(html).not.toContain('data-figure-error');
      }
    });
  }
});
