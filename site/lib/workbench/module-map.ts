/**
 * The worker runner's module system. The stack, the lab kit and the tests are compiled at build
 * time to CommonJS-shaped function bodies keyed by repository path; the learner's files are
 * compiled in the page and simply take the key of the file they replace (architecture.md: "the
 * learner's copy of a file replaces the stack's file of the same path ... worker module map").
 * CommonJS rather than ES modules because a module worker cannot re-point an import specifier
 * (no import maps in workers), and because a fresh registry per run gives every run fresh module
 * state at the cost of re-running module bodies only — no refetch, no recompile.
 */

/** path → compiled body, run as `function (exports, require, module) { body }`. */
export type ModuleSources = Record<string, string>;

export type Factory = (exports: Record<string, unknown>, require: (specifier: string) => unknown, module: { exports: unknown }) => void;

/**
 * How the override modules (the learner's copies) of one instance are evaluated, when not like
 * the rest: `evaluate` turns a body into its factory (an SES Compartment in the worker, see
 * ./worker-lockdown.ts), and `mayImport` says which resolved paths such a module may require.
 */
export interface Isolation {
  evaluate(path: string, body: string): Factory;
  mayImport(path: string): boolean;
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
      // The sourceURL names the file in stack traces the learner sees.
      factory = new Function('exports', 'require', 'module', `${body}\n//# sourceURL=${path}`) as Factory;
      this.factories.set(path, factory);
    }
    return factory;
  }

  /**
   * A fresh registry in which `overrides` (path → compiled body) replace modules of the same path
   * for this instance only. Cycles behave as in CommonJS: a module sees the partial exports of one
   * still loading. With `isolation`, the overrides are evaluated by it and may require only what
   * it allows.
   */
  instantiate(overrides: ModuleSources = {}, isolation: Isolation | null = null): (path: string) => unknown {
    const cache = new Map<string, { exports: unknown }>();
    const overrideFactories = new Map<string, Factory>();
    const has = (path: string) => path in overrides || this.sources.has(path);
    const load = (path: string): unknown => {
      const cached = cache.get(path);
      if (cached) return cached.exports;
      const module = { exports: {} as Record<string, unknown> };
      cache.set(path, module);
      let factory: Factory;
      const isolated = isolation !== null && path in overrides;
      if (path in overrides) {
        factory = overrideFactories.get(path) ?? (isolated ? isolation.evaluate(path, overrides[path]) : (new Function('exports', 'require', 'module', `${overrides[path]}\n//# sourceURL=${path}`) as Factory));
        overrideFactories.set(path, factory);
      } else factory = this.factory(path);
      const require = (specifier: string) => {
        const target = resolveSpecifier(specifier, path, has);
        if (isolated && !isolation.mayImport(target)) throw new Error(`lab code may not import "${specifier}": only modules of the stack core`);
        return load(target);
      };
      try {
        factory(module.exports, require, module);
      } catch (error) {
        cache.delete(path);
        throw error;
      }
      return module.exports;
    };
    return load;
  }
}
