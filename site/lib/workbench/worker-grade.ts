/**
 * Grading inside the in-browser worker, kept free of worker globals so it also runs under Node
 * (tests). The stack, the kit and the tests arrive compiled (lab-data.ts); the learner's files are
 * compiled here and mapped in under `<file>.learner.ts`, the path the kit's dispatcher imports.
 */
import { ModuleMap, type ModuleSources } from './module-map.ts';
import type { ResultsDocument, Suite } from './results.ts';
import { errorDocument } from '../../../labs/kit/results.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

export interface WorkerLab {
  slug: string;
  tasks: Array<{ id: number; title: string; points: number }>;
  files: string[];
  tests: { visible: string; hidden: string };
}

export interface GradeRequest {
  lab: WorkerLab;
  suite: Suite;
  /** Learner's TypeScript, by the path of the stack file it replaces. */
  files: Record<string, string>;
  seed?: number;
}

/** TypeScript → CommonJS body; throws an Error whose message points at the learner's line. */
export type Transpile = (path: string, source: string) => string;

export class LearnerCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LearnerCompileError';
  }
}

export function learnerPath(file: string): string {
  return file.replace(/\.ts$/, '.learner.ts');
}

function failedDocument(request: GradeRequest, message: string): ResultsDocument {
  return errorDocument(request.lab.slug, request.suite, request.seed ?? 1, request.lab.tasks, message);
}

interface Kit {
  beginSuite(suite: string): void;
  suiteTests(suite: string): Array<{ name: string; fn: (t: { trace(): TraceEvent[] }) => void }>;
  runSuite(lab: { slug: string; tasks: WorkerLab['tasks'] }, suite: Suite, options: { seed?: number }): ResultsDocument;
}

/**
 * Compiles the learner's files (cached by text, so a warm Submit recompiles only what changed)
 * and runs one suite in a fresh module instance.
 */
export class WorkerGrader {
  readonly modules = new ModuleMap();
  private readonly compiled = new Map<string, { source: string; body: string }>();

  constructor(private readonly transpile: Transpile) {}

  addModules(sources: ModuleSources): void {
    this.modules.add(sources);
  }

  private compile(path: string, source: string): string {
    const hit = this.compiled.get(path);
    if (hit && hit.source === source) return hit.body;
    const body = this.transpile(path, source);
    this.compiled.set(path, { source, body });
    return body;
  }

  grade(request: GradeRequest): ResultsDocument {
    const { lab, suite } = request;
    const overrides: ModuleSources = {};
    for (const file of lab.files) {
      const source = request.files[file];
      if (typeof source !== 'string') return failedDocument(request, `No copy of ${file} was sent to the runner.`);
      try {
        overrides[learnerPath(file)] = this.compile(learnerPath(file), source);
      } catch (error) {
        return failedDocument(request, `${file} did not compile: ${(error as Error).message}`);
      }
    }
    const testPath = `labs/${lab.slug}/${lab.tests[suite]}`;
    if (!this.modules.has(testPath)) return failedDocument(request, `The ${suite} tests of this lab are not available to this runner.`);
    try {
      const load = this.modules.instantiate(overrides);
      const kit = load('labs/kit/index.ts') as Kit;
      kit.beginSuite(suite);
      load(testPath);
      return kit.runSuite({ slug: lab.slug, tasks: lab.tasks }, suite, { seed: request.seed });
    } catch (error) {
      const e = error as Error;
      return failedDocument(request, `The tests could not start: ${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`);
    }
  }

  /**
   * The reference implementation's trace for one test of the same suite and seed: the lab's
   * compiled reference stands in for the learner's copy, and the test's context is kept so its
   * trace can be read even though the test passes (the kit keeps traces of failures only).
   */
  referenceTrace(lab: WorkerLab, suite: Suite, testName: string, seed = 1): TraceEvent[] | null {
    const overrides: ModuleSources = {};
    for (const file of lab.files) {
      const reference = this.modules.source(file.replace(/\.ts$/, '.reference.ts'));
      if (reference === undefined) return null;
      overrides[learnerPath(file)] = reference;
    }
    const testPath = `labs/${lab.slug}/${lab.tests[suite]}`;
    if (!this.modules.has(testPath)) return null;
    const load = this.modules.instantiate(overrides);
    const kit = load('labs/kit/index.ts') as Kit;
    kit.beginSuite(suite);
    load(testPath);
    let captured: { trace(): TraceEvent[] } | null = null;
    for (const test of kit.suiteTests(suite)) {
      if (test.name !== testName) continue;
      const fn = test.fn;
      test.fn = (t) => {
        captured = t;
        fn(t);
      };
    }
    kit.runSuite({ slug: lab.slug, tasks: lab.tasks }, suite, { seed });
    return captured ? (captured as { trace(): TraceEvent[] }).trace() : null;
  }
}
