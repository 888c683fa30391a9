/**
 * Runs inside the sandboxed child process, from a run tree (see ./sandbox.ts).
 *
 * 1. Reads a one-time token (first stdin line); every message it prints starts with it.
 * 2. `lockdown()` (SES, Hardened JavaScript): every shared intrinsic — JSON, Math, Array.prototype,
 *    Object.prototype, Promise, Error … — is frozen, so no code that runs later can change the
 *    functions this process builds and prints the results document with.
 * 3. Reads the tree's modules (the stack, the kit, the suite: CommonJS bodies in modules.json, our
 *    code only) into a module map (../module-map.ts), runs the suite once with the reference in
 *    the learner's place (which compiles every module and warms the JIT), and prints "ready" with
 *    how each test scores (guard, weight) — before any learner code has run in this process. A
 *    warm pool keeps children waiting here.
 * 4. Serves jobs, one per stdin line, each in a fresh instance of the module map: the stack, the
 *    kit and the suite are re-run from their compiled bodies, so no module state of one job is
 *    seen by the next. The learner's files (compiled to CommonJS-shaped bodies) take the place of
 *    `<file>.learner.ts`, each evaluated in its own Compartment, whose globals are SES's safe ones
 *    plus a console that records output per test — no `process`, no `require` of ours, no
 *    timers, no WeakRef or FinalizationRegistry (nothing that could run after its job), no grader
 *    object — and whose `require` hands over read-only views of stack-core modules only.
 * 5. Prints the job's results document — or, for a job that carries a `sim` (the terminal's `sim`
 *    on the course server), that scenario's diagram, tables, trace and pcap (base64) — and then,
 *    from a later turn of the event loop, "idle": proof that the learner's code left no promise
 *    jobs running. Only a child that says so is given another job (./sandbox.ts).
 *
 * argv: <suite> <lab meta JSON (LabMeta)>
 */
import { readFileSync } from 'node:fs';
import { isBuiltin, registerHooks } from 'node:module';
import { inspect } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Kit = typeof import('../index.ts');
type Loader = typeof import('../load-suite.ts');
type LoadedSuite = import('../load-suite.ts').LoadedSuite;
type Modules = typeof import('../module-map.ts');
type Sim = typeof import('../sim.ts');
interface Job {
  seed: number;
  modules: Array<{ file: string; js: string; requires: string[] }>;
  /** A terminal sim instead of the suite. */
  sim?: import('../sim.ts').SimRequest;
}
interface SesGlobals {
  lockdown(options: Record<string, string>): void;
  harden<T>(value: T): T;
  Compartment: new (options: { globals: Record<string, unknown>; __options__: true }) => { evaluate(code: string): unknown };
}

// Captured before any other code runs: learner code never sees `process`, and after lockdown()
// nothing can replace what these close over.
const write = process.stdout.write.bind(process.stdout);
const exit = process.exit.bind(process);
let token = '';
const say = (msg: unknown) => write(`${token} ${JSON.stringify(msg)}\n`);
// stdout is a socket (child_process pipes are socket pairs): writes complete asynchronously, so
// the last message is awaited before the process exits.
const sayLast = (msg: unknown) => new Promise<void>((resolve) => write(`${token} ${JSON.stringify(msg)}\n`, () => resolve()));

const stdinLines: string[] = [];
const waiting: Array<(line: string) => void> = [];
let stdinBuffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  // Only the new chunk is searched for line ends: linear in what arrives.
  let from = 0;
  let nl: number;
  while ((nl = chunk.indexOf('\n', from)) >= 0) {
    const line = stdinBuffer + chunk.slice(from, nl);
    stdinBuffer = '';
    from = nl + 1;
    const w = waiting.shift();
    if (w) w(line);
    else stdinLines.push(line);
  }
  stdinBuffer += chunk.slice(from);
});
// The parent went away (or gave up on a warm child): nothing left to do.
process.stdin.on('end', () => exit(0));
const nextLine = () => new Promise<string>((resolve) => {
  const line = stdinLines.shift();
  if (line !== undefined) resolve(line);
  else waiting.push(resolve);
});

// A promise the learner's code rejected and never handled must not crash the run before its
// result is out (Node's default turns it into an uncaught exception).
process.on('unhandledRejection', () => {});

// Lab code is plain TypeScript for the stack core: it never needs a Node built-in. The tree's
// own modules import none either, so any such import after this point is refused.
registerHooks({
  resolve(specifier, context, next) {
    if (isBuiltin(specifier)) throw new Error(`lab code may not import "${specifier}": the stack core runs without Node APIs`);
    return next(specifier, context);
  },
});

const [suite, metaJson] = process.argv.slice(2);
const tree = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const url = (rel: string) => pathToFileURL(join(tree, ...rel.split('/'))).href;

/** A load-time error in words for a learner, naming the frozen built-in they tried to change. */
function loadMessage(err: unknown, kit: Kit): string {
  const text = kit.describeError(err).message;
  const m = /Cannot (?:assign to read only property '([^']+)' of (?:object|function) '([^']*)'|add property ([^,]+), object is not extensible|define property ([^,]+), object is not extensible|delete property '([^']+)')/.exec(text);
  if (m) {
    const what = m[1] ? `${m[2].replace(/^\[object (\w+)\]$/, '$1')}.${m[1]}` : (m[3] ?? m[4] ?? m[5]);
    return `your code tried to change a built-in JavaScript object (${what}); built-ins are frozen while grading, because the grader uses them too — lab code may read them but not replace or extend them (${text})`;
  }
  if (/SES_(IMPORT|HTML_COMMENT|EVAL)_REJECTED|Possible (import expression|HTML comment|direct eval)/.test(text)) {
    return `your code contains something the grader does not run: ${text.replace(/\s*\(SES_\w+\)/, '')} — lab code may not use import(), eval() or "<!--"/"-->"`;
  }
  return text;
}

