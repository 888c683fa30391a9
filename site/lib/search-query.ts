// Pagefind splits Chinese text into words when it indexes a page. Measured with Pagefind 1.6 on
// this site, it also finds most unsegmented Chinese queries ("半连接队列", "为什么是三次握手") and
// pre-segmenting them loses results, so the raw query goes first; when it finds nothing, the
// query split by the browser's own word segmenter is tried as a second chance.

const HAN = /\p{Script=Han}/u;

export function normaliseQuery(query: string): string {
  return query.trim().replace(/\s+/g, ' ');
}

/** The query with Chinese runs split into words, or null when that would not change it. */
export function segmentedQuery(query: string): string | null {
  const trimmed = normaliseQuery(query);
  if (!HAN.test(trimmed) || typeof Intl === 'undefined' || typeof Intl.Segmenter !== 'function') return null;
  const words: string[] = [];
  for (const part of new Intl.Segmenter('zh', { granularity: 'word' }).segment(trimmed)) {
    if (part.isWordLike) words.push(part.segment);
  }
  const segmented = words.join(' ');
  return segmented === trimmed ? null : segmented;
}
