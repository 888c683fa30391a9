/**
 * npm run grade -- <slug> [--dir DIR | --solution | --starter] [--json FILE] [--seed N] [--visible]
 * npm run grade -- <slug> --submissions DIR --csv FILE
 *
 * Runs a lab's hidden tests and prints a score per task. Learner code (--dir, --submissions) runs
 * in the sandbox (./sandbox.ts); the reference (--solution) and the starter (--starter) are ours
 * and run in this process unless --sandbox is given.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadLab, learnerFilesFrom, referenceFiles, starterFiles } from './repo.ts';
import { runInProcess } from './inprocess.ts';
import { DEFAULT_TIMEOUT_S, runSandboxed } from './sandbox.ts';
import { csvHeader, csvRow, formatResults } from './report.ts';
import { errorDocument, type ResultsDocument } from '../results.ts';

const USAGE = `usage:
  npm run grade -- <lab> [--dir DIR | --solution | --starter] [--json FILE] [--seed N] [--visible] [--sandbox] [--timeout S]
  npm run grade -- <lab> --submissions DIR --csv FILE [--seed N] [--timeout S]
labs: handshake, teardown, syn-flood, queues, keepalive`;

interface Args {
  slug: string;
  dir?: string;
  solution: boolean;
  starter: boolean;
  json?: string;
  submissions?: string;
  csv?: string;
  seed: number;
  suite: 'visible' | 'hidden';
  sandbox: boolean;
  timeout: number;
}

function parseArgs(argv: string[]): Args {
  const a: Partial<Args> & { solution: boolean; starter: boolean; sandbox: boolean } = { solution: false, starter: false, sandbox: false };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--dir': a.dir = value(i++, arg); break;
      case '--solution': a.solution = true; break;
      case '--starter': a.starter = true; break;
      case '--json': a.json = value(i++, arg); break;
      case '--submissions': a.submissions = value(i++, arg); break;
      case '--csv': a.csv = value(i++, arg); break;
      case '--seed': {
        const n = Number(value(i++, arg));
        if (!Number.isInteger(n) || n < 0) throw new Error('--seed needs a whole number');
        a.seed = n;
        break;
      }
      case '--timeout': {
        const n = Number(value(i++, arg));
        if (!(n > 0)) throw new Error('--timeout needs a number of seconds');
        a.timeout = n;
        break;
      }
      case '--visible': a.suite = 'visible'; break;
      case '--sandbox': a.sandbox = true; break;
      case '-h': case '--help': console.log(USAGE); process.exit(0);
      default:
        if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
        if (a.slug) throw new Error(`one lab at a time (got "${a.slug}" and "${arg}")`);
        a.slug = arg;
    }
  }
  if (!a.slug) throw new Error('which lab? e.g. npm run grade -- handshake --solution');
  const sources = [a.dir !== undefined, a.solution, a.starter, a.submissions !== undefined].filter(Boolean).length;
  if (sources > 1) throw new Error('choose one of --dir, --solution, --starter, --submissions');
  if (a.submissions !== undefined && a.csv === undefined) throw new Error('--submissions needs --csv FILE for the results');
  if (a.csv !== undefined && a.submissions === undefined) throw new Error('--csv goes with --submissions DIR');
  return { seed: 1, suite: 'hidden', timeout: DEFAULT_TIMEOUT_S, ...a } as Args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const def = loadLab(args.slug);
  const opts = { seed: args.seed, timeoutSeconds: args.timeout };

  if (args.submissions !== undefined) {
    const root = resolve(args.submissions);
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`--submissions ${args.submissions}: not a folder`);
    const names = readdirSync(root).filter((n) => !n.startsWith('.') && statSync(join(root, n)).isDirectory()).sort();
    if (names.length === 0) throw new Error(`--submissions ${args.submissions}: no subfolders (one per learner) inside`);
    const rows: string[] = [];
    let header = '';
    for (const name of names) {
      let doc: ResultsDocument;
      try {
        doc = await runSandboxed(def, learnerFilesFrom(join(root, name), def), args.suite, opts);
      } catch (err) {
        doc = errorDocument(def.slug, args.suite, args.seed, def.tasks, (err as Error).message);
      }
      header ||= csvHeader(doc);
      rows.push(csvRow(name, doc));
      const tasks = doc.tasks.map((t) => `${t.id}:${t.status}`).join(' ');
      console.log(`${name.padEnd(24)} ${String(doc.score.points).padStart(6)} / ${doc.score.max}  ${doc.status.padEnd(5)}  ${tasks}${doc.status === 'error' ? `  — ${(doc.message ?? '').split('\n')[0]}` : ''}`);
    }
    writeFileSync(args.csv!, `${header}\n${rows.join('\n')}\n`);
    console.log(`\n${names.length} submissions graded → ${args.csv}`);
    return 0;
  }

  let doc: ResultsDocument;
  if (args.dir !== undefined) {
    doc = await runSandboxed(def, learnerFilesFrom(resolve(args.dir), def), args.suite, opts);
  } else if (args.solution || args.starter) {
    const files = args.solution ? referenceFiles(def) : starterFiles(def);
    const label = args.solution ? 'solution' : 'starter';
    doc = args.sandbox
      ? await runSandboxed(def, files, args.suite, { ...opts, skipTypeCheck: false })
      : (await runInProcess(def, files, args.suite, [args.seed], label))[0];
  } else {
    throw new Error('grade what? --dir DIR (a learner\'s files), --solution, --starter or --submissions DIR');
  }
  console.log(formatResults(doc));
  if (args.json) {
    writeFileSync(args.json, JSON.stringify(doc, null, 2) + '\n');
    console.log(`\nresults → ${args.json}`);
  }
  return doc.status === 'pass' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`grade: ${(err as Error).message}`);
    if (!(err instanceof Error) || /usage|which lab|choose one|needs|unknown option|goes with/.test(err.message)) console.error(USAGE);
    process.exit(2);
  },
);
