/**
 * Test registration for lab suites: `labTest(name, { task }, fn)`. No test framework: the same
 * modules run under Node, in a Web Worker and in a WebContainer. A suite file registers its tests
 * when it is imported, into the registry the runner's `beginSuite()` returned just before (see
 * ./load-suite.ts); `runSuite` then runs what that registry holds. A registry per import, not one
 * list per module instance, so two loads in one module graph never see each other's tests.
 */
import type { LabTestContext } from './context.ts';

export interface LabTestOptions {
  /** The task (lab.yaml `tasks[].id`) this test grades. */
  task: number;
  /** A rejection or silence check: it counts only as far as the task's behaviour tests pass (./scoring.ts). */
  guard?: boolean;
  /** Share of the task's points relative to its other tests (default 1). */
  weight?: number;
}

export interface TestScoring {
  guard: boolean;
  weight: number;
}

export type Suite = 'visible' | 'hidden';

export interface RegisteredTest extends TestScoring {
  name: string;
  task: number;
  suite: Suite;
  fn: (t: LabTestContext) => void;
}

/** The tests one import of a suite module registered, in file order. */
export class SuiteRegistry {
  readonly tests: RegisteredTest[] = [];

  constructor(readonly suite: Suite) {}

  add(name: string, options: LabTestOptions, fn: (t: LabTestContext) => void): void {
    if (typeof name !== 'string' || name.trim() === '') throw new Error('labTest(): a test needs a name that tells the learner what it checks');
    if (!options || !Number.isInteger(options.task) || options.task < 1) throw new Error(`labTest("${name}"): { task } must be the task number from lab.yaml`);
    if (typeof fn !== 'function') throw new Error(`labTest("${name}"): the third argument must be the test function`);
    const weight = options.weight ?? 1;
    if (!(typeof weight === 'number' && Number.isFinite(weight) && weight > 0)) throw new Error(`labTest("${name}"): weight must be a positive number`);
    if (options.guard !== undefined && typeof options.guard !== 'boolean') throw new Error(`labTest("${name}"): guard must be true or false`);
    if (this.tests.some((t) => t.name === name)) throw new Error(`labTest("${name}"): two tests of suite "${this.suite}" have this name`);
    this.tests.push({ name, task: options.task, suite: this.suite, fn, guard: options.guard === true, weight });
  }

  /** How the test `name` counts; a name this suite never registered counts as a plain behaviour test. */
  scoring(name: string): TestScoring {
    const t = this.tests.find((x) => x.name === name);
    return t ? { guard: t.guard, weight: t.weight } : { guard: false, weight: 1 };
  }
}

let current: SuiteRegistry | null = null;

export function labTest(name: string, options: LabTestOptions, fn: (t: LabTestContext) => void): void {
  if (!current) throw new Error(`labTest("${name}"): no suite is being loaded — a runner calls beginSuite() before it imports a suite (labs/kit/load-suite.ts)`);
  current.add(name, options, fn);
}

/** Tests registered from now on belong to `suite` and land in the registry returned. */
export function beginSuite(suite: Suite): SuiteRegistry {
  if (suite !== 'visible' && suite !== 'hidden') throw new Error(`beginSuite(): a suite is "visible" or "hidden", not ${JSON.stringify(suite)}`);
  current = new SuiteRegistry(suite);
  return current;
}
