/**
 * `npm start [-- flags]`: build the site only when its sources changed since the last build (a
 * content digest, see build-stamp.ts), then serve it with the course server.
 *
 *   npm start                       build if needed, serve on http://127.0.0.1:4321
 *   npm start -- --rebuild          build even if dist/ looks current
 *   npm start -- --port 4401 ...    every other flag goes to the server (site/server/serve.ts)
 *
 * The server's flags are checked and its port is tried before any build, so a typo or a busy port
 * is reported at once rather than after a minute of building.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { buildInputsDigest, staleReason, writeStamp } from './build-stamp.ts';
import { busyPortMessage, parseServeArgs, startServer } from '../server/serve.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

function portFree(port: number, host: string): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => done(error.code !== 'EADDRINUSE'));
    probe.listen(port, host, () => probe.close(() => done(true)));
  });
}

function build(): boolean {
  // The npm that runs `npm start` runs the build too (npm.cmd on Windows, a pinned npm elsewhere).
  const npm = process.env.npm_execpath;
  const result = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: ROOT, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  return result.status === 0;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rebuild = argv.includes('--rebuild');
  const serveArgv = argv.filter((a) => a !== '--rebuild');
  let args;
  try {
    args = parseServeArgs(serveArgv);
  } catch (error) {
    console.error(`${(error as Error).message}\n(npm start also takes --rebuild: build even when dist/ is current)`);
    process.exit(2);
  }
  if (!(await portFree(args.port, args.host))) {
    console.error(busyPortMessage(args.port));
    process.exit(1);
  }
  const dist = resolve(ROOT, args.dist);
  const digest = buildInputsDigest(ROOT);
  const reason = rebuild ? '--rebuild' : staleReason(ROOT, dist, digest);
  if (reason) {
    console.log(`building the course (${reason}) …`);
    if (!build()) {
      console.error('the build failed (see above); nothing is served');
      process.exit(1);
    }
    writeStamp(ROOT, digest);
  } else {
    console.log('the build is current (sources unchanged since the last build; --rebuild forces one)');
  }
  startServer(serveArgv);
}

void main();
