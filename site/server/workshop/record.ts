/**
 * The workshop record: who joined and every Run and Submit they made, in an SQLite file through
 * Node's built-in node:sqlite (unflagged since Node 22.13.0; nothing to install). It survives a
 * restart of the course server; `--db FILE` chooses the file, DEFAULT_DB is git-ignored.
 * A file SQLite cannot read is never overwritten: it is renamed aside and a fresh record started,
 * and `recovered` says where the old one went so the server can print it.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { DatabaseSync } from 'node:sqlite';
import type { ResultsDocument, RunStatus } from '../../../labs/kit/results.ts';
import { learnerName, nameProblemText } from './learner-name.ts';

export const DEFAULT_DB = resolve(dirname(fileURLToPath(import.meta.url)), '../../../.workshop/record.sqlite');
/** Bumped when the tables change; a newer file is refused rather than misread. */
export const SCHEMA_VERSION = 1;
export { NAME_MAX } from './learner-name.ts';

export interface Learner {
  id: string;
  name: string;
  joinedAt: number;
}

export interface TaskState {
  id: number;
  status: RunStatus;
  points: number;
  max: number;
}

export interface Attempt {
  id: number;
  learnerId: string;
  /** ms since the epoch. */
  at: number;
  lab: string;
  /** visible: a Run; hidden: a Submit. */
  suite: 'visible' | 'hidden';
  status: RunStatus;
  points: number;
  max: number;
  tasks: TaskState[];
  durationMs: number;
  /** The first test that did not pass (file order), or null when all passed. */
  firstFailure: { test: string; taskId: number; message: string } | null;
}

/**
 * node:sqlite, loaded on first use. Node 22–24 print "ExperimentalWarning: SQLite is an
 * experimental feature" when it loads; an instructor starting a workshop would read that as a
 * fault, so that one warning is held back while it loads. Every other warning still prints.
 */
