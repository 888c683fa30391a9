import { describe, expect, it } from 'vitest';
import { acceptResults, firstFailure, groupByTask, summarise, type ResultsDocument } from '../../lib/workbench/results.ts';

function doc(over: Partial<ResultsDocument> = {}): ResultsDocument {
  return {
    version: 1, lab: 'handshake', suite: 'visible', status: 'fail', seed: 1,
    score: { points: 10, max: 20 },
    tasks: [{ id: 1, title: 'ISN', status: 'pass', points: 10, max: 10, passed: 1, total: 1 }, { id: 2, title: 'SYN-SENT', status: 'fail', points: 0, max: 10, passed: 0, total: 2 }],
    tests: [
      { name: 'isn a', task_id: 1, status: 'pass', message: null, steps: [], trace_ref: null, seed: 1, duration_ms: 1 },
      { name: 'syn-sent a', task_id: 2, status: 'fail', message: 'expected SYN_SENT', steps: [{ n: 1, kind: 'action', text: 'connect()', ok: true }], trace_ref: 't2', seed: 1, duration_ms: 2 },
      { name: 'syn-sent b', task_id: 2, status: 'error', message: 'threw', steps: [], trace_ref: null, seed: 1, duration_ms: 2 },
    ],
    traces: { t2: [] }, message: null, ...over,
  };
}

describe('results document', () => {
  it('accepts a well-formed document and finds the first failure in file order', () => {
    const accepted = acceptResults(doc(), 'handshake', 'visible');
    expect(accepted.status).toBe('fail');
    expect(firstFailure(accepted)?.name).toBe('syn-sent a');
  });

  it('turns a malformed answer into an error document that says what was wrong', () => {
    const bad = acceptResults({ version: 2, tests: 'no' }, 'handshake', 'hidden');
    expect(bad.status).toBe('error');
    expect(bad.suite).toBe('hidden');
    expect(bad.message).toMatch(/version must be 1/);
    expect(acceptResults(null, 'x', 'visible').message).toMatch(/did not return a JSON object/);
  });

  it('groups tests under tasks and keeps tests of unknown tasks visible', () => {
    const d = doc();
    d.tests.push({ name: 'orphan', task_id: 9, status: 'fail', message: 'm', steps: [], trace_ref: null, seed: 1, duration_ms: 0 });
    const groups = groupByTask(d);
    expect(groups.map((g) => [g.task.id, g.tests.length])).toEqual([[1, 1], [2, 2], [9, 1]]);
  });

  it('summarises for the status line', () => {
    expect(summarise(doc())).toBe('Run (visible tests): 1/3 tests pass · score 10/20');
    expect(summarise(doc({ status: 'error', suite: 'hidden', message: 'ran out of time' }))).toMatch(/^Submit \(hidden tests\): error — ran out of time/);
  });
});
