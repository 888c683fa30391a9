/**
 * npm run lab -- <lab> [--watch] [--reset [--yes]]
 *
 * Creates the learner's working copy under .lab-work/<lab>/ (git-ignored) if it does not exist —
 * the lab's files as starters at their stack paths, with a read-only copy of the rest of the stack
 * beside them so an editor resolves every import — and runs the visible tests against it in the
 * sandbox. --watch re-runs on every save; --reset puts the starter back after confirmation
 * (keeping the old file as <name>.<time>.bak).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { LabDefinition } from '../definition.ts';
import { TREE_FOLDERS } from '../tree.ts';
import { WORK, learnerFilesFrom, loadLab, repoFiles, starterFiles } from './repo.ts';
import { runSandboxed } from './sandbox.ts';
import { bold, dim, formatResults } from './report.ts';

const USAGE = 'usage: npm run lab -- <lab> [--watch] [--reset [--yes]]   (labs: handshake, teardown, syn-flood, queues, keepalive)';

function workDir(def: LabDefinition): string {
  return join(WORK, def.slug);
}

function writeFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** The stack and the visible tests beside the learner's files, refreshed each run; the learner's files are never touched. */
function refreshContext(def: LabDefinition): void {
  const dir = workDir(def);
  const own = new Set(def.files);
  for (const folder of TREE_FOLDERS) {
    for (const path of repoFiles.list(folder)) {
      if (own.has(path) || path.startsWith('labs/kit/node/')) continue;
      writeFile(join(dir, ...path.split('/')), repoFiles.read(path));
    }
  }
  for (const path of repoFiles.list(`labs/${def.slug}/`)) {
    if (path.split('/').length === 3 && path.endsWith('.ts') && !path.endsWith(def.tests.hidden)) writeFile(join(dir, ...path.split('/')), repoFiles.read(path));
  }
  writeFile(join(dir, 'README.md'), [
    `# ${def.title} — your working copy`,
    '',
    `Edit only: ${def.files.join(', ')} (the regions marked \`// #region lab ${def.slug}/<task>\`).`,
    `Everything else here is a read-only copy of the stack, refreshed on every run so your editor can follow imports.`,
    '',
    `Run the visible tests: npm run lab -- ${def.slug}   (add --watch to re-run on save)`,
    `Grade with the hidden tests: npm run grade -- ${def.slug} --dir .lab-work/${def.slug}`,
    `Start over: npm run lab -- ${def.slug} --reset`,
    '',
    '## Tasks',
    '',
    ...def.tasks.flatMap((t) => [`### Task ${t.id}: ${t.title} (${t.points} points)`, '', t.statement || '(no statement yet: this lab is a draft)', '']),
  ].join('\n'));
}

/** "Task 2: <title>" and its statement, as `npm run lab` prints it. */
export function taskStatement(task: LabDefinition['tasks'][number]): string {
  return [bold(`Task ${task.id}: ${task.title}`), ...task.statement.split('\n').map((l) => `  ${l}`)].join('\n');
}

function ensureWorkingCopy(def: LabDefinition): boolean {
  let created = false;
  for (const [path, text] of starterFiles(def)) {
    const file = join(workDir(def), ...path.split('/'));
    if (!existsSync(file)) {
      writeFile(file, text);
      created = true;
    }
  }
  refreshContext(def);
  return created;
}

async function runVisible(def: LabDefinition): Promise<number> {
  const started = Date.now();
  const doc = await runSandboxed(def, learnerFilesFrom(workDir(def), def), 'visible');
  console.log(formatResults(doc));
  // The statement of the first task still to do, so the learner sees what to write next.
  const next = doc.tasks.find((t) => t.status !== 'pass');
  const task = next && def.tasks.find((t) => t.id === next.id);
  if (task?.statement) console.log(`\n${taskStatement(task)}`);
  console.log(dim(`\n(${((Date.now() - started) / 1000).toFixed(1)} s; graded work uses the hidden tests: npm run grade -- ${def.slug} --dir .lab-work/${def.slug})`));
  return doc.status === 'pass' ? 0 : 1;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  for (const f of flags) if (!['--watch', '--reset', '--yes', '-h', '--help'].includes(f)) throw new Error(`unknown option ${f}\n${USAGE}`);
  if (flags.has('-h') || flags.has('--help')) {
    console.log(USAGE);
    return 0;
  }
  const names = argv.filter((a) => !a.startsWith('-'));
  if (names.length !== 1) throw new Error(USAGE);
  const def = loadLab(names[0]);
  const rel = (p: string) => relative(process.cwd(), join(workDir(def), ...p.split('/')));

  if (flags.has('--reset')) {
    const files = def.files.filter((f) => existsSync(join(workDir(def), ...f.split('/'))));
    if (files.length && !flags.has('--yes') && !(await confirm(`Reset ${files.map(rel).join(', ')} to the starter? Your version is kept as a .bak file.`))) {
      console.log('Nothing changed.' + (process.stdin.isTTY ? '' : ' (not a terminal: pass --yes to confirm)'));
      return 1;
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    for (const [path, text] of starterFiles(def)) {
      const file = join(workDir(def), ...path.split('/'));
      if (existsSync(file)) {
        if (readFileSync(file, 'utf8') !== text) copyFileSync(file, `${file}.${stamp}.bak`);
      }
      writeFile(file, text);
    }
    console.log(`Starter restored: ${def.files.map(rel).join(', ')}`);
  }

  if (ensureWorkingCopy(def)) {
    console.log(bold(`Your working copy of the ${def.slug} lab is ready: edit ${def.files.map(rel).join(', ')}`));
    console.log(`The tasks (also in ${rel('README.md')}):\n`);
    for (const t of def.tasks) if (t.statement) console.log(`${taskStatement(t)}\n`);
  }
  let code = await runVisible(def);
  if (!flags.has('--watch')) return code;

  console.log(dim(`\nwatching ${def.files.map(rel).join(', ')} — save to re-run, Ctrl-C to stop`));
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let again = false;
  const rerun = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      console.log(`\n${'─'.repeat(60)}\n${new Date().toLocaleTimeString()}  re-running the visible tests`);
      code = await runVisible(def);
    } while (again);
    running = false;
  };
  for (const path of def.files) {
    const file = join(workDir(def), ...path.split('/'));
    // Watch the folder: editors often save by replacing the file, which ends a watch on the file itself.
    watch(dirname(file), (_event, name) => {
      if (name !== file.split(/[\\/]/).pop()) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void rerun(), 150);
    });
  }
  return new Promise<number>(() => {});
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`lab: ${(err as Error).message}`);
    process.exit(2);
  },
);
