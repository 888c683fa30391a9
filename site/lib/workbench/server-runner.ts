/**
 * The local course server runner (`npm start`): grading happens in Node on the serving machine,
 * so the hidden tests never reach the browser. In workshop mode every API call carries the join
 * token the instructor's terminal printed.
 */
import { acceptResults, errorResults, type ResultsDocument } from './results.ts';
import type { Availability, RunRequest, Runner } from './runner.ts';
import { withTimeout } from './runner.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';
import { RUNTIME_PATH, TOKEN_HEADER } from '../../server/protocol.ts';

export interface ServerHealth {
  course: 'tcp-connection-course';
  grading: boolean;
  workshop: boolean;
}

export { RUNTIME_PATH, TOKEN_HEADER } from '../../server/protocol.ts';
/** The names the page and its tests import today; the values live in site/server/protocol.ts. */
export const JOIN_TOKEN_HEADER = TOKEN_HEADER;
export const RUNTIME_URL = RUNTIME_PATH;

const PRACTICE = 'your tests run in this browser as practice, not grading: a score here is not checked by anyone, and the hidden tests and solutions are readable from this site';

export interface ServerRunnerOptions {
  fetch?: typeof fetch;
  /** Asked for when the server says a token is needed; null means the learner declined. */
  askToken?: () => string | null;
  token?: string | null;
  /** The server runs in workshop mode: every run needs the join token. */
  workshop?: boolean;
  /** The server refused the token (forget any stored copy). */
  onTokenRejected?: () => void;
  /** Network time limit per request; the server applies its own limit to the learner's code. */
  timeoutMs?: number;
}

export class ServerRunner implements Runner {
  readonly kind = 'server' as const;
  readonly label = 'local course server';
  private token: string | null;

  constructor(private readonly options: ServerRunnerOptions = {}) {
    this.token = options.token ?? null;
  }

  private get fetcher(): typeof fetch {
    return this.options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** A JSON POST to the course server's API, with the join token when there is one. */
  private post(path: string, body: unknown): Promise<Response> {
    return withTimeout(
      this.fetcher(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { [TOKEN_HEADER]: this.token } : {}) },
        body: JSON.stringify(body),
      }),
      this.options.timeoutMs ?? 60_000,
      'the course server',
    );
  }

  /**
   * Available when the site is served by this course's server with grading on. It asks the
   * built file /lab-data/runtime.json, which says `server: false` on a static host and which the
   * course server answers itself — so a static host never logs a failed /api request.
   */
  static async probe(options: ServerRunnerOptions = {}): Promise<Availability> {
    const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
    let response: Response;
    try {
      response = await withTimeout(fetcher(RUNTIME_PATH, { cache: 'no-store' }), 3000, 'the course server check');
    } catch (error) {
      return { ok: false, reason: `no course server answered (${(error as Error).message})` };
    }
    if (!response.ok) return { ok: false, reason: `${RUNTIME_PATH} answered HTTP ${response.status}` };
    let health: Partial<ServerHealth> & { server?: boolean };
    try {
      health = (await response.json()) as Partial<ServerHealth>;
    } catch {
      return { ok: false, reason: `${RUNTIME_PATH} is not JSON` };
    }
    if (health.course !== 'tcp-connection-course') return { ok: false, reason: `${RUNTIME_PATH} belongs to another application` };
    // Said plainly on the lab page (the runner line lists why the server was passed over): without
    // the server nothing here is graded, and the hidden tests are files the browser can read.
    if (!health.server) return { ok: false, reason: `this site is served without the course server (a static host or astro dev), so ${PRACTICE}` };
    if (!health.grading) return { ok: false, reason: `the course server was started with grading off, so ${PRACTICE}` };
    const runner = new ServerRunner({ ...options, workshop: Boolean(health.workshop) });
    return { ok: true, runner, note: health.workshop ? 'Workshop mode: hidden tests stay on the instructor\'s machine.' : 'Hidden tests stay on this machine\'s server.' };
  }

  async run(request: RunRequest): Promise<ResultsDocument> {
    // Ask before the first call rather than after a 401, so the normal path logs no failed request.
    if (this.options.workshop && !this.token) {
      this.token = this.options.askToken?.() ?? null;
      if (!this.token) return errorResults(request.lab, request.suite, 'The course server needs the workshop join token your instructor printed.');
    }
    let response: Response;
    try {
      response = await this.post('/api/run', request);
    } catch (error) {
      return errorResults(request.lab, request.suite, `The course server did not answer: ${(error as Error).message}`);
    }
    if (response.status === 401) {
      this.token = null;
      this.options.onTokenRejected?.();
      return errorResults(request.lab, request.suite, 'The course server did not accept that join token; check it with your instructor — the next Run asks again.');
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return errorResults(request.lab, request.suite, `The course server answered HTTP ${response.status} without a results document.`);
    }
    if (!response.ok) {
      const message = typeof (body as { error?: unknown })?.error === 'string' ? (body as { error: string }).error : `HTTP ${response.status}`;
      return errorResults(request.lab, request.suite, `The course server refused the run: ${message}`);
    }
    return acceptResults(body, request.lab, request.suite);
  }

  /**
   * The lab's solution, which this server gives out only for files that pass every hidden test
   * when it grades them (course-server.ts); the reason it refused otherwise.
   */
  async solution(lab: string, files: Record<string, string>): Promise<{ solution: Record<string, string> } | { refused: string }> {
    let response: Response;
    try {
      response = await this.post('/api/solution', { lab, files });
    } catch (error) {
      return { refused: `the course server did not answer: ${(error as Error).message}` };
    }
    let body: { solution?: unknown; error?: unknown } = {};
    try {
      body = (await response.json()) as typeof body;
    } catch {
      // the status below says what happened
    }
    if (response.ok && body.solution && typeof body.solution === 'object') return { solution: body.solution as Record<string, string> };
    return { refused: typeof body.error === 'string' ? body.error : `the course server answered HTTP ${response.status}` };
  }

  /**
   * The reference run of a test, drawn beside the learner's. For hidden tests only the server can
   * make it; null when it cannot (older server, refused token).
   */
  async referenceTrace(lab: string, suite: 'visible' | 'hidden', test: string, seed: number): Promise<TraceEvent[] | null> {
    try {
      const response = await this.post('/api/reference', { lab, suite, test, seed });
      if (!response.ok) return null;
      const body = (await response.json()) as { trace?: unknown };
      return Array.isArray(body.trace) ? (body.trace as TraceEvent[]) : null;
    } catch {
      return null;
    }
  }

  dispose(): void {}
}
