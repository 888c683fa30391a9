// Writes the file tree the WebContainer runner mounts for a lab (the same object the site serves
// at /lab-data/<lab>/webcontainer.json) to a folder, optionally with the reference solution in
// the learner's place, so it can be run with real Node and npm:
//
//   npx tsx site/scripts/webcontainer-tree.ts --lab handshake --out /tmp/wc [--solution] [--toolchain]
//   cd /tmp/wc && npm test            # visible suite; npm run submit for the hidden one
//
// --toolchain unpacks the toolchain snapshot the build made (site/scripts/webcontainer-toolchain.ts)
// into the folder first: the same bytes the page mounts, so the folder is the container's disk.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decode } from '@msgpack/msgpack';
import { toolchainSnapshotPath } from '../lib/workbench/lab-data.ts';
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

// @webcontainer/snapshot's format: msgpack of { d: { <name>: { d: {...} } | { f: { c: bytes } } } }.
type SnapshotFolder = Record<string, { d: SnapshotFolder } | { f: { c: Uint8Array } }>;

function writeSnapshotFolder(folder: SnapshotFolder, dir: string): number {
  let count = 0;
  mkdirSync(dir, { recursive: true });
  for (const [name, node] of Object.entries(folder)) {
    if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new Error(`snapshot holds an unsafe name: "${name}"`);
    if ('d' in node) count += writeSnapshotFolder(node.d, join(dir, name));
    else {
      writeFileSync(join(dir, name), node.f.c);
      count++;
    }
  }
  return count;
}

/** Unpacks a gzipped @webcontainer/snapshot (the toolchain the page mounts) into a folder. */
export function writeSnapshot(path: string, dir: string): number {
  const root = decode(gunzipSync(readFileSync(path))) as { d?: SnapshotFolder };
  if (!root || typeof root !== 'object' || !root.d) throw new Error(`${path} is not a WebContainer snapshot`);
  return writeSnapshotFolder(root.d, dir);
}

/** The tree as mounted, then the learner's files written where the runner writes them. */
export function writeLabTree(slug: string, dir: string, learner: 'starter' | 'solution', toolchain?: string): number {
  if (toolchain) writeSnapshot(toolchain, dir);
  const count = writeFileSystemTree(containerTree(slug), dir);
  if (learner === 'solution') {
    for (const [file, text] of Object.entries(solution(slug))) {
      const path = join(dir, learnerPath(file));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
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
    console.error('usage: tsx site/scripts/webcontainer-tree.ts --lab <slug> --out <dir> [--solution] [--toolchain]');
    process.exit(2);
  }
  readLab(lab); // a clear error for an unknown or malformed lab
  const count = writeLabTree(lab, out, argv.includes('--solution') ? 'solution' : 'starter', argv.includes('--toolchain') ? toolchainSnapshotPath() : undefined);
  console.log(`wrote ${count} files to ${out}`);
}

if (process.argv[1]?.endsWith('webcontainer-tree.ts')) main(process.argv.slice(2));
