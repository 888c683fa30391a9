// The learner's progress, kept in localStorage (no accounts: the course must work from one laptop
// with no internet). Shared by the site's pages and the lab workbench, so it has no DOM dependency
// beyond a Storage-like object, and it never throws away a save it cannot read: an unreadable save
// is copied aside under its own key and reported, because a learner's lab scores may be the only
// record a workshop has.
import { labSaveKey, labSaveKeys, labSaveProblems, LAB_SAVE_PREFIX, type LabSave } from './workbench/lab-save.ts';

export const PROGRESS_KEY = 'tcp-course:progress';
export const CORRUPT_KEY_PREFIX = 'tcp-course:progress:corrupt:';
export const PROGRESS_VERSION = 1;
/** Dispatched on `window` after every save so several widgets on one page stay in step. */
export const PROGRESS_EVENT = 'tcp-course:progress-changed';

export interface ChapterProgress {
  readAt: string;
}

export interface LabProgress {
  points: number;
  max: number;
  updatedAt: string;
}

/**
 * An FSRS card as JSON (dates as ISO strings). Same field names as ts-fsrs's `Card`, so the review
 * page can hand it to the scheduler without this module importing ts-fsrs on every page.
 */
export interface StoredCard {
  due: string;
  stability: number;
  difficulty: number;
  elapsed_days: number;
  scheduled_days: number;
  learning_steps: number;
  reps: number;
  lapses: number;
  /** ts-fsrs State: 0 New, 1 Learning, 2 Review, 3 Relearning. */
  state: 0 | 1 | 2 | 3;
  last_review?: string;
}

export interface InterviewProgress {
  addedAt: string;
  card: StoredCard;
}

export interface Progress {
  version: 1;
  chapters: Record<string, ChapterProgress>;
  labs: Record<string, LabProgress>;
  interview: Record<string, InterviewProgress>;
}

export type ProgressProblemKind = 'unparseable' | 'invalid' | 'unsupported-version';

export interface ProgressProblem {
  kind: ProgressProblemKind;
  /** Learner-facing explanation (English; describeProblem gives it in either edition). */
  message: string;
  /** The technical part of the message (what was found), the same in every language. */
  detail?: string;
  /** Where the unreadable save now lives (null if even that copy failed). */
  keptAs: string | null;
}

export interface LoadedProgress {
  progress: Progress;
  problem?: ProgressProblem;
}

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export class ProgressFormatError extends Error {
  constructor(readonly problems: string[]) {
    super(`Not a course progress file: ${problems.join('; ')}`);
    this.name = 'ProgressFormatError';
  }
}

export function emptyProgress(): Progress {
  return { version: PROGRESS_VERSION, chapters: {}, labs: {}, interview: {} };
}

// ---------------------------------------------------------------------------------------------
// Validation. Hand-written rather than a schema library: this module ships on every page.

type Problems = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkDate(value: unknown, path: string, problems: Problems): void {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    problems.push(`${path} must be an ISO date string`);
  }
}

function checkNumber(value: unknown, path: string, problems: Problems, min = 0): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    problems.push(`${path} must be a number ≥ ${min}`);
  }
}

function checkMap(value: unknown, path: string, problems: Problems, checkEntry: (entry: unknown, path: string) => void): void {
  if (!isRecord(value)) {
    problems.push(`${path} must be an object`);
    return;
  }
  for (const [key, entry] of Object.entries(value)) {
    const entryPath = `${path}.${key}`;
    if (!isRecord(entry)) problems.push(`${entryPath} must be an object`);
    else checkEntry(entry, entryPath);
  }
}

function checkCard(card: unknown, path: string, problems: Problems): void {
  if (!isRecord(card)) {
    problems.push(`${path} must be an object`);
    return;
  }
  checkDate(card.due, `${path}.due`, problems);
  for (const field of ['stability', 'difficulty', 'elapsed_days', 'scheduled_days', 'learning_steps', 'reps', 'lapses'] as const) {
    checkNumber(card[field], `${path}.${field}`, problems);
  }
  if (![0, 1, 2, 3].includes(card.state as number)) problems.push(`${path}.state must be 0, 1, 2 or 3`);
  if (card.last_review !== undefined) checkDate(card.last_review, `${path}.last_review`, problems);
}

