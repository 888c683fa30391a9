/**
 * Runs a suite's registered tests and returns the results document. Runtime-independent: Node
 * (in-process or in the sandboxed child), a Web Worker and a WebContainer call the same function.
 */
import { TestContext } from './context.ts';
import { labSide } from './side.ts';
import type { RegisteredTest, SuiteRegistry } from './registry.ts';
import type { LabMeta } from './definition.ts';
import { scoreTasks, type ResultsDocument, type TestResult } from './results.ts';

export interface RunOptions {
  seed?: number;
  /**
   * Run only the tests of these names (in the suite's order); the document then scores those
   * alone. A reference trace of one test runs that test, not the suite.
   */
  only?: readonly string[];
  /** Keep the trace of passing tests too (by default only a failure's is kept): the reference run drawn beside a failure passes. */
  keepTraces?: boolean;
  /** Called before each test (the sandboxed child reports progress so a timeout can name the test). */
  onTestStart?: (name: string, index: number) => void;
  /** Called after each test with its result. */
  onTestEnd?: (result: TestResult) => void;
  /** Fail a test whose stack breaks invariantViolations(host) after any step (authoring runs of the reference). */
  checkInvariants?: boolean;
}

interface Failure {
  message: string;
  expected?: string;
  actual?: string;
  report?: string;
  steps?: TestResult['steps'];
}

/**
 * What went wrong, in words for the learner. What a test throws may come from the learner's code
 * (any value, with getters, a Proxy, a toJSON): only strings and numbers read from it go into the
 * results document, and if reading it throws, that is the message.
 */
export function describeError(err: unknown): Failure {
  try {
    const f = describeUnsafe(err);
    const text = (v: unknown) => (v === undefined ? undefined : String(v));
    return {
      message: String(f.message),
      expected: text(f.expected),
      actual: text(f.actual),
      report: text(f.report),
      steps: Array.isArray(f.steps) ? Array.from(f.steps, (s) => ({ n: Number(s.n), kind: s.kind === 'expect' ? 'expect' : 'action', t: s.t === undefined ? undefined : Number(s.t), text: String(s.text), ok: s.ok === true })) : undefined,
    };
  } catch {
    return { message: 'your code threw something that cannot be described (reading it threw again)' };
  }
}

function describeUnsafe(err: unknown): Failure {
  if (typeof err === 'object' && err !== null) {
    const e = err as { name?: string; message?: string; task?: string; detail?: { message: string; expected?: string; actual?: string }; steps?: TestResult['steps'] };
    if (e.name === 'TcpTestFailure' && e.detail) {
      return { message: e.detail.message, expected: e.detail.expected, actual: e.detail.actual, report: e.message, steps: e.steps?.map((s) => ({ ...s })) };
    }
    if (e.name === 'NotImplementedError' && typeof e.task === 'string') return { message: `not implemented yet: ${e.task}` };
    if (e.name === 'RunawayError') return { message: String(e.message) };
    if (typeof e.message === 'string') {
      const where = err instanceof Error && err.stack ? firstFrame(err.stack) : '';
      return { message: `your code threw ${e.name ?? 'an error'}: ${e.message}${where ? ` (${where})` : ''}` };
    }
  }
  return { message: `your code threw ${String(err)}` };
}

function firstFrame(stack: string): string {
  const line = stack.split('\n').find((l) => /\.(learner|reference)\.(ts|js)/.test(l) || /stack\/core\//.test(l));
  if (!line) return '';
  const m = /([\w.-]+\.(?:ts|js)):(\d+)/.exec(line);
  return m ? `at ${m[1].replace(/\.learner\./, '.')}:${m[2]}` : '';
}

/** performance.now() where the runtime has it (Node, workers, browsers), else Date.now(); no DOM or Node types needed. */
const clock = (globalThis as { performance?: { now(): number } }).performance;
function now(): number {
  return clock ? clock.now() : Date.now();
}

function runOne(test: RegisteredTest, seed: number, index: number, traces: ResultsDocument['traces'], keepTrace: boolean, checkInvariants: boolean): TestResult {
  const t = new TestContext(seed, checkInvariants);
  labSide.learner = true;
  const start = now();
  let failure: Failure | null = null;
  try {
    test.fn(t);
    t.finish();
  } catch (err) {
    failure = describeError(err);
  } finally {
    labSide.learner = true;
    labSide.referenceOnly.clear();
  }
  const duration_ms = Math.round((now() - start) * 100) / 100;
  const lastSteps = t.harnesses.length ? t.harnesses[t.harnesses.length - 1].stepList() : [];
  const steps = (failure?.steps ?? lastSteps).map((s) => ({ n: s.n, kind: s.kind, t: s.t, text: s.text, ok: s.ok }));
  let trace_ref: string | null = null;
  const trace = failure || keepTrace ? t.trace() : [];
  if (trace.length) {
    trace_ref = `t${index + 1}`;
    traces[trace_ref] = trace;
  }
  return {
    name: test.name,
    task_id: test.task,
    status: failure ? 'fail' : 'pass',
    message: failure ? failure.message : null,
    ...(failure?.expected !== undefined ? { expected: failure.expected } : {}),
    ...(failure?.actual !== undefined ? { actual: failure.actual } : {}),
    ...(failure?.report !== undefined ? { report: failure.report } : {}),
    steps,
    trace_ref,
    seed,
    duration_ms,
  };
}

/** Runs the tests a suite module registered into `registry` (see ./load-suite.ts). */
export function runSuite(lab: Pick<LabMeta, 'slug' | 'tasks'>, registry: SuiteRegistry, options: RunOptions = {}): ResultsDocument {
  const seed = options.seed ?? 1;
  const suite = registry.suite;
  const known = new Set(lab.tasks.map((t) => t.id));
  for (const t of registry.tests) {
    if (!known.has(t.task)) throw new Error(`test "${t.name}" is for task ${t.task}, but lab ${lab.slug} has tasks ${[...known].join(', ')}`);
  }
  const only = options.only ? new Set(options.only) : null;
  for (const name of only ?? []) {
    if (!registry.tests.some((t) => t.name === name)) throw new Error(`the ${suite} tests of lab ${lab.slug} have no test named "${name}"`);
  }
  const traces: ResultsDocument['traces'] = {};
  const results: TestResult[] = [];
  // The index is the test's place in the suite even when `only` skips some, so a trace_ref names
  // the same test in every run.
  registry.tests.forEach((test, i) => {
    if (only && !only.has(test.name)) return;
    options.onTestStart?.(test.name, i);
    const r = runOne(test, seed, i, traces, options.keepTraces === true, options.checkInvariants === true);
    results.push(r);
    options.onTestEnd?.(r);
  });
  const tasks = scoreTasks(lab.tasks, results, (name) => registry.scoring(name));
  const points = Math.round(tasks.reduce((n, t) => n + t.points, 0) * 100) / 100;
  const max = tasks.reduce((n, t) => n + t.max, 0);
  return {
    version: 1,
    lab: lab.slug,
    suite,
    status: results.length > 0 && results.every((r) => r.status === 'pass') && tasks.every((t) => t.total > 0) ? 'pass' : 'fail',
    seed,
    score: { points, max },
    tasks,
    tests: results,
    traces,
    message: results.length === 0 ? `suite "${suite}" of lab ${lab.slug} registered no tests` : null,
  };
}
