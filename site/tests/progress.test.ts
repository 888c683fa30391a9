import { describe, expect, it } from 'vitest';
import {
  CORRUPT_KEY_PREFIX,
  PROGRESS_KEY,
  ProgressFormatError,
  addToReview,
  describeImport,
  describeProblem,
  emptyProgress,
  exportProgress,
  importProgress,
  keptAsideKeys,
  loadProgress,
  markChapterRead,
  mergeProgress,
  parseProgressFile,
  recordLabScore,
  recordReview,
  saveProgress,
  type Progress,
} from '../lib/progress.ts';

/** localStorage as the browser implements it: strings only, ordered keys, optional quota. */
class FakeStorage implements Storage {
  private readonly items = new Map<string, string>();
  constructor(private readonly quotaBytes = Infinity) {}
  get length(): number {
    return this.items.size;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    const used = [...this.items.entries()].reduce((sum, [k, v]) => (k === key ? sum : sum + k.length + v.length), 0);
    if (used + key.length + value.length > this.quotaBytes) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  clear(): void {
    this.items.clear();
  }
}

const t0 = new Date('2026-11-21T09:00:00.000Z');
const t1 = new Date('2026-11-21T10:00:00.000Z');

function sample(): Progress {
  return {
    version: 1,
    chapters: { handshake: { readAt: t0.toISOString() } },
    labs: { handshake: { points: 7, max: 10, updatedAt: t0.toISOString() } },
    interview: {
      'why-three-segments': {
        addedAt: t0.toISOString(),
        card: { due: t1.toISOString(), stability: 2.3, difficulty: 5.1, elapsed_days: 0, scheduled_days: 1, learning_steps: 0, reps: 1, lapses: 0, state: 2, last_review: t0.toISOString() },
      },
    },
  };
}

describe('loadProgress', () => {
  it('starts empty when nothing is saved', () => {
    const loaded = loadProgress(new FakeStorage(), t0);
    expect(loaded.problem).toBeUndefined();
    expect(loaded.progress).toEqual(emptyProgress());
  });

  it('returns a valid version-1 save unchanged', () => {
    const storage = new FakeStorage();
    storage.setItem(PROGRESS_KEY, JSON.stringify(sample()));
    const loaded = loadProgress(storage, t1);
    expect(loaded.problem).toBeUndefined();
    expect(loaded.progress).toEqual(sample());
  });

  it('keeps a save that is not JSON aside, byte for byte, and reports where', () => {
    const storage = new FakeStorage();
    const raw = '{"version":1,"chapters":{"handshake":';
    storage.setItem(PROGRESS_KEY, raw);
    const loaded = loadProgress(storage, t1);
    expect(loaded.problem?.kind).toBe('unparseable');
    const keptAs = `${CORRUPT_KEY_PREFIX}${t1.toISOString()}`;
    expect(loaded.problem?.keptAs).toBe(keptAs);
    expect(loaded.problem?.message).toContain(keptAs);
    expect(storage.getItem(keptAs)).toBe(raw);
    expect(storage.getItem(PROGRESS_KEY)).toBeNull();
    expect(loaded.progress).toEqual(emptyProgress());
    expect(keptAsideKeys(storage)).toEqual([keptAs]);
  });

  it('keeps a structurally damaged save aside and names the broken field', () => {
    const storage = new FakeStorage();
    const damaged = sample() as unknown as { labs: { handshake: { points: unknown } } };
    damaged.labs.handshake.points = 'seven';
    const raw = JSON.stringify(damaged);
    storage.setItem(PROGRESS_KEY, raw);
    const loaded = loadProgress(storage, t1);
    expect(loaded.problem?.kind).toBe('invalid');
    expect(loaded.problem?.message).toContain('labs.handshake.points');
    expect(storage.getItem(loaded.problem!.keptAs!)).toBe(raw);
  });

  it('keeps a save from another format version aside instead of guessing a migration', () => {
    for (const old of [{ chapters: ['handshake'] }, { version: 0, read: ['handshake'] }, { ...sample(), version: 2 }]) {
      const storage = new FakeStorage();
      const raw = JSON.stringify(old);
      storage.setItem(PROGRESS_KEY, raw);
      const loaded = loadProgress(storage, t1);
      expect(loaded.problem?.kind).toBe('unsupported-version');
      expect(loaded.problem?.message).toMatch(/reads version 1/);
      expect(storage.getItem(loaded.problem!.keptAs!)).toBe(raw);
    }
  });

  it('does not delete the original when the copy aside cannot be written', () => {
    const raw = 'not json at all';
    const storage = new FakeStorage(PROGRESS_KEY.length + raw.length + 10);
    storage.setItem(PROGRESS_KEY, raw);
    const loaded = loadProgress(storage, t1);
    expect(loaded.problem?.keptAs).toBeNull();
    expect(loaded.problem?.message).toMatch(/refused/);
    expect(storage.getItem(PROGRESS_KEY)).toBe(raw);
  });
});

describe('updates', () => {
  it('marks a chapter read once and keeps the first date', () => {
    const storage = new FakeStorage();
    markChapterRead(storage, 'teardown', t0);
    markChapterRead(storage, 'teardown', t1);
    expect(loadProgress(storage).progress.chapters.teardown).toEqual({ readAt: t0.toISOString() });
  });

  it('records lab scores and rejects impossible ones', () => {
    const storage = new FakeStorage();
    recordLabScore(storage, 'queues', 3, 4, t1);
    expect(loadProgress(storage).progress.labs.queues).toEqual({ points: 3, max: 4, updatedAt: t1.toISOString() });
    expect(() => recordLabScore(storage, 'queues', 5, 4)).toThrow(RangeError);
    expect(() => recordLabScore(storage, 'queues', Number.NaN, 4)).toThrow(RangeError);
    expect(loadProgress(storage).progress.labs.queues.points).toBe(3);
  });

  it('adds a question to review as a new card due now, and stores the reviewed card', () => {
    const storage = new FakeStorage();
    addToReview(storage, 'why-time-wait', t0);
    const added = loadProgress(storage).progress.interview['why-time-wait'];
    expect(added.card.state).toBe(0);
    expect(added.card.due).toBe(t0.toISOString());
    const reviewed = { ...added.card, state: 1 as const, reps: 1, due: t1.toISOString(), last_review: t0.toISOString() };
    recordReview(storage, 'why-time-wait', reviewed, t0);
    expect(loadProgress(storage).progress.interview['why-time-wait'].card).toEqual(reviewed);
    expect(() => recordReview(storage, 'not-added', reviewed)).toThrow(/not in the review list/);
  });

  it('refuses to save an invalid record and reports a full storage', () => {
    const bad = { ...sample(), chapters: { handshake: { readAt: 'yesterday' } } };
    expect(() => saveProgress(new FakeStorage(), bad)).toThrow(/chapters.handshake.readAt/);
    expect(() => saveProgress(new FakeStorage(20), sample())).toThrow(/could not be saved/);
  });
});

describe('export and import', () => {
  it('round-trips through the exported file', () => {
    const from = new FakeStorage();
    saveProgress(from, sample());
    const file = exportProgress(loadProgress(from).progress, t1);
    const to = new FakeStorage();
    expect(importProgress(to, file, t1)).toEqual(sample());
    expect(loadProgress(to).progress).toEqual(sample());
  });

  it('rejects a file that is not a progress export, naming the problems', () => {
    expect(() => parseProgressFile('{')).toThrow(ProgressFormatError);
    expect(() => parseProgressFile(JSON.stringify(sample()))).toThrow(/not exported by this course/);
    const broken = JSON.parse(exportProgress(sample(), t1));
    broken.progress.labs.handshake.max = 0;
    try {
      parseProgressFile(JSON.stringify(broken));
      expect.unreachable();
    } catch (error) {
      expect((error as ProgressFormatError).problems).toContain('progress.labs.handshake.max must be a number ≥ 1');
    }
  });

  it('merges instead of overwriting: first reading, newest score, newest review win', () => {
    const mine = sample();
    mine.chapters.teardown = { readAt: t1.toISOString() };
    const theirs = emptyProgress();
    theirs.chapters.teardown = { readAt: t0.toISOString() };
    theirs.chapters.queues = { readAt: t1.toISOString() };
    theirs.labs.handshake = { points: 2, max: 10, updatedAt: '2026-11-20T09:00:00.000Z' };
    theirs.labs.keepalive = { points: 4, max: 4, updatedAt: t1.toISOString() };
    const merged = mergeProgress(mine, theirs);
    expect(merged.chapters).toEqual({ handshake: mine.chapters.handshake, teardown: { readAt: t0.toISOString() }, queues: { readAt: t1.toISOString() } });
    expect(merged.labs.handshake.points).toBe(7);
    expect(merged.labs.keepalive.points).toBe(4);
    expect(merged.interview).toEqual(mine.interview);
  });
});

describe('messages in the Chinese edition', () => {
  it('describes a damaged save in Chinese, naming where the old save was kept and what was wrong', () => {
    const storage = new FakeStorage();
    storage.setItem(PROGRESS_KEY, JSON.stringify({ version: 1, chapters: { handshake: { readAt: 'yesterday' } }, labs: {}, interview: {} }));
    const { problem } = loadProgress(storage, new Date('2026-12-07T10:00:00Z'));
    expect(problem?.kind).toBe('invalid');
    const zh = describeProblem(problem!, 'zh-cn');
    expect(zh).toMatch(/^你保存的进度已损坏（chapters\.handshake\.readAt must be an ISO date string）。原来的存档已原样保留在这个浏览器里，键名为“tcp-course:/);
    expect(describeProblem(problem!, 'en')).toBe(problem!.message);
  });
  it('says which version an unsupported save has', () => {
    const storage = new FakeStorage();
    storage.setItem(PROGRESS_KEY, JSON.stringify({ version: 7 }));
    expect(describeProblem(loadProgress(storage).problem!, 'zh-cn')).toMatch(/^你保存的进度是第 7 版，而本课程读取第 1 版。/);
  });
  it('reports an import in Chinese with the same facts as in English', () => {
    const report = { chapters: ['handshake', 'queues'], labScores: ['teardown'], cards: ['lost-syn'], labFiles: ['teardown'], labFilesKept: ['queues'] };
    expect(describeImport(report, 'zh-cn')).toBe('已恢复实验 teardown 的文件、实验 teardown 的得分、2 个已读章节、1 张复习卡片。实验 queues 保留了这个浏览器里更新的版本。');
    expect(describeImport(report)).toBe("Restored your files for lab teardown, lab scores for teardown, 2 chapters marked read and 1 review card. Kept this browser's newer work on lab queues.");
    expect(describeImport({ chapters: [], labScores: [], cards: [], labFiles: [], labFilesKept: [] }, 'zh-cn')).toBe('没有新内容：文件里的一切这个浏览器都已经有了。');
  });
});
