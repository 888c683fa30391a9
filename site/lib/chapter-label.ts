import type { Locale } from '../i18n/locale.ts';
import { ui } from '../i18n/ui.ts';

/**
 * What a course page is called above its title: the introduction, a guide (a page without a lab:
 * how the course works, operating a real server), or "Chapter N", where N counts only the chapters
 * that pair prose with a lab, in reading order — so adding a guide never renumbers the chapters.
 */
export interface LabelledPage {
  order: number;
  guide?: true;
}

export function chapterLabel(page: LabelledPage, all: readonly LabelledPage[], locale: Locale = 'en'): string {
  const t = ui(locale);
  if (page.order === 0) return t.introduction;
  if (page.guide) return t.guide;
  const before = all.filter((p) => p.order > 0 && !p.guide && p.order <= page.order).length;
  return t.chapterN(before);
}
