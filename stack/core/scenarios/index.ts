/**
 * Running a named scenario: the same code serves `npm run sim`, the chapters' figures (at build
 * time and in the page), the tests and the labs' reference runs.
 */
import { World } from '../world.ts';
import { formatAddr } from '../wire/format.ts';
import { ssRows } from '../observe/ss.ts';
import { parseFaultRule } from '../sim/network.ts';
import { UnknownSysctlError, sysctlSpec } from '../tcp/sysctl.ts';
import { SCENARIOS, type ScenarioDef } from './catalog.ts';
import type { Metrics } from './kit.ts';
import type { ScenarioInfo, ScenarioOptions, ScenarioRun } from './types.ts';

export type { ScenarioInfo, ScenarioOptions, ScenarioRun } from './types.ts';

export class UnknownScenarioError extends Error {
  constructor(readonly scenario: string) {
    super(`unknown scenario "${scenario}" (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  }
}

function info(d: ScenarioDef): ScenarioInfo {
  return { name: d.name, chapter: d.chapter, title: d.title, description: d.description, lanes: d.lanes, duration: d.duration };
}

export function listScenarios(): ScenarioInfo[] {
  return SCENARIOS.map(info);
}

export function findScenario(name: string): ScenarioDef {
  const d = SCENARIOS.find((s) => s.name === name);
  if (!d) throw new UnknownScenarioError(name);
  return d;
}

export interface RunOptions extends ScenarioOptions {
  /** Extra fault rules ("drop F from client"), added after the scenario's own. */
  faults?: string[];
  /** Run to this time instead of the scenario's duration (ms). */
  until?: number;
  /** Also return the World (Node tools use it for pcap export). */
  keepWorld?: boolean;
  /** Called once the world is built, before it runs (captures, extra instrumentation). */
  onWorld?: (world: World) => void;
}

export function runScenario(name: string, options: RunOptions = {}): ScenarioRun & { world?: World } {
  const def = findScenario(name);
  const seed = options.seed ?? 1;
  const sysctls = { ...(def.sysctls ?? {}), ...(options.sysctls ?? {}) };
  for (const k of Object.keys(sysctls)) if (!sysctlSpec(k)) throw new UnknownSysctlError(k);
  const faults = [...(def.faults ?? []), ...(options.faults ?? [])].map((f) => parseFaultRule(f));
  const world = new World({ seed, sysctls, maxTracedSegments: options.maxTracedSegments });
  const metrics: Metrics = {};
  const finish = def.build(world, metrics);
  for (const f of faults) world.network.addFault(f);
  options.onWorld?.(world);
  const end = options.until ?? def.duration;
  world.runUntil(end);
  if (finish) finish();
  const nstat: Record<string, Record<string, number>> = {};
  const ss: ScenarioRun['ss'] = {};
  const hosts: ScenarioRun['hosts'] = [];
  for (const [hname, h] of world.hosts) {
    nstat[hname] = Object.fromEntries(Object.entries(h.mib.counts).filter(([, v]) => v)) as Record<string, number>;
    ss[hname] = ssRows(h);
    hosts.push({ name: hname, addr: formatAddr(h.addr) });
    if (h.faults.length) metrics[`${hname}Faults`] = h.faults.map((f) => `${f.where}: ${f.message}`).join('; ');
  }
  const run: ScenarioRun & { world?: World } = {
    info: info(def),
    seed,
    sysctls,
    hosts,
    trace: world.trace.events,
    endTime: end,
    nstat,
    ss,
    metrics,
  };
  if (options.keepWorld) run.world = world;
  return run;
}
