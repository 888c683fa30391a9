/**
 * The same attacks through `npm run grade`: one `--submissions` batch holding every attack
 * between honest learners (each attack must fail, the batch must finish with its CSV, and the
 * honest learners must get exactly their grade), and `--dir` for a single forged submission.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../kit/node/repo.ts';
import { appended, forgeries, inIsn, reference, starter } from './attack-cases.ts';

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'lab-attack-cli-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const grade = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'labs/kit/node/grade.ts'), ...args], { cwd: REPO, encoding: 'utf8', timeout: 600_000 });

describe('npm run grade under attack', () => {
  it('a --submissions batch of attacks finishes, grades every attack 0, and the honest learners exactly', () => {
    const root = join(scratch, 'submissions');
    const put = (name: string, text: string) => {
      mkdirSync(join(root, name), { recursive: true });
      writeFileSync(join(root, name, 'handshake.ts'), text);
    };
    put('aaa-honest-solution', reference);
    put('bbb-kills-the-grader', appended(starter, "const g: any = globalThis;\ng.process.kill(g.process.ppid, 'SIGKILL');"));
    put('bbc-kills-the-grader-while-graded', inIsn(starter.replace("return notImplemented('handshake/1: Choose the initial sequence number (RFC 6528)');", 'return 0;'), "const g: any = globalThis; g.process.kill(g.process.ppid, 'SIGKILL'); g.process.kill(0, 'SIGKILL');"));
    put('bbd-four-gib', inIsn(starter, 'new Uint8Array(4 * 1024 ** 3).fill(1);'));
    forgeries.forEach((a, i) => put(`ccc-forgery-${i}`, a.text));
    put('mmm-honest-starter', starter);
    put('zzz-honest-solution', reference);
    const csv = join(scratch, 'out.csv');
    const r = grade('handshake', '--submissions', root, '--csv', csv);
    expect(r.status, r.stderr).toBe(0);
    const rows = new Map(readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((line) => [line.split(',')[0], line] as const));
    expect(rows.size).toBe(6 + forgeries.length);
    expect(rows.get('aaa-honest-solution')).toBe('aaa-honest-solution,100,100,pass,pass,pass,pass,');
    expect(rows.get('zzz-honest-solution')).toBe('zzz-honest-solution,100,100,pass,pass,pass,pass,');
    expect(rows.get('mmm-honest-starter')).toBe('mmm-honest-starter,0,100,fail,fail,fail,fail,');
    expect(rows.get('bbb-kills-the-grader')).toMatch(/^bbb-kills-the-grader,0,100,error,error,error,error,your code could not be loaded: .*reading 'kill'/);
    expect(rows.get('bbc-kills-the-grader-while-graded')).toMatch(/^bbc-kills-the-grader-while-graded,0,100,fail,fail,fail,fail,$/);
    expect(rows.get('bbd-four-gib')).toMatch(/^bbd-four-gib,0,100,(fail|error),/);
    forgeries.forEach((a, i) => expect(rows.get(`ccc-forgery-${i}`), a.name).toMatch(new RegExp(`^ccc-forgery-${i},0,100,`)));
  }, 600_000);

  it('--dir with a forging submission exits 1 with 0 points and says what was refused', () => {
    const dir = join(scratch, 'forger');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'handshake.ts'), forgeries[0].text);
    const json = join(scratch, 'forged.json');
    const r = grade('handshake', '--dir', dir, '--json', json);
    expect(r.status).toBe(1);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.score).toEqual({ points: 0, max: 100 });
    expect(doc.message).toMatch(/your code tried to change a built-in JavaScript object \(JSON\.stringify\)/);
  }, 300_000);
});
