/** The chapters' <Experiment> uses, read as Experiment.astro receives them (for the verdict tests). */
import { loadChapters, lineOf } from '../../../content/tests/chapters.ts';
import type { ExperimentConfig, KnobChoice } from '../../lib/figures/experiment.ts';

export interface ChapterExperiment {
  where: string;
  config: ExperimentConfig;
}

/** Reads `{...}` and `"..."` props after `<Experiment`. Chapters are our own files, so expressions are trusted. */
function readProps(text: string, from: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let i = from;
  for (;;) {
    while (/\s/.test(text[i]!)) i++;
    if (text[i] === '/' || text[i] === '>') return out;
    const name = /^[A-Za-z_][\w-]*/.exec(text.slice(i))![0];
    i += name.length + 1;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      out[name] = text.slice(i + 1, close);
      i = close + 1;
      continue;
    }
    let depth = 0;
    let quote = '';
    let j = i;
    for (; j < text.length; j++) {
      const c = text[j]!;
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'" || c === '`') quote = c;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    out[name] = new Function(`return (${text.slice(i + 1, j)});`)();
    i = j + 1;
  }
}

export function chapterExperiments(): ChapterExperiment[] {
  const out: ChapterExperiment[] = [];
  for (const c of loadChapters()) {
    for (const m of c.text.matchAll(/<Experiment\b/g)) {
      const p = readProps(c.text, m.index! + m[0].length) as Record<string, never>;
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
