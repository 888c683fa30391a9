/**
 * The local course server runner (`npm start`): grading happens in Node on the serving machine,
 * so the hidden tests never reach the browser. In workshop mode every API call carries the join
 * token the instructor's terminal printed; where the server keeps a workshop record, the learner
 * is asked once for a name after the token, joins (POST /api/join), and each Run and Submit carries
 * the learner id it got back, so the instructor's dashboard shows them. Declining runs all the same,
 * with nothing recorded.
 */
import { acceptResults, errorResults, type ResultsDocument } from './results.ts';
import type { Availability, RunRequest, Runner } from './runner.ts';
import { withTimeout } from './runner.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';
import { checkSimWire, simFromWire, type SimReply, type SimRequest } from './sim-run.ts';
import { LEARNER_HEADER, RECORD_HEADER, RUNTIME_PATH, SOLUTIONS_HEADER, TOKEN_HEADER } from '../../server/protocol.ts';
import { learnerName, type NameProblem } from '../../server/workshop/learner-name.ts';

export interface ServerHealth {
  course: 'tcp-connection-course';
  grading: boolean;
  workshop: boolean;
  /** 'open': every lab's solution is given to anyone (--solutions open, or the dashboard's switch). */
  solutions?: 'after-pass' | 'open';
  /** The server keeps a workshop record: learners join with a name. */
  record?: boolean;
}

/** A learner in the workshop record, as the page remembers them. */
export interface WorkshopLearner {
  id: string;
  name: string;
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
  /** The server keeps a workshop record (its health says `record`): join before the first run. */
  record?: boolean;
  /** The learner id this browser got when it joined (remembered by the page). */
  learner?: string | null;
  /** Asks for the learner's name, saying why the last one was refused; null: they decline. */
  askName?: (problem: NameProblem | null) => string | null;
  /** The learner declined before (the page remembers it): run without asking. */
  declined?: boolean;
  onDeclined?: () => void;
  /** The server took the name; the page remembers the learner and may say so. */
  onJoined?: (learner: WorkshopLearner) => void;
  /** The server does not know the remembered id (another record): forget it; the next run asks again. */
  onLearnerUnknown?: () => void;
  /** The server's solutions are open to everyone (its health at probe time). */
  solutionsOpen?: boolean;
}

/** The name is asked again this many times when it is refused before giving up for this run. */
const NAME_TRIES = 3;

export class ServerRunner implements Runner {
  readonly kind = 'server' as const;
  readonly label = 'local course server';
  private token: string | null;
  private learner: string | null;
  private declined: boolean;
  /** Whether the server gives every solution to anyone (at the last look). */
  solutionsOpen: boolean;

  constructor(private readonly options: ServerRunnerOptions = {}) {
    this.token = options.token ?? null;
    this.learner = options.learner ?? null;
    this.declined = options.declined ?? false;
    this.solutionsOpen = options.solutionsOpen ?? false;
  }

  private get fetcher(): typeof fetch {
    return this.options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** A JSON POST to the course server's API, with the join token when there is one (and a run, the learner's id). */
  private post(path: string, body: unknown): Promise<Response> {
    const learner: Record<string, string> = path === '/api/run' && this.learner ? { [LEARNER_HEADER]: this.learner } : {};
    return withTimeout(
      this.fetcher(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { [TOKEN_HEADER]: this.token } : {}), ...learner },
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
    const runner = new ServerRunner({ ...options, workshop: Boolean(health.workshop), record: Boolean(health.workshop && health.record), solutionsOpen: health.solutions === 'open' });
    return { ok: true, runner, note: health.workshop ? 'Workshop mode: hidden tests stay on the instructor\'s machine.' : 'Hidden tests stay on this machine\'s server.' };
  }

