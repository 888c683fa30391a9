/**
 * SYN-queue and accept-queue occupancy of one listener over time, with the limit both are held
 * to. In Linux v6.18 both compare against the same number, sk_max_ack_backlog =
 * min(backlog, somaxconn), and both are full only when they hold MORE than it (strict >), so the
 * accept queue holds backlog + 1 (sk_acceptq_is_full, inet_csk_reqsk_queue_is_full).
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { QueueEvent } from '../../../stack/core/observe/trace.ts';
import type { Locale } from '../../i18n/locale.ts';
import { figureStrings } from '../../i18n/figures.ts';
import { escapeMarkup } from './escape.ts';
import { formatTime } from './format.ts';
import { n, svgRoot, text, title } from './svg.ts';

export interface QueueChartOptions {
  /** "addr:port" of the listener; default the one with the most queue events. */
  listener?: string;
  /** The page's edition (default English). */
  locale?: Locale;
}

/** The counters a reader of `nstat` checks first when a listener is in trouble. */
export const QUEUE_COUNTERS = ['ListenOverflows', 'ListenDrops', 'SyncookiesSent', 'SyncookiesRecv'] as const;

const X0 = 56;
const X1 = 460;
const Y0 = 58;
const Y1 = 268;
const WIDTH = 680;

export interface QueueSeries {
  listener: string;
  events: QueueEvent[];
  maxSyn: number;
  maxAccept: number;
  maxBacklog: number;
}

export function queueSeries(run: ScenarioRun, host: string, listener?: string): QueueSeries | null {
  const all = run.trace.filter((e): e is QueueEvent => e.kind === 'queue' && e.host === host);
  if (all.length === 0) return null;
  let chosen = listener;
  if (chosen === undefined) {
    const counts = new Map<string, number>();
    for (const e of all) counts.set(e.listener, (counts.get(e.listener) ?? 0) + 1);
    chosen = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  }
  const events = all.filter((e) => e.listener === chosen);
  if (events.length === 0) return null;
  return {
    listener: chosen,
    events,
    maxSyn: Math.max(...events.map((e) => e.synQueue)),
    maxAccept: Math.max(...events.map((e) => e.acceptQueue)),
    maxBacklog: Math.max(...events.map((e) => e.backlog)),
  };
}

