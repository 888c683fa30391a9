/**
 * The results document every runner returns (see labs/README.md; Exercism results.json v3 in
 * spirit). Plain data: the site, the CLI and the CSV export all read this shape.
 */
import type { TraceEvent } from '../../stack/core/observe/trace.ts';
import type { TestScoring } from './registry.ts';

export type RunStatus = 'pass' | 'fail' | 'error';

export interface ResultStep {
  n: number;
  kind: 'action' | 'expect';
  /** Virtual time in ms. */
  t?: number;
  text: string;
  ok: boolean;
}

export interface TestResult {
  name: string;
  task_id: number;
  status: RunStatus;
  /** One learner-facing sentence; null when the test passed. */
  message: string | null;
  expected?: string;
  actual?: string;
  /** The full CS144-style report (numbered steps, expected/actual, seed, recent segments). */
  report?: string;
  steps: ResultStep[];
  /** Key into `traces` of the failing run's events, for the sequence diagram. */
  trace_ref: string | null;
  seed: number;
  duration_ms: number;
  /** What the learner's code printed during this test (sandboxed runs; at most 500 characters). */
  output?: string;
}

export interface TaskResult {
  id: number;
  title: string;
  status: RunStatus;
  points: number;
  max: number;
  passed: number;
  total: number;
  /**
   * Guard tests of this task (rejections and silences, see labs/kit/scoring.ts): how many there
   * are and pass. Absent in documents from before guards existed.
   */
  guards?: { passed: number; total: number };
  /** How the points were computed, in one sentence for the learner. */
  scoring?: string;
}

export interface ResultsDocument {
  version: 1;
  lab: string;
  suite: 'visible' | 'hidden';
  status: RunStatus;
  seed: number;
  score: { points: number; max: number };
  tasks: TaskResult[];
  tests: TestResult[];
  traces: Record<string, TraceEvent[]>;
  /** Set when status is `error`: what stopped the run, for the learner. */
  message: string | null;
  /** What the learner's code printed while loading (sandboxed runs; at most 500 characters). */
  output?: string;
}

/**
 * Task scores from test results. Each test has a weight (default 1) within its task. Behaviour
 * tests earn their weight when they pass; a guard test (a rejection or silence check, which an
 * empty implementation passes for free) earns its weight times the share of the task's behaviour
 * weight that passed. So a task whose behaviour tests all fail scores 0, whatever its guards say;
 * with every behaviour test passing, guards count in full. Without guards or weights this is the
 * plain share of tests passed.
 */
export function scoreTasks(
  tasks: Array<{ id: number; title: string; points: number }>,
  tests: TestResult[],
  scoringOf: (name: string) => TestScoring,
): TaskResult[] {
  return tasks.map((task) => {
    const mine = tests.filter((t) => t.task_id === task.id);
    const passed = mine.filter((t) => t.status === 'pass').length;
    const status: RunStatus = mine.some((t) => t.status === 'error') ? 'error' : mine.length > 0 && passed === mine.length ? 'pass' : 'fail';
    let behaviourAll = 0;
    let behaviourPassed = 0;
    let guardAll = 0;
    let guardPassed = 0;
    let guardsPassing = 0;
    let guardsTotal = 0;
    for (const t of mine) {
      const s = scoringOf(t.name);
      const ok = t.status === 'pass';
      if (s.guard) {
        guardsTotal++;
        guardAll += s.weight;
        if (ok) {
          guardsPassing++;
          guardPassed += s.weight;
        }
      } else {
        behaviourAll += s.weight;
        if (ok) behaviourPassed += s.weight;
      }
    }
    const share = behaviourAll > 0 ? behaviourPassed / behaviourAll : 1;
    const all = behaviourAll + guardAll;
    const earned = behaviourPassed + guardPassed * share;
    const points = all > 0 ? Math.round((task.points * earned * 100) / all) / 100 : 0;
    const result: TaskResult = { id: task.id, title: task.title, status, points, max: task.points, passed, total: mine.length };
    if (guardsTotal > 0) {
      result.guards = { passed: guardsPassing, total: guardsTotal };
      result.scoring = `${mine.length - guardsTotal} behaviour tests earn their share when they pass; the ${guardsTotal} guard tests (something must be rejected or stay silent) earn theirs only as far as the behaviour tests pass — ${Math.round(share * 100)}% here — because doing nothing passes them too.`;
    }
    return result;
  });
}

/** A run that could not produce test results (did not compile, threw while loading, timed out). */
export function errorDocument(
  lab: string,
  suite: 'visible' | 'hidden',
  seed: number,
  tasks: Array<{ id: number; title: string; points: number }>,
  message: string,
  tests: TestResult[] = [],
): ResultsDocument {
  return {
    version: 1,
    lab,
    suite,
    status: 'error',
    seed,
    score: { points: 0, max: tasks.reduce((n, t) => n + t.points, 0) },
    tasks: tasks.map((t) => ({ id: t.id, title: t.title, status: 'error', points: 0, max: t.points, passed: 0, total: 0 })),
    tests,
    traces: {},
    message,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural check of a results document (what the site and the CSV writer rely on). */
export function resultsProblems(doc: unknown): string[] {
  const p: string[] = [];
  const d = doc as Partial<ResultsDocument> | null;
  // The document may come from another process, machine or the learner's own code: no shape is
  // taken on trust, and a bad one yields reasons, never an exception.
  if (!isRecord(d)) return ['the runner did not return a JSON object'];
  if (d.version !== 1) p.push('version must be 1');
  if (typeof d.lab !== 'string') p.push('lab must be a string');
  if (d.suite !== 'visible' && d.suite !== 'hidden') p.push('suite must be visible or hidden');
  if (!['pass', 'fail', 'error'].includes(d.status as string)) p.push('status must be pass, fail or error');
  if (typeof d.seed !== 'number') p.push('seed must be a number');
  if (!d.score || typeof d.score.points !== 'number' || typeof d.score.max !== 'number') p.push('score must be {points, max}');
  if (!Array.isArray(d.tasks)) p.push('tasks must be a list');
  if (!Array.isArray(d.tests)) p.push('tests must be a list');
  else {
    d.tests.forEach((t, i) => {
      if (!isRecord(t)) return p.push(`tests[${i}] must be an object`);
      if (typeof t.name !== 'string') p.push(`tests[${i}].name must be a string`);
      if (typeof t.task_id !== 'number') p.push(`tests[${i}].task_id must be a number`);
      if (!['pass', 'fail', 'error'].includes(t.status)) p.push(`tests[${i}].status must be pass, fail or error`);
      if (t.status !== 'pass' && typeof t.message !== 'string') p.push(`tests[${i}].message must say why it failed`);
      if (!Array.isArray(t.steps)) p.push(`tests[${i}].steps must be a list`);
      if (t.trace_ref !== null && (typeof t.trace_ref !== 'string' || !d.traces || !(t.trace_ref in d.traces))) {
        p.push(`tests[${i}].trace_ref must name an entry of traces`);
      }
    });
  }
  if (typeof d.traces !== 'object' || d.traces === null) p.push('traces must be a mapping');
  if (d.message !== null && typeof d.message !== 'string') p.push('message must be null or a string');
  return p;
}
