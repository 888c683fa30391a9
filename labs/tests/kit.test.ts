// The lab kit's pure parts: regions and starters, lab.yaml validation, dispatch shims, scoring.
import { describe, expect, it } from 'vitest';
import { RegionError, makeStarter, parseRegions, regionTasks, relativeImport } from '../kit/regions.ts';
import { LabDefinitionError, validateLabDefinition, applyWrongEdits, validateWrongExpectation, hintProblems } from '../kit/definition.ts';
import { exportedFunctions, makeShim } from '../kit/shim.ts';
import { resultsProblems, scoreTasks, type TestResult } from '../kit/results.ts';
import { labTest as scoredLabTest } from '../kit/scoring.ts';
import { beginSuite } from '../kit/registry.ts';
import { runSuite } from '../kit/runner.ts';
import { RunawayError, SAME_INSTANT_LIMIT, TestContext, TRACE_LIMIT } from '../kit/context.ts';
import { Scheduler } from '../../stack/core/sim/scheduler.ts';
import { synSent } from '../../stack/testing/fixtures.ts';
import { placeConnection } from '../../stack/testing/placed.ts';
import { TcpTestFailure } from '../../stack/testing/steps.ts';

const FILE = 'stack/core/tcp/example.ts';
const SOURCE = `/** header */
import { a } from './a.ts';
import {
  b,
} from './b.ts';

export function pick(x: number): number {
  // #region lab demo/1 Pick a number
  return x + 1;
  // #endregion
}

export function act(x: number): void {
  const y = x;
  // #region lab demo/2 Do it
  if (y) return;
  console.log(y);
  // #endregion
}

export function other(): number {
  // #region lab elsewhere/1 Not this lab
  return 3;
  // #endregion
}
`;

describe('lab regions', () => {
  it('finds each region with its lab, task, title and lines', () => {
    const rs = parseRegions(SOURCE, FILE);
    expect(rs.map((r) => [r.slug, r.task, r.title, r.startLine, r.endLine])).toEqual([
      ['demo', 1, 'Pick a number', 8, 10],
      ['demo', 2, 'Do it', 15, 18],
      ['elsewhere', 1, 'Not this lab', 22, 24],
    ]);
    expect(regionTasks(SOURCE, FILE, 'demo')).toEqual([1, 2]);
  });

  it('replaces only this lab\'s regions: return form for values, statement form otherwise', () => {
    const s = makeStarter(SOURCE, FILE, 'demo');
    const note = (task: number) => ` // task ${task}: your code replaces this line (npm run lab -- demo prints the task's statement)`;
    expect(s).toContain(`  // #region lab demo/1 Pick a number\n  return notImplemented('demo/1: Pick a number');${note(1)}\n  // #endregion`);
    expect(s).toContain(`  // #region lab demo/2 Do it\n  notImplemented('demo/2: Do it');${note(2)}\n  // #endregion`);
    expect(s).not.toContain('return x + 1');
    expect(s).not.toContain('console.log(y)');
    expect(s).toContain('return 3;'); // another lab's region stays
    expect(s).toContain('const y = x;'); // code outside regions stays
  });

  it('imports notImplemented after the last (multi-line) import, keeping the header first', () => {
    const lines = makeStarter(SOURCE, FILE, 'demo').split('\n');
    expect(lines[0]).toBe('/** header */');
    expect(lines[5]).toBe("import { notImplemented } from './not-implemented.ts';");
    expect(lines[4]).toBe("} from './b.ts';");
  });

  it('escapes quotes in titles so the stub stays valid TypeScript', () => {
    const s = makeStarter("export function f(): number {\n  // #region lab demo/1 The peer's ISN \\ more\n  return 1;\n  // #endregion\n}\n", FILE, 'demo');
    expect(s).toContain("return notImplemented('demo/1: The peer\\'s ISN \\\\ more');");
  });

  it('names the file and line of malformed markers', () => {
    expect(() => parseRegions('x\n// #region lab demo Pick\n// #endregion\n', FILE)).toThrow(`${FILE}:2: malformed lab region`);
    expect(() => parseRegions('// #region lab demo/1 A\nfoo\n', FILE)).toThrow(`${FILE}:1: lab region demo/1 "A" is never closed`);
    expect(() => parseRegions('a\nb\n// #endregion\n', FILE)).toThrow(`${FILE}:3: "// #endregion" without a "// #region"`);
    expect(() => parseRegions('// #region lab demo/1 A\n// #region lab demo/2 B\n// #endregion\n// #endregion\n', FILE)).toThrow(RegionError);
    expect(() => makeStarter('export const x = 1;\n', FILE, 'demo')).toThrow('no "// #region lab demo/<task> <title>" marker');
  });

  it('computes relative imports between repository paths', () => {
    expect(relativeImport('stack/core/tcp/handshake.ts', 'stack/core/tcp/not-implemented.ts')).toBe('./not-implemented.ts');
    expect(relativeImport('stack/core/tcp/handshake.ts', 'labs/kit/side.ts')).toBe('../../../labs/kit/side.ts');
    expect(relativeImport('stack/core/seq.ts', 'stack/core/tcp/x.ts')).toBe('./tcp/x.ts');
  });
});