/** Round tick steps (1, 2, 5 × 10^k) so the axis reads naturally. */
function niceStep(range: number, target: number): number {
  const raw = range / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function stepPath(points: Array<[number, number]>, endX: number): string {
  let d = '';
  let lastY: number | null = null;
  for (const [x, y] of points) {
    if (lastY === null) d = `M${n(x)} ${n(y)}`;
    else if (y !== lastY) d += `H${n(x)}V${n(y)}`;
    lastY = y;
  }
  return `${d}H${n(endX)}`;
}

export function renderQueueChart(run: ScenarioRun, host: string, opts: QueueChartOptions = {}): string {
  if (!run.hosts.some((h) => h.name === host)) {
    throw new Error(`queue chart: no host "${host}" in scenario ${run.info.name}`);
  }
  const locale = opts.locale ?? 'en';
  const t = figureStrings(locale);
  const q = t.queues;
  const who = t.host(host);
  const scenarioTitle = t.scenarioTitle(run.info.name, run.info.title);
  const series = queueSeries(run, host, opts.listener);
  const counters = run.nstat?.[host] ?? {};
  const parts: string[] = [];

  // Counters panel beside the chart.
  const px = 484;
  let py = 58;
  parts.push(text(px, py, q.nstatOn(who), { cls: 'b' }));
  const names = [
    ...QUEUE_COUNTERS,
    ...Object.keys(counters).filter(
      (k) => !(QUEUE_COUNTERS as readonly string[]).includes(k) && /^(Listen|Syncookies|TCPReqQFull)/.test(k),
    ),
  ];
  for (const name of names) {
    py += 18;
    const value = counters[name] ?? 0;
    parts.push(
      `<g class="counter" data-counter="${escapeMarkup(name)}" data-value="${value}">${text(px, py, name, {})}${text(WIDTH - 14, py, String(value), { anchor: 'end', cls: 'b' })}</g>`,
    );
  }

  if (!series) {
    parts.push(text(X0, (Y0 + Y1) / 2, q.noEvents(who), { cls: 'm' }));
    return svgRoot(WIDTH, Math.max(py, Y1) + 30, q.noEventsLabel(who, scenarioTitle), parts.join(''), 'fig-queues');
  }
  const { events, maxSyn, maxAccept, maxBacklog } = series;
  py += 28;
  parts.push(`<g class="peak" data-queue="syn" data-max="${maxSyn}">${text(px, py, q.peakSyn, {})}${text(WIDTH - 14, py, String(maxSyn), { anchor: 'end', cls: 'b' })}</g>`);
  py += 18;
  parts.push(`<g class="peak" data-queue="accept" data-max="${maxAccept}">${text(px, py, q.peakAccept, {})}${text(WIDTH - 14, py, String(maxAccept), { anchor: 'end', cls: 'b' })}</g>`);

  const t0 = Math.min(events[0].t, 0);
  const lastT = events[events.length - 1].t;
  const t1 = Math.max(lastT + (lastT - t0) * 0.06, t0 + 1);
  const x = (t: number): number => X0 + ((t - t0) / (t1 - t0)) * (X1 - X0);
  const vmax = Math.max(maxSyn, maxAccept, maxBacklog + 1) + 1;
  const y = (v: number): number => Y1 - (v / vmax) * (Y1 - Y0);

  // Axes and grid.
  const vStep = Math.max(1, Math.round(niceStep(vmax, 6)));
  for (let v = 0; v <= vmax; v += vStep) {
    parts.push(`<path class="grid" d="M${X0} ${n(y(v))}H${X1}"/>`);
    parts.push(text(X0 - 6, y(v) + 4, String(v), { anchor: 'end', cls: 'm sm' }));
  }
  const tStep = niceStep(t1 - t0, 5);
  for (let at = Math.ceil(t0 / tStep) * tStep; at <= t1; at += tStep) {
    parts.push(`<path class="grid" d="M${n(x(at))} ${Y1}v5"/>`);
    parts.push(text(x(at), Y1 + 18, formatTime(at, locale), { anchor: 'middle', cls: 'm sm' }));
  }
  parts.push(`<path class="line" d="M${X0} ${Y0 - 6}V${Y1}H${X1}"/>`);
  parts.push(text(X0 - 40, Y0 - 16, q.yAxis, { cls: 'm sm' }));
  parts.push(text(X1, Y1 + 34, q.xAxis, { anchor: 'end', cls: 'm sm' }));

  // The limit, then the two queues (SYN solid, accept dashed: distinguishable without colour).
  parts.push(
    `<g class="backlog" data-backlog="${maxBacklog}"><path class="limit" d="${stepPath(events.map((e) => [x(e.t), y(e.backlog)]), X1)}"/>` +
      text(X1, y(maxBacklog) - 6, q.backlogLine(maxBacklog), { anchor: 'end', cls: 'limit-t sm' }) +
      `${title(q.backlogTitle(maxBacklog))}</g>`,
  );
  parts.push(
    `<g class="series" data-queue="syn"><path class="q-syn" d="${stepPath(events.map((e) => [x(e.t), y(e.synQueue)]), X1)}"/>${title(q.synTitle(maxSyn))}</g>`,
  );
  parts.push(
    `<g class="series" data-queue="accept"><path class="q-acc" d="${stepPath(events.map((e) => [x(e.t), y(e.acceptQueue)]), X1)}"/>${title(q.acceptTitle(maxAccept))}</g>`,
  );

  // Legend with line samples.
  parts.push(`<path class="q-syn" d="M${X0} 22h28"/>`);
  parts.push(text(X0 + 34, 26, q.synLegend(maxSyn), {}));
  parts.push(`<path class="q-acc" d="M${X0 + 210} 22h28"/>`);
  parts.push(text(X0 + 244, 26, q.acceptLegend(maxAccept), {}));
  parts.push(text(X0, 44, q.listener(series.listener), { cls: 'm sm' }));

  const label = q.label(
    who,
    series.listener,
    scenarioTitle,
    maxSyn,
    maxAccept,
    maxBacklog,
    QUEUE_COUNTERS.map((c) => `${c} ${counters[c] ?? 0}`).join(q.counterSep),
  );
  return svgRoot(WIDTH, Math.max(Y1 + 44, py + 20), label, parts.join(''), 'fig-queues');
}
