import { existsSync, readFileSync } from 'node:fs';
import { defineCollection } from 'astro:content';
import { glob, file, type Loader } from 'astro/loaders';
import { z } from 'astro/zod';
import { parse as parseYaml } from 'yaml';
import { CHAPTER_SLUGS, LAB_SLUGS } from './lib/course-map.ts';

// content/README.md is the contract these schemas encode. Every object is strict so a misspelt
// frontmatter key fails the build (Astro names the file and the field) instead of vanishing.
// COURSE_CONTENT_DIR lets the site's tests build against a fixture tree without touching content/.
const contentDir = (process.env.COURSE_CONTENT_DIR ?? 'content').replace(/\/+$/, '');

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by "-"');
const questionNumber = z.number().int().min(1).max(39);

const chapters = defineCollection({
  loader: glob({ pattern: '*.mdx', base: `${contentDir}/chapters` }),
  schema: z
    .strictObject({
      title: z.string().min(1),
      zh: z.string().min(1),
      order: z.number().int().min(0).max(CHAPTER_SLUGS.length - 1),
      summary: z.string().min(1),
      lab: z.enum(LAB_SLUGS).optional(),
      /** A page without a lab after the introduction: how the course works, operating a server. */
      guide: z.literal(true).optional(),
      minutes: z.number().int().positive(),
      questions: z.array(questionNumber),
    })
    .superRefine((chapter, ctx) => {
      // The introduction (order 0) has no lab; every numbered chapter pairs with exactly one.
      if (chapter.order === 0 && chapter.lab !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['lab'], message: 'the introduction (order 0) has no lab' });
      }
      if (chapter.order > 0 && chapter.lab === undefined && !chapter.guide) {
        ctx.addIssue({ code: 'custom', path: ['lab'], message: `chapter ${chapter.order} needs a lab slug (or guide: true for a page without a lab)` });
      }
      if (chapter.guide && chapter.lab !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['guide'], message: 'a guide has no lab' });
      }
    }),
});

const interview = defineCollection({
  loader: glob({ pattern: '*.md', base: `${contentDir}/interview` }),
  schema: z.strictObject({
    title: z.string().min(1),
    zh: z.string().min(1),
    chapter: z.enum(CHAPTER_SLUGS),
    source: questionNumber.optional(),
    model: z.string().min(1),
    /** The answer said aloud in about 30 seconds (content/tests check its length). */
    spoken: z.string().min(1).optional(),
    experiment: z.strictObject({ scenario: slug, note: z.string().min(1) }).optional(),
    tags: z.array(z.string().min(1)).default([]),
  }),
});

// Astro's file() loader only logs when the YAML does not parse and then loads nothing, which would
// publish an empty glossary. Parse first so a syntax error stops the build with the line named.
function glossaryLoader(path: string): Loader {
  const inner = file(path);
  return {
    name: 'glossary-yaml',
    load: async (context) => {
      if (!existsSync(path)) {
        context.logger.warn(`${path} does not exist yet: the glossary page will be empty`);
        return;
      }
      try {
        const parsed: unknown = parseYaml(readFileSync(path, 'utf8'));
        if (!Array.isArray(parsed)) throw new Error('the file must be a YAML list of terms');
      } catch (error) {
        throw new Error(`${path}: ${(error as Error).message}`);
      }
      await inner.load(context);
    },
  };
}

const glossary = defineCollection({
  loader: glossaryLoader(`${contentDir}/glossary.yaml`),
  schema: z.strictObject({
    id: slug,
    term: z.string().min(1),
    zh: z.array(z.string().min(1)).min(1),
    definition: z.string().min(1),
    // Heading ids keep the underscores of names like TIME_WAIT (github-slugger): #why-time_wait-exists.
    see: z.string().regex(/^\/[a-z0-9/-]*(?:#[a-z0-9_-]+)?$/, 'must be a site path such as /chapters/queues#the-syn-queue'),
  }),
});

// The Chinese edition (content/zh-cn/) holds only words: each file's structure (order, lab, minutes,
// questions, chapter, tags, links) is the English file's, so the two editions cannot disagree on a
// fact. site/lib/localized-content.ts pairs the entries; content/tests/zh-cn.test.ts checks the pairs.
const chaptersZh = defineCollection({
  loader: glob({ pattern: '*.mdx', base: `${contentDir}/zh-cn/chapters` }),
  schema: z.strictObject({ title: z.string().min(1), summary: z.string().min(1) }),
});

const interviewZh = defineCollection({
  loader: glob({ pattern: '*.md', base: `${contentDir}/zh-cn/interview` }),
  schema: z.strictObject({
    title: z.string().min(1),
    model: z.string().min(1),
    spoken: z.string().min(1),
    experimentNote: z.string().min(1).optional(),
  }),
});

const glossaryZh = defineCollection({
  loader: glossaryLoader(`${contentDir}/zh-cn/glossary.yaml`),
  schema: z.strictObject({ id: slug, term: z.string().min(1), definition: z.string().min(1) }),
});

export const collections = { chapters, interview, glossary, chaptersZh, interviewZh, glossaryZh };
