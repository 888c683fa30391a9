/**
 * Brotli and gzip copies of dist/'s text assets, made once at build time so the course server
 * (site/server/static-files.ts) and nginx (`brotli_static`/`gzip_static`) send them without
 * compressing per request. Monaco's TypeScript worker goes from 6.9 MB to about 1.2 MB.
 *
 *   tsx site/scripts/precompress.ts [dist]      (the last step of `npm run build`)
 *
 * A copy is written only when it saves at least 5 %; already-compressed formats are left alone.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.xml', '.map', '.wasm', '.ttf', '.ts', '.md']);
const MIN_BYTES = 1024;
/** Bump when the settings below change, so cached copies made with old ones are not reused. */
const CACHE_FORMAT = 'br q11<64K q6; gz 9; v1';

export interface PrecompressReport {
  files: number;
  bytes: number;
  brotli: number;
  gzip: number;
  /** Files whose copies came from the cache (unchanged since an earlier build). */
  cached: number;
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

function listFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, out);
    else if (entry.isFile() && COMPRESSIBLE.has(extension(entry.name)) && statSync(path).size >= MIN_BYTES) out.push(path);
  }
  return out;
}

/**
 * Writes `<file>.br` and `<file>.gz` beside each text asset. `cacheDir` keeps the copies by content
 * digest: Astro's hashed bundles and the lab data rarely change between builds, and brotli on the
 * multi-megabyte Monaco bundles costs seconds each on a laptop.
 */
export async function precompressDir(dist: string, cacheDir?: string): Promise<PrecompressReport> {
  const report: PrecompressReport = { files: 0, bytes: 0, brotli: 0, gzip: 0, cached: 0 };
  if (cacheDir) mkdirSync(cacheDir, { recursive: true });
  const used = new Set<string>();
  const one = async (path: string): Promise<void> => {
    const bytes = readFileSync(path);
    const size = bytes.length;
    const digest = createHash('sha256').update(CACHE_FORMAT).update(bytes).digest('hex');
    used.add(digest);
    const cached = cacheDir ? join(cacheDir, digest) : null;
    let br: Buffer;
    let gz: Buffer;
    if (cached && existsSync(`${cached}.br`) && existsSync(`${cached}.gz`)) {
      br = readFileSync(`${cached}.br`);
      gz = readFileSync(`${cached}.gz`);
      report.cached++;
    } else {
      // Quality 11 takes seconds per megabyte; 6 is within 4 % of it on the big bundles at a fifth of the time.
      [br, gz] = await Promise.all([
        brotliAsync(bytes, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: size > 64 * 1024 ? 6 : 11,
            [constants.BROTLI_PARAM_SIZE_HINT]: size,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          },
        }),
        gzipAsync(bytes, { level: 9 }),
      ]);
      if (cached) {
        writeFileSync(`${cached}.br`, br);
        writeFileSync(`${cached}.gz`, gz);
      }
    }
    report.files++;
    report.bytes += size;
    // A copy that saves under 5 % is not worth a second file and a Vary negotiation.
    if (br.length < size * 0.95) writeFileSync(`${path}.br`, br);
    if (gz.length < size * 0.95) writeFileSync(`${path}.gz`, gz);
    report.brotli += Math.min(br.length, size);
    report.gzip += Math.min(gz.length, size);
  };
  const queue = listFiles(dist);
  // zlib's async calls run on libuv's pool: a few at a time keeps every core busy.
  const workers = Array.from({ length: 4 }, async () => {
    for (let path = queue.shift(); path; path = queue.shift()) await one(path);
  });
  await Promise.all(workers);
  // The cache holds only this build's copies, so it never outgrows one dist/.
  if (cacheDir) for (const name of readdirSync(cacheDir)) if (!used.has(name.replace(/\.(br|gz)$/, ''))) rmSync(join(cacheDir, name));
  return report;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dist = resolve(process.argv[2] ?? 'dist');
  const started = Date.now();
  const r = await precompressDir(dist, resolve(import.meta.dirname, '..', '..', '.cache', 'precompress'));
  const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
  console.log(
    `precompressed ${r.files} files (${r.cached} unchanged, from .cache/precompress) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${mb(r.bytes)} → brotli ${mb(r.brotli)}, gzip ${mb(r.gzip)}`,
  );
}
