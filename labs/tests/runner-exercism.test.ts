/**
 * The Exercism-style runner entry (labs/runner/run.sh) end to end, and the conversion of the
 * course's results document to Exercism's results.json v3 (labs/runner/exercism.ts).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, loadLab, referenceFiles, wrongImplementations } from '../kit/node/repo.ts';
import { errorDocument, type ResultsDocument, type TestResult } from '../kit/results.ts';
import { exercismProblems, toExercism, MESSAGE_CAP, OUTPUT_CAP } from '../runner/exercism.ts';
import { parseRunnerArgs } from '../runner/run.ts';

const RUN_SH = join(REPO, 'labs/runner/run.sh');
const def = loadLab('handshake');
const LAB_FILE = def.files[0];
const NAME = LAB_FILE.split('/').pop()!;
const reference = referenceFiles(def).get(LAB_FILE)!;
const wrong = wrongImplementations(def)[0];

function runSh(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(RUN_SH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

function results(out: string): Record<string, any> {
  return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
}

let scratch = '';
const runs: Record<string, { code: number | null; out: string; stderr: string }> = {};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'runner-exercism-'));
  const submissions: Record<string, { file: string; text: string }> = {
    // at the stack path
    pass: { file: LAB_FILE, text: reference },
    // by bare file name
    fail: { file: NAME, text: wrong.files.get(LAB_FILE)! },
    broken: { file: NAME, text: `${reference}\nexport const broken: number = 'not a number';\n` },
  };
  await Promise.all(
    Object.entries(submissions).map(async ([label, s]) => {
      const input = join(scratch, `in-${label}`);
      mkdirSync(join(input, ...s.file.split('/').slice(0, -1)), { recursive: true });
      writeFileSync(join(input, ...s.file.split('/')), s.text);
      const out = join(scratch, `out-${label}`);
      // A generous limit: these runs are about the format, and a loaded CI machine must not turn
      // the reference into "ran for more than 10 s".
      const r = await runSh(['handshake', `${input}/`, `${out}/`, '--classroom', join(scratch, `classroom-${label}.json`), '--timeout', '120']);
      runs[label] = { code: r.code, out, stderr: r.stderr };
    }),
  );
}, 900_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('run.sh writes a valid results.json v3', () => {
  it('passes the reference: every test pass, each linked to its task', () => {
    expect(runs.pass.code).toBe(0);
    const r = results(runs.pass.out);
    expect(exercismProblems(r)).toEqual([]);
    expect(r.version).toBe(3);
    expect(r.status, `${r.message}\n${runs.pass.stderr}`).toBe('pass');
    expect(r.message).toBeNull();
    expect(r.tests.length).toBeGreaterThanOrEqual(25);
    expect(r.tests.every((t: any) => t.status === 'pass' && t.message === null)).toBe(true);
    expect(new Set(r.tests.map((t: any) => t.task_id))).toEqual(new Set(def.tasks.map((t) => t.id)));
    expect(r.tests[0].test_code).toMatch(/^1\. do: t=0 ms {2}socket\(\)/);
  });

  it(`fails a known-wrong version (${wrong.name}) on its task, with the failure message, and still exits 0`, () => {
    expect(runs.fail.code).toBe(0);
    const r = results(runs.fail.out);
    expect(exercismProblems(r)).toEqual([]);
    expect(r.status).toBe('fail');
    const failed = r.tests.filter((t: any) => t.status !== 'pass');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].task_id).toBe(wrong.expect.task);
    expect(failed.some((t: any) => t.task_id === wrong.expect.task && t.message.includes(wrong.expect.message))).toBe(true);
    // Tests of the tasks it does not touch still pass.
    expect(r.tests.some((t: any) => t.status === 'pass' && t.task_id !== wrong.expect.task)).toBe(true);
    // --classroom: the reporter payload, short of points on exactly the failing tasks.
    const payload = JSON.parse(readFileSync(join(scratch, 'classroom-fail.json'), 'utf8'));
    expect(payload.max_score).toBe(def.tasks.reduce((n, t) => n + t.points, 0));
    const failingTasks = new Set(failed.map((t: any) => t.task_id));
    def.tasks.forEach((task, i) => {
      if (failingTasks.has(task.id)) expect(payload.tests[i].score).toBeLessThan(task.points);
      else expect(payload.tests[i].score).toBe(task.points);
    });
  });

  it('reports a submission that does not compile as error, with TypeScript\'s words, and exits 0', () => {
    expect(runs.broken.code).toBe(0);
    const r = results(runs.broken.out);
    expect(exercismProblems(r)).toEqual([]);
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/^your code does not compile: handshake\.ts:\d+:\d+ Type 'string' is not assignable to type 'number'\./);
  });

  it('answers an empty input folder, a missing one and an unknown lab with an error results.json naming the problem', async () => {
    const empty = join(scratch, 'in-empty');
    mkdirSync(empty);
    const cases: Array<[string[], RegExp]> = [
      [['handshake', empty, join(scratch, 'out-empty')], /^the input folder <solution-dir> is empty: put your lab file there \(<solution-dir>\/stack\/core\/tcp\/handshake\.ts or <solution-dir>\/handshake\.ts\)$/],
      [['handshake', join(scratch, 'in-missing'), join(scratch, 'out-missing')], /^the input folder <solution-dir> does not exist/],
      [['no-such-lab', empty, join(scratch, 'out-unknown')], /^unknown lab "no-such-lab" \(labs: handshake, /],
    ];
    const replies = await Promise.all(cases.map(([args]) => runSh(args)));
    cases.forEach(([args, message], i) => {
      expect(replies[i].code).toBe(0);
      const doc = results(args[2]);
      expect(exercismProblems(doc)).toEqual([]);
      expect(doc.status).toBe('error');
      expect(doc.message).toMatch(message);
    });
  }, 600_000);

  it('a folder holding other files but not the lab file names both places it looked', async () => {
    const input = join(scratch, 'in-other');
    mkdirSync(input);
    writeFileSync(join(input, 'notes.txt'), 'hello');
    const out = join(scratch, 'out-other');
    expect((await runSh(['handshake', input, out])).code).toBe(0);
    expect(results(out).message).toBe('no handshake.ts in <solution-dir> (looked for <solution-dir>/stack/core/tcp/handshake.ts and <solution-dir>/handshake.ts)');
  }, 600_000);

  it('still writes an error results.json when the grader process itself stops (here: a bad option), with its words, JSON-escaped', async () => {
    const out = join(scratch, 'out-crash');
    const r = await runSh(['handshake', scratch, out, '--timeout', 'a "quoted" \\ value']);
    expect(r.code).toBe(0);
    const doc = results(out);
    expect(exercismProblems(doc)).toEqual([]);
    expect(doc.status).toBe('error');
    expect(doc.message).toMatch(/^the grader stopped unexpectedly \(exit 2\): --timeout needs seconds from 1 to 300\n/);
  }, 600_000);

  it('without three arguments prints the usage and exits 2 (there is no output folder to write to)', async () => {
    const r = await runSh(['handshake']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^usage: labs\/runner\/run\.sh <slug> <input_dir> <output_dir>/);
  }, 600_000);

  it('refuses an output path that cannot be a folder, exiting 3', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    const r = await runSh(['handshake', scratch, join(file, 'out')]);
    expect(r.code).toBe(3);
    expect(existsSync(join(file, 'out'))).toBe(false);
  }, 600_000);
});

describe('toExercism', () => {
  const test = (over: Partial<TestResult>): TestResult => ({
    name: 'a test', task_id: 1, status: 'pass', message: null, steps: [], trace_ref: null, seed: 1, duration_ms: 1, ...over,
  });
  const doc = (tests: TestResult[], status: ResultsDocument['status']): ResultsDocument => ({
    version: 1, lab: 'handshake', suite: 'hidden', status, seed: 1, score: { points: 0, max: 10 },
    tasks: [{ id: 1, title: 't', status, points: 0, max: 10, passed: 0, total: tests.length }], tests, traces: {}, message: null,
  });

  it('gives the sentence then the full report as the failure message, and caps printed output at 500 characters, saying so', () => {
    const r = toExercism(doc([test({ status: 'fail', message: 'short — is X missing?', report: 'step 2 failed: the long report', output: 'x'.repeat(900) })], 'fail'));
    expect(exercismProblems(r)).toEqual([]);
    expect(r.tests![0].message).toBe('short — is X missing?\n\nstep 2 failed: the long report');
    expect(r.tests![0].output!.length).toBe(OUTPUT_CAP);
    expect(r.tests![0].output).toMatch(/… \(output cut at 500 characters\)$/);
  });

  it('falls back to message with expected/actual when there is no report', () => {
    const r = toExercism(doc([test({ status: 'fail', message: 'no SYN-ACK', expected: 'S.', actual: 'R' })], 'fail'));
    expect(r.tests![0].message).toBe('no SYN-ACK\n\nexpected: S.\nactual:   R');
  });

  it('an error document keeps the reason, adds what the code printed while loading, and caps it', () => {
    const d = errorDocument('handshake', 'hidden', 1, [{ id: 1, title: 't', points: 10 }], 'your code threw while loading');
    d.output = 'hello from load';
    const r = toExercism(d);
    expect(r).toEqual({ version: 3, status: 'error', message: 'your code threw while loading\nyour code printed while loading:\nhello from load' });
    const long = toExercism(errorDocument('handshake', 'hidden', 1, [], 'y'.repeat(MESSAGE_CAP + 10)));
    expect(long.message!.length).toBe(MESSAGE_CAP);
    expect(exercismProblems(long)).toEqual([]);
  });

  it('the v3 check rejects what Exercism would: a pass with a failing test, a failure without a message, a task_id of 0', () => {
    expect(exercismProblems({ version: 3, status: 'pass', message: null, tests: [{ name: 'a', status: 'fail', message: 'm', test_code: '', task_id: 1 }] })).toContain('status is pass but a test did not pass');
    expect(exercismProblems({ version: 3, status: 'fail', message: null, tests: [{ name: 'a', status: 'fail', message: null, test_code: '', task_id: 1 }] })).toContain('tests[0].message must say why it failed');
    expect(exercismProblems({ version: 3, status: 'fail', message: null, tests: [{ name: 'a', status: 'fail', message: 'm', test_code: '', task_id: 0 }] })).toContain('tests[0].task_id must be a whole number from 1');
    expect(exercismProblems({ version: 2, status: 'error' })).toEqual(['version must be 3', 'message must say what went wrong when status is error']);
    expect(exercismProblems([])).toEqual(['results.json must hold a JSON object']);
  });

  it('parses the entry\'s arguments', () => {
    expect(parseRunnerArgs(['queues', 'in/', 'out/', '--classroom', 'c.json'])).toEqual({ slug: 'queues', input: 'in/', output: 'out/', classroom: 'c.json', timeout: undefined });
    expect(() => parseRunnerArgs(['queues', 'in/'])).toThrow(/^usage:/);
    expect(() => parseRunnerArgs(['queues', 'in/', 'out/', '--nope'])).toThrow(/unknown option --nope/);
  });
});
