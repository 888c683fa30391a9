/**
 * The 11 TCP states laid out like RFC 9293 Figure 5 (CLOSED on top, the passive and active opens
 * beside each other, the active close on the left, the passive close on the right, TIME_WAIT at
 * the bottom). CLOSED is drawn a second time at the bottom right, as the RFC does, so the
 * closing transitions do not have to climb the whole figure. Every standard transition is drawn
 * faint; the ones a host's StateEvents took are drawn strong and numbered in order.
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { StateEvent, TcpStateName } from '../../../stack/core/observe/trace.ts';
import type { Locale } from '../../i18n/locale.ts';
import { figureStrings } from '../../i18n/figures.ts';
import { clip, escapeMarkup } from './escape.ts';
import { formatTime } from './format.ts';
import { arrowHead, n, svgRoot, text, title } from './svg.ts';
import { connWithKnownPeer } from './peers.ts';

export const TCP_STATES: readonly TcpStateName[] = [
  'CLOSED',
  'LISTEN',
  'SYN_RECV',
  'SYN_SENT',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
];

type NodeId = TcpStateName | 'CLOSED_END';

const NODE_W = 116;
const NODE_H = 30;
const WIDTH = 680;
const DIAGRAM_H = 610;

const POS: Record<NodeId, [number, number]> = {
  CLOSED: [340, 40],
  LISTEN: [340, 125],
  SYN_RECV: [120, 215],
  SYN_SENT: [560, 215],
  ESTABLISHED: [340, 305],
  FIN_WAIT_1: [120, 395],
  CLOSE_WAIT: [560, 395],
  FIN_WAIT_2: [120, 485],
  CLOSING: [340, 485],
  LAST_ACK: [560, 485],
  TIME_WAIT: [340, 575],
  CLOSED_END: [560, 575],
};

export interface StandardTransition {
  from: TcpStateName;
  to: TcpStateName;
  /** The event / action as RFC 9293 Figure 5 words it (Linux-specific ones say so). */
  label: string;
  /** Perpendicular bulge of the curve (px); separates opposite-direction pairs. */
  bend?: number;
}

export const STANDARD_TRANSITIONS: readonly StandardTransition[] = [
  { from: 'CLOSED', to: 'LISTEN', label: 'passive OPEN', bend: 14 },
  { from: 'LISTEN', to: 'CLOSED', label: 'CLOSE', bend: 14 },
  { from: 'CLOSED', to: 'SYN_SENT', label: 'active OPEN / snd SYN', bend: 22 },
  { from: 'SYN_SENT', to: 'CLOSED', label: 'CLOSE or timeout', bend: 22 },
  { from: 'LISTEN', to: 'SYN_RECV', label: 'rcv SYN / snd SYN,ACK', bend: 14 },
  { from: 'SYN_RECV', to: 'LISTEN', label: 'rcv RST', bend: 14 },
  { from: 'LISTEN', to: 'SYN_SENT', label: 'SEND / snd SYN' },
  { from: 'SYN_SENT', to: 'SYN_RECV', label: 'rcv SYN / snd SYN,ACK (simultaneous open)' },
  { from: 'SYN_RECV', to: 'ESTABLISHED', label: 'rcv ACK of SYN' },
  { from: 'SYN_SENT', to: 'ESTABLISHED', label: 'rcv SYN,ACK / snd ACK' },
  { from: 'SYN_RECV', to: 'FIN_WAIT_1', label: 'CLOSE / snd FIN' },
  { from: 'ESTABLISHED', to: 'FIN_WAIT_1', label: 'CLOSE / snd FIN' },
  { from: 'ESTABLISHED', to: 'CLOSE_WAIT', label: 'rcv FIN / snd ACK' },
  { from: 'FIN_WAIT_1', to: 'FIN_WAIT_2', label: 'rcv ACK of FIN' },
  { from: 'FIN_WAIT_1', to: 'CLOSING', label: 'rcv FIN / snd ACK (simultaneous close)' },
  { from: 'FIN_WAIT_1', to: 'TIME_WAIT', label: 'rcv FIN and ACK of FIN / snd ACK' },
  { from: 'FIN_WAIT_2', to: 'TIME_WAIT', label: 'rcv FIN / snd ACK' },
  { from: 'CLOSING', to: 'TIME_WAIT', label: 'rcv ACK of FIN' },
  { from: 'CLOSE_WAIT', to: 'LAST_ACK', label: 'CLOSE / snd FIN' },
  { from: 'LAST_ACK', to: 'CLOSED', label: 'rcv ACK of FIN' },
  { from: 'TIME_WAIT', to: 'CLOSED', label: 'timeout (Linux: 60 s; RFC: 2 MSL)' },
  { from: 'FIN_WAIT_2', to: 'CLOSED', label: 'orphan timeout (Linux tcp_fin_timeout, 60 s)', bend: -70 },
];

/** States from which a move to CLOSED is drawn to the top CLOSED node; the rest use the bottom one. */
const OPENING: ReadonlySet<TcpStateName> = new Set(['CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECV']);

