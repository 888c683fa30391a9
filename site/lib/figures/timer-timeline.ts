/**
 * One host's timers on a horizontal time axis: the segments it sent (retransmissions marked),
 * each timer's set → fire/cancel spans with their durations, and the states it spent time in
 * (TIME_WAIT and FIN_WAIT_2 with their lengths). Idle stretches are cut out and labelled with the
 * time skipped, so SYN backoff (1 s, 2 s, ... 64 s), TIME_WAIT (60 s) and keepalive (7200 s idle,
 * then 75 s probes) are all readable on one axis.
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { SegmentEvent, StateEvent, TimerEvent, TimerName } from '../../../stack/core/observe/trace.ts';
import type { Locale } from '../../i18n/locale.ts';
import { figureStrings, type FigureStrings } from '../../i18n/figures.ts';
import { clip, displayLength, escapeMarkup } from './escape.ts';
import { findRetransmissions, formatDuration, formatSegment, formatTime } from './format.ts';
import { buildTimeScale, type TimeKey } from './time-scale.ts';
import { connWithKnownPeer } from './peers.ts';
import { n, svgRoot, text, title, zigzag } from './svg.ts';

export interface TimerTimelineOptions {
  /** Only this connection ("local:port>remote:port"); default every connection of the host. */
  conn?: string;
  /** Idle gaps longer than this (ms) become a labelled break (default 2500). */
  breakAfterMs?: number;
  /** The page's edition (default English). */
  locale?: Locale;
}

const TIMER_ORDER: readonly TimerName[] = ['retransmit', 'loss-probe', 'reorder', 'synack', 'delayed-ack', 'compressed-ack', 'persist', 'keepalive', 'fin-wait-2', 'time-wait'];
const X0 = 150;
const ROW = 44;
const TOP = 40;
/**
 * Widest drawing (plus 130 px of right margin): the chapter column at 1366 px is about 757 px, so
 * a long run (131 s of SYN retries, two hours of keepalive) is fitted to it, spacing shrunk and
 * idle stretches cut, rather than shown 2 s at a time in a sideways-scrolling box.
 */
const MAX_WIDTH = 610;
/** Width of one character of the small monospace labels, for keeping labels apart. */
const CHAR_PX = 6.6;
/** States whose length the figure writes out: the ones the course's timers govern. */
const TIMED_STATES = new Set(['TIME_WAIT', 'FIN_WAIT_2', 'SYN_SENT', 'SYN_RECV', 'LAST_ACK']);

/**
 * Timers that exist only in one state: leaving it stops them (reqsk timer in SYN_RECV, the
 * TIME_WAIT and orphaned FIN_WAIT_2 timers). Every timer stops when its connection is CLOSED.
 */
const TIMER_STATE: Partial<Record<TimerName, StateEvent['to']>> = {
  synack: 'SYN_RECV',
  'time-wait': 'TIME_WAIT',
  'fin-wait-2': 'FIN_WAIT_2',
};

export interface TimerSpan {
  timer: TimerName;
  conn: string;
  start: number;
  end: number;
  /**
   * How the span ended: fired, cancelled, re-armed before it was due, still pending when the run
   * ended, or 'unfired': its due time passed with no fire recorded, so it was stopped without a
   * traced cancel (the stack traces every fire but not every cancellation). An unfired span ends
   * at its due time, the one moment the trace states. 'stopped': its connection left the state
   * the timer belongs to (or closed) first, which stops it in Linux too.
   */
  outcome: 'fire' | 'cancel' | 'rearm' | 'pending' | 'unfired' | 'stopped';
  due?: number;
  /** Keepalive: the first span of a chain is the idle time, later ones the probe interval. */
  continuation: boolean;
}

export interface StateSpan {
  conn: string;
  state: StateEvent['to'];
  start: number;
  end: number;
  /** Still in this state when the run ended. */
  open: boolean;
}

