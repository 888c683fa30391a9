/**
 * The copies of a lab's run data that the course server hands out while it grades (see
 * site/server/lab-data-policy.ts): every lab region of every stack file reduced to its stub, so
 * neither this lab's reference nor another lab's is in them, and no hidden suite. The `_` keeps
 * this module out of Astro's routes.
 *
 * What that costs a learner who forces the in-browser worker (?runner=worker) on a grading
 * server: its visible run uses stubs wherever a fixture would have run another lab's reference,
 * so some visible tests fail there that pass on the server. The page uses the server runner on
 * such a server, so this is only the fallback.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildTree, type SourceFiles } from '../../../labs/kit/tree.ts';
import { sidePath } from '../../../labs/kit/shim.ts';
import { compileModule, displayText, labDir, readLab, readRepoFile, repoSources, ROOT } from '../../lib/workbench/lab-data.ts';
import { containerFiles, toFileSystemTree } from '../../lib/workbench/webcontainer-tree.ts';
import type { FileSystemTree } from '../../lib/workbench/webcontainer-runner.ts';
import type { LabDefinition } from '../../../labs/kit/definition.ts';

/** The repository as a learner may see it: stack files with every lab region stubbed. */
export const stubbedSources: SourceFiles = {
  list: repoSources.list,
  read: (path) => (path.startsWith('stack/') ? displayText(path, readRepoFile(path)) : readRepoFile(path)),
};

function startersOf(lab: LabDefinition): Map<string, string> {
  return new Map(lab.files.map((file) => [file, stubbedSources.read(file)]));
}

function visibleSuites(lab: LabDefinition): Array<'visible'> {
  return existsSync(join(ROOT, labDir(lab.slug), lab.tests.visible)) ? ['visible'] : [];
}

/** The worker's visible module map without any reference code (the learner's copy added at run time). */
export function serverSafeModules(slug: string): Record<string, string> {
  const lab = readLab(slug);
  const tree = buildTree(stubbedSources, lab, startersOf(lab), visibleSuites(lab));
  const out: Record<string, string> = {};
  for (const [path, text] of tree) {
    if (lab.files.some((file) => path === sidePath(file, 'learner'))) continue;
    out[path] = compileModule(path, text);
  }
  return out;
}

/** The WebContainer tree with starters and the visible suite only. */
export function serverSafeContainerTree(slug: string): FileSystemTree {
  const lab = readLab(slug);
  return toFileSystemTree(containerFiles(stubbedSources, lab, startersOf(lab), visibleSuites(lab)));
}
