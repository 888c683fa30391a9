/**
 * Grading learner code in Node: type-check it, build and transpile a run tree with it in place,
 * and run the suite in a child process that may only read that tree (Node's permission model:
 * no writes, no child processes, no workers), with a memory cap, a wall-clock limit, no network
 * (a fresh network namespace where `unshare -n` works, and no sockets modules in any case).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { LabDefinition } from '../definition.ts';
import { errorDocument, type ResultsDocument } from '../results.ts';
import { buildTree } from '../tree.ts';
import { formatProblems, importProblems, transpileTree, typeCheck } from './compile.ts';
import { removeDir, repoFiles, runDir, writeTree } from './repo.ts';

export interface SandboxOptions {
  seed?: number;
  /** Wall-clock limit for the whole suite, in seconds. */
  timeoutSeconds?: number;
  memoryMb?: number;
  /** Skip the type check (the reference and starters are checked by the authoring tests). */
  skipTypeCheck?: boolean;
  /** false: skip the static import check (only to test the child's own defences). */
  checkImports?: boolean;
}

export const DEFAULT_TIMEOUT_S = 10;
export const DEFAULT_MEMORY_MB = 256;

let unshareWorks: boolean | null = null;
function canUnshareNet(): boolean {
  if (unshareWorks === null) {
    const r = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
    unshareWorks = r.status === 0;
  }
  return unshareWorks;
}

/** Whether children run in their own network namespace (reported by the CLI). */
export function networkIsolation(): 'namespace' | 'modules-only' {
  return canUnshareNet() ? 'namespace' : 'modules-only';
}

const CHILD = 'labs/kit/node/child.ts';
const OUTPUT_LIMIT = 500;

/** Attaches what the learner's code printed during each test (and while loading, to the document). */
function withOutput(doc: ResultsDocument, printed: Map<string, string>): ResultsDocument {
  for (const t of doc.tests) {
    const out = printed.get(t.name);
    if (out) t.output = out;
  }
  const atLoad = printed.get('');
  if (atLoad) doc.output = atLoad;
  return doc;
}

export async function runSandboxed(
  def: LabDefinition,
  learnerFiles: ReadonlyMap<string, string>,
  suite: 'visible' | 'hidden',
  options: SandboxOptions = {},
): Promise<ResultsDocument> {
  const seed = options.seed ?? 1;
  const timeoutS = options.timeoutSeconds ?? DEFAULT_TIMEOUT_S;
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  const fail = (message: string, tests: ResultsDocument['tests'] = []) => errorDocument(def.slug, suite, seed, def.tasks, message, tests);

  const imports = options.checkImports === false ? [] : importProblems(learnerFiles);
  if (imports.length) return fail(`your code imports something it may not: ${formatProblems(imports)}`);
  if (!options.skipTypeCheck) {
    const problems = typeCheck(learnerFiles);
    if (problems.length) return fail(`your code does not compile: ${formatProblems(problems)}`);
  }
  let js: Map<string, string>;
  try {
    const tree = buildTree(repoFiles, def, learnerFiles, [suite]);
    tree.set(CHILD, repoFiles.read(CHILD));
    js = transpileTree(tree);
  } catch (err) {
    return fail(`your code does not compile: ${(err as Error).message}`);
  }
  const dir = runDir(`${def.slug}-sandbox`);
  try {
    const root = join(dir, 'js');
    writeTree(root, js);
    const args = [
      '--permission',
      `--allow-fs-read=${root}`,
      `--max-old-space-size=${memoryMb}`,
      '--disallow-code-generation-from-strings',
      join(root, 'labs/kit/node/child.js'),
      suite,
      JSON.stringify({ slug: def.slug, tasks: def.tasks.map((t) => ({ id: t.id, title: t.title, points: t.points })) }),
      String(seed),
      `labs/${def.slug}/${def.tests[suite].replace(/\.ts$/, '.js')}`,
    ];
    const [cmd, argv] = canUnshareNet() ? ['unshare', ['-n', process.execPath, ...args]] : [process.execPath, args];
    return await new Promise<ResultsDocument>((resolve) => {
      const token = randomBytes(16).toString('hex');
      const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
      let buffer = '';
      let stderr = '';
      let running: string | null = null;
      const printed = new Map<string, string>();
      let settled = false;
      const done = (doc: ResultsDocument) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
        resolve(doc);
      };
      const timer = setTimeout(() => {
        done(fail(`your code ran for more than ${timeoutS} s — is there an infinite loop?${running ? ` (it was running the test "${running}")` : ''}`));
      }, timeoutS * 1000);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (!line.startsWith(`${token} `)) {
            // The learner's own console output, kept per test (Exercism: at most 500 characters).
            const key = running ?? '';
            const had = printed.get(key) ?? '';
            if (had.length < OUTPUT_LIMIT) printed.set(key, (had + line + '\n').slice(0, OUTPUT_LIMIT));
            continue;
          }
          let msg: { start?: string; result?: ResultsDocument; loadError?: string };
          try {
            msg = JSON.parse(line.slice(token.length + 1));
          } catch {
            continue;
          }
          if (msg.start !== undefined) running = msg.start;
          else if (msg.result) done(withOutput(msg.result, printed));
          else if (msg.loadError) done(fail(`your code could not be loaded: ${msg.loadError}`));
        }
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (stderr.length < 20_000) stderr += chunk;
      });
      child.on('error', (err) => done(fail(`the grader could not start Node: ${err.message}`)));
      child.on('close', (code, signal) => {
        if (/heap out of memory|Reached heap limit/i.test(stderr)) {
          done(fail(`your code used more than ${memoryMb} MB of memory${running ? ` (in the test "${running}")` : ''} — is something growing without bound?`));
        } else {
          const last = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
          done(fail(`the test run stopped without a result (exit ${signal ?? code})${running ? ` during the test "${running}"` : ''}${last ? `: ${last}` : ''}`));
        }
      });
      child.stdin.end(`${token}\n`);
    });
  } finally {
    removeDir(dir);
  }
}