  async run(request: RunRequest): Promise<ResultsDocument> {
    // Ask before the first call rather than after a 401, so the normal path logs no failed request.
    if (this.options.workshop && !this.token) {
      this.token = this.options.askToken?.() ?? null;
      if (!this.token) return errorResults(request.lab, request.suite, 'The course server needs the workshop join token your instructor printed.');
    }
    if (this.options.record && !this.learner && !this.declined && (await this.join()) === 'token-refused') return this.tokenRefused(request);
    let response: Response;
    try {
      response = await this.post('/api/run', request);
    } catch (error) {
      return errorResults(request.lab, request.suite, `The course server did not answer: ${(error as Error).message}`);
    }
    if (response.status === 401) return this.tokenRefused(request);
    const solutions = response.headers.get(SOLUTIONS_HEADER);
    if (solutions) this.solutionsOpen = solutions === 'open';
    if (this.learner && response.headers.get(RECORD_HEADER) === 'unknown-learner') {
      this.learner = null;
      this.options.onLearnerUnknown?.();
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

  private tokenRefused(request: RunRequest): ResultsDocument {
    this.token = null;
    this.options.onTokenRejected?.();
    return errorResults(request.lab, request.suite, 'The course server did not accept that join token; check it with your instructor — the next Run asks again.');
  }

  /**
   * Asks for a name (again, with the reason, if it is refused) and joins the workshop record. A
   * learner who declines is not asked again; a server that cannot take the join now (busy, full,
   * unreachable) leaves the run unrecorded, and the next run tries again.
   */
  private async join(): Promise<'token-refused' | void> {
    let problem: NameProblem | null = null;
    for (let i = 0; i < NAME_TRIES; i++) {
      const raw = this.options.askName?.(problem) ?? null;
      if (raw === null) {
        this.declined = true;
        this.options.onDeclined?.();
        return;
      }
      const checked = learnerName(raw);
      if ('problem' in checked) {
        problem = checked.problem;
        continue;
      }
      let response: Response;
      try {
        response = await this.post('/api/join', { name: checked.name });
      } catch {
        return;
      }
      if (response.status === 401) return 'token-refused';
      if (!response.ok) return;
      try {
        const { learner } = (await response.json()) as { learner?: { id?: unknown; name?: unknown } };
        if (typeof learner?.id === 'string' && typeof learner.name === 'string') {
          this.learner = learner.id;
          this.options.onJoined?.({ id: learner.id, name: learner.name });
        }
      } catch {
        // Not the answer of a course server: run unrecorded.
      }
      return;
    }
  }

  /** Asks the server again whether its solutions are open to everyone (the dashboard's switch). */
  async checkSolutionsOpen(): Promise<boolean> {
    try {
      const response = await withTimeout(this.fetcher(RUNTIME_PATH, { cache: 'no-store' }), 3000, 'the course server check');
      if (response.ok) this.solutionsOpen = ((await response.json()) as Partial<ServerHealth>).solutions === 'open';
    } catch {
      // Keep what we knew.
    }
    return this.solutionsOpen;
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
   * The terminal's `sim` on the server (POST /api/sim): the page holds every lab's regions as stubs
   * here, so only the server can run the whole stack — the learner's files in its sandbox, or with
   * `--reference` the course's own code. A refusal comes back as the sim's error, in the server's words.
   */
  async simulate(lab: string, request: SimRequest, files: Record<string, string>): Promise<SimReply> {
    if (this.options.workshop && !this.token) {
      this.token = this.options.askToken?.() ?? null;
      if (!this.token) return { ok: false, error: 'the course server needs the workshop join token your instructor printed' };
    }
    let response: Response;
    try {
      response = await this.post('/api/sim', { lab, ...request, ...(request.reference ? {} : { files }) });
    } catch (error) {
      return { ok: false, error: `the course server did not answer: ${(error as Error).message}` };
    }
    if (response.status === 401) {
      this.token = null;
      this.options.onTokenRejected?.();
      return { ok: false, error: 'the course server did not accept that join token; check it with your instructor — the next command asks again' };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, error: `the course server answered HTTP ${response.status} without a sim` };
    }
    if (!response.ok) {
      const message = typeof (body as { error?: unknown })?.error === 'string' ? (body as { error: string }).error : `HTTP ${response.status}`;
      return { ok: false, error: `the course server refused the sim: ${message}` };
    }
    const wire = checkSimWire(body);
    return typeof wire === 'string' ? { ok: false, error: `the course server's answer: ${wire}` } : simFromWire(wire);
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
