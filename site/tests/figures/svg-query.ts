/**
 * Tiny readers for the figures' markup. The renderers emit flat, attribute-tagged groups
 * (data-seg-id, data-edge, ...) precisely so tests can find things without a DOM.
 */

/** Every opening tag carrying `attr`, with its attributes parsed. */
export function tagsWith(markup: string, attr: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  const re = new RegExp(`<[a-z]+\\b[^>]*\\s${attr}="[^"]*"[^>]*>`, 'g');
  for (const m of markup.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of m[0].matchAll(/([a-zA-Z-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    out.push(attrs);
  }
  return out;
}

/** The markup of the <g> that opens with `attr="value"`, up to its matching </g>. */
export function groupWith(markup: string, attr: string, value: string): string {
  const start = markup.indexOf(`${attr}="${value}"`);
  if (start < 0) throw new Error(`no element with ${attr}="${value}"`);
  const open = markup.lastIndexOf('<g', start);
  let depth = 0;
  const re = /<g\b|<\/g>/g;
  re.lastIndex = open;
  for (let m = re.exec(markup); m; m = re.exec(markup)) {
    depth += m[0] === '</g>' ? -1 : 1;
    if (depth === 0) return markup.slice(open, m.index + 4);
  }
  throw new Error(`unbalanced <g> for ${attr}="${value}"`);
}

/** Text content of every <text> element, entities decoded. */
export function texts(markup: string): string[] {
  return [...markup.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]));
}

export function decode(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
