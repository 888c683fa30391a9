// Wraps runs of Chinese text in <span lang="zh-Hans"> inside rendered HTML, for Markdown written by
// people who (reasonably) do not type spans in prose. The language tag lets screen readers switch
// voice, browsers pick CJK fonts and line breaking, and Pagefind segment the words when indexing.

const CHINESE_RUN = /[\p{Script=Han}\u3000-\u303f\uff01-\uff5e]+/gu;
const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);

interface OpenElement {
  name: string;
  chinese: boolean;
  raw: boolean;
}

export function markChinese(html: string): string {
  const stack: OpenElement[] = [];
  const parts = html.split(/(<!--[\s\S]*?-->|<[^>]+>)/);
  return parts
    .map((part, index) => {
      if (index % 2 === 1) {
        const tag = /^<\s*(\/)?\s*([a-zA-Z][\w-]*)([^>]*)>$/.exec(part);
        if (!tag) return part; // comment or doctype
        const [, closing, rawName, attributes] = tag;
        const name = rawName.toLowerCase();
        if (closing) {
          const at = stack.map((element) => element.name).lastIndexOf(name);
          if (at >= 0) stack.length = at;
        } else if (!VOID_ELEMENTS.has(name) && !attributes.trimEnd().endsWith('/')) {
          const lang = /\blang\s*=\s*["']?([\w-]+)/i.exec(attributes)?.[1];
          const inherited = stack.at(-1)?.chinese ?? false;
          stack.push({ name, chinese: lang ? /^zh\b/i.test(lang) : inherited, raw: RAW_TEXT.has(name) });
        }
        return part;
      }
      const parent = stack.at(-1);
      if (parent?.chinese || parent?.raw || stack.some((element) => element.raw)) return part;
      return part.replace(CHINESE_RUN, (run) => `<span lang="zh-Hans">${run}</span>`);
    })
    .join('');
}
