/**
 * A worker thread that checks and compiles learner files (./compile.ts), so that TypeScript never
 * runs on the grading process's event loop (the course server's). For each job it answers twice:
 * first the import check and the compiled modules (enough to start the tests), then the type
 * check, which runs beside the tests. The parent (./compile-pool.ts) ends a worker whose type
 * check runs past its time limit.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { importProblems, transpileLearner, typeCheck, type CompileProblem, type LearnerModule } from './compile.ts';
import { repoPath } from './repo.ts';

export interface CompileJob {
  id: number;
  files: Array<[string, string]>;
  checkImports: boolean;
  typeCheck: boolean;
}

export type CompileReply =
  | { id: number; stage: 'compiled'; imports: CompileProblem[]; syntax: string | null; modules: LearnerModule[] }
  | { id: number; stage: 'checking' }
  | { id: number; stage: 'checked'; problems: CompileProblem[] };

/** Lab files whose stack this worker has parsed once (with the reference in place). */
const warmed = new Set<string>();

function warm(paths: string[]): void {
  for (const file of paths) {
    if (warmed.has(file)) continue;
    try {
      typeCheck(new Map([[file, readFileSync(repoPath(file), 'utf8')]]));
    } catch {
      // not a repository file: nothing to warm
    }
    warmed.add(file);
  }
}

parentPort!.on('message', (job: CompileJob | { warm: string[] }) => {
  if ('warm' in job) return warm(job.warm);
  const files = new Map(job.files);
  const imports = job.checkImports ? importProblems(files) : [];
  let modules: LearnerModule[] = [];
  let syntax: string | null = null;
  if (imports.length === 0) {
    try {
      modules = job.files.map(([file, text]) => transpileLearner(file, text));
    } catch (err) {
      syntax = (err as Error).message;
    }
  }
  parentPort!.postMessage({ id: job.id, stage: 'compiled', imports, syntax, modules } satisfies CompileReply);
  if (imports.length || syntax !== null) return;
  if (!job.typeCheck) {
    parentPort!.postMessage({ id: job.id, stage: 'checked', problems: [] } satisfies CompileReply);
    return;
  }
  // The first check in a worker parses the ES2022 lib and the whole stack (seconds on a busy
  // machine): done once with the reference, so the time limit measures the learner's types only.
  warm(job.files.map(([file]) => file));
  parentPort!.postMessage({ id: job.id, stage: 'checking' } satisfies CompileReply);
  const problems = typeCheck(files);
  parentPort!.postMessage({ id: job.id, stage: 'checked', problems } satisfies CompileReply);
});
