/**
 * Build-time (Node) view of a lab for the workbench: what the editor shows, what the worker runs,
 * and what a WebContainer mounts. Everything comes from the repository as it is — lab.yaml, the
 * stack's own files with their lab regions, the lab's tests — through labs/kit, so the page can
 * never show a starter or run a test that differs from what the grader uses.
 */
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { containerFiles, toFileSystemTree } from './webcontainer-tree.ts';
import type { FileSystemTree } from './webcontainer-runner.ts';
import { validateLabDefinition, type LabDefinition } from '../../../labs/kit/definition.ts';
import { overlayLabText } from './lab-text.ts';
import type { Locale } from '../../i18n/locale.ts';
import { makeStarter, parseRegions } from '../../../labs/kit/regions.ts';
import { sidePath } from '../../../labs/kit/shim.ts';
import { buildTree, type SourceFiles } from '../../../labs/kit/tree.ts';
import { compileModuleCjs } from '../../../labs/kit/node/compile.ts';

// The project root: builds, the server and the tests all run from it (Astro bundles this module,
// so a path relative to the module's own location would point into dist/).
export const ROOT = process.env.COURSE_ROOT ?? process.cwd();

export interface WorkspaceFile {
  path: string;
  text: string;
  editable: boolean;
}

/** What the lab page fetches to fill the editor, the file tree, the task list and the hints. */
export interface Workspace {
  lab: LabDefinition;
  files: WorkspaceFile[];
  starters: Record<string, string>;
}

