/**
 * The learner's work on one lab — their copies of the lab's files, hints revealed, attempts — in
 * localStorage beside the course progress (../progress.ts holds the scores). Saved on every edit,
 * because a closed laptop lid must not cost an afternoon's work. Like progress.ts, a save that
 * cannot be read is kept aside under its own key and reported, never dropped.
 */
// Structurally progress.ts's StorageLike; declared here so progress.ts can import this module
// (the course file carries lab saves) without an import cycle.
type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const LAB_SAVE_PREFIX = 'tcp-course:lab:';
export const LAB_SAVE_VERSION = 1;

export interface LabSave {
  version: 1;
  lab: string;
  /** The learner's copy of each editable file, by repository path. */
  files: Record<string, string>;
  /** Hash of the starter each file began from, to notice a course update under a save. */
  starterHashes: Record<string, string>;
  /** How many hint levels are shown, per task id. */
  hintsShown: Record<string, number>;
  attempts: { visible: number; hidden: number };
  /** Hidden suite fully passed at least once (unlocks an `after-pass` solution). */
  passed: boolean;
  updatedAt: string;
}

export interface LabSaveProblem {
  /** In English; the page says it in its edition from `problems` and `keptAs`. */
  message: string;
  /** What was wrong with the save (at most three, as the message names them). */
  problems: string[];
  keptAs: string | null;
}

/**
 * Why a save was not written: the browser refused (`reason`, its own words) or the record was
 * malformed (`problems`). The message is the English sentence; the page words it for its edition.
 */
export class LabSaveError extends Error {
  constructor(
    message: string,
    readonly reason: { refused: string } | { problems: string[] },
  ) {
    super(message);
    this.name = 'LabSaveError';
  }
}

export interface LoadedLabSave {
  save: LabSave | null;
  problem?: LabSaveProblem;
}

export function labSaveKey(lab: string): string {
  return `${LAB_SAVE_PREFIX}${lab}`;
}

export function emptyLabSave(lab: string, now: Date = new Date()): LabSave {
  return { version: LAB_SAVE_VERSION, lab, files: {}, starterHashes: {}, hintsShown: {}, attempts: { visible: 0, hidden: 0 }, passed: false, updatedAt: now.toISOString() };
}

/** FNV-1a over UTF-16 code units: enough to tell "same starter" from "changed starter". */
export function textHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

export function labSaveProblems(value: unknown, lab?: string): string[] {
  if (!isRecord(value)) return ['the save must be a JSON object'];
  const problems: string[] = [];
  if (value.version !== LAB_SAVE_VERSION) problems.push(`version must be ${LAB_SAVE_VERSION} (found ${JSON.stringify(value.version ?? null)})`);
  if (typeof value.lab !== 'string') problems.push('lab must be a string');
  else if (lab !== undefined && value.lab !== lab) problems.push(`it belongs to lab "${value.lab}", not "${lab}"`);
  if (!isStringMap(value.files)) problems.push('files must map paths to text');
  if (!isStringMap(value.starterHashes)) problems.push('starterHashes must map paths to text');
  if (!isRecord(value.hintsShown) || !Object.values(value.hintsShown).every((n) => Number.isInteger(n) && (n as number) >= 0)) {
    problems.push('hintsShown must map task ids to whole numbers');
  }
  const attempts = value.attempts;
  if (!isRecord(attempts) || !Number.isInteger(attempts.visible) || !Number.isInteger(attempts.hidden)) problems.push('attempts must be {visible, hidden} whole numbers');
  if (typeof value.passed !== 'boolean') problems.push('passed must be true or false');
  if (typeof value.updatedAt !== 'string' || Number.isNaN(Date.parse(value.updatedAt))) problems.push('updatedAt must be an ISO date');
  return problems;
}

function keepAside(storage: StorageLike, lab: string, raw: string, now: Date): string | null {
  const key = `${labSaveKey(lab)}:corrupt:${now.toISOString()}`;
  try {
    storage.setItem(key, raw);
    return key;
  } catch {
    return null;
  }
}

/** Reads a lab's save; an unreadable one is copied aside, reported, and the lab starts fresh. */
export function loadLabSave(storage: StorageLike, lab: string, now: Date = new Date()): LoadedLabSave {
  let raw: string | null = null;
  try {
    raw = storage.getItem(labSaveKey(lab));
  } catch {
    raw = null;
  }
  if (raw === null) return { save: null };
  let parsed: unknown;
  let problems: string[];
  try {
    parsed = JSON.parse(raw);
    problems = labSaveProblems(parsed, lab);
  } catch (error) {
    problems = [`it is not JSON (${(error as Error).message})`];
  }
  if (problems.length === 0) return { save: parsed as LabSave };
  const keptAs = keepAside(storage, lab, raw, now);
  if (keptAs) storage.removeItem(labSaveKey(lab));
  const where = keptAs
    ? `It was kept, unchanged, under the key "${keptAs}" in this browser.`
    : 'The browser refused to store a copy (storage full?); it stays under its usual key until the next save.';
  return { save: null, problem: { message: `Your saved work on this lab could not be read (${problems.slice(0, 3).join('; ')}). ${where}`, problems: problems.slice(0, 3), keptAs } };
}

/** Writes a lab's save; throws an Error with a learner-facing message if the browser refuses. */
export function storeLabSave(storage: StorageLike, save: LabSave, now: Date = new Date()): void {
  const problems = labSaveProblems(save, save.lab);
  if (problems.length > 0) throw new LabSaveError(`Refusing to save a malformed lab record: ${problems.join('; ')}`, { problems });
  save.updatedAt = now.toISOString();
  try {
    storage.setItem(labSaveKey(save.lab), JSON.stringify(save));
  } catch (error) {
    throw new LabSaveError(`Your work could not be saved in this browser: ${(error as Error).message}`, { refused: (error as Error).message });
  }
}

/** Files whose starter changed since the learner began from it (a course update). */
export function staleStarters(save: LabSave, starters: Record<string, string>): string[] {
  return Object.keys(save.files).filter((path) => path in starters && save.starterHashes[path] !== undefined && save.starterHashes[path] !== textHash(starters[path]));
}

/** Keys of every lab save in storage (never a kept-aside copy), for the course file. */
export function labSaveKeys(storage: Pick<Storage, 'length' | 'key'>): string[] {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(LAB_SAVE_PREFIX) && !key.includes(':corrupt:')) keys.push(key);
  }
  return keys.sort();
}
