/**
 * The module system of the runners that load a lab's tree once and run it many times: the
 * in-browser worker (site/lib/workbench/worker-grade.ts) and the sandboxed grading child
 * (./node/child.ts). The stack, the lab kit and the tests are compiled to CommonJS-shaped function
 * bodies keyed by repository path; the learner's files take the key of the file they replace
 * (architecture.md: "the learner's copy of a file replaces the stack's file of the same path ...
 * worker module map"). CommonJS rather than ES modules because a module worker cannot re-point an
 * import specifier (no import maps in workers), and because a fresh registry per run gives every
 * run fresh module state at the cost of re-running module bodies only — no refetch, no recompile.
 * That is also what lets one grading child serve several Submits: no module state of one run
 * survives into the next.
 */

import { sidePath } from './shim.ts';

/** path → compiled body, run as `function (exports, require, module) { body }`. */
export type ModuleSources = Record<string, string>;

export type Factory = (exports: Record<string, unknown>, require: (specifier: string) => unknown, module: { exports: unknown }) => void;

/**
 * How the override modules (the learner's copies) of one instance are evaluated, when not like
 * the rest: `evaluate` turns a body into its factory (an SES Compartment: ./node/child.ts and
 * site/lib/workbench/worker-lockdown.ts), and `mayImport` says which resolved paths such a module
 * may require.
 */
export interface Isolation {
  evaluate(path: string, body: string): Factory;
  mayImport(path: string): boolean;
  /** Makes the `require` handed to an override module tamper-proof (SES `harden`). */
  harden?<T>(value: T): T;
}

/**
 * What an override module gets for a module it requires: a view that reads the module's live
 * exports but cannot change them, as an ES module namespace cannot be assigned to. CommonJS
 * exports are a plain object that the rest of the stack reads at every call (`(0, m.f)(…)`), so
 * without this a learner's file could swap a stack function under the tests' feet. Exported plain
 * data is frozen deeply on first read, and exported functions and classes are frozen themselves
 * (their static properties) — not their prototypes, which the harness overrides per instance
 * (a frozen prototype method would make `instance.method = …` throw: JavaScript's "override
 * mistake").
 */
export function readOnlyExports(path: string, exports: object): object {
  const frozen = new Set<PropertyKey>();
  const refuse = (key: PropertyKey): never => {
    throw new TypeError(`lab code may read what ${path} exports but not change it (it tried to change "${String(key)}")`);
  };
  return new Proxy(exports, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (!frozen.has(key)) {
        frozen.add(key);
        freezeExport(value);
      }
      return value;
    },
    set: (_target, key) => refuse(key),
    defineProperty: (_target, key) => refuse(key),
    deleteProperty: (_target, key) => refuse(key),
    setPrototypeOf: () => refuse('__proto__'),
  });
}

function freezeExport(value: unknown): void {
  if (typeof value === 'function') {
    Object.freeze(value);
    return;
  }
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return;
  Object.freeze(value);
  for (const v of Object.values(value)) freezeExport(v);
}

export class ModuleNotFoundError extends Error {
  constructor(readonly specifier: string, readonly from: string) {
    super(`Cannot find module "${specifier}" imported from ${from}`);
    this.name = 'ModuleNotFoundError';
  }
}

/** Resolves "./x.ts", "../y.js" or "./z" against the importing file's path. */
export function resolveSpecifier(specifier: string, from: string, has: (path: string) => boolean): string {
  if (!specifier.startsWith('.')) {
    if (has(specifier)) return specifier;
    throw new ModuleNotFoundError(specifier, from);
  }
  const parts = from.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '.' || part === '') continue;
    if (part === '..') {
      if (parts.length === 0) throw new ModuleNotFoundError(specifier, from);
      parts.pop();
    } else parts.push(part);
  }
  const base = parts.join('/');
  // Sources import with ".ts" (allowImportingTsExtensions); compilers may have rewritten it to ".js".
  const stem = base.replace(/\.(ts|js|mjs)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}/index.ts`]) if (has(candidate)) return candidate;
  throw new ModuleNotFoundError(specifier, from);
}

/** A body as its factory; the sourceURL names the file in stack traces the learner sees. */
function factoryOf(path: string, body: string): Factory {
  return new Function('exports', 'require', 'module', `${body}\n//# sourceURL=${path}`) as Factory;
}

