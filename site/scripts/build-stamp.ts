/**
 * Whether dist/ was built from the sources as they are now: a SHA-256 over the path and bytes of
 * every input of `npm run build` (the site, the chapters, the stack and labs the pages and lab data
 * are made from, the build config and the lockfile). Content, not mtimes, so a fresh clone or a
 * `git checkout` that changes nothing does not rebuild. Tests are left out: no page imports them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Inputs, relative to the repository root: folders are walked, files read. */
export const BUILD_INPUTS = ['site', 'content', 'stack', 'labs', 'astro.config.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** Folders no build reads: tests, the browser suite, local work and caches. */
const SKIPPED_DIRS = new Set(['node_modules', 'tests', 'e2e', '.lab-work', '.cache', 'dist', '.astro']);

export function buildInputsDigest(root: string): string {
  const hash = createHash('sha256');
  const add = (path: string): void => {
    const rel = relative(root, path).split(sep).join('/');
    hash.update(`${rel}\0`);
    hash.update(readFileSync(path));
    hash.update('\0');
  };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if (entry.isFile()) add(path);
    }
  };
  for (const input of BUILD_INPUTS) {
    const path = join(root, input);
    if (!existsSync(path)) continue;
    if (readdirSafe(path)) walk(path);
    else add(path);
  }
  return hash.digest('hex');
}

function readdirSafe(path: string): boolean {
  try {
    readdirSync(path);
    return true;
  } catch {
    return false;
  }
}

export function stampPath(root: string): string {
  return join(root, '.cache', 'site-build-stamp');
}

/** Why dist/ must be (re)built, or null when it is current. */
export function staleReason(root: string, dist: string, digest: string): string | null {
  if (!existsSync(join(dist, 'index.html'))) return `${relative(root, dist) || dist}/index.html is missing`;
  const file = stampPath(root);
  if (!existsSync(file)) return 'no record of which sources the last build used';
  if (readFileSync(file, 'utf8').trim() !== digest) return 'sources changed since the last build';
  return null;
}

export function writeStamp(root: string, digest: string): void {
  const file = stampPath(root);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${digest}\n`);
}
