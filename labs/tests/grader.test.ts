/**
 * The Node grader end to end: learner code runs in a child process under Node's permission
 * model with a time limit, a memory cap and no network; broken submissions get a clear error and
 * do not stop the others; the CSV has one row per learner.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsProblems } from '../kit/results.ts';
import { REPO, learnerFilesFrom, loadLab, referenceFiles, starterFiles, wrongImplementations } from '../kit/node/repo.ts';
import { runSandboxed } from '../kit/node/sandbox.ts';
import { runInProcess } from '../kit/node/inprocess.ts';

const def = loadLab('handshake');
const LAB_FILE = def.files[0];
const reference = referenceFiles(def).get(LAB_FILE)!;
const starter = starterFiles(def).get(LAB_FILE)!;
const withFile = (text: string) => new Map([[LAB_FILE, text]]);
const ISN_STUB = "return notImplemented('handshake/1: Choose the initial sequence number (RFC 6528)');";
const SYNACK_BACKOFF = 'return Math.min(TIMEOUT_INIT * 2 ** req.numTimeout, rtoMax(host));';

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'lab-grader-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Each case starts a sandboxed child (SES lockdown, the stack) or a whole `npm run grade`: seconds
// each on a quiet 2-core machine, far more on a loaded one. These are limits, not speed targets.
describe('sandboxed grading', { timeout: 180_000 }, () => {
  it('passes the reference with full points, through a child process', async () => {
    const doc = await runSandboxed(def, referenceFiles(def), 'hidden');
    expect(resultsProblems(doc)).toEqual([]);
    expect(doc.status).toBe('pass');
    expect(doc.score).toEqual({ points: 100, max: 100 });
  });

  it('scores a partly right submission as the in-process run does, guards and weights included', async () => {
    // The parent re-scores the child's per-test outcomes; it once did so without the suite's
    // guards and weights (teardown's no-paws-in-time-wait got 95.59 sandboxed, 91.41 in-process).
    const teardown = loadLab('teardown');
    const wrong = wrongImplementations(teardown).find((w) => w.name === 'no-paws-in-time-wait')!;
    const [inProcess] = await runInProcess(teardown, wrong.files, 'hidden', [1], 'rescore');
    const sandboxed = await runSandboxed(teardown, wrong.files, 'hidden', { skipTypeCheck: true });
    expect(inProcess.tasks.some((t) => t.guards)).toBe(true);
    expect(sandboxed.score).toEqual(inProcess.score);
    expect(sandboxed.tasks).toEqual(inProcess.tasks);
  });

  it('stops code that loops forever after the time limit and says so', async () => {
    expect(reference).toContain(SYNACK_BACKOFF);
    const started = Date.now();
    const doc = await runSandboxed(def, withFile(reference.replace(SYNACK_BACKOFF, 'for (;;) { /* never returns */ }')), 'hidden', { timeoutSeconds: 3 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(doc.status).toBe('error');
    expect(doc.message).toMatch(/^your code ran for more than 3 s — is there an infinite loop\? \(it was running the test ".+"\)$/);
    expect(doc.tasks.every((t) => t.status === 'error' && t.points === 0)).toBe(true);
  });

  it('reports a file that does not compile, with file, line and TypeScript\'s words', async () => {
    const doc = await runSandboxed(def, withFile(starter.replace(ISN_STUB, "return 'not a number';")), 'hidden');
    expect(doc.status).toBe('error');
    expect(doc.message).toMatch(/^your code does not compile: handshake\.ts:\d+:\d+ Type 'string' is not assignable to type 'number'\.$/);
  });

  it('reports a syntax error even when type checking is skipped', async () => {
    const doc = await runSandboxed(def, withFile(starter.replace(ISN_STUB, 'return (;')), 'hidden', { skipTypeCheck: true });
    expect(doc.status).toBe('error');
    expect(doc.message).toMatch(/^your code does not compile: stack\/core\/tcp\/handshake\.ts:\d+:\d+ /);
  });

  it('gives learner code no file system, no network modules and no way to forge a result', async () => {
    const marker = join(scratch, 'written-by-learner-code');
    const sneaky = starter
      .replace(ISN_STUB, `// @ts-ignore\n  const g: any = globalThis; const fs = g.process?.getBuiltinModule?.('node:fs'); fs?.writeFileSync(${JSON.stringify(marker)}, 'x'); if (g.fetch) throw new Error('fetch is reachable'); if (g.process?.binding) throw new Error('process.binding is reachable');\n  return g.netError?.includes('may not import') ? 2 : 1;`)
      .replace("import { notImplemented }", "// @ts-ignore\nconsole.log(JSON.stringify({ result: { status: 'pass', score: { points: 100, max: 100 } } }));\n// @ts-ignore\nimport('node:net').then(() => console.log('NET LOADED'), (e) => { (globalThis as any).netError = String(e); });\nimport { notImplemented }");
    // The static import check would refuse the dynamic import(); skip it to test the child's own defences.
    const doc = await runSandboxed(def, withFile(sneaky), 'hidden', { checkImports: false });
    expect(existsSync(marker)).toBe(false);
    expect(doc.status).toBe('fail');
    expect(doc.score.points).toBeLessThan(100);
    // The code ran to the end (no escape hatch was reachable) and saw node:net refused: ISN 2.
    const isnTest = doc.tests.find((t) => t.task_id === 1)!;
    expect(isnTest.message).toMatch(/its sequence number was 2(?: \(wanted: .*\))?$/);
  });

  it('refuses imports of the reference copy, the test kit or anything outside the stack core', async () => {
    const cheats = [
      "// @ts-ignore\nexport * from './handshake.reference.ts';\n",
      "// @ts-ignore\nimport { labSide } from '../../../labs/kit/side.ts';\nvoid labSide;\n",
      "// @ts-ignore\nimport { readFileSync } from 'node:fs';\nvoid readFileSync;\n",
      "const where = './handshake.' + 'reference.ts';\n// @ts-ignore\nvoid import(where);\n",
    ];
    for (const cheat of cheats) {
      const doc = await runSandboxed(def, withFile(reference + cheat), 'hidden', { skipTypeCheck: true });
      expect(doc.status, cheat).toBe('error');
      expect(doc.message, cheat).toMatch(/^your code imports something it may not: handshake\.ts:\d+:\d+ /);
    }
    // Ordinary imports of other stack-core modules are fine.
    const ok = await runSandboxed(def, withFile(reference.replace("import { seqGt, seqLeq } from '../seq.ts';", "import { seqGt, seqLeq } from '../seq.ts';\nimport { seqAdd } from '../seq.ts';\nvoid seqAdd;")), 'hidden');
    expect(ok.status).toBe('pass');
  });

  it('keeps what the learner\'s code prints, per test', async () => {
    const chatty = reference.replace("  // #region lab handshake/4 SYN-ACK retransmission backoff\n", "  // #region lab handshake/4 SYN-ACK retransmission backoff\n  console.log(`synAckTimeout(numTimeout=${req.numTimeout})`);\n");
    expect(chatty).not.toBe(reference);
    const doc = await runSandboxed(def, withFile(chatty), 'hidden');
    expect(doc.status, doc.message ?? '').toBe('pass');
    const t = doc.tests.find((x) => x.name.startsWith('SYN-ACKs go out at 0, 1, 3, 7, 15 and 31 s'))!;
    expect(t.output).toContain('synAckTimeout(numTimeout=4)');
    expect(t.output!.length).toBeLessThanOrEqual(500);
  });

  it('reports a crash while loading the learner\'s module', async () => {
    const doc = await runSandboxed(def, withFile(starter.replace("import { notImplemented }", "throw new Error('boom at load');\nimport { notImplemented }")), 'hidden');
    expect(doc.status).toBe('error');
    expect(doc.message).toContain('boom at load');
  });

  it('reads a learner folder by stack path or by file name, and names both places when the file is missing', () => {
    const byName = join(scratch, 'by-name');
    mkdirSync(byName, { recursive: true });
    writeFileSync(join(byName, 'handshake.ts'), 'x');
    expect(learnerFilesFrom(byName, def).get(LAB_FILE)).toBe('x');
    const empty = join(scratch, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(() => learnerFilesFrom(empty, def)).toThrow(/no handshake\.ts \(looked for .*stack\/core\/tcp\/handshake\.ts and .*handshake\.ts\)/);
  });
});

