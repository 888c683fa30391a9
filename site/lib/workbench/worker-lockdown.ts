/**
 * SES (Hardened JavaScript) for the in-browser worker, as the sandboxed child does it under Node
 * (labs/kit/node/child.ts): `lockdown()` freezes every shared intrinsic — JSON, Math,
 * Array.prototype, Promise … — so the learner's module cannot replace a function the kit scores
 * and builds the results document with (`Math.round = () => 10000` would otherwise give a starter
 * full points), and each learner module is evaluated in its own Compartment, whose `require`
 * reaches stack-core modules only.
 *
 * The browser runners stay practice, not grading (the tests run on the learner's machine and can
 * be read there); this keeps a learner's own code from rewriting its score by accident or for fun.
 * Cost, measured in headless Chromium (site/bench/worker-lockdown.ts) on a shared 2-core machine
 * whose load swung the figures: SES's script (48 KB gzip) parses in a median 56 ms at load
 * average 7.5 (409 ms at 18), lockdown() takes 22 ms (34), a Compartment 2 ms. The worker pays
 * it while it warms up, beside fetching the module maps, so the first Run does not; a worker
 * started after a run overstayed its time limit pays it on its next run.
 *
 * No worker globals here, so the same code is tested under Node (site/tests/workbench/worker-lockdown.test.ts).
 */
import type { Factory, Isolation } from '../../../labs/kit/module-map.ts';
import { LOCKDOWN_OPTIONS } from '../../../labs/kit/lockdown-options.ts';

interface SesGlobals {
  lockdown(options: Record<string, string>): void;
  harden<T>(value: T): T;
  Compartment: new (options: { globals: Record<string, unknown>; __options__: true }) => {
    evaluate(code: string, options?: Record<string, boolean>): unknown;
  };
}

export { LOCKDOWN_OPTIONS };

/** Loads SES, locks this realm down and returns how learner modules are to be evaluated. Call once, before any learner code runs. */
export async function lockDownWorker(): Promise<Isolation> {
  await import('ses');
  const ses = globalThis as unknown as SesGlobals;
  ses.lockdown({ ...LOCKDOWN_OPTIONS });
  const console = ses.harden({ ...(globalThis as unknown as { console: Record<string, unknown> }).console });
  return {
    evaluate(path, body) {
      const compartment = new ses.Compartment({ globals: { console }, __options__: true });
      // Sucrase keeps comments: an arrow like "SYN -->" or the word import( in a comment is not
      // the HTML comment or dynamic import SES refuses, so those checks are evaded, not failed.
      return compartment.evaluate(`(function (exports, require, module) {${body}\n})\n//# sourceURL=${path}`, {
        __evadeHtmlCommentTest__: true,
        __evadeImportExpressionTest__: true,
      }) as Factory;
    },
    mayImport: (path) => path.startsWith('stack/core/') && !/\.reference\.ts$/.test(path),
    harden: ses.harden,
  };
}