describe('dispatch shims', () => {
  it('forwards every exported function and re-exports the rest from the reference', () => {
    expect(exportedFunctions(SOURCE)).toEqual(['pick', 'act', 'other']);
    const shim = makeShim('stack/core/tcp/example.ts', SOURCE);
    expect(shim).toContain("export * from './example.reference.ts';");
    expect(shim).toContain("import * as learner from './example.learner.ts';");
    expect(shim).toContain("import { labSide } from '../../../labs/kit/side.ts';");
    for (const f of ['pick', 'act', 'other']) expect(shim).toContain(`export function ${f}(...args) { return pick('${f}')(...args); }`);
  });
});

const GOOD = {
  slug: 'handshake',
  title: 'T',
  chapter: 'handshake',
  summary: 'S',
  objectives: ['o'],
  minutes: 30,
  files: ['stack/core/tcp/handshake.ts'],
  tasks: [1, 2, 3].map((id) => ({ id, title: `t${id}`, points: 10, statement: `Write task ${id}. ${'The rule, its source, what the tests check and the traps. '.repeat(6)}`, hints: [{ concept: 'c' }, { pointer: 'p' }, { 'near-solution': 'n' }] })),
  scenarios: ['handshake'],
  solution: { policy: 'after-attempts:3' },
};