describe('npm run grade', { timeout: 240_000 }, () => {
  const node = process.execPath;
  const grade = (...args: string[]) => spawnSync(node, ['--import', 'tsx', join(REPO, 'labs/kit/node/grade.ts'), ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });

  it('grades a folder of submissions into one CSV row each, whatever state each is in', () => {
    const root = join(scratch, 'submissions');
    const put = (name: string, text: string) => {
      mkdirSync(join(root, name), { recursive: true });
      writeFileSync(join(root, name, 'handshake.ts'), text);
    };
    put('ada-solution', reference);
    put('bob-starter', starter);
    const wrong = wrongImplementations(def).find((w) => w.name === 'synack-acks-isn')!;
    put('cy-wrong', wrong.files.get(LAB_FILE)!);
    put('dee-broken', starter.replace(ISN_STUB, "return 'x';"));
    mkdirSync(join(root, 'eve-empty'), { recursive: true });
    const csv = join(scratch, 'out.csv');
    const r = grade('handshake', '--submissions', root, '--csv', csv);
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('name,points,max,task_1,task_2,task_3,task_4,message');
    expect(rows[1]).toBe('ada-solution,100,100,pass,pass,pass,pass,');
    expect(rows[2]).toBe('bob-starter,0,100,fail,fail,fail,fail,');
    expect(rows[3]).toMatch(/^cy-wrong,\d+(\.\d+)?,100,pass,pass,fail,fail,$/);
    expect(rows[4]).toMatch(/^dee-broken,0,100,error,error,error,error,your code does not compile: handshake\.ts:\d+:\d+ Type 'string'/);
    expect(rows[5]).toMatch(/^eve-empty,0,100,error,error,error,error,.*no handshake\.ts/);
    expect(rows).toHaveLength(6);
  });

  it('--solution writes a passing results document; --starter fails every task', () => {
    const json = join(scratch, 'r.json');
    const ok = grade('handshake', '--solution', '--json', json);
    expect(ok.status, ok.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(resultsProblems(doc)).toEqual([]);
    expect(doc.status).toBe('pass');
    expect(doc.score).toEqual({ points: 100, max: 100 });
    const bad = grade('handshake', '--starter', '--json', json);
    expect(bad.status).toBe(1);
    const sdoc = JSON.parse(readFileSync(json, 'utf8'));
    expect(sdoc.status).toBe('fail');
    expect(sdoc.tasks.map((t: { status: string }) => t.status)).toEqual(['fail', 'fail', 'fail', 'fail']);
    expect(bad.stdout).toContain('not implemented yet: handshake/1: Choose the initial sequence number (RFC 6528)');
  });

  it('explains bad usage instead of crashing', () => {
    const r = grade('handshake', '--solution', '--starter');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('choose one of --dir, --solution, --starter, --submissions');
    const unknown = grade('handshak', '--solution');
    expect(unknown.stderr).toContain('unknown lab "handshak"');
  });
});
