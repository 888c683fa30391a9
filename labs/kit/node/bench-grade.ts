/**
 * `npm run bench` (after the simulator figures): grading the handshake lab's hidden suite with
 * the reference as a learner's submission, the way the course server grades a Submit
 * (runSandboxed: checks and type check in a worker thread, tests in a locked-down child).
 * Goals (issue 15, on a quiet 2-core machine): one learner's warm Submit p50 ≤ 0.2 s; the first
 * Submit after start ≤ 0.5 s when the server prewarms.
 *
 * Prints: the first Submit with nothing warm (cold), the first after prewarm() (what a server
 * that prewarms at start gives), warm p50/p95 over N sequential Submits, and what the isolation
 * costs: lockdown() and loading SES in a child, and the same suite run in-process on our own code.
 */
import { loadavg } from 'node:os';
import { loadLab, referenceFiles } from './repo.ts';
import { prewarm, runSandboxed, sandboxIsolation } from './sandbox.ts';
import { prewarmCompiler } from './compile-pool.ts';
import { loadTree } from './inprocess.ts';
import { LOCKDOWN_OPTIONS } from '../lockdown-options.ts';

const RUNS = Number(process.env.BENCH_GRADE_RUNS ?? 15);
const def = loadLab('handshake');
const files = referenceFiles(def);

const ms = (t0: number) => performance.now() - t0;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (x: number) => `${(x / 1000).toFixed(3)} s`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

// Each Submit sends a text not seen before (a learner's edit), so the type-check verdict cache
// (compile-pool.ts) answers none of them.
let edits = 0;
async function submit(): Promise<number> {
  const text = new Map([...files].map(([path, t]) => [path, `${t}\n// edit ${++edits}\n`]));
  const t0 = performance.now();
  const doc = await runSandboxed(def, text, 'hidden');
  if (doc.status !== 'pass') throw new Error(`the reference did not pass in the sandbox: ${doc.message}`);
  return ms(t0);
}

const iso = sandboxIsolation();
console.log(`grading benchmark — handshake hidden suite, reference as the submission; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`  isolation: ${iso.namespaces ? 'PID+network namespaces' : 'no namespaces'}, uid ${iso.uid ?? 'unchanged'}, SES lockdown + Compartment${iso.notes.length ? ` (${iso.notes.join('; ')})` : ''}`);

// What a server gets when it prewarms at start (prewarm + prewarmCompiler), then the first Submit.
const started = performance.now();
prewarm(def, 'hidden');
prewarmCompiler(def.files);
await sleep(10_000);
const first = await submit();
console.log(`  first Submit after start, with prewarm (warm child and type checker): ${fmt(first)}  (goal ≤ 0.500 s; prewarm began ${fmt(ms(started) - first)} before)`);

// A suite with no warm child yet (the type checker is warm by now): the cost of a cold child.
const t1 = performance.now();
const coldDoc = await runSandboxed(def, files, 'visible');
console.log(`  first Submit of a suite with no warm child (tree built, child started and locked down): ${fmt(ms(t1))} (${coldDoc.status})`);

const warm: number[] = [];
for (let i = 0; i < RUNS; i++) {
  // A learner does not Submit back to back: the pool refills between Submits.
  await sleep(1500);
  warm.push(await submit());
}
console.log(`  warm Submit, ${RUNS} in a row: p50 ${fmt(pct(warm, 50))}  p95 ${fmt(pct(warm, 95))}  (goal p50 ≤ 0.200 s)`);

// The cost of isolation, in parts.
const { spawnSync } = await import('node:child_process');
const { createRequire } = await import('node:module');
const ses = createRequire(import.meta.url).resolve('ses').replace(/index\.js$/, 'dist/ses.mjs');
const probe = spawnSync(process.execPath, ['--input-type=module', '-e', `const a = performance.now(); await import(${JSON.stringify(ses)}); const b = performance.now(); lockdown(${JSON.stringify({ ...LOCKDOWN_OPTIONS, domainTaming: 'unsafe' })}); const c = performance.now(); new Compartment({ globals: {}, __options__: true }); console.log(JSON.stringify({ load: b - a, lockdown: c - b, compartment: performance.now() - c }));`], { encoding: 'utf8' });
const parts = JSON.parse(probe.stdout) as { load: number; lockdown: number; compartment: number };
console.log(`  isolation cost per child (paid while it waits in the pool): load SES ${parts.load.toFixed(0)} ms, lockdown() ${parts.lockdown.toFixed(0)} ms, one Compartment ${parts.compartment.toFixed(1)} ms`);
const tree = await loadTree(def, files, 'hidden', 'bench');
try {
  const inproc: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    tree.run(1);
    inproc.push(ms(t0));
  }
  console.log(`  the same suite in-process, no sandbox (our own code only): p50 ${fmt(pct(inproc, 50))}`);
} finally {
  tree.dispose();
}
process.exit(0);
