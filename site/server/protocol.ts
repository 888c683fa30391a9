/**
 * What the course server and the page's server runner (site/lib/workbench/server-runner.ts) must
 * agree on. Plain constants: the page bundles this module too.
 */

/** The header that carries the workshop join token (never a cookie or a query string). */
export const TOKEN_HEADER = 'x-course-token';

/** Built as a static file saying "no server"; the course server answers this path itself. */
export const RUNTIME_PATH = '/lab-data/runtime.json';
