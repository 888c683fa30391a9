/**
 * The compiler options for every module the worker runner executes: the stack and tests at build
 * time (lab-data.ts) and the learner's files in the page (run-worker.ts) must agree, or a class or
 * enum could behave differently on the two sides of an import. Numbers, not the `typescript`
 * enums, so importing this does not pull the compiler into a bundle.
 */
export const TRANSPILE_OPTIONS = {
  /** ts.ModuleKind.CommonJS: module-map.ts swaps modules by path, which ES modules in a worker cannot. */
  module: 1,
  /** ts.ScriptTarget.ES2022, as tsconfig.json. */
  target: 9,
  isolatedModules: true,
  verbatimModuleSyntax: false,
  esModuleInterop: false,
  sourceMap: false,
  inlineSourceMap: false,
} as const;
