/** Each chapter file's slug, order and guide flag, read from its frontmatter as the site's collection does. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export function getChapterOrder(): Array<{ slug: string; order: number; guide?: true }> {
  const dir = join(import.meta.dirname, '..', '..', 'content', 'chapters');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.mdx'))
    .map((f) => {
      const front = parse(/^---\n([\s\S]*?)\n---/.exec(readFileSync(join(dir, f), 'utf8'))![1]!) as { order: number; guide?: true };
      return { slug: f.replace(/\.mdx$/, ''), order: front.order, ...(front.guide ? { guide: true as const } : {}) };
    })
    .sort((a, b) => a.order - b.order);
}
