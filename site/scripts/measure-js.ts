// Measures the JavaScript each built page loads, gzip-compressed file by file as a server sends
// it, and checks chapter pages against the course's budget (architecture.md: ≤ 50 KB gzip).
//
//   npx tsx site/scripts/measure-js.ts [--dist dist] [--json] [--budget-kb 50]
//
// Counted for a page: module scripts it references, their static imports (followed recursively),
// modulepreload links, Astro island components and renderers, and inline scripts. Not counted:
// dynamic import() targets that load only on demand (search, the review scheduler) and
// /pagefind/, which loads only when search is opened; those are listed separately as "lazy".
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface PageWeight {
  page: string;
  files: string[];
  inlineScripts: number;
  rawBytes: number;
  gzipBytes: number;
  lazyFiles: string[];
  lazyGzipBytes: number;
}

const STATIC_IMPORT = /(?:^|[;\s})])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.m?js)["']/g;
const DYNAMIC_IMPORT = /import\(\s*["'`]([^"'`]+\.m?js)["'`]\s*\)/g;

function htmlFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'pagefind') found.push(...htmlFiles(path));
    } else if (name.endsWith('.html')) {
      found.push(path);
    }
  }
  return found;
}

function gzipSize(content: string | Buffer): number {
  return gzipSync(content).length;
}

/** Site path ("/_astro/x.js") of a reference made from `fromPath` (a site path too). */
function resolveSitePath(reference: string, fromPath: string): string | null {
  if (/^(?:[a-z]+:)?\/\//i.test(reference) || reference.startsWith('data:')) return null;
  return reference.startsWith('/') ? posix.normalize(reference) : posix.normalize(posix.join(posix.dirname(fromPath), reference));
}

function attributeValues(html: string, pattern: RegExp): string[] {
  return [...html.matchAll(pattern)].map((match) => match[1].replace(/&amp;/g, '&'));
}

export function measurePage(dist: string, htmlPath: string): PageWeight {
  const html = readFileSync(htmlPath, 'utf8');
  const sitePath = `/${relative(dist, htmlPath).split('\\').join('/')}`;
  const entries = [
    ...attributeValues(html, /<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g),
    ...attributeValues(html, /<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"[^>]*>/g),
    ...attributeValues(html, /<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="modulepreload"[^>]*>/g),
    ...attributeValues(html, /\bcomponent-url="([^"]+)"/g),
    ...attributeValues(html, /\brenderer-url="([^"]+)"/g),
  ];

  const eager = new Set<string>();
  const lazy = new Set<string>();
  const queue = entries.map((entry) => resolveSitePath(entry, sitePath)).filter((path): path is string => path !== null);
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (eager.has(path)) continue;
    const file = join(dist, path);
    if (!existsSync(file)) throw new Error(`${sitePath} loads ${path}, which is not in ${dist}`);
    eager.add(path);
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(STATIC_IMPORT)) {
      const target = resolveSitePath(match[1], path);
      if (target) queue.push(target);
    }
    for (const match of code.matchAll(DYNAMIC_IMPORT)) {
      const target = resolveSitePath(match[1], path);
      if (target) lazy.add(target);
    }
  }
  // A lazily imported chunk's own static imports load with it, unless the page has them already.
  const lazyQueue = [...lazy];
  while (lazyQueue.length > 0) {
    const path = lazyQueue.shift()!;
    const file = join(dist, path);
    if (!existsSync(file)) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const target = resolveSitePath(match[1], path);
      if (target && !lazy.has(target) && !eager.has(target)) {
        lazy.add(target);
        lazyQueue.push(target);
      }
    }
  }
  for (const path of eager) lazy.delete(path);

  const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)(?![^>]*type="application\/(?:ld\+)?json")[^>]*>([\s\S]*?)<\/script>/g)]
    .map((match) => match[1])
    .filter((code) => code.trim() !== '');

  let rawBytes = 0;
  let gzipBytes = 0;
  for (const path of eager) {
    const content = readFileSync(join(dist, path));
    rawBytes += content.length;
    gzipBytes += gzipSize(content);
  }
  for (const code of inline) {
    rawBytes += Buffer.byteLength(code);
    gzipBytes += gzipSize(code);
  }
  let lazyGzipBytes = 0;
  for (const path of lazy) {
    const file = join(dist, path);
    if (existsSync(file)) lazyGzipBytes += gzipSize(readFileSync(file));
  }
  return { page: sitePath, files: [...eager].sort(), inlineScripts: inline.length, rawBytes, gzipBytes, lazyFiles: [...lazy].sort(), lazyGzipBytes };
}

export function measureSite(dist: string): PageWeight[] {
  if (!existsSync(dist)) throw new Error(`${dist} does not exist: run the build first (npx astro build)`);
  return htmlFiles(dist)
    .map((file) => measurePage(dist, file))
    .sort((a, b) => a.page.localeCompare(b.page));
}

function kb(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

function main(argv: string[]): number {
  const option = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const dist = resolve(option('--dist') ?? 'dist');
  const budgetKb = Number(option('--budget-kb') ?? 50);
  if (!Number.isFinite(budgetKb) || budgetKb <= 0) {
    console.error(`--budget-kb must be a positive number (got ${option('--budget-kb')})`);
    return 2;
  }
  const pages = measureSite(dist);
  const overBudget = pages.filter((page) => page.page.startsWith('/chapters/') && page.gzipBytes > budgetKb * 1024);

  if (argv.includes('--json')) {
    console.log(JSON.stringify({ budgetKb, pages, overBudget: overBudget.map((page) => page.page) }, null, 2));
  } else {
    const rows = pages.map((page) => [
      page.page,
      String(page.files.length + page.inlineScripts),
      kb(page.rawBytes),
      kb(page.gzipBytes),
      kb(page.lazyGzipBytes),
      page.page.startsWith('/chapters/') ? (page.gzipBytes > budgetKb * 1024 ? 'OVER' : 'ok') : '',
    ]);
    const header = ['page', 'scripts', 'raw KB', 'gzip KB', 'lazy gzip KB', `≤ ${budgetKb} KB`];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
    console.log(line(header));
    console.log(widths.map((width) => '-'.repeat(width)).join('  '));
    for (const row of rows) console.log(line(row));
  }
  if (overBudget.length > 0) {
    console.error(`Over the ${budgetKb} KB chapter budget: ${overBudget.map((page) => `${page.page} (${kb(page.gzipBytes)} KB)`).join(', ')}`);
    return 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('measure-js.ts')) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
  }
}
