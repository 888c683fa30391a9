/**
 * Sequence diagram: the two lanes of a scenario (client left, server right), one arrow per
 * segment between them from the moment it left the sender to the moment it arrived, state
 * changes written beside the lane at the moment they happened. Long idle gaps are cut out and
 * labelled with the time skipped, so a 7875 s keepalive run fits on a page next to a 1 ms
 * handshake. Traffic to or from any other host (a SYN flood's attacker, SYN-ACKs sent to spoofed
 * addresses) is summarised as bands, not drawn one arrow at a time.
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { SegmentEvent, StateEvent } from '../../../stack/core/observe/trace.ts';
import type { Locale } from '../../i18n/locale.ts';
import { figureStrings, type FigureStrings } from '../../i18n/figures.ts';
import { clip, displayLength, escapeMarkup } from './escape.ts';
import {
  findRetransmissions,
  formatDuration,
  formatFate,
  formatOptions,
  formatSegment,
  formatSegmentHeader,
  formatTime,
} from './format.ts';
import { buildTimeScale, type TimeKey } from './time-scale.ts';
import { addressPart, connWithKnownPeer } from './peers.ts';
import { arrowHead, n, svgRoot, text, title, zigzag } from './svg.ts';

export interface SequenceOptions {
  /** Draw this segment emphasised (the lab workbench's "first diverging segment"). */
  highlightSegmentId?: number;
  /** Draw at most this many segments between the lanes (default 200); the rest are counted. */
  maxSegments?: number;
  /** Idle gaps longer than this (ms) become a labelled break (default 2000). */
  breakAfterMs?: number;
  /** Override the lanes (default run.info.lanes). */
  lanes?: [string, string];
  /** The page's edition (default English): labels, notes and the text alternative follow it. */
  locale?: Locale;
}

const LANE_L = 196;
const LANE_R = 526;
const WIDTH = 680;
const HEADER = 74;
const SEND_ROOM = 34; // two label lines under an arrow
const STATE_ROOM = 28; // state name + cause
const LOST_DROP = 22; // how far a lost arrow falls before its cross
const MIN_FLIGHT = 56;

interface Band {
  start: number;
  end: number;
  lines: string[];
}

/** Host name → its address, to tell spoofed sources (an address that is not the sender's own). */
function addressOf(run: ScenarioRun, host: string): string | undefined {
  return run.hosts.find((h) => h.name === host)?.addr;
}

function summariseOthers(run: ScenarioRun, others: SegmentEvent[], breakAfterMs: number, locale: Locale): Band[] {
  const t = figureStrings(locale);
  const bands: Band[] = [];
  let cluster: SegmentEvent[] = [];
  const flush = (): void => {
    if (cluster.length === 0) return;
    const groups = new Map<string, { seg: SegmentEvent; count: number; spoofed: number; fates: Map<string, number> }>();
    for (const seg of cluster) {
      const key = `${seg.flags} from ${seg.from} to ${seg.to ?? ''}`;
      let g = groups.get(key);
      if (!g) {
        g = { seg, count: 0, spoofed: 0, fates: new Map() };
        groups.set(key, g);
      }
      g.count++;
      // A host in the run spoofs when it sends from an address not its own; a sender the run does
      // not list as a host (the flood's attacker) spoofs when its source is nobody's address.
      const own = addressOf(run, seg.from);
      const srcAddr = addressPart(seg.src);
      const spoofed = own !== undefined ? srcAddr !== own : !run.hosts.some((h) => h.addr === srcAddr);
      if (spoofed) g.spoofed++;
      g.fates.set(seg.fate, (g.fates.get(seg.fate) ?? 0) + 1);
    }
    const lines: string[] = [];
    for (const g of groups.values()) {
      const fates = [...g.fates]
        .filter(([fate]) => fate !== 'delivered')
        .map(([fate, c]): [string, number] => [formatFate(fate as SegmentEvent['fate'], locale), c]);
      const to = g.seg.to === null ? null : t.host(g.seg.to);
      lines.push(t.sequence.bandLine(g.count, g.seg.flags, t.host(g.seg.from), to, g.spoofed, fates));
    }
    bands.push({ start: cluster[0].t, end: Math.max(...cluster.map((s) => s.arriveAt ?? s.t)), lines });
    cluster = [];
  };
  for (const seg of others) {
    if (cluster.length > 0 && seg.t - cluster[cluster.length - 1].t > breakAfterMs) flush();
    cluster.push(seg);
  }
  flush();
  return bands;
}

