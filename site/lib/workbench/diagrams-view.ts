/**
 * The learner's run of the first failing test beside the reference run of the same test and seed,
 * with the first difference named above them. Everything is computed first and swapped in whole,
 * so the panes never show empty while the figures module and the reference run load.
 */
import { firstFailure, type ResultsDocument } from './results.ts';
import { traceDivergence } from './divergence.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

export type ReferenceTrace = (doc: ResultsDocument, test: string, seed: number) => Promise<TraceEvent[] | null>;

export function createDiagrams(section: HTMLElement, referenceTrace: ReferenceTrace): (doc: ResultsDocument) => Promise<void> {
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
    const learnerRun = runFromTrace(learnerTrace, `your run of “${failing.name}”`, failing.seed);
    const reference = await referenceTrace(doc, failing.name, failing.seed);
    if (drawing !== drawn) return; // a newer result is being drawn
    const referenceRun = reference ? runFromTrace(reference, `reference run of “${failing.name}”`, failing.seed) : null;
    const divergence = reference ? traceDivergence(learnerTrace, reference) : null;
    const mine = document.createElement('div');
    const theirs = document.createElement('div');
    if (learnerRun) mine.innerHTML = renderSequence(learnerRun, { highlightSegmentId: divergence?.learnerId ?? undefined });
    else mine.textContent = 'Your run sent no segment between two hosts.';
    if (referenceRun) theirs.innerHTML = renderSequence(referenceRun, { highlightSegmentId: divergence?.referenceId ?? undefined });
    else theirs.textContent = 'The reference run of this test is not available here.';
    pane('[data-diagram="learner"]').replaceChildren(...mine.childNodes);
    pane('[data-diagram="reference"]').replaceChildren(...theirs.childNodes);
    pane('[data-divergence]').textContent = divergence
      ? divergence.text
      : reference
        ? 'Your run and the reference send exactly the same segments (every field, every time); the difference is in a state or timing check (see the steps).'
        : '';
    section.hidden = false;
  };
}
