/**
 * The task list: each task's statement (lab.yaml `statement:`, when the lab has one), a tick from
 * the last results, "Go to code" that puts the editor on the task's lab region, and the hint
 * ladder. Plain DOM, re-rendered whole on every change (a lab has four or five tasks).
 */
import { nextHint } from './reveal.ts';
import type { ResultsDocument } from './results.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export interface TaskView {
  id: number;
  title: string;
  points: number;
  /** Several lines of prose; older lab.yaml files have none. */
  statement?: string;
  hints: Array<{ level: string; text: string }>;
}

export interface TasksState {
  tasks: TaskView[];
  hintsShown: Record<string, number>;
  /** The last results, for the ticks (null before any run). */
  results: ResultsDocument | null;
}

export interface TasksActions {
  showHint(taskId: number): void;
  goToCode(taskId: number): void;
}

/** The tick of a task from the last results: what a screen reader hears and the mark shown. */
export function taskMark(results: ResultsDocument | null, taskId: number, t: WorkbenchStrings = WORKBENCH_EN): { mark: string; text: string; status: 'pass' | 'fail' | 'none' } {
  const task = results?.tasks.find((entry) => entry.id === taskId);
  if (!results || !task || results.status === 'error') return { mark: '', text: t.notRunYet, status: 'none' };
  if (task.status === 'pass') return { mark: '✓', text: t.passesSuite(results.suite), status: 'pass' };
  return { mark: '✗', text: t.suitePasses(task.passed, task.total, results.suite), status: 'fail' };
}

export function renderTasks(list: HTMLElement, state: TasksState, actions: TasksActions, t: WorkbenchStrings = WORKBENCH_EN): void {
  list.replaceChildren();
  for (const task of state.tasks) {
    const item = document.createElement('li');
    item.className = 'wb-tasks__item';
    item.dataset.task = String(task.id);
    const mark = taskMark(state.results, task.id, t);
    item.dataset.status = mark.status;

    const title = document.createElement('p');
    title.className = 'wb-tasks__title';
    const tick = document.createElement('span');
    tick.className = `wb-tick wb-tick--${mark.status}`;
    tick.setAttribute('aria-hidden', 'true');
    tick.textContent = mark.mark;
    const label = document.createElement('span');
    label.className = 'visually-hidden';
    label.textContent = t.markLabel(mark.text);
    title.append(tick, t.taskLine(task.id, task.title, task.points), label);
    item.append(title);

    if (task.statement?.trim()) {
      const statement = document.createElement('div');
      statement.className = 'wb-tasks__statement';
      // Blank lines separate paragraphs, as in the YAML block scalar.
      for (const paragraph of task.statement.trim().split(/\n\s*\n/)) {
        const p = document.createElement('p');
        p.textContent = paragraph.replace(/\s*\n\s*/g, ' ');
        statement.append(p);
      }
      item.append(statement);
    }

    const row = document.createElement('div');
    row.className = 'wb-tasks__actions';
    const go = document.createElement('button');
    go.type = 'button';
    go.className = 'button';
    go.dataset.goTask = String(task.id);
    go.textContent = t.goToCode;
    // The accessible name starts with the visible text (WCAG 2.5.3, label in name).
    go.setAttribute('aria-label', t.goToCodeOf(task.id));
    go.addEventListener('click', () => actions.goToCode(task.id));
    row.append(go);

    const shown = state.hintsShown[String(task.id)] ?? 0;
    const next = nextHint(task.hints.map((h) => ({ kind: h.level, text: h.text })), shown);
    if (next) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button';
      button.dataset.hintTask = String(task.id);
      button.textContent = t.hintButton(next.level, task.hints.length, next.hint.kind);
      button.addEventListener('click', () => actions.showHint(task.id));
      row.append(button);
    }
    if (shown > 0) {
      const hints = document.createElement('ol');
      hints.className = 'wb-hints';
      for (const hint of task.hints.slice(0, shown)) {
        const li = document.createElement('li');
        const kind = document.createElement('strong');
        kind.textContent = t.hintPrefix(hint.level);
        li.append(kind, hint.text);
        hints.append(li);
      }
      item.append(hints);
    }
    item.append(row);
    list.append(item);
  }
}
