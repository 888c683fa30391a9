/**
 * The local course server behind `npm start`: serves the built site with the cross-origin
 * isolation headers WebContainers need, and grades labs in Node on this machine so the hidden
 * tests never reach a browser. Learner code runs through labs/kit's sandbox.
 *
 * Every request passes, in order: the Host allow-list (host-check.ts), one decoding of its path
 * (request-path.ts), then either the API (token and its attempt limit, body limits, the fair
 * grading queue of grading-queue.ts) or the static files, filtered by lab-data-policy.ts while
 * this server grades. In workshop mode with a record (workshop/), POST /api/join adds a learner,
 * each /api/run carrying a joined learner's id is recorded, and /workshop/ is the instructor's
 * dashboard (its own key, workshop/dashboard.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { gzip } from 'node:zlib';
import type { ResultsDocument } from '../../labs/kit/results.ts';
import type { LabDefinition } from '../../labs/kit/definition.ts';
import type { TraceEvent } from '../../stack/core/observe/trace.ts';
import type { SimRequest, SimWireReply } from '../../labs/kit/sim.ts';
import { parseSimRequest } from './sim-request.ts';
import { LEARNER_HEADER, RECORD_HEADER, RUNTIME_PATH, SOLUTIONS_HEADER, TOKEN_HEADER } from './protocol.ts';
import { decodeRequestPath } from './request-path.ts';
import { gradingModeFile } from './lab-data-policy.ts';
import { hostAllowed, allowedHostNames } from './host-check.ts';
import { TokenAttempts, tokenMatches } from './join-token.ts';
import { DEFAULT_QUEUE_LIMITS, GradingQueue, JobCancelled, QueueRefusal, type QueueLimits } from './grading-queue.ts';
import type { WorkshopRecord } from './workshop/record.ts';
import type { MatrixOptions } from './workshop/matrix.ts';
import { joinWorkshop, recordGrade } from './workshop/hooks.ts';
import { WORKSHOP_PREFIX, handleWorkshopRequest, type WorkshopContext } from './workshop/dashboard.ts';
import type { Locale } from '../i18n/locale.ts';

export { LEARNER_HEADER, RECORD_HEADER, RUNTIME_PATH, SOLUTIONS_HEADER, TOKEN_HEADER } from './protocol.ts';
export { makeJoinToken } from './join-token.ts';
export { withheldReason } from './lab-data-policy.ts';
import { cachePolicy, sendStaticFile } from './static-files.ts';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

export interface Grader {
  loadLab(slug: string): LabDefinition;
  /** `signal` fires when the learner went away: the grader stops the run (kills its child). */
  grade(def: LabDefinition, files: ReadonlyMap<string, string>, suite: 'visible' | 'hidden', signal?: AbortSignal): Promise<ResultsDocument>;
}

/** The reference implementation's trace of one test (same suite and seed), for the diagram. */
export type ReferenceTracer = (lab: string, suite: 'visible' | 'hidden', test: string, seed: number) => Promise<TraceEvent[] | null>;

/**
 * The terminal's `sim` (POST /api/sim): the page holds every lab's regions as stubs under a grading
 * server, so a sim that needs the whole stack runs here.
 */
export interface Simulator {
  /** The scenario names a request may ask for. */
  scenarios(): readonly string[];
  /** `sim --reference`: the course's own stack, in this process (no learner code runs). */
  reference(lab: string, request: SimRequest): Promise<SimWireReply>;
  /** A learner's sim: their files for the lab's regions, in the grading sandbox; `signal` as in grade(). */
  learner(def: LabDefinition, files: ReadonlyMap<string, string>, request: SimRequest, signal?: AbortSignal): Promise<SimWireReply>;
}

/** The workshop record and its dashboard (serve.ts opens them with --workshop). */
export interface WorkshopOptions {
  record: WorkshopRecord;
  /** Opens /workshop/ (the dashboard, its events, the CSV, the solutions switch); not the join token. */
  instructorKey: string;
  matrix?: MatrixOptions;
  /** Task titles in another edition, for that edition's dashboard. */
  localizedLabs?: Partial<Record<Locale, MatrixOptions['labs']>>;
  /** Joins one address may make per minute (default 30: a room behind one NAT joins at once). */
  joinsPerMinute?: number;
  /** Learners one record takes (default 2000); past it a join is refused. */
  maxLearners?: number;
  now?: () => number;
}

