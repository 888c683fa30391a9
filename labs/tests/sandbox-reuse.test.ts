/**
 * One sandboxed child serves several Submits (labs/kit/node/child.ts, sandbox.ts settle): each job
 * runs in fresh module instances, so nothing a learner's code did to the stack reaches the next
 * learner, and a child is given another job only after it says it is idle — a learner whose
 * promise jobs never end costs the next learner nothing.
 */
import { describe, expect, it } from 'vitest';
import { prewarm, runSandboxed, warmPool } from '../kit/node/sandbox.ts';
import { appended, def, inIsn, reference, withFile } from './attack-cases.ts';

const OPTIONS = { timeoutSeconds: 7 } as const;

/** The pool's children once the last job's child has settled back (or was replaced). */
async function settled(jobsAtLeast: number): Promise<Array<{ pid: number; jobs: number }>> {
  for (let i = 0; i < 100; i++) {
    const warm = warmPool(def, 'hidden', OPTIONS);
    if (warm.some((c) => c.jobs >= jobsAtLeast)) return warm;
    await new Promise((r) => setTimeout(r, 100));
  }
  return warmPool(def, 'hidden', OPTIONS);
}

describe('a grading child serves one job after another in fresh module state', () => {
  it('a learner who sabotages a stack class leaves the next learner in the same child a clean stack', async () => {
    const sabotage = appended(reference, `import { Host as SabotagedHost } from '../host.ts';
(SabotagedHost.prototype as any).output = function () {};`);
    const a = await runSandboxed(def, withFile(sabotage), 'hidden', { ...OPTIONS, skipTypeCheck: true });
    // Every segment vanished for the saboteur's own run.
    expect(a.score.points).toBeLessThan(50);
    const [afterA] = await settled(1);
    expect(afterA).toBeDefined();
    const b = await runSandboxed(def, withFile(reference), 'hidden', { ...OPTIONS, skipTypeCheck: true });
    expect(b.score).toEqual({ points: 100, max: 100 });
    const [afterB] = await settled(afterA.jobs + 1);
    // The same process graded both.
    expect(afterB.pid).toBe(afterA.pid);
  }, 120_000);

  it('refuses a change to what a stack module exports, in words, and the child serves on', async () => {
    const rebind = appended(reference, `import * as connectionModule from './connection.ts';
(connectionModule as any).ADV_MSS = 536;`);
    const doc = await runSandboxed(def, withFile(rebind), 'hidden', { ...OPTIONS, skipTypeCheck: true });
    expect(doc.status).toBe('error');
    expect(doc.message).toContain('lab code may read what stack/core/tcp/connection.ts exports but not change it (it tried to change "ADV_MSS")');
    const next = await runSandboxed(def, withFile(reference), 'hidden', { ...OPTIONS, skipTypeCheck: true });
    expect(next.score).toEqual({ points: 100, max: 100 });
  }, 120_000);

  it('a child whose learner left promise jobs running is not given the next job', async () => {
    // Started inside a test; the promise jobs run once the results are out, one queuing the next
    // (no growing chain: the child stays alive and busy, it does not run out of memory).
    const spinner = inIsn(reference, `if (!(globalThis as any).spinning) { (globalThis as any).spinning = true; const spin = (): void => { void Promise.resolve().then(spin); }; spin(); }`);
    // A pool of its own (another time limit is another pool key), holding one warm child: the
    // spinner's job goes to it.
    const own = { timeoutSeconds: 8 } as const;
    prewarm(def, 'hidden', own);
    let waiting: Array<{ pid: number }> = [];
    for (let i = 0; i < 200 && (waiting = warmPool(def, 'hidden', own)).length !== 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(waiting).toHaveLength(1);
    const spinnerPid = waiting[0].pid;
    const a = await runSandboxed(def, withFile(spinner), 'hidden', { ...own, skipTypeCheck: true });
    // The spinner's own answer is whole: the chain began after the tests.
    expect(a.score).toEqual({ points: 100, max: 100 });
    const started = Date.now();
    const b = await runSandboxed(def, withFile(reference), 'hidden', { ...own, skipTypeCheck: true });
    expect(b.score).toEqual({ points: 100, max: 100 });
    expect(Date.now() - started).toBeLessThan(6_000);
    // The spinner's child never said it was idle: within the idle limit it is killed, never back in the pool.
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 50 && alive(spinnerPid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(spinnerPid)).toBe(false);
    expect(warmPool(def, 'hidden', own).some((c) => c.pid === spinnerPid)).toBe(false);
  }, 120_000);
});