describe('lab.yaml validation', () => {
  const file = 'labs/handshake/lab.yaml';
  const bad = (patch: Record<string, unknown>, field: string, detail: string) => {
    const v = () => validateLabDefinition({ ...GOOD, ...patch }, file, 'handshake');
    expect(v).toThrow(LabDefinitionError);
    expect(v).toThrow(`${file}: ${field}: ${detail}`);
  };

  it('accepts a complete definition and fills defaults', () => {
    const d = validateLabDefinition(GOOD, file, 'handshake');
    expect(d.status).toBe('ready');
    expect(d.tests).toEqual({ visible: 'visible.test.ts', hidden: 'hidden.test.ts' });
    expect(d.solution).toEqual({ kind: 'after-attempts', attempts: 3 });
    expect(d.tasks[1].hints.map((h) => h.level)).toEqual(['concept', 'pointer', 'near-solution']);
  });

  it('names the file and the field of every problem', () => {
    bad({ slug: 'handshak' }, 'slug', 'expected one of handshake, teardown');
    bad({ slug: 'teardown' }, 'slug', 'is "teardown" but the folder is labs/handshake/');
    bad({ minutes: 'ten' }, 'minutes', 'expected a positive whole number, got "ten"');
    bad({ objectives: [] }, 'objectives', 'expected at least 1 entry, got 0');
    bad({ files: ['../etc/passwd'] }, 'files[0]', 'expected a path like stack/core/tcp/handshake.ts');
    bad({ tasks: GOOD.tasks.slice(0, 2) }, 'tasks', 'expected at least 3 entries, got 2');
    bad({ tasks: [GOOD.tasks[0], { ...GOOD.tasks[1], id: 5 }, GOOD.tasks[2]] }, 'tasks[1].id', 'tasks are numbered 1, 2, 3, … in order: expected 2, got 5');
    bad({ tasks: [{ ...GOOD.tasks[0], points: 0 }, ...GOOD.tasks.slice(1)] }, 'tasks[0].points', 'expected a positive whole number');
    bad({ tasks: [{ ...GOOD.tasks[0], hints: [{ pointer: 'p' }, { concept: 'c' }, { 'near-solution': 'n' }] }, ...GOOD.tasks.slice(1)] }, 'tasks[0].hints[0].pointer', 'hint 1 must be "concept"');
    bad({ tasks: [{ ...GOOD.tasks[0], hints: [{ concept: 'c' }] }, ...GOOD.tasks.slice(1)] }, 'tasks[0].hints', 'expected at least 3 entries');
    bad({ solution: { policy: 'sometimes' } }, 'solution.policy', 'expected always, after-pass, after-attempts:N');
    bad({ colour: 'red' }, 'colour', 'unknown field');
    bad({ status: 'done' }, 'status', 'expected ready or draft');
    const { statement: _s, ...noStatement } = GOOD.tasks[0];
    bad({ tasks: [noStatement, ...GOOD.tasks.slice(1)] }, 'tasks[0].statement', 'expected');
    bad({ tasks: [{ ...GOOD.tasks[0], statement: 'Write it.' }, ...GOOD.tasks.slice(1)] }, 'tasks[0].statement', 'a task statement says what to write');
  });

  it('keeps a task statement\'s lines, and lets a draft lab go without one', () => {
    const d = validateLabDefinition({ ...GOOD, tasks: [{ ...GOOD.tasks[0], statement: `${GOOD.tasks[0].statement}\nsecond line\n` }, ...GOOD.tasks.slice(1)] }, file, 'handshake');
    expect(d.tasks[0].statement.split('\n')[1]).toBe('second line');
    const draft = validateLabDefinition({ ...GOOD, status: 'draft', tasks: GOOD.tasks.map(({ statement: _t, ...t }) => ({ ...t, hints: [{ concept: 'c' }] })) }, file, 'handshake');
    expect(draft.tasks[0].statement).toBe('');
  });

  it('flags hints that name a missing function, a wrong argument count or a counter the file never counts', () => {
    const source = "export function tcpInWindow(seq: number, end: number, left: number, right: number): boolean { return true; }\nexport function f(a: number, b = 1): void { host.mib.inc('TW'); }\n";
    const def = validateLabDefinition({ ...GOOD, tasks: [{ ...GOOD.tasks[0], hints: [{ concept: 'call tcpInWindow(seq, end, nxt, right, wnd) then f(x)' }, { pointer: 'mib TW, then mib TCPAbortOnData' }, { 'near-solution': 'sendResetFor(host, seg); f(1, 2)' }] }, ...GOOD.tasks.slice(1)] }, file, 'handshake');
    expect(hintProblems(def, source)).toEqual([
      'tasks[0].hints[0]: calls tcpInWindow() with 5 arguments, but it takes 4',
      'tasks[0].hints[1]: names the counter TCPAbortOnData, which stack/core/tcp/handshake.ts never counts',
      'tasks[0].hints[2]: names sendResetFor(), which stack/core/tcp/handshake.ts does not have',
    ]);
  });

  it('lets a draft lab carry fewer hints', () => {
    const d = validateLabDefinition({ ...GOOD, status: 'draft', tasks: GOOD.tasks.map((t) => ({ ...t, hints: [{ concept: 'c' }] })) }, file, 'handshake');
    expect(d.status).toBe('draft');
  });

  it('checks a known-wrong implementation\'s expectation and its edits', () => {
    const edits = [{ find: 'a + 1', replace: 'a' }];
    expect(validateWrongExpectation({ task: 2, message: 'm', edits }, 'w.yaml', 4)).toEqual({ task: 2, message: 'm', why: undefined, edits });
    expect(() => validateWrongExpectation({ task: 5, message: 'm', edits }, 'w.yaml', 4)).toThrow('w.yaml: task: the lab has tasks 1–4, got 5');
    expect(() => validateWrongExpectation({ task: 1, edits }, 'w.yaml', 4)).toThrow('w.yaml: message: expected non-empty text');
    expect(() => validateWrongExpectation({ task: 1, message: 'm' }, 'w.yaml', 4)).toThrow(/w\.yaml: edits: must list at least one/);
  });

  it('builds a known-wrong implementation from the reference, and refuses edits that no longer fit', () => {
    const exp = (find: string) => ({ task: 1, message: 'm', edits: [{ find, replace: 'x = a;' }] });
    expect(applyWrongEdits('x = a + 1;\ny = 2;\n', exp('x = a + 1;'), 'w.yaml')).toBe('x = a;\ny = 2;\n');
    expect(() => applyWrongEdits('x = b;\n', exp('x = a + 1;'), 'w.yaml')).toThrow(/no longer occurs in the reference/);
    expect(() => applyWrongEdits('x = a + 1;\nx = a + 1;\n', exp('x = a + 1;'), 'w.yaml')).toThrow(/occurs more than once/);
  });
});

