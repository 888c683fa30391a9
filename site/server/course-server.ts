/**
 * The local course server behind `npm start`: serves the built site with the cross-origin
 * isolation headers WebContainers need, and grades labs in Node on this machine so the hidden
 * tests never reach a browser. Learner code runs through labs/kit's sandbox (a child process under
 * Node's permission model, with time and memory limits and no network).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { randomInt, timingSafeEqual } from 'node:crypto';
import type { ResultsDocument } from '../../labs/kit/results.ts';
import type { LabDefinition } from '../../labs/kit/definition.ts';
import type { TraceEvent } from '../../stack/core/observe/trace.ts';
import { cachePolicy, sendStaticFile } from './static-files.ts';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

export const TOKEN_HEADER = 'x-course-token';
/** Built as a static file saying "no server"; this server answers it itself. */
export const RUNTIME_PATH = '/lab-data/runtime.json';

export interface Grader {
  loadLab(slug: string): LabDefinition;
  grade(def: LabDefinition, files: ReadonlyMap<string, string>, suite: 'visible' | 'hidden'): Promise<ResultsDocument>;
}

/** The reference implementation's trace of one test (same suite and seed), for the diagram. */
export type ReferenceTracer = (lab: string, suite: 'visible' | 'hidden', test: string, seed: number) => Promise<TraceEvent[] | null>;

export interface CourseServerOptions {
  dist: string;
  /** null: grading off — the server is a plain static host (the page then grades in the browser). */
  grader: Grader | null;
  /** Required on every /api/run when set (workshop mode). */
  joinToken?: string | null;
  maxBodyBytes?: number;
  /** Answers POST /api/reference; runs only the course's own reference code. */
  referenceTrace?: ReferenceTracer;
  /** Gradings allowed at once; more wait their turn (a workshop room submits together). */
  concurrency?: number;
  /**
   * While grading: 'after-pass' (default) keeps /lab-data/<lab>/solution.json here and gives it out
   * on POST /api/solution only for files that pass every hidden test, checked on this machine;
   * 'open' serves it to anyone (an instructor ending a workshop).
   */
  solutions?: 'after-pass' | 'open';
}

export const DEFAULT_MAX_BODY = 512 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.bin': 'application/octet-stream',
  '.pf_meta': 'application/octet-stream',
  '.pf_fragment': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pagefind': 'application/octet-stream',
};

/**
 * Paths the browser must not fetch while this server grades: the hidden tests never, and the
 * solutions unless they are open (otherwise they come through POST /api/solution).
 */
export function withheldReason(urlPath: string, solutions: 'after-pass' | 'open'): string | null {
  if (/^\/lab-data\/[^/]+\/hidden\.json$/.test(urlPath)) return 'hidden tests stay on the course server; Submit grades them there';
  if (solutions !== 'open' && /^\/lab-data\/[^/]+\/solution\.json$/.test(urlPath)) {
    return 'the course server gives out a lab\'s solution once your files pass every hidden test (the Solution button asks it)';
  }
  return null;
}

export function makeJoinToken(): string {
  // Six characters a room can type from a projector: no 0/O or 1/l/I.
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: 6 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given.trim().toLowerCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      req.resume();
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...ISOLATION_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Checks a run request; returns the learner's files or a learner-facing reason. */
export function parseRunRequest(body: unknown, def: LabDefinition): { suite: 'visible' | 'hidden'; files: Map<string, string> } | { error: string } {
  if (typeof body !== 'object' || body === null) return { error: 'the request must be a JSON object {lab, suite, files}' };
  const { suite, files } = body as { suite?: unknown; files?: unknown };
  if (suite !== 'visible' && suite !== 'hidden') return { error: 'suite must be "visible" or "hidden"' };
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return { error: 'files must map file paths to their text' };
  const out = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) {
    if (!def.files.includes(path)) return { error: `${path} is not a file of lab ${def.slug} (its files: ${def.files.join(', ')})` };
    if (typeof text !== 'string') return { error: `${path} must be text` };
    out.set(path, text);
  }
  for (const path of def.files) if (!out.has(path)) return { error: `the request has no copy of ${path}` };
  return { suite, files: out };
}