/** Lists every problem in a version-1 progress object; empty when it is valid. */
export function progressProblems(value: unknown): string[] {
  const problems: Problems = [];
  if (!isRecord(value)) return ['the save must be a JSON object'];
  if (value.version !== PROGRESS_VERSION) problems.push(`version must be ${PROGRESS_VERSION}`);
  checkMap(value.chapters, 'chapters', problems, (entry, path) => {
    checkDate((entry as Record<string, unknown>).readAt, `${path}.readAt`, problems);
  });
  checkMap(value.labs, 'labs', problems, (entry, path) => {
    const lab = entry as Record<string, unknown>;
    checkNumber(lab.points, `${path}.points`, problems);
    checkNumber(lab.max, `${path}.max`, problems, 1);
    if (typeof lab.points === 'number' && typeof lab.max === 'number' && lab.points > lab.max) {
      problems.push(`${path}.points must not exceed max`);
    }
    checkDate(lab.updatedAt, `${path}.updatedAt`, problems);
  });
  checkMap(value.interview, 'interview', problems, (entry, path) => {
    const item = entry as Record<string, unknown>;
    checkDate(item.addedAt, `${path}.addedAt`, problems);
    checkCard(item.card, `${path}.card`, problems);
  });
  return problems;
}

function isProgress(value: unknown): value is Progress {
  return progressProblems(value).length === 0;
}

// ---------------------------------------------------------------------------------------------
// Load and save.

function keepAside(storage: StorageLike, raw: string, now: Date): string | null {
  const key = `${CORRUPT_KEY_PREFIX}${now.toISOString()}`;
  try {
    storage.setItem(key, raw);
    return key;
  } catch {
    return null;
  }
}

function describeKeptAs(keptAs: string | null): string {
  return keptAs
    ? `The old save was kept, unchanged, under the key "${keptAs}" in this browser; the course map page can download it.`
    : 'The browser refused to store a copy of the old save (storage full?); it is still under its usual key until you save again.';
}

/**
 * Reads the saved progress. A save that is not JSON, does not match version 1, or comes from
 * another version is copied aside (never deleted), the course starts from an empty record, and
 * `problem` says what happened so the page can tell the learner.
 */
export function loadProgress(storage: StorageLike, now: Date = new Date()): LoadedProgress {
  let raw: string | null;
  try {
    raw = storage.getItem(PROGRESS_KEY);
  } catch {
    raw = null;
  }
  if (raw === null) return { progress: emptyProgress() };

  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    const keptAs = keepAside(storage, raw, now);
    if (keptAs) storage.removeItem(PROGRESS_KEY);
    return {
      progress: emptyProgress(),
      problem: { kind: 'unparseable', message: `Your saved progress could not be read (it is not valid JSON). ${describeKeptAs(keptAs)}`, keptAs },
    };
  }

  if (isRecord(parsed) && parsed.version !== PROGRESS_VERSION) {
    // There is no earlier released format to migrate from; a different version is either a save
    // from an older prototype or from a newer course. Keep it intact rather than guess.
    const keptAs = keepAside(storage, raw, now);
    if (keptAs) storage.removeItem(PROGRESS_KEY);
    const found = parsed.version === undefined ? 'no version' : `version ${JSON.stringify(parsed.version)}`;
    return {
      progress: emptyProgress(),
      problem: {
        kind: 'unsupported-version',
        message: `Your saved progress has ${found}; this course reads version ${PROGRESS_VERSION}. ${describeKeptAs(keptAs)}`,
        detail: parsed.version === undefined ? '' : JSON.stringify(parsed.version),
        keptAs,
      },
    };
  }

  const problems = progressProblems(parsed);
  if (problems.length > 0) {
    const keptAs = keepAside(storage, raw, now);
    if (keptAs) storage.removeItem(PROGRESS_KEY);
    return {
      progress: emptyProgress(),
      problem: { kind: 'invalid', message: `Your saved progress is damaged (${problems.slice(0, 3).join('; ')}). ${describeKeptAs(keptAs)}`, detail: problems.slice(0, 3).join('; '), keptAs },
    };
  }
  return { progress: parsed as Progress };
}

/** Saves; throws an Error with a learner-facing message when the browser refuses (quota, privacy mode). */
export function saveProgress(storage: StorageLike, progress: Progress): void {
  const problems = progressProblems(progress);
  if (problems.length > 0) throw new ProgressFormatError(problems);
  try {
    storage.setItem(PROGRESS_KEY, JSON.stringify(progress));
  } catch (error) {
    throw new Error(`Your progress could not be saved in this browser: ${(error as Error).message}`);
  }
  const target = (globalThis as { dispatchEvent?: (event: Event) => boolean }).dispatchEvent;
  if (typeof target === 'function' && typeof Event === 'function') {
    globalThis.dispatchEvent(new Event(PROGRESS_EVENT));
  }
}

