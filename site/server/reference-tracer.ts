/**
 * Reference runs for the course server's diagrams: the lab's own reference implementation run
 * through the same module maps the in-browser worker uses, in this process (it is the course's
 * code, not the learner's, so it needs no sandbox). One grader per lab, built on first use.
 */
import { readLab, runModules } from '../lib/workbench/lab-data.ts';
import { transpile } from '../lib/workbench/transpile.ts';
import { WorkerGrader } from '../lib/workbench/worker-grade.ts';
import { labMeta, type LabMeta } from '../../labs/kit/definition.ts';
import type { ReferenceTracer } from './course-server.ts';

export function createReferenceTracer(): ReferenceTracer {
  const graders = new Map<string, { grader: WorkerGrader; lab: LabMeta }>();
  return async (slug, suite, test, seed) => {
    let entry = graders.get(slug);
    if (!entry) {
      const def = readLab(slug);
      const grader = new WorkerGrader(transpile);
      grader.addModules(runModules(slug, 'visible'));
      grader.addModules(runModules(slug, 'hidden'));
      entry = { grader, lab: labMeta(def) };
      graders.set(slug, entry);
    }
    return entry.grader.referenceTrace(entry.lab, suite, test, seed);
  };
}