/** Compiles each body once; `instantiate()` then gives fresh module instances as often as needed. */
export class ModuleMap {
  private readonly factories = new Map<string, Factory>();
  private readonly sources = new Map<string, string>();

  add(sources: ModuleSources): void {
    for (const [path, body] of Object.entries(sources)) {
      if (this.sources.get(path) === body) continue;
      this.sources.set(path, body);
      this.factories.delete(path);
    }
  }

  has(path: string): boolean {
    return this.sources.has(path);
  }

  source(path: string): string | undefined {
    return this.sources.get(path);
  }

  private factory(path: string): Factory {
    let factory = this.factories.get(path);
    if (!factory) {
      const body = this.sources.get(path);
      if (body === undefined) throw new ModuleNotFoundError(path, '(entry)');
      factory = factoryOf(path, body);
      this.factories.set(path, factory);
    }
    return factory;
  }

  /**
   * Overrides that put each lab file's compiled reference (`<file>.reference.ts`) where the
   * learner's copy goes (`<file>.learner.ts`): a reference run. Or the first lab file whose
   * reference this map does not hold.
   */
  referenceOverrides(files: readonly string[]): { overrides: ModuleSources } | { missing: string } {
    const overrides: ModuleSources = {};
    for (const file of files) {
      const reference = this.sources.get(sidePath(file, 'reference'));
      if (reference === undefined) return { missing: file };
      overrides[sidePath(file, 'learner')] = reference;
    }
    return { overrides };
  }

  /**
   * A fresh registry in which `overrides` (path → compiled body) replace modules of the same path
   * for this instance only. Cycles behave as in CommonJS: a module sees the partial exports of one
   * still loading. With `isolation`, the overrides are evaluated by it, may require only what it
   * allows, and get read-only views of those modules (readOnlyExports).
   */
  instantiate(overrides: ModuleSources = {}, isolation: Isolation | null = null): (path: string) => unknown {
    const cache = new Map<string, { exports: unknown }>();
    const overrideFactories = new Map<string, Factory>();
    const has = (path: string) => path in overrides || this.sources.has(path);
    const views = new Map<string, object>();
    const load = (path: string): unknown => {
      const cached = cache.get(path);
      if (cached) return cached.exports;
      const module = { exports: {} as Record<string, unknown> };
      cache.set(path, module);
      let factory: Factory;
      const isolated = isolation !== null && path in overrides;
      if (path in overrides) {
        factory = overrideFactories.get(path) ?? (isolated ? isolation.evaluate(path, overrides[path]) : factoryOf(path, overrides[path]));
        overrideFactories.set(path, factory);
      } else factory = this.factory(path);
      const require = (specifier: string) => {
        if (!isolated) return load(resolveSpecifier(specifier, path, has));
        const refused = () => new Error(`lab code may not import "${specifier}": only modules of the stack core`);
        let target: string;
        try {
          target = resolveSpecifier(specifier, path, has);
        } catch {
          // "node:net" or a path outside the tree reads as refused, not as missing.
          throw refused();
        }
        if (!isolation.mayImport(target)) throw refused();
        const exports = load(target) as object;
        let view = views.get(target);
        if (!view) views.set(target, (view = readOnlyExports(target, exports)));
        return view;
      };
      try {
        factory(module.exports, isolated && isolation.harden ? isolation.harden(require) : require, module);
      } catch (error) {
        cache.delete(path);
        throw error;
      }
      return module.exports;
    };
    return load;
  }
}