describe('scores and the results document', () => {
  const result = (task: number, status: 'pass' | 'fail'): TestResult => ({
    name: `${task}-${status}-${Math.random()}`, task_id: task, status, message: status === 'pass' ? null : 'why', steps: [], trace_ref: null, seed: 1, duration_ms: 0,
  });

  it('shares a task\'s points among its tests and passes a task only when all pass', () => {
    const tasks = [{ id: 1, title: 'a', points: 10 }, { id: 2, title: 'b', points: 30 }, { id: 3, title: 'c', points: 5 }];
    const plain = () => ({ guard: false, weight: 1 });
    const scored = scoreTasks(tasks, [result(1, 'pass'), result(1, 'pass'), result(2, 'pass'), result(2, 'fail'), result(2, 'fail')], plain);
    expect(scored.map((t) => [t.status, t.points, t.passed, t.total])).toEqual([['pass', 10, 2, 2], ['fail', 10, 1, 3], ['fail', 0, 0, 0]]);
  });

  it('pays guard tests only as far as the task\'s behaviour tests pass, and weighs tests', () => {
    const named = (name: string, task: number, status: 'pass' | 'fail'): TestResult => ({ ...result(task, status), name });
    const how: Record<string, { guard: boolean; weight: number }> = {
      b1: { guard: false, weight: 1 }, b2: { guard: false, weight: 3 }, g1: { guard: true, weight: 1 }, g2: { guard: true, weight: 3 },
    };
    const scoring = (n: string) => how[n] ?? { guard: false, weight: 1 };
    const tasks = [{ id: 1, title: 'a', points: 80 }];
    // Doing nothing: every guard passes, no behaviour test does → 0.
    const nothing = scoreTasks(tasks, [named('b1', 1, 'fail'), named('b2', 1, 'fail'), named('g1', 1, 'pass'), named('g2', 1, 'pass')], scoring)[0];
    expect([nothing.points, nothing.passed, nothing.guards]).toEqual([0, 2, { passed: 2, total: 2 }]);
    expect(nothing.scoring).toContain('0% here');
    // b2 (weight 3 of 4 behaviour) passes: behaviour 3 of 8, guards 4 × 3/4 = 3 → 6/8 of 80.
    expect(scoreTasks(tasks, [named('b1', 1, 'fail'), named('b2', 1, 'pass'), named('g1', 1, 'pass'), named('g2', 1, 'pass')], scoring)[0].points).toBe(60);
    // Everything passes: full points; a failing guard costs its weight.
    expect(scoreTasks(tasks, ['b1', 'b2', 'g1', 'g2'].map((n) => named(n, 1, 'pass')), scoring)[0].points).toBe(80);
    expect(scoreTasks(tasks, [named('b1', 1, 'pass'), named('b2', 1, 'pass'), named('g1', 1, 'pass'), named('g2', 1, 'fail')], scoring)[0].points).toBe(50);
  });

  it('registers guard and weight with the test, and refuses a bad weight', () => {
    const registry = beginSuite('visible');
    scoredLabTest('a guard registered for scoring', { task: 1, guard: true, weight: 2 }, () => {});
    expect(registry.scoring('a guard registered for scoring')).toEqual({ guard: true, weight: 2 });
    expect(registry.scoring('never registered')).toEqual({ guard: false, weight: 1 });
    expect(() => scoredLabTest('weightless', { task: 1, weight: 0 }, () => {})).toThrow('weight must be a positive number');
    expect(registry.tests.map((t) => t.name)).toEqual(['a guard registered for scoring']);
  });

  it('keeps each beginSuite()\'s tests in its own registry: a second load of a suite does not see the first', () => {
    const first = beginSuite('hidden');
    scoredLabTest('registered by the first load', { task: 1 }, () => {});
    const second = beginSuite('hidden');
    scoredLabTest('registered by the first load', { task: 1 }, () => {});
    expect([first.tests.length, second.tests.length]).toEqual([1, 1]);
    expect(() => scoredLabTest('registered by the first load', { task: 1 }, () => {})).toThrow('two tests of suite "hidden" have this name');
    expect(() => beginSuite('default' as 'hidden')).toThrow('a suite is "visible" or "hidden"');
  });

  it('runs only the tests named, keeps their traces when asked, and scores with the registry\'s weights', () => {
    const registry = beginSuite('hidden');
    const ran: string[] = [];
    const lab = { slug: 'demo', tasks: [{ id: 1, title: 'a', points: 10 }] };
    scoredLabTest('first', { task: 1 }, (t) => {
      ran.push('first');
      t.fixture('client in SYN_SENT', (o) => synSent(o));
    });
    scoredLabTest('second', { task: 1, weight: 3 }, (t) => {
      ran.push('second');
      t.fixture('client in SYN_SENT', (o) => synSent(o));
      throw new Error('no');
    });
    scoredLabTest('third', { task: 1, guard: true }, () => void ran.push('third'));
    const all = runSuite(lab, registry);
    expect(ran).toEqual(['first', 'second', 'third']);
    // first (1) passes, second (3) fails: behaviour 1 of 4, the guard earns 1 × 1/4 → 1.25 of 5.
    expect(all.score.points).toBe(2.5);
    expect(all.tests.map((t) => t.trace_ref)).toEqual([null, 't2', null]);
    ran.length = 0;
    const one = runSuite(lab, registry, { only: ['first'], keepTraces: true });
    expect(ran).toEqual(['first']);
    expect(one.tests.map((t) => [t.name, t.trace_ref])).toEqual([['first', 't1']]);
    expect(one.traces.t1.length).toBeGreaterThan(0);
    expect(() => runSuite(lab, registry, { only: ['fourth'] })).toThrow('the hidden tests of lab demo have no test named "fourth"');
  });

  it('flags malformed documents', () => {
    expect(resultsProblems({ version: 2 })).toContain('version must be 1');
    const doc = { version: 1, lab: 'x', suite: 'hidden', status: 'fail', seed: 1, score: { points: 0, max: 1 }, tasks: [], tests: [{ ...result(1, 'fail'), trace_ref: 't1' }], traces: {}, message: null };
    expect(resultsProblems(doc)).toEqual(['tests[0].trace_ref must name an entry of traces']);
  });

  it('reports, never throws on, shapes no runner should send: null, an array, a null test entry', () => {
    for (const bad of [null, 'text', [], [1]]) expect(resultsProblems(bad)).toEqual(['the runner did not return a JSON object']);
    const doc = { version: 1, lab: 'x', suite: 'hidden', status: 'fail', seed: 1, score: { points: 0, max: 1 }, tasks: [], tests: [null, result(1, 'fail')], traces: {}, message: null };
    expect(resultsProblems(doc)).toEqual(['tests[0] must be an object']);
  });
});

