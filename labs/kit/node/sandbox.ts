/**
 * Grading learner code in Node. The learner's files are checked (imports, types), compiled to
 * CommonJS-shaped bodies, and handed to a child process that runs the lab's suite on a run tree
 * of our own code, where the learner's modules are evaluated in SES Compartments after
 * `lockdown()` (./child.ts). The child is walled in by the operating system as far as the
 * machine allows:
 * - its own session and process group (it cannot signal ours by group, and we can kill all of it);
 * - as root: its own PID and network namespaces (`unshare --pid --fork --mount-proc -n`) and the
 *   unprivileged uid/gid 65534 (`setpriv`), so it can signal nothing of ours even by pid;
 * - rlimits (`prlimit`): address space (covers ArrayBuffers and every other allocation), CPU
 *   seconds, open files, processes, no core files, no file writes;
 * - Node's permission model: read access to the run tree only, no writes, children or workers;
 * - a wall-clock limit and a cap on the bytes it may print, read in linear time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { labMeta, type LabDefinition } from '../definition.ts';
import type { TestScoring } from '../registry.ts';
import { errorDocument, resultsProblems, scoreTasks, type ResultsDocument } from '../results.ts';
import { buildTree } from '../tree.ts';
import { compileTreeCjs, formatProblems, transpileTree, type LearnerModule } from './compile.ts';
import { compileLearnerFiles, type CompileHandle, type Compiled } from './compile-pool.ts';
import { WORK, removeDir, repoFiles, runDir, writeTree } from './repo.ts';
import { checkSimWire, type SimRequest, type SimWireReply } from '../sim.ts';

export interface SandboxOptions {
  seed?: number;
  /** Wall-clock limit for the whole suite, in seconds. */
  timeoutSeconds?: number;
  /** V8 heap limit; the address-space limit is derived from it. */
  memoryMb?: number;
  /** Skip the type check (the reference and starters are checked by the authoring tests). */
  skipTypeCheck?: boolean;
  /** false: skip the static import check (only to test the child's own defences). */
  checkImports?: boolean;
  /**
   * Fires when nobody waits for the result any more (the course server: the learner's page went
   * away). The child is killed at once, so a departed learner's runaway holds no grading slot.
   */
  signal?: AbortSignal;
}

export const CANCELLED_MESSAGE = "grading was cancelled: the learner's page went away before the result";

export const DEFAULT_TIMEOUT_S = 10;
export const DEFAULT_MEMORY_MB = 256;
/**
 * RLIMIT_AS for the child. Node itself reserves a few hundred MB of address space (code range,
 * thread stacks); measured here, node runs under 1 GiB and a 256 MB heap plus 256 MB of buffers
 * fits in 1.5 GiB, while `new Uint8Array(4 * 1024 ** 3)` fails at once.
 */
export const ADDRESS_SPACE_MB = 1536;
/** What the child may print in all (the results document with its traces, and progress lines). */
export const OUTPUT_LIMIT_BYTES = 32 * 1024 * 1024;
const NOBODY = 65534;
/** How long a child may take to start and load the stack (a loaded machine, not the learner's code). */
const STARTUP_LIMIT_S = 60;
/** CPU seconds a child may spend beyond its jobs' time limits: lockdown, loading and warming the stack. */
const CPU_STARTUP_S = 15;
/**
 * Jobs one child serves before it is replaced. Each job runs in fresh module instances (no module
 * state carries over, ./child.ts), so reuse saves the start-up — Node, SES, lockdown, compiling
 * and warming the stack, about 0.3 s of CPU — that a room's burst of Submits would otherwise pay
 * per Submit; a bound still caps what a long-lived process could accumulate.
 */
export const JOBS_PER_CHILD = 40;
/** How long a child has, after its answer, to say it is idle (no learner promise jobs left running). */
const IDLE_LIMIT_MS = 2000;
/**
 * A child that has served jobs and then waits this long unused is replaced by a fresh one (or just
 * ended, past the pool's size): V8 keeps the heap a run of jobs grew to (68 MB of RSS for a fresh
 * handshake child, 116 MB after 20 Submits), which a quiet server should give back.
 */
const UNUSED_LIMIT_MS = 120_000;

const CHILD = 'labs/kit/node/child.ts';

