/**
 * Precompressed assets: the build's copies decompress to the original, and the course server's
 * static-file answer picks the copy the browser accepts with matching length, Vary and ETag, and
 * the cache policy that makes a repeat visit cheap.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressDir } from '../scripts/precompress.ts';
import { acceptedCodings, cachePolicy, sendStaticFile } from '../server/static-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'static-files-'));
const script = `export const lanes = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ seq: i, flags: 'S.' })))};\n`;
let server: Server;
let port = 0;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  mkdirSync(join(dir, '_astro'));
  writeFileSync(join(dir, '_astro', 'app.abc123.js'), script);
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>course</title>${'<p>TCP</p>'.repeat(300)}`);
  writeFileSync(join(dir, 'tiny.css'), 'p{}');
  writeFileSync(join(dir, 'photo.png'), Buffer.alloc(4096, 7));
  await precompressDir(dir, join(dir, '..', `${dir.split('/').pop()}-cache`));
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x').pathname;
    sendStaticFile(req, res, join(dir, url === '/' ? 'index.html' : url), {
      status: 200,
      contentType: url.endsWith('.js') ? 'text/javascript' : 'text/html',
      cacheControl: cachePolicy(url),
      headers: { 'Cross-Origin-Embedder-Policy': 'require-corp' },
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}-cache`, { recursive: true, force: true });
});

describe('precompress', () => {
  it('writes brotli and gzip copies that decompress to the original, and skips tiny and binary files', () => {
    const js = join(dir, '_astro', 'app.abc123.js');
    expect(brotliDecompressSync(readFileSync(`${js}.br`)).toString()).toBe(script);
    expect(gunzipSync(readFileSync(`${js}.gz`)).toString()).toBe(script);
    expect(readFileSync(`${js}.br`).length).toBeLessThan(script.length / 5);
    expect(existsSync(join(dir, 'tiny.css.br'))).toBe(false);
    expect(existsSync(join(dir, 'photo.png.br'))).toBe(false);
  });

  it('reuses copies of unchanged files from its cache and drops stale cache entries', async () => {
    const cache = `${dir}-cache`;
    const again = await precompressDir(dir, cache);
    expect(again.cached).toBe(again.files);
    writeFileSync(join(dir, 'index.html'), `<!doctype html><title>changed</title>${'<p>FIN</p>'.repeat(300)}`);
    const changed = await precompressDir(dir, cache);
    expect(changed.cached).toBe(changed.files - 1);
    expect(readdirSync(cache).length).toBe(2 * changed.files);
    expect(brotliDecompressSync(readFileSync(join(dir, 'index.html.br'))).toString()).toContain('changed');
  });
});

describe('acceptedCodings', () => {
  it('follows the q-values, prefers brotli on a tie and honours refusals', () => {
    expect(acceptedCodings('gzip, deflate, br, zstd')).toEqual(['br', 'gzip']);
    expect(acceptedCodings('gzip;q=1, br;q=0.5')).toEqual(['gzip', 'br']);
    expect(acceptedCodings('br;q=0, gzip')).toEqual(['gzip']);
    expect(acceptedCodings('*;q=0.1')).toEqual(['br', 'gzip']);
    expect(acceptedCodings('identity')).toEqual([]);
    expect(acceptedCodings(undefined)).toEqual([]);
  });
});

describe('sendStaticFile', () => {
  it('sends the brotli copy to a browser that accepts it, with its own length, Vary and ETag', async () => {
    const a = await get('/_astro/app.abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(a.headers['content-encoding']).toBe('br');
    expect(Number(a.headers['content-length'])).toBe(a.body.length);
    expect(brotliDecompressSync(a.body).toString()).toBe(script);
    expect(a.headers.vary).toBe('Accept-Encoding');
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const g = await get('/_astro/app.abc123.js', { 'accept-encoding': 'gzip' });
    expect(g.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(g.body).toString()).toBe(script);
    const plain = await get('/_astro/app.abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(new Set([a.headers.etag, g.headers.etag, plain.headers.etag]).size).toBe(3);
  });

  it('revalidates pages: no-cache, then 304 with the isolation headers for an unchanged ETag', async () => {
    const first = await get('/', { 'accept-encoding': 'br' });
    expect(first.headers['cache-control']).toBe('no-cache');
    const again = await get('/', { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['cross-origin-embedder-policy']).toBe('require-corp');
    // The gzip copy has another ETag, so a cached brotli answer is not reused for it.
    const other = await get('/', { 'accept-encoding': 'gzip', 'if-none-match': String(first.headers.etag) });
    expect(other.status).toBe(200);
  });

  it('answers HEAD with the length of what GET would send and no body', async () => {
    const head = await get('/_astro/app.abc123.js', { 'accept-encoding': 'br' }, 'HEAD');
    const full = await get('/_astro/app.abc123.js', { 'accept-encoding': 'br' });
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(full.headers['content-length']);
  });
});
