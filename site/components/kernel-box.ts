/**
 * What the "Which kernel are you on?" box (KernelVersions.astro) shows, in the page's edition:
 * the change's text from content/kernel-versions.ts and the box's own words from
 * site/i18n/figures.ts. Kept apart from the component so tests can read a rendering without Astro.
 */
import { DISTRIBUTIONS, atLeast, kernelChange, kernelChangeText } from '../../content/kernel-versions.ts';
import { figureStrings, type FigureStrings } from '../i18n/figures.ts';
import type { Locale } from '../i18n/locale.ts';

export interface KernelBoxRow {
  distribution: string;
  kernel: string;
  /** "6.5 and later: …" or "before 6.5: …". */
  behaves: string;
}

export interface KernelBoxChange {
  what: string;
  rows: KernelBoxRow[];
  /** The commands, one per line, each after a "$ " prompt. */
  check: string;
  source: string;
  unsure?: string;
}

export interface KernelBox {
  /** Id of the box's label, for aria-labelledby. */
  labelId: string;
  words: FigureStrings['kernel'];
  changes: KernelBoxChange[];
}

export function kernelBox(topics: readonly string[], locale: Locale): KernelBox {
  if (!Array.isArray(topics) || topics.length === 0) throw new Error('<KernelVersions>: topics must name at least one change');
  const words = figureStrings(locale).kernel;
  const changes = topics.map((topic) => {
    const change = kernelChange(topic);
    const text = kernelChangeText(change, locale);
    return {
      what: text.what,
      rows: DISTRIBUTIONS.map((d) => ({
        distribution: d.name,
        kernel: d.kernel,
        behaves: atLeast(d.kernel, change.since) ? words.since(change.since, text.after) : words.before(change.since, text.before),
      })),
      check: text.check.map((line) => `$ ${line}`).join('\n'),
      source: text.source,
      ...(text.unsure !== undefined ? { unsure: text.unsure } : {}),
    };
  });
  return { labelId: `kernel-${topics.join('-')}-label`, words, changes };
}
