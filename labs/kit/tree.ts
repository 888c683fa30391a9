/**
 * The file tree a runner executes: the stack, the test kit, the lab's test suites, and for each
 * file the learner edits a dispatcher (./shim.ts) in its place with `<file>.reference.ts` and
 * `<file>.learner.ts` beside it. Pure: the Node CLI writes it to disk, the WebContainer runner
 * mounts it, the worker runner maps it into modules.
 */
import type { LabMeta } from './definition.ts';
import { makeShim, sidePath } from './shim.ts';

export interface SourceFiles {
  /** Repository-relative paths of every file under `prefix` (e.g. "stack/core/"). */
  list(prefix: string): string[];
  read(path: string): string;
}

/** Folders every run needs, and what to leave out of them. */
export const TREE_FOLDERS = ['stack/core/', 'stack/testing/', 'labs/kit/'];
const EXCLUDED = [/^labs\/kit\/node\//, /\.test\.ts$/];

export function buildTree(
  src: SourceFiles,
  lab: Pick<LabMeta, 'slug' | 'files' | 'tests'>,
  learnerFiles: ReadonlyMap<string, string>,
  suites: Array<'visible' | 'hidden'>,
): Map<string, string> {
  const tree = new Map<string, string>();
  for (const folder of TREE_FOLDERS) {
    for (const path of src.list(folder)) {
      if (!path.endsWith('.ts') || EXCLUDED.some((re) => re.test(path))) continue;
      tree.set(path, src.read(path));
    }
  }
  for (const file of lab.files) {
    const reference = src.read(file);
    const mine = learnerFiles.get(file);
    if (mine === undefined) throw new Error(`no learner copy of ${file} was given`);
    tree.set(file, makeShim(file, reference));
    tree.set(sidePath(file, 'reference'), reference);
    tree.set(sidePath(file, 'learner'), mine);
  }
  // The chosen suites, and the lab's own helper modules (any other .ts directly in its folder).
  const wanted = new Set(suites.map((s) => `labs/${lab.slug}/${lab.tests[s]}`));
  const suiteFiles = new Set(Object.values(lab.tests).map((f) => `labs/${lab.slug}/${f}`));
  for (const path of src.list(`labs/${lab.slug}/`)) {
    const direct = path.split('/').length === 3 && path.endsWith('.ts');
    if (direct && (wanted.has(path) || !suiteFiles.has(path))) tree.set(path, src.read(path));
  }
  for (const path of wanted) if (!tree.has(path)) throw new Error(`${path} does not exist`);
  return tree;
}
