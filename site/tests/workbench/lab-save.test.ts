import { describe, expect, it } from 'vitest';
import { emptyLabSave, exportWorkbench, importWorkbench, labSaveKey, loadLabSave, staleStarters, storeLabSave, textHash } from '../../lib/workbench/lab-save.ts';
import { loadProgress, recordLabScore } from '../../lib/progress.ts';
import { nextHint, parseSolutionPolicy, solutionReveal } from '../../lib/workbench/reveal.ts';

class MemoryStorage {
  map = new Map<string, string>();
  failWrites = false;
  get length() { return this.map.size; }
  key(i: number) { return [...this.map.keys()][i] ?? null; }
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { if (this.failWrites) throw new Error('QuotaExceededError'); this.map.set(k, v); }
  removeItem(k: string) { this.map.delete(k); }
}

const now = new Date('2026-11-21T10:00:00Z');

describe('lab saves', () => {
  it('round-trips edits, hints and attempts', () => {
    const storage = new MemoryStorage();
    const save = emptyLabSave('handshake', now);
    save.files['stack/core/tcp/handshake.ts'] = 'export const x = 1;';
    save.hintsShown['2'] = 1;
    save.attempts.hidden = 3;
    storeLabSave(storage, save, now);
    expect(loadLabSave(storage, 'handshake', now).save).toEqual(save);
  });

  it('keeps a corrupted save aside under its own key and says where', () => {
    const storage = new MemoryStorage();
    storage.setItem(labSaveKey('handshake'), '{"version":1,"lab":"handshake","files":');
    const loaded = loadLabSave(storage, 'handshake', now);
    expect(loaded.save).toBeNull();
    const aside = `${labSaveKey('handshake')}:corrupt:${now.toISOString()}`;
    expect(loaded.problem?.keptAs).toBe(aside);
    expect(loaded.problem?.message).toContain('not JSON');
    expect(storage.getItem(aside)).toBe('{"version":1,"lab":"handshake","files":');
    expect(storage.getItem(labSaveKey('handshake'))).toBeNull();
  });

  it('treats an old-format save as a problem, not as data', () => {
    const storage = new MemoryStorage();
    storage.setItem(labSaveKey('queues'), JSON.stringify({ lab: 'queues', code: 'old' }));
    const loaded = loadLabSave(storage, 'queues', now);
    expect(loaded.problem?.message).toMatch(/version must be 1 \(found null\)/);
    expect(storage.getItem(loaded.problem!.keptAs!)).toContain('"code":"old"');
  });

  it('leaves the save in place when even the copy aside fails', () => {
    const storage = new MemoryStorage();
    storage.setItem(labSaveKey('queues'), 'garbage');
    storage.failWrites = true;
    const loaded = loadLabSave(storage, 'queues', now);
    expect(loaded.problem?.keptAs).toBeNull();
    expect(storage.getItem(labSaveKey('queues'))).toBe('garbage');
  });

  it('reports a refused write in words', () => {
    const storage = new MemoryStorage();
    storage.failWrites = true;
    expect(() => storeLabSave(storage, emptyLabSave('handshake'), now)).toThrow(/could not be saved in this browser: QuotaExceededError/);
  });

  it('notices a starter that changed under a save', () => {
    const save = emptyLabSave('handshake', now);
    save.files['a.ts'] = 'mine';
    save.starterHashes['a.ts'] = textHash('old starter');
    expect(staleStarters(save, { 'a.ts': 'old starter' })).toEqual([]);
    expect(staleStarters(save, { 'a.ts': 'new starter' })).toEqual(['a.ts']);
  });
});

describe('export and import', () => {
  it('moves progress and lab work to another browser', () => {
    const a = new MemoryStorage();
    recordLabScore(a, 'handshake', 30, 40, now);
    const save = emptyLabSave('handshake', now);
    save.files['stack/core/tcp/handshake.ts'] = '// my work';
    storeLabSave(a, save, now);
    const file = exportWorkbench(a, ['handshake', 'teardown'], now);

    const b = new MemoryStorage();
    const summary = importWorkbench(b, file, new Date('2026-11-21T11:00:00Z'));
    expect(summary.labsReplaced).toEqual(['handshake']);
    expect(loadProgress(b).progress.labs.handshake.points).toBe(30);
    expect(loadLabSave(b, 'handshake').save?.files['stack/core/tcp/handshake.ts']).toBe('// my work');
  });

  it('never lets an older backup overwrite newer work', () => {
    const a = new MemoryStorage();
    const old = emptyLabSave('handshake');
    old.files['f.ts'] = 'old';
    storeLabSave(a, old, new Date('2026-11-20T00:00:00Z'));
    const file = exportWorkbench(a, ['handshake'], now);
    const b = new MemoryStorage();
    const mine = emptyLabSave('handshake');
    mine.files['f.ts'] = 'new';
    storeLabSave(b, mine, now);
    expect(importWorkbench(b, file, now).labsKept).toEqual(['handshake']);
    expect(loadLabSave(b, 'handshake').save?.files['f.ts']).toBe('new');
  });

  it('rejects a damaged file without writing anything', () => {
    const b = new MemoryStorage();
    expect(() => importWorkbench(b, 'not json', now)).toThrow(/not JSON/);
    const damaged = JSON.stringify({ course: 'tcp-connection-course', exportedAt: now.toISOString(), progress: { version: 1, chapters: {}, labs: {}, interview: {} }, workbench: { version: 1, labs: { handshake: { version: 1 } } } });
    expect(() => importWorkbench(b, damaged, now)).toThrow(/lab handshake: .*lab must be a string/);
    expect(b.map.size).toBe(0);
  });
});

describe('reveal policy and hints', () => {
  const base = { passed: false, attempts: { visible: 0, hidden: 0 } };
  it('follows each policy', () => {
    expect(solutionReveal(parseSolutionPolicy('always'), base).available).toBe(true);
    expect(solutionReveal(parseSolutionPolicy('after-pass'), base).available).toBe(false);
    expect(solutionReveal(parseSolutionPolicy('after-pass'), { ...base, passed: true }).available).toBe(true);
    const three = parseSolutionPolicy('after-attempts:3');
    expect(solutionReveal(three, { passed: false, attempts: { visible: 9, hidden: 2 } })).toEqual({ available: false, reason: 'The solution opens after 3 submissions (1 to go).' });
    expect(solutionReveal(three, { passed: false, attempts: { visible: 0, hidden: 3 } }).available).toBe(true);
    expect(solutionReveal(parseSolutionPolicy('instructor'), { ...base, passed: true }).available).toBe(false);
    expect(solutionReveal(parseSolutionPolicy('instructor'), base, true).available).toBe(true);
    expect(() => parseSolutionPolicy('after-attempts:0')).toThrow(/Unknown solution policy/);
  });
  it('climbs the ladder one level at a time', () => {
    const ladder = [{ kind: 'concept', text: 'a' }, { kind: 'pointer', text: 'b' }];
    expect(nextHint(ladder, 0)).toEqual({ level: 1, hint: ladder[0] });
    expect(nextHint(ladder, 1)?.hint.text).toBe('b');
    expect(nextHint(ladder, 2)).toBeNull();
  });
});
