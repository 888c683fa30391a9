// The worker runner's grading, run under Node with the very module maps the site serves
// (lab-data.ts) and the learner-side transpile the worker bundles (transpile.ts): the starter
// fails, the reference passes, broken code fails with words.
import { describe, expect, it } from 'vitest';
import { labExists, readLab, runModules, workspace, solution } from '../../lib/workbench/lab-data.ts';
import { WorkerGrader } from '../../lib/workbench/worker-grade.ts';
import { labMeta } from '../../../labs/kit/definition.ts';
import { transpile } from '../../lib/workbench/transpile.ts';
import { createReferenceTracer } from '../../server/reference-tracer.ts';

describe.each(['handshake', 'teardown', 'syn-flood', 'queues', 'keepalive'].filter(labExists))('worker grading of the %s lab', (slug) => {
  const def = readLab(slug);
  const lab = labMeta(def);
  const grader = new WorkerGrader(transpile);
  grader.addModules(runModules(slug, 'visible'));
  grader.addModules(runModules(slug, 'hidden'));
  const starters = workspace(slug).starters;
  const reference = solution(slug);

  it('fails the starter with "not implemented yet" and passes the reference, hidden suite', () => {
    const starter = grader.grade({ lab, suite: 'hidden', files: starters });
    expect(starter.status).toBe('fail');
    expect(starter.score.points).toBe(0);
    expect(starter.tests.find((t) => t.status !== 'pass')?.message).toMatch(new RegExp(`not implemented yet: ${slug}/`));
    const solved = grader.grade({ lab, suite: 'hidden', files: reference });
    expect(solved.tests.filter((t) => t.status !== 'pass').map((t) => `${t.name}: ${t.message}`)).toEqual([]);
    expect(solved.status).toBe('pass');
    expect(solved.score.points).toBe(solved.score.max);
  });

  it('reports a syntax error in the learner file as an error document naming the line', () => {
    const file = def.files[0];
    const doc = grader.grade({ lab, suite: 'hidden', files: { ...reference, [file]: `${reference[file]}\nexport function (` } });
    expect(doc.status).toBe('error');
    const line = reference[file].split('\n').length + 1;
    expect(doc.message).toMatch(new RegExp(`${file} did not compile.*line ${line}, column 17: Unexpected token`));
  });

  it('keeps runs independent: a reference run after a starter run still passes', () => {
    grader.grade({ lab, suite: 'hidden', files: starters });
    expect(grader.grade({ lab, suite: 'hidden', files: reference }).status).toBe('pass');
  });

  it('gives the reference trace of a failing test for the side-by-side diagram', () => {
    const starter = grader.grade({ lab, suite: 'hidden', files: starters });
    const failing = starter.tests.find((t) => t.trace_ref);
    expect(failing).toBeDefined();
    const trace = grader.referenceTrace(lab, 'hidden', failing!.name, starter.seed);
    expect(trace?.length).toBeGreaterThan(0);
    // The handshake's tests all exchange segments; other labs may fail first on a queue or timer test.
    if (slug === 'handshake') expect(trace?.some((e) => e.kind === 'segment')).toBe(true);
  });

  it('gives the course server the same reference trace for a hidden test', async () => {
    const starter = grader.grade({ lab, suite: 'hidden', files: starters });
    const failing = starter.tests.find((t) => t.trace_ref)!;
    const fromServer = await createReferenceTracer()(slug, 'hidden', failing.name, starter.seed);
    expect(fromServer).toEqual(grader.referenceTrace(lab, 'hidden', failing.name, starter.seed));
    expect(await createReferenceTracer()(slug, 'hidden', 'no such test', 1)).toBeNull();
  });
});
