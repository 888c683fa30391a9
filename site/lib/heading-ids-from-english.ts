/**
 * A Sätteri hast plugin for the Chinese chapters: the n-th heading gets the id of the English
 * chapter's n-th heading. Anchors then stay the same in both editions (`/chapters/queues#the-syn-queue`
 * and `/zh-cn/chapters/queues#the-syn-queue`), so glossary links, cross-links and a reader's
 * bookmarks survive a switch of language, and a Chinese heading never becomes a percent-encoded slug.
 * A Chinese chapter whose headings do not line up with the English fails the build, naming both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chapterHeadings } from '../../content/headings.ts';

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

interface FactoryContext {
  readonly fileURL: URL | undefined;
}
interface VisitContext {
  setProperty(node: unknown, key: string, value: unknown): void;
  textContent(node: unknown): string;
}

/** The English file a Chinese chapter translates, or undefined for any other document. */
export function englishCounterpart(path: string): string | undefined {
  const chapters = dirname(path);
  if (basename(chapters) !== 'chapters' || basename(dirname(chapters)) !== 'zh-cn' || !path.endsWith('.mdx')) return undefined;
  return join(dirname(dirname(chapters)), 'chapters', basename(path));
}

export function headingIdsFromEnglish(ctx: FactoryContext) {
  const path = ctx.fileURL ? fileURLToPath(ctx.fileURL) : undefined;
  const english = path && englishCounterpart(path);
  if (!path || !english) return null;
  if (!existsSync(english)) throw new Error(`${path}: there is no English chapter ${english} for it to translate`);
  const ids = chapterHeadings(readFileSync(english, 'utf8'));
  let n = 0;
  return {
    name: 'heading-ids-from-english',
    element: {
      filter: HEADINGS,
      visit(node: { tagName: string }, visit: VisitContext) {
        const depth = Number(node.tagName[1]);
        const match = ids[n];
        n += 1;
        if (!match || match.depth !== depth) {
          const text = visit.textContent(node);
          throw new Error(
            `${path}: heading ${n} ("${'#'.repeat(depth)} ${text}") does not match the English chapter, whose heading ${n} is ` +
              (match ? `"${'#'.repeat(match.depth)} ${match.text}" (line ${match.line})` : 'missing') +
              ': a translation keeps every heading, in the same order and at the same level',
          );
        }
        visit.setProperty(node, 'id', match.id);
      },
    },
  };
}
