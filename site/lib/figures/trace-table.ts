/**
 * The text alternative of every figure: the run's events in time order as an HTML table, the
 * same facts the drawing shows, readable by a screen reader and searchable in the page.
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';
import type { Locale } from '../../i18n/locale.ts';
import { figureStrings } from '../../i18n/figures.ts';
import { escapeMarkup } from './escape.ts';
import { formatFate, formatSegment, formatTime } from './format.ts';
import { addressPart, connWithKnownPeer } from './peers.ts';

export interface TraceFilter {
  /** Keep events of these hosts (a segment matches by sender or receiver). */
  hosts?: readonly string[];
  kinds?: ReadonlyArray<TraceEvent['kind']>;
  /** Only segments whose sender and receiver are both among these hosts (the sequence diagram's lanes). */
  segmentsBetween?: readonly string[];
  /**
   * Leave out what the figures summarise instead of drawing: segments from or to addresses no
   * host in the run owns (spoofed), and state/timer events of connections with such peers.
   */
  knownPeersOnly?: boolean;
  /** Rows before the table says how many more there were (default 500: floods are long). */
  maxRows?: number;
}

export function eventHost(ev: TraceEvent): string {
  if (ev.kind === 'segment') return ev.from;
  return ev.host ?? '';
}

export function describeEvent(ev: TraceEvent, locale: Locale = 'en'): string {
  const t = figureStrings(locale);
  switch (ev.kind) {
    case 'segment': {
      const outcome =
        ev.arriveAt !== null
          ? t.table.arrived(ev.fate === 'delivered' ? '' : formatFate(ev.fate, locale), formatTime(ev.arriveAt, locale))
          : formatFate(ev.fate, locale);
      const src = ev.to === null ? ev.dst : t.host(ev.to);
      // Relative numbers as Wireshark shows them, then the raw ones (the ISN changes with the seed).
      const raw = t.table.raw(ev.seq, ev.flags.includes('.') ? ev.ack : null);
      return t.table.segment(t.host(ev.from), src, formatSegment(ev), Boolean(ev.duplicate), outcome, raw);
    }
    case 'state':
      return t.table.state(ev.from, ev.to, t.cause(ev.cause), ev.conn);
    case 'timer':
      return t.table.timer(ev.timer, ev.action, ev.action === 'set' && ev.due !== undefined ? formatTime(ev.due, locale) : null, ev.conn);
    case 'queue':
      return t.table.queue(ev.listener, ev.synQueue, ev.acceptQueue, ev.backlog);
    case 'syscall':
      return `${ev.call} = ${t.syscallResult(ev.result)}`;
    case 'note':
      return t.note(ev.text);
  }
}

export function filterTrace(run: ScenarioRun, filter: TraceFilter = {}): TraceEvent[] {
  return filterTraceCounting(run, filter).kept;
}

function filterTraceCounting(run: ScenarioRun, filter: TraceFilter): { kept: TraceEvent[]; summarised: number } {
  const hosts = filter.hosts ? new Set(filter.hosts) : null;
  const kinds = filter.kinds ? new Set(filter.kinds) : null;
  const between = filter.segmentsBetween ? new Set(filter.segmentsBetween) : null;
  const owned = new Set(run.hosts.map((h) => h.addr));
  let summarised = 0;
  const kept = run.trace.filter((ev) => {
    if (kinds && !kinds.has(ev.kind)) return false;
    if (hosts) {
      const mine = ev.kind === 'segment' ? hosts.has(ev.from) || (ev.to !== null && hosts.has(ev.to)) : ev.host !== undefined && hosts.has(ev.host);
      if (!mine) return false;
    }
    let summary = false;
    if (ev.kind === 'segment') {
      if (between && !(between.has(ev.from) && ev.to !== null && between.has(ev.to))) summary = true;
      if (filter.knownPeersOnly && !(owned.has(addressPart(ev.src)) && owned.has(addressPart(ev.dst)))) summary = true;
    } else if (filter.knownPeersOnly && (ev.kind === 'state' || ev.kind === 'timer') && !connWithKnownPeer(run, ev.conn)) {
      summary = true;
    }
    if (summary) summarised++;
    return !summary;
  });
  // Stable: events recorded at the same virtual time keep the order they happened in.
  return { kept: kept.map((ev, i) => ({ ev, i })).sort((a, b) => a.ev.t - b.ev.t || a.i - b.i).map((x) => x.ev), summarised };
}

export function renderTraceTable(run: ScenarioRun, filter: TraceFilter = {}, locale: Locale = 'en'): string {
  const t = figureStrings(locale);
  const { kept: events, summarised } = filterTraceCounting(run, filter);
  const maxRows = filter.maxRows ?? 500;
  const shown = events.slice(0, maxRows);
  const rows = shown.map(
    (ev) =>
      `<tr data-kind="${ev.kind}"><td>${escapeMarkup(formatTime(ev.t, locale))}</td><td>${escapeMarkup(t.host(eventHost(ev)))}</td>` +
      `<td>${escapeMarkup(t.table.kind[ev.kind] ?? ev.kind)}</td><td>${escapeMarkup(describeEvent(ev, locale))}</td></tr>`,
  );
  const notes: string[] = [];
  if (events.length > shown.length) {
    // The dictionary's words are trusted markup; only the scenario name comes from the run.
    notes.push(t.table.moreRows(events.length - shown.length, `<code>npm run sim -- ${escapeMarkup(run.info.name)}</code>`));
  }
  if (summarised > 0) {
    notes.push(t.table.summarised(summarised));
  }
  const more = notes.length ? `<tfoot>${notes.map((note) => `<tr><td colspan="4">${note}</td></tr>`).join('')}</tfoot>` : '';
  const caption = t.table.caption(t.scenarioTitle(run.info.name, run.info.title), run.seed, events.length);
  const th = (label: string): string => `<th scope="col">${escapeMarkup(label)}</th>`;
  return (
    `<table class="fig-trace-table"><caption>${escapeMarkup(caption)}</caption>` +
    `<thead><tr>${th(t.table.time)}${th(t.table.host)}${th(t.table.event)}${th(t.table.details)}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody>${more}</table>`
  );
}
