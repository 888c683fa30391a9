/**
 * The results panel and the terminal's report of a run. The panel lists tasks with their tests in
 * file order; the first failure is open and emphasised with its message, expected/actual and the
 * numbered steps that ran (CS144-style), because that is the one thing to fix next.
 */
import { firstFailure, groupByTask, summarise, type ResultsDocument, type TestResult } from './results.ts';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string } = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

const STATUS_WORD: Record<string, string> = { pass: 'passed', fail: 'failed', error: 'error' };

function testDetails(test: TestResult & { expected?: string; actual?: string; report?: string }, first: boolean): HTMLElement {
  const details = el('details', { className: `wb-test wb-test--${test.status}${first ? ' wb-test--first' : ''}` });
  details.open = first;
  if (first) details.dataset.firstFailure = 'true';
  const summary = el('summary', {}, el('span', { className: `wb-badge wb-badge--${test.status}`, text: STATUS_WORD[test.status] ?? test.status }), ` ${test.name}`);
  details.append(summary);
  if (test.message) details.append(el('p', { className: 'wb-test__message', text: test.message }));
  if (test.expected !== undefined || test.actual !== undefined) {
    const dl = el('dl', { className: 'wb-test__diff' });
    if (test.expected !== undefined) dl.append(el('dt', { text: 'expected' }), el('dd', {}, el('code', { text: test.expected })));
    if (test.actual !== undefined) dl.append(el('dt', { text: 'actual' }), el('dd', {}, el('code', { text: test.actual })));
    details.append(dl);
  }
  if (test.steps.length > 0) {
    const list = el('ol', { className: 'wb-steps' });
    for (const step of test.steps) {
      const item = el('li', { className: step.ok ? 'wb-step' : 'wb-step wb-step--failed', text: step.text });
      item.value = step.n;
      if (!step.ok) item.setAttribute('aria-label', `failed step ${step.n}: ${step.text}`);
      list.append(item);
    }
    details.append(el('p', { className: 'wb-steps__title', text: `Steps that ran (seed ${test.seed}):` }), list);
  }
  // The report repeats the message, the steps and expected/actual shown above (the failing step
  // twice over); only its listing of the last segments is new here.
  const segments = test.status !== 'pass' ? recentSegments(test.report) : null;
  if (segments) details.append(el('details', { className: 'wb-report' }, el('summary', { text: 'Recent segments' }), el('pre', { text: segments })));
  return details;
}

/** The "recent segments" part of a grader's text report (labs/kit/node/report.ts), if it has one. */
export function recentSegments(report: string | undefined): string | null {
  if (!report) return null;
  const at = report.search(/^recent segments/m);
  return at < 0 ? null : report.slice(at).trimEnd();
}

export function renderResults(panel: HTMLElement, doc: ResultsDocument): void {
  panel.replaceChildren();
  const first = firstFailure(doc);
  panel.append(el('p', { className: `wb-summary wb-summary--${doc.status}`, text: summarise(doc) }));
  if (doc.status === 'error' && doc.message) panel.append(el('pre', { className: 'wb-error', text: doc.message }));
  for (const group of groupByTask(doc)) {
    const { task, tests } = group;
    const section = el('section', { className: `wb-task wb-task--${task.status}` });
    const points = task.max > 0 ? ` · ${task.points}/${task.max} points` : '';
    section.append(el('h3', { text: `Task ${task.id}: ${task.title}` }, el('span', { className: 'wb-task__score', text: `${STATUS_WORD[task.status] ?? task.status}${points}` })));
    for (const test of tests) section.append(testDetails(test, test === first));
    panel.append(section);
  }
}

/**
 * What the terminal prints after a run: one line per test, then where to look. The Results pane
 * holds the failure in full; printing it again here made the terminal a second copy of it.
 */
export function terminalReport(doc: ResultsDocument): string {
  const lines = [summarise(doc)];
  for (const test of doc.tests) lines.push(`  ${test.status === 'pass' ? '\x1b[32m✓\x1b[0m' : '\x1b[31m✗\x1b[0m'} task ${test.task_id} · ${test.name}`);
  const first = firstFailure(doc);
  if (first) lines.push(`First failure: ${first.name} (details in Results; \`tcpdump\` lists its segments).`);
  else if (doc.status === 'error' && doc.message) lines.push(doc.message);
  return `${lines.join('\n')}\n`;
}
