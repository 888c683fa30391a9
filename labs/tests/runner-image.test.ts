/**
 * The grading image (labs/runner/Dockerfile): checked without Docker (every file it copies exists
 * and is let through the build context, the entry point exists, its npm packages are exactly the
 * bare imports of the grading code at the locked versions, and the image's layout — course files
 * read-only, only .lab-work writable — grades), then built and run with no network where a
 * Docker daemon answers.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, loadLab, referenceFiles } from '../kit/node/repo.ts';
import { exercismProblems } from '../runner/exercism.ts';
// A plain .mjs script: it runs in the image's build stage, before tsx is installed.
import { GRADING_PACKAGES, imagePackage } from '../runner/image-package.mjs';

const DOCKERFILE = readFileSync(join(REPO, 'labs/runner/Dockerfile'), 'utf8');
const IGNORE = readFileSync(join(REPO, 'labs/runner/Dockerfile.dockerignore'), 'utf8');

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Array<{ op: string; args: string }> {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const ops = instructions(DOCKERFILE);
const scratchDirs: string[] = [];
afterAll(() => {
  for (const d of scratchDirs) {
    spawnSync('chmod', ['-R', 'u+w', d]);
    rmSync(d, { recursive: true, force: true });
  }
});

describe('the grading image, without Docker', () => {
  it('builds on the official Node 22 image in every stage', () => {
    const froms = ops.filter((o) => o.op === 'FROM').map((o) => o.args.split(/\s+/)[0]);
    expect(froms.length).toBe(2);
    for (const f of froms) expect(f).toMatch(/^node:22(\.\d+)*-(bookworm|bookworm-slim)$/);
  });

  it('copies only files that exist, and the build context lets each of them through', () => {
    const copies = ops.filter((o) => o.op === 'COPY' && !o.args.startsWith('--from'));
    expect(copies.length).toBeGreaterThan(3);
    const allowed = IGNORE.split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/\*\*$/, ''));
    for (const c of copies) {
      const sources = c.args.split(/\s+/).slice(0, -1);
      for (const s of sources) {
        expect(existsSync(join(REPO, s)), `COPY ${s}`).toBe(true);
        expect(allowed.some((a) => s === a || s.startsWith(`${a}/`)), `${s} is let through Dockerfile.dockerignore`).toBe(true);
      }
    }
    // The hidden tests are inside the image: labs/ is copied whole and not ignored.
    expect(copies.some((c) => c.args.startsWith('labs '))).toBe(true);
    expect(IGNORE).not.toMatch(/hidden/);
  });

  it('enters through run.sh, which exists and is executable', () => {
    const entry = ops.find((o) => o.op === 'ENTRYPOINT')!;
    const [path] = JSON.parse(entry.args) as string[];
    expect(path).toBe('/opt/course/labs/runner/run.sh');
    const local = join(REPO, path.replace('/opt/course/', ''));
    expect(statSync(local).mode & 0o111).not.toBe(0);
    expect(ops.find((o) => o.op === 'USER')?.args).toBe('node');
  });

  it('installs exactly the packages the grading code imports, at package-lock.json\'s versions', () => {
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    const image = imagePackage(pkg, lock) as unknown as { dependencies: Record<string, string> };
    for (const name of GRADING_PACKAGES) expect(image.dependencies[name]).toBe(lock.packages[`node_modules/${name}`].version);
    // Every bare import of the code that runs in the image (the kit, its Node side, the runner).
    const bare = new Set<string>(['tsx']);
    for (const dir of ['labs/kit', 'labs/kit/node', 'labs/runner']) {
      for (const f of readdirSync(join(REPO, dir)).filter((n) => /\.(ts|mjs)$/.test(n))) {
        for (const m of readFileSync(join(REPO, dir, f), 'utf8').matchAll(/^import\s[^'"]*['"]([^'"./][^'"]*)['"]/gm)) {
          if (!m[1].startsWith('node:')) bare.add(m[1].split('/')[0]);
        }
      }
    }
    expect(new Set(GRADING_PACKAGES)).toEqual(bare);
    expect(() => imagePackage(pkg, { packages: {} })).toThrow(/package-lock\.json has no node_modules\/typescript/);
  });

  it('grades in the image\'s layout: course files read-only, only .lab-work writable', () => {
    const root = mkdtempSync(join(tmpdir(), 'grader-image-'));
    scratchDirs.push(root);
    const course = join(root, 'course');
    mkdirSync(course);
    for (const p of ['stack', 'labs', 'tsconfig.core.json']) cpSync(join(REPO, p), join(course, p), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(course, 'node_modules'));
    mkdirSync(join(course, '.lab-work'));
    spawnSync('chmod', ['-R', 'a-w', join(course, 'stack'), join(course, 'labs')]);
    chmodSync(course, 0o555);
    const def = loadLab('handshake');
    const input = join(root, 'solution');
    mkdirSync(input);
    writeFileSync(join(input, 'handshake.ts'), referenceFiles(def).get(def.files[0])!);
    const out = join(root, 'output');
    const r = spawnSync(join(course, 'labs/runner/run.sh'), ['handshake', input, out, '--timeout', '120'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(exercismProblems(doc)).toEqual([]);
    expect(doc.status, doc.message).toBe('pass');
  }, 600_000);
});

const daemon = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
const dockerReason =
  daemon.error ? `no docker command here (${(daemon.error as NodeJS.ErrnoException).code})`
  : daemon.status !== 0 ? `no Docker daemon answers here (${(daemon.stderr || '').trim().split('\n').pop()})`
  : null;

describe('the grading image, with Docker', () => {
  if (dockerReason) {
    it.skip(`builds the image and grades with --network none — skipped: ${dockerReason}`, () => {});
    it('says why the Docker build was skipped', () => {
      console.warn(`labs/runner/Dockerfile was not built: ${dockerReason}`);
      expect(dockerReason).toMatch(/^no [Dd]ocker/);
    });
    return;
  }
  it('builds the image and grades a passing and a non-compiling submission with --network none', () => {
    const tag = `tcp-course-grader-test:${process.pid}`;
    const build = spawnSync('docker', ['build', '-q', '-f', 'labs/runner/Dockerfile', '-t', tag, '.'], { cwd: REPO, encoding: 'utf8', timeout: 900_000 });
    expect(build.status, build.stderr).toBe(0);
    try {
      const def = loadLab('handshake');
      const root = mkdtempSync(join(tmpdir(), 'grader-docker-'));
      scratchDirs.push(root);
      for (const [label, text, status] of [
        ['pass', referenceFiles(def).get(def.files[0])!, 'pass'],
        ['broken', 'export const x: number = "no";\n', 'error'],
      ] as const) {
        const input = join(root, `in-${label}`);
        const out = join(root, `out-${label}`);
        mkdirSync(input);
        mkdirSync(out, { mode: 0o777 });
        chmodSync(out, 0o777);
        writeFileSync(join(input, 'handshake.ts'), text);
        const run = spawnSync('docker', ['run', '--rm', '--network', 'none', '-v', `${input}:/solution:ro`, '-v', `${out}:/output`, tag, 'handshake', '/solution/', '/output/'], { encoding: 'utf8', timeout: 300_000 });
        expect(run.status, run.stderr).toBe(0);
        const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
        expect(exercismProblems(doc)).toEqual([]);
        expect(doc.status).toBe(status);
      }
    } finally {
      spawnSync('docker', ['rmi', '-f', tag]);
    }
  }, 1_200_000);
});
