/**
 * The results document every runner returns (labs/README.md, "Results document"), checked on the
 * way in: a runner is another process, another machine or the learner's own code in a worker, so
 * the page never trusts its shape. A malformed document becomes an `error` result that says what
 * was wrong instead of a blank panel.
 */
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

export type ResultStatus = 'pass' | 'fail' | 'error';
export type Suite = 'visible' | 'hidden';

export interface ResultStep {
  n: number;
  kind: 'action' | 'expect' | string;
  text: string;
  ok: boolean;
}

export interface TestResult {
  name: string;
  task_id: number;
  status: ResultStatus;
  message: string | null;
  steps: ResultStep[];
  trace_ref: string | null;
  seed: number;
  duration_ms: number;
}

export interface TaskResult {
  id: number;
  title: string;
  status: ResultStatus;
  points: number;
  max: number;
}

export interface ResultsDocument {
  version: 1;
  lab: string;
  suite: Suite;
  status: ResultStatus;
  seed: number;
  score: { points: number; max: number };
  tasks: TaskResult[];
  tests: TestResult[];
  traces: Record<string, TraceEvent[]>;
  message: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STATUSES: readonly string[] = ['pass', 'fail', 'error'];

/** Every problem with a would-be results document; empty when it is usable. */
export function resultsProblems(value: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(value)) return ['the runner did not return a JSON object'];
  if (value.version !== 1) problems.push(`version must be 1 (got ${JSON.stringify(value.version)})`);
  if (typeof value.lab !== 'string') problems.push('lab must be a string');
  if (value.suite !== 'visible' && value.suite !== 'hidden') problems.push('suite must be "visible" or "hidden"');
  if (!STATUSES.includes(value.status as string)) problems.push('status must be pass, fail or error');
  const score = value.score;
  if (!isRecord(score) || typeof score.points !== 'number' || typeof score.max !== 'number') {
    problems.push('score must be {points, max}');
  }
  if (!Array.isArray(value.tasks)) problems.push('tasks must be an array');
  if (!Array.isArray(value.tests)) {
    problems.push('tests must be an array');
  } else {
    value.tests.forEach((test, i) => {
      if (!isRecord(test)) return problems.push(`tests[${i}] must be an object`);
      if (typeof test.name !== 'string') problems.push(`tests[${i}].name must be a string`);
      if (!STATUSES.includes(test.status as string)) problems.push(`tests[${i}].status must be pass, fail or error`);
      if (test.steps !== undefined && !Array.isArray(test.steps)) problems.push(`tests[${i}].steps must be an array`);
    });
  }
  if (value.traces !== undefined && !isRecord(value.traces)) problems.push('traces must be an object');
  return problems;
}

/** A document for a run that produced no usable results (crash, timeout, bad output). */
export function errorResults(lab: string, suite: Suite, message: string): ResultsDocument {
  return { version: 1, lab, suite, status: 'error', seed: 0, score: { points: 0, max: 0 }, tasks: [], tests: [], traces: {}, message };
}

/** Accepts a runner's answer, or turns it into an `error` document naming what was wrong. */
export function acceptResults(value: unknown, lab: string, suite: Suite): ResultsDocument {
  const problems = resultsProblems(value);
  if (problems.length > 0) {
    return errorResults(lab, suite, `The runner returned something that is not a results document: ${problems.slice(0, 3).join('; ')}.`);
  }
  const doc = value as ResultsDocument;
  return {
    ...doc,
    traces: doc.traces ?? {},
    message: doc.message ?? null,
    tests: doc.tests.map((t) => ({ ...t, steps: t.steps ?? [], message: t.message ?? null, trace_ref: t.trace_ref ?? null })),
  };
}

/** The test the panel opens and emphasises: tests come back in file order, so the first non-pass. */
export function firstFailure(doc: ResultsDocument): TestResult | undefined {
  return doc.tests.find((t) => t.status !== 'pass');
}

export interface TaskGroup {
  task: TaskResult;
  tests: TestResult[];
}

/**
 * Tests grouped under their task, tasks in lab order. A test naming a task the document does not
 * list still shows, under a synthetic "task N" entry, rather than vanishing from the panel.
 */
export function groupByTask(doc: ResultsDocument): TaskGroup[] {
  const groups = new Map<number, TaskGroup>();
  for (const task of doc.tasks) groups.set(task.id, { task, tests: [] });
  for (const test of doc.tests) {
    let group = groups.get(test.task_id);
    if (!group) {
      group = { task: { id: test.task_id, title: `Task ${test.task_id}`, status: test.status, points: 0, max: 0 }, tests: [] };
      groups.set(test.task_id, group);
    }
    group.tests.push(test);
  }
  return [...groups.values()].sort((a, b) => a.task.id - b.task.id);
}

/** One line for the status bar and the screen reader's live region. */
export function summarise(doc: ResultsDocument): string {
  const suiteName = doc.suite === 'hidden' ? 'Submit (hidden tests)' : 'Run (visible tests)';
  if (doc.status === 'error') return `${suiteName}: error — ${doc.message ?? 'the run did not finish'}`;
  const passed = doc.tests.filter((t) => t.status === 'pass').length;
  const score = doc.score.max > 0 ? ` · score ${doc.score.points}/${doc.score.max}` : '';
  return `${suiteName}: ${passed}/${doc.tests.length} tests pass${score}`;
}
