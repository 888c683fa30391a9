/**
 * Pieces every figure shares: the embedded style (colours come from CSS variables so the site's
 * light and dark themes, or any page, can restyle figures; each colour is paired with a line
 * style or a label, so nothing depends on colour alone) and small geometry helpers.
 */
import { escapeMarkup } from './escape.ts';

export const FIGURE_STYLE = `<style>
.fig{--fa:var(--fig-accent,#0b5cd5);--fl:var(--fig-lost,#b3261e);--fm:var(--fig-muted,#5f6672);--fb:var(--fig-band,rgba(128,128,128,.14));--fs:var(--fig-surface,transparent);color:var(--fig-fg,currentColor);font-family:var(--fig-font,system-ui,-apple-system,"Segoe UI",sans-serif);font-size:12px}
@media (prefers-color-scheme:dark){.fig{--fa:var(--fig-accent,#79b8ff);--fl:var(--fig-lost,#ff8b80);--fm:var(--fig-muted,#a0a7b4)}}
.fig text{fill:currentColor}
.fig .m{fill:var(--fm)}
.fig .sm{font-size:10px}
.fig .b{font-weight:600}
.fig .mono{font-family:var(--fig-mono,ui-monospace,SFMono-Regular,Menlo,Consolas,monospace);font-size:11px}
.fig .line{stroke:currentColor;fill:none}
.fig .lane{stroke:var(--fm);stroke-width:1.5}
.fig .grid{stroke:var(--fm);stroke-opacity:.35;stroke-width:1}
.fig .seg{stroke:currentColor;stroke-width:1.4;fill:none}
.fig .head{fill:currentColor;stroke:none}
.fig .lost .seg{stroke:var(--fl);stroke-dasharray:5 3}
.fig .lost .head,.fig .lost text.fate{fill:var(--fl)}
.fig .cross{stroke:var(--fl);stroke-width:2.2}
.fig .corrupt .seg{stroke-dasharray:2 2}
.fig .hl .seg{stroke:var(--fa);stroke-width:3.2}
.fig .hl .head{fill:var(--fa)}
.fig .hl text{fill:var(--fa);font-weight:600}
.fig .band{fill:var(--fb);stroke:var(--fm);stroke-dasharray:2 3}
.fig .brk{fill:var(--fig-bg,Canvas);stroke:none}
.fig .zig{stroke:var(--fm);fill:none;stroke-width:1.2}
.fig .node{fill:var(--fs);stroke:var(--fm);stroke-width:1}
.fig .node.visited{stroke:currentColor;stroke-width:2}
.fig .node.final{stroke:var(--fa);stroke-width:3.5}
.fig .edge{stroke:var(--fm);stroke-opacity:.55;stroke-dasharray:3 3;fill:none}
.fig .edge-head{fill:var(--fm);fill-opacity:.55}
.fig .taken{stroke:var(--fa);stroke-width:2.6;fill:none}
.fig .taken-head{fill:var(--fa)}
.fig .badge{fill:var(--fa);stroke:none}
.fig text.badge-t{fill:var(--fig-bg,Canvas);font-weight:700;font-size:10px}
.fig .q-syn{stroke:var(--fa);stroke-width:2.2;fill:none}
.fig .q-acc{stroke:currentColor;stroke-width:2.2;stroke-dasharray:7 4;fill:none}
.fig .limit{stroke:var(--fl);stroke-width:1.4;stroke-dasharray:2 3;fill:none}
.fig text.limit-t{fill:var(--fl)}
.fig .tick{stroke:currentColor;stroke-width:1.6}
.fig .retx{stroke:var(--fl);stroke-width:2;stroke-dasharray:3 2}
.fig text.retx-t{fill:var(--fl);font-weight:600}
.fig .span{fill:var(--fb);stroke:currentColor;stroke-width:1}
.fig .span.open{stroke-dasharray:4 3}
.fig .tset{fill:var(--fig-bg,Canvas);stroke:currentColor;stroke-width:1.4}
.fig .tfire{fill:var(--fa);stroke:none}
.fig .tcancel{stroke:currentColor;stroke-width:1.6}
.fig .due{stroke:currentColor;stroke-width:1;stroke-dasharray:1 3;fill:none}
</style>`;

/** Round to 0.1 px: keeps the markup short and stable across platforms. */
export function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export interface TextAttrs {
  cls?: string;
  anchor?: 'start' | 'middle' | 'end';
  transform?: string;
}

export function text(x: number, y: number, content: string, attrs: TextAttrs = {}): string {
  const cls = attrs.cls ? ` class="${attrs.cls}"` : '';
  const anchor = attrs.anchor && attrs.anchor !== 'start' ? ` text-anchor="${attrs.anchor}"` : '';
  const transform = attrs.transform ? ` transform="${attrs.transform}"` : '';
  return `<text x="${n(x)}" y="${n(y)}"${cls}${anchor}${transform}>${escapeMarkup(content)}</text>`;
}

export function title(content: string): string {
  return `<title>${escapeMarkup(content)}</title>`;
}

/** A filled triangle whose tip is at (x2, y2), pointing along (x1, y1) → (x2, y2). */
export function arrowHead(x1: number, y1: number, x2: number, y2: number, cls: string, size = 8): string {
  const a = Math.atan2(y2 - y1, x2 - x1);
  const spread = 0.42;
  const ax = x2 - size * Math.cos(a - spread);
  const ay = y2 - size * Math.sin(a - spread);
  const bx = x2 - size * Math.cos(a + spread);
  const by = y2 - size * Math.sin(a + spread);
  return `<path class="${cls}" d="M${n(x2)} ${n(y2)}L${n(ax)} ${n(ay)}L${n(bx)} ${n(by)}Z"/>`;
}

/** The root element: sized in CSS pixels so text stays legible; the page scrolls it sideways. */
export function svgRoot(width: number, height: number, label: string, body: string, cls: string): string {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="fig ${cls}" role="img" aria-label="${escapeMarkup(label)}" ` +
    `width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${title(label)}${FIGURE_STYLE}${body}</svg>`
  );
}

/** A zig-zag across an axis: the mark for "time skipped here". */
export function zigzag(x: number, y: number, horizontal: boolean, size = 6): string {
  if (horizontal) {
    return `<path class="zig" d="M${n(x - size)} ${n(y - 3)}l${n(size / 2)} 6l${n(size / 2)} -6l${n(size / 2)} 6l${n(size / 2)} -6"/>`;
  }
  return `<path class="zig" d="M${n(x - 3)} ${n(y - size)}l6 ${n(size / 2)}l-6 ${n(size / 2)}l6 ${n(size / 2)}l-6 ${n(size / 2)}"/>`;
}
