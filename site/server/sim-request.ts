/**
 * POST /api/sim's request, checked before anything runs: the terminal's `sim` as the page's shell
 * builds it (shell.ts), with the learner's files unless it asks for the reference. The knobs are
 * checked as `sysctl -w` checks them (a known name, one integer, within the knob's range), fault
 * rules by the stack's own parser, and each list is bounded, so a request cannot make the sandbox
 * start for something that can only fail, nor carry more than a terminal line would.
 */
import { sysctlSpec } from '../../stack/core/tcp/sysctl.ts';
import { parseFaultRule } from '../../stack/core/sim/faults.ts';
import type { LabDefinition } from '../../labs/kit/definition.ts';
import type { SimRequest } from '../../labs/kit/sim.ts';

export const MAX_SIM_SYSCTLS = 32;
export const MAX_SIM_FAULTS = 16;
export const MAX_FAULT_RULE_CHARS = 200;
/** Seeds are 32-bit in the stack's generator; the shell's digits may be anything. */
export const MAX_SIM_SEED = 0xffff_ffff;

export type ParsedSim = { request: SimRequest; files: Map<string, string> | null } | { error: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `scenarios` are the names the stack knows; `def` the lab whose files a learner's run carries.
 * A `--reference` run needs no files and takes none (the files it would carry are ignored).
 */
export function parseSimRequest(body: unknown, def: LabDefinition, scenarios: readonly string[]): ParsedSim {
  if (!isRecord(body)) return { error: 'the request must be a JSON object {lab, scenario, seed, sysctls, faults, reference, files}' };
  const { scenario, seed, sysctls, faults, reference, files } = body;
  if (typeof scenario !== 'string' || !scenarios.includes(scenario)) {
    // In the stack's own words (UnknownScenarioError), as the page's worker would say it.
    return { error: `unknown scenario ${JSON.stringify(typeof scenario === 'string' ? scenario.slice(0, 60) : scenario ?? null)} (known: ${scenarios.join(', ')})` };
  }
  if (!Number.isSafeInteger(seed) || (seed as number) < 0 || (seed as number) > MAX_SIM_SEED) return { error: `seed must be a whole number from 0 to ${MAX_SIM_SEED}` };
  if (typeof reference !== 'boolean') return { error: 'reference must be true or false' };
  if (!isRecord(sysctls)) return { error: 'sysctls must map knob names to integers' };
  const knobs = Object.entries(sysctls);
  if (knobs.length > MAX_SIM_SYSCTLS) return { error: `at most ${MAX_SIM_SYSCTLS} sysctls per sim` };
  const checkedKnobs: Record<string, number> = {};
  for (const [name, value] of knobs) {
    const spec = sysctlSpec(name);
    if (!spec) return { error: `unknown sysctl "${name.slice(0, 80)}"` };
    if (Array.isArray(spec.default)) return { error: `${name} takes several numbers; sim runs take integer knobs only` };
    if (!Number.isSafeInteger(value) || (value as number) < spec.min || (value as number) > spec.max) return { error: `${name}: invalid value (an integer from ${spec.min} to ${spec.max})` };
    checkedKnobs[name] = value as number;
  }
  if (!Array.isArray(faults) || faults.length > MAX_SIM_FAULTS) return { error: `faults must be a list of at most ${MAX_SIM_FAULTS} rules` };
  for (const rule of faults) {
    if (typeof rule !== 'string' || rule.length > MAX_FAULT_RULE_CHARS) return { error: `each fault rule is text of at most ${MAX_FAULT_RULE_CHARS} characters` };
    try {
      parseFaultRule(rule);
    } catch (error) {
      return { error: (error as Error).message };
    }
  }
  const request: SimRequest = { scenario, seed: seed as number, sysctls: checkedKnobs, faults: [...(faults as string[])], reference };
  if (reference) return { request, files: null };
  if (!isRecord(files)) return { error: 'files must map the lab\'s file paths to their text' };
  const out = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) {
    if (!def.files.includes(path)) return { error: `${path.slice(0, 200)} is not a file of lab ${def.slug} (its files: ${def.files.join(', ')})` };
    if (typeof text !== 'string') return { error: `${path} must be text` };
    out.set(path, text);
  }
  for (const path of def.files) if (!out.has(path)) return { error: `the request has no copy of ${path}` };
  return { request, files: out };
}
