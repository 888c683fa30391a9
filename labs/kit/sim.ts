/**
 * One `sim` of the workbench terminal: a named scenario run on the stack as `load` holds it (the
 * learner's files in place of the stack's, unless the reference is asked for), rendered by the
 * stack's own CLI renderers — the text diagram, `ss`, the nstat counters — and captured as pcap
 * bytes by stack/core/wire/pcap.ts. The modules come through `load` (a module map: the page's
 * worker, the course server's reference stack, or the sandboxed child's namespaces), so this file
 * imports only types and runs in all three.
 */
import type * as Scenarios from '../../stack/core/scenarios/index.ts';
import type * as TextDiagram from '../../stack/core/observe/text-diagram.ts';
import type * as Pcap from '../../stack/core/wire/pcap.ts';
import type { SsRow } from '../../stack/core/scenarios/types.ts';
import type { TraceEvent } from '../../stack/core/observe/trace.ts';

export interface SimRequest {
  scenario: string;
  seed: number;
  /** Integer knobs, as `npm run sim -- --sysctl name=value`. */
  sysctls: Record<string, number>;
  /** Fault rules ("drop F from client"), added after the scenario's own. */
  faults: string[];
  /** Run the reference stack instead of the learner's files. */
  reference: boolean;
}

export interface SimResult {
  scenario: string;
  title: string;
  diagram: string;
  endTime: number;
  ss: Record<string, SsRow[]>;
  nstat: Record<string, Record<string, number>>;
  trace: TraceEvent[];
  pcap: Uint8Array;
  packets: number;
}

export type SimReply = { ok: true; result: SimResult } | { ok: false; error: string };

export interface ScenarioListing {
  name: string;
  chapter: string;
  title: string;
}

export function listScenarioNames(load: (path: string) => unknown): ScenarioListing[] {
  const { listScenarios } = load('stack/core/scenarios/index.ts') as typeof Scenarios;
  return listScenarios().map(({ name, chapter, title }) => ({ name, chapter, title }));
}

export function simulate(load: (path: string) => unknown, request: SimRequest): SimReply {
  const { runScenario } = load('stack/core/scenarios/index.ts') as typeof Scenarios;
  const { renderTextDiagram } = load('stack/core/observe/text-diagram.ts') as typeof TextDiagram;
  const { encodePcap } = load('stack/core/wire/pcap.ts') as typeof Pcap;
  const packets: Pcap.PcapRecord[] = [];
  try {
    const run = runScenario(request.scenario, {
      seed: request.seed,
      sysctls: request.sysctls,
      faults: request.faults,
      // As stack/node/capture.ts: every packet at its sender, what tcpdump on that interface sees.
      onWorld(world) {
        const send = world.network.send.bind(world.network);
        world.network.send = (from, packet, seg) => {
          packets.push({ t: world.now, bytes: packet.slice() });
          send(from, packet, seg);
        };
      },
    });
    return {
      ok: true,
      result: {
        scenario: request.scenario,
        title: run.info.title,
        diagram: renderTextDiagram(run),
        endTime: run.endTime,
        ss: run.ss,
        nstat: run.nstat,
        trace: run.trace,
        pcap: encodePcap(packets),
        packets: packets.length,
      },
    };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

// ---------------------------------------------------------------------------------------------
// On the wire (the sandboxed child → the course server → the page): JSON, the pcap as base64.

export type SimWireResult = Omit<SimResult, 'pcap'> & { pcap: string };
export type SimWireReply = { ok: true; result: SimWireResult } | { ok: false; error: string };

/**
 * What a sim's answer may weigh: its pcap, and all of it as JSON (diagram, tables, trace). The
 * largest scenario, syn-flood, is 2.0 MB of pcap (base64) and 9.8 MB in all at seed 1.
 */
export const SIM_PCAP_LIMIT_BYTES = 8 * 1024 * 1024;
export const SIM_ANSWER_LIMIT_BYTES = 16 * 1024 * 1024;

// Base64 by hand: btoa/atob are not ES2022 (the kit is type-checked without Node or DOM types,
// and it runs in Node, a Web Worker and a WebContainer alike).
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function toBase64(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out.push(
      BASE64[n >> 18],
      BASE64[(n >> 12) & 63],
      i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : '=',
      i + 2 < bytes.length ? BASE64[n & 63] : '=',
    );
  }
  return out.join('');
}

const isBase64 = (text: string): boolean => text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);

