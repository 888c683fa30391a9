/**
 * Each lab's title, time estimate and summary as its lab.yaml states them, read at build time
 * (Astro page frontmatter, tests, Node scripts; it uses node:fs, so no browser code imports it).
 * lab.yaml is the one source: the home page, the labs index, the chapters' lab call-outs, the lab
 * pages and the instructor's plan all show these same numbers. The slugs themselves stay in the
 * dependency-free course-map.ts, which browser code imports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LAB_SLUGS, type LabSlug } from './course-map.ts';

export interface LabSummary {
  slug: LabSlug;
  title: string;
  /** One or two sentences: what the learner writes. */
  summary: string;
  /** The lab author's estimate for a first attempt. */
  minutes: number;
}

// Not import.meta.dirname: Astro bundles this module into dist/.prerender/ before running it. The
// build runs from the repository root, as lab-data.ts assumes too (COURSE_ROOT overrides).
const LABS_DIR = join(process.env.COURSE_ROOT ?? process.cwd(), 'labs');

export function readLabSummary(slug: LabSlug, labsDir = LABS_DIR): LabSummary {
  const file = join(labsDir, slug, 'lab.yaml');
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const { title, summary, minutes } = doc;
  if (typeof title !== 'string' || title.trim() === '') throw new Error(`${file}: title must be text`);
  if (typeof summary !== 'string' || summary.trim() === '') throw new Error(`${file}: summary must be text`);
  if (!Number.isInteger(minutes) || (minutes as number) <= 0) throw new Error(`${file}: minutes must be a positive whole number, got ${JSON.stringify(minutes)}`);
  return { slug, title: title.trim(), summary: summary.trim(), minutes: minutes as number };
}

let cached: readonly LabSummary[] | null = null;

/** Every lab, in course order. */
export function labCatalog(): readonly LabSummary[] {
  cached ??= LAB_SLUGS.map((slug) => readLabSummary(slug));
  return cached;
}

export function labSummary(slug: string): LabSummary | undefined {
  return labCatalog().find((lab) => lab.slug === slug);
}