export interface CourseServerOptions {
  dist: string;
  /** null: grading off — the server is a plain static host (the page then grades in the browser). */
  grader: Grader | null;
  /** Required on every API call that runs code when set (workshop mode). */
  joinToken?: string | null;
  maxBodyBytes?: number;
  /** Answers POST /api/reference; runs only the course's own reference code. */
  referenceTrace?: ReferenceTracer;
  /** Answers POST /api/sim (the terminal's sim, ss, nstat, tcpdump and pcap). */
  simulator?: Simulator;
  /** Gradings allowed at once (the queue's slots); kept for callers that set only this. */
  concurrency?: number;
  /** The grading queue's per-client cap and bound (grading-queue.ts). */
  queue?: Partial<QueueLimits>;
  /**
   * While grading: 'after-pass' (default) keeps /lab-data/<lab>/solution.json here and gives it out
   * on POST /api/solution only for files that pass every hidden test, checked on this machine;
   * 'open' serves it to anyone (an instructor ending a workshop).
   */
  solutions?: 'after-pass' | 'open';
  /** Host names this server answers to (default: the loopback names; serve.ts adds --host's). */
  allowedHosts?: readonly string[];
  /** Where the grading log and refused join tokens go (default: console.log). */
  log?: (line: string) => void;
  /** Wrong join tokens per address (join-token.ts); a test may pass one with a shorter window. */
  tokenAttempts?: TokenAttempts;
  /** Open connections one address may hold (default 64; a browser opens about 6 per server). */
  maxConnectionsPerAddress?: number;
  /** Workshop mode's record of learners and their Runs and Submits, and the dashboard. */
  workshop?: WorkshopOptions;
}

export const DEFAULT_MAX_BODY = 512 * 1024;
/** A join is a name: a small body. */
const JOIN_MAX_BODY = 4 * 1024;

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

