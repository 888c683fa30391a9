/**
 * The repository on disk: where it is, reading a lab's definition, its starter and its known-wrong
 * implementations, and writing run trees under .lab-work/ (git-ignored).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { LAB_SLUGS, LabDefinitionError, validateLabDefinition, applyWrongEdits, validateWrongExpectation, type LabDefinition, type WrongExpectation } from '../definition.ts';
import { makeStarter, regionTasks } from '../regions.ts';
import type { SourceFiles } from '../tree.ts';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const WORK = join(REPO, '.lab-work');

export function repoPath(rel: string): string {
  return join(REPO, ...rel.split('/'));
}

export const repoFiles: SourceFiles = {
  list(prefix: string): string[] {
    const root = repoPath(prefix);
    if (!existsSync(root)) return [];
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else out.push(relative(REPO, p).split(sep).join('/'));
      }
    };
    walk(root);
    return out.sort();
  },
  read(path: string): string {
    return readFileSync(repoPath(path), 'utf8');
  },
};

function parseYamlFile(file: string): unknown {
  const rel = relative(REPO, file).split(sep).join('/');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LabDefinitionError(rel, '(file)', 'cannot be read — does it exist?');
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new LabDefinitionError(rel, '(syntax)', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * Reads and checks labs/<slug>/lab.yaml, including what the schema alone cannot see: the edited
 * files exist and their regions of this lab match the task list one to one.
 */
export function loadLab(slug: string): LabDefinition {
  if (!(LAB_SLUGS as readonly string[]).includes(slug)) {
    throw new Error(`unknown lab "${slug}" (labs: ${LAB_SLUGS.join(', ')})`);
  }
  const rel = `labs/${slug}/lab.yaml`;
  const def = validateLabDefinition(parseYamlFile(repoPath(rel)), rel, slug);
  const covered = new Set<number>();
  def.files.forEach((f, i) => {
    if (!existsSync(repoPath(f))) throw new LabDefinitionError(rel, `files[${i}]`, `${f} does not exist`);
    const tasks = regionTasks(repoFiles.read(f), f, slug);
    if (tasks.length === 0) throw new LabDefinitionError(rel, `files[${i}]`, `${f} has no "// #region lab ${slug}/<task>" marker`);
    for (const t of tasks) covered.add(t);
  });
  for (const t of covered) {
    if (!def.tasks.some((x) => x.id === t)) throw new LabDefinitionError(rel, 'tasks', `the stack marks regions for task ${t}, but lab.yaml has no task ${t}`);
  }
  def.tasks.forEach((t, i) => {
    if (!covered.has(t.id)) throw new LabDefinitionError(rel, `tasks[${i}]`, `no region "// #region lab ${slug}/${t.id} …" in ${def.files.join(', ')}`);
  });
  return def;
}

export function starterFiles(def: LabDefinition): Map<string, string> {
  return new Map(def.files.map((f) => [f, makeStarter(repoFiles.read(f), f, def.slug)]));
}

export function referenceFiles(def: LabDefinition): Map<string, string> {
  return new Map(def.files.map((f) => [f, repoFiles.read(f)]));
}

export interface WrongImplementation {
  name: string;
  /** Replacement text per lab file (today every lab edits one file). */
  files: Map<string, string>;
  expect: WrongExpectation;
}

/** labs/<slug>/wrong/<name>.yaml: each a mistake written as edits to today's reference lab file. */
export function wrongImplementations(def: LabDefinition): WrongImplementation[] {
  const dir = repoPath(`labs/${def.slug}/${def.wrong}`);
  if (!existsSync(dir)) return [];
  if (def.files.length !== 1) throw new Error(`labs/${def.slug}: known-wrong implementations edit one file; the lab edits ${def.files.length}`);
  const labFile = def.files[0];
  const reference = readFileSync(repoPath(labFile), 'utf8');
  const out: WrongImplementation[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const file = join(dir, name);
    const shown = relative(REPO, file).split(sep).join('/');
    const expect = validateWrongExpectation(parseYamlFile(file), shown, def.tasks.length);
    out.push({ name: name.replace(/\.yaml$/, ''), files: new Map([[labFile, applyWrongEdits(reference, expect, shown)]]), expect });
  }
  return out;
}

export function writeTree(dir: string, tree: ReadonlyMap<string, string>): void {
  for (const [path, text] of tree) {
    const file = join(dir, ...path.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

let runCounter = 0;
let swept = false;

/** Run folders whose process died before removing them (killed, crashed): named <label>-<pid>-<time>-<n>. */
function sweepAbandonedRuns(root: string): void {
  if (swept || !existsSync(root)) return;
  swept = true;
  for (const name of readdirSync(root)) {
    const m = /-(\d+)-[0-9a-z]+-\d+$/.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') removeDir(join(root, name));
    }
  }
}

/** A fresh folder for one run's tree, under .lab-work/.runs/ (removed by the caller). */
export function runDir(label: string): string {
  sweepAbandonedRuns(join(WORK, '.runs'));
  const dir = join(WORK, '.runs', `${label}-${process.pid}-${Date.now().toString(36)}-${runCounter++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The learner's copies of the lab files in `dir`: at their repository path (dir/stack/core/tcp/x.ts)
 * or just by name (dir/x.ts). A missing file is an error naming both places looked at.
 */
export function learnerFilesFrom(dir: string, def: LabDefinition): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of def.files) {
    const candidates = [join(dir, ...f.split('/')), join(dir, f.split('/').pop()!)];
    const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
    if (!found) throw new Error(`${dir}: no ${f.split('/').pop()} (looked for ${candidates.map((c) => relative(process.cwd(), c) || c).join(' and ')})`);
    out.set(f, readFileSync(found, 'utf8'));
  }
  return out;
}
