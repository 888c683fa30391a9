/**
 * What the browser suite needs around Playwright: a built site, the course server started the way
 * `npm start` starts it (and restarted with other flags), and Debian's Chromium.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = process.cwd();
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Builds the site into a scratch folder (the shared dist/ stays as it is), unless E2E_DIST names one. */
export function builtSite(): string {
  const given = process.env.E2E_DIST;
  if (given) {
    if (!existsSync(join(given, 'index.html'))) throw new Error(`E2E_DIST=${given} has no index.html`);
    return given;
  }
  // As `npm run build` does: the toolchain snapshot first, so lab pages offer a WebContainer.
  const toolchain = spawnSync('npx', ['tsx', 'site/scripts/webcontainer-toolchain.ts'], { cwd: ROOT, encoding: 'utf8', timeout: 280_000 });
  if (toolchain.status !== 0) throw new Error(`the WebContainer toolchain could not be built:\n${(toolchain.stdout + toolchain.stderr).slice(-4000)}`);
  const out = mkdtempSync(join(tmpdir(), 'course-e2e-dist-'));
  const build = spawnSync('npx', ['astro', 'build', '--outDir', out], { cwd: ROOT, encoding: 'utf8', timeout: 280_000 });
  if (build.status !== 0) throw new Error(`astro build failed:\n${(build.stdout + build.stderr).slice(-4000)}`);
  return out;
}

/** Removes a build builtSite() made (never one named by E2E_DIST). */
export function removeBuiltSite(dir: string): void {
  if (dir !== process.env.E2E_DIST && dir.startsWith(join(tmpdir(), 'course-e2e-dist-'))) rmSync(dir, { recursive: true, force: true });
}

export interface RunningServer {
  url: string;
  /** What the server printed so far (the workshop join token, for one). */
  output(): string;
  stop(): Promise<void>;
}

/** `tsx site/server/serve.ts` — the command `npm start` runs after the build. */
export async function startServer(dist: string, port: number, extra: string[] = []): Promise<RunningServer> {
  // A workshop server keeps a record: in a scratch file unless the test names one with --db, so a
  // run of the suite leaves nothing in the repository's .workshop/.
  if (extra.includes('--workshop') && !extra.includes('--db')) extra = [...extra, '--db', join(mkdtempSync(join(tmpdir(), 'course-e2e-record-')), 'record.sqlite')];
  // Its own process group: npx → tsx → node, and stop() must end the node that holds the port.
  const child: ChildProcess = spawn('npx', ['tsx', 'site/server/serve.ts', '--dist', dist, '--port', String(port), ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  if (await fetch(`${url}/lab-data/runtime.json`).then(() => true, () => false)) {
    process.kill(-child.pid!, 'SIGTERM');
    throw new Error(`port ${port} is already in use; set E2E_PORT`);
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the course server exited (${child.exitCode}):\n${log}`);
    try {
      if ((await fetch(`${url}/lab-data/runtime.json`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the course server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    output: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGTERM');
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}
