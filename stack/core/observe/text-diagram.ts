/**
 * A scenario run as a text sequence diagram, for terminals (the sim CLI, the workbench's xterm):
 * one line per event in time order, the two lanes' states on the left and right, segments as
 * arrows labelled in packetdrill style with relative numbers.
 */
import type { ScenarioRun } from '../scenarios/types.ts';
import type { SegmentEvent, TraceEvent } from './trace.ts';
import { formatOptions } from '../wire/format.ts';

const LANE = 14;
const MIDDLE = 58;

function fmtTime(ms: number): string {
  return `${(ms / 1000).toFixed(3).padStart(10)} s`;
}

function label(e: SegmentEvent): string {
  // Options matter on SYNs; on every other segment they are the same timestamps over and over.
  const opts = e.options.length && e.flags.includes('S') ? ` ${formatOptions(e.options)}` : '';
  const ack = e.flags.includes('.') ? ` ack ${e.relAck}` : '';
  return `${e.flags} ${e.relSeq}:${(e.relSeq + e.len) >>> 0}(${e.len})${ack} win ${e.win}${opts}`;
}

function arrow(text: string, rightward: boolean, fate: SegmentEvent['fate']): string {
  const lost = fate !== 'delivered' && fate !== 'corrupt';
  const body = ` ${text} `;
  const room = Math.max(4, MIDDLE - body.length);
  const left = Math.floor(room / 2);
  const right = room - left;
  if (rightward) return `${'─'.repeat(left)}${body}${'─'.repeat(Math.max(1, right - 1))}${lost ? '✗' : '▶'}`;
  return `${lost ? '✗' : '◀'}${'─'.repeat(Math.max(1, left - 1))}${body}${'─'.repeat(right)}`;
}

export function renderTextDiagram(run: ScenarioRun, opts: { maxLines?: number } = {}): string {
  const [l, r] = run.info.lanes;
  const addr = (h: string) => run.hosts.find((x) => x.name === h)?.addr ?? '';
  const out: string[] = [];
  out.push(`${run.info.name} — ${run.info.title} (seed ${run.seed}${Object.keys(run.sysctls).length ? `, ${Object.entries(run.sysctls).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''})`);
  out.push(`${' '.repeat(13)}${`${l} ${addr(l)}`.padEnd(LANE + 2)}${' '.repeat(MIDDLE - 12)}${`${r} ${addr(r)}`}`);
  const lanes = new Set([l, r]);
  let others = 0;
  let othersFrom = Infinity;
  let othersTo = 0;
  const maxLines = opts.maxLines ?? 2000;
  let lines = 0;
  const push = (t: number, left: string, mid: string, right: string) => {
    if (lines++ >= maxLines) return;
    out.push(`${fmtTime(t)}  ${left.padEnd(LANE)}${mid.padEnd(MIDDLE + 2)}${right}`);
  };
  let primaryConn: Record<string, string> = {};
  for (const e of run.trace as TraceEvent[]) {
    if (e.kind === 'segment') {
      const between = lanes.has(e.from) && e.to !== null && lanes.has(e.to);
      if (!between) {
        others++;
        othersFrom = Math.min(othersFrom, e.t);
        othersTo = Math.max(othersTo, e.t);
        continue;
      }
      const rightward = e.from === l;
      const note = e.fate === 'delivered' ? '' : e.fate === 'corrupt' ? ' (corrupted)' : ` (${e.fate})`;
      push(e.t, '', arrow(label(e), rightward, e.fate), note ? note.trim() : '');
    } else if (e.kind === 'state' && lanes.has(e.host)) {
      // Only the connection between the two lanes (and listeners) is drawn; floods stay readable.
      const isListener = !e.conn.includes('>');
      if (!isListener) {
        const peerAddr = e.conn.split('>')[1]?.split(':')[0];
        const other = e.host === l ? r : l;
        if (peerAddr !== addr(other)) continue;
        primaryConn[e.host] = e.conn;
      }
      const text = `${e.to}`;
      if (e.host === l) push(e.t, text, `  (${e.cause})`, '');
      else push(e.t, '', `${' '.repeat(Math.max(0, MIDDLE - e.cause.length - 4))}(${e.cause})`, text);
    } else if (e.kind === 'syscall' && lanes.has(e.host) && !/^(socket|bind|setsockopt|fcntl|getsockopt)\(/.test(e.call)) {
      const text = `${e.call} = ${e.result}`;
      if (e.host === l) push(e.t, '', `  ${text}`, '');
      else push(e.t, '', `${' '.repeat(Math.max(0, MIDDLE - text.length - 2))}${text}`, '');
    } else if (e.kind === 'note' && e.host && lanes.has(e.host) && !e.text.startsWith('dropped a malformed')) {
      push(e.t, '', `  [${e.host}] ${e.text}`, '');
    }
  }
  void primaryConn;
  if (lines > maxLines) out.push(`… ${lines - maxLines} more lines`);
  if (others) out.push(`\n(${others} segments to or from other hosts between ${(othersFrom / 1000).toFixed(3)} s and ${(othersTo / 1000).toFixed(3)} s not drawn)`);
  return `${out.join('\n')}\n`;
}
