/**
 * Task isolation (an authoring check beside ./authoring.test.ts): for each task, a tree in which
 * ONLY that task's regions are stubs. Every hidden test of the task must fail naming it ("not
 * implemented yet: <slug>/<task>: …"), which proves the test exercises that task's code; every
 * other test must still pass, unless its task calls the stubbed task's function from the lab
 * file itself (onFin → enterTimeWait, onKeepaliveTimer → keepaliveTime). Those dependencies are
 * declared below, so a new, accidental one — a TIME_WAIT test that needs the learner's close() —
 * fails here instead of surprising a learner who does the tasks in another order.
 */
import { describe, expect, it, vi } from 'vitest';
import { makeStarter } from '../kit/regions.ts';
import { loadTree } from '../kit/node/inprocess.ts';
import { loadLab, referenceFiles } from '../kit/node/repo.ts';

// Each check loads a run tree or runs the type checker: on a busy two-core machine that alone
// can pass vitest's default 30 s.
vi.setConfig({ testTimeout: 180_000 });

/** lab → task → the tasks whose code its tests may reach through the lab file's own calls. */
const DEPENDS: Record<string, Record<number, number[]>> = {
  // close() in FIN_WAIT_2 and the ACK of an orphan's FIN arm the orphan timer (task 4); the FIN
  // and the ACK of our FIN that end in TIME_WAIT arm its timer (task 3).
  teardown: { 1: [4], 2: [3, 4], 3: [], 4: [3] },
  // The timer reads the knobs (task 1) and sends the probe (task 2).
  keepalive: { 1: [], 2: [], 3: [1, 2] },
};

/** `text` with only task `task`'s regions of lab `slug` reduced to stubs (others become plain regions). */
function starterOfOneTask(text: string, file: string, slug: string, task: number): string {
  const others = new RegExp(`(//\\s*#region\\s+)lab(\\s+${slug}/(?!${task}\\b)\\d+\\b)`, 'g');
  return makeStarter(text.replace(others, '$1kept$2'), file, slug);
}

describe.each(Object.keys(DEPENDS))('lab %s: each task alone', (slug) => {
  const def = loadLab(slug);
  const file = def.files[0];
  const reference = referenceFiles(def).get(file)!;

  it.each(def.tasks.map((t) => [t.id, t.title] as const))('task %i (%s) stubbed: its tests fail naming it, the others pass unless declared dependent', async (task) => {
    const text = starterOfOneTask(reference, file, slug, task);
    expect(text).toContain(`notImplemented('${slug}/${task}: `);
    expect(text).not.toMatch(new RegExp(`notImplemented\\('${slug}/(?!${task}:)`));
    const tree = await loadTree(def, new Map([[file, text]]), 'hidden', `isolate-${task}`);
    try {
      const doc = tree.run(1);
      const problems: string[] = [];
      for (const t of doc.tests) {
        if (t.task_id === task) {
          if (t.status === 'pass' || !t.message?.includes(`${slug}/${task}: `)) problems.push(`own test "${t.name}" should fail naming ${slug}/${task}, but: ${t.status} ${t.message ?? ''}`);
        } else if (t.status !== 'pass') {
          const allowed = DEPENDS[slug][t.task_id]?.includes(task);
          if (!allowed) problems.push(`task ${t.task_id} test "${t.name}" fails while only task ${task} is unfinished: ${t.message}`);
          else if (!t.message?.includes(`${slug}/${task}: `)) problems.push(`task ${t.task_id} test "${t.name}" depends on task ${task} but fails for another reason: ${t.message}`);
        }
      }
      expect(problems).toEqual([]);
    } finally {
      tree.dispose();
    }
  });
});