/** Loads, applies `change`, saves; returns the saved record. */
export function updateProgress(storage: StorageLike, change: (progress: Progress) => void, now: Date = new Date()): Progress {
  const { progress } = loadProgress(storage, now);
  change(progress);
  saveProgress(storage, progress);
  return progress;
}

export function markChapterRead(storage: StorageLike, chapter: string, now: Date = new Date()): Progress {
  return updateProgress(
    storage,
    (progress) => {
      progress.chapters[chapter] ??= { readAt: now.toISOString() };
    },
    now,
  );
}

export function markChapterUnread(storage: StorageLike, chapter: string, now: Date = new Date()): Progress {
  return updateProgress(storage, (progress) => void delete progress.chapters[chapter], now);
}

/** Records a graded lab run (the workbench calls this after Submit). */
export function recordLabScore(storage: StorageLike, lab: string, points: number, max: number, now: Date = new Date()): Progress {
  if (!Number.isFinite(points) || !Number.isFinite(max) || max < 1 || points < 0 || points > max) {
    throw new RangeError(`A lab score needs 0 ≤ points ≤ max and max ≥ 1 (got ${points}/${max})`);
  }
  return updateProgress(storage, (progress) => {
    progress.labs[lab] = { points, max, updatedAt: now.toISOString() };
  }, now);
}

/** A card that has never been reviewed, as ts-fsrs's createEmptyCard(now) makes it. */
export function newCard(now: Date): StoredCard {
  return {
    due: now.toISOString(),
    stability: 0,
    difficulty: 0,
    elapsed_days: 0,
    scheduled_days: 0,
    learning_steps: 0,
    reps: 0,
    lapses: 0,
    state: 0,
  };
}

export function addToReview(storage: StorageLike, question: string, now: Date = new Date()): Progress {
  return updateProgress(storage, (progress) => {
    progress.interview[question] ??= { addedAt: now.toISOString(), card: newCard(now) };
  }, now);
}

export function removeFromReview(storage: StorageLike, question: string, now: Date = new Date()): Progress {
  return updateProgress(storage, (progress) => void delete progress.interview[question], now);
}

/** Stores the card the scheduler returned after a review. */
export function recordReview(storage: StorageLike, question: string, card: StoredCard, now: Date = new Date()): Progress {
  return updateProgress(storage, (progress) => {
    const item = progress.interview[question];
    if (!item) throw new Error(`"${question}" is not in the review list`);
    item.card = card;
  }, now);
}

/** Keys of saves that were kept aside, oldest first, so a page can keep pointing at them. */
export function keptAsideKeys(storage: Pick<Storage, 'length' | 'key'>): string[] {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(CORRUPT_KEY_PREFIX)) keys.push(key);
  }
  return keys.sort();
}

// ---------------------------------------------------------------------------------------------
// Export and import.

export interface ProgressFile {
  course: 'tcp-connection-course';
  exportedAt: string;
  progress: Progress;
}

export function exportProgress(progress: Progress, now: Date = new Date()): string {
  const file: ProgressFile = { course: 'tcp-connection-course', exportedAt: now.toISOString(), progress };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Parses an exported file; throws ProgressFormatError naming every problem. */
export function parseProgressFile(text: string): Progress {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ProgressFormatError([`the file is not JSON (${(error as Error).message})`]);
  }
  if (!isRecord(parsed) || parsed.course !== 'tcp-connection-course') {
    throw new ProgressFormatError(['the file was not exported by this course (no "course": "tcp-connection-course")']);
  }
  const problems = progressProblems(parsed.progress).map((problem) => `progress.${problem}`);
  if (problems.length > 0) throw new ProgressFormatError(problems);
  return parsed.progress as Progress;
}

function later(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}

/**
 * Combines an imported record with the current one, so importing on a second laptop never loses
 * what was done on this one: the first reading date wins, the most recent lab score and the most
 * recently reviewed card win.
 */