function targetNode(from: TcpStateName, to: TcpStateName): NodeId {
  return to === 'CLOSED' && !OPENING.has(from) ? 'CLOSED_END' : to;
}

function isState(value: unknown): value is TcpStateName {
  return typeof value === 'string' && (TCP_STATES as readonly string[]).includes(value);
}

interface Geometry {
  d: string;
  mid: [number, number];
  headFrom: [number, number];
  headTo: [number, number];
}

/** Where the ray from a box's centre towards (dx, dy) leaves the box. */
function boxExit(cx: number, cy: number, dx: number, dy: number): [number, number] {
  const hw = NODE_W / 2 + 3;
  const hh = NODE_H / 2 + 3;
  const s = Math.min(dx === 0 ? Infinity : hw / Math.abs(dx), dy === 0 ? Infinity : hh / Math.abs(dy));
  return [cx + dx * s, cy + dy * s];
}

function edgeGeometry(a: NodeId, b: NodeId, bend: number): Geometry {
  const [ax, ay] = POS[a];
  const [bx, by] = POS[b];
  const dx = bx - ax;
  const dy = by - ay;
  const len = Math.hypot(dx, dy) || 1;
  // Control point off the midpoint along the left-hand normal of a→b, so a→b and b→a with the
  // same bend bulge to opposite sides.
  const cx = (ax + bx) / 2 + (dy / len) * bend * 2;
  const cy = (ay + by) / 2 - (dx / len) * bend * 2;
  const [sx, sy] = boxExit(ax, ay, cx - ax, cy - ay);
  const [ex, ey] = boxExit(bx, by, cx - bx, cy - by);
  const mid: [number, number] = [0.25 * sx + 0.5 * cx + 0.25 * ex, 0.25 * sy + 0.5 * cy + 0.25 * ey];
  return {
    d: `M${n(sx)} ${n(sy)}Q${n(cx)} ${n(cy)} ${n(ex)} ${n(ey)}`,
    mid,
    headFrom: [cx, cy],
    headTo: [ex, ey],
  };
}

export interface StateMachineOptions {
  /** Only this connection ("local:port>remote:port"); default every connection of the host. */
  conn?: string;
  /** Lines in the numbered list under the diagram (default 24). */
  maxSteps?: number;
  /** The page's edition (default English). */
  locale?: Locale;
}

export interface StateStep {
  number: number;
  event: StateEvent;
}

/** The host's state changes in trace order, numbered from 1. */
export function stateSteps(run: ScenarioRun, host: string, conn?: string): StateStep[] {
  return hostStates(run, host, conn).shown.map((event, i) => ({ number: i + 1, event }));
}

/** The host's state events: those drawn, and how many belong to connections with unknown (spoofed) peers. */
function hostStates(run: ScenarioRun, host: string, conn?: string): { shown: StateEvent[]; hidden: number } {
  const all = run.trace.filter((e): e is StateEvent => e.kind === 'state' && e.host === host && (conn === undefined || e.conn === conn));
  const shown = conn === undefined ? all.filter((e) => connWithKnownPeer(run, e.conn)) : all;
  return { shown, hidden: all.length - shown.length };
}

