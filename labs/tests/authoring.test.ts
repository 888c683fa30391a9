/**
 * Authoring checks for every lab (nbgrader `validate --invert`, Rustlings `dev check`, CodeCrafters
 * tester fixtures): the definition loads and matches the stack's regions; the reference and the
 * starter type-check; the reference passes every test under 5 seeds; the starter fails every
 * hidden test of every task; each known-wrong implementation fails its task with the message it is
 * meant to produce. Draft labs (tests still being written) get the checks that need no tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LAB_SLUGS, hintProblems } from '../kit/definition.ts';
import { makeStarter, parseRegions } from '../kit/regions.ts';
import { listScenarios } from '../../stack/core/scenarios/index.ts';
import { resultsProblems, type ResultsDocument } from '../kit/results.ts';
import { formatProblems, typeCheck, typeCheckRuntimeIndependent } from '../kit/node/compile.ts';
import { loadTree } from '../kit/node/inprocess.ts';
import { loadLab, referenceFiles, repoFiles, repoPath, starterFiles, wrongImplementations } from '../kit/node/repo.ts';

// Each check loads a run tree or runs the type checker: on a busy two-core machine that alone
// can pass vitest's default 30 s.
vi.setConfig({ testTimeout: 180_000 });

const SEEDS = [1, 2, 3, 4, 5];
const scenarioNames = new Set(listScenarios().map((s) => s.name));

function failuresOf(doc: ResultsDocument): string {
  return doc.tests.filter((t) => t.status !== 'pass').map((t) => `  [task ${t.task_id}] ${t.name}: ${t.message}`).join('\n');
}

it('the lab kit type-checks without Node or DOM types (it runs in workers and WebContainers too)', () => {
  const kit = repoFiles.list('labs/kit/').filter((p) => p.endsWith('.ts') && !p.startsWith('labs/kit/node/'));
  const problems = typeCheckRuntimeIndependent(kit);
  expect(problems, formatProblems(problems, 10)).toEqual([]);
});

describe.each(LAB_SLUGS)('lab %s', (slug) => {
  const def = loadLab(slug);

  it('has a valid lab.yaml whose tasks match the regions marked in the stack', () => {
    expect(def.slug).toBe(slug);
    expect(def.tasks.length).toBeGreaterThanOrEqual(3);
    for (const s of def.scenarios) expect(scenarioNames, `scenario "${s}" in labs/${slug}/lab.yaml`).toContain(s);
  });

  it('has a starter and a reference that type-check against the stack', () => {
    const starter = typeCheck(starterFiles(def));
    expect(starter, `starter of ${slug}:\n${formatProblems(starter)}`).toEqual([]);
    const reference = typeCheck(referenceFiles(def));
    expect(reference, `reference of ${slug}:\n${formatProblems(reference)}`).toEqual([]);
    for (const t of def.tasks) expect(starterFiles(def).get(def.files[0])).toContain(`notImplemented('${slug}/${t.id}: `);
  });

  it('has tests that type-check without Node or DOM types', () => {
    const own = repoFiles.list(`labs/${slug}/`).filter((p) => p.split('/').length === 3 && p.endsWith('.ts'));
    const problems = typeCheckRuntimeIndependent(own);
    expect(problems, formatProblems(problems, 5)).toEqual([]);
  });

  it('has task statements and hints that name only what the reference has (functions, argument counts, counters)', () => {
    const file = def.files[0];
    const text = referenceFiles(def).get(file)!;
    const imported = [...text.matchAll(/from '(\.[^']+)'/g)].map((m) => readFileSync(repoPath(join(dirname(file), m[1])), 'utf8'));
    expect(hintProblems(def, text, imported)).toEqual([]);
    if (def.status === 'draft') return;
    // Each statement names the functions the learner writes for it: every exported function that
    // holds a region of the task.
    const lines = text.split('\n');
    for (const r of parseRegions(text, file).filter((x) => x.slug === slug)) {
      let fn = '';
      for (let i = r.startLine - 2; i >= 0 && !fn; i--) fn = /^export function ([\w$]+)/.exec(lines[i])?.[1] ?? '';
      const statement = def.tasks.find((t) => t.id === r.task)!.statement;
      expect(statement, `task ${r.task}'s statement should name ${fn}, which holds its region "${r.title}"`).toContain(fn);
    }
  });

  if (def.status === 'draft') {
    it.skip('is a draft: tests, wrong implementations and the full hint ladders are still to come', () => {});
    return;
  }

  it('has its chapter, its test suites and at least 25 hidden tests covering every task', async () => {
    expect(existsSync(repoPath(`content/chapters/${def.chapter}.mdx`)), `content/chapters/${def.chapter}.mdx`).toBe(true);
    const tree = await loadTree(def, referenceFiles(def), 'hidden', 'count');
    try {
      const doc = tree.run(1);
      expect(doc.tests.length).toBeGreaterThanOrEqual(25);
      for (const t of def.tasks) expect(doc.tests.filter((x) => x.task_id === t.id).length, `hidden tests of task ${t.id}`).toBeGreaterThan(0);
    } finally {
      tree.dispose();
    }
  });

  it.each(['hidden', 'visible'] as const)('reference passes every %s test under 5 seeds', async (suite) => {
    const tree = await loadTree(def, referenceFiles(def), suite, `reference-${suite}`);
    try {
      for (const seed of SEEDS) {
        // Every step of every test must leave the stack consistent (stack/testing/invariants.ts).
        const doc = tree.run(seed, { checkInvariants: true });
        expect(resultsProblems(doc)).toEqual([]);
        expect(doc.status, `seed ${seed}:\n${failuresOf(doc)}`).toBe('pass');
        expect(doc.score.points).toBe(doc.score.max);
        expect(doc.seed).toBe(seed);
      }
    } finally {
      tree.dispose();
    }
  });

  it('starter fails every hidden test of every task, each with a readable message', async () => {
    const tree = await loadTree(def, starterFiles(def), 'hidden', 'starter');
    try {
      const doc = tree.run(1);
      expect(resultsProblems(doc)).toEqual([]);
      expect(doc.status).toBe('fail');
      expect(doc.score.points).toBe(0);
      for (const t of doc.tasks) expect(t.status, `task ${t.id}`).toBe('fail');
      const passing = doc.tests.filter((t) => t.status === 'pass').map((t) => t.name);
      expect(passing, 'hidden tests the starter passes (they would pass without any work)').toEqual([]);
      for (const t of doc.tests) {
        expect(t.message, t.name).toMatch(/not implemented yet: [a-z-]+\/\d: /);
        expect(t.steps.length, `${t.name}: steps`).toBeGreaterThan(0);
      }
      // A task's own tests name that task's unfinished region first.
      for (const t of doc.tests) if (t.task_id === 1) expect(t.message).toContain(`${slug}/1:`);
      // Determinism: the same seed gives the same results, steps and traces.
      const again = tree.run(1);
      const strip = (d: ResultsDocument) => JSON.stringify({ ...d, tests: d.tests.map((t) => ({ ...t, duration_ms: 0 })) });
      expect(strip(again)).toBe(strip(doc));
    } finally {
      tree.dispose();
    }
  });

  const wrongs = wrongImplementations(def);
  it('keeps at least 3 known-wrong implementations, each differing from the reference only inside the regions', () => {
    expect(wrongs.length).toBeGreaterThanOrEqual(3);
    const file = def.files[0];
    const referenceOutside = makeStarter(referenceFiles(def).get(file)!, file, slug);
    for (const w of wrongs) {
      // A known-wrong version is a mistake in the learner's part of the file, nowhere else.
      expect(makeStarter(w.files.get(file)!, file, slug) === referenceOutside, `labs/${slug}/${def.wrong}/${w.name}.yaml edits ${file} outside the lab's regions: a known-wrong version may only change region code`).toBe(true);
    }
  });

  it.each(wrongs.map((w) => [w.name, w] as const))('known-wrong "%s" fails with the message it is meant to produce', async (name, w) => {
    const tree = await loadTree(def, w.files, 'hidden', `wrong-${name}`);
    try {
      const doc = tree.run(1);
      expect(resultsProblems(doc)).toEqual([]);
      const task = doc.tasks.find((t) => t.id === w.expect.task)!;
      expect(task.status, `task ${w.expect.task} should fail`).toBe('fail');
      const messages = doc.tests.filter((t) => t.task_id === w.expect.task && t.status === 'fail').map((t) => t.message ?? '');
      expect(messages.some((m) => m.includes(w.expect.message)), `no failing message of task ${w.expect.task} contains "${w.expect.message}"; got:\n${messages.join('\n')}`).toBe(true);
      // Failing runs carry their trace for the sequence diagram.
      for (const t of doc.tests) if (t.trace_ref) expect(doc.traces[t.trace_ref].length).toBeGreaterThan(0);
    } finally {
      tree.dispose();
    }
  });
});
