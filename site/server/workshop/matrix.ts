/**
 * What the instructor's dashboard shows, computed from the workshop record: the learner × task
 * matrix, who is stuck, the most common first failure of each task, time spent; and its CSV.
 * Pure functions of the record's rows and the time, so they are tested without a server.
 */
import type { Attempt, Learner, TaskState } from './record.ts';
import { DASHBOARD_EN, type DashboardStrings } from '../../i18n/dashboard.ts';

export interface MatrixOptions {
  /** The same first failing test over this many Submits in a row of one lab: stuck. */
  stuckSubmits?: number;
  /** No new best score for this many minutes while a lab is unfinished: stuck. */
  idleMinutes?: number;
  /** Task titles per lab (from lab.yaml), for the column headers; labs seen only in attempts still get columns. */
  labs?: Array<{ slug: string; tasks: Array<{ id: number; title: string }> }>;
  /** Leave out the columns of `labs` nobody has run yet (the dashboard: a room works on one or two). */
  onlyAttemptedLabs?: boolean;
}

export const DEFAULTS = { stuckSubmits: 3, idleMinutes: 10 };

export interface Column {
  lab: string;
  taskId: number;
  title: string;
}

export interface Cell {
  status: TaskState['status'] | 'none';
  points: number;
  max: number;
  /** Which suite the state comes from: the latest Submit (hidden) if any, else the latest Run. */
  suite: 'visible' | 'hidden' | null;
}

export type Stuck =
  | { kind: 'same-failure'; lab: string; test: string; submits: number }
  | { kind: 'no-progress'; lab: string | null; minutes: number };

export interface Row {
  learner: Learner;
  cells: Cell[];
  /** Sum over labs of the latest Submit's points. */
  points: number;
  max: number;
  runs: number;
  submits: number;
  lastAt: number | null;
  /** From joining to the latest Run or Submit, in whole minutes. */
  minutes: number;
  stuck: Stuck | null;
}

export interface CommonFailure {
  lab: string;
  taskId: number;
  test: string;
  message: string;
  /** Learners whose latest Submit of the lab fails first on this test. */
  learners: number;
}

export interface Matrix {
  at: number;
  columns: Column[];
  rows: Row[];
  commonFailures: CommonFailure[];
}

function latest(attempts: Attempt[], pred: (a: Attempt) => boolean): Attempt | undefined {
  for (let i = attempts.length - 1; i >= 0; i--) if (pred(attempts[i])) return attempts[i];
  return undefined;
}

function stuckOf(learner: Learner, mine: Attempt[], now: number, o: { stuckSubmits: number; idleMinutes: number }): Stuck | null {
  // Same first failure, Submit after Submit, on the lab they worked on last.
  const last = mine[mine.length - 1];
  if (last) {
    const submits = mine.filter((a) => a.lab === last.lab && a.suite === 'hidden');
    const head = submits[submits.length - 1]?.firstFailure?.test;
    if (head !== undefined) {
      let n = 0;
      for (let i = submits.length - 1; i >= 0 && submits[i].firstFailure?.test === head; i--) n++;
      if (n >= o.stuckSubmits) return { kind: 'same-failure', lab: last.lab, test: head, submits: n };
    }
  }
  // No new best score (per lab and suite) for idleMinutes, while the last lab is unfinished.
  const best = new Map<string, number>();
  let progressAt = learner.joinedAt;
  for (const a of mine) {
    const key = `${a.lab}\u0000${a.suite}`;
    if (a.points > (best.get(key) ?? -1)) {
      best.set(key, a.points);
      progressAt = a.at;
    }
  }
  const finished = last !== undefined && latest(mine, (a) => a.lab === last.lab && a.suite === 'hidden')?.status === 'pass';
  const idle = Math.floor((now - progressAt) / 60_000);
  if (!finished && idle >= o.idleMinutes) return { kind: 'no-progress', lab: last?.lab ?? null, minutes: idle };
  return null;
}

