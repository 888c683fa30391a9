/**
 * npm start → site/scripts/start.ts (builds only when the sources changed) → startServer()
 *
 *   npm start -- [--rebuild] [flags below]    or    tsx site/server/serve.ts [flags below]
 *   tsx site/server/serve.ts [--port 4321] [--host 127.0.0.1] [--workshop] [--db FILE] [--grading off]
 *                            [--solutions after-pass|open] [--dist dist] [--timeout S] [--max-body KB]
 *
 * Serves the course on 127.0.0.1 only, unless told otherwise: a workshop on a LAN passes
 * `--host 0.0.0.0 --workshop`, and every learner then types the join token printed here.
 * A workshop also keeps a record of who joined and each Run and Submit (workshop/record.ts, in
 * .workshop/record.sqlite or `--db FILE`, kept across restarts) and prints an instructor key that
 * opens the live dashboard at /workshop/. Solutions open for files that pass the hidden tests here;
 * `--solutions open` opens them to all, and so does the dashboard's switch, without a restart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { createCourseServer, DEFAULT_MAX_BODY, makeJoinToken, type Grader, type Simulator, type WorkshopOptions } from './course-server.ts';
import { openWorkshopRecord } from './workshop/hooks.ts';
import { DEFAULT_DB, WorkshopRecordError, type WorkshopRecord } from './workshop/record.ts';
import { endWorkshopStreams, makeInstructorKey, WORKSHOP_PREFIX } from './workshop/dashboard.ts';
import type { MatrixOptions } from './workshop/matrix.ts';
import { allowedHostNames } from './host-check.ts';
import { createReferenceRuns } from './reference-tracer.ts';
import { listScenarios } from '../../stack/core/scenarios/index.ts';
import { loadLab, repoPath } from '../../labs/kit/node/repo.ts';
import { runSandboxed, runSandboxedSim, prewarm, DEFAULT_TIMEOUT_S, networkIsolation } from '../../labs/kit/node/sandbox.ts';
import { prewarmCompiler } from '../../labs/kit/node/compile-pool.ts';
import { LAB_SLUGS, type LabDefinition } from '../../labs/kit/definition.ts';

const USAGE = 'usage: tsx site/server/serve.ts [--port 4321] [--host 127.0.0.1] [--workshop] [--db FILE] [--grading on|off] [--solutions after-pass|open] [--dist dist] [--timeout S] [--max-body KB]';

interface Args {
  port: number;
  host: string;
  workshop: boolean;
  /** The workshop record's SQLite file (default .workshop/record.sqlite, git-ignored). */
  db: string | null;
  grading: boolean;
  solutions: 'after-pass' | 'open';
  dist: string;
  timeout: number;
  maxBodyKb: number;
}

