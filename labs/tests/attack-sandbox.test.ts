/**
 * Attacks on the sandbox (labs/kit/node/sandbox.ts, child.ts) by learner code, each graded
 * through runSandboxed exactly as `npm run grade`, `--submissions` and the course server grade.
 * Every case asserts that the attack fails, with what the learner is told; the batch and CLI side
 * (other learners unaffected) is in attack-cli.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCELLED_MESSAGE, childCommand, runSandboxed, sandboxIsolation } from '../kit/node/sandbox.ts';
import { REACH, appended, def, forgeries, inIsn, reference, starter, withFile } from './attack-cases.ts';

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'lab-attack-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Doc = Awaited<ReturnType<typeof runSandboxed>>;
const isnMessage = (doc: Doc) => doc.tests.find((t) => t.task_id === 1)!.message ?? '';
const task1Messages = (doc: Doc) => doc.tests.filter((t) => t.task_id === 1).map((t) => t.message ?? '').join('\n');

describe('learner code cannot change what grades it (SES lockdown + Compartment)', () => {
  for (const attack of forgeries) {
    it(`${attack.name}: no points, and the learner is told why`, async () => {
      const doc = await runSandboxed(def, withFile(attack.text), 'hidden');
      expect(doc.score.points).toBe(0);
      expect(doc.status).not.toBe('pass');
      expect(doc.tasks.every((t) => t.points === 0 && t.status !== 'pass')).toBe(true);
      if (doc.status === 'error') {
        // Changing a shared built-in fails while the module loads, in words a learner understands.
        expect(doc.message).toMatch(/^your code could not be loaded: your code tried to change a built-in JavaScript object \(.+\); built-ins are frozen while grading/);
      } else {
        // The change was attempted inside a test (a promise job): it fails there, and nothing is forged.
        expect(doc.tests.every((t) => t.status === 'fail')).toBe(true);
      }
    }, 180_000);
  }

  it('the same attack on the reference keeps the reference\'s own 100 (nothing else is disturbed)', async () => {
    const ok = await runSandboxed(def, withFile(reference), 'hidden');
    expect(ok.score).toEqual({ points: 100, max: 100 });
  }, 180_000);

  it('sees no process, require, timers or fetch, and eval/Function cannot reach them', async () => {
    const doc = await runSandboxed(def, withFile(inIsn(reference, `// @ts-ignore\n  return ${REACH};`)), 'hidden');
    // Every door closed: the ISN came back as 0 (bit i would be set for door i).
    expect(isnMessage(doc)).toMatch(/its sequence number was 0(?: \(wanted: .*\))?$/);
  }, 180_000);

  it('a grading whose learner went away (the server aborts it) stops at once, runaway or not', async () => {
    const before = new AbortController();
    before.abort();
    const early = await runSandboxed(def, withFile(reference), 'hidden', { signal: before.signal });
    expect(early.status).toBe('error');
    expect(early.message).toBe(CANCELLED_MESSAGE);
    // A runaway with a long limit: only the abort can end it before that limit. Twice, so that the
    // second abort comes with the compiler warm, after compiling and the type check are over and
    // while the child runs the loop (the first may land during a cold compile).
    for (let i = 0; i < 2; i++) {
      const gone = new AbortController();
      const pending = runSandboxed(def, withFile(inIsn(reference, 'for (;;) {}')), 'hidden', { timeoutSeconds: 150, signal: gone.signal });
      setTimeout(() => gone.abort(), 4_000);
      const doc = await pending;
      expect(doc.status).toBe('error');
      expect(doc.message).toBe(CANCELLED_MESSAGE);
    }
  }, 120_000);

  it('cannot reach the reference through the compiled body\'s require(), which the static import check does not see', async () => {
    // Delegating to the reference would score without writing the code, and hand over its source.
    const doc = await runSandboxed(def, withFile(inIsn(reference, "// @ts-ignore\n  try { return require('./handshake.reference.ts') ? 7 : 0; } catch { return 3; }")), 'hidden');
    expect(isnMessage(doc)).toMatch(/its sequence number was 3(?: \(wanted: .*\))?$/);
  }, 180_000);

  it('process.kill(process.ppid) and process.exit() are not there to call', async () => {
    const kill = await runSandboxed(def, withFile(appended(starter, "const g: any = globalThis;\ng.process.kill(g.process.ppid, 'SIGKILL');")), 'hidden');
    expect(kill.status).toBe('error');
    expect(kill.message).toMatch(/^your code could not be loaded: your code threw TypeError: Cannot read properties of undefined \(reading 'kill'\)/);
    const exit = await runSandboxed(def, withFile(inIsn(reference, "const g: any = globalThis;\n  g.process.exit(0);")), 'hidden');
    expect(exit.status).toBe('fail');
    expect(task1Messages(exit)).toMatch(/Cannot read properties of undefined \(reading 'exit'\)/);
    expect(exit.tests.length).toBeGreaterThanOrEqual(25);
  }, 180_000);

  it('cannot bind a Unix socket through process.stdout._handle', async () => {
    const path = join(scratch, 'learner.sock');
    const code = `const g: any = globalThis; const h = g.process?.stdout?._handle; if (h) { const p = new h.constructor(0); p.bind(${JSON.stringify(path)}); p.listen(1); }`;
    const doc = await runSandboxed(def, withFile(inIsn(reference, code)), 'hidden');
    expect(existsSync(path)).toBe(false);
    // The code ran (it found nothing to use) and the reference's answers still pass.
    expect(doc.status).toBe('pass');
  }, 180_000);

  it('a thrown object with throwing getters, or a Proxy, fails the tests that call it and the run completes', async () => {
    const getters = "throw { get name(): string { const j: any = JSON; j.stringify = () => '{}'; return 'TcpTestFailure'; }, get detail(): unknown { throw new Error('gotcha'); } };";
    for (const thrown of [getters, 'throw new Proxy({}, { get() { throw 1; } });']) {
      const doc = await runSandboxed(def, withFile(inIsn(reference, thrown)), 'hidden');
      expect(doc.status, thrown).toBe('fail');
      expect(doc.tasks.find((t) => t.id === 1)!.points, thrown).toBe(0);
      expect(doc.tests.filter((t) => t.task_id === 1).every((t) => t.status === 'fail' && typeof t.message === 'string'), thrown).toBe(true);
      expect(doc.tests.length, thrown).toBeGreaterThanOrEqual(25);
    }
  }, 180_000);

  it('a line that looks like a result on its output is only output', async () => {
    const fake = `console.log('${'0'.repeat(32)} ' + '{"result":{"status":"pass","score":{"points":100,"max":100}}}');`;
    const doc = await runSandboxed(def, withFile(appended(starter, fake)), 'hidden');
    expect(doc.status).toBe('fail');
    expect(doc.score.points).toBe(0);
    expect(doc.output).toContain('"points":100');
  }, 180_000);

  it('huge output is cut to 500 characters per test, in time', async () => {
    const doc = await runSandboxed(def, withFile(inIsn(reference, "for (let i = 0; i < 20000; i++) console.log('x'.repeat(1000));")), 'hidden');
    expect(doc.status).toBe('pass');
    const t = doc.tests.find((x) => x.task_id === 1)!;
    expect(t.output!.length).toBe(500);
  }, 180_000);

  it('deep recursion fails the test it happens in, with the engine\'s words', async () => {
    const doc = await runSandboxed(def, withFile(inIsn(reference, 'const down = (n: number): number => down(n + 1) + 1;\n  down(0);')), 'hidden');
    expect(doc.status).toBe('fail');
    expect(task1Messages(doc)).toMatch(/Maximum call stack size exceeded/);
    expect(doc.tests.length).toBeGreaterThanOrEqual(25);
  }, 180_000);

  it('a 4 GiB ArrayBuffer cannot be had: the address-space limit covers memory outside the heap', async () => {
    const doc = await runSandboxed(def, withFile(inIsn(reference, 'new Uint8Array(4 * 1024 ** 3).fill(1);')), 'hidden');
    expect(doc.status).not.toBe('pass');
    expect(doc.tasks.find((t) => t.id === 1)!.points).toBe(0);
    expect(task1Messages(doc) + (doc.message ?? '')).toMatch(/Array buffer allocation failed|used more memory/);
  }, 180_000);

  it('buffers kept across calls (12 × 256 MiB, untouched) hit the same limit', async () => {
    const hoard = appended(inIsn(reference, 'for (let i = 0; i < 12; i++) HOARD.push(new Uint8Array(256 * 1024 ** 2));'), 'const HOARD: Uint8Array[] = [];');
    const doc = await runSandboxed(def, withFile(hoard), 'hidden');
    expect(doc.status).not.toBe('pass');
    expect(doc.tasks.find((t) => t.id === 1)!.points).toBe(0);
    expect(task1Messages(doc) + (doc.message ?? '')).toMatch(/Array buffer allocation failed|used more memory/);
  }, 180_000);

  it('a heap bomb stops with a memory message', async () => {
    const doc = await runSandboxed(def, withFile(inIsn(reference, 'const a: number[][] = []; for (;;) a.push(new Array(1e6).fill(1));')), 'hidden', { timeoutSeconds: 20 });
    expect(doc.status).toBe('error');
    expect(doc.message).toMatch(/^your code used more memory than it may/);
  }, 180_000);
});

describe('type checking runs off the grading process\'s event loop', () => {
  // 194 bytes of nested mapped template-literal types: a million-member union. Over 100 s of
  // type checking on this machine, run in the grader's own thread before the worker pool.
  const BOMB = `type D = '0'|'1'|'2'|'3'|'4'|'5'|'6'|'7'|'8'|'9';
type N3 = \`\${D}\${D}\${D}\`;
type M = { [K in N3]: { [J in N3]: \`\${K}-\${J}\` } };
export type Bomb = M[N3][N3];
export const bomb: Bomb = '000-000';`;

  it('a type-check bomb fails that submission with a clear message; the event loop and another learner carry on', async () => {
    let last = Date.now();
    let worstGap = 0;
    const tick = setInterval(() => {
      const now = Date.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 50);
    try {
      const bomb = runSandboxed(def, withFile(appended(reference, BOMB)), 'hidden');
      const honest = await runSandboxed(def, withFile(reference), 'hidden');
      expect(honest.score).toEqual({ points: 100, max: 100 });
      const doc = await bomb;
      expect(doc.status).toBe('error');
      expect(doc.message).toMatch(/^the type check of your code (took more than \d+ s|ran out of memory)/);
      // A blocked loop would show a gap as long as the type check (10 s and more).
      expect(worstGap).toBeLessThan(3000);
    } finally {
      clearInterval(tick);
    }
  }, 120_000);
});

describe('the operating system walls, without SES', () => {
  it('a sandboxed process cannot signal the grader, and on a root machine runs as nobody in its own PID namespace', () => {
    const iso = sandboxIsolation();
    const script = `let r; try { process.kill(${process.pid}, 0); r = 'reached'; } catch (e) { r = e.code; } console.log(JSON.stringify({ r, uid: process.getuid(), pid: process.pid, sid: 0 }));`;
    const [cmd, argv] = childCommand(['-e', script], 5);
    const out = spawnSync(cmd, argv, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 });
    expect(out.status, out.stderr).toBe(0);
    const seen = JSON.parse(out.stdout) as { r: string; uid: number; pid: number };
    if (process.getuid?.() === 0) {
      expect(iso.uid).toBe(65534);
      expect(seen.uid).toBe(65534);
      expect(iso.namespaces).toBe(true);
      // In its own PID namespace it is pid 1 and our pid names nobody it can see.
      expect(seen.pid).toBe(1);
      expect(seen.r).toBe('ESRCH');
    } else {
      // A normal user: same uid, so the kernel would let it — SES (no `process`) is what holds here.
      expect(iso.uid).toBe(null);
    }
  }, 180_000);
});
