/**
 * GitHub Classroom: the template repository (labs/runner/classroom/), its workflow, the template
 * writer, and the reporter payload (labs/runner/classroom.ts) giving every task of every lab its points.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { LAB_SLUGS } from '../kit/definition.ts';
import { REPO, loadLab } from '../kit/node/repo.ts';
import { errorDocument, scoreTasks, type ResultsDocument, type TestResult } from '../kit/results.ts';
import { classroomOutput, toClassroom } from '../runner/classroom.ts';
import { TEMPLATE, WORKFLOW, writeClassroomTemplate } from '../runner/classroom-template.ts';

const workflowText = readFileSync(join(TEMPLATE, WORKFLOW), 'utf8');
const workflow = parseYaml(workflowText) as any;
const scratch = mkdtempSync(join(tmpdir(), 'classroom-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

describe('the autograding workflow', () => {
  const steps = workflow.jobs.grade.steps as any[];
  const grading = steps.find((s) => s.id === 'grading');
  const reporter = steps.find((s) => String(s.uses).startsWith('classroom-resources/autograding-grading-reporter@'));

  it('runs on every push, with the permissions the reporter needs', () => {
    expect(Object.keys(workflow.on)).toContain('push');
    expect(workflow.permissions).toMatchObject({ checks: 'write', actions: 'read', contents: 'read', packages: 'read' });
    expect(LAB_SLUGS).toContain(workflow.env.LAB);
  });

  it('runs the hidden tests through the image\'s entry with no network, and hands the payload to the reporter', () => {
    expect(grading.run).toMatch(/docker run --rm --network none \\\n\s+-v "\$GITHUB_WORKSPACE:\/solution:ro" -v "\$out:\/output" \\\n\s+"\$GRADER_IMAGE" "\$LAB" \/solution\/ \/output\/ --classroom \/output\/classroom\.json/);
    expect(grading.run).toContain('echo "result=$(base64 -w0 "$out/classroom.json")" >> "$GITHUB_OUTPUT"');
    // The reporter reads <RUNNER>_RESULTS for each runner id it is given.
    expect(reporter.with.runners).toBe('grading');
    expect(reporter.env).toEqual({ GRADING_RESULTS: '${{ steps.grading.outputs.result }}' });
  });

  it('the template holds no hidden test and no course code', () => {
    const files = walk(TEMPLATE).map((f) => relative(TEMPLATE, f));
    expect(files.sort()).toEqual(['.github/workflows/classroom.yml', '.gitignore', 'README.md']);
    for (const slug of LAB_SLUGS) {
      const hidden = readFileSync(join(REPO, 'labs', slug, 'hidden.test.ts'), 'utf8');
      const firstTest = /labTest\('([^']+)'/.exec(hidden)?.[1];
      if (firstTest) for (const f of files) expect(readFileSync(join(TEMPLATE, f), 'utf8')).not.toContain(firstTest);
    }
  });
});

describe('the template writer', () => {
  it.each(LAB_SLUGS.map((s) => [s]))('writes a template for %s: its starter, the workflow set to the lab, no hidden tests', (slug) => {
    const def = loadLab(slug);
    const dir = join(scratch, slug);
    const written = writeClassroomTemplate(slug, dir, 'ghcr.io/example/grader:1');
    const names = def.files.map((f) => f.split('/').pop()!);
    expect(written).toEqual(['README.md', '.gitignore', WORKFLOW, ...names]);
    const wf = parseYaml(readFileSync(join(dir, WORKFLOW), 'utf8')) as any;
    expect(wf.env).toEqual({ LAB: slug, GRADER_IMAGE: 'ghcr.io/example/grader:1' });
    for (const n of names) expect(readFileSync(join(dir, n), 'utf8')).toContain(`notImplemented('${slug}/1:`);
    expect(walk(dir).some((f) => /hidden|\.test\.ts$/.test(f))).toBe(false);
    expect(() => writeClassroomTemplate(slug, dir)).toThrow(/is not empty/);
  });
});

describe('the reporter payload gives every task of every lab its points', () => {
  const test = (task: number, i: number, status: TestResult['status']): TestResult => ({
    name: `task ${task} test ${i}`, task_id: task, status, message: status === 'pass' ? null : `wrong in task ${task}`, steps: [], trace_ref: null, seed: 1, duration_ms: 2,
  });

  it.each(LAB_SLUGS.map((s) => [s]))('%s: one entry per task, max_score the lab\'s total, half a task\'s tests passing earns half its points', (slug) => {
    const def = loadLab(slug);
    // Two tests a task; task 1 passes one of its two.
    const tests = def.tasks.flatMap((t) => [test(t.id, 1, 'pass'), test(t.id, 2, t.id === 1 ? 'fail' : 'pass')]);
    const tasks = scoreTasks(def.tasks, tests, () => ({ guard: false, weight: 1 }));
    const total = def.tasks.reduce((n, t) => n + t.points, 0);
    const doc: ResultsDocument = {
      version: 1, lab: slug, suite: 'hidden', status: 'fail', seed: 1,
      score: { points: tasks.reduce((n, t) => n + t.points, 0), max: total }, tasks, tests, traces: {}, message: null,
    };
    const payload = toClassroom(doc);
    expect(payload.max_score).toBe(total);
    expect(payload.tests.length).toBe(def.tasks.length);
    def.tasks.forEach((t, i) => {
      const entry = payload.tests[i];
      expect(entry.name).toBe(`${slug} task ${t.id}: ${t.title} (${entry.score}/${t.points} points)`);
      expect(entry.score).toBe(t.id === 1 ? t.points / 2 : t.points);
      expect(entry.status).toBe(t.id === 1 ? 'fail' : 'pass');
    });
    expect(payload.tests[0].message).toBe(`1/2 tests pass; first failure: task 1 test 2 — wrong in task 1`);
    expect(payload.tests.reduce((n, t) => n + t.score, 0)).toBe(total - def.tasks[0].points / 2);
    // What the workflow puts in $GITHUB_OUTPUT decodes back to the payload.
    expect(JSON.parse(Buffer.from(classroomOutput(payload), 'base64').toString('utf8'))).toEqual(payload);
  });

  it('a submission that does not compile gets 0 of every task, with the reason, and keeps the maximum', () => {
    const def = loadLab('queues');
    const payload = toClassroom(errorDocument('queues', 'hidden', 1, def.tasks, 'your code does not compile: x.ts:1:1 …'));
    expect(payload.status).toBe('error');
    expect(payload.max_score).toBe(def.tasks.reduce((n, t) => n + t.points, 0));
    expect(payload.tests.map((t) => [t.score, t.message])).toEqual(def.tasks.map(() => [0, 'your code does not compile: x.ts:1:1 …']));
  });
});
