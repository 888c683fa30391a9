/**
 * Sending one built file: the precompressed copy the browser accepts (`.br`, then `.gz`, made by
 * site/scripts/precompress.ts), `Vary: Accept-Encoding` so caches keep the copies apart, an ETag
 * per copy answered with 304, and the cache policy: Astro's content-hashed bundles are immutable
 * for a year, everything else (pages, lab data) is revalidated on every use, so a repeat visit
 * transfers only what changed.
 */
import { createReadStream, existsSync, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type ContentCoding = 'br' | 'gzip';

const SUFFIX: Record<ContentCoding, string> = { br: '.br', gzip: '.gz' };

/** Hashed bundles never change under their name; every other URL may, so it is revalidated. */
export function cachePolicy(urlPath: string): string {
  return urlPath.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * The codings an Accept-Encoding header allows, best first (RFC 9110 §12.5.3): q=0 refuses, a
 * higher q wins, brotli before gzip on a tie (smaller), `*` stands for any coding not named.
 */
export function acceptedCodings(header: string | string[] | undefined): ContentCoding[] {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const q = new Map<string, number>();
  for (const part of text.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(value) ? value : 0);
  }
  const weight = (coding: ContentCoding): number => q.get(coding) ?? q.get('*') ?? 0;
  return (['br', 'gzip'] as const).filter((c) => weight(c) > 0).sort((a, b) => weight(b) - weight(a));
}

export interface Representation {
  path: string;
  stat: Stats;
  coding: ContentCoding | null;
  /** Whether a compressed copy of this file exists at all (then the answer varies by Accept-Encoding). */
  varies: boolean;
}

export function chooseRepresentation(file: string, acceptEncoding: string | string[] | undefined): Representation {
  const copies = (['br', 'gzip'] as const).filter((c) => existsSync(file + SUFFIX[c]));
  for (const coding of acceptedCodings(acceptEncoding)) {
    if (copies.includes(coding)) return { path: file + SUFFIX[coding], stat: statSync(file + SUFFIX[coding]), coding, varies: true };
  }
  return { path: file, stat: statSync(file), coding: null, varies: copies.length > 0 };
}

/** Strong validator of one representation: size and modification time, tagged with the coding. */
export function etagOf(rep: Representation): string {
  return `"${rep.stat.size.toString(36)}-${Math.floor(rep.stat.mtimeMs).toString(36)}${rep.coding ? `-${rep.coding}` : ''}"`;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export interface StaticFileOptions {
  status: number;
  contentType: string;
  cacheControl: string;
  /** Sent on every answer, 304 included (a bare 304 loses cross-origin isolation after a reload). */
  headers: Record<string, string>;
}

export function sendStaticFile(req: IncomingMessage, res: ServerResponse, file: string, options: StaticFileOptions): void {
  const rep = chooseRepresentation(file, req.headers['accept-encoding']);
  const etag = etagOf(rep);
  const common: Record<string, string | number> = {
    ...options.headers,
    'cache-control': options.cacheControl,
    etag,
    ...(rep.varies ? { vary: 'Accept-Encoding' } : {}),
  };
  if (options.status === 200 && matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  res.writeHead(options.status, {
    ...common,
    'content-type': options.contentType,
    'content-length': rep.stat.size,
    ...(rep.coding ? { 'content-encoding': rep.coding } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(rep.path).pipe(res);
}
