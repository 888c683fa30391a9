// Writes the file tree the WebContainer runner mounts for a lab (the same object the site serves
// at /lab-data/<lab>/webcontainer.json) to a folder, optionally with the reference solution in
// the learner's place, so it can be run with real Node and npm:
//
//   npx tsx site/scripts/webcontainer-tree.ts --lab handshake --out /tmp/wc [--solution] [--node-modules DIR]
//   cd /tmp/wc && npm test            # visible suite; npm run submit for the hidden one
//
// --node-modules links an installed toolchain into the tree (the in-container one is pinned in
// site/lib/workbench/webcontainer-tree.ts; without it, link any node_modules that has vitest).
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { containerTree, readLab, solution } from '../lib/workbench/lab-data.ts';
import { learnerPath } from '../lib/workbench/worker-grade.ts';
import type { FileSystemTree } from '../lib/workbench/webcontainer-runner.ts';

export function writeFileSystemTree(tree: FileSystemTree, dir: string): number {
  let count = 0;
  mkdirSync(dir, { recursive: true });
  for (const [name, node] of Object.entries(tree)) {
    const path = join(dir, name);
    if ('directory' in node) count += writeFileSystemTree(node.directory, path);
    else {
      writeFileSync(path, node.file.contents);
      count++;
    }
  }
  return count;
}

/** The tree as mounted, then the learner's files written where the runner writes them. */
export function writeLabTree(slug: string, dir: string, learner: 'starter' | 'solution', nodeModules?: string): number {
  const count = writeFileSystemTree(containerTree(slug), dir);
  if (learner === 'solution') {
    for (const [file, text] of Object.entries(solution(slug))) {
      const path = join(dir, learnerPath(file));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  if (nodeModules) symlinkSync(resolve(nodeModules), join(dir, 'node_modules'), 'dir');
  return count;
}

function main(argv: string[]): void {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const lab = value('--lab');
  const out = value('--out');
  if (!lab || !out) {
    console.error('usage: tsx site/scripts/webcontainer-tree.ts --lab <slug> --out <dir> [--solution] [--node-modules <dir>]');
    process.exit(2);
  }
  readLab(lab); // a clear error for an unknown or malformed lab
  const count = writeLabTree(lab, out, argv.includes('--solution') ? 'solution' : 'starter', value('--node-modules'));
  console.log(`wrote ${count} files to ${out}`);
}

if (process.argv[1]?.endsWith('webcontainer-tree.ts')) main(process.argv.slice(2));
