/// <reference lib="webworker" />
/**
 * The in-browser worker runner's worker. It holds the compiled lab modules between runs so a warm
 * Submit only transpiles the learner's changed file (transpile.ts, bundled in); the page
 * terminates the whole worker when a run exceeds its time limit (a `while (true)` in learner code
 * cannot be interrupted any other way without freezing the page).
 */
import { learnerPath, WorkerGrader, type GradeRequest } from './worker-grade.ts';
import { listScenarioNames, simulate, type ScenarioListing, type SimReply, type SimRequest } from './sim-run.ts';
import { transpile } from './transpile.ts';
import { lockDownWorker } from './worker-lockdown.ts';
import type { ResultsDocument } from './results.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

export type WorkerMessage =
  | { type: 'warm'; moduleUrls: string[] }
  | { type: 'run'; id: number; moduleUrls: string[]; request: GradeRequest }
  | { type: 'reference'; id: number; moduleUrls: string[]; lab: GradeRequest['lab']; suite: GradeRequest['suite']; test: string; seed: number }
  | { type: 'sim'; id: number; moduleUrls: string[]; lab: GradeRequest['lab']; files: Record<string, string>; request: SimRequest }
  | { type: 'scenarios'; id: number; moduleUrls: string[]; lab: GradeRequest['lab'] };

export type WorkerReply =
  | { type: 'warm'; ok: boolean; message?: string }
  | { type: 'result'; id: number; doc: ResultsDocument; timings: { loadMs: number; gradeMs: number } }
  | { type: 'reference'; id: number; trace: TraceEvent[] | null; message?: string }
  | { type: 'sim'; id: number; reply: SimReply }
  | { type: 'scenarios'; id: number; scenarios: ScenarioListing[] };

const moduleLoads = new Map<string, Promise<void>>();

const grader = new WorkerGrader(transpile);

// Before any learner code can run: every message waits for it. A browser where SES cannot lock
// down still runs the tests (practice, as everywhere in the browser), without the frozen built-ins.
const lockedDown = lockDownWorker().then(
  (isolation) => {
    grader.isolation = isolation;
  },
  (error) => console.warn(`the lab worker runs without SES lockdown: ${(error as Error).message}`),
);

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

/**
 * The modules that stand behind each lab file's shim (labs/kit/shim.ts) for a sim: the learner's
 * copy compiled, as in a test run, or — for `sim --reference` and the scenario list — the lab's
 * compiled reference in its place.
 */
function stackOverrides(lab: GradeRequest['lab'], files: Record<string, string> | null): Record<string, string> {
  if (!files) {
    const reference = grader.modules.referenceOverrides(lab.files);
    if ('missing' in reference) throw new Error(`the reference of ${reference.missing} is not in this browser`);
    return reference.overrides;
  }
  const overrides: Record<string, string> = {};
  for (const file of lab.files) {
    try {
      overrides[learnerPath(file)] = transpile(learnerPath(file), files[file] ?? '');
    } catch (error) {
      throw new Error(`${file} did not compile: ${(error as Error).message}`);
    }
  }
  return overrides;
}

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<WorkerMessage>) => {
  const message = event.data;
  if (message.type === 'warm') {
    try {
      // Fetching the module maps overlaps SES's start-up; no learner code runs in a warm-up.
      await Promise.all([prepare(message.moduleUrls), lockedDown]);
      scope.postMessage({ type: 'warm', ok: true } satisfies WorkerReply);
    } catch (error) {
      scope.postMessage({ type: 'warm', ok: false, message: (error as Error).message } satisfies WorkerReply);
    }
    return;
  }
  await lockedDown;
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
  if (message.type === 'scenarios') {
    await prepare(message.moduleUrls).catch(() => {});
    let scenarios: ScenarioListing[] = [];
    try {
      scenarios = listScenarioNames(grader.modules.instantiate(stackOverrides(message.lab, null)));
    } catch {
      // the lab's module map has no scenarios: the list is empty and sim says why
    }
    scope.postMessage({ type: 'scenarios', id: message.id, scenarios } satisfies WorkerReply);
    return;
  }
  if (message.type === 'sim') {
    let reply: SimReply;
    try {
      await prepare(message.moduleUrls);
      reply = simulate(grader.modules.instantiate(stackOverrides(message.lab, message.request.reference ? null : message.files), message.request.reference ? null : grader.isolation), message.request);
    } catch (error) {
      reply = { ok: false, error: (error as Error).message };
    }
    scope.postMessage({ type: 'sim', id: message.id, reply } satisfies WorkerReply, reply.ok ? [reply.result.pcap.buffer as ArrayBuffer] : []);
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
