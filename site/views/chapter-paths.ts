/** The chapter routes of one edition, with each chapter's neighbours for the pager. */
import type { Locale } from '../i18n/locale.ts';
import { chaptersIn } from '../lib/localized-content.ts';

export async function chapterPaths(locale: Locale) {
  const chapters = await chaptersIn(locale);
  return chapters.map((chapter, index) => ({
    params: { slug: chapter.id },
    props: { chapter, all: chapters, previous: chapters[index - 1], next: chapters[index + 1] },
  }));
}
