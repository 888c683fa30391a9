import { describe, expect, it } from 'vitest';
import { chooseRunner, runnerOrder, TRYING, withTimeout, type Runner } from '../../lib/workbench/runner.ts';

const fakeRunner = (kind: Runner['kind']): Runner => ({ kind, label: kind, run: async () => { throw new Error('unused'); }, dispose() {} });

describe('chooseRunner', () => {
  it('takes the first available runner and says why earlier ones were skipped', async () => {
    const choice = await chooseRunner([
      { kind: 'server', probe: async () => ({ ok: false, reason: 'no course server answered /api/health' }) },
      { kind: 'webcontainer', probe: async () => { throw new Error('boot did not finish within 20 s'); } },
      { kind: 'worker', probe: async () => ({ ok: true, runner: fakeRunner('worker') }) },
    ]);
    expect(choice.runner?.kind).toBe('worker');
    expect(choice.skipped.map((s) => s.kind)).toEqual(['server', 'webcontainer']);
    expect(choice.explanation).toContain('in-browser worker');
    expect(choice.explanation).toContain('boot did not finish within 20 s');
  });

  it('says which candidate it is trying, in order, stopping at the first that works', async () => {
    const tried: string[] = [];
    await chooseRunner(
      [
        { kind: 'server', probe: async () => ({ ok: false, reason: 'static host' }) },
        { kind: 'webcontainer', probe: async () => ({ ok: true, runner: fakeRunner('webcontainer') }) },
        { kind: 'worker', probe: async () => ({ ok: true, runner: fakeRunner('worker') }) },
      ],
      (kind) => tried.push(kind),
    );
    expect(tried).toEqual(['server', 'webcontainer']);
    expect(TRYING.webcontainer).toMatch(/up to 20 s.*in-browser worker takes over/);
  });

  it('reports every reason when nothing is available', async () => {
    const choice = await chooseRunner([{ kind: 'worker', probe: async () => ({ ok: false, reason: 'Web Workers are unavailable' }) }]);
    expect(choice.runner).toBeNull();
    expect(choice.explanation).toMatch(/No runner is available: in-browser worker: Web Workers are unavailable/);
  });
});

describe('runnerOrder and withTimeout', () => {
  it('pins a runner from the query string and ignores unknown names', () => {
    expect(runnerOrder('?runner=worker')).toEqual(['worker']);
    expect(runnerOrder('?runner=bogus')).toEqual(['server', 'webcontainer', 'worker']);
    expect(runnerOrder('')).toEqual(['server', 'webcontainer', 'worker']);
  });
  it('rejects with a message naming the slow step', async () => {
    await expect(withTimeout(new Promise(() => {}), 20, 'WebContainer boot')).rejects.toThrow('WebContainer boot did not finish within 0 s');
    await expect(withTimeout(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
  });
});
