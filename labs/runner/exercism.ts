/**
 * The course's results document (labs/kit/results.ts) as Exercism's test-runner results.json,
 * version 3 (exercism.org/docs/building/tooling/test-runners/interface): version 3 is the one that
 * links each test to a task through `task_id`, which every course test already carries.
 */
import type { ResultsDocument, RunStatus, TestResult } from '../kit/results.ts';

export interface ExercismTest {
  name: string;
  status: RunStatus;
  /** Required when the test failed or errored; null otherwise. */
  message: string | null;
  /** What the learner's code printed during the test (the spec caps it at 500 characters). */
  output?: string;
  test_code: string;
  task_id: number;
}

export interface ExercismResults {
  version: 3;
  status: RunStatus;
  /** Required when status is error; null otherwise. */
  message: string | null;
  tests?: ExercismTest[];
}

/** The spec's caps: per-test output 500 characters, the top-level message 65,535. */
export const OUTPUT_CAP = 500;
export const MESSAGE_CAP = 65_535;

function cap(text: string, limit: number, note: string): string {
  if (text.length <= limit) return text;
  return text.slice(0, limit - note.length) + note;
}

/**
 * What the test did, for `test_code`. The hidden tests' source stays hidden (it would hand out the
 * graded checks); the numbered steps are what the course shows the learner anyway.
 */
function testCode(test: TestResult): string {
  const steps = test.steps.map((s) => `${s.n}. ${s.kind === 'expect' ? 'expect' : 'do'}: ${s.text}`);
  return steps.length ? steps.join('\n') : `hidden test of task ${test.task_id}: ${test.name}`;
}

function failureMessage(test: TestResult): string {
  // The learner-facing sentence first (it may carry the hint the report lacks), then the full
  // CS144-style report (numbered steps, expected/actual, recent segments) when there is one.
  const detail = test.report ?? [test.expected && `expected: ${test.expected}`, test.actual && `actual:   ${test.actual}`].filter(Boolean).join('\n');
  const parts = [test.message, detail && !(test.message && detail.startsWith(test.message)) ? detail : ''].filter(Boolean);
  return cap(parts.join('\n\n') || 'the test failed without saying why', MESSAGE_CAP, '\n… (cut)');
}

export function toExercism(doc: ResultsDocument): ExercismResults {
  const tests = doc.tests.map((t): ExercismTest => {
    const out: ExercismTest = {
      name: t.name,
      status: t.status,
      message: t.status === 'pass' ? null : failureMessage(t),
      test_code: testCode(t),
      task_id: t.task_id,
    };
    if (t.output) out.output = cap(t.output, OUTPUT_CAP, '… (output cut at 500 characters)');
    return out;
  });
  if (doc.status === 'error') {
    const message = [doc.message ?? 'the run stopped before any test ran', doc.output && `your code printed while loading:\n${doc.output}`].filter(Boolean).join('\n');
    const result: ExercismResults = { version: 3, status: 'error', message: cap(message, MESSAGE_CAP, '\n… (cut)') };
    if (tests.length) result.tests = tests;
    return result;
  }
  // The spec's overall status: pass only when every test passed (a course "fail" already means that).
  const status: RunStatus = tests.length > 0 && tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
  return { version: 3, status, message: null, tests };
}

/** A results.json for a run that produced no course document (bad input, unknown lab, crash). */
export function exercismError(message: string): ExercismResults {
  return { version: 3, status: 'error', message: cap(message, MESSAGE_CAP, '\n… (cut)') };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where a document breaks the v3 shape; empty when it conforms. Never throws. */
export function exercismProblems(doc: unknown): string[] {
  const p: string[] = [];
  if (!isRecord(doc)) return ['results.json must hold a JSON object'];
  if (doc.version !== 3) p.push('version must be 3');
  if (!['pass', 'fail', 'error'].includes(doc.status as string)) p.push('status must be pass, fail or error');
  if (doc.status === 'error' && (typeof doc.message !== 'string' || doc.message === '')) p.push('message must say what went wrong when status is error');
  if (doc.status !== 'error' && doc.message !== null && doc.message !== undefined) p.push('message must be null or absent unless status is error');
  if (typeof doc.message === 'string' && doc.message.length > MESSAGE_CAP) p.push(`message is longer than ${MESSAGE_CAP} characters`);
  if (doc.status !== 'error' && !Array.isArray(doc.tests)) p.push('tests must be a list when status is pass or fail');
  if (doc.tests !== undefined) {
    if (!Array.isArray(doc.tests)) p.push('tests must be a list');
    else {
      doc.tests.forEach((t, i) => {
        if (!isRecord(t)) return void p.push(`tests[${i}] must be an object`);
        if (typeof t.name !== 'string' || t.name === '') p.push(`tests[${i}].name must be a non-empty string`);
        if (!['pass', 'fail', 'error'].includes(t.status as string)) p.push(`tests[${i}].status must be pass, fail or error`);
        if (t.status !== 'pass' && (typeof t.message !== 'string' || t.message === '')) p.push(`tests[${i}].message must say why it failed`);
        if (typeof t.test_code !== 'string') p.push(`tests[${i}].test_code must be a string`);
        if (!Number.isInteger(t.task_id) || (t.task_id as number) < 1) p.push(`tests[${i}].task_id must be a whole number from 1`);
        if (t.output !== undefined && (typeof t.output !== 'string' || t.output.length > OUTPUT_CAP)) p.push(`tests[${i}].output must be a string of at most ${OUTPUT_CAP} characters`);
      });
      if (doc.status === 'pass' && doc.tests.some((t) => isRecord(t) && t.status !== 'pass')) p.push('status is pass but a test did not pass');
      if (doc.status === 'fail' && doc.tests.every((t) => isRecord(t) && t.status === 'pass')) p.push('status is fail but every test passed');
    }
  }
  return p;
}
