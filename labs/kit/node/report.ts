/** Printing a results document for a terminal, and the grade CSV. */
import type { ResultsDocument } from '../results.ts';

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');
export const bold = paint('1');
export const dim = paint('2');

function statusWord(s: string): string {
  return s === 'pass' ? green('pass') : s === 'fail' ? red('fail') : yellow('error');
}

/** A score per task, then the first failure of each failing task in full (CS144 style). */
export function formatResults(doc: ResultsDocument, opts: { failures?: number } = {}): string {
  const out: string[] = [];
  out.push(bold(`${doc.lab} — ${doc.suite} tests, seed ${doc.seed}`));
  const width = Math.max(...doc.tasks.map((t) => t.title.length), 10);
  for (const t of doc.tasks) {
    const tests = t.total ? dim(` (${t.passed}/${t.total} tests)`) : '';
    out.push(`  Task ${t.id}  ${t.title.padEnd(width)}  ${String(t.points).padStart(6)} / ${String(t.max).padEnd(4)} ${statusWord(t.status)}${tests}`);
  }
  out.push(`  ${'Total'.padEnd(width + 8)}  ${String(doc.score.points).padStart(6)} / ${String(doc.score.max).padEnd(4)} ${statusWord(doc.status)}`);
  if (doc.message) out.push('', doc.status === 'error' ? yellow(doc.message) : doc.message);
  const limit = opts.failures ?? 3;
  const shownTasks = new Set<number>();
  const failures = doc.tests.filter((t) => t.status !== 'pass');
  for (const t of failures) {
    if (shownTasks.has(t.task_id) || shownTasks.size >= limit) continue;
    shownTasks.add(t.task_id);
    out.push('', bold(`✗ Task ${t.task_id}: ${t.name}`));
    if (t.output) out.push(dim(`your code printed:\n${t.output.trimEnd().split('\n').map((l) => `  | ${l}`).join('\n')}`));
    out.push(t.report ?? `${t.message}${t.steps.length ? `\n\nSteps that ran:\n${t.steps.map((s) => `${String(s.n).padStart(4)}. ${s.text}${s.ok ? '' : '  ← failed'}`).join('\n')}` : ''}\n\nseed: ${t.seed}`);
  }
  const more = failures.length - [...shownTasks].length;
  if (more > 0) out.push('', dim(`${failures.length} failing tests in all; the first failure of each task is shown.`));
  return out.join('\n');
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(doc: { tasks: Array<{ id: number }> }): string {
  return ['name', 'points', 'max', ...doc.tasks.map((t) => `task_${t.id}`), 'message'].map(csvCell).join(',');
}

export function csvRow(name: string, doc: ResultsDocument): string {
  const message = doc.status === 'error' ? (doc.message ?? '').split('\n')[0] : '';
  return [name, doc.score.points, doc.score.max, ...doc.tasks.map((t) => t.status), message].map(csvCell).join(',');
}
