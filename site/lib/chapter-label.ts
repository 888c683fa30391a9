/**
 * What a course page is called above its title: the introduction, a guide (a page without a lab:
 * how the course works, operating a real server), or "Chapter N", where N counts only the chapters
 * that pair prose with a lab, in reading order — so adding a guide never renumbers the chapters.
 */
export interface LabelledPage {
  order: number;
  guide?: true;
}

export function chapterLabel(page: LabelledPage, all: readonly LabelledPage[]): string {
  if (page.order === 0) return 'Introduction';
  if (page.guide) return 'Guide';
  const before = all.filter((p) => p.order > 0 && !p.guide && p.order <= page.order).length;
  return `Chapter ${before}`;
}
