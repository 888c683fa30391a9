/**
 * Each lab's title, time estimate and summary as its lab.yaml states them, read at build time
 * (Astro page frontmatter, tests, Node scripts; it uses node:fs, so no browser code imports it).
 * lab.yaml is the one source: the home page, the labs index, the chapters' lab call-outs, the lab
 * pages and the instructor's plan all show these same numbers. The slugs themselves stay in the
 * dependency-free course-map.ts, which browser code imports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LAB_SLUGS, type LabSlug } from './course-map.ts';
import type { Locale } from '../i18n/locale.ts';

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

export function readLabSummary(slug: LabSlug, labsDir = LABS_DIR, locale: Locale = 'en'): LabSummary {
  const file = join(labsDir, slug, 'lab.yaml');
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // The Chinese words, where labs/<slug>/lab.zh-cn.yaml exists; the minutes are always lab.yaml's.
  const zhFile = join(labsDir, slug, 'lab.zh-cn.yaml');
  const words = locale === 'zh-cn' && existsSync(zhFile) ? (parse(readFileSync(zhFile, 'utf8')) as Record<string, unknown>) : doc;
  const { minutes } = doc;
  const { title, summary } = words;
  if (typeof title !== 'string' || title.trim() === '') throw new Error(`${file}: title must be text`);
  if (typeof summary !== 'string' || summary.trim() === '') throw new Error(`${file}: summary must be text`);
  if (!Number.isInteger(minutes) || (minutes as number) <= 0) throw new Error(`${file}: minutes must be a positive whole number, got ${JSON.stringify(minutes)}`);
  return { slug, title: title.trim(), summary: summary.trim(), minutes: minutes as number };
}

const cached = new Map<Locale, readonly LabSummary[]>();

/** Every lab, in course order, in one edition's words. */
export function labCatalog(locale: Locale = 'en'): readonly LabSummary[] {
  let labs = cached.get(locale);
  if (!labs) {
    labs = LAB_SLUGS.map((slug) => readLabSummary(slug, LABS_DIR, locale));
    cached.set(locale, labs);
  }
  return labs;
}

export function labSummary(slug: string, locale: Locale = 'en'): LabSummary | undefined {
  return labCatalog(locale).find((lab) => lab.slug === slug);
}
