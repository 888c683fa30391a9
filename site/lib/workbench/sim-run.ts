/**
 * One `sim` of the workbench terminal: a named scenario run on the stack as the worker holds it
 * (the learner's files in place of the stack's, unless the reference is asked for), rendered by
 * the stack's own CLI renderers — the text diagram, `ss`, the nstat counters — and captured as
 * pcap bytes by stack/core/wire/pcap.ts. The modules come through `load` (the worker's module
 * map), so this file imports only types.
 */
import type * as Scenarios from '../../../stack/core/scenarios/index.ts';
import type * as TextDiagram from '../../../stack/core/observe/text-diagram.ts';
import type * as Pcap from '../../../stack/core/wire/pcap.ts';
import type { SsRow } from '../../../stack/core/scenarios/types.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

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
