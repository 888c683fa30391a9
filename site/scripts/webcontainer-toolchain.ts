// Prepares the WebContainer runner's test toolchain at build time, so learners never run
// `npm install` in the browser: installs the pinned toolchain (vitest 4, vite 7, esbuild and
// rollup as their WebAssembly builds — see TOOLCHAIN) into .cache/webcontainer-toolchain, checks
// that no native addon slipped in (WebContainers run Node with addons disabled), and packs it with
// @webcontainer/snapshot into .cache/webcontainer-toolchain.bin, which the build then serves.
//
//   npx tsx site/scripts/webcontainer-toolchain.ts
//
// Needs the npm registry and the @webcontainer/snapshot package (a devDependency to add).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, toolchainSnapshotPath } from '../lib/workbench/lab-data.ts';
import { TOOLCHAIN } from '../lib/workbench/webcontainer-tree.ts';

function nativeAddons(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) nativeAddons(path, found);
    else if (name.endsWith('.node')) found.push(path);
  }
  return found;
}

async function main(): Promise<void> {
  const work = join(ROOT, '.cache', 'webcontainer-toolchain');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(
    join(work, 'package.json'),
    `${JSON.stringify({ name: 'tcp-course-webcontainer-toolchain', private: true, devDependencies: TOOLCHAIN.devDependencies, overrides: TOOLCHAIN.overrides }, null, 2)}\n`,
  );
  const install = spawnSync('npm', ['install', '--ignore-scripts', '--omit=optional', '--no-audit', '--no-fund'], { cwd: work, stdio: 'inherit' });
  if (install.status !== 0) throw new Error(`npm install of the toolchain failed (exit ${install.status})`);
  const addons = nativeAddons(join(work, 'node_modules'));
  if (addons.length > 0) throw new Error(`native addons would not load in a WebContainer:\n  ${addons.join('\n  ')}`);
  let snapshot: (dir: string) => Promise<Uint8Array>;
  try {
    ({ snapshot } = (await import('@webcontainer/snapshot' as string)) as { snapshot: typeof snapshot });
  } catch {
    throw new Error('@webcontainer/snapshot is not installed (add it as a devDependency: npm i -D @webcontainer/snapshot@0.1.0)');
  }
  const out = toolchainSnapshotPath();
  mkdirSync(dirname(out), { recursive: true });
  const bytes = await snapshot(work);
  writeFileSync(out, bytes);
  console.log(`toolchain snapshot: ${out} (${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB)`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
