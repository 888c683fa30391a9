/**
 * Figures and trace tables sit in `.fig-scroll` boxes that scroll sideways when they are wider
 * than the column, and so do a chapter's own tables and code blocks (course.css gives them
 * overflow-x: auto). Only a box that actually overflows needs to be a tab stop (WCAG 2.1.1: a
 * keyboard user must be able to scroll it); one that fits would be a useless stop, so the
 * tabindex follows the box's width as the window and the figure change.
 */
const SCROLL_BOX = [
  '.fig-scroll',
  // A figure's own trace table scrolls with its .fig-scroll box, which is the one tab stop there.
  ...['table', 'pre'].flatMap((tag) => [`article[data-chapter] > ${tag}`, `article[data-chapter] :not(.fig-scroll) > ${tag}`]),
].join(', ');

export function overflows(box: Pick<HTMLElement, 'scrollWidth' | 'clientWidth' | 'scrollHeight' | 'clientHeight'>): boolean {
  // One pixel of slack: sub-pixel layout rounds scrollWidth up.
  return box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
}

export function syncScrollFocus(box: HTMLElement): void {
  if (overflows(box)) {
    box.tabIndex = 0;
    box.dataset.scrolls = '';
  } else {
    box.removeAttribute('tabindex');
    delete box.dataset.scrolls;
  }
}

let observer: ResizeObserver | null = null;

/** Watches every scroll box under `root` (call again after inserting new figures). */
export function watchScrollBoxes(root: ParentNode = document): void {
  observer ??= new ResizeObserver((entries) => {
    for (const entry of entries) syncScrollFocus(entry.target as HTMLElement);
  });
  for (const box of root.querySelectorAll<HTMLElement>(SCROLL_BOX)) {
    syncScrollFocus(box);
    observer.observe(box);
    // The box keeps its width when a figure inside it grows (a <details> opening), so watch that too.
    if (box.firstElementChild) observer.observe(box.firstElementChild);
  }
}