/** Pairs each timer 'set' with what happened next to that timer on that connection. */
export function timerSpans(events: readonly TimerEvent[], endTime: number, states: readonly StateEvent[] = []): TimerSpan[] {
  const spans: TimerSpan[] = [];
  const open = new Map<string, TimerEvent>();
  const lastFire = new Map<string, number>();
  for (const ev of events) {
    const key = `${ev.conn}|${ev.timer}`;
    const pending = open.get(key);
    if (ev.action === 'set') {
      if (pending) {
        const lapsed = pending.due !== undefined && ev.t >= pending.due;
        spans.push(lapsed ? span(pending, pending.due as number, 'unfired') : span(pending, ev.t, 'rearm'));
      }
      open.set(key, ev);
    } else if (pending) {
      spans.push(span(pending, ev.t, ev.action));
      open.delete(key);
      if (ev.action === 'fire') lastFire.set(key, ev.t);
    } else if (ev.action === 'fire') {
      lastFire.set(key, ev.t);
    }
  }
  for (const pending of open.values()) {
    const lapsed = pending.due !== undefined && pending.due <= endTime;
    spans.push(lapsed ? span(pending, pending.due as number, 'unfired') : span(pending, endTime, 'pending'));
  }
  for (const sp of spans) {
    if (sp.outcome !== 'unfired' && sp.outcome !== 'pending') continue;
    const home = TIMER_STATE[sp.timer];
    const left = states.find(
      (ev) => ev.conn === sp.conn && ev.t >= sp.start && ev.t < sp.end && (ev.to === 'CLOSED' || (home !== undefined && ev.from === home)),
    );
    if (left) {
      sp.end = left.t;
      sp.outcome = 'stopped';
    }
  }
  return spans.sort((a, b) => a.start - b.start);

  function span(set: TimerEvent, end: number, outcome: TimerSpan['outcome']): TimerSpan {
    const key = `${set.conn}|${set.timer}`;
    return {
      timer: set.timer,
      conn: set.conn,
      start: set.t,
      end: Math.max(end, set.t),
      outcome,
      due: set.due,
      continuation: lastFire.get(key) === set.t,
    };
  }
}

/** Time spent in each state, per connection, from consecutive StateEvents. */
export function stateSpans(events: readonly StateEvent[], endTime: number): StateSpan[] {
  const byConn = new Map<string, StateEvent[]>();
  for (const ev of events) {
    const list = byConn.get(ev.conn) ?? [];
    list.push(ev);
    byConn.set(ev.conn, list);
  }
  const spans: StateSpan[] = [];
  for (const [conn, list] of byConn) {
    list.forEach((ev, i) => {
      if (ev.to === 'CLOSED') return;
      const next = list[i + 1];
      spans.push({ conn, state: ev.to, start: ev.t, end: next ? next.t : Math.max(endTime, ev.t), open: !next });
    });
  }
  return spans;
}

export interface Burst {
  start: number;
  end: number;
  count: number;
}

/** Groups sorted-or-not times into bursts separated by more than `gapMs` of silence. */
export function clusterTimes(times: readonly number[], gapMs = 100): Burst[] {
  const sorted = [...times].sort((a, b) => a - b);
  const bursts: Burst[] = [];
  for (const t of sorted) {
    const last = bursts[bursts.length - 1];
    if (last && t - last.end <= gapMs) {
      last.end = t;
      last.count++;
    } else {
      bursts.push({ start: t, end: t, count: 1 });
    }
  }
  return bursts;
}

/** Row label for one connection of several: what tells them apart is the peer. */
function connRowLabel(conn: string, words: FigureStrings): string {
  const arrow = conn.indexOf('>');
  return arrow < 0 ? clip(words.timers.listenerRow(conn), 24) : clip(words.timers.peerRow(conn.slice(arrow + 1)), 24);
}

function inConn(conn: string | undefined, seg: SegmentEvent): boolean {
  if (conn === undefined) return true;
  const [local, remote] = conn.split('>');
  return seg.src === local && seg.dst === remote;
}

