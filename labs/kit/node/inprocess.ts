/**
 * Runs a lab's suite in this process on a freshly written tree (each tree is its own module graph,
 * so the reference, the starter and each known-wrong version never share module state). Only for
 * code we wrote ourselves — reference, starters, known-wrong versions; learner code goes through
 * ./sandbox.ts.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LabDefinition } from '../definition.ts';
import type { ResultsDocument, RunOptions } from '../index.ts';
import { loadSuite } from '../load-suite.ts';
import { buildTree } from '../tree.ts';
import { removeDir, repoFiles, runDir, writeTree } from './repo.ts';

export interface LoadedTree {
  dir: string;
  run(seed: number, options?: Omit<RunOptions, 'seed'>): ResultsDocument;
  dispose(): void;
}

export async function loadTree(def: LabDefinition, files: ReadonlyMap<string, string>, suite: 'visible' | 'hidden', label: string): Promise<LoadedTree> {
  const dir = runDir(`${def.slug}-${label}`);
  try {
    writeTree(dir, buildTree(repoFiles, def, files, [suite]));
    const loaded = await loadSuite((p) => import(pathToFileURL(join(dir, ...p.split('/'))).href), def, suite);
    return {
      dir,
      run: (seed, options = {}) => loaded.run({ ...options, seed }),
      dispose: () => removeDir(dir),
    };
  } catch (err) {
    removeDir(dir);
    throw err;
  }
}

export async function runInProcess(def: LabDefinition, files: ReadonlyMap<string, string>, suite: 'visible' | 'hidden', seeds: number[], label: string): Promise<ResultsDocument[]> {
  const tree = await loadTree(def, files, suite, label);
  try {
    return seeds.map((s) => tree.run(s));
  } finally {
    tree.dispose();
  }
}
