/**
 * The course's content in one edition. The English collections carry the structure (order, lab,
 * questions, chapter, tags, links); the Chinese ones only words. A page asks for its locale and
 * gets English entries with the Chinese words laid over them, and the entry to render (the
 * Chinese file, or the English one with `translated: false` while a translation is missing, so
 * a half-translated build still works and says so).
 */
import { getCollection, type render } from 'astro:content';
import type { Locale } from '../i18n/locale.ts';
import type { ChapterSlug, LabSlug } from './course-map.ts';

// The shapes site/content.config.ts declares. Plain tsc sees `astro:content` without Astro's
// generated collection types, so this module names them itself.
export interface ChapterData {
  title: string;
  zh: string;
  order: number;
  summary: string;
  lab?: LabSlug;
  guide?: true;
  minutes: number;
  questions: number[];
}
export interface QuestionData {
  title: string;
  zh: string;
  chapter: ChapterSlug;
  source?: number;
  model: string;
  spoken?: string;
  experiment?: { scenario: string; note: string };
  tags: string[];
}
export interface TermData {
  id: string;
  term: string;
  zh: string[];
  definition: string;
  see: string;
}
type Renderable = Parameters<typeof render>[0];
interface Entry<D> {
  id: string;
  data: D;
}
async function entries<D>(collection: string): Promise<Array<Entry<D> & Renderable>> {
  return (await getCollection(collection as never)) as unknown as Array<Entry<D> & Renderable>;
}

export interface LocalizedChapter {
  id: string;
  data: ChapterData;
  entry: Renderable;
  translated: boolean;
  /** The English title, which a Chinese page shows under its own (engineers say both). */
  englishTitle: string;
}

export async function chaptersIn(locale: Locale): Promise<LocalizedChapter[]> {
  const english = (await entries<ChapterData>('chapters')).sort((a, b) => a.data.order - b.data.order);
  if (locale === 'en') return english.map((entry) => ({ id: entry.id, data: entry.data, entry, translated: true, englishTitle: entry.data.title }));
  const chinese = new Map((await entries<{ title: string; summary: string }>('chaptersZh')).map((entry) => [entry.id, entry]));
  return english.map((entry) => {
    const zh = chinese.get(entry.id);
    const englishTitle = entry.data.title;
    return zh
      ? { id: entry.id, data: { ...entry.data, title: zh.data.title, summary: zh.data.summary }, entry: zh, translated: true, englishTitle }
      : { id: entry.id, data: entry.data, entry, translated: false, englishTitle };
  });
}

export interface LocalizedQuestion {
  id: string;
  data: QuestionData;
  entry: Renderable;
  translated: boolean;
}

export async function questionsIn(locale: Locale): Promise<LocalizedQuestion[]> {
  const english = await entries<QuestionData>('interview');
  if (locale === 'en') return english.map((entry) => ({ id: entry.id, data: entry.data, entry, translated: true }));
  const chinese = new Map((await entries<{ title: string; model: string; spoken: string; experimentNote?: string }>('interviewZh')).map((entry) => [entry.id, entry]));
  return english.map((entry) => {
    const zh = chinese.get(entry.id);
    if (!zh) return { id: entry.id, data: entry.data, entry, translated: false };
    const { experiment } = entry.data;
    return {
      id: entry.id,
      data: {
        ...entry.data,
        title: zh.data.title,
        model: zh.data.model,
        spoken: zh.data.spoken,
        experiment: experiment && { ...experiment, note: zh.data.experimentNote ?? experiment.note },
      },
      entry: zh,
      translated: true,
    };
  });
}

export interface LocalizedTerm {
  id: string;
  data: TermData;
  translated: boolean;
}

export async function glossaryIn(locale: Locale): Promise<LocalizedTerm[]> {
  const english = await entries<TermData>('glossary');
  if (locale === 'en') return english.map((entry) => ({ id: entry.id, data: entry.data, translated: true }));
  const chinese = new Map((await entries<{ id: string; term: string; definition: string }>('glossaryZh')).map((entry) => [entry.id, entry]));
  return english.map((entry) => {
    const zh = chinese.get(entry.id);
    return zh
      ? { id: entry.id, data: { ...entry.data, term: zh.data.term, definition: zh.data.definition }, translated: true }
      : { id: entry.id, data: entry.data, translated: false };
  });
}
