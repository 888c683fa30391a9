import { describe, expect, it } from 'vitest';
import { LabSession, type SessionOptions } from '../../lib/workbench/session.ts';
import { emptyLabSave, labSaveKey, storeLabSave } from '../../lib/workbench/lab-save.ts';
import { exportCourse, loadProgress } from '../../lib/progress.ts';
import { parseSolutionPolicy } from '../../lib/workbench/reveal.ts';
import type { ResultsDocument } from '../../lib/workbench/results.ts';
import type { RunRequest, Runner } from '../../lib/workbench/runner.ts';

class MemoryStorage {
  map = new Map<string, string>();
  get length() { return this.map.size; }
  key(i: number) { return [...this.map.keys()][i] ?? null; }
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { this.map.set(k, v); }
  removeItem(k: string) { this.map.delete(k); }
}

const FILE = 'stack/core/tcp/handshake.ts';
const at = new Date('2026-12-07T05:00:00Z');

function doc(suite: 'visible' | 'hidden', points: number, status: ResultsDocument['status'] = points === 100 ? 'pass' : 'fail'): ResultsDocument {
  return { version: 1, lab: 'handshake', suite, status, seed: 1, score: { points, max: 100 }, tasks: [], tests: [], traces: {}, message: null };
}

class FakeRunner implements Runner {
  readonly kind = 'worker' as const;
  readonly label = 'fake';
  requests: RunRequest[] = [];
  release: (() => void) | null = null;
  constructor(private readonly answer: (r: RunRequest) => ResultsDocument, private readonly gate = false) {}
  async run(request: RunRequest): Promise<ResultsDocument> {
    this.requests.push(request);
    if (this.gate) await new Promise<void>((resolve) => (this.release = resolve));
    return this.answer(request);
  }
  dispose() {}
}

function session(storage = new MemoryStorage(), over: Partial<SessionOptions> = {}) {
  return new LabSession({ lab: 'handshake', starters: { [FILE]: 'starter' }, solution: parseSolutionPolicy('after-pass'), storage, fetchSolution: async () => ({ [FILE]: 'reference' }), now: () => at, ...over });
}

