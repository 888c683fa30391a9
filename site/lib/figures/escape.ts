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

/** Shortens long labels for the drawing; the full text stays in <title> and the trace table. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
