/**
 * The results document every runner returns (labs/README.md, "Results document"), checked on the
 * way in: a runner is another process, another machine or the learner's own code in a worker, so
 * the page never trusts its shape. A malformed document becomes an `error` result that says what
 * was wrong instead of a blank panel.
 */
import { resultsProblems, type ResultsDocument, type TaskResult, type TestResult } from '../../../labs/kit/results.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export type { ResultsDocument, TaskResult, TestResult };
export type Suite = ResultsDocument['suite'];

/** A document for a run that produced no usable results (crash, timeout, bad output). */
export function errorResults(lab: string, suite: Suite, message: string): ResultsDocument {
  return { version: 1, lab, suite, status: 'error', seed: 0, score: { points: 0, max: 0 }, tasks: [], tests: [], traces: {}, message };
}

/** Accepts a runner's answer, or turns it into an `error` document naming what was wrong. */
export function acceptResults(value: unknown, lab: string, suite: Suite): ResultsDocument {
  const problems = resultsProblems(value);
  if (problems.length > 0) {
    return errorResults(lab, suite, `The runner returned something that is not a results document: ${problems.slice(0, 3).join('; ')}.`);
  }
  return value as ResultsDocument;
}

/** The test the panel opens and emphasises: tests come back in file order, so the first non-pass. */
export function firstFailure(doc: ResultsDocument): TestResult | undefined {
  return doc.tests.find((t) => t.status !== 'pass');
}

export interface TaskGroup {
  task: TaskResult;
  tests: TestResult[];
}

/**
 * Tests grouped under their task, tasks in lab order. A test naming a task the document does not
 * list still shows, under a synthetic "task N" entry, rather than vanishing from the panel.
 */
export function groupByTask(doc: ResultsDocument, t: WorkbenchStrings = WORKBENCH_EN): TaskGroup[] {
  const groups = new Map<number, TaskGroup>();
  for (const task of doc.tasks) groups.set(task.id, { task, tests: [] });
  for (const test of doc.tests) {
    let group = groups.get(test.task_id);
    if (!group) {
      // Not scored by the document: points and counts stay 0.
      group = { task: { id: test.task_id, title: t.taskN(test.task_id), status: test.status, points: 0, max: 0, passed: 0, total: 0 }, tests: [] };
      groups.set(test.task_id, group);
    }
    group.tests.push(test);
  }
  return [...groups.values()].sort((a, b) => a.task.id - b.task.id);
}

/** One line for the status bar and the screen reader's live region. */
export function summarise(doc: ResultsDocument, t: WorkbenchStrings = WORKBENCH_EN): string {
  const suiteName = t.suiteName(doc.suite);
  if (doc.status === 'error') return t.summaryError(suiteName, doc.message ? t.runnerText(doc.message) : t.runDidNotFinish);
  const passed = doc.tests.filter((test) => test.status === 'pass').length;
  return t.summary(suiteName, passed, doc.tests.length, doc.score.max > 0 ? doc.score : null);
}
