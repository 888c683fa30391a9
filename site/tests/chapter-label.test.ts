import { describe, expect, it } from 'vitest';
import { getChapterOrder } from './chapter-order.ts';
import { chapterLabel } from '../lib/chapter-label.ts';

describe('chapterLabel', () => {
  it('numbers only the chapters with a lab, in reading order, and calls the rest by what they are', () => {
    const pages = getChapterOrder();
    const labels = Object.fromEntries(pages.map((p) => [p.slug, chapterLabel(p, pages)]));
    expect(labels).toEqual({
      introduction: 'Introduction',
      'how-this-course-works': 'Guide',
      handshake: 'Chapter 1',
      teardown: 'Chapter 2',
      queues: 'Chapter 3',
      'syn-flood': 'Chapter 4',
      keepalive: 'Chapter 5',
      operating: 'Guide',
    });
  });

  it('does not renumber the chapters when a guide is added between them', () => {
    const pages = [{ order: 0 }, { order: 1 }, { order: 2, guide: true as const }, { order: 3 }];
    expect(pages.map((p) => chapterLabel(p, pages))).toEqual(['Introduction', 'Chapter 1', 'Guide', 'Chapter 2']);
  });
});
