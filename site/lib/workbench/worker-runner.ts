/**
 * The in-browser worker runner, page side: one warm worker per tab, replaced after a run that
 * overstays its time limit. Works offline, on Safari/iOS and without cross-origin isolation.
 */
import { errorResults, acceptResults, type ResultsDocument } from './results.ts';
import type { Availability, RunRequest, Runner } from './runner.ts';
import type { LabMeta } from '../../../labs/kit/definition.ts';
import type { WorkerMessage, WorkerReply } from './run-worker.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';
import type { ScenarioListing, SimReply, SimRequest } from './sim-run.ts';

/** The part of `Worker` the runner uses, so tests can hand it a fake. */
export interface WorkerLike {
  postMessage(message: WorkerMessage): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<WorkerReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export interface WorkerRunnerOptions {
  lab: LabMeta;
  createWorker: () => WorkerLike;
  /** Module maps (lab-data.ts runModules) per suite. */
  moduleUrls: { visible: string; hidden: string };
  /** A run longer than this is stopped and reported as out of time. */
  timeLimitMs?: number;
}

export const DEFAULT_TIME_LIMIT_MS = 10_000;

export class WorkerRunner implements Runner {
  readonly kind = 'worker' as const;
  readonly label = 'in-browser worker';
  private worker: WorkerLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: WorkerReply & { type: 'result' }) => void>();
  private readonly pendingReference = new Map<number, (trace: TraceEvent[] | null) => void>();
  private readonly pendingShell = new Map<number, (reply: WorkerReply & { type: 'sim' | 'scenarios' }) => void>();
  /** Time spent in the last run, for the benchmark and the status line. */
  lastTimings: { loadMs: number; gradeMs: number; totalMs: number } | null = null;

  constructor(private readonly options: WorkerRunnerOptions) {}

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.options.createWorker();
    worker.onmessage = (event) => {
      const reply = event.data;
      if (reply.type === 'reference') {
        this.pendingReference.get(reply.id)?.(reply.trace);
        this.pendingReference.delete(reply.id);
        return;
      }
      if (reply.type === 'sim' || reply.type === 'scenarios') {
        this.pendingShell.get(reply.id)?.(reply);
        this.pendingShell.delete(reply.id);
        return;
      }
      if (reply.type !== 'result') return;
      const resolve = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      resolve?.(reply);
    };
    worker.onerror = (event) => {
      // An error escaping the worker's handler (not a failing test: those come back as results).
      const message = event.message || 'the worker stopped unexpectedly';
      for (const [id, resolve] of this.pending) {
        resolve({ type: 'result', id, doc: errorResults(this.options.lab.slug, 'visible', message), timings: { loadMs: 0, gradeMs: 0 } });
      }
      this.pending.clear();
      this.replaceWorker();
    };
    this.worker = worker;
    return worker;
  }

  private replaceWorker(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  /** Loads the compiler and the visible modules ahead of the first Run. */
  warm(): Promise<Availability> {
    const worker = this.ensureWorker();
    return new Promise((resolve) => {
      const previous = worker.onmessage;
      worker.onmessage = (event) => {
        if (event.data.type !== 'warm') return previous?.call(worker as never, event);
        worker.onmessage = previous;
        resolve(event.data.ok ? { ok: true, runner: this } : { ok: false, reason: event.data.message ?? 'the worker could not load the lab' });
      };
      worker.postMessage({ type: 'warm', moduleUrls: [this.options.moduleUrls.visible] });
    });
  }

  run(request: RunRequest): Promise<ResultsDocument> {
    const { lab, timeLimitMs = DEFAULT_TIME_LIMIT_MS } = this.options;
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const started = performance.now();
    const moduleUrls = request.suite === 'hidden' ? [this.options.moduleUrls.visible, this.options.moduleUrls.hidden] : [this.options.moduleUrls.visible];
    return new Promise<ResultsDocument>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.replaceWorker();
        resolve(
          errorResults(
            lab.slug,
            request.suite,
            `The run took longer than ${timeLimitMs / 1000} s and was stopped. Look for a loop that never ends in your code (the simulator's own clock cannot run away: the kit stops a test after too many events).`,
          ),
        );
      }, timeLimitMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        this.lastTimings = { ...reply.timings, totalMs: performance.now() - started };
        resolve(acceptResults(reply.doc, lab.slug, request.suite));
      });
      worker.postMessage({
        type: 'run',
        id,
        moduleUrls,
        request: { lab, suite: request.suite, files: request.files },
      });
    });
  }

  /**
   * The reference implementation's trace for a test of the suite (same seed), for the diagram
   * beside the learner's run; null when that suite's tests are not in this browser or the lab is
   * not the one this worker was made for.
   */
  referenceTrace(lab: string, suite: 'visible' | 'hidden', test: string, seed: number): Promise<TraceEvent[] | null> {
    if (lab !== this.options.lab.slug) return Promise.resolve(null);
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const moduleUrls = suite === 'hidden' ? [this.options.moduleUrls.visible, this.options.moduleUrls.hidden] : [this.options.moduleUrls.visible];
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingReference.delete(id);
        resolve(null);
      }, this.options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
      this.pendingReference.set(id, (trace) => {
        clearTimeout(timer);
        resolve(trace);
      });
      worker.postMessage({ type: 'reference', id, moduleUrls, lab: this.options.lab, suite, test, seed });
    });
  }

  /**
   * Runs a scenario for the terminal's `sim` on the stack with the learner's files in place; a
   * learner loop that never ends is stopped like a test run's (the worker is replaced).
   */
  sim(request: SimRequest, files: Record<string, string>): Promise<SimReply> {
    const { lab, timeLimitMs = DEFAULT_TIME_LIMIT_MS } = this.options;
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingShell.delete(id);
        this.replaceWorker();
        resolve({ ok: false, error: `the run took longer than ${timeLimitMs / 1000} s and was stopped — look for a loop that never ends in your code` });
      }, timeLimitMs);
      this.pendingShell.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply.type === 'sim' ? reply.reply : { ok: false, error: 'the worker answered something else' });
      });
      worker.postMessage({ type: 'sim', id, moduleUrls: [this.options.moduleUrls.visible], lab, files, request });
    });
  }

  /** The scenarios `sim` knows, from the stack the worker holds. */
  scenarios(): Promise<ScenarioListing[]> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pendingShell.set(id, (reply) => resolve(reply.type === 'scenarios' ? reply.scenarios : []));
      worker.postMessage({ type: 'scenarios', id, moduleUrls: [this.options.moduleUrls.visible], lab: this.options.lab });
    });
  }

  dispose(): void {
    this.replaceWorker();
    this.pending.clear();
  }
}
