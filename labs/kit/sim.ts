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

// btoa/atob take "binary strings"; chunks keep String.fromCharCode's argument list short.
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
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
  if (typeof r.pcap !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(r.pcap) || r.pcap.length % 4 !== 0) return "the sim's capture is malformed";
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
