/** The workshop record (site/server/workshop/record.ts) on real SQLite files. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { doc } from './results-fixture.ts';
import { DEFAULT_DB, WorkshopRecord, WorkshopRecordError, checkLearnerName } from '../../server/workshop/record.ts';

const scratch = mkdtempSync(join(tmpdir(), 'workshop-record-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('WorkshopRecord', () => {
  it('keeps learners and attempts across close and reopen', () => {
    const file = join(scratch, 'a', 'record.sqlite');
    const first = WorkshopRecord.open(file);
    expect(first.recovered).toBeNull();
    const ada = first.addLearner('  Ada   Lovelace ', 1000);
    const bob = first.addLearner('Bob', 2000);
    first.addAttempt(ada.id, doc('handshake', 'visible', [[1, 'pass'], [2, 'fail', 'synack']]), { at: 3000, durationMs: 812 });
    first.addAttempt(ada.id, doc('handshake', 'hidden', [[1, 'pass'], [2, 'pass']]), { at: 4000 });
    first.close();

    const again = WorkshopRecord.open(file);
    expect(again.learners()).toEqual([{ id: ada.id, name: 'Ada Lovelace', joinedAt: 1000 }, { id: bob.id, name: 'Bob', joinedAt: 2000 }]);
    const attempts = again.attempts({ learnerId: ada.id });
    expect(attempts.map((a) => [a.at, a.suite, a.status, a.points, a.max, a.durationMs])).toEqual([
      [3000, 'visible', 'fail', 5, 10, 812],
      [4000, 'hidden', 'pass', 10, 10, 10],
    ]);
    expect(attempts[0].firstFailure).toEqual({ test: 'synack', taskId: 2, message: 'why synack' });
    expect(attempts[0].tasks).toEqual([{ id: 1, status: 'pass', points: 5, max: 5 }, { id: 2, status: 'fail', points: 0, max: 5 }]);
    expect(attempts[1].firstFailure).toBeNull();
    expect(again.attempts({ lab: 'teardown' })).toEqual([]);
    again.close();
  });

  it('keeps the attempts it has read in order as new ones come, the same as a fresh read of the file', () => {
    const file = join(scratch, 'cache', 'record.sqlite');
    const r = WorkshopRecord.open(file);
    const a = r.addLearner('Ada', 0);
    r.addAttempt(a.id, doc('handshake', 'visible', [[1, 'pass']]), { at: 2000 });
    expect(r.attempts().map((x) => x.at)).toEqual([2000]);
    r.addAttempt(a.id, doc('handshake', 'hidden', [[1, 'fail', 'late']]), { at: 3000 });
    r.addAttempt(a.id, doc('teardown', 'hidden', [[1, 'pass']]), { at: 1000 });
    r.addAttempt(a.id, doc('teardown', 'visible', [[1, 'pass']]), { at: 3000 });
    const kept = r.attempts();
    expect(kept.map((x) => `${x.at} ${x.lab} ${x.suite}`)).toEqual(['1000 teardown hidden', '2000 handshake visible', '3000 handshake hidden', '3000 teardown visible']);
    const seen = JSON.stringify(kept);
    // A copy: changing what was returned changes nothing.
    kept.pop();
    expect(r.attempts()).toHaveLength(4);
    r.close();
    const again = WorkshopRecord.open(file);
    expect(JSON.stringify(again.attempts())).toBe(seen);
    again.close();
  });

  it('ids are unguessable and distinct, even for the same name', () => {
    const r = WorkshopRecord.open(':memory:');
    const a = r.addLearner('Sam');
    const b = r.addLearner('Sam');
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    r.close();
  });

  it('refuses attempts of unknown learners and bad names, with the reason', () => {
    const r = WorkshopRecord.open(':memory:');
    expect(() => r.addAttempt('nobody', doc('handshake', 'hidden', [[1, 'pass']]))).toThrow(new WorkshopRecordError('no learner nobody in this workshop (join first)'));
    expect(() => r.addLearner('   ')).toThrow('a name is needed to join');
    expect(checkLearnerName('x'.repeat(41))).toEqual({ error: 'a name of at most 40 characters, please' });
    expect(checkLearnerName('a\u0007b')).toEqual({ error: 'a name without control characters, please' });
    expect(checkLearnerName('Zoë, "Z" =1')).toBe('Zoë, "Z" =1');
    r.close();
  });

  it('tells listeners of each attempt, until they unsubscribe', () => {
    const r = WorkshopRecord.open(':memory:');
    const l = r.addLearner('Lin');
    const seen: string[] = [];
    const off = r.onAttempt((a, who) => seen.push(`${who.name}:${a.lab}:${a.status}`));
    r.addAttempt(l.id, doc('queues', 'hidden', [[1, 'fail']]));
    off();
    r.addAttempt(l.id, doc('queues', 'hidden', [[1, 'pass']]));
    expect(seen).toEqual(['Lin:queues:fail']);
    r.close();
  });

  it('renames an unreadable file aside, says so, and starts a fresh record', () => {
    const dir = join(scratch, 'broken');
    const file = join(dir, 'record.sqlite');
    const bytes = 'this is not an SQLite database, but somebody\'s notes\n'.repeat(200);
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(file, bytes);
    const r = WorkshopRecord.open(file, () => Date.UTC(2026, 11, 7, 5, 30));
    expect(r.recovered?.movedTo).toBe(`${file}.unreadable-2026-12-07T05-30-00-000Z`);
    expect(r.recovered?.reason).toMatch(/not a database/);
    expect(readFileSync(r.recovered!.movedTo, 'utf8')).toBe(bytes);
    r.addLearner('After');
    r.close();
    expect(WorkshopRecord.open(file).learners().map((x) => x.name)).toEqual(['After']);
  });

  it('refuses a record written by a newer course server instead of misreading it', () => {
    const file = join(scratch, 'newer.sqlite');
    const r = WorkshopRecord.open(file);
    r.close();
    execFileSync(process.execPath, ['-e', `const {DatabaseSync}=require('node:sqlite');const d=new DatabaseSync(${JSON.stringify(file)});d.exec('PRAGMA user_version=99');d.close()`], { stdio: 'ignore' });
    expect(() => WorkshopRecord.open(file)).toThrow(/written by a newer course server \(record version 99, this one reads 1\)/);
    expect(readdirSync(scratch).some((n) => n.startsWith('newer.sqlite.unreadable'))).toBe(false);
  });

  it('keeps its default file in the git-ignored .workshop/ folder', () => {
    expect(DEFAULT_DB.endsWith('/.workshop/record.sqlite')).toBe(true);
    const ignore = readFileSync(join(DEFAULT_DB, '../../.gitignore'), 'utf8');
    expect(ignore.split('\n')).toContain('.workshop/');
    expect(existsSync(join(DEFAULT_DB, '../../package.json'))).toBe(true);
  });
});

describe('the course server hooks', () => {
  it('join checks the name; recordGrade records for a joined learner and ignores anyone else', async () => {
    const { joinWorkshop, recordGrade, openWorkshopRecord } = await import('../../server/workshop/hooks.ts');
    const lines: string[] = [];
    const r = openWorkshopRecord(join(scratch, 'hooks.sqlite'), (l) => lines.push(l));
    expect(lines).toEqual([`workshop record: ${join(scratch, 'hooks.sqlite')} (0 learners, 0 runs and submits so far)`]);
    expect(joinWorkshop(r, { name: '' })).toEqual({ status: 400, body: { error: 'a name is needed to join' } });
    expect(joinWorkshop(r, null)).toEqual({ status: 400, body: { error: 'a name is needed to join' } });
    const joined = joinWorkshop(r, { name: 'Ana' }) as { status: number; body: { learner: { id: string; name: string } } };
    expect(joined.status).toBe(200);
    const id = joined.body.learner.id;
    const d = doc('handshake', 'hidden', [[1, 'fail', 'isn']]);
    expect(recordGrade(r, undefined, d, 10)).toBeNull();
    expect(recordGrade(r, 'made-up', d, 10)).toBeNull();
    expect(recordGrade(r, [id], d, 10)).toBeNull();
    expect(recordGrade(r, id, d, 1234)).toMatchObject({ learnerId: id, durationMs: 1234, firstFailure: { test: 'isn' } });
    expect(r.attempts().length).toBe(1);
    r.close();
  });

  it('says when an unreadable record was set aside', async () => {
    const { openWorkshopRecord } = await import('../../server/workshop/hooks.ts');
    const file = join(scratch, 'garbage.sqlite');
    writeFileSync(file, 'x'.repeat(5000));
    const lines: string[] = [];
    openWorkshopRecord(file, (l) => lines.push(l)).close();
    expect(lines[1]).toMatch(/^ {2}\S+garbage\.sqlite\.unreadable-\S+ could not be read as a record \(.*not a database.*\); it was kept there and a new record started$/);
  });
});

describe('opening a record prints no SQLite warning', () => {
  it('holds back only node:sqlite\'s ExperimentalWarning: a warning of any other kind still prints', () => {
    const file = join(scratch, 'quiet', 'record.sqlite');
    const script = [
      `const { WorkshopRecord } = await import(${JSON.stringify(new URL('../../server/workshop/record.ts', import.meta.url).href)});`,
      `WorkshopRecord.open(${JSON.stringify(file)}).close();`,
      `process.emitWarning('a warning that must still be seen');`,
    ].join('\n');
    const run = spawnSyncStderr(script);
    expect(run).not.toMatch(/SQLite is an experimental feature/);
    expect(run).toMatch(/a warning that must still be seen/);
    expect(existsSync(file)).toBe(true);
  });
});

function spawnSyncStderr(script: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the script failed: ${r.stderr}`);
  return r.stderr;
}