class RequestRefused extends Error {
  /** `close`: the rest of the request was not read, so the connection cannot carry another. */
  constructor(readonly status: number, message: string, readonly close = false) {
    super(message);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body as text, at most `limit` bytes. Past the limit it stops reading and the 413
 * closes the connection, so a client cannot make the server take in an endless body.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const tooLarge = () => {
      req.removeAllListeners('data');
      req.pause();
      reject(new RequestRefused(413, `the request is larger than ${Math.round(limit / 1024)} KB`, true));
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return tooLarge();
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return tooLarge();
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolvePromise(UTF8.decode(Buffer.concat(chunks)));
      } catch {
        reject(new RequestRefused(400, 'the request body is not UTF-8 text'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * A large answer (a sim's trace and pcap: syn-flood's is 9.8 MB, 1.4 MB gzipped) goes gzipped to a
 * client that takes it, compressed off the event loop's critical path (zlib's thread pool).
 */
function sendLargeJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  if (text.length < 64 * 1024 || !/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return writeJson(res, status, text);
  gzip(text, (error, packed) => {
    if (error) return writeJson(res, status, text);
    writeJson(res, status, packed, { 'content-encoding': 'gzip', vary: 'accept-encoding' });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  writeJson(res, status, JSON.stringify(body), headers);
}

/** `text` is the JSON already serialised (or gzipped: `headers` then says so). */
function writeJson(res: ServerResponse, status: number, text: string | Buffer, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { ...ISOLATION_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
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

/** The client a request counts against: its address (IPv4-mapped IPv6 written as IPv4). */
export function clientOf(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

/**
 * The tests of each client's last graded result per lab and suite: /api/reference draws the
 * reference run only of those, so it cannot be used to read the hidden suite test by test.
 */
class GradedTests {
  private readonly byClient = new Map<string, Map<string, Set<string>>>();
  private static readonly MAX_CLIENTS = 5000;

  remember(client: string, doc: ResultsDocument): void {
    let labs = this.byClient.get(client);
    if (labs) this.byClient.delete(client);
    else labs = new Map();
    labs.set(`${doc.lab}/${doc.suite}`, new Set(doc.tests.map((t) => `${t.name}\u0000${t.seed}`)));
    this.byClient.set(client, labs);
    if (this.byClient.size > GradedTests.MAX_CLIENTS) this.byClient.delete(this.byClient.keys().next().value!);
  }

  has(client: string, lab: string, suite: string, test: string, seed: number): boolean {
    return this.byClient.get(client)?.get(`${lab}/${suite}`)?.has(`${test}\u0000${seed}`) ?? false;
  }
}

export function createCourseServer(options: CourseServerOptions): Server {
  const dist = resolve(options.dist);
  const distReal = realpathSync(dist);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const queue = new GradingQueue({ ...DEFAULT_QUEUE_LIMITS, ...(options.concurrency ? { slots: options.concurrency } : {}), ...options.queue });
  const allowedHosts = options.allowedHosts ?? allowedHostNames('127.0.0.1');
  const log = options.log ?? ((line: string) => console.log(line));
  const attempts = options.tokenAttempts ?? new TokenAttempts();
  const graded = new GradedTests();

  // What the build wrote (e.g. whether it holds a WebContainer toolchain), kept under our answer.
  const builtRuntime = (): Record<string, unknown> => {
    try {
      return JSON.parse(readFileSync(join(dist, RUNTIME_PATH), 'utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  // 'open' once the instructor opens them from the dashboard: no restart needed.
  let solutions = options.solutions ?? 'after-pass';
  const workshop = options.workshop ?? null;
  const joins = new TokenAttempts(workshop?.joinsPerMinute ?? 30, 60_000);
  const health = () => ({
    course: 'tcp-connection-course',
    grading: options.grader !== null,
    workshop: Boolean(options.joinToken),
    solutions: options.grader ? solutions : 'open',
    // Learners are asked for a name only where it is recorded.
    ...(workshop ? { record: true } : {}),
  });
  const workshopContext: WorkshopContext | null = workshop && {
    record: workshop.record,
    instructorKey: workshop.instructorKey,
    matrix: workshop.matrix,
    localizedLabs: workshop.localizedLabs,
    now: workshop.now,
    solutionsOpen: () => solutions === 'open',
    onOpenSolutions: () => {
      if (solutions !== 'open') log(`${new Date().toISOString()} solutions: opened to everyone from the workshop dashboard`);
      solutions = 'open';
    },
  };

  /** Runs a job in the fair queue for this request's client, cancelled if the client goes away. */
  function queued<T>(req: IncomingMessage, res: ServerResponse, job: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    // Gone already, while its body was read: its run never starts.
    if (res.destroyed || req.socket.destroyed) gone.abort();
    return queue.run(clientOf(req), gone.signal, job);
  }

  function refuse(res: ServerResponse, error: unknown): void {
    if (error instanceof QueueRefusal) return sendJson(res, error.status, { error: error.message }, { 'retry-after': error.retryAfterS });
    if (error instanceof RequestRefused) return sendJson(res, error.status, { error: error.message }, error.close ? { connection: 'close' } : {});
    throw error;
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/api/health' && req.method === 'GET') {
      sendJson(res, 200, health());
      return;
    }
    if (path !== '/api/run' && path !== '/api/reference' && path !== '/api/solution' && path !== '/api/join' && path !== '/api/sim') return sendJson(res, 404, { error: `no API at ${path}` });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST a JSON body' });
    if (path === '/api/join' && !workshop) return sendJson(res, 404, { error: 'this server keeps no workshop record (it was started without --workshop)' });
    if (!options.grader) return sendJson(res, 503, { error: 'this server was started with grading off' });
    if (options.joinToken) {
      const client = clientOf(req);
      const wait = attempts.blockedFor(client);
      if (wait > 0) {
        return sendJson(res, 429, { error: `too many wrong join tokens from this machine; try again in ${wait} s` }, { 'retry-after': wait });
      }
      if (!tokenMatches(req.headers[TOKEN_HEADER] as string | undefined, options.joinToken)) {
        const count = attempts.fail(client);
        log(`${new Date().toISOString()} join token refused for ${client} (${count} wrong in the last minute)`);
        return sendJson(res, 401, { error: 'this workshop server needs the join token the instructor\'s terminal shows' });
      }
    }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return sendJson(res, 415, { error: 'send the request as application/json' });
    let body: unknown;
    try {
      const text = await readBody(req, path === '/api/join' ? JOIN_MAX_BODY : maxBody);
      try {
        body = JSON.parse(text);
      } catch {
        return sendJson(res, 400, { error: 'the request body is not JSON' });
      }
    } catch (error) {
      return refuse(res, error);
    }
    if (path === '/api/reference') return reference(req, res, body);
    if (path === '/api/join') return joinLearner(req, res, body);
    if (path === '/api/sim') return sim(req, res, body);
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
    const client = clientOf(req);
    const started = performance.now();
    // The grading's own time (not its wait in the queue), for the workshop record.
    let gradingMs = 0;
    let doc: ResultsDocument;
    try {
      doc = await queued(req, res, async (signal) => {
        const begun = performance.now();
        try {
          return await options.grader!.grade(def, parsed.files, parsed.suite, signal);
        } finally {
          gradingMs = performance.now() - begun;
        }
      });
    } catch (error) {
      if (error instanceof JobCancelled) {
        log(`${new Date().toISOString()} ${client} ${def.slug} ${parsed.suite}: cancelled before it started (the client went away)`);
        return;
      }
      return refuse(res, error);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const outcome = res.destroyed ? ' (the client had gone away)' : '';
    log(`${new Date().toISOString()} ${client} ${def.slug} ${parsed.suite}${path === '/api/solution' ? ' (solution)' : ''}: ${doc.status} ${doc.score.points}/${doc.score.max} in ${seconds} s${outcome}`);
    graded.remember(client, doc);
    // The page learns from any answer that the instructor opened the solutions meanwhile.
    if (path === '/api/run') return sendJson(res, 200, doc, { [SOLUTIONS_HEADER]: solutions, ...recordRun(req, doc, gradingMs) });
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

  /**
   * Records a graded Run or Submit for the learner whose id the request carries (recordGrade: an
   * unknown or missing id records nothing). Returns the answer's header saying which, so a page
   * whose id this record does not know (another --db) can forget it and join again. A record
   * that cannot be written (a full disk) costs the learner nothing: the grade still goes back.
   */
  function recordRun(req: IncomingMessage, doc: ResultsDocument, gradingMs: number): Record<string, string> {
    const id = req.headers[LEARNER_HEADER];
    if (!workshop || id === undefined) return {};
    try {
      return { [RECORD_HEADER]: recordGrade(workshop.record, id, doc, Math.round(gradingMs)) ? 'recorded' : 'unknown-learner' };
    } catch (error) {
      log(`${new Date().toISOString()} workshop record: could not record a ${doc.suite} run of ${doc.lab}: ${(error as Error).message}`);
      return { [RECORD_HEADER]: 'failed' };
    }
  }

  /** POST /api/join {name}: a learner joins the workshop record; the answer holds their id. */
  function joinLearner(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const client = clientOf(req);
    const wait = joins.blockedFor(client);
    if (wait > 0) return sendJson(res, 429, { error: `too many joins from this machine; try again in ${wait} s` }, { 'retry-after': wait });
    if (workshop!.record.learners().length >= (workshop!.maxLearners ?? 2000)) {
      return sendJson(res, 503, { error: 'this workshop record is full; ask your instructor' });
    }
    const answer = joinWorkshop(workshop!.record, body);
    if (answer.status === 200) {
      joins.fail(client);
      const { name } = (answer.body as { learner: { name: string } }).learner;
      log(`${new Date().toISOString()} ${client} joined the workshop as ${JSON.stringify(name)}`);
    }
    sendJson(res, answer.status, answer.body);
  }

  async function reference(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
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
    if (!graded.has(clientOf(req), lab, suite, test, seed as number)) {
      return sendJson(res, 403, { error: 'the reference run is drawn only for a test of your own last run of this lab and suite' });
    }
    try {
      const trace = await queued(req, res, () => options.referenceTrace!(lab, suite, test, seed as number));
      sendJson(res, 200, { trace });
    } catch (error) {
      if (error instanceof JobCancelled) return;
      refuse(res, error);
    }
  }

  /**
   * POST /api/sim {lab, scenario, seed, sysctls, faults, reference, files}: the terminal's sim. A
   * learner's run goes through the fair queue and the sandbox like a grading (the same cap, limits
   * and cancel); `--reference` runs the course's code in this process, in the queue too (it is CPU).
   * The answer is the sim's own (diagram, ss, nstat, trace, pcap as base64), checked and bounded.
   */
  async function sim(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const simulator = options.simulator;
    if (!simulator) return sendJson(res, 404, { error: 'this server runs no sims' });
    const slug = (body as { lab?: unknown })?.lab;
    if (typeof slug !== 'string') return sendJson(res, 400, { error: 'lab must name a lab' });
    let def: LabDefinition;
    try {
      def = options.grader!.loadLab(slug);
    } catch (error) {
      return sendJson(res, 404, { error: (error as Error).message });
    }
    const parsed = parseSimRequest(body, def, simulator.scenarios());
    if ('error' in parsed) return sendJson(res, 400, { error: parsed.error });
    const { request, files } = parsed;
    const client = clientOf(req);
    const started = performance.now();
    let reply: SimWireReply;
    try {
      reply = await queued(req, res, (signal) => (files ? simulator.learner(def, files, request, signal) : simulator.reference(def.slug, request)));
    } catch (error) {
      if (error instanceof JobCancelled) {
        log(`${new Date().toISOString()} ${client} ${def.slug} sim ${request.scenario}: cancelled before it started (the client went away)`);
        return;
      }
      return refuse(res, error);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const outcome = reply.ok ? `${reply.result.packets} packets` : `error: ${reply.error.split('\n')[0].slice(0, 120)}`;
    log(`${new Date().toISOString()} ${client} ${def.slug} sim ${request.scenario}${request.reference ? ' --reference' : ''}: ${outcome} in ${seconds} s${res.destroyed ? ' (the client had gone away)' : ''}`);
    sendLargeJson(req, res, 200, reply);
  }

  /**
   * The file a decoded path names inside dist, following directory indexes and `.html` pages, as
   * its real path (symbolic links resolved) and only if that lies inside dist; null otherwise.
   */
  function locate(relative: string): string | null {
    const candidates = [join(distReal, relative), join(distReal, relative, 'index.html'), join(distReal, `${relative}.html`)];
    for (const candidate of candidates) {
      let real: string;
      try {
        real = realpathSync(candidate);
      } catch {
        continue;
      }
      if (real === distReal) continue;
      if (!real.startsWith(distReal + sep)) return null;
      if (statSync(real).isFile()) return real;
    }
    return null;
  }

  /**
   * Decides which file answers a static path: every rule runs on the decoded path and again on
   * the real path of the file found, so neither a spelling nor a symbolic link reaches a file
   * the rules withhold. Returns the file and status, or the refusal.
   */
  function chooseStaticFile(path: string): { file: string; status: number } | { status: number; error: string } {
    const requested = path.replace(/^\/+/, '');
    let wanted = requested;
    if (options.grader) {
      const decision = gradingModeFile(requested, solutions);
      if ('withhold' in decision) return { status: 403, error: decision.withhold };
      wanted = decision.serve;
    }
    const file = locate(wanted);
    if (file && options.grader) {
      const real = file.slice(distReal.length + 1).split(sep).join('/');
      const again = gradingModeFile(real, solutions);
      if ('withhold' in again) return { status: 403, error: again.withhold };
      if (again.serve !== real) return { status: 403, error: 'this file is not served while the course server grades' };
    }
    if (file) return { file, status: 200 };
    if (options.grader && wanted !== requested) return { status: 404, error: `this build has no ${wanted}; rebuild the site (npm run build)` };
    const notFound = locate('404.html');
    return notFound ? { file: notFound, status: 404 } : { status: 404, error: 'not found' };
  }

  /** Sends one file of the build (the one place a static body is written), precompressed where it can be. */
  function sendFile(req: IncomingMessage, res: ServerResponse, file: string, status: number, path: string): void {
    sendStaticFile(req, res, file, {
      status,
      contentType: TYPES[extname(file)] ?? 'application/octet-stream',
      cacheControl: cachePolicy(path),
      headers: ISOLATION_HEADERS,
    });
  }

  function staticFile(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...ISOLATION_HEADERS, allow: 'GET, HEAD' });
      res.end();
      return;
    }
    if (path === RUNTIME_PATH) {
      sendJson(res, 200, { ...builtRuntime(), ...health(), server: true });
      return;
    }
    const chosen = chooseStaticFile(path);
    if ('error' in chosen) return sendJson(res, chosen.status, { error: chosen.error });
    sendFile(req, res, chosen.file, chosen.status, path);
  }

  const server = createServer((req, res) => {
    if (!hostAllowed(req.headers.host, allowedHosts)) {
      // 421: this server is not the one that name belongs to (a rebinding page, or a typo).
      return sendJson(res, 421, { error: `this course server does not answer to the host name ${JSON.stringify(req.headers.host ?? '')}; open it by its own address` });
    }
    const decoded = decodeRequestPath(req.url);
    if ('error' in decoded) return sendJson(res, 400, { error: decoded.error });
    // The dashboard answers under /workshop/ only on a workshop server with a record; elsewhere the
    // path is an ordinary (missing) file.
    if (workshopContext && (decoded.path === WORKSHOP_PREFIX || decoded.path.startsWith(`${WORKSHOP_PREFIX}/`))) {
      try {
        if (handleWorkshopRequest(req, res, workshopContext)) return;
      } catch (error) {
        if (!res.headersSent) return sendJson(res, 500, { error: `the workshop dashboard failed: ${(error as Error).message}` });
        return void res.destroy(error as Error);
      }
    }
    const work = decoded.path.startsWith('/api/') ? api(req, res, decoded.path) : Promise.resolve(staticFile(req, res, decoded.path));
    work.catch((error: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: `the course server failed: ${error.message}` });
      else res.destroy(error);
    });
  });
  // A slow client cannot hold a connection open indefinitely while sending its headers or body,
  // nor open so many that the laptop runs out of file descriptors for the rest of the room.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  const maxPerAddress = options.maxConnectionsPerAddress ?? 64;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
    const count = (open.get(address) ?? 0) + 1;
    if (count > maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
  return server;
}
