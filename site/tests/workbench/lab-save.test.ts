import { describe, expect, it } from 'vitest';
import { emptyLabSave, labSaveKey, loadLabSave, staleStarters, storeLabSave, textHash } from '../../lib/workbench/lab-save.ts';
import { addToReview, describeImport, exportCourse, importCourse, importProgress, loadProgress, markChapterRead, recordLabScore } from '../../lib/progress.ts';
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

describe('the course file: export and import', () => {
  const FILE = 'stack/core/tcp/handshake.ts';
  function profileWithWork(): MemoryStorage {
    const a = new MemoryStorage();
    recordLabScore(a, 'handshake', 30, 40, now);
    markChapterRead(a, 'handshake', now);
    addToReview(a, 'q-syn-backlog', now);
    const save = emptyLabSave('handshake', now);
    save.files[FILE] = '// my work';
    save.hintsShown['2'] = 1;
    storeLabSave(a, save, now);
    const teardown = emptyLabSave('teardown', now);
    teardown.files['stack/core/tcp/teardown.ts'] = '// teardown work';
    storeLabSave(a, teardown, now);
    return a;
  }

  it('moves progress, review cards and every lab\'s files to another browser, and says what it restored', () => {
    const file = exportCourse(profileWithWork(), now);
    const b = new MemoryStorage();
    const report = importCourse(b, file, new Date('2026-11-21T11:00:00Z'));
    expect(report).toEqual({ chapters: ['handshake'], labScores: ['handshake'], cards: ['q-syn-backlog'], labFiles: ['handshake', 'teardown'], labFilesKept: [] });
    expect(describeImport(report)).toBe('Restored your files for lab handshake and teardown, lab scores for handshake, 1 chapter marked read and 1 review card.');
    const { progress } = loadProgress(b);
    expect(progress.labs.handshake.points).toBe(30);
    expect(progress.chapters.handshake).toBeDefined();
    expect(progress.interview['q-syn-backlog'].card.state).toBe(0);
    expect(loadLabSave(b, 'handshake').save?.files[FILE]).toBe('// my work');
    expect(loadLabSave(b, 'handshake').save?.hintsShown['2']).toBe(1);
    expect(loadLabSave(b, 'teardown').save?.files['stack/core/tcp/teardown.ts']).toBe('// teardown work');
    // Importing the same file again restores nothing new and says so.
    expect(describeImport(importCourse(b, file, now))).toMatch(/^Nothing new/);
  });

  it('leaves kept-aside copies out of the file', () => {
    const a = profileWithWork();
    a.setItem(`${labSaveKey('queues')}:corrupt:2026-11-20T00:00:00.000Z`, 'garbage');
    expect(Object.keys(JSON.parse(exportCourse(a, now)).workbench.labs)).toEqual(['handshake', 'teardown']);
  });

  it('restores lab files through importProgress too (the home page\'s importer)', () => {
    const b = new MemoryStorage();
    importProgress(b, exportCourse(profileWithWork(), now), now);
    expect(loadLabSave(b, 'handshake').save?.files[FILE]).toBe('// my work');
  });

  it('never lets an older backup overwrite newer work', () => {
    const a = new MemoryStorage();
    const old = emptyLabSave('handshake');
    old.files['f.ts'] = 'old';
    storeLabSave(a, old, new Date('2026-11-20T00:00:00Z'));
    const file = exportCourse(a, now);
    const b = new MemoryStorage();
    const mine = emptyLabSave('handshake');
    mine.files['f.ts'] = 'new';
    storeLabSave(b, mine, now);
    const report = importCourse(b, file, now);
    expect(report.labFilesKept).toEqual(['handshake']);
    expect(describeImport(report)).toMatch(/Kept this browser's newer work on lab handshake\./);
    expect(loadLabSave(b, 'handshake').save?.files['f.ts']).toBe('new');
  });

  it('rejects a damaged file with a clear error and writes nothing', () => {
    const b = profileWithWork();
    const before = new Map(b.map);
    expect(() => importCourse(b, 'not json', now)).toThrow(/not JSON/);
    const damaged = JSON.parse(exportCourse(profileWithWork(), now));
    damaged.workbench.labs.teardown.files = { 'x.ts': 42 };
    damaged.progress.labs.handshake.points = 10;
    expect(() => importCourse(b, JSON.stringify(damaged), now)).toThrow(/saved work of lab teardown is damaged \(files must map paths to text\)/);
    const truncated = exportCourse(profileWithWork(), now).slice(0, 200);
    expect(() => importCourse(b, truncated, now)).toThrow(/not JSON/);
    expect(b.map).toEqual(before);
  });

  it('puts every key back when the browser refuses a write half-way', () => {
    const file = exportCourse(profileWithWork(), now);
    const b = new MemoryStorage();
    recordLabScore(b, 'teardown', 1, 10, now);
    const before = new Map(b.map);
    let writes = 0;
    const setItem = b.setItem.bind(b);
    b.setItem = (k: string, v: string) => {
      if (++writes === 2) throw new Error('QuotaExceededError');
      setItem(k, v);
    };
    expect(() => importCourse(b, file, now)).toThrow(/Nothing was imported: the browser refused to store it \(QuotaExceededError\)/);
    expect(b.map).toEqual(before);
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