export function createCourseServer(options: CourseServerOptions): Server {
  const dist = resolve(options.dist);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const concurrency = options.concurrency ?? 2;
  let running = 0;
  const waiting: Array<() => void> = [];
  const acquire = () => (running < concurrency ? (running++, Promise.resolve()) : new Promise<void>((r) => waiting.push(() => (running++, r()))));
  const release = () => {
    running--;
    waiting.shift()?.();
  };

  // What the build wrote (e.g. whether it holds a WebContainer toolchain), kept under our answer.
  const builtRuntime = (): Record<string, unknown> => {
    try {
      return JSON.parse(readFileSync(join(dist, RUNTIME_PATH), 'utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const solutions = options.solutions ?? 'after-pass';
  const health = () => ({ course: 'tcp-connection-course', grading: options.grader !== null, workshop: Boolean(options.joinToken), solutions: options.grader ? solutions : 'open' });

  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/api/health' && req.method === 'GET') {
      sendJson(res, 200, health());
      return;
    }
    if (path !== '/api/run' && path !== '/api/reference' && path !== '/api/solution') return sendJson(res, 404, { error: `no API at ${path}` });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST a JSON body' });
    if (!options.grader) return sendJson(res, 503, { error: 'this server was started with grading off' });
    if (options.joinToken && !tokenMatches(req.headers[TOKEN_HEADER] as string | undefined, options.joinToken)) {
      return sendJson(res, 401, { error: 'this workshop server needs the join token the instructor\'s terminal shows' });
    }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return sendJson(res, 415, { error: 'send the request as application/json' });
    let text: string;
    try {
      text = await readBody(req, maxBody);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendJson(res, 413, { error: `the request is larger than ${Math.round(maxBody / 1024)} KB` });
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendJson(res, 400, { error: 'the request body is not JSON' });
    }
    if (path === '/api/reference') return reference(res, body);
    const slug = (body as { lab?: unknown })?.lab;
    if (typeof slug !== 'string') return sendJson(res, 400, { error: 'lab must name a lab' });
    let def: LabDefinition;
    try {
      def = options.grader.loadLab(slug);
    } catch (error) {
      return sendJson(res, 404, { error: (error as Error).message });
    }
    const parsed = parseRunRequest(path === '/api/solution' ? { ...(body as object), suite: 'hidden' } : body, def);
    if ('error' in parsed) return sendJson(res, 400, { error: parsed.error });
    await acquire();
    let doc: ResultsDocument;
    try {
      doc = await options.grader.grade(def, parsed.files, parsed.suite);
    } finally {
      release();
    }
    if (path === '/api/run') return sendJson(res, 200, doc);
    // The solution for files that pass: graded here, so a page cannot claim a pass it has not got.
    if (solutions !== 'open' && doc.status !== 'pass') {
      return sendJson(res, 403, { error: `the solution opens once Submit passes every hidden test; your files score ${doc.score.points}/${doc.score.max}` });
    }
    try {
      sendJson(res, 200, { solution: JSON.parse(readFileSync(join(dist, 'lab-data', def.slug, 'solution.json'), 'utf8')) });
    } catch (error) {
      sendJson(res, 500, { error: `the built solution could not be read: ${(error as Error).message}` });
    }
  }

  async function reference(res: ServerResponse, body: unknown): Promise<void> {
    const { lab, suite, test, seed } = (body ?? {}) as { lab?: unknown; suite?: unknown; test?: unknown; seed?: unknown };
    if (!options.referenceTrace) return sendJson(res, 404, { error: 'this server draws no reference runs' });
    if (typeof lab !== 'string' || (suite !== 'visible' && suite !== 'hidden') || typeof test !== 'string' || !Number.isInteger(seed)) {
      return sendJson(res, 400, { error: 'send {lab, suite, test, seed}' });
    }
    try {
      options.grader!.loadLab(lab);
    } catch (error) {
      return sendJson(res, 404, { error: (error as Error).message });
    }
    await acquire();
    try {
      sendJson(res, 200, { trace: await options.referenceTrace(lab, suite, test, seed as number) });
    } finally {
      release();
    }
  }

  function staticFile(req: IncomingMessage, res: ServerResponse, urlPath: string): void {
    if (urlPath === RUNTIME_PATH) {
      sendJson(res, 200, { ...builtRuntime(), ...health(), server: true });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...ISOLATION_HEADERS, allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const withheld = options.grader ? withheldReason(urlPath, solutions) : null;
    if (withheld) {
      sendJson(res, 403, { error: withheld });
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      res.writeHead(400, ISOLATION_HEADERS);
      res.end('bad path');
      return;
    }
    let file = normalize(join(dist, decoded));
    if (file !== dist && !file.startsWith(dist + sep)) {
      res.writeHead(403, ISOLATION_HEADERS);
      res.end('outside the site');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    else if (!existsSync(file) && existsSync(`${file}.html`)) file = `${file}.html`;
    let status = 200;
    if (!existsSync(file) || !statSync(file).isFile()) {
      status = 404;
      file = join(dist, '404.html');
      if (!existsSync(file)) {
        res.writeHead(404, { ...ISOLATION_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
        res.end('not found');
        return;
      }
    }
    sendStaticFile(req, res, file, {
      status,
      contentType: TYPES[extname(file)] ?? 'application/octet-stream',
      cacheControl: cachePolicy(urlPath),
      headers: ISOLATION_HEADERS,
    });
  }

  return createServer((req, res) => {
    const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname;
    const work = urlPath.startsWith('/api/') ? api(req, res, urlPath) : Promise.resolve(staticFile(req, res, urlPath));
    work.catch((error: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: `the course server failed: ${error.message}` });
      else res.destroy(error);
    });
  });
}
