/// <reference lib="webworker" />
/**
 * The in-browser worker runner's worker. It holds the compiled lab modules and a TypeScript
 * compiler between runs so a warm Submit only recompiles the learner's changed file; the page
 * terminates the whole worker when a run exceeds its time limit (a `while (true)` in learner code
 * cannot be interrupted any other way without freezing the page).
 */
import { WorkerGrader, type GradeRequest } from './worker-grade.ts';
import { TRANSPILE_OPTIONS } from './transpile-options.ts';
import type { ResultsDocument } from './results.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

export type WorkerMessage =
  | { type: 'warm'; typescriptUrl: string; moduleUrls: string[] }
  | { type: 'run'; id: number; typescriptUrl: string; moduleUrls: string[]; request: GradeRequest }
  | { type: 'reference'; id: number; moduleUrls: string[]; lab: GradeRequest['lab']; suite: GradeRequest['suite']; test: string; seed: number };

export type WorkerReply =
  | { type: 'warm'; ok: boolean; message?: string }
  | { type: 'result'; id: number; doc: ResultsDocument; timings: { loadMs: number; gradeMs: number } }
  | { type: 'reference'; id: number; trace: TraceEvent[] | null; message?: string };

interface TypeScriptApi {
  transpileModule(source: string, options: { fileName: string; compilerOptions: object; reportDiagnostics: boolean }): {
    outputText: string;
    diagnostics?: Array<{ category: number; messageText: string | { messageText: string }; start?: number; file?: { getLineAndCharacterOfPosition(pos: number): { line: number; character: number } } }>;
  };
}

let typescript: Promise<TypeScriptApi> | null = null;
const moduleLoads = new Map<string, Promise<void>>();

function loadTypeScript(url: string): Promise<TypeScriptApi> {
  typescript ??= fetch(url)
    .then((response) => {
      if (!response.ok) throw new Error(`the TypeScript compiler could not be loaded (${url}: HTTP ${response.status})`);
      return response.text();
    })
    // typescript.js is a script that leaves the compiler in a top-level `ts`.
    .then((text) => new Function(`${text}\nreturn ts;`)() as TypeScriptApi)
    .catch((error) => {
      typescript = null;
      throw error;
    });
  return typescript;
}

let compiler: TypeScriptApi | null = null;

const grader = new WorkerGrader((path, source) => {
  if (!compiler) throw new Error('the compiler is not loaded');
  const out = compiler.transpileModule(source, { fileName: path, compilerOptions: TRANSPILE_OPTIONS, reportDiagnostics: true });
  const error = (out.diagnostics ?? []).find((d) => d.category === 1);
  if (error) {
    const text = typeof error.messageText === 'string' ? error.messageText : error.messageText.messageText;
    const where = error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : null;
    throw new Error(where ? `line ${where.line + 1}: ${text}` : text);
  }
  return out.outputText;
});

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

async function prepare(typescriptUrl: string, moduleUrls: string[]): Promise<void> {
  const [ts] = await Promise.all([loadTypeScript(typescriptUrl), ...moduleUrls.map(loadModules)]);
  compiler = ts;
}

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<WorkerMessage>) => {
  const message = event.data;
  if (message.type === 'warm') {
    try {
      await prepare(message.typescriptUrl, message.moduleUrls);
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
    await prepare(message.typescriptUrl, message.moduleUrls);
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
