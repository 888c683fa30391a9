/**
 * Runs inside the sandboxed child process, from a transpiled run tree (see ./sandbox.ts).
 *
 * 1. Reads a one-time token (first stdin line); every message it prints starts with it.
 * 2. `lockdown()` (SES, Hardened JavaScript): every shared intrinsic — JSON, Math, Array.prototype,
 *    Object.prototype, Promise, Error … — is frozen, so no code that runs later can change the
 *    functions this process builds and prints the results document with.
 * 3. Loads the test kit, the suite and every stack module, and hardens what the stack modules
 *    export (their functions, classes and prototypes), then prints "ready" with how each test
 *    scores (guard, weight). A warm pool keeps children waiting here.
 * 4. Reads one job (second stdin line): the learner's files, compiled to CommonJS-shaped function
 *    bodies. Each is evaluated in its own Compartment, whose globals are SES's safe ones plus a
 *    console that records output per test — no `process`, no `require`, no timers, no grader
 *    object. Its `require` hands over only stack-core modules of the tree.
 * 5. Runs the suite and prints the results document — or, for a job that carries a `sim` (the
 *    terminal's `sim` on the course server), runs that scenario with the learner's modules bound
 *    (../sim.ts, our code) and prints its diagram, tables, trace and pcap (base64) instead.
 *
 * argv: <suite> <lab meta JSON (LabMeta)> <preload JSON: tree paths>
 */
import { isBuiltin, registerHooks } from 'node:module';
import { inspect } from 'node:util';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Kit = typeof import('../index.ts');
type Side = typeof import('../side.ts');
type Loader = typeof import('../load-suite.ts');
type LoadedSuite = import('../load-suite.ts').LoadedSuite;
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
  Compartment: new (options: { globals: Record<string, unknown>; __options__: true }) => { evaluate(code: string): unknown; globalThis: Record<string, unknown> };
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
  stdinBuffer += chunk;
  let nl: number;
  while ((nl = stdinBuffer.indexOf('\n')) >= 0) {
    const line = stdinBuffer.slice(0, nl);
    stdinBuffer = stdinBuffer.slice(nl + 1);
    const w = waiting.shift();
    if (w) w(line);
    else stdinLines.push(line);
  }
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

const [suite, metaJson, preloadJson] = process.argv.slice(2);
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

function freezeExport(value: unknown): void {
  if (typeof value === 'function') {
    Object.freeze(value);
    return;
  }
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return;
  Object.freeze(value);
  for (const v of Object.values(value)) freezeExport(v);
}

async function main(): Promise<void> {
  token = (await nextLine()).trim();
  await import(url('labs/kit/node/ses.mjs'));
  const ses = globalThis as unknown as SesGlobals;
  // errorTaming 'unsafe' keeps V8's stack traces (the failure reports point at a line);
  // 'moderate' override taming lets `this.name = …` in Error subclasses work on a frozen prototype.
  ses.lockdown({ errorTaming: 'unsafe', stackFiltering: 'verbose', overrideTaming: 'moderate', consoleTaming: 'unsafe', domainTaming: 'unsafe' });

  const kit = (await import(url('labs/kit/index.js'))) as Kit;
  const side = (await import(url('labs/kit/side.js'))) as Side;
  const { loadSuite } = (await import(url('labs/kit/load-suite.js'))) as Loader;
  const sim = (await import(url('labs/kit/sim.js'))) as Sim;
  const namespaces = new Map<string, Record<string, unknown>>();
  let loaded: LoadedSuite;
  try {
    for (const rel of JSON.parse(preloadJson) as string[]) namespaces.set(rel.replace(/\.js$/, '.ts'), await import(url(rel)));
    loaded = await loadSuite((p) => import(url(p.replace(/\.ts$/, '.js'))), JSON.parse(metaJson), suite as 'visible' | 'hidden');
  } catch (err) {
    await sayLast({ loadError: `the test suite could not be loaded: ${kit.describeError(err).message}` });
    return;
  }
  // Learner code may import stack modules: it must not be able to change the stack's exported
  // tables and constants under the tests' feet. Plain data is frozen deeply; functions and
  // classes are frozen themselves (their static properties) but not their prototypes, because
  // the harness and the kit override methods on instances (a frozen prototype method would make
  // `instance.method = …` throw — JavaScript's "override mistake").
  for (const ns of namespaces.values()) for (const value of Object.values(ns)) freezeExport(value);
  // How each test counts, said before any learner code has run: the parent scores the run with
  // this, not with what the results document claims.
  say({ ready: true, scoring: loaded.registry.tests.map(({ name, guard, weight }) => ({ name, guard, weight })) });

  const job = JSON.parse(await nextLine()) as Job;
  let running = '';
  const printed = new Map<string, string>();
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

  try {
    for (const m of job.modules) {
      const compartment = new ses.Compartment({ globals: { console }, __options__: true });
      const requireFor = (spec: string) => {
        const target = posix.normalize(posix.join(posix.dirname(m.file), spec)).replace(/\.js$/, '.ts');
        const ns = namespaces.get(target);
        // As the static import check (compile.ts importProblems): never a lab file's reference or
        // learner side, which `require` in the compiled body could otherwise name at run time.
        if (!ns || !target.startsWith('stack/core/') || /\.(reference|learner)\.ts$/.test(target)) throw new Error(`lab code may not import "${spec}": only modules of the stack core`);
        return ns;
      };
      const body = compartment.evaluate(`(function (exports, require) {${m.js}\n})`) as (exports: object, require: (spec: string) => unknown) => void;
      const exports: Record<string, unknown> = {};
      body(exports, ses.harden(requireFor));
      const bind = side.learnerBindings.get(m.file);
      if (!bind) throw new Error(`${m.file} is not a file of this lab`);
      bind(exports);
    }
    // As after an ES module graph has loaded: promise jobs the learner's modules queued while
    // loading run before the first test.
    await new Promise((resolve) => setImmediate(resolve));
  } catch (err) {
    await sayLast({ loadError: loadMessage(err, kit), output: printed.get('') });
    return;
  }

  if (job.sim) {
    // Every module the scenario loads is one of the tree's stack modules, with the learner's
    // exports already bound behind this lab's dispatchers.
    const load = (path: string): unknown => {
      const ns = namespaces.get(path);
      if (!ns) throw new Error(`${path} is not part of the stack`);
      return ns;
    };
    await sayLast({ sim: sim.simToWire(sim.simulate(load, job.sim)) });
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

main().then(
  () => exit(0),
  async (err) => {
    await sayLast({ loadError: `the run could not start: ${(err as Error).message}` });
    exit(0);
  },
);