interface Line {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface LabelPlace {
  below: boolean;
  transform: string;
}

/**
 * Where a segment's label goes. The label is a box laid along the arrow, starting 12 px from the
 * sender; each candidate box is tested against sample points of every other arrow (in the box's
 * own rotated frame) and the first clear one wins.
 */
function chooseLabelPlace(
  line: Line,
  width: number,
  height: number,
  others: readonly Line[],
  taken: Array<[number, number]>,
): LabelPlace {
  const { x0, y0, x1, y1 } = line;
  const rightward = x1 > x0;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  // Text reads left to right: its baseline direction is the arrow's for rightward arrows and the
  // reverse for leftward ones; "below" is +y in that frame either way.
  const bx = rightward ? ux : -ux;
  const by = rightward ? uy : -uy;
  const nx = -by;
  const ny = bx;
  const angle = (Math.atan2(by, bx) * 180) / Math.PI;
  const candidates = [12, Math.max(12, len / 2 - width / 2)].flatMap((offset) => [
    { offset, below: true },
    { offset, below: false },
  ]);
  let best: { hits: number; place: LabelPlace; points: Array<[number, number]> } | null = null;
  for (const c of candidates) {
    const ax = x0 + ux * c.offset;
    const ay = y0 + uy * c.offset;
    // Box in the text frame: along [0, width] (start anchor) or [-width, 0] (end anchor).
    const along: [number, number] = rightward ? [0, width] : [-width, 0];
    const across: [number, number] = c.below ? [2, height] : [-height, -2];
    const inside = (x: number, y: number): boolean => {
      const px = x - ax;
      const py = y - ay;
      const a = px * bx + py * by;
      const b = px * nx + py * ny;
      return a >= along[0] && a <= along[1] && b >= across[0] && b <= across[1];
    };
    let hits = 0;
    for (const o of others) {
      for (let k = 0; k <= 24; k++) if (inside(o.x0 + ((o.x1 - o.x0) * k) / 24, o.y0 + ((o.y1 - o.y0) * k) / 24)) hits++;
    }
    // Labels already placed weigh more than arrows: overlapping text is unreadable.
    for (const [x, y] of taken) if (inside(x, y)) hits += 3;
    // Text above the first row would run into the lane headers.
    if (!c.below && ay - height < HEADER) hits += 50;
    const place = { below: c.below, transform: `translate(${n(ax)} ${n(ay)}) rotate(${n(angle)})` };
    const points: Array<[number, number]> = [];
    for (let i = 0; i <= 8; i++) {
      for (const j of [0.2, 0.5, 0.8]) {
        const a = along[0] + ((along[1] - along[0]) * i) / 8;
        const b = across[0] + (across[1] - across[0]) * j;
        points.push([ax + a * bx + b * nx, ay + a * by + b * ny]);
      }
    }
    if (hits === 0) {
      taken.push(...points);
      return place;
    }
    if (!best || hits < best.hits) best = { hits, place, points };
  }
  const chosen = best as { place: LabelPlace; points: Array<[number, number]> };
  taken.push(...chosen.points);
  return chosen.place;
}

export function renderSequence(run: ScenarioRun, opts: SequenceOptions = {}): string {
  const locale = opts.locale ?? 'en';
  const t: FigureStrings = figureStrings(locale);
  const time = (ms: number): string => formatTime(ms, locale);
  const lanes = opts.lanes ?? run.info.lanes;
  if (!Array.isArray(lanes) || lanes.length !== 2 || lanes[0] === lanes[1]) {
    throw new Error(`sequence diagram: need two different lanes, got ${JSON.stringify(lanes)}`);
  }
  const maxSegments = opts.maxSegments ?? 200;
  if (!(maxSegments >= 0)) throw new RangeError(`sequence diagram: maxSegments must be ≥ 0, got ${maxSegments}`);
  const breakAfterMs = opts.breakAfterMs ?? 2000;
  const onLanes = (h: string | null): boolean => h === lanes[0] || h === lanes[1];
  const laneX = (h: string): number => (h === lanes[0] ? LANE_L : LANE_R);

  const segments = run.trace.filter((e): e is SegmentEvent => e.kind === 'segment');
  const between = segments.filter((s) => onLanes(s.from) && onLanes(s.to) && s.from !== s.to);
  const others = segments.filter((s) => !(onLanes(s.from) && onLanes(s.to) && s.from !== s.to));
  const drawn = between.slice(0, maxSegments);
  const notDrawn = between.length - drawn.length;
  const laneStates = run.trace.filter((e): e is StateEvent => e.kind === 'state' && onLanes(e.host));
  const states = laneStates.filter((e) => connWithKnownPeer(run, e.conn, lanes));
  const statesElsewhere = laneStates.length - states.length;
  const bands = summariseOthers(run, others, breakAfterMs, locale);
  const retransmitted = findRetransmissions(segments);

  // Room each instant needs: stacked sends from one host, stacked state labels, band text.
  const sendsAt = new Map<string, number>();
  const statesAt = new Map<string, number>();
  const keys: TimeKey[] = [];
  const sendSlot = new Map<number, number>();
  for (const seg of drawn) {
    const k = `${seg.t}|${seg.from}`;
    const index = sendsAt.get(k) ?? 0;
    sendsAt.set(k, index + 1);
    sendSlot.set(seg.id, index);
    keys.push({ t: seg.t, after: SEND_ROOM * (index + 1) });
    // Segments sent together arrive together: keep their arrows parallel (offset at both ends)
    // so the label under one is not crossed by the next.
    // A minimum drop keeps arrows steep enough that crossing ones (simultaneous open) leave
    // room for their labels.
    if (seg.arriveAt !== null) keys.push({ t: seg.arriveAt, before: MIN_FLIGHT, after: SEND_ROOM * index });
  }
  const stateSlot = new Map<StateEvent, number>();
  for (const ev of states) {
    const k = `${ev.t}|${ev.host}`;
    const index = statesAt.get(k) ?? 0;
    statesAt.set(k, index + 1);
    stateSlot.set(ev, index);
    keys.push({ t: ev.t, after: STATE_ROOM * (index + 1) });
  }
  for (const band of bands) {
    keys.push({ t: band.start, after: band.lines.length * 14 + 10 });
    keys.push({ t: band.end, after: 6 });
  }
  if (keys.length === 0) keys.push({ t: 0 });
  const scale = buildTimeScale(keys, {
    origin: HEADER + 8,
    pxFor: (dt) => 18 + 26 * Math.log10(1 + dt),
    breakAfterMs,
    breakPx: 46,
  });
  const bottom = scale.extent + 24;
  const height = bottom + 14 + 16 * ((notDrawn > 0 ? 1 : 0) + (statesElsewhere > 0 ? 1 : 0));
  const parts: string[] = [];

  // Lane headers and lines, interrupted where time is skipped.
  for (const host of lanes) {
    const x = laneX(host);
    parts.push(text(x, 22, t.host(host), { anchor: 'middle', cls: 'b' }));
    const addr = addressOf(run, host);
    if (addr) parts.push(text(x, 38, addr, { anchor: 'middle', cls: 'm sm' }));
    // Relative numbers hide the ISN; it is the one number a different seed changes, so show it.
    const first = between.find((s) => s.from === host && s.flags.includes('S'));
    if (first) {
      const isn = (first.seq - first.relSeq) >>> 0;
      parts.push(`<g data-isn="${escapeMarkup(host)}">${text(x, 53, `ISN ${isn}`, { anchor: 'middle', cls: 'm sm' })}</g>`);
    }
    let y = HEADER - 12;
    for (const b of scale.breaks) {
      parts.push(`<path class="lane" d="M${n(x)} ${n(y)}V${n(b.p0 + 8)}"/>`);
      parts.push(zigzag(x, (b.p0 + b.p1) / 2, false));
      y = b.p1 - 8;
    }
    parts.push(`<path class="lane" d="M${n(x)} ${n(y)}V${n(bottom)}"/>`);
  }
  for (const b of scale.breaks) {
    const mid = (b.p0 + b.p1) / 2;
    // The attribute keeps one spelling in both editions; tests and tools read it.
    const skipped = formatDuration(b.t1 - b.t0);
    parts.push(`<g data-break="${escapeMarkup(skipped)}">${text((LANE_L + LANE_R) / 2, mid + 4, `… ${formatDuration(b.t1 - b.t0, locale)} …`, { anchor: 'middle', cls: 'm' })}</g>`);
  }

  // Bands summarising other hosts' traffic.
  for (const band of bands) {
    const y0 = scale.at(band.start) - 6;
    const y1 = Math.max(scale.at(band.end) + 6, y0 + band.lines.length * 14 + 8);
    parts.push(`<g class="others" data-band-count="${band.lines.length}">`);
    parts.push(`<rect class="band" x="${LANE_L - 14}" y="${n(y0)}" width="${LANE_R - LANE_L + 28}" height="${n(y1 - y0)}" rx="4"/>`);
    band.lines.forEach((line, i) => {
      parts.push(text((LANE_L + LANE_R) / 2, y0 + 14 + i * 14, clip(line, 64), { anchor: 'middle', cls: 'sm' }));
    });
    parts.push(title(t.sequence.bandTitle(time(band.start), time(band.end), band.lines)));
    parts.push('</g>');
  }

  // Time labels in the left margin, one per instant something is sent or a state changes.
  let lastLabelY = -Infinity;
  const labelled = [...new Set([...drawn.map((s) => s.t), ...states.map((s) => s.t)])].sort((a, b) => a - b);
  for (const at of labelled) {
    const y = scale.at(at);
    if (y - lastLabelY < 13) continue;
    lastLabelY = y;
    parts.push(text(6, y + 4, time(at), { cls: 'm sm' }));
  }

  // State changes beside their lane.
  for (const ev of states) {
    const left = ev.host === lanes[0];
    const x = left ? LANE_L - 10 : LANE_R + 10;
    const y = scale.at(ev.t) + (stateSlot.get(ev) ?? 0) * STATE_ROOM;
    const anchor = left ? 'end' : 'start';
    parts.push(`<g class="state" data-state="${escapeMarkup(ev.to)}" data-host="${escapeMarkup(ev.host)}">`);
    parts.push(`<path class="line" d="M${n(left ? LANE_L - 5 : LANE_R - 5)} ${n(y)}h10"/>`);
    parts.push(text(x, y + 4, ev.to, { anchor, cls: 'b' }));
    parts.push(text(x, y + 16, clip(t.cause(ev.cause), 24), { anchor, cls: 'm sm' }));
    parts.push(title(t.sequence.stateTitle(time(ev.t), t.host(ev.host), ev.from, ev.to, t.cause(ev.cause))));
    parts.push('</g>');
  }

  // Segments.
  const lines = new Map<number, Line>();
  for (const seg of drawn) {
    const x0 = laneX(seg.from);
    const slot = (sendSlot.get(seg.id) ?? 0) * SEND_ROOM;
    const y0 = scale.at(seg.t) + slot;
    const arrived = seg.arriveAt !== null;
    const x1 = arrived ? laneX(seg.to as string) : (LANE_L + LANE_R) / 2;
    const y1 = arrived ? Math.max(scale.at(seg.arriveAt as number) + slot, y0) : y0 + LOST_DROP;
    lines.set(seg.id, { x0, y0, x1, y1 });
  }
  const allLines = [...lines.entries()];
  const labelPoints: Array<[number, number]> = [];
  let highlightFound = false;
  for (const seg of drawn) {
    const { x0, y0, x1, y1 } = lines.get(seg.id) as Line;
    const arrived = seg.arriveAt !== null;
    const rightward = x1 > x0;
    const highlight = seg.id === opts.highlightSegmentId;
    if (highlight) highlightFound = true;
    const cls = ['segment'];
    if (!arrived) cls.push('lost');
    if (seg.fate === 'corrupt') cls.push('corrupt');
    if (highlight) cls.push('hl');
    const retx = retransmitted.has(seg.id);
    parts.push(
      `<g class="${cls.join(' ')}" data-seg-id="${seg.id}" data-fate="${escapeMarkup(seg.fate)}"${retx ? ' data-retransmission="true"' : ''}${highlight ? ' data-highlight="true"' : ''}>`,
    );
    parts.push(`<path class="seg" d="M${n(x0)} ${n(y0)}L${n(x1)} ${n(y1)}"/>`);
    if (arrived) {
      parts.push(arrowHead(x0, y0, x1, y1, 'head'));
    } else {
      parts.push(`<path class="cross" d="M${n(x1 - 6)} ${n(y1 - 6)}l12 12m0 -12l-12 12"/>`);
      parts.push(
        text(rightward ? x1 + 11 : x1 - 11, y1 + 4, formatFate(seg.fate, locale), { anchor: rightward ? 'start' : 'end', cls: 'fate b sm' }),
      );
    }
    // The label runs parallel to the arrow near its sender: under it where no other arrow
    // crosses (the usual case), otherwise above it, otherwise wherever fewest arrows cross.
    const header = `${highlight ? '▶ ' : ''}${formatSegmentHeader(seg)}`;
    const notes = [retx ? t.sequence.retransmission : '', seg.duplicate ? t.sequence.duplicate : '', seg.fate === 'corrupt' ? t.sequence.corrupt : ''].filter(Boolean);
    const second = clip([notes.length ? t.sequence.notes(notes) : '', formatOptions(seg.options)].filter(Boolean).join(' '), 40);
    const labelWidth = Math.max(displayLength(header) * 6.2, displayLength(second) * 5.4);
    const others = allLines.filter(([id]) => id !== seg.id).map(([, l]) => l);
    const place = chooseLabelPlace({ x0, y0, x1, y1 }, labelWidth, second ? 28 : 16, others, labelPoints);
    const anchorAttr = rightward ? '' : ' text-anchor="end"';
    const [mainY, secondY] = place.below ? [13, 25] : [-5, -17];
    parts.push(`<text class="lbl" x="0" y="${mainY}"${anchorAttr} transform="${place.transform}">${escapeMarkup(header)}</text>`);
    if (second) {
      parts.push(`<text class="m sm" x="0" y="${secondY}"${anchorAttr} transform="${place.transform}">${escapeMarkup(second)}</text>`);
    }
    parts.push(
      title(
        t.sequence.segmentTitle(
          seg.id,
          time(seg.t),
          t.host(seg.from),
          seg.to === null ? '?' : t.host(seg.to),
          formatSegment(seg),
          retx,
          arrived ? time(seg.arriveAt as number) : null,
          formatFate(seg.fate, locale),
          highlight,
        ),
      ),
    );
    parts.push('</g>');
  }
  if (opts.highlightSegmentId !== undefined && !highlightFound) {
    parts.push(text(6, height - 8, t.sequence.notDrawn(opts.highlightSegmentId), { cls: 'm sm' }));
  }
  const footnotes: string[] = [];
  if (notDrawn > 0) footnotes.push(t.sequence.moreSegments(notDrawn, t.host(lanes[0]), t.host(lanes[1])));
  if (statesElsewhere > 0) footnotes.push(t.sequence.otherStates(statesElsewhere));
  footnotes.forEach((note, i) => {
    parts.push(text((LANE_L + LANE_R) / 2, bottom + 18 + i * 16, note, { anchor: 'middle', cls: 'm' }));
  });

  const summary = t.sequence.summary(
    t.scenarioTitle(run.info.name, run.info.title),
    drawn.length,
    t.host(lanes[0]),
    t.host(lanes[1]),
    others.length,
    drawn.filter((s) => s.arriveAt === null).length,
    time(scale.first),
    time(scale.last),
  );
  return svgRoot(WIDTH, height, summary, parts.join(''), 'fig-sequence');
}