export interface Isolation {
  /** unshare --pid --fork --mount-proc -n works (we are root, or may create namespaces). */
  namespaces: boolean;
  /** The child runs as uid/gid 65534. */
  uid: number | null;
  /** The node binary the child runs (a world-readable copy when ours sits in a private folder). */
  node: string;
  /** prlimit is installed (probed once: a spawnSync per child would block the server's event loop). */
  prlimit: boolean;
  /** Why something is missing, for the CLI and the server to say. */
  notes: string[];
}

let isolation: Isolation | null = null;

/** Every folder from `dir` up to / is searchable by others. */
function worldCanSearch(dir: string): boolean {
  try {
    while (true) {
      if ((statSync(dir).mode & 0o001) === 0) return false;
      const up = dirname(dir);
      if (up === dir) return true;
      dir = up;
    }
  } catch {
    return false;
  }
}

/** Others may read and execute `path` and reach it. */
function worldCanRun(path: string): boolean {
  try {
    return (statSync(path).mode & 0o005) === 0o005 && worldCanSearch(dirname(path));
  } catch {
    return false;
  }
}

/** What this machine lets us do, probed once. */
export function sandboxIsolation(): Isolation {
  if (isolation) return isolation;
  const notes: string[] = [];
  const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
  const namespaces = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!namespaces) notes.push('no PID/network namespaces (unshare needs root here): the child shares them, SES and the rlimits still hold');
  let uid: number | null = null;
  let node = process.execPath;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) notes.push('not root: the child keeps this user\'s uid (SES is what keeps learner code from it)');
  else if (!has('setpriv')) notes.push('setpriv is missing: the child keeps uid 0');
  else {
    if (!worldCanRun(node)) {
      // uid 65534 cannot reach a node inside /root: run a world-readable copy of the same binary.
      const copy = join(WORK, '.bin', `node-${process.version}`);
      try {
        if (!existsSync(copy) || statSync(copy).size !== statSync(node).size) {
          mkdirSync(dirname(copy), { recursive: true, mode: 0o755 });
          // Each process writes its own temporary file and renames it into place: with one shared
          // name, a second worker's copy could still be writing into the inode the first had just
          // renamed, and exec of a file open for writing fails with ETXTBSY.
          const tmp = `${copy}.${process.pid}.${threadId}.tmp`;
          copyFileSync(node, tmp);
          chmodSync(tmp, 0o755);
          renameSync(tmp, copy);
        }
        node = copy;
      } catch (err) {
        notes.push(`node is not reachable by uid ${NOBODY} and could not be copied (${(err as Error).message}): the child keeps uid 0`);
      }
    }
    mkdirSync(WORK, { recursive: true });
    if (worldCanRun(node) && worldCanSearch(WORK)) uid = NOBODY;
    else if (worldCanRun(node)) notes.push(`${WORK} is not readable by uid ${NOBODY}: the child keeps uid 0`);
  }
  const prlimit = has('prlimit');
  if (!prlimit) notes.push('prlimit is missing: no address-space, CPU, file or process limits beyond Node\'s heap cap');
  isolation = { namespaces, uid, node, prlimit, notes };
  return isolation;
}

/** Whether children run in their own network namespace (reported by the CLI and the server). */
export function networkIsolation(): 'namespace' | 'modules-only' {
  return sandboxIsolation().namespaces ? 'namespace' : 'modules-only';
}

/** The command line that starts one sandboxed child: namespaces, uid drop, rlimits, node (exported for the attack tests). */
export function childCommand(nodeArgs: string[], timeoutS: number): [string, string[]] {
  const iso = sandboxIsolation();
  let argv: string[] = [iso.node, ...nodeArgs];
  if (iso.prlimit) {
    argv = [
      'prlimit',
      `--as=${ADDRESS_SPACE_MB * 1024 * 1024}`,
      // RLIMIT_CPU counts the whole life of the child: every job's wall-clock limit, and the
      // start-up. Each job's own limit is the wall-clock one (runJob).
      `--cpu=${JOBS_PER_CHILD * Math.ceil(timeoutS) + CPU_STARTUP_S}`,
      '--nofile=64',
      '--core=0',
      '--fsize=0',
      // RLIMIT_NPROC counts every process and thread of the uid: only safe to set for uid 65534,
      // which nothing else on the machine uses while we grade.
      ...(iso.uid !== null ? ['--nproc=512'] : []),
      '--',
      ...argv,
    ];
  }
  if (iso.uid !== null) argv = ['setpriv', `--reuid=${iso.uid}`, `--regid=${iso.uid}`, '--clear-groups', '--no-new-privs', '--pdeathsig=KILL', '--', ...argv];
  if (iso.namespaces) argv = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', '-n', '--', ...argv];
  return [argv[0], argv.slice(1)];
}

