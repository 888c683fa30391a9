/**
 * Reference runs for the course server: the diagrams' reference traces and the terminal's
 * `sim --reference`. The lab's own reference implementation runs through the same module maps the
 * in-browser worker uses, in this process (it is the course's code, not the learner's, so it needs
 * no sandbox). One module map per lab, built on first use; each run gets fresh module instances.
 */
import { readLab, runModules } from '../lib/workbench/lab-data.ts';
import { transpile } from '../lib/workbench/transpile.ts';
import { WorkerGrader } from '../lib/workbench/worker-grade.ts';
import { labMeta, type LabMeta } from '../../labs/kit/definition.ts';
import { checkSimWire, simToWire, simulate, type SimRequest, type SimWireReply } from '../../labs/kit/sim.ts';
import type { ReferenceTracer } from './course-server.ts';

export interface ReferenceRuns {
  trace: ReferenceTracer;
  sim(lab: string, request: SimRequest): Promise<SimWireReply>;
}

export function createReferenceRuns(): ReferenceRuns {
  const graders = new Map<string, { grader: WorkerGrader; lab: LabMeta }>();
  const entryFor = (slug: string) => {
    let entry = graders.get(slug);
    if (!entry) {
      const def = readLab(slug);
      const grader = new WorkerGrader(transpile);
      grader.addModules(runModules(slug, 'visible'));
      grader.addModules(runModules(slug, 'hidden'));
      entry = { grader, lab: labMeta(def) };
      graders.set(slug, entry);
    }
    return entry;
  };
  return {
    trace: async (slug, suite, test, seed) => {
      const entry = entryFor(slug);
      return entry.grader.referenceTrace(entry.lab, suite, test, seed);
    },
    sim: async (slug, request) => {
      const { grader, lab } = entryFor(slug);
      // The lab's reference stands behind its dispatchers, where a learner's copy would be.
      const reference = grader.modules.referenceOverrides(lab.files);
      if ('missing' in reference) return { ok: false, error: `the reference of ${reference.missing} is missing from this server's build of the lab` };
      // Bounded as a learner's sim is, so the answer's size does not depend on who ran it.
      const reply = checkSimWire(simToWire(simulate(grader.modules.instantiate(reference.overrides), { ...request, reference: true })));
      return typeof reply === 'string' ? { ok: false, error: reply } : reply;
    },
  };
}

export function createReferenceTracer(): ReferenceTracer {
  return createReferenceRuns().trace;
}
