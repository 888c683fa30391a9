/** `npm start`: the Node check that runs first, the build stamp that skips a current build, the busy-port advice. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildInputsDigest, staleReason, writeStamp } from '../scripts/build-stamp.ts';
import { busyPortMessage } from '../server/serve.ts';

const CHECK = resolve(import.meta.dirname, '..', 'scripts', 'check-node.cjs');
const root = mkdtempSync(join(tmpdir(), 'build-stamp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function oldNode(): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    if (Number(version.split('.')[0]) < 22) return candidate;
  }
  return null;
}

describe('check-node.cjs', () => {
  it('passes on this Node (the one running the tests)', () => {
    const r = spawnSync(process.execPath, [CHECK], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.skipIf(!oldNode())('on an older Node (here /usr/bin/node) names the Node needed and stops at once (skipped without one)', () => {
    const r = spawnSync(oldNode()!, [CHECK], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    // The version named is package.json's engines.node, the one place the minimum is kept.
    const wanted = /^>=(\d+\.\d+\.\d+)$/.exec(JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).engines.node)![1]!;
    expect(r.stderr).toContain(`This course needs Node ${wanted} or newer`);
    expect(r.stderr).toMatch(/; this is Node \d+\./);
  });
});

describe('build stamp', () => {
  const file = (rel: string, text: string): void => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  file('site/pages/index.astro', '<h1>course</h1>');
  file('content/chapters/handshake.mdx', '# handshake');
  file('stack/core/seq.ts', 'export const x = 1;');
  file('stack/tests/seq.test.ts', 'test');
  file('package-lock.json', '{}');
  const dist = join(root, 'dist');

  it('says why a build is needed until one has been recorded for these sources', () => {
    const digest = buildInputsDigest(root);
    expect(staleReason(root, dist, digest)).toBe('dist/index.html is missing');
    file('dist/index.html', 'built');
    expect(staleReason(root, dist, digest)).toBe('no record of which sources the last build used');
    writeStamp(root, digest);
    expect(staleReason(root, dist, digest)).toBeNull();
  });

  it('changes with a source file, not with a test, a touch or dist/ itself', () => {
    const before = buildInputsDigest(root);
    file('stack/tests/seq.test.ts', 'another test');
    file('dist/index.html', 'rebuilt');
    utimesSync(join(root, 'site/pages/index.astro'), new Date(2030, 1, 1), new Date(2030, 1, 1));
    expect(buildInputsDigest(root)).toBe(before);
    file('content/chapters/handshake.mdx', '# handshake, edited');
    const after = buildInputsDigest(root);
    expect(after).not.toBe(before);
    expect(staleReason(root, dist, after)).toBe('sources changed since the last build');
  });
});

describe('busy port', () => {
  it('names the exact npm command, with the -- npm needs before script flags', () => {
    expect(busyPortMessage(4321)).toBe('port 4321 is already in use (another npm start?); try: npm start -- --port 4322');
  });
});
