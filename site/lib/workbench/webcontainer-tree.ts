/**
 * The file tree the WebContainer runner mounts for a lab: the kit's run tree (labs/kit/tree.ts:
 * stack, test kit, dispatchers, both suites) plus a small npm project around it whose `npm test`
 * runs the visible suite under vitest and `npm run submit` the hidden one, each leaving the
 * results document in `.results/<suite>.json` for the runner to read. The same tree, written to
 * disk, is what the "exact tree passes under real Node and npm" check runs.
 *
 * The toolchain is pinned to what works inside WebContainers as of late 2026: vitest 4 with
 * vite 7 (Vite 8's Rolldown cannot load its binding there), esbuild and rollup replaced by their
 * WebAssembly builds because native addons are disabled in the container.
 */
import { buildTree, type SourceFiles } from '../../../labs/kit/tree.ts';
import { labMeta, type LabMeta } from '../../../labs/kit/definition.ts';
import { suitePath } from '../../../labs/kit/load-suite.ts';
import type { FileSystemTree } from './webcontainer-runner.ts';
import toolchainProject from '../../webcontainer/package.json' with { type: 'json' };

// The pin lives in site/webcontainer/package.json, whose lockfile the build installs and
// snapshots (site/scripts/webcontainer-toolchain.ts); the lab's package.json repeats it so an
// `npm install` typed in the container's shell resolves the same versions.
export const TOOLCHAIN = {
  // WebContainers read engines.node to pick their Node (22 is opt-in there as of 2026).
  node: '22.22.0',
  devDependencies: toolchainProject.devDependencies,
  overrides: toolchainProject.overrides,
} as const;

/**
 * vitest by path, not `vitest`: the snapshot holds no node_modules/.bin (its entries are symbolic
 * links, which @webcontainer/snapshot cannot carry).
 */
const VITEST = 'node node_modules/vitest/vitest.mjs';

export function containerPackageJson(slug: string): string {
  return `${JSON.stringify(
    {
      name: `tcp-course-lab-${slug}`,
      private: true,
      type: 'module',
      engines: { node: TOOLCHAIN.node },
      scripts: { test: `${VITEST} run lab.visible.test.ts`, submit: `${VITEST} run lab.hidden.test.ts` },
      devDependencies: TOOLCHAIN.devDependencies,
      overrides: TOOLCHAIN.overrides,
    },
    null,
    2,
  )}\n`;
}

const VITEST_CONFIG = `import { defineConfig } from 'vitest/config';

// One fork: a WebContainer tab has a few hundred MB to spare, and the suites are small.
export default defineConfig({
  test: { include: ['lab.*.test.ts'], pool: 'forks', maxWorkers: 1, fileParallelism: false, testTimeout: 60_000 },
});
`;

function labRunModule(lab: LabMeta): string {
  const meta = JSON.stringify(labMeta(lab));
  const module = (path: string) => `  ${JSON.stringify(path)}: () => import(${JSON.stringify(`./${path}`)}),\n`;
  return `// Runs one suite of the lab with labs/kit (its loader: kit, beginSuite, the suite, runSuite),
// saves the results document for the workbench, and reports each test to vitest so \`npm test\`
// in the terminal reads like any test run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { test } from 'vitest';
import { loadSuite } from './labs/kit/load-suite.ts';

const lab = ${meta};
// The tree's modules the loader asks for, by repository path, with static specifiers so vite
// resolves them without guessing at a template.
const modules: Record<string, () => Promise<unknown>> = {
${module('labs/kit/index.ts')}${module(suitePath(lab, 'visible'))}${module(suitePath(lab, 'hidden'))}};

export async function runLabSuite(suite: 'visible' | 'hidden'): Promise<void> {
  const loaded = await loadSuite((path) => modules[path]?.() ?? Promise.reject(new Error(\`\${path} is not in this tree\`)), lab, suite);
  const doc = loaded.run({ seed: 1 });
  mkdirSync('.results', { recursive: true });
  writeFileSync(\`.results/\${suite}.json\`, JSON.stringify(doc));
  if (doc.tests.length === 0) test(\`\${suite} suite\`, () => { throw new Error(doc.message ?? 'no tests'); });
  for (const t of doc.tests) {
    test(\`task \${t.task_id} · \${t.name}\`, () => {
      if (t.status === 'pass') return;
      const error = new Error(t.report ?? t.message ?? 'failed');
      error.stack = error.message;
      throw error;
    });
  }
}
`;
}

/** Every file of the container project, by path. */
export function containerFiles(
  src: SourceFiles,
  lab: LabMeta,
  learnerFiles: ReadonlyMap<string, string>,
  suites: Array<'visible' | 'hidden'> = ['visible', 'hidden'],
): Map<string, string> {
  const files = buildTree(src, lab, learnerFiles, suites);
  files.set('package.json', containerPackageJson(lab.slug));
  files.set('.nvmrc', `v${TOOLCHAIN.node}\n`);
  files.set('vitest.config.ts', VITEST_CONFIG);
  files.set('lab-run.ts', labRunModule(lab));
  files.set('lab.visible.test.ts', "import { runLabSuite } from './lab-run.ts';\n\nawait runLabSuite('visible');\n");
  files.set('lab.hidden.test.ts', "import { runLabSuite } from './lab-run.ts';\n\nawait runLabSuite('hidden');\n");
  return files;
}

/** Paths → the nested `FileSystemTree` that `WebContainer.mount` takes. */
export function toFileSystemTree(files: ReadonlyMap<string, string>): FileSystemTree {
  const root: FileSystemTree = {};
  for (const [path, contents] of files) {
    const parts = path.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`not a clean relative path: "${path}"`);
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      const entry = (dir[part] ??= { directory: {} });
      if (!('directory' in entry)) throw new Error(`"${path}": ${part} is both a file and a folder`);
      dir = entry.directory;
    }
    const name = parts[parts.length - 1];
    if (dir[name]) throw new Error(`"${path}" appears twice`);
    dir[name] = { file: { contents } };
  }
  return root;
}
