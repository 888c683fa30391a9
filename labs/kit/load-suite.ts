/**
 * The one way every runner loads and runs a lab suite: import the run tree's kit, `beginSuite`,
 * import the suite (its `labTest` calls fill the registry `beginSuite` returned), then
 * `runSuite` on that registry. Runners differ only in how they import a module of the tree:
 * Node's dynamic import (labs/kit/node/inprocess.ts, the sandboxed child), the worker's module
 * map (site/lib/workbench/worker-grade.ts, synchronous) or vite's static imports in the
 * WebContainer (site/lib/workbench/webcontainer-tree.ts).
 *
 * Runtime-independent, and it imports only types: the kit it drives is the tree's own instance,
 * reached through `importModule`, never this module's neighbours (in the Node CLI this module is
 * the repository's copy while the tree's kit lives under .lab-work/.runs/).
 */
import type { LabMeta } from './definition.ts';
import type { beginSuite, Suite, SuiteRegistry } from './registry.ts';
import type { ResultsDocument } from './results.ts';
import type { RunOptions, runSuite } from './runner.ts';

/** What the loader needs of the tree's labs/kit/index.ts. */
interface Kit {
  beginSuite: typeof beginSuite;
  runSuite: typeof runSuite;
}

/** The run tree's modules by repository path ("labs/kit/index.ts", "labs/handshake/hidden.test.ts"). */
export type ImportModule = (path: string) => unknown;

export interface LoadedSuite {
  readonly registry: SuiteRegistry;
  run(options?: RunOptions): ResultsDocument;
}

export const KIT_PATH = 'labs/kit/index.ts';

export function suitePath(lab: Pick<LabMeta, 'slug' | 'tests'>, suite: Suite): string {
  return `labs/${lab.slug}/${lab.tests[suite]}`;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Loads `suite` of `lab` through `importModule`. With an importer that returns promises (Node's
 * import()) the result is a promise; with a synchronous one (a module map) it is the loaded suite
 * itself, so the worker stays synchronous.
 */
export function loadSuite(importModule: (path: string) => Promise<unknown>, lab: Pick<LabMeta, 'slug' | 'tasks' | 'tests'>, suite: Suite): Promise<LoadedSuite>;
export function loadSuite(importModule: ImportModule, lab: Pick<LabMeta, 'slug' | 'tasks' | 'tests'>, suite: Suite): LoadedSuite;
export function loadSuite(importModule: ImportModule, lab: Pick<LabMeta, 'slug' | 'tasks' | 'tests'>, suite: Suite): LoadedSuite | Promise<LoadedSuite> {
  const withKit = (kit: Kit): LoadedSuite | Promise<LoadedSuite> => {
    const registry = kit.beginSuite(suite);
    const loaded: LoadedSuite = { registry, run: (options = {}) => kit.runSuite(lab, registry, options) };
    const imported = importModule(suitePath(lab, suite));
    return isPromise(imported) ? imported.then(() => loaded) : loaded;
  };
  const kit = importModule(KIT_PATH);
  return isPromise(kit) ? kit.then((k) => withKit(k as Kit)) : withKit(kit as Kit);
}
