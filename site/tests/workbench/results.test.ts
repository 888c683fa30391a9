import { describe, expect, it } from 'vitest';
import { acceptResults, firstFailure, groupByTask, summarise, type ResultsDocument } from '../../lib/workbench/results.ts';
import { loadResults, resultsKey, storeResults } from '../../lib/workbench/results-store.ts';

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

describe('last results kept across a reload', () => {
  class MemoryStorage {
    map = new Map<string, string>();
    limit = Infinity;
    getItem(k: string) { return this.map.get(k) ?? null; }
    setItem(k: string, v: string) { if (v.length > this.limit) throw new Error('QuotaExceededError'); this.map.set(k, v); }
    removeItem(k: string) { this.map.delete(k); }
  }
  const at = new Date('2026-12-07T05:00:00Z');

  it('gives back the document that was stored, for that lab only', () => {
    const storage = new MemoryStorage();
    expect(storeResults(storage, 'handshake', doc(), at)).toBe(true);
    expect(loadResults(storage, 'handshake')).toEqual({ version: 1, doc: doc(), suite: 'visible', savedAt: at.toISOString() });
    expect(loadResults(storage, 'teardown')).toBeNull();
  });

  it('keeps only the first failure\'s trace when the full document does not fit', () => {
    const storage = new MemoryStorage();
    const big = doc({ traces: { t2: [], t3: Array.from({ length: 400 }, (_, i) => ({ kind: 'state', t: i }) as never) } });
    big.tests[2].trace_ref = 't3';
    storage.limit = JSON.stringify(big).length;
    expect(storeResults(storage, 'handshake', big, at)).toBe(true);
    const kept = loadResults(storage, 'handshake')!.doc;
    expect(Object.keys(kept.traces)).toEqual(['t2']);
    expect(kept.tests.map((t) => t.trace_ref)).toEqual([null, 't2', null]);
    storage.limit = 10;
    expect(storeResults(storage, 'teardown', big, at)).toBe(false);
  });

  it('drops a stored copy it cannot read, or one of another lab', () => {
    const storage = new MemoryStorage();
    storage.setItem(resultsKey('handshake'), '{"version":1,');
    expect(loadResults(storage, 'handshake')).toBeNull();
    expect(storage.getItem(resultsKey('handshake'))).toBeNull();
    storage.setItem(resultsKey('teardown'), JSON.stringify({ version: 1, doc: doc(), suite: 'visible', savedAt: at.toISOString() }));
    expect(loadResults(storage, 'teardown')).toBeNull();
    storage.setItem(resultsKey('handshake'), JSON.stringify({ version: 1, doc: { ...doc(), tests: 'no' }, suite: 'visible', savedAt: at.toISOString() }));
    expect(loadResults(storage, 'handshake')).toBeNull();
  });

  it('keeps the drawn reference run with the results, drops it first for room, and drops a damaged one alone', () => {
    const storage = new MemoryStorage();
    const trace = Array.from({ length: 50 }, (_, i) => ({ kind: 'state', t: i, host: 'h', from: 'CLOSED', to: 'SYN_SENT' }) as never);
    const reference = { test: 'syn-sent a', seed: 1, trace };
    expect(storeResults(storage, 'handshake', doc(), at, reference)).toBe(true);
    expect(loadResults(storage, 'handshake')?.reference).toEqual(reference);
    // No room for the reference: the results are kept without it.
    storage.limit = JSON.stringify({ version: 1, doc: doc(), suite: 'visible', savedAt: at.toISOString() }).length + 10;
    expect(storeResults(storage, 'handshake', doc(), at, reference)).toBe(true);
    expect(loadResults(storage, 'handshake')).toEqual({ version: 1, doc: doc(), suite: 'visible', savedAt: at.toISOString() });
    storage.limit = Infinity;
    for (const damaged of [{ test: 3, seed: 1, trace }, { test: 't', seed: 1.5, trace }, { test: 't', seed: 1, trace: 'no' }, { test: 't', seed: 1, trace: [null] }]) {
      storage.setItem(resultsKey('handshake'), JSON.stringify({ version: 1, doc: doc(), suite: 'visible', savedAt: at.toISOString(), reference: damaged }));
      const loaded = loadResults(storage, 'handshake');
      expect(loaded?.doc).toEqual(doc());
      expect(loaded?.reference).toBeUndefined();
    }
  });
});
