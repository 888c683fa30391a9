/** Reading the chapters for the content tests: their frontmatter and the components they use. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const CONTENT = join(import.meta.dirname, '..');
export const REPO = join(CONTENT, '..');
/**
 * questions.md lives in the team's shared folder beside the checkout (../shared), or one level
 * further up when the checkout is a worktree under wt/ (../../shared).
 */
export const QUESTIONS_MD =
  [join(REPO, '..', 'shared', 'reference', 'questions.md'), join(REPO, '..', '..', 'shared', 'reference', 'questions.md')].find((p) => existsSync(p)) ??
  join(REPO, '..', 'shared', 'reference', 'questions.md');

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

/** Reads `<Name a="x" b={expr} ...>` props. Chapters are our own files, so expressions are trusted. */
export function figureProps(text: string, from: number): { props: Record<string, unknown>; end: number } {
  const out: Record<string, unknown> = {};
  let i = from;
  const ws = () => {
    while (/\s/.test(text[i])) i++;
  };
  for (;;) {
    ws();
    if (text[i] === '/' || text[i] === '>') return { props: out, end: i };
    const name = /^[A-Za-z_][\w-]*/.exec(text.slice(i))![0];
    i += name.length;
    ws();
    if (text[i] !== '=') {
      out[name] = true;
      continue;
    }
    i++;
    ws();
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      out[name] = text.slice(i + 1, close);
      i = close + 1;
    } else if (text[i] === '{') {
      let depth = 0;
      let j = i;
      let quote = '';
      for (; j < text.length; j++) {
        const c = text[j];
        if (quote) {
          if (c === '\\') j++;
          else if (c === quote) quote = '';
        } else if (c === '"' || c === "'" || c === '`') quote = c;
        else if (c === '{') depth++;
        else if (c === '}' && --depth === 0) break;
      }
      out[name] = new Function(`return (${text.slice(i + 1, j)});`)();
      i = j + 1;
    } else throw new Error(`cannot read prop ${name} at offset ${i}`);
  }
}
