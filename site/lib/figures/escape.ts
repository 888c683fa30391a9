/**
 * Escaping for text placed in SVG and HTML. Every string that comes from a run (causes, notes,
 * syscalls, host names) passes through here: a trace is data, never markup.
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe for both text content and double- or single-quoted attribute values. */
export function escapeMarkup(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

/** Chinese characters and full-width punctuation: about twice as wide as a Latin letter. */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

function unitWidth(code: string): number {
  return WIDE.test(code) ? 2 : 1;
}

/**
 * Width of a label in Latin-letter units, for layout: a Chinese character counts as two. Equal to
 * `text.length` for text without wide characters, so English figures lay out as they always did.
 */
export function displayLength(text: string): number {
  let width = 0;
  for (let i = 0; i < text.length; i++) width += unitWidth(text[i]);
  return width;
}

/** Shortens long labels for the drawing; the full text stays in <title> and the trace table. */
export function clip(text: string, max: number): string {
  if (displayLength(text) <= max) return text;
  const room = Math.max(1, max - 1);
  let width = 0;
  let end = 0;
  while (end < text.length && width + unitWidth(text[end]) <= room) width += unitWidth(text[end++]);
  return `${text.slice(0, Math.max(1, end))}…`;
}