interface Tree {
  root: string;
}

const trees = new Map<string, Tree>();
const treeDirs: string[] = [];
process.on('exit', () => {
  for (const d of treeDirs) removeDir(d);
});

/**
 * The run tree for a lab's suite: our code only (the stack, the kit, the suite, and for each lab
 * file the dispatcher, the reference and a stand-in for the learner's module), transpiled once per
 * process and shared by every run of that suite. The child imports its own few modules (SES, the
 * module map, the suite loader, the sim) as ES modules and runs the rest from modules.json, the
 * same tree as CommonJS bodies, in a fresh module-map instance per job.
 */
function treeFor(def: LabDefinition, suite: 'visible' | 'hidden'): Tree {
  const key = `${def.slug}/${suite}`;
  const hit = trees.get(key);
  if (hit) return hit;
  // A job's learner files take `<file>.learner.ts` in the child's module map; what the tree holds
  // there only says so if a run ever loads it without them.
  const stubs = new Map(def.files.map((f) => [f, `throw new Error(${JSON.stringify(`no learner copy of ${f} was given to this run`)});\n`]));
  const ts = buildTree(repoFiles, def, stubs, [suite]);
  ts.set(CHILD, repoFiles.read(CHILD));
  const js = transpileTree(ts);
  js.set('labs/kit/node/ses.mjs', readFileSync(createRequire(import.meta.url).resolve('ses').replace(/index\.js$/, 'dist/ses.mjs'), 'utf8'));
  const dir = runDir(`${def.slug}-${suite}-tree`);
  treeDirs.push(dir);
  const root = join(dir, 'js');
  js.set('modules.json', JSON.stringify(compileTreeCjs(ts)));
  writeTree(root, js);
  const tree = { root };
  trees.set(key, tree);
  return tree;
}

interface Message {
  ready?: boolean;
  scoring?: unknown;
  start?: string;
  result?: ResultsDocument;
  loadError?: string;
  output?: string;
  /** A sim job's answer (../sim.ts simulate, the pcap as base64). */
  sim?: unknown;
  /** Sent after a job, from a later turn of the child's event loop: it may take another. */
  idle?: boolean;
  heapMb?: number;
}

function scoringFrom(list: unknown): Map<string, TestScoring> | null {
  if (!Array.isArray(list)) return null;
  const out = new Map<string, TestScoring>();
  for (const t of list as Array<Record<string, unknown>>) {
    if (typeof t?.name !== 'string' || typeof t.guard !== 'boolean' || typeof t.weight !== 'number' || !(t.weight > 0)) return null;
    out.set(t.name, { guard: t.guard, weight: t.weight });
  }
  return out;
}

/** One sandboxed child process, from spawn to its last message. */
class SandboxChild {
  readonly token = randomBytes(16).toString('hex');
  readonly process: ChildProcess;
  readonly ready: Promise<boolean>;
  private onMessage: ((m: Message) => void) | null = null;
  private onEnd: ((why: string) => void) | null = null;
  private onIdle: ((heapMb: number | null) => void) | null = null;
  private ended: string | null = null;
  private stderr = '';
  /** What the current job has printed, bytes (the limit is per job). */
  private printedBytes = 0;
  running: string | null = null;
  /** Jobs sent to this child so far. */
  jobs = 0;
  /** Set while it waits in the pool after a job: ends it if it stays unused (UNUSED_LIMIT_MS). */
  unusedTimer: NodeJS.Timeout | null = null;
  private idleHeapMb: Promise<number | null> = Promise.resolve(null);
  /** How each test of the suite scores, from the "ready" message (sent before learner code loads). */
  scoring: ReadonlyMap<string, TestScoring> | null = null;
  private resolveReady!: (ok: boolean) => void;

