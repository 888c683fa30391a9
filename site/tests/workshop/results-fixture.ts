/** Small results documents for the workshop tests: per test, its task, status and name. */
import type { ResultsDocument, TestResult } from '../../../labs/kit/results.ts';

export function doc(lab: string, suite: 'visible' | 'hidden', outcomes: Array<[number, 'pass' | 'fail' | 'error', string?]>): ResultsDocument {
  const tests: TestResult[] = outcomes.map(([task, status, name], i) => ({
    name: name ?? `test ${i}`, task_id: task, status, message: status === 'pass' ? null : `why ${name ?? i}\nmore`, steps: [], trace_ref: null, seed: 1, duration_ms: 5,
  }));
  const ids = [...new Set(outcomes.map(([t]) => t))];
  const tasks = ids.map((id) => {
    const mine = tests.filter((t) => t.task_id === id);
    const passed = mine.filter((t) => t.status === 'pass').length;
    return { id, title: `task ${id}`, status: (passed === mine.length ? 'pass' : 'fail') as 'pass' | 'fail', points: passed * 5, max: mine.length * 5, passed, total: mine.length };
  });
  const points = tasks.reduce((n, t) => n + t.points, 0);
  const max = tasks.reduce((n, t) => n + t.max, 0);
  return { version: 1, lab, suite, status: points === max ? 'pass' : 'fail', seed: 1, score: { points, max }, tasks, tests, traces: {}, message: null };
}