function sqlite(): typeof import('node:sqlite') {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (/SQLite is an experimental feature/.test(typeof warning === 'string' ? warning : warning.message)) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return createRequire(import.meta.url)('node:sqlite') as typeof import('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

export class WorkshopRecordError extends Error {}

/** Trimmed, single-line, 1..NAME_MAX characters; what the dashboard shows (learner-name.ts). */
export function checkLearnerName(raw: unknown): string | { error: string } {
  const checked = learnerName(raw);
  return 'name' in checked ? checked.name : { error: nameProblemText(checked.problem) };
}

/** Longest first-failure message kept: learner code writes these (a thrown Error's text). */
export const MESSAGE_MAX = 300;

/** One line of at most `max` characters, without control or bidirectional-override characters. */
function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const line = text.split('\n')[0].replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
}

export function firstFailureOf(doc: ResultsDocument): Attempt['firstFailure'] {
  const t = doc.tests.find((x) => x.status !== 'pass');
  if (t) return { test: oneLine(t.name, MESSAGE_MAX), taskId: t.task_id, message: oneLine(t.message ?? '', MESSAGE_MAX) };
  if (doc.status === 'error') return { test: '(did not run)', taskId: 0, message: oneLine(doc.message ?? '', MESSAGE_MAX) };
  return null;
}

type Row = Record<string, unknown>;

function toAttempt(r: Row): Attempt {
  return {
    id: Number(r.id),
    learnerId: String(r.learner_id),
    at: Number(r.at),
    lab: String(r.lab),
    suite: r.suite === 'hidden' ? 'hidden' : 'visible',
    status: r.status as RunStatus,
    points: Number(r.points),
    max: Number(r.max),
    tasks: JSON.parse(String(r.tasks)) as TaskState[],
    durationMs: Number(r.duration_ms),
    firstFailure: r.first_test === null ? null : { test: String(r.first_test), taskId: Number(r.first_task), message: String(r.first_message ?? '') },
  };
}

export class WorkshopRecord {
  private readonly listeners = new Set<(a: Attempt, learner: Learner) => void>();
  private readonly changeListeners = new Set<() => void>();
  /**
   * Every attempt in (at, id) order, read once and then kept up to date by addAttempt: the
   * dashboard rebuilds its matrix after each Run and Submit, and a room makes thousands. The
   * course server is the file's only writer, so the copy cannot go stale.
   */
  private all: Attempt[] | null = null;

  private constructor(
    private readonly db: DatabaseSync,
    readonly file: string,
    /** Set when the file could not be read as a record and was renamed aside. */
    readonly recovered: { movedTo: string; reason: string } | null,
  ) {}

  static open(file: string = DEFAULT_DB, now: () => number = Date.now): WorkshopRecord {
    const path = file === ':memory:' ? file : resolve(file);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      return new WorkshopRecord(WorkshopRecord.connect(path), path, null);
    } catch (err) {
      if (err instanceof WorkshopRecordError || path === ':memory:') throw err;
      // Not a database, or a damaged one: keep it for whoever wants to look, start afresh.
      const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
      const movedTo = `${path}.unreadable-${stamp}`;
      renameSync(path, movedTo);
      for (const side of ['-wal', '-shm']) if (existsSync(path + side)) renameSync(path + side, movedTo + side);
      return new WorkshopRecord(WorkshopRecord.connect(path), path, { movedTo, reason: (err as Error).message });
    }
  }

  private static connect(path: string): DatabaseSync {
    const db = new (sqlite().DatabaseSync)(path, { timeout: 2000 });
    try {
      const check = db.prepare('PRAGMA quick_check').get() as Row | undefined;
      const verdict = check ? String(Object.values(check)[0]) : 'no answer';
      if (verdict !== 'ok') throw new Error(`SQLite's integrity check says: ${verdict}`);
      const version = Number((db.prepare('PRAGMA user_version').get() as Row).user_version);
      if (version > SCHEMA_VERSION) {
        throw new WorkshopRecordError(`${path} was written by a newer course server (record version ${version}, this one reads ${SCHEMA_VERSION}); update the course or choose another --db`);
      }
      // WAL with synchronous NORMAL: a crash cannot damage the file, and a Run's answer does not
      // wait for the disk to flush (a power cut may lose the last attempts, not the record).
      if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS learners (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          joined_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS attempts (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          learner_id TEXT NOT NULL REFERENCES learners(id),
          at INTEGER NOT NULL,
          lab TEXT NOT NULL,
          suite TEXT NOT NULL CHECK (suite IN ('visible', 'hidden')),
          status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
          points REAL NOT NULL,
          max REAL NOT NULL,
          tasks TEXT NOT NULL,
          duration_ms REAL NOT NULL,
          first_test TEXT,
          first_task INTEGER,
          first_message TEXT
        );
        CREATE INDEX IF NOT EXISTS attempts_by_learner ON attempts (learner_id, lab, at);
        PRAGMA user_version = ${SCHEMA_VERSION};
      `);
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  addLearner(rawName: unknown, at: number = Date.now()): Learner {
    const name = checkLearnerName(rawName);
    if (typeof name !== 'string') throw new WorkshopRecordError(name.error);
    // The id is what a learner's browser shows to attach its attempts: unguessable, so no one
    // records attempts under someone else's name.
    const learner = { id: randomBytes(12).toString('base64url'), name, joinedAt: at };
    this.db.prepare('INSERT INTO learners (id, name, joined_at) VALUES (?, ?, ?)').run(learner.id, learner.name, learner.joinedAt);
    for (const l of this.changeListeners) l();
    return learner;
  }

  learner(id: string): Learner | null {
    const r = this.db.prepare('SELECT id, name, joined_at FROM learners WHERE id = ?').get(id) as Row | undefined;
    return r ? { id: String(r.id), name: String(r.name), joinedAt: Number(r.joined_at) } : null;
  }

  learners(): Learner[] {
    return (this.db.prepare('SELECT id, name, joined_at FROM learners ORDER BY joined_at, rowid').all() as Row[]).map((r) => ({ id: String(r.id), name: String(r.name), joinedAt: Number(r.joined_at) }));
  }

  /** Records one graded Run (visible suite) or Submit (hidden suite) and tells the listeners. */
  addAttempt(learnerId: string, doc: ResultsDocument, options: { at?: number; durationMs?: number } = {}): Attempt {
    const learner = this.learner(learnerId);
    if (!learner) throw new WorkshopRecordError(`no learner ${learnerId} in this workshop (join first)`);
    const at = options.at ?? Date.now();
    const durationMs = options.durationMs ?? doc.tests.reduce((n, t) => n + t.duration_ms, 0);
    const tasks: TaskState[] = doc.tasks.map((t) => ({ id: t.id, status: t.status, points: t.points, max: t.max }));
    const first = firstFailureOf(doc);
    const r = this.db
      .prepare('INSERT INTO attempts (learner_id, at, lab, suite, status, points, max, tasks, duration_ms, first_test, first_task, first_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(learnerId, at, doc.lab, doc.suite, doc.status, doc.score.points, doc.score.max, JSON.stringify(tasks), durationMs, first?.test ?? null, first?.taskId ?? null, first?.message ?? null);
    const attempt: Attempt = { id: Number(r.lastInsertRowid), learnerId, at, lab: doc.lab, suite: doc.suite, status: doc.status, points: doc.score.points, max: doc.score.max, tasks, durationMs, firstFailure: first };
    if (this.all) {
      // Almost always the latest; an attempt dated earlier (a test's `at`) goes to its place.
      let i = this.all.length;
      while (i > 0 && this.all[i - 1].at > at) i--;
      this.all.splice(i, 0, attempt);
    }
    for (const l of this.listeners) l(attempt, learner);
    for (const l of this.changeListeners) l();
    return attempt;
  }

  attempts(filter: { learnerId?: string; lab?: string } = {}): Attempt[] {
    if (filter.learnerId === undefined && filter.lab === undefined) {
      this.all ??= (this.db.prepare('SELECT * FROM attempts ORDER BY at, id').all() as Row[]).map(toAttempt);
      return [...this.all];
    }
    const where: string[] = [];
    const args: string[] = [];
    if (filter.learnerId !== undefined) (where.push('learner_id = ?'), args.push(filter.learnerId));
    if (filter.lab !== undefined) (where.push('lab = ?'), args.push(filter.lab));
    const sql = `SELECT * FROM attempts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toAttempt);
  }

  /** Called after each recorded attempt (the dashboard's live updates); returns the unsubscribe. */
  onAttempt(listener: (a: Attempt, learner: Learner) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after every join and every attempt; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
    this.changeListeners.clear();
    this.db.close();
  }
}
