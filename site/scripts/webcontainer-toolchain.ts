// Prepares the WebContainer runner's test toolchain at build time, so learners never run
// `npm install` in the browser: installs site/webcontainer's locked toolchain (vitest 4, vite 7,
// esbuild and rollup as their WebAssembly builds) into .cache/webcontainer-toolchain, checks it
// would load in a WebContainer, and packs it with @webcontainer/snapshot into
// .cache/webcontainer-toolchain.bin.gz, which the build serves and the page mounts.
//
//   npx tsx site/scripts/webcontainer-toolchain.ts              (fails loudly)
//   npx tsx site/scripts/webcontainer-toolchain.ts --if-possible (what `npm run build` runs: a
//       machine that cannot reach the registry still builds, with the WebContainer runner off)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ROOT, toolchainSnapshotPath } from '../lib/workbench/lab-data.ts';

export const TOOLCHAIN_PROJECT = join(ROOT, 'site', 'webcontainer');
export const TOOLCHAIN_DIR = join(ROOT, '.cache', 'webcontainer-toolchain');

/**
 * What a WebContainer cannot load. Its Node runs with addons disabled, so a `.node` file means a
 * package that will fail at import; @webcontainer/snapshot refuses symbolic links; and vite must
 * find the WebAssembly builds under the names it imports.
 */
export function toolchainProblems(dir: string): string[] {
  const problems: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const entry = join(path, name);
      const stat = lstatSync(entry);
      if (stat.isSymbolicLink()) problems.push(`symbolic link (snapshots cannot hold one): ${relative(dir, entry)}`);
      else if (stat.isDirectory()) walk(entry);
      else if (name.endsWith('.node')) problems.push(`native addon (WebContainers disable addons): ${relative(dir, entry)}`);
    }
  };
  walk(join(dir, 'node_modules'));
  const wanted: Record<string, string> = { esbuild: 'esbuild-wasm', rollup: '@rollup/wasm-node' };
  for (const [as, real] of Object.entries(wanted)) {
    const manifest = join(dir, 'node_modules', as, 'package.json');
    const name = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name : undefined;
    if (name !== real) problems.push(`node_modules/${as} is ${name ?? 'missing'}, not ${real}`);
  }
  const vite = join(dir, 'node_modules', 'vite', 'package.json');
  const viteVersion = existsSync(vite) ? (JSON.parse(readFileSync(vite, 'utf8')) as { version: string }).version : 'missing';
  // Vite 8's Rolldown cannot load its binding inside WebContainers (webcontainer-core #2142, #2170).
  if (!viteVersion.startsWith('7.')) problems.push(`vite is ${viteVersion}; the container needs vite 7`);
  return problems;
}

/** A digest of what the install depends on, so an unchanged lockfile is not installed twice. */
function stamp(): string {
  const hash = createHash('sha256');
  for (const name of ['package.json', 'package-lock.json']) hash.update(readFileSync(join(TOOLCHAIN_PROJECT, name)));
  hash.update(TOOLCHAIN_FORMAT);
  return hash.digest('hex');
}
// Bump when the way the snapshot is made changes (flags, pruning, compression).
const TOOLCHAIN_FORMAT = 'npm ci --no-bin-links --omit=optional; gzip; v1';

function stampPath(): string {
  return `${toolchainSnapshotPath()}.stamp`;
}

/** Installs the locked toolchain into TOOLCHAIN_DIR (node_modules as the container will see it). */
export function installToolchain(log: (line: string) => void = console.log): string {
  const marker = join(TOOLCHAIN_DIR, '.installed');
  const want = stamp();
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return TOOLCHAIN_DIR;
  rmSync(TOOLCHAIN_DIR, { recursive: true, force: true });
  mkdirSync(TOOLCHAIN_DIR, { recursive: true });
  for (const name of ['package.json', 'package-lock.json']) copyFileSync(join(TOOLCHAIN_PROJECT, name), join(TOOLCHAIN_DIR, name));
  log('webcontainer toolchain: npm ci (vitest 4, vite 7, esbuild-wasm, @rollup/wasm-node)…');
  // --no-bin-links: .bin entries are symbolic links, which snapshots cannot hold (the lab's npm
  // scripts call vitest by path instead). --ignore-scripts: esbuild-wasm needs no postinstall.
  // The npm that runs `npm run build` (npm_execpath), so this works where `npm` is npm.cmd.
  const args = ['ci', '--ignore-scripts', '--no-bin-links', '--omit=optional', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
  const npm = process.env.npm_execpath;
  const install = npm ? spawnSync(process.execPath, [npm, ...args], { cwd: TOOLCHAIN_DIR, encoding: 'utf8' }) : spawnSync('npm', args, { cwd: TOOLCHAIN_DIR, encoding: 'utf8', shell: process.platform === 'win32' });
  if (install.status !== 0) {
    const output = `${install.stdout ?? ''}${install.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
    throw new Error(`npm ci of the WebContainer toolchain failed (exit ${install.status ?? install.signal ?? install.error?.message}):\n${output}`);
  }
  const problems = toolchainProblems(TOOLCHAIN_DIR);
  if (problems.length > 0) throw new Error(`the toolchain would not run in a WebContainer:\n  ${problems.join('\n  ')}`);
  writeFileSync(marker, want);
  return TOOLCHAIN_DIR;
}

/** The gzip-compressed @webcontainer/snapshot of TOOLCHAIN_DIR's node_modules; made once per lockfile. */
export async function buildToolchainSnapshot(log: (line: string) => void = console.log): Promise<string> {
  const out = toolchainSnapshotPath();
  const want = stamp();
  if (existsSync(out) && existsSync(stampPath()) && readFileSync(stampPath(), 'utf8') === want) {
    log(`webcontainer toolchain: up to date (${out})`);
    return out;
  }
  installToolchain(log);
  // Only node_modules goes in: the lab tree brings its own package.json.
  const staging = join(TOOLCHAIN_DIR, '.snapshot');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(join(TOOLCHAIN_DIR, 'node_modules'), join(staging, 'node_modules'), { recursive: true });
  rmSync(join(staging, 'node_modules', '.package-lock.json'), { force: true });
  const { snapshot } = await import('@webcontainer/snapshot');
  const raw = await snapshot(staging);
  rmSync(staging, { recursive: true, force: true });
  // Gzip here rather than trust the host: static hosts seldom compress application/octet-stream,
  // and the page inflates it with DecompressionStream.
  const packed = gzipSync(raw, { level: 9 });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, packed);
  writeFileSync(stampPath(), want);
  log(`webcontainer toolchain: ${out} (${mb(raw.byteLength)} snapshot, ${mb(packed.byteLength)} gzipped)`);
  return out;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const ifPossible = process.argv.includes('--if-possible');
  try {
    await buildToolchainSnapshot();
  } catch (error) {
    if (!ifPossible) throw error;
    // A stale snapshot would mount a toolchain the lockfile no longer describes.
    rmSync(toolchainSnapshotPath(), { force: true });
    console.warn(
      `webcontainer toolchain: not built — ${(error as Error).message}\n` +
        'The site still builds; lab pages use the course server or the in-browser worker instead of a WebContainer.',
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
