/**
 * Runs inside the sandboxed child process, from a transpiled run tree: reads a one-time token from
 * stdin, closes the doors learner code should not use, runs the suite, and prints progress and the
 * results document on lines that start with the token (so output printed by learner code can
 * never pass for a result).
 *
 * argv: <suite> <lab meta JSON> <seed> <test module path relative to the tree>
 */
import { readFileSync } from 'node:fs';
import { isBuiltin, registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const token = readFileSync(0, 'utf8').trim();
const write = process.stdout.write.bind(process.stdout);
const say = (msg: unknown) => write(`${token} ${JSON.stringify(msg)}\n`);

// Learner code is plain TypeScript for the stack core: it never needs a Node built-in. The
// permission model already forbids writes, child processes and workers; this also shuts fs
// reads, sockets and the escape hatches that reach built-ins without an import.
registerHooks({
  resolve(specifier, context, next) {
    if (isBuiltin(specifier)) throw new Error(`lab code may not import "${specifier}": the stack core runs without Node APIs`);
    return next(specifier, context);
  },
});
const proc = process as unknown as Record<string, unknown>;
for (const key of ['binding', '_linkedBinding', 'dlopen', 'getBuiltinModule']) {
  try {
    proc[key] = undefined;
  } catch {
    // not writable in this Node: the permission model still applies
  }
}
for (const key of ['fetch', 'WebSocket', 'EventSource']) (globalThis as Record<string, unknown>)[key] = undefined;

const [suite, metaJson, seedText, testModule] = process.argv.slice(2);
const tree = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
try {
  const kit = (await import(pathToFileURL(join(tree, 'labs/kit/index.js')).href)) as typeof import('../index.ts');
  kit.beginSuite(suite);
  try {
    await import(pathToFileURL(join(tree, testModule)).href);
  } catch (err) {
    say({ loadError: kit.describeError(err).message });
    process.exit(0);
  }
  const doc = kit.runSuite(JSON.parse(metaJson), suite as 'visible' | 'hidden', {
    seed: Number(seedText),
    onTestStart: (name) => say({ start: name }),
  });
  say({ result: doc });
} catch (err) {
  say({ loadError: `the run could not start: ${(err as Error).message}` });
}
