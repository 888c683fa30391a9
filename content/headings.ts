/**
 * The heading ids a chapter's page will have, read from the MDX source. Used by the content tests
 * (a link to a missing heading fails without a build) and by the site build, which gives a Chinese
 * chapter's n-th heading the English n-th heading's id (site/lib/heading-ids-from-english.ts).
 *
 * The site takes ids from Astro's `render(chapter).headings`, which slugs each heading's text content
 * with github-slugger, one slugger per document (`createHeadingIdsPlugin` in
 * @astrojs/markdown-satteri). Doing the same here lets a content test reject a link to a heading
 * that does not exist without building the site. The text content is what the page shows: inline
 * code keeps its characters, emphasis and link markup disappear, and smart punctuation (on by
 * default in Astro) has turned `--` into an en dash before the slug is taken.
 */
import GithubSlugger from 'github-slugger';

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

export interface Heading {
  depth: number;
  text: string;
  id: string;
  line: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
// A line that cannot be the text of a setext heading: markdown blocks of their own, JSX and HTML.
const NOT_PARAGRAPH = /^ {0,3}(?:[|<>#{]|[-*+][ \t]|\d+[.)][ \t]|`{3}|~{3})/;

/** The headings of an MDX document, in order, with the ids Astro gives them. */
export function chapterHeadings(mdx: string): Heading[] {
  const source = mdx.replace(/\r\n?/g, '\n');
  const frontmatter = /^---\n[\s\S]*?\n---\n/.exec(source);
  const bodyStart = frontmatter ? frontmatter[0].length : 0;
  const lines = source.slice(bodyStart).split('\n');
  const firstLine = lineOf(source, bodyStart);
  const slugger = new GithubSlugger();
  const headings: Heading[] = [];
  let fence: string | undefined;
  let paragraph: string[] = [];

  const add = (depth: number, raw: string, index: number) => {
    const line = firstLine + index;
    const text = headingText(raw, line);
    headings.push({ depth, text, id: slugger.slug(text), line });
  };

  lines.forEach((lineText, index) => {
    if (fence !== undefined) {
      const closing = FENCE.exec(lineText);
      // CommonMark: a fence closes only with the same character, at least as long, and nothing after it.
      if (closing && closing[1][0] === fence[0] && closing[1].length >= fence.length && lineText.trim() === closing[1]) fence = undefined;
      return;
    }
    const opening = FENCE.exec(lineText);
    if (opening) {
      fence = opening[1];
      paragraph = [];
      return;
    }
    const atx = ATX.exec(lineText);
    if (atx) {
      add(atx[1].length, atx[2] ?? '', index);
      paragraph = [];
      return;
    }
    const underline = SETEXT_UNDERLINE.exec(lineText);
    if (underline && paragraph.length > 0) {
      add(underline[1][0] === '=' ? 1 : 2, paragraph.join(' '), index - paragraph.length);
      paragraph = [];
      return;
    }
    if (lineText.trim() === '' || NOT_PARAGRAPH.test(lineText)) paragraph = [];
    else paragraph.push(lineText.trim());
  });
  return headings;
}

/** The text content of a heading's inline markdown, as the rendered page has it. */
export function headingText(raw: string, line = 0): string {
  let text = '';
  // Code spans first: their content is literal, so nothing below may touch it.
  const parts = raw.split(/(`+)([\s\S]*?[^`])\1(?!`)/);
  for (let i = 0; i < parts.length; i += 3) {
    text += inlineText(parts[i], line);
    if (i + 2 < parts.length) text += parts[i + 2].replace(/^ (.*[^ ].*) $/, '$1');
  }
  return text.trim();
}

function inlineText(markdown: string, line: number): string {
  if (/[{}]/.test(markdown)) {
    throw new Error(`line ${line}: heading "${markdown.trim()}" contains a JSX expression; its id cannot be known from the source`);
  }
  return markdown
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '') // an image contributes no text (its alt is an attribute)
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/\\([!-/:-@[-`{-~])/g, (_, ch: string) => `\u0000${ch.charCodeAt(0)}\u0000`)
    .replace(/\*+|~~/g, '')
    // `_` is emphasis only at a word's edge; SO_REUSEADDR and FIN_WAIT_1 keep theirs.
    .replace(/(^|[^\p{L}\p{N}_])_+(?=\S)/gu, '$1')
    .replace(/(?<=\S)_+(?=$|[^\p{L}\p{N}_])/gu, '')
    .replace(/---/g, '\u2014')
    .replace(/--/g, '\u2013')
    .replace(/&(amp|lt|gt|quot|apos|nbsp);|&#(\d+);|&#x([0-9a-f]+);/gi, (_, name?: string, dec?: string, hex?: string) =>
      name ? ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' } as Record<string, string>)[name.toLowerCase()]
        : String.fromCodePoint(dec ? Number(dec) : parseInt(hex ?? '0', 16)))
    .replace(/\u0000(\d+)\u0000/g, (_, code: string) => String.fromCharCode(Number(code)));
}
