/**
 * tsx labs/runner/classroom-template.ts <slug> <dir> [--image IMAGE]
 *
 * Writes a GitHub Classroom template repository for one lab into <dir>: the files of
 * labs/runner/classroom/ (student README, autograding workflow), the workflow set to this lab and
 * image, and the lab's starter file(s) by file name. The hidden tests are never written: they stay
 * in the grading image.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, loadLab, starterFiles } from '../kit/node/repo.ts';

export const TEMPLATE = join(REPO, 'labs/runner/classroom');
export const WORKFLOW = '.github/workflows/classroom.yml';

export function writeClassroomTemplate(slug: string, dir: string, image?: string): string[] {
  const def = loadLab(slug);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: choose a new folder for the template`);
  cpSync(TEMPLATE, dir, { recursive: true });
  const workflowFile = join(dir, ...WORKFLOW.split('/'));
  let workflow = readFileSync(workflowFile, 'utf8').replace(/^( {2}LAB: ).*$/m, `$1${def.slug}`);
  if (image) workflow = workflow.replace(/^( {2}GRADER_IMAGE: ).*$/m, `$1${image}`);
  writeFileSync(workflowFile, workflow);
  const written = ['README.md', '.gitignore', WORKFLOW];
  for (const [path, text] of starterFiles(def)) {
    const name = path.split('/').pop()!;
    writeFileSync(join(dir, name), text);
    written.push(name);
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--image');
  const image = i >= 0 ? argv.splice(i, 2)[1] : undefined;
  if (argv.length !== 2 || (i >= 0 && !image)) {
    console.error('usage: tsx labs/runner/classroom-template.ts <slug> <dir> [--image IMAGE]');
    process.exit(2);
  }
  try {
    const files = writeClassroomTemplate(argv[0], resolve(argv[1]), image);
    console.log(`template for ${argv[0]} → ${argv[1]}: ${files.join(', ')}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
