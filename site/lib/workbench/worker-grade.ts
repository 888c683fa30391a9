/**
 * Grading inside the in-browser worker, kept free of worker globals so it also runs under Node
 * (tests). The stack, the kit and the tests arrive compiled (lab-data.ts); the learner's files are
 * compiled here and mapped in under `<file>.learner.ts`, the path the kit's dispatcher imports.
 */
import { ModuleMap, type Isolation, type ModuleSources } from '../../../labs/kit/module-map.ts';
import type { ResultsDocument, Suite } from './results.ts';
import { errorDocument } from '../../../labs/kit/results.ts';
import type { LabMeta } from '../../../labs/kit/definition.ts';
import { loadSuite, suitePath, type LoadedSuite } from '../../../labs/kit/load-suite.ts';
import { sidePath } from '../../../labs/kit/shim.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

export interface GradeRequest {
  lab: LabMeta;
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
  return sidePath(file, 'learner');
}

function failedDocument(request: GradeRequest, message: string): ResultsDocument {
  return errorDocument(request.lab.slug, request.suite, request.seed ?? 1, request.lab.tasks, message);
}

/**
 * Compiles the learner's files (cached by text, so a warm Submit recompiles only what changed)
 * and runs one suite in a fresh module instance.
 */
export class WorkerGrader {
  readonly modules = new ModuleMap();
  private readonly compiled = new Map<string, { source: string; body: string }>();
  /** How the learner's modules are evaluated: in SES Compartments once the worker is locked down (./worker-lockdown.ts). */
  isolation: Isolation | null = null;

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
    if (!this.modules.has(suitePath(lab, suite))) return failedDocument(request, `The ${suite} tests of this lab are not available to this runner.`);
    try {
      return this.load(lab, suite, overrides, this.isolation).run({ seed: request.seed });
    } catch (error) {
      const e = error as Error;
      return failedDocument(request, `The tests could not start: ${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`);
    }
  }

  /** The suite in a fresh module instance, the learner's copies (or the reference) given by `overrides`. */
  private load(lab: LabMeta, suite: Suite, overrides: ModuleSources, isolation: Isolation | null = null): LoadedSuite {
    return loadSuite(this.modules.instantiate(overrides, isolation), lab, suite);
  }

  /**
   * The reference implementation's trace for one test of the same suite and seed: the lab's
   * compiled reference stands in for the learner's copy, and only that test runs, keeping its
   * trace although it passes (a run keeps the traces of failures only unless asked).
   */
  referenceTrace(lab: LabMeta, suite: Suite, testName: string, seed = 1): TraceEvent[] | null {
    const reference = this.modules.referenceOverrides(lab.files);
    if ('missing' in reference || !this.modules.has(suitePath(lab, suite))) return null;
    const loaded = this.load(lab, suite, reference.overrides);
    if (!loaded.registry.tests.some((t) => t.name === testName)) return null;
    const doc = loaded.run({ seed, only: [testName], keepTraces: true });
    const ref = doc.tests[0]?.trace_ref;
    return ref ? doc.traces[ref] : [];
  }
}