export function renderStateMachine(run: ScenarioRun, host: string, opts: StateMachineOptions = {}): string {
  if (!run.hosts.some((h) => h.name === host) && !run.trace.some((e) => 'host' in e && e.host === host)) {
    throw new Error(`state machine: no host "${host}" in scenario ${run.info.name}`);
  }
  const locale = opts.locale ?? 'en';
  const t = figureStrings(locale);
  const steps = stateSteps(run, host, opts.conn);
  const maxSteps = opts.maxSteps ?? 24;
  for (const { event } of steps) {
    if (!isState(event.from) || !isState(event.to)) {
      throw new Error(`state machine: unknown state in ${JSON.stringify(event.from)} → ${JSON.stringify(event.to)}`);
    }
  }
  const conns = new Set(steps.map((s) => s.event.conn));

  // Edge key → step numbers that took it.
  const taken = new Map<string, number[]>();
  for (const { number, event } of steps) {
    if (event.from === event.to) continue;
    const key = `${event.from}>${event.to}`;
    const list = taken.get(key) ?? [];
    list.push(number);
    taken.set(key, list);
  }
  const standardKeys = new Set(STANDARD_TRANSITIONS.map((t) => `${t.from}>${t.to}`));
  const extra: StandardTransition[] = [...taken.keys()]
    .filter((k) => !standardKeys.has(k))
    .map((k) => {
      const [from, to] = k.split('>') as [TcpStateName, TcpStateName];
      return { from, to, label: t.states.notInRfc, bend: 18 };
    });

  const parts: string[] = [];
  const badges: string[] = [];
  for (const tr of [...STANDARD_TRANSITIONS, ...extra]) {
    const key = `${tr.from}>${tr.to}`;
    const g = edgeGeometry(tr.from, targetNode(tr.from, tr.to), tr.bend ?? 0);
    const numbers = taken.get(key);
    const dataKey = escapeMarkup(key);
    const label = t.transition(key, tr.label);
    if (!numbers) {
      parts.push(
        `<g class="transition" data-edge="${dataKey}"><path class="edge" d="${g.d}"/>${arrowHead(g.headFrom[0], g.headFrom[1], g.headTo[0], g.headTo[1], 'edge-head', 7)}${title(t.states.edgeTitle(tr.from, tr.to, label))}</g>`,
      );
      continue;
    }
    const causes = numbers.map((num) => t.states.stepCause(num, t.cause(steps[num - 1].event.cause)));
    parts.push(
      `<g class="transition taken-edge" data-edge="${dataKey}" data-steps="${numbers.join(',')}"><path class="taken" d="${g.d}"/>${arrowHead(g.headFrom[0], g.headFrom[1], g.headTo[0], g.headTo[1], 'taken-head', 10)}${title(t.states.takenTitle(tr.from, tr.to, label, causes))}</g>`,
    );
    const shown = numbers.length > 3 ? `${numbers.slice(0, 3).join(',')}…` : numbers.join(',');
    const w = Math.max(18, shown.length * 6.4 + 8);
    badges.push(
      `<g class="step-badge" data-steps="${numbers.join(',')}"><rect class="badge" x="${n(g.mid[0] - w / 2)}" y="${n(g.mid[1] - 9)}" width="${n(w)}" height="18" rx="9"/>${text(g.mid[0], g.mid[1] + 3.5, shown, { anchor: 'middle', cls: 'badge-t' })}</g>`,
    );
  }

  const visited = new Set<NodeId>();
  for (const { event } of steps) {
    visited.add(event.from);
    visited.add(targetNode(event.from, event.to));
  }
  const last = steps.length > 0 ? steps[steps.length - 1].event : undefined;
  const finalNode: NodeId | undefined = last ? targetNode(last.from, last.to) : undefined;
  for (const id of Object.keys(POS) as NodeId[]) {
    const state: TcpStateName = id === 'CLOSED_END' ? 'CLOSED' : id;
    const [x, y] = POS[id];
    const cls = ['node'];
    if (visited.has(id)) cls.push('visited');
    const isFinal = id === finalNode;
    if (isFinal) cls.push('final');
    // The Chinese edition writes the textbook name under the Linux one (terminology.yaml).
    const subtitle = t.stateSubtitle(state);
    const name = subtitle
      ? text(x, y - 1.5, state, { anchor: 'middle', cls: visited.has(id) ? 'b' : 'm' }) +
        text(x, y + 10.5, subtitle, { anchor: 'middle', cls: visited.has(id) ? 'sm' : 'sm m' })
      : text(x, y + 4, state, { anchor: 'middle', cls: visited.has(id) ? 'b' : 'm' });
    parts.push(
      `<g class="state-node" data-state="${state}"${id === 'CLOSED_END' ? ' data-copy="true"' : ''}${isFinal ? ' data-final="true"' : ''}>` +
        `<rect class="${cls.join(' ')}" x="${n(x - NODE_W / 2)}" y="${n(y - NODE_H / 2)}" width="${NODE_W}" height="${NODE_H}" rx="6"/>` +
        name +
        (isFinal ? text(x + NODE_W / 2 + 6, y + 4, t.states.end, { cls: 'sm b' }) : '') +
        '</g>',
    );
  }
  parts.push(...badges);

  // The numbered list of steps with their causes: the diagram's key and its text alternative.
  const listed = steps.slice(0, maxSteps);
  let y = DIAGRAM_H + 14;
  parts.push(text(20, y, t.states.heading(t.host(host), steps.length), { cls: 'b' }));
  for (const { number, event } of listed) {
    y += 17;
    const connText = conns.size > 1 ? `  [${event.conn}]` : '';
    parts.push(
      `<g class="step" data-step="${number}">` +
        text(20, y, `${number}.`, { cls: 'b' }) +
        text(46, y, `${event.from} → ${event.to}`, {}) +
        text(236, y, formatTime(event.t, locale), { cls: 'm' }) +
        text(312, y, clip(`${t.cause(event.cause)}${connText}`, 60), {}) +
        '</g>',
    );
  }
  if (steps.length > listed.length) {
    y += 17;
    parts.push(text(20, y, t.states.more(steps.length - listed.length), { cls: 'm' }));
  }
  const hidden = hostStates(run, host, opts.conn).hidden;
  if (hidden > 0) {
    y += 17;
    parts.push(text(20, y, t.states.hidden(hidden), { cls: 'm' }));
  }
  if (steps.length === 0) {
    y += 17;
    parts.push(text(20, y, t.states.noneRecorded, { cls: 'm' }));
  }

  const path = steps.length
    ? `${steps[0].event.from} → ${steps.map((s) => s.event.to).join(' → ')}`
    : t.states.nonePath;
  const label = t.states.label(t.host(host), t.scenarioTitle(run.info.name, run.info.title), path);
  return svgRoot(WIDTH, y + 16, label, parts.join(''), 'fig-states');
}
