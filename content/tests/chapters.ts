/** Reading the chapters for the content tests: their frontmatter and the components they use. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const CONTENT = join(import.meta.dirname, '..');
export const REPO = join(CONTENT, '..');

export interface Chapter {
  slug: string;
  file: string;
  text: string;
  frontmatter: Record<string, unknown>;
}

export function loadChapters(): Chapter[] {
  const dir = join(CONTENT, 'chapters');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.mdx'))
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
      if (!m) throw new Error(`${f}: no frontmatter`);
      return { slug: f.replace(/\.mdx$/, ''), file: f, text, frontmatter: parse(m[1]) as Record<string, unknown> };
    });
}

/** Line number of a character offset, for messages that point at the place to fix. */
export function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Attributes of every use of a component: `<Name a="x" b={1} />`. String-valued ones only. */
export function uses(text: string, component: string): Array<{ attrs: Record<string, string>; line: number; children: string }> {
  const out: Array<{ attrs: Record<string, string>; line: number; children: string }> = [];
  const re = new RegExp(`<${component}\\b([^>]*?)(/>|>([\\s\\S]*?)</${component}>)`, 'g');
  for (const m of text.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/(\w+)=(?:"([^"]*)"|\{(\d+)\})/g)) attrs[a[1]] = a[2] ?? a[3];
    out.push({ attrs, line: lineOf(text, m.index ?? 0), children: m[3] ?? '' });
  }
  return out;
}
