/**
 * One interface, three runners (architecture.md, "Runners"): the local course server, a
 * WebContainer, and a Web Worker in the page. The page asks each in turn whether it can run here
 * and uses the first that can, and tells the learner which one is active and why the better ones
 * were passed over.
 */
import type { ResultsDocument, Suite } from './results.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';
import type { SimReply, SimRequest } from './sim-run.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export type RunnerKind = 'server' | 'webcontainer' | 'worker';

export interface RunRequest {
  lab: string;
  suite: Suite;
  /** The learner's copies, by repository path (e.g. "stack/core/tcp/handshake.ts"). */
  files: Record<string, string>;
}

export interface Runner {
  readonly kind: RunnerKind;
  /** Human name shown in the status line. */
  readonly label: string;
  run(request: RunRequest): Promise<ResultsDocument>;
  /**
   * The reference implementation's trace of one test (same seed), drawn beside the learner's run;
   * null when this runner cannot make it. A runner without it leaves the drawing to the worker.
   */
  referenceTrace?(lab: string, suite: Suite, test: string, seed: number): Promise<TraceEvent[] | null>;
  /**
   * The reference solution, from a runner that keeps it away from the page (the course server
   * checks the reveal policy itself). A runner without it means the page may fetch the build's copy.
   */
  solution?(lab: string, files: Record<string, string>): Promise<{ solution: Record<string, string> } | { refused: string }>;
  /** The course server gives every solution to anyone now (--solutions open, or the instructor's switch). */
  readonly solutionsOpen?: boolean;
  /** Asks the server again whether the solutions are open (the switch may have been used since). */
  checkSolutionsOpen?(): Promise<boolean>;
  /**
   * The terminal's `sim` where this runner runs it rather than the page's worker (the course server:
   * the page's stack there has every lab's regions stubbed).
   */
  simulate?(lab: string, request: SimRequest, files: Record<string, string>): Promise<SimReply>;
  /** Frees what the runner holds (worker, container process). */
  dispose(): void;
}

/** What probing a runner found: usable, or why not (shown to the learner). */
export type Availability = { ok: true; runner: Runner; note?: string } | { ok: false; reason: string };

export interface RunnerCandidate {
  kind: RunnerKind;
  probe(): Promise<Availability>;
}

export interface RunnerChoice {
  runner: Runner | null;
  /** Why each earlier candidate was not used, in order. */
  skipped: Array<{ kind: RunnerKind; reason: string }>;
  /** One sentence for the status line: which runner and why. */
  explanation: string;
}

/** The status line while a candidate is being tried (the WebContainer boot is the slow one); the page's own edition is site/i18n/workbench.ts `trying`. */
export const TRYING: Record<RunnerKind, string> = WORKBENCH_EN.trying;

export const RUNNER_LABELS: Record<RunnerKind, string> = WORKBENCH_EN.runnerLabels;

/**
 * Tries candidates in order. A probe that throws counts as "not available" with its message,
 * never as a page crash; a probe that hangs is the candidate's own business (each wraps its
 * slow step — the WebContainer boot — in a timeout).
 */
export async function chooseRunner(candidates: RunnerCandidate[], onTrying?: (kind: RunnerKind) => void, t: WorkbenchStrings = WORKBENCH_EN): Promise<RunnerChoice> {
  const skipped: RunnerChoice['skipped'] = [];
  // The reasons and notes are the runners' own English sentences; the edition reads them its way.
  const why = (): string[] => skipped.map((s) => t.skippedRunner(t.runnerLabels[s.kind], t.runnerText(s.reason)));
  for (const candidate of candidates) {
    onTrying?.(candidate.kind);
    let availability: Availability;
    try {
      availability = await candidate.probe();
    } catch (error) {
      availability = { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
    if (availability.ok) {
      const note = availability.note ? t.runnerText(availability.note) : '';
      return { runner: availability.runner, skipped, explanation: t.testsRunIn(t.runnerLabels[candidate.kind], note, why()) };
    }
    skipped.push({ kind: candidate.kind, reason: availability.reason });
  }
  return { runner: null, skipped, explanation: t.noRunner(why()) };
}

/** `?runner=worker` (or server, webcontainer) pins one runner; `auto` or nothing tries all. */
export function runnerOrder(search: string): RunnerKind[] {
  const wanted = new URLSearchParams(search).get('runner');
  const all: RunnerKind[] = ['server', 'webcontainer', 'worker'];
  if (wanted && (all as string[]).includes(wanted)) return [wanted as RunnerKind];
  return all;
}

/** Races a promise against a timer; the message names what took too long. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