  constructor(tree: Tree, meta: string, suite: string, readonly memoryMb: number, timeoutS: number) {
    this.ready = new Promise((r) => (this.resolveReady = r));
    const args = [
      '--permission',
      `--allow-fs-read=${tree.root}`,
      `--max-old-space-size=${memoryMb}`,
      '--stack-size=2000',
      // No TurboFan: a job is tens of milliseconds of code that changes with every learner, and
      // optimising it costs more than it gives back. Measured here (reference Submits, median of
      // 6 per lab): handshake 263 → 233 ms, teardown 141 → 123, syn-flood 267 → 144, queues
      // 92 → 70, keepalive 80 → 69; a 30-learner burst's sandboxes 2.2–3.0 → 1.6 CPU s.
      // Sparkplug and Maglev still compile hot code.
      '--no-opt',
      join(tree.root, 'labs/kit/node/child.js'),
      suite,
      meta,
    ];
    const [cmd, argv] = childCommand(args, timeoutS);
    // detached: a session and process group of its own (setsid), so no signal sent to our group
    // reaches it by accident, and none it sends to "its" group reaches us.
    this.process = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' }, detached: true, cwd: tree.root });
    this.process.unref();
    for (const s of [this.process.stdin, this.process.stdout, this.process.stderr]) (s as unknown as { unref?: () => void }).unref?.();
    let buffer = '';
    const prefix = `${this.token} `;
    this.process.stdout!.setEncoding('utf8');
    this.process.stdout!.on('data', (chunk: string) => {
      this.printedBytes += chunk.length;
      if (this.printedBytes > OUTPUT_LIMIT_BYTES) return this.end(`it printed more than ${OUTPUT_LIMIT_BYTES / 1024 / 1024} MB`);
      // Only the new chunk is searched for line ends: linear in what was printed.
      let from = 0;
      let nl: number;
      while ((nl = chunk.indexOf('\n', from)) >= 0) {
        const line = buffer + chunk.slice(from, nl);
        buffer = '';
        from = nl + 1;
        if (!line.startsWith(prefix)) continue;
        let msg: Message;
        try {
          msg = JSON.parse(line.slice(prefix.length));
        } catch {
          continue;
        }
        if (msg.ready) {
          this.scoring ??= scoringFrom(msg.scoring);
          this.resolveReady(this.scoring !== null);
        }
        else if (msg.start !== undefined) this.running = msg.start;
        else if (msg.idle) {
          this.onIdle?.(typeof msg.heapMb === 'number' ? msg.heapMb : null);
          this.onIdle = null;
        } else this.onMessage?.(msg);
      }
      // A partial line is kept only while it can still be one of ours; once its start is known
      // to be the token, chunks are appended without looking at what came before.
      const rest = chunk.slice(from);
      if (buffer.length >= prefix.length) buffer += rest;
      else {
        const start = buffer + rest;
        buffer = start.length >= prefix.length ? (start.startsWith(prefix) ? start : '') : prefix.startsWith(start) ? start : '';
      }
    });
    this.process.stderr!.setEncoding('utf8');
    this.process.stderr!.on('data', (chunk: string) => {
      if (this.stderr.length < 20_000) this.stderr += chunk.slice(0, 20_000 - this.stderr.length);
    });
    this.process.stdin!.on('error', () => {});
    this.process.on('error', (err) => this.end(`the grader could not start Node: ${err.message}`));
    this.process.on('close', (code, signal) => this.end(`exit ${signal ?? code}`));
    this.process.stdin!.write(`${this.token}\n`);
  }

  private end(why: string): void {
    if (this.ended) return;
    this.ended = why;
    this.resolveReady(false);
    this.kill();
    this.onEnd?.(why);
    this.onIdle?.(null);
  }

  get isEnded(): boolean {
    return this.ended !== null;
  }

  get stderrText(): string {
    return this.stderr;
  }

  /** Sends the job and resolves with the child's last message, or the reason it ended without one. */
  run(job: string): Promise<Message | { ended: string }> {
    return new Promise((resolve) => {
      if (this.ended) return resolve({ ended: this.ended });
      this.jobs++;
      this.running = null;
      this.printedBytes = 0;
      // Installed now: "idle" may arrive in the same chunk as the answer.
      this.idleHeapMb = new Promise((r) => (this.onIdle = r));
      this.onMessage = (m) => resolve(m);
      this.onEnd = (why) => resolve({ ended: why });
      this.process.stdin!.write(`${job}\n`);
    });
  }