describe('the runaway guard (scheduler budget)', () => {
  it('stops a zero-delay timer loop within its test, naming the timer and the virtual time, with a bounded trace', () => {
    const t = new TestContext(1);
    const h = t.harness();
    const conn = { n: 0 };
    const loop = (): void => {
      conn.n++;
      h.world.sched.at(h.world.sched.now, loop, 'keepalive');
    };
    h.world.sched.at(7_200_000, loop, 'keepalive');
    let err: unknown = null;
    try {
      h.advanceTo(8_000_000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunawayError);
    const msg = (err as Error).message;
    expect(msg).toContain(`${SAME_INSTANT_LIMIT.toLocaleString('en')} events in a row at t=7200.000 s without the virtual clock moving`);
    expect(msg).toContain('the "keepalive" timer');
    expect(conn.n).toBe(SAME_INSTANT_LIMIT);
    expect(t.trace().length).toBeLessThanOrEqual(TRACE_LIMIT);
  });

  it('stops a loop that moves the clock a little each time after EVENT_LIMIT events, and counts step() too', () => {
    const t = new TestContext(1);
    const h = t.harness();
    const sched = h.world.sched;
    const loop = (): void => void sched.at(sched.now + 1, loop, 'persist');
    sched.at(sched.now + 1, loop, 'persist');
    expect(() => h.advanceTo(1e9)).toThrow(/more than 200,000 events in one test \(stopped at t=200\.\d+ s, at the "persist" timer\)/);
    expect(() => sched.step()).toThrow(RunawayError);
  });

  it('leaves schedulers without a budget alone: the stack\'s own runs have no limit beyond runUntil\'s', () => {
    const sched = new Scheduler();
    let n = 0;
    const loop = (): void => {
      if (++n < SAME_INSTANT_LIMIT * 2) sched.at(sched.now, loop, 'x');
    };
    sched.at(0, loop, 'x');
    sched.runUntil(10);
    expect(n).toBe(SAME_INSTANT_LIMIT * 2);
  });
});

describe('the invariant check of authoring runs (TestContext with checkInvariants)', () => {
  /** A connection whose SND.UNA is beyond SND.NXT, put into the host's table by a step. */
  function breakAfterStep(t: TestContext): void {
    const { h } = t.fixture('an idle ESTABLISHED connection', (o) => placeConnection('ESTABLISHED', o));
    h.act('a bug moves SND.UNA past SND.NXT', () => {
      const conn = [...h.host.connections.values()][0];
      conn.sndUna = (conn.sndNxt + 5) >>> 0;
    });
    h.expectNothingUntil(100);
  }

  it('fails at the step after the one that broke an invariant, naming both', () => {
    const t = new TestContext(1, true);
    let err: unknown = null;
    try {
      breakAfterStep(t);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TcpTestFailure);
    const msg = (err as Error).message;
    expect(msg).toMatch(/after step \d+ \(t=0 ms {2}a bug moves SND\.UNA past SND\.NXT\) the stack broke an invariant: .*SND\.UNA 5006 is beyond SND\.NXT 5001/);
  });

  it('checks the state the last step left when the test ends (finish), and stays silent without the option', () => {
    const quiet = new TestContext(1);
    expect(() => breakAfterStep(quiet)).not.toThrow();
    quiet.finish();
    const t = new TestContext(1, true);
    const { h } = t.fixture('an idle ESTABLISHED connection', (o) => placeConnection('ESTABLISHED', o));
    h.act('a bug leaves a closed connection in the table', () => {
      [...h.host.connections.values()][0].closed = true;
    });
    expect(() => t.finish()).toThrow(/is closed but still in the connection table/);
  });
});
