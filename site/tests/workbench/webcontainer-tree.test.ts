// "The exact tree the WebContainer runner would mount, written to disk, passes the visible tests
// with the solution and fails them with the starter under real Node and npm."
//
// The disk is built from what the page mounts: the toolchain snapshot the build serves
// (site/scripts/webcontainer-toolchain.ts — vitest 4, vite 7, esbuild-wasm, @rollup/wasm-node,
// installed from site/webcontainer's lockfile) unpacked byte for byte, then the lab's tree (the
// object served at /lab-data/<lab>/webcontainer.json), then the learner's file where the runner
// writes it. Node runs with --no-addons, as it does inside a WebContainer.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerTree, labExists, readLab } from '../../lib/workbench/lab-data.ts';
import { toFileSystemTree, containerPackageJson, TOOLCHAIN } from '../../lib/workbench/webcontainer-tree.ts';
import { writeLabTree } from '../../scripts/webcontainer-tree.ts';
import { buildToolchainSnapshot, toolchainProblems } from '../../scripts/webcontainer-toolchain.ts';

const LABS = ['handshake', 'teardown', 'syn-flood', 'queues', 'keepalive'].filter(labExists);

describe('toFileSystemTree', () => {
  it('nests paths into directories and refuses unclean or clashing paths', () => {
    expect(toFileSystemTree(new Map([['a/b.ts', 'x'], ['a/c/d.ts', 'y'], ['e.json', 'z']]))).toEqual({
      a: { directory: { 'b.ts': { file: { contents: 'x' } }, c: { directory: { 'd.ts': { file: { contents: 'y' } } } } } },
      'e.json': { file: { contents: 'z' } },
    });
    expect(() => toFileSystemTree(new Map([['../x.ts', '']]))).toThrow(/not a clean relative path/);
    expect(() => toFileSystemTree(new Map([['a', ''], ['a/b', '']]))).toThrow(/both a file and a folder/);
  });

  it('pins the in-container toolchain: vite 7, not 8, and WebAssembly esbuild/rollup', () => {
    const pkg = JSON.parse(containerPackageJson('handshake'));
    expect(pkg.devDependencies.vite).toMatch(/^7\./);
    expect(pkg.devDependencies.vitest).toMatch(/^4\./);
    expect(pkg.overrides.esbuild).toBe('npm:esbuild-wasm@0.28.2');
    expect(pkg.engines.node).toBe(TOOLCHAIN.node);
  });
});

describe('toolchainProblems', () => {
  it('names native addons, symbolic links, native esbuild/rollup and vite 8', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wc-toolchain-'));
    try {
      const pkg = (name: string, manifest: object) => {
        mkdirSync(join(dir, 'node_modules', name), { recursive: true });
        writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify(manifest));
      };
      pkg('esbuild', { name: 'esbuild', version: '0.28.2' });
      pkg('rollup', { name: '@rollup/wasm-node', version: '4.68.4' });
      pkg('vite', { name: 'vite', version: '8.0.0' });
      writeFileSync(join(dir, 'node_modules', 'rollup', 'binding.node'), '');
      symlinkSync('../vite', join(dir, 'node_modules', 'vite-link'));
      const problems = toolchainProblems(dir).join('\n');
      expect(problems).toMatch(/native addon .*rollup\/binding\.node/);
      expect(problems).toMatch(/symbolic link .*vite-link/);
      expect(problems).toMatch(/node_modules\/esbuild is esbuild, not esbuild-wasm/);
      expect(problems).toMatch(/vite is 8\.0\.0; the container needs vite 7/);
      expect(problems).not.toMatch(/rollup is/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function npmRun(dir: string, script: 'test' | 'submit') {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', FORCE_COLOR: '0', NODE_OPTIONS: '--no-addons' };
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  const result = spawnSync('npm', ['run', script], { cwd: dir, encoding: 'utf8', timeout: 120_000, env });
  const output = `${result.stdout}\n${result.stderr}`;
  let results: { status?: string } = {};
  try {
    results = JSON.parse(readFileSync(join(dir, '.results', `${script === 'submit' ? 'hidden' : 'visible'}.json`), 'utf8'));
  } catch {
    // No results file: the assertions below print the output.
  }
  return { status: result.status, output, results };
}

describe('the mounted tree under real Node and npm', () => {
  it('is what the site serves: every stack file, the kit, both suites and the npm project', () => {
    const tree = containerTree('handshake');
    expect(Object.keys(tree)).toEqual(expect.arrayContaining(['package.json', 'vitest.config.ts', 'lab-run.ts', 'lab.visible.test.ts', 'stack', 'labs']));
    const tcp = (tree.stack as { directory: Record<string, { directory: Record<string, unknown> }> }).directory.core.directory.tcp as { directory: Record<string, { file: { contents: string } }> };
    expect(tcp.directory['handshake.learner.ts'].file.contents).toContain("notImplemented('handshake/1:");
    expect(tcp.directory['handshake.ts'].file.contents).toContain('Generated by labs/kit/shim.ts');
    expect(readLab('handshake').files).toEqual(['stack/core/tcp/handshake.ts']);
  });

  it.each(LABS)('%s: passes the visible tests with the solution and fails them with the starter (vitest 4, esbuild-wasm, --no-addons)', async (slug) => {
    const snapshot = await buildToolchainSnapshot(() => {});
    const dirs = ['solution', 'starter'].map((name) => mkdtempSync(join(tmpdir(), `wc-${slug}-${name}-`)));
    try {
      writeLabTree(slug, dirs[0], 'solution', snapshot);
      writeLabTree(slug, dirs[1], 'starter', snapshot);
      const solved = npmRun(dirs[0], 'test');
      expect(solved.results.status, solved.output.slice(-3000)).toBe('pass');
      expect(solved.status, solved.output.slice(-3000)).toBe(0);
      expect(solved.output).toMatch(/vitest\/4\.|v4\.\d+\.\d+/);
      const starter = npmRun(dirs[1], 'test');
      expect(starter.status).not.toBe(0);
      expect(starter.results.status, starter.output.slice(-3000)).toBe('fail');
      expect(starter.output).toMatch(new RegExp(`not implemented yet: ${slug}/1`));
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
