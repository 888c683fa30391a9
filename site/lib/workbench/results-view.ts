/**
 * The results panel and the terminal's report of a run. The panel lists tasks with their tests in
 * file order; the first failure is open and emphasised with its message, expected/actual and the
 * numbered steps that ran (CS144-style), because that is the one thing to fix next.
 *
 * The document is the harness's, in English; the panel says it in the page's edition: its own words
 * from the dictionary, the harness's sentences through `t.runnerText` (harness-phrases.ts), and
 * the task titles as the page's lab text has them (a runner's document carries lab.yaml's).
 */
import { firstFailure, groupByTask, summarise, type ResultsDocument, type TestResult } from './results.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export interface ResultsWords {
  t: WorkbenchStrings;
  /** A task's title in the page's words; undefined keeps the document's. */
  taskTitle?: (id: number) => string | undefined;
}

const ENGLISH: ResultsWords = { t: WORKBENCH_EN };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string } = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

function testDetails(test: TestResult & { expected?: string; actual?: string; report?: string }, first: boolean, t: WorkbenchStrings): HTMLElement {
  const details = el('details', { className: `wb-test wb-test--${test.status}${first ? ' wb-test--first' : ''}` });
  details.open = first;
  if (first) details.dataset.firstFailure = 'true';
  const summary = el('summary', {}, el('span', { className: `wb-badge wb-badge--${test.status}`, text: t.status(test.status) }), ` ${test.name}`);
  details.append(summary);
  if (test.message) details.append(el('p', { className: 'wb-test__message', text: t.runnerText(test.message) }));
  if (test.expected !== undefined || test.actual !== undefined) {
    const dl = el('dl', { className: 'wb-test__diff' });
    if (test.expected !== undefined) dl.append(el('dt', { text: t.expected }), el('dd', {}, el('code', { text: t.runnerText(test.expected) })));
    if (test.actual !== undefined) dl.append(el('dt', { text: t.actual }), el('dd', {}, el('code', { text: t.runnerText(test.actual) })));
    details.append(dl);
  }
  if (test.steps.length > 0) {
    const list = el('ol', { className: 'wb-steps' });
    for (const step of test.steps) {
      const text = t.runnerText(step.text);
      const item = el('li', { className: step.ok ? 'wb-step' : 'wb-step wb-step--failed', text });
      item.value = step.n;
      if (!step.ok) item.setAttribute('aria-label', t.failedStep(step.n, text));
      list.append(item);
    }
    details.append(el('p', { className: 'wb-steps__title', text: t.stepsThatRan(test.seed) }), list);
  }
  // The report repeats the message, the steps and expected/actual shown above (the failing step
  // twice over); only its listing of the last segments is new here.
  const segments = test.status !== 'pass' ? recentSegments(test.report) : null;
  if (segments) details.append(el('details', { className: 'wb-report' }, el('summary', { text: t.recentSegments }), el('pre', { text: t.recentSegmentsText(segments) })));
  return details;
}

/** The "recent segments" part of a grader's text report (labs/kit/node/report.ts), if it has one. */
export function recentSegments(report: string | undefined): string | null {
  if (!report) return null;
  // The report's own listing ends it; an earlier one is quoted inside its message (a step whose
  // action failed another expectation quotes that failure's whole report).
  const headings = [...report.matchAll(/^recent segments/gm)];
  const at = headings.at(-1)?.index;
  return at === undefined ? null : report.slice(at).trimEnd();
}

export function renderResults(panel: HTMLElement, doc: ResultsDocument, words: ResultsWords = ENGLISH): void {
  const { t } = words;
  panel.replaceChildren();
  const first = firstFailure(doc);
  panel.append(el('p', { className: `wb-summary wb-summary--${doc.status}`, text: summarise(doc, t) }));
  if (doc.status === 'error' && doc.message) panel.append(el('pre', { className: 'wb-error', text: t.runnerText(doc.message) }));
  for (const group of groupByTask(doc, t)) {
    const { task, tests } = group;
    const section = el('section', { className: `wb-task wb-task--${task.status}` });
    const points = task.max > 0 ? t.taskPoints(task.points, task.max) : '';
    const title = words.taskTitle?.(task.id) ?? task.title;
    section.append(el('h3', { text: t.taskHeading(task.id, title) }, el('span', { className: 'wb-task__score', text: `${t.status(task.status)}${points}` })));
    for (const test of tests) section.append(testDetails(test, test === first, t));
    panel.append(section);
  }
}

/**
 * What the terminal prints after a run: one line per test, then where to look. The Results pane
 * holds the failure in full; printing it again here made the terminal a second copy of it.
 */
export function terminalReport(doc: ResultsDocument, t: WorkbenchStrings = WORKBENCH_EN): string {
  const lines = [summarise(doc, t)];
  for (const test of doc.tests) lines.push(`  ${test.status === 'pass' ? '\x1b[32m✓\x1b[0m' : '\x1b[31m✗\x1b[0m'} ${t.terminalTestLine(test.task_id, test.name)}`);
  const first = firstFailure(doc);
  if (first) lines.push(t.terminalFirstFailure(first.name));
  else if (doc.status === 'error' && doc.message) lines.push(t.runnerText(doc.message));
  return `${lines.join('\n')}\n`;
}
