/**
 * Type-checking a learner's files against the real stack, and transpiling a run tree to plain
 * JavaScript for the sandboxed child (which gets no TypeScript loader: fewer moving parts under
 * Node's permission model).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { existsSync } from 'node:fs';
import { WORK, repoPath } from './repo.ts';
import { labCodeMayImport } from '../shim.ts';
import { posix } from 'node:path';

/** tsconfig.core.json's settings: the stack core sees ES2022 and nothing of Node or the DOM. */
const CORE_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  types: [],
  strict: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  skipLibCheck: true,
};

/**
 * The one global a learner may use beyond ES2022: console, for printing while debugging (every
 * runner has it; the sandbox shows what was printed per test).
 */
const LAB_GLOBALS = repoPath('labs/kit/node/lab-globals.d.ts');
const LAB_GLOBALS_TEXT = 'declare const console: { log(...data: unknown[]): void; error(...data: unknown[]): void; warn(...data: unknown[]): void; info(...data: unknown[]): void; debug(...data: unknown[]): void };\n';

/** Parsed files shared across checks (lib and stack files do not change during one grading run). */
const sourceCache = new Map<string, ts.SourceFile>();

/** The last check's program, whose structure the next check reuses. */
let lastProgram: ts.Program | undefined;

export interface CompileProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/**
 * Type-checks the stack with `files` (repository path → text) in place of the originals and
 * returns the problems found in those files. An empty list means it compiles.
 */
export function typeCheck(files: ReadonlyMap<string, string>): CompileProblem[] {
  const overrides = new Map([...files].map(([rel, text]) => [repoPath(rel), text]));
  overrides.set(LAB_GLOBALS, LAB_GLOBALS_TEXT);
  const host = ts.createCompilerHost(CORE_OPTIONS, true);
  const read = host.readFile.bind(host);
  host.readFile = (f) => overrides.get(f) ?? read(f);
  host.fileExists = ((exists) => (f: string) => overrides.has(f) || exists(f))(host.fileExists.bind(host));
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, lang, onError, create) => {
    const own = overrides.get(fileName);
    if (own !== undefined) return ts.createSourceFile(fileName, own, lang, true);
    const hit = sourceCache.get(fileName);
    if (hit) return hit;
    const sf = getSource(fileName, lang, onError, create);
    if (sf) sourceCache.set(fileName, sf);
    return sf;
  };
  // The previous program lends its module resolutions and unchanged files (TypeScript's structure
  // reuse): only the learner's files are parsed and resolved again.
  const program = ts.createProgram([...overrides.keys()], CORE_OPTIONS, host, lastProgram);
  lastProgram = program;
  const problems: CompileProblem[] = [];
  for (const [abs] of overrides) {
    if (abs === LAB_GLOBALS) continue;
    const sf = program.getSourceFile(abs);
    if (!sf) continue;
    const rel = [...files.keys()].find((k) => repoPath(k) === abs)!;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
      problems.push({ file: rel, line: pos.line + 1, column: pos.character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') });
    }
  }
  return problems;
}

/** One line per problem, joined with "; " so a CSV cell or a one-line status can hold them. */
/**
 * What a learner's file may import: modules of the stack core that exist in the repository, by
 * string literal. A run tree also holds the reference copy, the dispatcher and the test kit; an
 * import of those (hidden from the type check with @ts-ignore, or computed at run time) would let
 * a submission call the reference or flip the kit's switches, so the grader refuses it.
 */
export function importProblems(files: ReadonlyMap<string, string>): CompileProblem[] {
  const problems: CompileProblem[] = [];
  for (const [file, text] of files) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const report = (node: ts.Node, message: string) => {
      const pos = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      problems.push({ file, line: pos.line + 1, column: pos.character + 1, message });
    };
    const checkSpecifier = (node: ts.Node, spec: string) => {
      const target = spec.startsWith('.') ? posix.normalize(posix.join(posix.dirname(file), spec)) : null;
      if (target === null || !labCodeMayImport(target) || !existsSync(repoPath(target))) {
        report(node, `"${spec}" is not a module of the stack core: your file may import only files under stack/core/ that exist`);
      }
    };
    const visit = (node: ts.Node) => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        checkSpecifier(node.moduleSpecifier, node.moduleSpecifier.text);
      } else if (ts.isImportEqualsDeclaration(node)) {
        report(node, '"import … = require()" is not available: use an ES import');
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        report(node, 'dynamic import() is not allowed in lab code: import what you need at the top of the file');
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        checkSpecifier(node.argument, node.argument.literal.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return problems;
}

/**
 * Type-checks repository files as they are, with the stack core's settings (ES2022, no Node or
 * DOM types): for code that must run in a browser worker and a WebContainer as well as in Node.
 */
export function typeCheckRuntimeIndependent(paths: string[]): CompileProblem[] {
  const program = ts.createProgram(paths.map(repoPath), CORE_OPTIONS);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
    return { file: d.file?.fileName ?? '(options)', line: pos.line + 1, column: pos.character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') };
  });
}

