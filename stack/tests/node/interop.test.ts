/**
 * The stack against the Linux kernel's own TCP, over a TUN device in a network namespace of its
 * own (`npm run interop`). Part of `npm test` wherever it can run: it needs root, /dev/net/tun,
 * ip and socat (CI installs them); elsewhere the interop command says why it skipped.
 */
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..', '..');
const canRun =
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  existsSync('/dev/net/tun') &&
  spawnSync('socat', ['-V']).status === 0 &&
  spawnSync('ip', ['-V']).status === 0;

it.runIf(canRun)('npm run interop: kernel ⇄ stack in a private namespace — every check passes', () => {
  const r = spawnSync(join(repo, 'node_modules', '.bin', 'tsx'), [join(repo, 'stack/node/interop.ts')], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  expect(out, out).toMatch(/^\d+ passed, 0 failed$/m);
  expect(r.status, out).toBe(0);
}, 300_000);

it.skipIf(canRun)('npm run interop reports why it cannot run here', () => {
  const r = spawnSync(join(repo, 'node_modules', '.bin', 'tsx'), [join(repo, 'stack/node/interop.ts')], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^skipped: /m);
});
