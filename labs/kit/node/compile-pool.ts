/**
 * Worker threads that run ./compile-worker.ts: the import check, the compile and the type check
 * of learner files, off the caller's event loop. Two workers (the machine this course targets has
 * two cores), one job each at a time; a type check that runs past its limit (a type-level bomb)
 * ends its worker, which is replaced, so it delays no other learner's check beyond that limit.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { CompileJob, CompileReply } from './compile-worker.ts';
import type { CompileProblem, LearnerModule } from './compile.ts';

export const TYPECHECK_LIMIT_S = 10;
const WORKERS = 2;
/** A type check may use this much heap before its worker is ended. */
const WORKER_HEAP_MB = 512;

export interface Compiled {
  imports: CompileProblem[];
  syntax: string | null;
  modules: LearnerModule[];
}

export interface CompileHandle {
  /** The import check and the compiled modules. */
  compiled: Promise<Compiled>;
  /** The type check's problems, or why it did not finish (time or memory). */
  checked: Promise<CompileProblem[] | { failed: string }>;
}

interface Pending {
  job: CompileJob;
  compiled: (c: Compiled) => void;
  checked: (p: CompileProblem[] | { failed: string }) => void;
  compileFailed: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Pending | null;
  timer: NodeJS.Timeout | null;
}

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
const queue: Pending[] = [];
const slots: Slot[] = [];
let nextId = 1;

function startWorker(): Slot {
  const worker = new Worker(new URL('./compile-worker.ts', import.meta.url), {
    execArgv: ['--import', tsxLoader],
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  worker.unref();
  const slot: Slot = { worker, job: null, timer: null };
  worker.on('message', (reply: CompileReply) => {
    const p = slot.job;
    if (!p || reply.id !== p.job.id) return;
    if (reply.stage === 'compiled') {
      p.compiled({ imports: reply.imports, syntax: reply.syntax, modules: reply.modules });
      if (reply.imports.length || reply.syntax !== null) finish(slot, []);
    } else if (reply.stage === 'checking') {
      slot.timer = setTimeout(() => replace(slot, { failed: `the type check of your code took more than ${TYPECHECK_LIMIT_S} s — are some types very deeply nested or recursive?` }), TYPECHECK_LIMIT_S * 1000);
    } else finish(slot, reply.problems);
  });
  const crashed = (why: string) => replace(slot, { failed: why });
  worker.on('error', (err) => crashed(/heap|memory/i.test(err.message) ? 'the type check of your code ran out of memory — are some types very large?' : `the type checker stopped: ${err.message}`));
  worker.on('exit', () => crashed('the type checker stopped'));
  return slot;
}

function finish(slot: Slot, result: CompileProblem[] | { failed: string }): void {
  const p = slot.job;
  if (slot.timer) clearTimeout(slot.timer);
  slot.timer = null;
  slot.job = null;
  p?.checked(result);
  pump();
}

/** Ends a worker (its job failed with `why`) and starts another in its place. */
function replace(slot: Slot, why: { failed: string }): void {
  const i = slots.indexOf(slot);
  if (i < 0) return;
  slots.splice(i, 1);
  slot.worker.removeAllListeners();
  slot.worker.on('error', () => {});
  void slot.worker.terminate();
  const p = slot.job;
  slot.job = null;
  if (slot.timer) clearTimeout(slot.timer);
  if (p) {
    p.compileFailed(new Error(why.failed));
    p.checked(why);
  }
  pump();
}

function pump(): void {
  while (queue.length) {
    let slot = slots.find((s) => s.job === null);
    if (!slot && slots.length < WORKERS) {
      slot = startWorker();
      slots.push(slot);
    }
    if (!slot) return;
    slot.job = queue.shift()!;
    slot.worker.postMessage(slot.job.job);
  }
}

/**
 * Starts the workers now (TypeScript takes a while to load, and the first check parses the whole
 * stack), e.g. when a server starts; `labFiles` are the lab files whose stack to parse ahead.
 */
export function prewarmCompiler(labFiles: string[] = []): void {
  while (slots.length < WORKERS) slots.push(startWorker());
  for (const s of slots) s.worker.postMessage({ warm: labFiles });
}

/**
 * Type-check verdicts by the exact text of the files checked: a learner's Run and then Submit of
 * the same code (or a second Submit) is checked once. Bounded in entries, oldest out first; the
 * verdicts are small (a list of problems).
 */
const checkedByText = new Map<string, CompileProblem[]>();
const CHECK_CACHE_ENTRIES = 512;
const counts = { checked: 0, fromCache: 0 };

/** Type checks run by the workers, and verdicts given from checkedByText, since start. */
export function typeCheckCounts(): { checked: number; fromCache: number } {
  return { ...counts };
}

function textKey(files: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${path}\0${text.length}\0${text}\0`);
  return hash.digest('hex');
}

export function compileLearnerFiles(files: ReadonlyMap<string, string>, options: { checkImports: boolean; typeCheck: boolean }): CompileHandle {
  let compiled!: (c: Compiled) => void;
  let compileFailed!: (err: Error) => void;
  let checked!: (p: CompileProblem[] | { failed: string }) => void;
  const key = options.typeCheck ? textKey(files) : '';
  const known = options.typeCheck ? checkedByText.get(key) : undefined;
  const handle: CompileHandle = {
    compiled: new Promise<Compiled>((ok, bad) => {
      compiled = ok;
      compileFailed = bad;
    }),
    checked: new Promise((ok) => (checked = ok)),
  };
  handle.compiled.catch(() => {});
  if (known) counts.fromCache++;
  else if (options.typeCheck) counts.checked++;
  const report = (p: CompileProblem[] | { failed: string }) => {
    if (known) return checked(known);
    if (options.typeCheck && Array.isArray(p)) {
      checkedByText.set(key, p);
      for (const k of checkedByText.keys()) {
        if (checkedByText.size <= CHECK_CACHE_ENTRIES) break;
        checkedByText.delete(k);
      }
    }
    checked(p);
  };
  queue.push({ job: { id: nextId++, files: [...files], checkImports: options.checkImports, typeCheck: options.typeCheck && !known }, compiled, checked: report, compileFailed });
  pump();
  return handle;
}
