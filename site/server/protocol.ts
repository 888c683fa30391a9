/**
 * What the course server and the page's server runner (site/lib/workbench/server-runner.ts) must
 * agree on. Plain constants: the page bundles this module too.
 */

/** The header that carries the workshop join token (never a cookie or a query string). */
export const TOKEN_HEADER = 'x-course-token';

/** Built as a static file saying "no server"; the course server answers this path itself. */
export const RUNTIME_PATH = '/lab-data/runtime.json';

/** Sent by a joined learner's browser with each /api/run: their id in the workshop record. */
export const LEARNER_HEADER = 'x-workshop-learner';

/** In the answer to an /api/run that carried LEARNER_HEADER: `recorded`, `unknown-learner` or `failed`. */
export const RECORD_HEADER = 'x-workshop-record';

/** In every /api/run answer: the server's solutions policy now (`open` once the instructor opened them). */
export const SOLUTIONS_HEADER = 'x-course-solutions';