export function renderTimerTimeline(run: ScenarioRun, host: string, opts: TimerTimelineOptions = {}): string {
  if (!run.hosts.some((h) => h.name === host)) {
    throw new Error(`timer timeline: no host "${host}" in scenario ${run.info.name}`);
  }
  const conn = opts.conn;
  const locale = opts.locale ?? 'en';
  const words = figureStrings(locale);
  const w = words.timers;
  const time = (ms: number): string => formatTime(ms, locale);
  const duration = (ms: number): string => formatDuration(ms, locale);
  const who = words.host(host);
  const allSegments = run.trace.filter((e): e is SegmentEvent => e.kind === 'segment');
  // Without a chosen connection, traffic and timers of spoofed peers are counted, not drawn.
  const known = (c: string): boolean => conn !== undefined || connWithKnownPeer(run, c);
  const mine = allSegments.filter((s) => s.from === host && inConn(conn, s));
  const sent = mine.filter((s) => known(`${s.src}>${s.dst}`));
  const retransmitted = findRetransmissions(allSegments);
  const hostTimers = run.trace.filter((e): e is TimerEvent => e.kind === 'timer' && e.host === host && (conn === undefined || e.conn === conn));
  const timers = hostTimers.filter((e) => known(e.conn));
  const hostStates = run.trace.filter((e): e is StateEvent => e.kind === 'state' && e.host === host && (conn === undefined || e.conn === conn));
  const states = hostStates.filter((e) => known(e.conn));
  // Spoofed peers' traffic and timers are drawn in aggregate: bursts with their counts.
  const spoofedSends = clusterTimes(mine.filter((s) => !known(`${s.src}>${s.dst}`)).map((s) => s.t));
  const spoofedFires = TIMER_ORDER.map((name) => ({
    name,
    bursts: clusterTimes(hostTimers.filter((e) => e.timer === name && e.action === 'fire' && !known(e.conn)).map((e) => e.t)),
  })).filter((r) => r.bursts.length > 0);
  const spoofedConns = new Set([...hostTimers, ...hostStates].filter((e) => !known(e.conn)).map((e) => e.conn)).size;
  const endTime = Math.max(run.endTime, ...run.trace.map((e) => e.t));
  const tSpans = timerSpans(timers, endTime, states);
  const sSpans = stateSpans(states, endTime);

  const keys: TimeKey[] = [];
  for (const s of sent) keys.push({ t: s.t });
  for (const e of timers) keys.push({ t: e.t });
  for (const e of states) keys.push({ t: e.t });
  for (const s of tSpans) keys.push({ t: s.end });
  for (const s of sSpans) if (!s.open || TIMED_STATES.has(s.state)) keys.push({ t: s.end });
  for (const b of [...spoofedSends, ...spoofedFires.flatMap((r) => r.bursts)]) keys.push({ t: b.start }, { t: b.end });
  if (keys.length === 0) keys.push({ t: 0 });
  const scaleWith = (k: number) =>
    buildTimeScale(keys, {
      origin: X0 + 10,
      pxFor: (dt) => k * (44 + 70 * Math.log10(1 + dt / 2)),
      breakAfterMs: opts.breakAfterMs ?? 2500,
      breakPx: Math.max(30, k * 84),
    });
  // A busy host (a flooded listener answers thousands of SYNs) would make a figure metres wide:
  // shrink the spacing until it fits MAX_WIDTH; labels then thin out rather than the page growing.
  let scale = scaleWith(1);
  for (let k = 1; scale.extent > MAX_WIDTH && k > 0.02; ) {
    k *= Math.max(0.1, (MAX_WIDTH - X0) / (scale.extent - X0)) * 0.95;
    scale = scaleWith(k);
  }
  const x = scale.at;
  const width = scale.extent + 130;

  const timerNames = TIMER_ORDER.filter((name) => timers.some((e) => e.timer === name));
  const conns = [...new Set(sSpans.map((s) => s.conn))].slice(0, 4);
  const rows: Array<{ label: string; y: number }> = [];
  let y = TOP + 26;
  const parts: string[] = [];
  const body: string[] = [];

  // Segments sent.
  const sentY = y;
  rows.push({ label: w.sentBy(who), y: sentY });
  let lastLabelX = -Infinity;
  for (const s of sent) {
    const sx = x(s.t);
    const retx = retransmitted.has(s.id);
    body.push(
      `<g class="sent${retx ? ' retransmission' : ''}" data-seg-id="${s.id}"${retx ? ' data-retransmission="true"' : ''}>` +
        `<path class="${retx ? 'retx' : 'tick'}" d="M${n(sx)} ${n(sentY - 11)}V${n(sentY + 11)}"/>` +
        (sx - lastLabelX >= 26
          ? text(sx, sentY - 15, `${s.flags}${retx ? w.retxMark : ''}`, { cls: retx ? 'retx-t sm' : 'sm', anchor: 'middle' })
          : '') +
        title(w.sentTitle(time(s.t), formatSegment(s), s.to === null ? '?' : words.host(s.to), retx)) +
        '</g>',
    );
    if (sx - lastLabelX >= 26) lastLabelX = sx;
  }
  y += ROW;

  // One row per timer.
  for (const name of timerNames) {
    const ry = y;
    rows.push({ label: words.timer(name), y: ry });
    for (const sp of tSpans.filter((s) => s.timer === name)) {
      const a = x(sp.start);
      const b = Math.max(x(sp.end), a + 2);
      const dur = duration(sp.end - sp.start);
      const unfired = sp.outcome === 'unfired';
      const caption =
        name === 'keepalive' && sp.outcome === 'fire'
          ? w.keepaliveCaption(sp.continuation, dur)
          : unfired
            ? w.unfiredCaption(dur)
            : dur;
      body.push(
        `<g class="timer-span" data-timer="${name}" data-outcome="${sp.outcome}" data-duration="${sp.end - sp.start}">` +
          (unfired
            ? `<path class="due" d="M${n(a)} ${n(ry)}H${n(b)}"/><circle class="tset" cx="${n(b)}" cy="${n(ry)}" r="2.5"/>`
            : `<rect class="span${sp.outcome === 'fire' ? '' : ' open'}" x="${n(a)}" y="${n(ry - 5)}" width="${n(b - a)}" height="10" rx="2"/>`) +
          // A re-arm at the moment of a fire would hide the fire's marker under its own.
          (sp.continuation ? '' : `<circle class="tset" cx="${n(a)}" cy="${n(ry)}" r="3.5"/>`) +
          (sp.outcome === 'fire'
            ? `<path class="tfire" d="M${n(b)} ${n(ry - 7)}l6 7l-6 7l-6 -7Z"/>`
            : sp.outcome === 'cancel'
              ? `<path class="tcancel" d="M${n(b - 5)} ${n(ry - 5)}l10 10m0 -10l-10 10"/>`
              : sp.outcome === 'stopped'
                ? `<path class="tcancel" d="M${n(b)} ${n(ry - 7)}v14"/>`
                : '') +
          (b - a >= displayLength(caption) * 6 + 4 ? text((a + b) / 2, ry - 9, caption, { anchor: 'middle', cls: 'sm' }) : '') +
          title(w.spanTitle(name, time(sp.start), sp.due !== undefined ? time(sp.due) : null, sp.outcome, time(sp.end), dur)) +
          '</g>',
      );
    }
    y += ROW;
  }

  // Aggregates for spoofed peers: one mark per burst, labelled with its size.
  const burstRow = (label: string, bursts: Burst[], kind: TimerName | 'sent'): void => {
    const ry = y;
    rows.push({ label, y: ry });
    let lastRight = -Infinity;
    for (const b of bursts) {
      const a = x(b.start);
      const e = Math.max(x(b.end), a + 3);
      const caption = `×${b.count}`;
      const showCaption = a >= lastRight + 4;
      if (showCaption) lastRight = a + caption.length * 6.5;
      body.push(
        `<g class="burst" data-burst="${kind}" data-count="${b.count}">` +
          `<rect class="span" x="${n(a)}" y="${n(ry - 6)}" width="${n(e - a)}" height="12" rx="2"/>` +
          (showCaption ? text(a, ry - 10, caption, { cls: 'sm b' }) : '') +
          title(w.burstTitle(kind, b.count, time(b.start), time(b.end))) +
          '</g>',
      );
    }
    y += ROW;
  };
  if (spoofedSends.length) burstRow(w.spoofedSentRow, spoofedSends, 'sent');
  for (const r of spoofedFires) burstRow(w.spoofedFiredRow(r.name), r.bursts, r.name);

  // States per connection. Labels that do not fit their bar go underneath, on the first of
  // two lines where they do not overlap the previous one.
  for (const c of conns) {
    const ry = y;
    const lineEnds = [-Infinity, -Infinity];
    rows.push({ label: conns.length > 1 ? connRowLabel(c, words) : w.stateRow, y: ry });
    for (const sp of sSpans.filter((s) => s.conn === c)) {
      const a = x(sp.start);
      // An open span runs on past the last event: the run ended with the socket in this state.
      const b = sp.open ? Math.max(x(sp.end), a) + 48 : Math.max(x(sp.end), a + 2);
      const timed = TIMED_STATES.has(sp.state) && !sp.open && sp.end > sp.start;
      const caption = timed ? `${sp.state} ${duration(sp.end - sp.start)}` : sp.state;
      const labelWidth = displayLength(caption) * 6.2 + 6;
      const fits = b - a >= labelWidth;
      let below = -1;
      if (!fits && timed) {
        below = lineEnds.findIndex((end) => end < a);
        if (below < 0) below = lineEnds[0] <= lineEnds[1] ? 0 : 1;
        lineEnds[below] = a + labelWidth;
      }
      body.push(
        `<g class="state-span" data-state="${escapeMarkup(sp.state)}" data-duration="${sp.end - sp.start}"${sp.open ? ' data-open="true"' : ''}>` +
          `<rect class="span${sp.open ? ' open' : ''}" x="${n(a)}" y="${n(ry - 8)}" width="${n(b - a)}" height="16" rx="3"/>` +
          (fits
            ? text((a + b) / 2, ry + 4, caption, { anchor: 'middle', cls: 'sm b' })
            : below >= 0
              ? text(a, ry + 20 + below * 12, caption, { cls: 'sm b' })
              : '') +
          title(w.stateTitle(sp.state, time(sp.start), sp.open ? null : time(sp.end), duration(sp.end - sp.start))) +
          '</g>',
      );
    }
    y += ROW + 10;
  }

  // Axis with the skipped stretches marked.
  const axisY = y - 10;
  parts.push(`<path class="line" d="M${X0} ${n(axisY)}H${n(scale.extent + 30)}"/>`);
  let lastRight = -Infinity;
  for (const t of scale.times) {
    const tx = x(t);
    const half = (displayLength(time(t)) * CHAR_PX) / 2;
    if (tx - half < lastRight + 8) continue;
    if (scale.breaks.some((b) => tx > b.p0 && tx < b.p1)) continue;
    lastRight = tx + half;
    parts.push(`<path class="line" d="M${n(tx)} ${n(axisY)}v5"/>`);
    parts.push(text(tx, axisY + 18, time(t), { anchor: 'middle', cls: 'm sm' }));
  }
  // Break labels ("… 64 s …") take two rows when breaks sit closer than their labels are wide,
  // which they do once the figure is fitted to the column.
  const breakRowRight = [-Infinity, -Infinity];
  let breakRows = 1;
  for (const b of scale.breaks) {
    const mid = (b.p0 + b.p1) / 2;
    const label = `… ${duration(b.t1 - b.t0)} …`;
    const half = (displayLength(label) * CHAR_PX) / 2;
    const row = mid - half >= breakRowRight[0] + 6 ? 0 : 1;
    breakRowRight[row] = mid + half;
    breakRows = Math.max(breakRows, row + 1);
    parts.push(`<g data-break="${escapeMarkup(formatDuration(b.t1 - b.t0))}">`);
    parts.push(`<path class="grid" d="M${n(mid - 5)} ${TOP}V${n(axisY - 8)}M${n(mid + 5)} ${TOP}V${n(axisY - 8)}"/>`);
    parts.push(zigzag(mid, axisY, true, 10));
    parts.push(text(mid, axisY + 34 + row * 14, label, { anchor: 'middle', cls: 'm sm' }));
    parts.push('</g>');
  }
  for (const row of rows) parts.push(text(10, row.y + 4, row.label, { cls: 'b sm' }));
  parts.push(text(10, 20, w.heading(who, spoofedConns), { cls: 'm sm' }));
  parts.push(...body);

  const retxCount = sent.filter((s) => retransmitted.has(s.id)).length;
  const timerText = timerNames.map((name) => {
    const fired = tSpans.filter((s) => s.timer === name && s.outcome === 'fire').map((s) => duration(s.end - s.start));
    return w.firedText(name, fired.length, fired.slice(0, 12));
  });
  const stateText = sSpans
    .filter((s) => TIMED_STATES.has(s.state))
    .map((s) => w.stateText(s.state, s.open ? null : duration(s.end - s.start)));
  const label = w.label(who, words.scenarioTitle(run.info.name, run.info.title), sent.length, retxCount, timerText, stateText);
  return svgRoot(width, axisY + 46 + (breakRows - 1) * 14, label, parts.join(''), 'fig-timers');
}
