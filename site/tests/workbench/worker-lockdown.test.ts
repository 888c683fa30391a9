// The in-browser worker's SES lockdown (worker-lockdown.ts): learner code cannot replace a shared
// intrinsic to forge its results, nor reach the kit. Each mode runs in its own Node process,
// since lockdown() cannot be undone; `plain` shows the same submissions do forge without it.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

type Outcome = Record<string, { status: string; points: number; message: string | null; stringifyIntact: boolean }>;

function grade(mode: 'ses' | 'plain'): Outcome {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'site/tests/workbench/worker-lockdown-run.ts', mode], { encoding: 'utf8', timeout: 170_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Outcome;
}

describe('SES in the in-browser worker', { timeout: 180_000 }, () => {
  it('without lockdown, a starter that replaces Math.round or reaches the kit forges its score (what lockdown is for)', () => {
    const plain = grade('plain');
    expect(plain.reference).toMatchObject({ status: 'pass', points: 100 });
    expect(plain.forgedRound.points).toBe(100);
    expect(plain.forgedStringify.stringifyIntact).toBe(false);
    expect(plain.kitImport).toMatchObject({ status: 'pass', points: 100 });
  });

  it('locked down: the reference still scores 100; replacing a built-in or importing the kit fails the run and forges nothing', () => {
    const ses = grade('ses');
    expect(ses.reference).toMatchObject({ status: 'pass', points: 100 });
    expect(ses.forgedRound).toMatchObject({ status: 'error', points: 0 });
    expect(ses.forgedRound.message).toMatch(/read only property 'round'/);
    expect(ses.forgedStringify).toMatchObject({ status: 'error', points: 0, stringifyIntact: true });
    expect(ses.kitImport).toMatchObject({ status: 'error', points: 0 });
    expect(ses.kitImport.message).toContain('lab code may not import "../../../labs/kit/side.ts": only modules of the stack core');
  });
});