function walk(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir)).sort()) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...walk(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

export function labDir(slug: string): string {
  return `labs/${slug}`;
}

export function labExists(slug: string): boolean {
  return existsSync(join(ROOT, labDir(slug), 'lab.yaml'));
}

export function readLab(slug: string): LabDefinition {
  const file = `${labDir(slug)}/lab.yaml`;
  return validateLabDefinition(parseYaml(readRepoFile(file)), file, slug);
}

export { labText, overlayLabText, type LabText } from './lab-text.ts';

/** Where a lab's Chinese words live (text only: the structure, points, files and tests are lab.yaml's). */
export function labTextFile(slug: string, locale: Locale): string | null {
  return locale === 'en' ? null : `${labDir(slug)}/lab.${locale}.yaml`;
}

/**
 * A lab in an edition's words: lab.yaml with its translation laid over it where the translation
 * exists; English where it does not yet (the page then says nothing is missing — the lab works).
 */
export function readLabIn(slug: string, locale: Locale): LabDefinition {
  const lab = readLab(slug);
  const file = labTextFile(slug, locale);
  if (file === null || !existsSync(join(ROOT, file))) return lab;
  return overlayLabText(lab, parseYaml(readRepoFile(file)), file);
}

/** Whether a lab page in `locale` shows translated words (false: the English ones stand in). */
export function labTranslated(slug: string, locale: Locale): boolean {
  const file = labTextFile(slug, locale);
  return file === null || existsSync(join(ROOT, file));
}

const isSource = (path: string) => path.endsWith('.ts') && !path.endsWith('.d.ts');

/** Every stack core file: the program the learner's files are part of. */
export function stackFiles(): string[] {
  return walk('stack/core', isSource);
}

/** The lab kit modules a run needs (not its Node-only tools). */
export function kitFiles(): string[] {
  return walk('labs/kit', (p) => isSource(p) && !p.startsWith('labs/kit/node/'));
}

/**
 * A stack file as the workbench shows it: every lab region reduced to its stub, so opening the
 * teardown file while doing the handshake lab does not hand over the teardown lab's answers.
 */
export function displayText(path: string, text: string): string {
  const slugs = [...new Set(parseRegions(text, path).map((r) => r.slug))];
  return slugs.reduce((current, slug) => makeStarter(current, path, slug), text);
}

export function workspace(slug: string): Workspace {
  const lab = readLab(slug);
  const starters: Record<string, string> = {};
  for (const file of lab.files) starters[file] = makeStarter(readRepoFile(file), file, slug);
  const files: WorkspaceFile[] = stackFiles().map((path) => ({
    path,
    text: lab.files.includes(path) ? starters[path] : displayText(path, readRepoFile(path)),
    editable: lab.files.includes(path),
  }));
  // What the visible tests import, so they type-check in the editor too: the test kit, the
  // scripted-peer harness and the lab's own helpers. Never the hidden suite.
  const hidden = `${labDir(slug)}/${lab.tests.hidden}`;
  const support = [
    ...(existsSync(join(ROOT, 'stack/testing')) ? walk('stack/testing', isSource) : []),
    ...kitFiles(),
    ...walk(labDir(slug), (p) => isSource(p) && p.split('/').length === 3 && p !== hidden),
  ];
  for (const path of support) files.push({ path, text: readRepoFile(path), editable: false });
  return { lab, files, starters };
}

/** The reference text of the lab's files (the solution the reveal policy guards). */
export function solution(slug: string): Record<string, string> {
  const lab = readLab(slug);
  return Object.fromEntries(lab.files.map((file) => [file, readRepoFile(file)]));
}

// ---------------------------------------------------------------------------------------------
// Runnable module maps (CommonJS bodies, see module-map.ts) for the in-browser worker.

/**
 * The course's own modules (stack, kit, tests, dispatchers) are compiled here, at build time, by
 * TypeScript itself; only the learner's file is transpiled in the page (transpile.ts, Sucrase,
 * 0.1 MB instead of TypeScript's 9 MB). The two meet only at CommonJS `exports`, which both write
 * the same way (`__esModule` and one property per export), and both keep ES2022 classes, fields
 * and enums as the target writes them. Sucrase cannot compile the dispatchers: it hoists
 * `export *` above the dispatcher's own exports of the same names.
 */
/** One module of the run tree → its CommonJS body (the same output the sandboxed grading child runs). */
export const compileModule = compileModuleCjs;

/** The repository as labs/kit/tree.ts reads it. */
export const repoSources: SourceFiles = {
  list: (prefix) => (existsSync(join(ROOT, prefix)) ? walk(prefix.replace(/\/$/, ''), () => true) : []),
  read: readRepoFile,
};

/**
 * The run tree of a lab (labs/kit/tree.ts) as compiled modules, without the learner's copies
 * (`<file>.learner.ts`), which the page compiles and adds at run time. `visible` carries the
 * stack, the kit, the dispatchers and the visible tests; `hidden` only the hidden test file, so
 * a server that keeps hidden tests to itself can simply refuse to serve it.
 */
export function runModules(slug: string, suite: 'visible' | 'hidden'): Record<string, string> {
  const lab = readLab(slug);
  const starters = new Map(lab.files.map((file) => [file, makeStarter(readRepoFile(file), file, slug)]));
  const suitePath = `${labDir(slug)}/${lab.tests[suite]}`;
  // A lab still being written may lack a suite; the runner then says the tests are not available.
  const tree = buildTree(repoSources, lab, starters, existsSync(join(ROOT, suitePath)) ? [suite] : []);
  const hiddenPath = `${labDir(slug)}/${lab.tests.hidden}`;
  const out: Record<string, string> = {};
  for (const [path, text] of tree) {
    if (lab.files.some((file) => path === sidePath(file, 'learner'))) continue;
    if (suite === 'hidden' ? path !== hiddenPath : path === hiddenPath) continue;
    out[path] = compileModule(path, text);
  }
  return out;
}

export function relativeToRoot(absolute: string): string {
  return relative(ROOT, absolute).split('\\').join('/');
}

/** The suites a lab has written so far (a lab in progress may lack one). */
export function presentSuites(lab: LabDefinition): Array<'visible' | 'hidden'> {
  return (['visible', 'hidden'] as const).filter((suite) => existsSync(join(ROOT, labDir(lab.slug), lab.tests[suite])));
}

/** The WebContainer tree of a lab with the starter in the learner's place. */
export function containerTree(slug: string): FileSystemTree {
  const lab = readLab(slug);
  const starters = new Map(lab.files.map((file) => [file, makeStarter(readRepoFile(file), file, slug)]));
  return toFileSystemTree(containerFiles(repoSources, lab, starters, presentSuites(lab)));
}

/** Where site/scripts/webcontainer-toolchain.ts leaves the toolchain snapshot for the build. */
export function toolchainSnapshotPath(): string {
  return process.env.WEBCONTAINER_TOOLCHAIN ?? join(ROOT, '.cache', 'webcontainer-toolchain.bin.gz');
}
