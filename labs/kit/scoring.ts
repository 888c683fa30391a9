/**
 * How a lab test counts toward its task's points. Lab suites register tests with this `labTest`
 * (the registry's, with two more options); `scoreTasks` (results.ts) reads what it recorded.
 *
 * - `guard: true` marks a test that checks a rejection or a silence: "a RST with a bad ACK is
 *   ignored", "nothing is sent". An empty or constant implementation passes such tests without any
 *   work, so a guard earns its points only in proportion to the task's behaviour tests (the ones
 *   that need the code to act) that pass: with none of them passing, the guards earn nothing.
 * - `weight` (default 1) makes a test count more, or less, within its task: a blind-attack check
 *   outweighs the name of a counter.
 */
import { labTest as registerTest } from './registry.ts';
import type { LabTestContext } from './context.ts';

export interface ScoredTestOptions {
  /** The task (lab.yaml `tasks[].id`) this test grades. */
  task: number;
  /** A rejection or silence check: it counts only as far as the task's behaviour tests pass. */
  guard?: boolean;
  /** Share of the task's points relative to its other tests (default 1). */
  weight?: number;
}

export interface TestScoring {
  guard: boolean;
  weight: number;
}

/** Keyed by test name (unique within a suite; a name used by both suites is scored alike). */
const scoring = new Map<string, TestScoring>();

export function labTest(name: string, options: ScoredTestOptions, fn: (t: LabTestContext) => void): void {
  const weight = options?.weight ?? 1;
  if (!(typeof weight === 'number' && Number.isFinite(weight) && weight > 0)) throw new Error(`labTest("${name}"): weight must be a positive number`);
  if (options?.guard !== undefined && typeof options.guard !== 'boolean') throw new Error(`labTest("${name}"): guard must be true or false`);
  registerTest(name, { task: options.task }, fn);
  const mine: TestScoring = { guard: options.guard === true, weight };
  const before = scoring.get(name);
  if (before && (before.guard !== mine.guard || before.weight !== mine.weight)) {
    throw new Error(`labTest("${name}"): a test of this name in another suite is scored differently (guard ${before.guard}, weight ${before.weight})`);
  }
  scoring.set(name, mine);
}

/** How `name` counts: registered through this module, or a plain behaviour test of weight 1. */
export function testScoring(name: string): TestScoring {
  return scoring.get(name) ?? { guard: false, weight: 1 };
}
