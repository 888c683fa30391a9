/**
 * A figure as the page shows it: the drawing, its trace table behind a disclosure, the caption,
 * and, when the scenario cannot run, a visible error box instead of a broken page. Used by the
 * Astro figure components at build time and by the Experiment island in the browser.
 */
import type { ScenarioOptions, ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { Locale } from '../../i18n/locale.ts';
import { figureStrings } from '../../i18n/figures.ts';
import { escapeMarkup } from './escape.ts';
import { renderQueueChart } from './queue-chart.ts';
import { renderSequence } from './sequence.ts';
import { renderStateMachine } from './state-machine.ts';
import { renderTimerTimeline } from './timer-timeline.ts';
import { renderTraceTable, type TraceFilter } from './trace-table.ts';

export const FIGURE_KINDS = ['sequence', 'states', 'queues', 'timers'] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];

export type FigureRunOptions = ScenarioOptions & { faults?: string[] };
export type ScenarioRunner = (name: string, options?: FigureRunOptions) => ScenarioRun;

export function isFigureKind(value: unknown): value is FigureKind {
  return typeof value === 'string' && (FIGURE_KINDS as readonly string[]).includes(value);
}

/**
 * The host a per-host figure shows when the page does not say: the listener for queues; for
 * timers and states the lane host with the most such events (the server in a dead-peer keepalive
 * run, the client in connect-timeout), the left lane on a tie.
 */
export function defaultHost(run: ScenarioRun, kind: FigureKind): string {
  const [left, right] = run.info.lanes;
  if (kind === 'queues') {
    const q = run.trace.find((e) => e.kind === 'queue');
    if (q && q.kind === 'queue') return q.host;
    return right;
  }
  if (kind === 'timers' || kind === 'states') {
    const wanted = kind === 'timers' ? 'timer' : 'state';
    const count = (host: string): number => run.trace.filter((e) => e.kind === wanted && e.host === host).length;
    return count(right) > count(left) ? right : left;
  }
  return left;
}

export interface FigureOptions {
  host?: string;
  highlightSegmentId?: number;
  /** The page's edition: the figure's own words (labels, legends, the table) follow it. */
  locale?: Locale;
}

export function renderFigureSvg(kind: FigureKind, run: ScenarioRun, opts: FigureOptions = {}): string {
  const host = opts.host ?? defaultHost(run, kind);
  const locale = opts.locale ?? 'en';
  switch (kind) {
    case 'sequence':
      return renderSequence(run, { highlightSegmentId: opts.highlightSegmentId, locale });
    case 'states':
      return renderStateMachine(run, host, { locale });
    case 'queues':
      return renderQueueChart(run, host, { locale });
    case 'timers':
      return renderTimerTimeline(run, host, { locale });
  }
}

/** The table shows what the figure draws, so the two alternatives carry the same facts. */
export function tableFilterFor(kind: FigureKind, run: ScenarioRun, host?: string): TraceFilter {
  const h = host ?? defaultHost(run, kind);
  switch (kind) {
    case 'sequence':
      return { hosts: run.info.lanes, kinds: ['segment', 'state', 'syscall'], segmentsBetween: run.info.lanes, knownPeersOnly: true };
    case 'states':
      return { hosts: [h], kinds: ['state'], knownPeersOnly: true };
    case 'queues':
      return { hosts: [h], kinds: ['queue', 'note'] };
    case 'timers':
      return { hosts: [h], kinds: ['segment', 'timer', 'state'], knownPeersOnly: true };
  }
}

export function renderFigureBody(kind: FigureKind, run: ScenarioRun, opts: FigureOptions = {}): string {
  const svg = renderFigureSvg(kind, run, opts);
  const table = renderTraceTable(run, tableFilterFor(kind, run, opts.host), opts.locale);
  const t = figureStrings(opts.locale).figure;
  // A named group rather than a region, because a page may show the same figure twice and
  // landmarks must be unique. It becomes a tab stop only when it overflows (scroll-focus.ts).
  // Search skips the drawing's labels and the trace rows (data-pagefind-ignore): excerpts should
  // come from the prose and the caption, not from "S. seq 0 ack 1 win 65535".
  const scroll = (label: string, body: string) => `<div class="fig-scroll" role="group" aria-label="${label}" data-pagefind-ignore="all">${body}</div>`;
  return `${scroll(t.drawingLabel, svg)}<details class="fig-trace"><summary>${t.tableSummary}</summary>${scroll(t.tableLabel, table)}</details>`;
}