export function formatProblems(problems: CompileProblem[], max = 5): string {
  const lines = problems.slice(0, max).map((p) => `${p.file.split('/').pop()}:${p.line}:${p.column} ${p.message.replace(/\s*\n\s*/g, ' ')}`);
  if (problems.length > max) lines.push(`… and ${problems.length - max} more`);
  return lines.join('; ');
}

/**
 * Transpiled files by content. Only the repository's own files (the stack, the kit, the suites)
 * come through here — learner files go through transpileLearner and are never cached — and the
 * memory side is bounded in bytes all the same, oldest entry out first.
 */
const jsCache = new Map<string, string>();
let jsCacheBytes = 0;
export const JS_CACHE_LIMIT_BYTES = 32 * 1024 * 1024;

function cacheJs(key: string, js: string): void {
  if (jsCache.has(key)) return;
  jsCache.set(key, js);
  jsCacheBytes += js.length;
  for (const [k, v] of jsCache) {
    if (jsCacheBytes <= JS_CACHE_LIMIT_BYTES) break;
    jsCache.delete(k);
    jsCacheBytes -= v.length;
  }
}
const CACHE_DIR = join(WORK, '.cache', 'js');

/**
 * How our own modules become CommonJS-shaped bodies for a module map (../module-map.ts): the
 * sandboxed child and the in-browser worker (site/lib/workbench/lab-data.ts) run the same output.
 */
const CJS_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  isolatedModules: true,
  esModuleInterop: false,
  sourceMap: false,
};

const ESM_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  rewriteRelativeImportExtensions: true,
  allowImportingTsExtensions: true,
};

function transpileOne(path: string, text: string, format: 'esm' | 'cjs' = 'esm'): string {
  const key = createHash('sha256').update(`${ts.version}\0${format}\0${path}\0${text}`).digest('hex').slice(0, 32);
  const hit = jsCache.get(key);
  if (hit !== undefined) return hit;
  const cacheFile = join(CACHE_DIR, `${key}.js`);
  try {
    const js = readFileSync(cacheFile, 'utf8');
    cacheJs(key, js);
    return js;
  } catch {
    // not cached yet
  }
  const r = ts.transpileModule(text, { fileName: path, reportDiagnostics: true, compilerOptions: format === 'cjs' ? CJS_OPTIONS : ESM_OPTIONS });
  const errors = (r.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    const d = errors[0];
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
    throw new SyntaxError(`${path.replace(/\.learner\.ts$/, '.ts')}:${pos.line + 1}:${pos.character + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  }
  cacheJs(key, r.outputText);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(cacheFile, r.outputText);
  } catch {
    // a read-only checkout still grades, only slower
  }
  return r.outputText;
}

/** One of our modules as a CommonJS-shaped body (cached by content, like transpileTree). */
export function compileModuleCjs(path: string, text: string): string {
  return transpileOne(path, text, 'cjs');
}

/** A run tree's TypeScript modules as CommonJS-shaped bodies by repository path (other files left out). */
export function compileTreeCjs(tree: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, text] of tree) if (path.endsWith('.ts')) out[path] = compileModuleCjs(path, text);
  return out;
}

/** TypeScript → ES2022 JavaScript, one file at a time; `.ts` imports become `.js`. */
export function transpileTree(tree: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, text] of tree) {
    if (path.endsWith('.ts')) out.set(path.replace(/\.ts$/, '.js'), transpileOne(path, text));
    else out.set(path, text);
  }
  return out;
}

export interface LearnerModule {
  /** Repository path of the lab file, e.g. stack/core/tcp/handshake.ts. */
  file: string;
  /** The module as the body of `function (exports, require)` (CommonJS shape), for a Compartment. */
  js: string;
  /** Repository paths (.ts) of the modules it requires, in order. */
  requires: string[];
}

/**
 * A learner's lab file → a CommonJS-shaped function body that the sandboxed child evaluates in
 * its own SES Compartment (which has no ES module loader without a parser we would have to ship),
 * plus the stack modules it requires, which the child hands over as the run tree's own module
 * instances. Comments are dropped: SES refuses any source that merely looks like `import(…)` or
 * an HTML comment, and a comment should never make a submission fail.
 */
export function transpileLearner(file: string, text: string): LearnerModule {
  const r = ts.transpileModule(text, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      isolatedModules: true,
      removeComments: true,
      rewriteRelativeImportExtensions: true,
      allowImportingTsExtensions: true,
      esModuleInterop: false,
    },
  });
  const errors = (r.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    const d = errors[0];
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
    throw new SyntaxError(`${file}:${pos.line + 1}:${pos.character + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  }
  const requires: string[] = [];
  for (const m of r.outputText.matchAll(/\brequire\("([^"]+)"\)/g)) {
    const target = posix.normalize(posix.join(posix.dirname(file), m[1])).replace(/\.js$/, '.ts');
    if (!requires.includes(target)) requires.push(target);
  }
  return { file, js: r.outputText, requires };
}
