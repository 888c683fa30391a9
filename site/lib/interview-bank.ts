// Ordering and labels shared by the interview pages.
import { CHAPTER_SLUGS, CHAPTER_NAV_KEYS, type ChapterSlug } from './course-map.ts';
import type { Locale } from '../i18n/locale.ts';
import { ui } from '../i18n/ui.ts';

interface BankEntry {
  id: string;
  data: { chapter: ChapterSlug; source?: number };
}

/** Chapter order first, then the question's number in questions.md (extra questions last). */
export function bankOrder(a: BankEntry, b: BankEntry): number {
  const byChapter = CHAPTER_SLUGS.indexOf(a.data.chapter) - CHAPTER_SLUGS.indexOf(b.data.chapter);
  if (byChapter !== 0) return byChapter;
  const bySource = (a.data.source ?? 1000) - (b.data.source ?? 1000);
  return bySource !== 0 ? bySource : a.id.localeCompare(b.id);
}

export function chapterLabel(chapter: ChapterSlug, locale: Locale = 'en'): string {
  return ui(locale)[CHAPTER_NAV_KEYS[chapter]];
}