function fromBase64(text: string): Uint8Array {
  if (!isBase64(text)) throw new Error('the pcap is not valid base64');
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - pad);
  let j = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n = (BASE64.indexOf(text[i]) << 18) | (BASE64.indexOf(text[i + 1]) << 12) | ((BASE64.indexOf(text[i + 2]) & 63) << 6) | (BASE64.indexOf(text[i + 3]) & 63);
    if (j < bytes.length) bytes[j++] = n >> 16;
    if (j < bytes.length) bytes[j++] = (n >> 8) & 255;
    if (j < bytes.length) bytes[j++] = n & 255;
  }
  return bytes;
}

export function simToWire(reply: SimReply): SimWireReply {
  if (!reply.ok) return { ok: false, error: String(reply.error) };
  return { ok: true, result: { ...reply.result, pcap: toBase64(reply.result.pcap) } };
}

export function simFromWire(wire: SimWireReply): SimReply {
  if (!wire.ok) return wire;
  return { ok: true, result: { ...wire.result, pcap: fromBase64(wire.result.pcap) } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A sim answer from across a boundary (the sandboxed child, which ran learner code; the course
 * server, for the page), checked: the expected fields of the expected types and sizes, copied
 * field by field so nothing else rides along. Returns the reason when it is not one.
 */
export function checkSimWire(raw: unknown): SimWireReply | string {
  if (!isRecord(raw)) return 'the sim returned a malformed answer';
  if (raw.ok === false) return typeof raw.error === 'string' ? { ok: false, error: raw.error.slice(0, 2000) } : 'the sim returned a malformed error';
  const r = raw.result;
  if (raw.ok !== true || !isRecord(r)) return 'the sim returned a malformed answer';
  const numbersByHost = (v: unknown) => isRecord(v) && Object.values(v).every((c) => isRecord(c) && Object.values(c).every((n) => typeof n === 'number'));
  const rowsByHost = (v: unknown) => isRecord(v) && Object.values(v).every((rows) => Array.isArray(rows) && rows.every(isRecord));
  if (typeof r.scenario !== 'string' || typeof r.title !== 'string' || typeof r.diagram !== 'string' || typeof r.endTime !== 'number' || typeof r.packets !== 'number') {
    return 'the sim returned a malformed answer';
  }
  if (!rowsByHost(r.ss) || !numbersByHost(r.nstat) || !Array.isArray(r.trace) || !r.trace.every(isRecord)) return 'the sim returned malformed tables or trace';
  if (typeof r.pcap !== 'string' || !isBase64(r.pcap)) return "the sim's capture is malformed";
  if ((r.pcap.length / 4) * 3 > SIM_PCAP_LIMIT_BYTES) return `this sim's capture is larger than ${SIM_PCAP_LIMIT_BYTES / 1024 / 1024} MB; try a shorter run`;
  const result: SimWireResult = {
    scenario: r.scenario,
    title: r.title,
    diagram: r.diagram,
    endTime: r.endTime,
    ss: r.ss as SimResult['ss'],
    nstat: r.nstat as SimResult['nstat'],
    trace: r.trace as unknown as TraceEvent[],
    pcap: r.pcap,
    packets: r.packets,
  };
  if (JSON.stringify(result).length > SIM_ANSWER_LIMIT_BYTES) return `this sim's answer is larger than ${SIM_ANSWER_LIMIT_BYTES / 1024 / 1024} MB; try a shorter run`;
  return { ok: true, result };
}