export function parseServeArgs(argv: string[]): Args {
  const args: Args = { port: 4321, host: '127.0.0.1', workshop: false, db: null, grading: true, solutions: 'after-pass', dist: 'dist', timeout: DEFAULT_TIMEOUT_S, maxBodyKb: DEFAULT_MAX_BODY / 1024 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const number = (min: number, max: number): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${flag} must be a whole number from ${min} to ${max}`);
      return v;
    };
    switch (flag) {
      case '--port': args.port = number(0, 65535); break;
      case '--host': args.host = value(); break;
      case '--workshop': args.workshop = true; break;
      case '--db': args.db = value(); break;
      case '--grading': {
        const v = value();
        if (v !== 'on' && v !== 'off') throw new Error('--grading is on or off');
        args.grading = v === 'on';
        break;
      }
      case '--solutions': {
        const v = value();
        if (v !== 'after-pass' && v !== 'open') throw new Error('--solutions is after-pass or open');
        args.solutions = v;
        break;
      }
      case '--dist': args.dist = value(); break;
      case '--timeout': args.timeout = number(1, 300); break;
      case '--max-body': args.maxBodyKb = number(16, 16 * 1024); break;
      case '--help': case '-h': throw new Error(USAGE);
      default: throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (args.db !== null && !args.workshop) throw new Error('--db names the workshop record, which only a workshop keeps; add --workshop');
  if (args.db !== null && !args.grading) throw new Error('--db records graded runs; with --grading off nothing is graded here, so leave out --db');
  const loopback = args.host === '127.0.0.1' || args.host === 'localhost' || args.host === '::1';
  if (!loopback && !args.workshop) {
    throw new Error(`--host ${args.host} would let anyone on the network run code on this machine; add --workshop so API calls need a join token`);
  }
  return args;
}

/** The busy-port advice names the exact command: npm needs `--` before flags meant for the script. */
export function busyPortMessage(port: number): string {
  return `port ${port} is already in use (another npm start?); try: npm start -- --port ${port + 1}`;
}

export function startServer(argv: string[]): void {
  let args: Args;
  try {
    args = parseServeArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  if (!existsSync(`${args.dist}/index.html`)) {
    console.error(`${args.dist}/index.html not found: build the site first (npm run build), or use npm start, which builds when needed`);
    process.exit(1);
  }
  // The labs a server grades do not change while it runs (it serves one build): each lab.yaml is
  // read and checked once, not on every Submit.
  const labs = new Map<string, LabDefinition>();
  const loadLabOnce = (slug: string): LabDefinition => {
    let def = labs.get(slug);
    if (!def) labs.set(slug, (def = loadLab(slug)));
    return def;
  };
  // `signal` fires when the learner's request is gone; the sandbox kills the child for it.
  const grader: Grader | null = args.grading
    ? { loadLab: loadLabOnce, grade: (def, files, suite, signal) => runSandboxed(def, files, suite, { timeoutSeconds: args.timeout, signal }) }
    : null;
  const joinToken = args.workshop ? makeJoinToken() : null;
  const referenceRuns = grader ? createReferenceRuns() : null;
  // The terminal's sim: a learner's files under the same sandbox and time limit as a grading.
  const simulator: Simulator | undefined = referenceRuns
    ? {
        scenarios: () => listScenarios().map((s) => s.name),
        reference: referenceRuns.sim,
        learner: (def, files, request, signal) => runSandboxedSim(def, files, request, { timeoutSeconds: args.timeout, signal }),
      }
    : undefined;
  let workshop: WorkshopOptions | undefined;
  if (args.workshop && grader) {
    let record: WorkshopRecord;
    try {
      record = openWorkshopRecord(args.db ?? DEFAULT_DB);
    } catch (error) {
      console.error(error instanceof WorkshopRecordError ? error.message : `the workshop record ${args.db ?? DEFAULT_DB} could not be opened: ${(error as Error).message}`);
      process.exit(1);
    }
    workshop = { record, instructorKey: makeInstructorKey(), ...dashboardLabs() };
  }
  const server = createCourseServer({
    dist: args.dist,
    grader,
    joinToken,
    maxBodyBytes: args.maxBodyKb * 1024,
    solutions: args.solutions,
    referenceTrace: referenceRuns?.trace,
    simulator,
    allowedHosts: allowedHostNames(args.host),
    workshop,
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? busyPortMessage(args.port) : error.message);
    process.exit(1);
  });
  server.listen(args.port, args.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : args.port;
    console.log(`TCP connections course: http://${args.host === '0.0.0.0' ? 'localhost' : args.host}:${port}/`);
    if (args.host === '0.0.0.0' || args.host === '::') {
      for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) console.log(`  on the LAN:  http://${a.address}:${port}/`);
      }
    }
    console.log(grader ? `grading: on this machine (hidden tests stay here; learner code sandboxed, ${args.timeout} s limit, network: ${networkIsolation()})` : 'grading: off (the page grades in the browser)');
    if (grader) console.log(args.solutions === 'open' ? 'solutions: open to everyone' : 'solutions: given out for files that pass the hidden tests here (--solutions open gives them to all)');
    if (joinToken) console.log(`workshop join token: ${joinToken}`);
    if (joinToken && !workshop) console.log('workshop record: off (grading is off, so there is nothing to record and no dashboard)');
    if (workshop) {
      // Never put in a URL: it is typed into the dashboard's key form (an HttpOnly cookie follows).
      console.log(`instructor key: ${workshop.instructorKey}  (for the dashboard at http://${args.host === '0.0.0.0' || args.host === '::' ? 'localhost' : args.host}:${port}${WORKSHOP_PREFIX}/ — keep it off the projector)`);
    }
    if (grader) prewarmGrading(args.timeout);
  });
  const stop = () => {
    // Open dashboards hold event streams that would keep close() waiting.
    if (workshop) endWorkshopStreams(workshop.record);
    server.close(() => {
      workshop?.record.close();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * The dashboard's columns: each ready lab's tasks with lab.yaml's titles, and lab.zh-cn.yaml's for
 * the Chinese dashboard where it has them. A lab that fails to load is left out (its Submits still
 * get columns, titled by number).
 */
export function dashboardLabs(): Pick<WorkshopOptions, 'matrix' | 'localizedLabs'> {
  const en: NonNullable<MatrixOptions['labs']> = [];
  const zh: NonNullable<MatrixOptions['labs']> = [];
  for (const slug of LAB_SLUGS) {
    let def;
    try {
      def = loadLab(slug);
    } catch {
      continue;
    }
    if (def.status !== 'ready') continue;
    en.push({ slug, tasks: def.tasks.map((t) => ({ id: t.id, title: t.title })) });
    let zhTitles = new Map<number, string>();
    try {
      const raw = parseYaml(readFileSync(repoPath(`labs/${slug}/lab.zh-cn.yaml`), 'utf8')) as { tasks?: Array<{ id?: unknown; title?: unknown }> };
      zhTitles = new Map((raw.tasks ?? []).filter((t) => typeof t.id === 'number' && typeof t.title === 'string').map((t) => [t.id as number, (t.title as string).trim()]));
    } catch {
      // No Chinese words yet: the English titles stand.
    }
    zh.push({ slug, tasks: def.tasks.map((t) => ({ id: t.id, title: zhTitles.get(t.id) ?? t.title })) });
  }
  return { matrix: { labs: en }, localizedLabs: { 'zh-cn': zh } };
}

/**
 * Starts a locked-down child per lab suite and the type checkers now, once the server listens, so
 * the first Submit does not pay for loading SES, the stack and TypeScript. A lab that fails to load
 * is left to be reported by the Submit that needs it.
 */
function prewarmGrading(timeoutSeconds: number): void {
  const files: string[] = [];
  for (const slug of LAB_SLUGS) {
    try {
      const def = loadLab(slug);
      if (def.status !== 'ready') continue;
      files.push(...def.files);
      for (const suite of ['hidden', 'visible'] as const) prewarm(def, suite, { timeoutSeconds });
    } catch (error) {
      console.error(`grading: could not prepare ${slug} ahead (${(error as Error).message}); its first Submit will say why`);
    }
  }
  prewarmCompiler(files);
}

// Run as a program, not when a test imports parseServeArgs.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) startServer(process.argv.slice(2));
