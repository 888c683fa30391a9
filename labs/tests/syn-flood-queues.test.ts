/**
 * Checks of the syn-flood and queues labs beyond the common authoring checks: partial work is
 * graded per task (a learner who finished only task N passes exactly task N's tests, so an
 * end-to-end test of a later task never fails because an earlier task is unfinished), and the
 * starter's failures each name the test's own task. Also the kit's withReferenceFor, which makes
 * that possible.
 */
import { describe, expect, it, vi } from 'vitest';
import { labSide, withReferenceFor } from '../kit/side.ts';
import { parseRegions } from '../kit/regions.ts';
import { loadTree } from '../kit/node/inprocess.ts';
import { loadLab, referenceFiles, starterFiles } from '../kit/node/repo.ts';
import type { LabDefinition } from '../kit/definition.ts';

// Each check loads a run tree or runs the type checker: on a busy two-core machine that alone
// can pass vitest's default 30 s.
vi.setConfig({ testTimeout: 180_000 });

describe('withReferenceFor', () => {
  it('routes the named functions to the reference while fn runs, and only then', () => {
    expect(labSide.referenceOnly.size).toBe(0);
    const inside = withReferenceFor(['mssIndex', 'encodeCookie'], () => [...labSide.referenceOnly].sort());
    expect(inside).toEqual(['encodeCookie', 'mssIndex']);
    expect(labSide.referenceOnly.size).toBe(0);
  });

  it('nests, and removes only what it added, even when fn throws', () => {
    expect(() =>
      withReferenceFor(['a'], () => {
        withReferenceFor(['a', 'b'], () => {
          expect([...labSide.referenceOnly].sort()).toEqual(['a', 'b']);
        });
        expect([...labSide.referenceOnly]).toEqual(['a']);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(labSide.referenceOnly.size).toBe(0);
  });
});

/** The lab file with the reference code in the regions of `done` tasks and the starter's stubs elsewhere. */
function partialFiles(def: LabDefinition, done: number[]): Map<string, string> {
  const file = def.files[0];
  const reference = referenceFiles(def).get(file)!;
  const starter = starterFiles(def).get(file)!;
  const refRegions = parseRegions(reference, file).filter((r) => r.slug === def.slug);
  const lines = starter.split('\n');
  const regions = parseRegions(starter, file).filter((r) => r.slug === def.slug);
  expect(regions.length).toBe(refRegions.length);
  for (let i = regions.length - 1; i >= 0; i--) {
    if (!done.includes(regions[i].task)) continue;
    lines.splice(regions[i].startLine, regions[i].endLine - regions[i].startLine - 1, ...refRegions[i].body);
  }
  return new Map([[file, lines.join('\n')]]);
}

async function hiddenRun(def: LabDefinition, files: Map<string, string>, label: string) {
  const tree = await loadTree(def, files, 'hidden', label);
  try {
    return tree.run(1);
  } finally {
    tree.dispose();
  }
}

// queues task 2 (admitSyn) calls the learner's own synQueueIsFull/acceptQueueIsFull inside the
// same file, so it is graded together with task 1.
const PARTIALS: Record<'syn-flood' | 'queues', number[][]> = {
  'syn-flood': [[1], [2], [3]],
  queues: [[1], [1, 2], [3]],
};

describe.each(['syn-flood', 'queues'] as const)('lab %s', (slug) => {
  const def = loadLab(slug);

  it('starter: every hidden test fails naming its own task', async () => {
    const doc = await hiddenRun(def, starterFiles(def), 'starter-own');
    for (const t of doc.tests) {
      expect(t.status, t.name).toBe('fail');
      expect(t.message, t.name).toContain(`not implemented yet: ${slug}/${t.task_id}: `);
    }
  });

  it.each(PARTIALS[slug].map((done) => [done.join('+'), done] as const))('tasks %s done, the rest stubbed: exactly those tasks pass', async (_label, done) => {
    const doc = await hiddenRun(def, partialFiles(def, done), `partial-${done.join('-')}`);
    for (const task of doc.tasks) {
      const failing = doc.tests.filter((t) => t.task_id === task.id && t.status !== 'pass').map((t) => `${t.name}: ${t.message}`);
      if (done.includes(task.id)) expect(failing, `task ${task.id} is done`).toEqual([]);
      else expect(task.status, `task ${task.id} is still a stub`).toBe('fail');
    }
  });
});
