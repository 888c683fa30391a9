import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { measurePage } from '../scripts/measure-js.ts';

const dist = mkdtempSync(join(tmpdir(), 'measure-js-'));
afterAll(() => rmSync(dist, { recursive: true, force: true }));

function put(path: string, content: string): void {
  mkdirSync(join(dist, path, '..'), { recursive: true });
  writeFileSync(join(dist, path), content);
}

const entry = 'import{a}from"./shared.js";const s=()=>import(`./lazy.js`);a(s);';
const shared = 'export const a=(f)=>f;'.repeat(20);
const lazy = 'import"./lazy-dep.js";export const lazy=1;';
const lazyDep = 'export const dep=2;';
const inline = 'document.documentElement.dataset.theme="dark";';
put('_astro/entry.js', entry);
put('_astro/shared.js', shared);
put('_astro/lazy.js', lazy);
put('_astro/lazy-dep.js', lazyDep);
put('_astro/island.js', 'export default 1;');
put(
  'chapters/x/index.html',
  `<html><head><script>${inline}</script><script type="application/json">{"not":"code"}</script></head>` +
    `<body><astro-island component-url="/_astro/island.js"></astro-island><script type="module" src="/_astro/entry.js"></script></body></html>`,
);
put('broken/index.html', '<script type="module" src="/_astro/missing.js"></script>');

describe('measure-js', () => {
  it('counts entry scripts, their static imports, islands and inline scripts, gzipped file by file', () => {
    const weight = measurePage(dist, join(dist, 'chapters/x/index.html'));
    expect(weight.page).toBe('/chapters/x/index.html');
    expect(weight.files).toEqual(['/_astro/entry.js', '/_astro/island.js', '/_astro/shared.js']);
    expect(weight.inlineScripts).toBe(1);
    const expected = [entry, shared, 'export default 1;', inline].reduce((sum, code) => sum + gzipSync(code).length, 0);
    expect(weight.gzipBytes).toBe(expected);
  });

  it('reports dynamic imports and what they pull in as lazy, not as page weight', () => {
    const weight = measurePage(dist, join(dist, 'chapters/x/index.html'));
    expect(weight.lazyFiles).toEqual(['/_astro/lazy-dep.js', '/_astro/lazy.js']);
    expect(weight.lazyGzipBytes).toBe(gzipSync(lazy).length + gzipSync(lazyDep).length);
  });

  it('fails loudly when a page references a script that is not in the build', () => {
    expect(() => measurePage(dist, join(dist, 'broken/index.html'))).toThrow(/missing\.js/);
  });
});
