// Pagefind splits Chinese text into words when it indexes a page, but it does not split the
// query: "半连接队列" typed as one run would be looked up as a single word and miss. Splitting the
// query with the browser's own word segmenter gives Pagefind the words it indexed.

const HAN = /\p{Script=Han}/u;

export function segmentQuery(query: string): string {
  const trimmed = query.trim().replace(/\s+/g, ' ');
  if (!HAN.test(trimmed) || typeof Intl === 'undefined' || typeof Intl.Segmenter !== 'function') return trimmed;
  const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
  const words: string[] = [];
  for (const part of segmenter.segment(trimmed)) {
    if (part.isWordLike) words.push(part.segment);
  }
  return words.join(' ');
}
