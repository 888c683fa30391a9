import { describe, expect, it } from 'vitest';
import { displayText, labExists, workspace, runModules, solution } from '../../lib/workbench/lab-data.ts';
import { runFromTrace, lanesOf } from '../../lib/workbench/trace-run.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

describe.runIf(labExists('handshake'))('the workspace the editor shows (handshake)', () => {
  const ws = workspace('handshake');
  const byPath = new Map(ws.files.map((f) => [f.path, f]));

  it('makes only the lab file editable, and shows it as the starter', () => {
    expect(ws.files.filter((f) => f.editable).map((f) => f.path)).toEqual(['stack/core/tcp/handshake.ts']);
    expect(byPath.get('stack/core/tcp/handshake.ts')?.text).toBe(ws.starters['stack/core/tcp/handshake.ts']);
    expect(ws.starters['stack/core/tcp/handshake.ts']).not.toBe(solution('handshake')['stack/core/tcp/handshake.ts']);
  });

  it('shows what the visible tests import, and never the hidden tests', () => {
    expect(byPath.has('labs/handshake/visible.test.ts')).toBe(true);
    expect(byPath.has('labs/handshake/hidden.test.ts')).toBe(false);
    expect(byPath.has('labs/kit/registry.ts')).toBe(true);
    expect(byPath.has('stack/testing/harness.ts')).toBe(true);
    expect([...byPath.keys()].some((p) => p.startsWith('labs/kit/node/'))).toBe(false);
  });

  it("never shows another lab's answers in its read-only files", () => {
    // Lab regions live in the stack's core files (the kit's own docs quote the marker syntax).
    for (const file of ws.files.filter((f) => f.path.startsWith('stack/core/'))) {
      expect(file.text, file.path).not.toMatch(/\/\/ #region lab [a-z-]+\/\d+[^\n]*\n(?!\s*(return )?notImplemented\()/);
    }
  });

  it('withholds the hidden tests from the visible module map', () => {
    expect(Object.keys(runModules('handshake', 'visible'))).not.toContain('labs/handshake/hidden.test.ts');
    expect(Object.keys(runModules('handshake', 'hidden'))).toEqual(['labs/handshake/hidden.test.ts']);
    expect(Object.keys(runModules('handshake', 'visible'))).not.toContain('stack/core/tcp/handshake.learner.ts');
  });
});

describe('displayText', () => {
  it('stubs every lab region of a file, whichever lab is open', () => {
    const text = [
      "import { notImplemented } from './not-implemented.ts';",
      'export function a(): number {',
      '  // #region lab queues/1 Count',
      '  return 42;',
      '  // #endregion',
      '}',
    ].join('\n');
    const shown = displayText('stack/core/tcp/x.ts', text);
    expect(shown).not.toContain('return 42');
    expect(shown).toContain("return notImplemented('queues/1: Count');");
  });
});

describe('runFromTrace', () => {
  const seg = (id: number, from: string, to: string, t: number): TraceEvent => ({
    kind: 'segment', id, t, arriveAt: t + 5, fate: 'delivered', from, to, src: `${from === 'host' ? '10.0.0.2' : '10.0.0.1'}:80`, dst: '', flags: 'S', seq: 0, ack: 0, relSeq: 0, relAck: 0, len: 0, win: 0, options: [],
  });
  it('draws the first sender on the left and reads the hosts from the segments', () => {
    const run = runFromTrace([seg(1, 'host', 'peer', 0), seg(2, 'peer', 'host', 5)], 'x', 3)!;
    expect(run.info.lanes).toEqual(['host', 'peer']);
    expect(run.hosts).toEqual([{ name: 'host', addr: '10.0.0.2' }, { name: 'peer', addr: '10.0.0.1' }]);
    expect(run.endTime).toBe(10);
    expect(lanesOf([])).toBeNull();
    expect(runFromTrace([], 'x', 1)).toBeNull();
  });
});