describe('a lab session', () => {
  it('starts from the starter, saves every edit, and knows when there was saved work', () => {
    const storage = new MemoryStorage();
    const first = session(storage);
    expect(first.hadSavedWork).toBe(false);
    expect(first.save.files[FILE]).toBe('starter');
    expect(first.edit(FILE, 'mine')).toBeNull();
    const second = session(storage);
    expect(second.hadSavedWork).toBe(true);
    expect(second.save.files[FILE]).toBe('mine');
    expect(second.resetToStarter()).toEqual({ [FILE]: 'starter' });
    expect(session(storage).save.files[FILE]).toBe('starter');
  });

  it('reports a damaged save (kept aside) instead of failing', () => {
    const storage = new MemoryStorage();
    storage.setItem(labSaveKey('handshake'), '{');
    const s = session(storage);
    expect(s.loadProblem).toMatch(/could not be read/);
    expect(s.save.files[FILE]).toBe('starter');
  });

  it('runs one suite at a time, counts attempts, records a Submit score through progress.ts and keeps the results', async () => {
    const storage = new MemoryStorage();
    const s = session(storage);
    expect(await s.run('visible', {})).toEqual({ skipped: 'no-runner' });
    const runner = new FakeRunner((r) => doc(r.suite, r.suite === 'hidden' ? 40 : 0), true);
    s.runner = runner;
    const first = s.run('hidden', { [FILE]: 'mine' });
    expect(await s.run('visible', {})).toEqual({ skipped: 'busy' });
    runner.release!();
    const outcome = await first;
    expect('doc' in outcome && outcome.doc.score.points).toBe(40);
    expect(runner.requests).toEqual([{ lab: 'handshake', suite: 'hidden', files: { [FILE]: 'mine' } }]);
    expect(s.save.attempts).toEqual({ visible: 0, hidden: 1 });
    expect(loadProgress(storage).progress.labs.handshake).toMatchObject({ points: 40, max: 100 });
    expect(s.scoreText()).toBe('Score 40/100');
    // A visible run does not touch the score; both are remembered for the next visit.
    s.runner = new FakeRunner((r) => doc(r.suite, 0));
    await s.run('visible', {});
    expect(s.scoreText()).toBe('Score 40/100');
    expect(session(storage).lastResults?.doc.suite).toBe('visible');
  });

  it('keeps the reference run drawn beside the last results, for the next visit, and only for those results', async () => {
    const storage = new MemoryStorage();
    const s = session(storage);
    s.runner = new FakeRunner((r) => doc(r.suite, 0));
    await s.run('hidden', {});
    const reference = { test: 'a hidden test', seed: 1, trace: [{ kind: 'note', t: 0, text: 'reference' }] as never[] };
    const older = s.lastResults!.doc;
    s.keepReference(older, reference);
    expect(session(storage).lastResults?.reference).toEqual(reference);
    // A newer run's results replace the old ones: the old reference does not attach to them.
    await s.run('visible', {});
    s.keepReference(older, { ...reference, test: 'stale' });
    const next = session(storage).lastResults!;
    expect(next.doc.suite).toBe('visible');
    expect(next.reference).toBeUndefined();
  });

  it('turns a runner that throws into an error result, and an error never scores', async () => {
    const storage = new MemoryStorage();
    const s = session(storage);
    s.runner = { kind: 'server', label: 'x', run: async () => { throw new Error('connection reset'); }, dispose() {} };
    const outcome = await s.run('hidden', {});
    expect('doc' in outcome && outcome.doc).toMatchObject({ status: 'error', message: 'The runner failed: connection reset' });
    expect(s.busy).toBe(false);
    expect(s.scoreText()).toBe('Not submitted yet');
  });

  it('opens the solution by its policy: closed until a Submit passes, then from the runner that keeps it or from the build', async () => {
    const s = session();
    expect(await s.solution({})).toEqual({ refused: 'The solution opens once Submit passes every hidden test.' });
    s.runner = new FakeRunner((r) => doc(r.suite, 100));
    await s.run('hidden', {});
    expect(s.save.passed).toBe(true);
    expect(await s.solution({})).toEqual({ files: { [FILE]: 'reference' } });
    s.runner = { ...new FakeRunner(() => doc('hidden', 0)), kind: 'server', run: async () => doc('hidden', 0), dispose() {}, solution: async () => ({ refused: 'your files score 0/100' }) };
    expect(await s.solution({ [FILE]: 'x' })).toEqual({ refused: 'The course server did not give out the solution: your files score 0/100.' });
    expect(await session(undefined, { solution: parseSolutionPolicy('instructor'), instructor: true }).solution({})).toEqual({ files: { [FILE]: 'reference' } });
  });

  it('imports a course file and takes this lab\'s restored files', () => {
    const other = new MemoryStorage();
    const save = emptyLabSave('handshake', at);
    save.files[FILE] = 'from the other laptop';
    storeLabSave(other, save, new Date('2026-12-07T06:00:00Z'));
    const s = session();
    const result = s.importFile(exportCourse(other, at));
    expect(result).toEqual({ message: 'Restored your files for lab handshake.', thisLabRestored: true });
    expect(s.save.files[FILE]).toBe('from the other laptop');
    expect(() => s.importFile('{')).toThrow(/not JSON/);
  });

  it('opens an after-pass solution when the course server says its solutions are open to everyone', async () => {
    const s = session();
    expect(s.reveal().available).toBe(false);
    const asked: string[] = [];
    const server = Object.assign(new FakeRunner(() => doc('hidden', 15)), {
      solutionsOpen: true,
      solution: async (lab: string) => (asked.push(lab), { solution: { [FILE]: 'reference' } }),
    });
    s.runner = server;
    expect(s.reveal()).toEqual({ available: true, reason: 'Your instructor has opened the solutions to everyone.' });
    expect(await s.solution({ [FILE]: 'mine' })).toEqual({ files: { [FILE]: 'reference' } });
    expect(asked).toEqual(['handshake']);
    server.solutionsOpen = false;
    expect(s.reveal().available).toBe(false);
  });
});
