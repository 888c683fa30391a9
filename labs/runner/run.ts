/**
 * tsx labs/runner/run.ts <slug> <input_dir> <output_dir> [--classroom FILE] [--timeout S]
 * (normally through labs/runner/run.sh, the Exercism-style entry)
 *
 * Grades the learner's lab files in <input_dir> with the hidden tests in the sandbox and writes
 * <output_dir>/results.json in Exercism's test-runner format, version 3. Exits 0 whenever
 * results.json was written, whatever the tests said (the interface's rule); 2 for bad usage, 3 when
 * the output folder cannot be written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LabDefinition } from '../kit/definition.ts';
import { errorDocument, type ResultsDocument } from '../kit/results.ts';
import { exercismError, toExercism, type ExercismResults } from './exercism.ts';
import { toClassroom } from './classroom.ts';

const USAGE = 'usage: labs/runner/run.sh <slug> <input_dir> <output_dir> [--classroom FILE] [--timeout S]';

export interface RunnerArgs {
  slug: string;
  input: string;
  output: string;
  classroom?: string;
  timeout?: number;
}

export function parseRunnerArgs(argv: string[]): RunnerArgs {
  const positional: string[] = [];
  let classroom: string | undefined;
  let timeout: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--classroom' || arg === '--timeout') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      if (arg === '--classroom') classroom = v;
      else {
        timeout = Number(v);
        if (!(timeout > 0 && timeout <= 300)) throw new Error(`--timeout needs seconds from 1 to 300\n${USAGE}`);
      }
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else positional.push(arg);
  }
  if (positional.length !== 3) throw new Error(USAGE);
  const [slug, input, output] = positional;
  return { slug, input, output, classroom, timeout };
}

/**
 * The learner's files from the input folder, or a message for the learner. Paths are shown as
 * <solution-dir>/… (Exercism's advice: the machine's own paths mean nothing to the learner).
 */
export function readSubmission(input: string, def: LabDefinition): Map<string, string> | string {
  if (!existsSync(input)) return `the input folder <solution-dir> does not exist (${input})`;
  if (!statSync(input).isDirectory()) return 'the input <solution-dir> is a file, not a folder';
  const names = readdirSync(input).filter((n) => !n.startsWith('.'));
  const wanted = def.files.map((f) => ({ path: f, name: f.split('/').pop()! }));
  const where = wanted.map((w) => `<solution-dir>/${w.path} or <solution-dir>/${w.name}`).join('; ');
  if (names.length === 0) return `the input folder <solution-dir> is empty: put your lab file there (${where})`;
  const files = new Map<string, string>();
  for (const w of wanted) {
    const found = [join(input, ...w.path.split('/')), join(input, w.name)].find((c) => existsSync(c) && statSync(c).isFile());
    if (!found) return `no ${w.name} in <solution-dir> (looked for <solution-dir>/${w.path} and <solution-dir>/${w.name})`;
    const text = readFileSync(found, 'utf8');
    if (text.trim() === '') return `<solution-dir>/${w.name} is empty`;
    files.set(w.path, text);
  }
  return files;
}

export interface RunOutcome {
  results: ExercismResults;
  course: ResultsDocument | null;
}

export async function gradeSubmission(args: RunnerArgs): Promise<RunOutcome> {
  // Loaded here, not at the top: a broken kit must still end in an error results.json.
  const { loadLab } = await import('../kit/node/repo.ts');
  const { runSandboxed, DEFAULT_TIMEOUT_S } = await import('../kit/node/sandbox.ts');
  let def: LabDefinition;
  try {
    def = loadLab(args.slug);
  } catch (err) {
    return { results: exercismError((err as Error).message), course: null };
  }
  const files = readSubmission(resolve(args.input), def);
  if (typeof files === 'string') {
    // Known lab, unusable input: every task at 0 of its points, so Classroom still sees the maximum.
    const course = errorDocument(def.slug, 'hidden', 1, def.tasks, files);
    return { results: toExercism(course), course };
  }
  const course = await runSandboxed(def, files, 'hidden', { timeoutSeconds: args.timeout ?? DEFAULT_TIMEOUT_S });
  return { results: toExercism(course), course };
}

async function main(): Promise<number> {
  let args: RunnerArgs;
  try {
    args = parseRunnerArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const out = resolve(args.output);
  try {
    mkdirSync(out, { recursive: true });
  } catch (err) {
    console.error(`cannot create the output folder ${args.output}: ${(err as Error).message}`);
    return 3;
  }
  let outcome: RunOutcome;
  try {
    outcome = await gradeSubmission(args);
  } catch (err) {
    outcome = { results: exercismError(`the grader failed: ${(err as Error).message}`), course: null };
  }
  try {
    writeFileSync(join(out, 'results.json'), JSON.stringify(outcome.results, null, 2) + '\n');
    if (args.classroom) {
      const payload = outcome.course ? toClassroom(outcome.course) : { version: 1, status: 'error', max_score: 0, tests: [] };
      writeFileSync(resolve(args.classroom), JSON.stringify(payload) + '\n');
    }
  } catch (err) {
    console.error(`cannot write ${join(args.output, 'results.json')}: ${(err as Error).message}`);
    return 3;
  }
  const r = outcome.results;
  const passed = r.tests?.filter((t) => t.status === 'pass').length ?? 0;
  console.log(`${args.slug}: ${r.status}${r.tests ? ` (${passed}/${r.tests.length} tests pass)` : ''}${r.message ? ` — ${r.message.split('\n')[0]}` : ''}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then((code) => process.exit(code));
}
