/**
 * The learner's run of the first failing test beside the reference run of the same test and seed,
 * with the first difference named above them. Everything is computed first and swapped in whole,
 * so the panes never show empty while the figures module and the reference run load.
 */
import { firstFailure, type ResultsDocument } from './results.ts';
import { traceDivergence } from './divergence.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export type ReferenceTrace = (doc: ResultsDocument, test: string, seed: number) => Promise<TraceEvent[] | null>;

export function createDiagrams(section: HTMLElement, referenceTrace: ReferenceTrace, t: WorkbenchStrings = WORKBENCH_EN): (doc: ResultsDocument) => Promise<void> {
  const pane = (selector: string): HTMLElement => section.querySelector<HTMLElement>(selector)!;
  let drawn = 0;
  return async (doc) => {
    const drawing = ++drawn;
    const failing = firstFailure(doc);
    const learnerTrace = failing?.trace_ref ? doc.traces[failing.trace_ref] : undefined;
    if (!failing || !learnerTrace) {
      section.hidden = true;
      return;
    }
    const [{ renderSequence }, { runFromTrace }] = await Promise.all([import('../figures/index.ts'), import('./trace-run.ts')]);
    const learnerRun = runFromTrace(learnerTrace, t.yourRunOf(failing.name), failing.seed);
    const reference = await referenceTrace(doc, failing.name, failing.seed);
    if (drawing !== drawn) return; // a newer result is being drawn
    const referenceRun = reference ? runFromTrace(reference, t.referenceRunOf(failing.name), failing.seed) : null;
    const divergence = reference ? traceDivergence(learnerTrace, reference, t) : null;
    const mine = document.createElement('div');
    const theirs = document.createElement('div');
    if (learnerRun) mine.innerHTML = renderSequence(learnerRun, { highlightSegmentId: divergence?.learnerId ?? undefined });
    else mine.textContent = t.noLearnerSegments;
    if (referenceRun) theirs.innerHTML = renderSequence(referenceRun, { highlightSegmentId: divergence?.referenceId ?? undefined });
    else theirs.textContent = t.referenceUnavailable;
    pane('[data-diagram="learner"]').replaceChildren(...mine.childNodes);
    pane('[data-diagram="reference"]').replaceChildren(...theirs.childNodes);
    pane('[data-divergence]').textContent = divergence
      ? divergence.text
      : reference
        ? t.sameSegments
        : '';
    section.hidden = false;
  };
}