export function mergeProgress(current: Progress, imported: Progress): Progress {
  const merged: Progress = structuredClone(current);
  for (const [slug, chapter] of Object.entries(imported.chapters)) {
    const mine = merged.chapters[slug];
    if (!mine || later(mine.readAt, chapter.readAt)) merged.chapters[slug] = { ...chapter };
  }
  for (const [slug, lab] of Object.entries(imported.labs)) {
    const mine = merged.labs[slug];
    if (!mine || later(lab.updatedAt, mine.updatedAt)) merged.labs[slug] = { ...lab };
  }
  for (const [slug, item] of Object.entries(imported.interview)) {
    const mine = merged.interview[slug];
    const theirs = item.card.last_review ?? item.addedAt;
    if (!mine || later(theirs, mine.card.last_review ?? mine.addedAt)) merged.interview[slug] = structuredClone(item);
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------
// The course file: everything a learner has in this browser — progress (chapters, lab scores,
// review cards) and every lab's saved files — so one export from any page moves it all.

export type ListableStorage = StorageLike & Pick<Storage, 'length' | 'key'>;

export interface CourseFile extends ProgressFile {
  workbench: { version: 1; labs: Record<string, LabSave> };
}

/** Every record in storage as one file. Unreadable saves are left out (they are kept aside and reported where they live). */
export function exportCourse(storage: ListableStorage, now: Date = new Date()): string {
  const { progress } = loadProgress(storage, now);
  const labs: Record<string, LabSave> = {};
  for (const key of labSaveKeys(storage)) {
    const lab = key.slice(LAB_SAVE_PREFIX.length);
    try {
      const save = JSON.parse(storage.getItem(key) ?? '') as unknown;
      if (labSaveProblems(save, lab).length === 0) labs[lab] = save as LabSave;
    } catch {
      // not JSON: the lab page keeps it aside and says so the next time it opens
    }
  }
  const file: CourseFile = { course: 'tcp-connection-course', exportedAt: now.toISOString(), progress, workbench: { version: 1, labs } };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** What an import took from the file, for the learner to read. */
export interface ImportReport {
  /** Chapters whose reading date came from the file. */
  chapters: string[];
  /** Labs whose score came from the file. */
  labScores: string[];
  /** Review questions whose card came from the file. */
  cards: string[];
  /** Labs whose saved files were restored from the file. */
  labFiles: string[];
  /** Labs whose work in this browser is newer than the file's, and was kept. */
  labFilesKept: string[];
}

function parseCourseFile(text: string): { progress: Progress; labs: Record<string, LabSave> } {
  const progress = parseProgressFile(text);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const labs: Record<string, LabSave> = {};
  // A progress-only file (the home page's export before lab work joined it) has no workbench part.
  if (parsed.workbench === undefined) return { progress, labs };
  const workbench = parsed.workbench;
  if (!isRecord(workbench) || workbench.version !== 1 || !isRecord(workbench.labs)) {
    throw new ProgressFormatError(['its "workbench" section (your lab files) is not version 1']);
  }
  const problems: string[] = [];
  for (const [lab, save] of Object.entries(workbench.labs)) {
    const found = labSaveProblems(save, lab);
    if (found.length > 0) problems.push(`the saved work of lab ${lab} is damaged (${found.join(', ')})`);
    else labs[lab] = save as LabSave;
  }
  if (problems.length > 0) throw new ProgressFormatError(problems);
  return { progress, labs };
}

/**
 * Imports a course file: progress merged by mergeProgress's rules, and each lab's saved files
 * restored unless this browser's save of that lab is newer (an old backup never overwrites today's
 * work). The whole file is checked before anything is written, and if the browser refuses a write
 * half-way every key is put back as it was: a bad file changes nothing.
 */
export function importCourse(storage: StorageLike, text: string, now: Date = new Date()): ImportReport {
  const incoming = parseCourseFile(text);
  const { progress: current } = loadProgress(storage, now);
  const merged = mergeProgress(current, incoming.progress);
  const report: ImportReport = {
    chapters: Object.keys(incoming.progress.chapters).filter((k) => JSON.stringify(merged.chapters[k]) !== JSON.stringify(current.chapters[k])),
    labScores: Object.keys(incoming.progress.labs).filter((k) => JSON.stringify(merged.labs[k]) !== JSON.stringify(current.labs[k])),
    cards: Object.keys(incoming.progress.interview).filter((k) => JSON.stringify(merged.interview[k]) !== JSON.stringify(current.interview[k])),
    labFiles: [],
    labFilesKept: [],
  };
  const writes = new Map<string, string>();
  for (const [lab, save] of Object.entries(incoming.labs)) {
    let mine: LabSave | null = null;
    try {
      const raw = storage.getItem(labSaveKey(lab));
      const parsed = raw === null ? null : (JSON.parse(raw) as unknown);
      if (labSaveProblems(parsed, lab).length === 0) mine = parsed as LabSave;
    } catch {
      // an unreadable save here is replaced below; the lab page had already kept it aside
    }
    if (mine && Date.parse(mine.updatedAt) >= Date.parse(save.updatedAt)) report.labFilesKept.push(lab);
    else {
      writes.set(labSaveKey(lab), JSON.stringify(save));
      report.labFiles.push(lab);
    }
  }
  const before = new Map<string, string | null>([PROGRESS_KEY, ...writes.keys()].map((key) => [key, storage.getItem(key)]));
  try {
    for (const [key, value] of writes) storage.setItem(key, value);
    saveProgress(storage, merged);
  } catch (error) {
    for (const [key, value] of before) {
      try {
        if (value === null) storage.removeItem(key);
        else storage.setItem(key, value);
      } catch {
        // restoring an old value cannot need more room than it had
      }
    }
    throw new Error(`Nothing was imported: the browser refused to store it (${(error as Error).message}).`);
  }
  return report;
}

function list(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The sentence a page shows after an import, in the page's edition. */
export function describeImport(report: ImportReport, locale: 'en' | 'zh-cn' = 'en'): string {
  if (locale === 'zh-cn') {
    const parts: string[] = [];
    if (report.labFiles.length > 0) parts.push(`实验 ${report.labFiles.join('、')} 的文件`);
    if (report.labScores.length > 0) parts.push(`实验 ${report.labScores.join('、')} 的得分`);
    if (report.chapters.length > 0) parts.push(`${report.chapters.length} 个已读章节`);
    if (report.cards.length > 0) parts.push(`${report.cards.length} 张复习卡片`);
    const restored = parts.length > 0 ? `已恢复${parts.join('、')}。` : '没有新内容：文件里的一切这个浏览器都已经有了。';
    const kept = report.labFilesKept.length > 0 ? `实验 ${report.labFilesKept.join('、')} 保留了这个浏览器里更新的版本。` : '';
    return restored + kept;
  }
  const parts: string[] = [];
  if (report.labFiles.length > 0) parts.push(`your files for lab ${list(report.labFiles)}`);
  if (report.labScores.length > 0) parts.push(`lab scores for ${list(report.labScores)}`);
  if (report.chapters.length > 0) parts.push(count(report.chapters.length, 'chapter marked read', 'chapters marked read'));
  if (report.cards.length > 0) parts.push(count(report.cards.length, 'review card', 'review cards'));
  const restored = parts.length > 0 ? `Restored ${list(parts)}.` : 'Nothing new: this browser already had everything in the file.';
  const kept = report.labFilesKept.length > 0 ? ` Kept this browser's newer work on lab ${list(report.labFilesKept)}.` : '';
  return restored + kept;
}

/** What went wrong with the saved progress, in the page's edition. */
export function describeProblem(problem: ProgressProblem, locale: 'en' | 'zh-cn' = 'en'): string {
  if (locale === 'en') return problem.message;
  const kept = problem.keptAs
    ? `原来的存档已原样保留在这个浏览器里，键名为“${problem.keptAs}”；可以在课程目录页下载它。`
    : '浏览器拒绝另存一份旧存档（存储空间满了？）；在你下次保存之前，它仍在原来的键名下。';
  switch (problem.kind) {
    case 'unparseable':
      return `无法读取你保存的进度（它不是有效的 JSON）。${kept}`;
    case 'unsupported-version':
      return `你保存的进度${problem.detail ? `是第 ${problem.detail} 版` : '没有版本号'}，而本课程读取第 ${PROGRESS_VERSION} 版。${kept}`;
    case 'invalid':
      return `你保存的进度已损坏（${problem.detail ?? ''}）。${kept}`;
  }
}

/**
 * Imports a course file into storage (merging progress, restoring lab files); returns the saved
 * progress. Kept for pages that only need the record; importCourse also says what it restored.
 */
export function importProgress(storage: StorageLike, text: string, now: Date = new Date()): Progress {
  importCourse(storage, text, now);
  return loadProgress(storage, now).progress;
}

export { isProgress };
