/**
 * Authoring check: a constant or empty implementation of any task scores 0 for that task. For
 * each task of each ready lab, every region of the task gets the same trivial body (empty, or
 * `return` undefined / null / false / true / 0 / the first argument / a constant the reference
 * returns somewhere in the task: labs/kit/regions.ts doNothingStubs) while the other tasks keep
 * the reference. A test such a version passes must be a guard (labs/kit/scoring.ts): it then
 * counts only as far as the task's behaviour tests pass, and none of them may pass here.
 */
import { describe, expect, it, vi } from 'vitest';
import { LAB_SLUGS } from '../kit/definition.ts';
import { doNothingStubs } from '../kit/regions.ts';
import { loadTree } from '../kit/node/inprocess.ts';
import { loadLab, referenceFiles } from '../kit/node/repo.ts';

// Each check loads a run tree or runs the type checker: on a busy two-core machine that alone
// can pass vitest's default 30 s.
vi.setConfig({ testTimeout: 180_000 });

describe.each(LAB_SLUGS)('lab %s', (slug) => {
  const def = loadLab(slug);
  if (def.status === 'draft') return;
  const file = def.files[0];
  const reference = referenceFiles(def);
  const cases = def.tasks.flatMap((task) => doNothingStubs(reference.get(file)!, file, slug, task.id).map((stub) => [task.id, stub.name, stub.text] as const));

  it.each(cases)('task %i with "%s" in every region scores 0 for that task', async (task, name, text) => {
    const files = new Map(reference);
    files.set(file, text);
    const tree = await loadTree(def, files, 'hidden', `do-nothing-${task}`);
    try {
      const doc = tree.run(1);
      const result = doc.tasks.find((t) => t.id === task)!;
      const passing = doc.tests.filter((t) => t.task_id === task && t.status === 'pass').map((t) => t.name);
      expect(result.points, `task ${task} with "${name}" earns points; tests it passes:\n${passing.join('\n')}`).toBe(0);
    } finally {
      tree.dispose();
    }
  });
});
