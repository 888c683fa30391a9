/// <reference lib="webworker" />
/**
 * The in-browser worker runner's worker. It holds the compiled lab modules between runs so a warm
 * Submit only transpiles the learner's changed file (transpile.ts, bundled in); the page
 * terminates the whole worker when a run exceeds its time limit (a `while (true)` in learner code
 * cannot be interrupted any other way without freezing the page).
 */
import { WorkerGrader, type GradeRequest } from './worker-grade.ts';
import { transpile } from './transpile.ts';
import type { ResultsDocument } from './results.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

export type WorkerMessage =
  | { type: 'warm'; moduleUrls: string[] }
  | { type: 'run'; id: number; moduleUrls: string[]; request: GradeRequest }
  | { type: 'reference'; id: number; moduleUrls: string[]; lab: GradeRequest['lab']; suite: GradeRequest['suite']; test: string; seed: number };

export type WorkerReply =
  | { type: 'warm'; ok: boolean; message?: string }
  | { type: 'result'; id: number; doc: ResultsDocument; timings: { loadMs: number; gradeMs: number } }
  | { type: 'reference'; id: number; trace: TraceEvent[] | null; message?: string };

const moduleLoads = new Map<string, Promise<void>>();

const grader = new WorkerGrader(transpile);

function loadModules(url: string): Promise<void> {
  let load = moduleLoads.get(url);
  if (!load) {
    load = fetch(url)
      .then((response) => {
        if (response.status === 403 || response.status === 404) throw new Error(`${url} is not served here (HTTP ${response.status})`);
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return response.json() as Promise<Record<string, string>>;
      })
      .then((sources) => grader.addModules(sources))
      .catch((error) => {
        moduleLoads.delete(url);
        throw error;
      });
    moduleLoads.set(url, load);
  }
  return load;
}

async function prepare(moduleUrls: string[]): Promise<void> {
  await Promise.all(moduleUrls.map(loadModules));
}

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<WorkerMessage>) => {
  const message = event.data;
  if (message.type === 'warm') {
    try {
      await prepare(message.moduleUrls);
      scope.postMessage({ type: 'warm', ok: true } satisfies WorkerReply);
    } catch (error) {
      scope.postMessage({ type: 'warm', ok: false, message: (error as Error).message } satisfies WorkerReply);
    }
    return;
  }
  if (message.type === 'reference') {
    try {
      await Promise.all(message.moduleUrls.map(loadModules));
      const trace = grader.referenceTrace(message.lab, message.suite, message.test, message.seed);
      scope.postMessage({ type: 'reference', id: message.id, trace } satisfies WorkerReply);
    } catch (error) {
      scope.postMessage({ type: 'reference', id: message.id, trace: null, message: (error as Error).message } satisfies WorkerReply);
    }
    return;
  }
  const started = performance.now();
  let doc: ResultsDocument;
  let loaded = started;
  try {
    await prepare(message.moduleUrls);
    loaded = performance.now();
    doc = grader.grade(message.request);
  } catch (error) {
    const { lab, suite } = message.request;
    doc = {
      version: 1, lab: lab.slug, suite, status: 'error', seed: message.request.seed ?? 1,
      score: { points: 0, max: lab.tasks.reduce((n, t) => n + t.points, 0) }, tasks: [], tests: [], traces: {},
      message: `The worker could not prepare the run: ${(error as Error).message}`,
    };
  }
  const reply: WorkerReply = { type: 'result', id: message.id, doc, timings: { loadMs: loaded - started, gradeMs: performance.now() - loaded } };
  scope.postMessage(reply);
};
