/**
 * The learner's file → the CommonJS module body module-map.ts runs, in the in-browser worker
 * (run-worker.ts). The rest of the lab was compiled at build time by TypeScript (lab-data.ts
 * compileModule says why the two agree).
 *
 * Sucrase rather than the TypeScript compiler: it only strips types and rewrites imports, which is
 * all a run needs (type errors are Monaco's and the CLI grader's business), in about 0.1 MB where
 * TypeScript is 9 MB, and it keeps every line where it was, so a stack trace's line is the
 * learner's line. CommonJS because module-map.ts swaps modules by path, which ES modules in a
 * worker cannot; no ES transforms because the target is ES2022, as tsconfig.json.
 */
import { transform } from 'sucrase';

export function transpile(path: string, source: string): string {
  try {
    return transform(source, { transforms: ['typescript', 'imports'], filePath: path, disableESTransforms: true, production: true }).code;
  } catch (error) {
    const { message, loc } = error as Error & { loc?: { line: number; column: number } };
    // Sucrase says "Error transforming <path>: Unexpected token (3:5)"; the learner needs the line.
    const reason = message.replace(/^Error transforming [^:]*: /, '').replace(/ \(\d+:\d+\)$/, '');
    throw new Error(loc ? `line ${loc.line}, column ${loc.column}: ${reason}` : reason);
  }
}
