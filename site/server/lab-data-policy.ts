/**
 * Which built files the course server hands out while it grades. The build (site/pages/lab-data)
 * writes, per lab:
 *   workspace.json          starters, every lab region stubbed, visible tests     → served
 *   visible.json            worker modules with the reference of every lab        → replaced by visible.server.json
 *   webcontainer.json       the run tree with both suites and every reference     → replaced by webcontainer.server.json
 *   visible.server.json     worker modules with every lab region stubbed, no hidden suite → served
 *   webcontainer.server.json the run tree with every lab region stubbed, visible suite only → served
 *   hidden.json             the hidden suite                                      → never
 *   solution.json           the reference of the lab's files                      → only with --solutions open
 * and lab-data/webcontainer-toolchain.bin.gz (npm packages, no course code) is served. Anything
 * else under lab-data/ is refused: a file added there later must be listed here to be served.
 * Outside lab-data/ the build holds pages, bundles and the search index, none of which holds a
 * hidden test or a region's reference (site/tests/server/build-secrets.test.ts checks the
 * lab-data endpoints; the closing scan of a full build is in the README).
 */
import { RUNTIME_PATH } from './protocol.ts';

export type FileDecision = { serve: string } | { withhold: string };

const HIDDEN = 'hidden tests stay on the course server; Submit grades them there';
const SOLUTION = "the course server gives out a lab's solution once your files pass every hidden test (the Solution button asks it)";
const UNLISTED = 'this file is not served while the course server grades';

/**
 * `relative` is a path inside dist, decoded and normalised, without a leading slash. Matching is
 * on lower case, so a case-insensitive file system (macOS, Windows) cannot be asked for
 * HIDDEN.JSON around the rule.
 */
export function gradingModeFile(relative: string, solutions: 'after-pass' | 'open'): FileDecision {
  const path = relative.toLowerCase();
  if (!path.startsWith('lab-data/') && path !== 'lab-data') return { serve: relative };
  if (path === 'lab-data/webcontainer-toolchain.bin.gz' || `/${path}` === RUNTIME_PATH) return { serve: relative };
  const m = /^lab-data\/([a-z0-9-]+)\/([a-z.]+)$/.exec(path);
  if (!m) return { withhold: UNLISTED };
  const [, slug, name] = m;
  switch (name) {
    case 'workspace.json':
    case 'visible.server.json':
    case 'webcontainer.server.json':
      return { serve: `lab-data/${slug}/${name}` };
    case 'visible.json':
      return { serve: `lab-data/${slug}/visible.server.json` };
    case 'webcontainer.json':
      return { serve: `lab-data/${slug}/webcontainer.server.json` };
    case 'solution.json':
      return solutions === 'open' ? { serve: `lab-data/${slug}/solution.json` } : { withhold: SOLUTION };
    case 'hidden.json':
      return { withhold: HIDDEN };
    default:
      return { withhold: UNLISTED };
  }
}

/** The reason a path is withheld while grading, or null (kept for callers that only ask that). */
export function withheldReason(urlPath: string, solutions: 'after-pass' | 'open'): string | null {
  const decision = gradingModeFile(urlPath.replace(/^\/+/, ''), solutions);
  return 'withhold' in decision ? decision.withhold : null;
}
