/**
 * Test registration for lab suites: `labTest(name, { task }, fn)`. No test framework: the same
 * modules run under Node, in a Web Worker and in a WebContainer. A suite file registers its tests
 * when it is imported; runners call `beginSuite()` first and `suiteTests()` after.
 */
import type { LabTestContext } from './context.ts';

export interface LabTestOptions {
  /** The task (lab.yaml `tasks[].id`) this test grades. */
  task: number;
}

export interface RegisteredTest {
  name: string;
  task: number;
  suite: string;
  fn: (t: LabTestContext) => void;
}

const tests: RegisteredTest[] = [];
let currentSuite = 'default';

export function labTest(name: string, options: LabTestOptions, fn: (t: LabTestContext) => void): void {
  if (typeof name !== 'string' || name.trim() === '') throw new Error('labTest(): a test needs a name that tells the learner what it checks');
  if (!options || !Number.isInteger(options.task) || options.task < 1) throw new Error(`labTest("${name}"): { task } must be the task number from lab.yaml`);
  if (typeof fn !== 'function') throw new Error(`labTest("${name}"): the third argument must be the test function`);
  if (tests.some((t) => t.suite === currentSuite && t.name === name)) throw new Error(`labTest("${name}"): two tests of suite "${currentSuite}" have this name`);
  tests.push({ name, task: options.task, suite: currentSuite, fn });
}

/** Tests registered from now on belong to `suite` ("visible", "hidden"). */
export function beginSuite(suite: string): void {
  currentSuite = suite;
}

export function suiteTests(suite: string): RegisteredTest[] {
  return tests.filter((t) => t.suite === suite);
}