export function buildMatrix(learners: Learner[], attempts: Attempt[], now: number, options: MatrixOptions = {}): Matrix {
  const o = { stuckSubmits: options.stuckSubmits ?? DEFAULTS.stuckSubmits, idleMinutes: options.idleMinutes ?? DEFAULTS.idleMinutes };
  const columns: Column[] = [];
  const seen = new Set<string>();
  const addColumn = (lab: string, taskId: number, title: string) => {
    const key = `${lab}/${taskId}`;
    if (!seen.has(key)) (seen.add(key), columns.push({ lab, taskId, title }));
  };
  const attempted = new Set(attempts.map((a) => a.lab));
  for (const lab of options.labs ?? []) if (!options.onlyAttemptedLabs || attempted.has(lab.slug)) for (const t of lab.tasks) addColumn(lab.slug, t.id, t.title);
  const known = new Set((options.labs ?? []).map((l) => l.slug));
  for (const a of attempts) if (!known.has(a.lab)) for (const t of a.tasks) addColumn(a.lab, t.id, `task ${t.id}`);

  const byLearner = new Map<string, Attempt[]>(learners.map((l) => [l.id, []]));
  for (const a of [...attempts].sort((x, y) => x.at - y.at || x.id - y.id)) byLearner.get(a.learnerId)?.push(a);

  const failures = new Map<string, CommonFailure>();
  const rows = learners.map((learner): Row => {
    const mine = byLearner.get(learner.id) ?? [];
    const labs = [...new Set(mine.map((a) => a.lab))];
    const state = new Map<string, Attempt>();
    let points = 0;
    let max = 0;
    for (const lab of labs) {
      const submit = latest(mine, (a) => a.lab === lab && a.suite === 'hidden');
      const chosen = submit ?? latest(mine, (a) => a.lab === lab)!;
      state.set(lab, chosen);
      if (submit) {
        points += submit.points;
        max += submit.max;
        const f = submit.firstFailure;
        if (f && f.taskId > 0) {
          const key = `${lab}\u0000${f.taskId}\u0000${f.test}`;
          const entry = failures.get(key) ?? { lab, taskId: f.taskId, test: f.test, message: f.message, learners: 0 };
          entry.learners++;
          failures.set(key, entry);
        }
      }
    }
    const cells = columns.map((c): Cell => {
      const a = state.get(c.lab);
      const t = a?.tasks.find((x) => x.id === c.taskId);
      return t ? { status: t.status, points: t.points, max: t.max, suite: a!.suite } : { status: 'none', points: 0, max: 0, suite: null };
    });
    const lastAt = mine.length ? mine[mine.length - 1].at : null;
    return {
      learner,
      cells,
      points: Math.round(points * 100) / 100,
      max,
      runs: mine.filter((a) => a.suite === 'visible').length,
      submits: mine.filter((a) => a.suite === 'hidden').length,
      lastAt,
      minutes: lastAt === null ? 0 : Math.max(0, Math.floor((lastAt - learner.joinedAt) / 60_000)),
      stuck: stuckOf(learner, mine, now, o),
    };
  });

  // For each task, the one first failure most learners share (ties: the test name, for a stable order).
  const top = new Map<string, CommonFailure>();
  for (const f of failures.values()) {
    const key = `${f.lab}/${f.taskId}`;
    const cur = top.get(key);
    if (!cur || f.learners > cur.learners || (f.learners === cur.learners && f.test < cur.test)) top.set(key, f);
  }
  const commonFailures = [...top.values()].sort((a, b) => b.learners - a.learners || a.lab.localeCompare(b.lab) || a.taskId - b.taskId);
  return { at: now, columns, rows, commonFailures };
}

/** Why a learner is flagged, in the dashboard's words (English for the CSV). */
export function describeStuck(s: Stuck | null, t: Pick<DashboardStrings, 'stuckSame' | 'stuckIdle'> = DASHBOARD_EN): string {
  if (!s) return '';
  if (s.kind === 'same-failure') return t.stuckSame(s.lab, s.submits, s.test);
  return t.stuckIdle(s.minutes, s.lab);
}

/**
 * One CSV field. Text a spreadsheet would run as a formula (starting with = + - @, or a tab or
 * carriage return that some strip first) gets a leading apostrophe (OWASP's CSV-injection advice);
 * then any field with a comma, quote or line break is quoted with its quotes doubled (RFC 4180).
 */
export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function matrixCsv(m: Matrix): string {
  const header = ['name', 'points', 'max', ...m.columns.map((c) => `${c.lab} task ${c.taskId}`), 'runs', 'submits', 'minutes', 'stuck'];
  const lines = [header.map(csvField).join(',')];
  for (const r of m.rows) {
    const cells = r.cells.map((c) => (c.status === 'none' ? '' : `${c.status} ${c.points}/${c.max}`));
    lines.push([r.learner.name, r.points, r.max, ...cells, r.runs, r.submits, r.minutes, describeStuck(r.stuck)].map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
