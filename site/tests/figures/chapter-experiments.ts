/** The chapters' <Experiment> uses, read as Experiment.astro receives them (for the verdict tests). */
import { figureProps, loadChapters, lineOf } from '../../../content/tests/chapters.ts';
import type { ExperimentConfig, KnobChoice } from '../../lib/figures/experiment.ts';

export interface ChapterExperiment {
  where: string;
  config: ExperimentConfig;
}

export function chapterExperiments(): ChapterExperiment[] {
  const out: ChapterExperiment[] = [];
  for (const c of loadChapters()) {
    for (const m of c.text.matchAll(/<Experiment\b/g)) {
      const p = figureProps(c.text, m.index! + m[0].length).props as Record<string, never>;
      const { scenario, show, host, knobs = [], predict, seed, sysctls, faults } = p;
      out.push({
        where: `${c.file}:${lineOf(c.text, m.index!)}`,
        config: {
          scenario,
          show,
          host,
          knobs,
          predict,
          base: { ...(seed !== undefined ? { seed } : {}), ...(sysctls ? { sysctls } : {}), ...(faults ? { faults } : {}) },
        },
      });
    }
  }
  return out;
}

/** Every combination of knob settings the page offers (the cartesian product of the controls). */
export function everySetting(config: ExperimentConfig): KnobChoice[][] {
  const values: KnobChoice[][] = config.knobs.map((k) => ('sysctl' in k ? k.values : 'fault' in k ? [false, true] : k.seed));
  return values.reduce<KnobChoice[][]>((acc, vs) => acc.flatMap((prefix) => vs.map((v) => [...prefix, v])), [[]]);
}