async function main(): Promise<void> {
  token = (await nextLine()).trim();
  await import(url('labs/kit/node/ses.mjs'));
  const ses = globalThis as unknown as SesGlobals;
  const { LOCKDOWN_OPTIONS } = (await import(url('labs/kit/lockdown-options.js'))) as typeof import('../lockdown-options.ts');
  ses.lockdown({ ...LOCKDOWN_OPTIONS, domainTaming: 'unsafe' });

  const { ModuleMap } = (await import(url('labs/kit/module-map.js'))) as Modules;
  const { labCodeMayImport, sidePath } = (await import(url('labs/kit/shim.js'))) as typeof import('../shim.ts');
  const { loadSuite } = (await import(url('labs/kit/load-suite.js'))) as Loader;
  const sim = (await import(url('labs/kit/sim.js'))) as Sim;
  const meta = JSON.parse(metaJson) as import('../definition.ts').LabMeta;
  const map = new ModuleMap();
  let scoring: Array<{ name: string; guard: boolean; weight: number }>;
  // Formats errors in words for a learner (pure; loaded with the reference, before any learner code).
  let kit: Kit;
  try {
    map.add(JSON.parse(readFileSync(join(tree, 'modules.json'), 'utf8')) as Record<string, string>);
    // The reference in the learner's place: every module compiled once, the JIT warm for the
    // first learner, and the suite's scoring read before any learner code exists here.
    const reference = map.referenceOverrides(meta.files);
    if ('missing' in reference) throw new Error(`the reference of ${reference.missing} is not in the run tree`);
    const warmLoad = map.instantiate(reference.overrides);
    kit = warmLoad('labs/kit/index.ts') as Kit;
    const warm = loadSuite(warmLoad, meta, suite as 'visible' | 'hidden');
    warm.run({ seed: 1 });
    scoring = warm.registry.tests.map(({ name, guard, weight }) => ({ name, guard, weight }));
  } catch (err) {
    await sayLast({ loadError: `the test suite could not be loaded: ${(err as Error).message}` });
    return;
  }
  // How each test counts, said before any learner code has run: the parent scores every job of
  // this child with this, not with what a results document claims.
  say({ ready: true, scoring });

  let running = '';
  let printed = new Map<string, string>();
  const OUTPUT_LIMIT = 500;
  const print = (...data: unknown[]) => {
    const had = printed.get(running) ?? '';
    if (had.length >= OUTPUT_LIMIT) return;
    let line: string;
    try {
      line = data.map((d) => (typeof d === 'string' ? d : inspect(d, { depth: 3, breakLength: Infinity, maxStringLength: OUTPUT_LIMIT, maxArrayLength: 20 }))).join(' ');
    } catch {
      line = '(something that could not be printed)';
    }
    printed.set(running, (had + line + '\n').slice(0, OUTPUT_LIMIT));
  };
  const console = ses.harden({ log: print, error: print, warn: print, info: print, debug: print });
  const isolation = {
    evaluate: (_path: string, body: string) => new ses.Compartment({ globals: { console }, __options__: true }).evaluate(`(function (exports, require, module) {${body}\n})`) as import('../module-map.ts').Factory,
    mayImport: labCodeMayImport,
    harden: ses.harden,
  };

  for (;;) {
    const job = JSON.parse(await nextLine()) as Job;
    running = '';
    printed = new Map();
    await runJob(job);
    // A later turn of the event loop comes only once every promise job the learner's code
    // queued has run: a child whose learner left an endless chain never says "idle" and is
    // never given another job.
    await new Promise((resolve) => setImmediate(resolve));
    // getHeapStatistics, not process.memoryUsage (which also reads the RSS from /proc: ~10 ms).
    say({ idle: true, heapMb: Math.round(getHeapStatistics().used_heap_size / 1048576) });
  }

  async function runJob(job: Job): Promise<void> {
    const overrides: Record<string, string> = {};
    for (const m of job.modules) overrides[sidePath(m.file, 'learner')] = m.js;
    const load = map.instantiate(overrides, isolation);
    try {
      for (const m of job.modules) {
        if (!meta.files.includes(m.file)) throw new Error(`${m.file} is not a file of this lab`);
        load(sidePath(m.file, 'learner'));
      }
      // As after an ES module graph has loaded: promise jobs the learner's modules queued while
      // loading run before the first test.
      await new Promise((resolve) => setImmediate(resolve));
    } catch (err) {
      await sayLast({ loadError: loadMessage(err, kit), output: printed.get('') });
      return;
    }

    if (job.sim) {
      // The scenario loads the stack of this instance, with the learner's modules behind this
      // lab's dispatchers.
      await sayLast({ sim: sim.simToWire(sim.simulate(load, job.sim)) });
      return;
    }

    let loaded: LoadedSuite;
    try {
      loaded = loadSuite(load, meta, suite as 'visible' | 'hidden');
    } catch (err) {
      await sayLast({ loadError: `the test suite could not be loaded: ${kit.describeError(err).message}` });
      return;
    }
    const doc = loaded.run({
      seed: job.seed,
      onTestStart: (name) => {
        running = name;
        say({ start: name });
      },
    });
    for (const t of doc.tests) {
      const out = printed.get(t.name);
      if (out) t.output = out;
    }
    const atLoad = printed.get('');
    if (atLoad) doc.output = atLoad;
    await sayLast({ result: doc });
  }
}

main().then(
  () => exit(0),
  async (err) => {
    await sayLast({ loadError: `the run could not start: ${(err as Error).message}` });
    exit(0);
  },
);