  /** After a job's answer: the child's heap in MB once it says it is idle, or null (it did not, in time). */
  async idle(): Promise<number | null> {
    if (this.ended) return null;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), IDLE_LIMIT_MS)));
    try {
      return await Promise.race([this.idleHeapMb, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    const pid = this.process.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        this.process.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Warm children per lab suite: spawned, locked down and loaded, waiting for a job. */
const pool = new Map<string, SandboxChild[]>();
let poolSize = 1;

/** How many warm children to keep per lab suite (0: spawn one per run; the server may raise it). */
export function setWarmPoolSize(n: number): void {
  poolSize = Math.max(0, Math.floor(n));
}

/** The warm children waiting under a pool key (the list is made on first use and kept). */
function warmFor(key: string): SandboxChild[] {
  let warm = pool.get(key);
  if (!warm) pool.set(key, (warm = []));
  return warm;
}

function poolKey(def: LabDefinition, suite: string, memoryMb: number, timeoutS: number): string {
  return `${def.slug}/${suite}/${memoryMb}/${timeoutS}`;
}

/**
 * Children of a lab suite in use: the one-per-suite warm pool grows to this many once the suite
 * is being graded — as many as the course server grades at once (DEFAULT_QUEUE_LIMITS.slots in
 * site/server/grading-queue.ts), so a room's burst finds a warm child for each slot instead of
 * starting one while it runs. An unused child is ended after UNUSED_LIMIT_MS all the same.
 */
const CHILDREN_IN_USE = 2;

/** Every live child per pool key, waiting or running a job. */
const alive = new Map<string, Set<SandboxChild>>();

function spawnChild(def: LabDefinition, suite: 'visible' | 'hidden', memoryMb: number, timeoutS: number): SandboxChild {
  const tree = treeFor(def, suite);
  const meta = JSON.stringify(labMeta(def));
  const child = new SandboxChild(tree, meta, suite, memoryMb, timeoutS);
  const key = poolKey(def, suite, memoryMb, timeoutS);
  const set = alive.get(key) ?? new Set();
  alive.set(key, set.add(child));
  child.process.once('close', () => set.delete(child));
  return child;
}

/** Tops the pool up to `size` warm children, counting those running a job as `alive`. */
function refill(def: LabDefinition, suite: 'visible' | 'hidden', memoryMb: number, timeoutS: number, size = poolSize): void {
  const key = poolKey(def, suite, memoryMb, timeoutS);
  const warm = warmFor(key);
  while (warm.length < size && (size === poolSize || (alive.get(key)?.size ?? 0) < size)) {
    const child = spawnChild(def, suite, memoryMb, timeoutS);
    warm.push(child);
    child.ready.then((ok) => {
      if (!ok) warm.splice(warm.indexOf(child) >>> 0, 1);
    });
  }
}

/** The warm children of a lab suite waiting for a job: pid and jobs served so far (for tests). */
export function warmPool(def: LabDefinition, suite: 'visible' | 'hidden', options: Pick<SandboxOptions, 'memoryMb' | 'timeoutSeconds'> = {}): Array<{ pid: number; jobs: number }> {
  const warm = warmFor(poolKey(def, suite, options.memoryMb ?? DEFAULT_MEMORY_MB, options.timeoutSeconds ?? DEFAULT_TIMEOUT_S));
  return warm.filter((c) => !c.isEnded).map((c) => ({ pid: c.process.pid ?? -1, jobs: c.jobs }));
}

/** Starts warm children for a lab suite now (a server calls this at start, so the first Submit is fast). */
export function prewarm(def: LabDefinition, suite: 'visible' | 'hidden', options: Pick<SandboxOptions, 'memoryMb' | 'timeoutSeconds'> = {}): void {
  treeFor(def, suite);
  refill(def, suite, options.memoryMb ?? DEFAULT_MEMORY_MB, options.timeoutSeconds ?? DEFAULT_TIMEOUT_S);
}

/** One job's hold on a child: `stop` kills the child only while the job still holds it. */
interface Lease {
  child: SandboxChild;
  released: boolean;
}

function stop(lease: Lease): void {
  if (!lease.released) lease.child.kill();
}

function takeChild(def: LabDefinition, suite: 'visible' | 'hidden', memoryMb: number, timeoutS: number): Lease {
  const warm = warmFor(poolKey(def, suite, memoryMb, timeoutS));
  let child: SandboxChild | undefined;
  while ((child = warm.shift()) && child.isEnded);
  if (child?.unusedTimer) clearTimeout(child.unusedTimer);
  // A replacement, if one is needed, starts once this run is over (see runJob), so that its
  // start-up (loading SES, lockdown, the stack) does not compete with this run for a core.
  return { child: child ?? spawnChild(def, suite, memoryMb, timeoutS), released: false };
}

/**
 * After a job that ended with an answer: the child goes back to the pool once it says it is idle,
 * unless it has served its share of jobs, its heap has grown past half its limit, or the pool
 * already holds enough; otherwise it is killed and, if the pool is short, replaced.
 */
async function settle(child: SandboxChild, def: LabDefinition, suite: 'visible' | 'hidden', memoryMb: number, timeoutS: number): Promise<void> {
  const heapMb = await child.idle();
  const key = poolKey(def, suite, memoryMb, timeoutS);
  const warm = warmFor(key);
  if (heapMb !== null && heapMb < memoryMb / 2 && child.jobs < JOBS_PER_CHILD && !child.isEnded && warm.length < Math.max(poolSize, 2)) {
    warm.unshift(child);
    child.unusedTimer = setTimeout(() => {
      const at = warm.indexOf(child);
      if (at < 0) return;
      warm.splice(at, 1);
      child.kill();
      refill(def, suite, memoryMb, timeoutS);
    }, UNUSED_LIMIT_MS);
    child.unusedTimer.unref();
    // A suite being graded keeps a warm child per grading slot (CHILDREN_IN_USE); started after
    // this answer, so never during a burst that keeps every child busy.
    if (poolSize > 0 && (alive.get(key)?.size ?? 0) < CHILDREN_IN_USE) {
      setImmediate(() => refill(def, suite, memoryMb, timeoutS, CHILDREN_IN_USE));
    }
    return;
  }
  child.kill();
  refill(def, suite, memoryMb, timeoutS);
}

/** The results of a run, checked and re-scored here: only per-test outcomes come from the child. */
function accepted(def: LabDefinition, suite: 'visible' | 'hidden', seed: number, doc: ResultsDocument, scoring: ReadonlyMap<string, TestScoring>): ResultsDocument | string {
  const problems = resultsProblems(doc);
  if (problems.length) return `the test run returned a malformed result (${problems.slice(0, 3).join('; ')})`;
  if (doc.lab !== def.slug || doc.suite !== suite || doc.seed !== seed) return 'the test run returned a result for another run';
  if (doc.tests.some((t) => !scoring.has(t.name))) return 'the test run returned a test the suite does not have';
  const tasks = scoreTasks(def.tasks, doc.tests, (name) => scoring.get(name)!);
  const points = Math.round(tasks.reduce((n, t) => n + t.points, 0) * 100) / 100;
  const max = tasks.reduce((n, t) => n + t.max, 0);
  const status = doc.tests.length > 0 && doc.tests.every((t) => t.status === 'pass') && tasks.every((t) => t.total > 0) ? 'pass' : 'fail';
  return { ...doc, tasks, score: { points, max }, status };
}

/** Resolves when `signal` aborts (never without one). */
function abortedBy(signal: AbortSignal | undefined): Promise<'aborted'> {
  return new Promise((resolve) => signal?.addEventListener('abort', () => resolve('aborted'), { once: true }));
}

/**
 * The learner's files checked and compiled for a child — in a worker thread (./compile-pool.ts),
 * never on this event loop — or the learner-facing reason they cannot run: one set of refusals for
 * a grading and a sim. The type check, if asked for, goes on in `handle.checked`.
 */
async function compileForChild(
  def: LabDefinition,
  learnerFiles: ReadonlyMap<string, string>,
  check: { checkImports: boolean; typeCheck: boolean },
  aborted: Promise<'aborted'>,
): Promise<{ handle: CompileHandle; compiled: Compiled } | { failure: string }> {
  for (const f of def.files) if (!learnerFiles.has(f)) return { failure: `no learner copy of ${f} was given` };
  const handle = compileLearnerFiles(new Map(def.files.map((f) => [f, learnerFiles.get(f)!])), check);
  let compiled: Compiled;
  try {
    const done = await Promise.race([handle.compiled, aborted]);
    if (done === 'aborted') return { failure: CANCELLED_MESSAGE };
    compiled = done;
  } catch (err) {
    return { failure: (err as Error).message };
  }
  if (compiled.imports.length) return { failure: `your code imports something it may not: ${formatProblems(compiled.imports)}` };
  if (compiled.syntax !== null) return { failure: `your code does not compile: ${compiled.syntax}` };
  return { handle, compiled };
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

  if (options.signal?.aborted) return fail(CANCELLED_MESSAGE);
  const aborted = abortedBy(options.signal);
  const ready = await compileForChild(def, learnerFiles, { checkImports: options.checkImports !== false, typeCheck: !options.skipTypeCheck }, aborted);
  if ('failure' in ready) return fail(ready.failure);
  const { handle, compiled } = ready;
  // The type check goes on beside the tests, and its verdict wins over theirs.
  const typeVerdict = handle.checked.then((checked) =>
    'failed' in checked ? fail(checked.failed) : checked.length ? fail(`your code does not compile: ${formatProblems(checked)}`) : null,
  );
  const lease = takeChild(def, suite, memoryMb, timeoutS);
  const ran = runInChild(lease, def, suite, seed, compiled.modules, timeoutS, memoryMb, fail);
  // Whichever says "does not compile" first ends the run; otherwise the tests' document stands.
  const first = await Promise.race([typeVerdict, ran.then((doc) => ({ doc })), aborted]);
  if (first === 'aborted') {
    stop(lease);
    return fail(CANCELLED_MESSAGE);
  }
  if (first !== null && !('doc' in first)) {
    stop(lease);
    return first;
  }
  const verdict = await typeVerdict;
  if (verdict) return verdict;
  if (first !== null) return first.doc;
  // The type check passed before the tests ended: the learner may still go away while they run.
  const done = await Promise.race([ran, aborted]);
  if (done === 'aborted') {
    stop(lease);
    return fail(CANCELLED_MESSAGE);
  }
  return done;
}

async function runInChild(
  lease: Lease,
  def: LabDefinition,
  suite: 'visible' | 'hidden',
  seed: number,
  modules: LearnerModule[],
  timeoutS: number,
  memoryMb: number,
  fail: (message: string) => ResultsDocument,
): Promise<ResultsDocument> {
  const outcome = await runJob(lease, def, suite, JSON.stringify({ seed, modules }), timeoutS, memoryMb);
  if ('failure' in outcome) {
    const doc = fail(outcome.failure);
    if (outcome.output) doc.output = outcome.output;
    return doc;
  }
  if (outcome.message.result && outcome.scoring) {
    const doc = accepted(def, suite, seed, outcome.message.result, outcome.scoring);
    return typeof doc === 'string' ? fail(doc) : doc;
  }
  return fail('the test run stopped without a result');
}

/**
 * Sends one job to a child and waits for its last message, within the learner's time limit; any
 * other end (time, memory, output, a load error) comes back as the learner-facing reason.
 */
async function runJob(
  lease: Lease,
  def: LabDefinition,
  suite: 'visible' | 'hidden',
  job: string,
  timeoutS: number,
  memoryMb: number,
): Promise<{ message: Message; scoring: ReadonlyMap<string, TestScoring> | null } | { failure: string; output?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const after = (seconds: number) => new Promise<'timeout'>((resolve) => {
    clearTimeout(timer);
    timer = setTimeout(() => resolve('timeout'), seconds * 1000);
  });
  let child = lease.child;
  let answered = false;
  try {
    // Starting a child is our cost, not the learner's: it has its own, generous limit.
    let ready = await Promise.race([child.ready, after(STARTUP_LIMIT_S)]);
    if (ready !== true && ready !== 'timeout' && /Text file busy/.test(child.stderrText)) {
      // ETXTBSY: exec met the node copy while some process's fork still held it open for writing
      // (a fork keeps its parent's open files until it execs). The copy is whole; start again.
      child.kill();
      child = lease.child = spawnChild(def, suite, memoryMb, timeoutS);
      ready = await Promise.race([child.ready, after(STARTUP_LIMIT_S)]);
    }
    if (ready !== true) {
      return { failure: ready === 'timeout' ? `the sandbox did not start within ${STARTUP_LIMIT_S} s — the machine may be overloaded; try again` : `the sandbox could not start: ${child.stderrText.trim().split('\n').slice(-2).join(' | ') || 'no reason given'}` };
    }
    const outcome = await Promise.race([child.run(job), after(timeoutS)]);
    const running = child.running;
    if (outcome === 'timeout') return { failure: `your code ran for more than ${timeoutS} s — is there an infinite loop?${running ? ` (it was running the test "${running}")` : ''}` };
    answered = 'result' in outcome || 'sim' in outcome || 'loadError' in outcome;
    if (('result' in outcome && outcome.result) || ('sim' in outcome && outcome.sim)) return { message: outcome, scoring: child.scoring };
    if ('loadError' in outcome && outcome.loadError) return { failure: `your code could not be loaded: ${outcome.loadError}`, output: outcome.output };
    const stderr = child.stderrText;
    const why = 'ended' in outcome ? outcome.ended : 'no result';
    if (/heap out of memory|Reached heap limit|Array buffer allocation failed|Fatal process out of memory|allocation failed/i.test(stderr)) {
      return { failure: `your code used more memory than it may (${memoryMb} MB of objects, ${ADDRESS_SPACE_MB} MB in all)${running ? ` (in the test "${running}")` : ''} — is something growing without bound?` };
    }
    if (/printed more than/.test(why)) return { failure: `your code ${why.replace(/^it /, '')}${running ? ` (in the test "${running}")` : ''} — is console.log in a loop?` };
    if (/SIGXCPU/.test(why)) return { failure: `the grading process ran out of CPU time${running ? ` (in the test "${running}")` : ''} — try again` };
    const last = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
    return { failure: `the test run stopped without a result (${why})${running ? ` during the test "${running}"` : ''}${last ? `: ${last}` : ''}` };
  } finally {
    clearTimeout(timer);
    lease.released = true;
    if (answered && poolSize > 0 && !child.isEnded) void settle(child, def, suite, memoryMb, timeoutS);
    else {
      child.kill();
      // spawn() forks and execs before it returns (tens of ms on a busy machine): deferred, the
      // result reaches the learner first and the replacement starts after.
      if (poolSize > 0) setImmediate(() => refill(def, suite, memoryMb, timeoutS));
    }
  }
}

/**
 * The terminal's `sim` of a learner's files (the course server's POST /api/sim): the same checks
 * (imports, syntax; no type check, as in the page's worker), the same child, limits and cancel as
 * a grading, with the scenario run in place of the suite. Every lab region other than this lab's
 * files is the course's own code in the child's run tree.
 */
export async function runSandboxedSim(
  def: LabDefinition,
  learnerFiles: ReadonlyMap<string, string>,
  request: SimRequest,
  options: Pick<SandboxOptions, 'timeoutSeconds' | 'memoryMb' | 'signal'> = {},
): Promise<SimWireReply> {
  const timeoutS = options.timeoutSeconds ?? DEFAULT_TIMEOUT_S;
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  const fail = (error: string): SimWireReply => ({ ok: false, error });
  if (options.signal?.aborted) return fail(CANCELLED_MESSAGE);
  const aborted = abortedBy(options.signal);
  const ready = await compileForChild(def, learnerFiles, { checkImports: true, typeCheck: false }, aborted);
  if ('failure' in ready) return fail(ready.failure);
  const { compiled } = ready;
  const lease = takeChild(def, 'visible', memoryMb, timeoutS);
  const job = JSON.stringify({ seed: request.seed, modules: compiled.modules, sim: request });
  const done = await Promise.race([runJob(lease, def, 'visible', job, timeoutS, memoryMb), aborted]);
  if (done === 'aborted') {
    stop(lease);
    return fail(CANCELLED_MESSAGE);
  }
  if ('failure' in done) return fail(done.failure);
  // The child ran learner code: only the expected fields, of the expected types and sizes, go on.
  const reply = checkSimWire(done.message.sim);
  return typeof reply === 'string' ? fail(reply) : reply;
}