export interface FigureRequest {
  kind: FigureKind;
  scenario: string;
  caption?: string;
  host?: string;
  seed?: number;
  sysctls?: Record<string, number>;
  faults?: string[];
}

export function runOptionsOf(req: Pick<FigureRequest, 'seed' | 'sysctls' | 'faults'>): FigureRunOptions {
  const options: FigureRunOptions = {};
  if (req.seed !== undefined) options.seed = req.seed;
  if (req.sysctls !== undefined) options.sysctls = req.sysctls;
  if (req.faults !== undefined) options.faults = req.faults;
  return options;
}

/** `kind` is a figure kind or "Experiment"; the box names it in the page's language. */
export function renderFigureError(scenario: string, kind: string, message: string, locale: Locale = 'en'): string {
  const t = figureStrings(locale).figure;
  return (
    `<div class="fig-error" role="alert" data-figure-error="${escapeMarkup(scenario)}">` +
    `${t.errorBox(escapeMarkup(t.kindName(kind)), `<code>${escapeMarkup(scenario)}</code>`, escapeMarkup(message))}</div>`
  );
}

function sourceLine(req: FigureRequest, run: ScenarioRun, locale: Locale): string {
  const t = figureStrings(locale).figure;
  const bits = [t.scenario(req.scenario), t.seed(run.seed)];
  const sysctls = Object.entries(req.sysctls ?? {}).map(([k, v]) => `${k}=${v}`);
  if (sysctls.length) bits.push(sysctls.join(t.sysctlSep));
  if (req.faults?.length) bits.push(t.faults(req.faults));
  return bits.join(' · ');
}

/**
 * The whole <figure>. Never throws: a scenario that is unknown or fails becomes an error box
 * naming it (and is reported through `report`), so one bad figure cannot take a chapter down,
 * and the content tests can find it by its data-figure-error attribute.
 */
export function renderFigureHtml(
  req: FigureRequest,
  runner: ScenarioRunner,
  report: (message: string) => void = (m) => console.error(m),
  locale: Locale = 'en',
): string {
  const kind = req.kind;
  const t = figureStrings(locale).figure;
  const open = `<figure class="fig-figure" data-figure="${escapeMarkup(kind)}" data-scenario="${escapeMarkup(req.scenario)}">`;
  const caption = req.caption ? escapeMarkup(req.caption) : '';
  let body: string;
  let source = '';
  try {
    if (!isFigureKind(kind)) throw new Error(t.unknownKind(String(kind)));
    if (typeof req.scenario !== 'string' || req.scenario === '') throw new Error(t.noScenario);
    const run = runner(req.scenario, runOptionsOf(req));
    if (req.host !== undefined && !run.hosts.some((h) => h.name === req.host)) {
      throw new Error(t.noHost(req.host, run.hosts.map((h) => h.name)));
    }
    body = renderFigureBody(kind, run, { host: req.host, locale });
    source = `<span class="fig-source">${escapeMarkup(sourceLine(req, run, locale))}</span>`;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    report(`[figure] ${kind} of scenario "${req.scenario}" failed: ${message}`);
    body = renderFigureError(req.scenario, kind, message, locale);
  }
  const figcaption = caption || source ? `<figcaption>${caption}${caption && source ? ' ' : ''}${source}</figcaption>` : '';
  return `${open}${body}${figcaption}</figure>`;
}

function stableKey(name: string, options: FigureRunOptions | undefined): string {
  const o = options ?? {};
  const sysctls = Object.entries(o.sysctls ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([name, o.seed ?? null, sysctls, o.faults ?? [], o.maxTracedSegments ?? null]);
}

/**
 * One run per distinct scenario + options within a build: scenarios are deterministic (same seed,
 * same trace), so a chapter drawing the same run as a sequence and a timeline runs it once.
 * Failures are remembered too, so a broken scenario is reported once per figure, not re-run.
 */
export function memoiseRunner(runner: ScenarioRunner): ScenarioRunner {
  const cache = new Map<string, { run?: ScenarioRun; error?: unknown }>();
  return (name, options) => {
    const key = stableKey(name, options);
    let entry = cache.get(key);
    if (!entry) {
      try {
        entry = { run: runner(name, options) };
      } catch (error) {
        entry = { error };
      }
      cache.set(key, entry);
    }
    if (entry.run) return entry.run;
    throw entry.error;
  };
}
