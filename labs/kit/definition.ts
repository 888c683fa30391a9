/**
 * `labs/<slug>/lab.yaml`: what a lab is. Validated by hand (no schema library in the worker
 * bundle); every problem names the file and the field, e.g.
 * `labs/handshake/lab.yaml: tasks[2].points: expected a positive whole number, got "ten"`.
 */

export const LAB_SLUGS = ['handshake', 'teardown', 'syn-flood', 'queues', 'keepalive'] as const;
export type LabSlug = (typeof LAB_SLUGS)[number];

/** The hint ladder, revealed one rung at a time. */
export const HINT_LEVELS = ['concept', 'pointer', 'near-solution'] as const;
export type HintLevel = (typeof HINT_LEVELS)[number];

export interface Hint {
  level: HintLevel;
  text: string;
}

export interface LabTask {
  id: number;
  title: string;
  points: number;
  hints: Hint[];
  /**
   * What the learner writes for this task: the functions and who calls them, the rule and its
   * source, what the tests check, the traps. Plain text, lines as written in lab.yaml. Required
   * for ready labs; '' while a draft lab has none yet.
   */
  statement: string;
}

export type SolutionPolicy =
  | { kind: 'always' }
  | { kind: 'after-pass' }
  | { kind: 'after-attempts'; attempts: number }
  | { kind: 'instructor' };

export interface LabDefinition {
  slug: LabSlug;
  /** `draft`: the tasks are laid out but tests and hints are still being written; authoring checks relax. */
  status: 'ready' | 'draft';
  title: string;
  chapter: string;
  summary: string;
  objectives: string[];
  minutes: number;
  /** Stack files the learner edits, repository-relative. */
  files: string[];
  tasks: LabTask[];
  tests: { visible: string; hidden: string };
  /** Known-wrong implementations live in this folder (relative to the lab). */
  wrong: string;
  scenarios: string[];
  solution: SolutionPolicy;
}

/**
 * What every runner needs of a lab, and what travels to the sandboxed child, the worker and the
 * WebContainer tree (plain data, without statements and hints): `runSuite` reads `slug` and
 * `tasks`, `buildTree` `slug`, `files` and `tests`. A LabDefinition is one; `labMeta` trims it.
 */
export interface LabMeta {
  slug: string;
  tasks: Array<{ id: number; title: string; points: number }>;
  /** Stack files the learner edits, repository-relative. */
  files: string[];
  tests: { visible: string; hidden: string };
}

export function labMeta(def: LabMeta): LabMeta {
  return { slug: def.slug, tasks: def.tasks.map(({ id, title, points }) => ({ id, title, points })), files: [...def.files], tests: { visible: def.tests.visible, hidden: def.tests.hidden } };
}

export class LabDefinitionError extends Error {
  constructor(readonly file: string, readonly field: string, detail: string) {
    super(`${file}: ${field}: ${detail}`);
    this.name = 'LabDefinitionError';
  }
}

type Obj = Record<string, unknown>;

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

class Reader {
  constructor(readonly file: string) {}

  fail(field: string, detail: string): never {
    throw new LabDefinitionError(this.file, field, detail);
  }

  object(v: unknown, field: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, `expected a mapping, got ${show(v)}`);
    return v as Obj;
  }

  only(o: Obj, field: string, allowed: string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.fail(field ? `${field}.${k}` : k, `unknown field (known: ${allowed.join(', ')})`);
    }
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(field, `expected non-empty text, got ${show(v)}`);
    return v.trim();
  }

  positiveInt(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) this.fail(field, `expected a positive whole number, got ${show(v)}`);
    return v;
  }

  list(v: unknown, field: string, min = 1): unknown[] {
    if (!Array.isArray(v)) this.fail(field, `expected a list, got ${show(v)}`);
    if (v.length < min) this.fail(field, `expected at least ${min} entr${min === 1 ? 'y' : 'ies'}, got ${v.length}`);
    return v;
  }

  strings(v: unknown, field: string, min = 1): string[] {
    return this.list(v, field, min).map((x, i) => this.string(x, `${field}[${i}]`));
  }
}

function readHint(r: Reader, v: unknown, field: string, index: number): Hint {
  const o = r.object(v, field);
  const keys = Object.keys(o);
  if (keys.length !== 1) r.fail(field, `a hint is one "level: text" pair (${HINT_LEVELS.join(' → ')}), got ${keys.length} fields`);
  const level = keys[0] as HintLevel;
  if (!HINT_LEVELS.includes(level)) r.fail(`${field}.${keys[0]}`, `unknown hint level (the ladder is ${HINT_LEVELS.join(' → ')})`);
  if (level !== HINT_LEVELS[index]) {
    r.fail(`${field}.${level}`, `hint ${index + 1} must be "${HINT_LEVELS[index]}": the ladder goes ${HINT_LEVELS.join(' → ')}`);
  }
  return { level, text: r.string(o[level], `${field}.${level}`) };
}

function readPolicy(r: Reader, v: unknown): SolutionPolicy {
  const o = r.object(v, 'solution');
  r.only(o, 'solution', ['policy']);
  const p = r.string(o.policy, 'solution.policy');
  if (p === 'always' || p === 'after-pass' || p === 'instructor') return { kind: p };
  const m = /^after-attempts:(\d+)$/.exec(p);
  if (m && Number(m[1]) > 0) return { kind: 'after-attempts', attempts: Number(m[1]) };
  return r.fail('solution.policy', `expected always, after-pass, after-attempts:N (N ≥ 1) or instructor, got ${show(p)}`);
}

/** Statements shorter than this cannot say what to write, the rule, the tests and the traps. */
export const STATEMENT_MIN_CHARS = 300;

function readStatement(r: Reader, value: unknown, field: string, draft: boolean): string {
  if (value === undefined && draft) return '';
  const text = r.string(value, field).trim();
  if (text.length < STATEMENT_MIN_CHARS) {
    r.fail(field, `a task statement says what to write (which functions, who calls them), the rule and its source, what the tests check and the traps — ${text.length} characters cannot (at least ${STATEMENT_MIN_CHARS})`);
  }
  return text;
}

/**
 * Checks a parsed lab.yaml. `file` names it in errors; `expectedSlug` is the folder name, which
 * the `slug` field must equal.
 */
export function validateLabDefinition(raw: unknown, file: string, expectedSlug?: string): LabDefinition {
  const r: Reader = new Reader(file);
  const o = r.object(raw, '(top level)');
  r.only(o, '', ['slug', 'status', 'title', 'chapter', 'summary', 'objectives', 'minutes', 'files', 'tasks', 'tests', 'wrong', 'scenarios', 'solution']);
  const slug = r.string(o.slug, 'slug');
  if (!(LAB_SLUGS as readonly string[]).includes(slug)) r.fail('slug', `expected one of ${LAB_SLUGS.join(', ')}, got ${show(slug)}`);
  if (expectedSlug !== undefined && slug !== expectedSlug) r.fail('slug', `is ${show(slug)} but the folder is labs/${expectedSlug}/`);
  const statusText = o.status === undefined ? 'ready' : r.string(o.status, 'status');
  if (statusText !== 'ready' && statusText !== 'draft') r.fail('status', `expected ready or draft, got ${show(statusText)}`);
  const status: LabDefinition['status'] = statusText === 'draft' ? 'draft' : 'ready';
  const draft = status === 'draft';

  const files = r.strings(o.files, 'files');
  files.forEach((f, i) => {
    if (!/^stack\/core\/[\w./-]+\.ts$/.test(f) || f.includes('..')) r.fail(`files[${i}]`, `expected a path like stack/core/tcp/handshake.ts, got ${show(f)}`);
  });

  const tasks = r.list(o.tasks, 'tasks', 3).map((tv, i): LabTask => {
    const field = `tasks[${i}]`;
    const t = r.object(tv, field);
    r.only(t, field, ['id', 'title', 'points', 'statement', 'hints']);
    const id = r.positiveInt(t.id, `${field}.id`);
    if (id !== i + 1) r.fail(`${field}.id`, `tasks are numbered 1, 2, 3, … in order: expected ${i + 1}, got ${id}`);
    const hints = r.list(t.hints, `${field}.hints`, draft ? 1 : HINT_LEVELS.length);
    if (hints.length > HINT_LEVELS.length) r.fail(`${field}.hints`, `at most ${HINT_LEVELS.length} hints (${HINT_LEVELS.join(' → ')})`);
    return {
      id,
      title: r.string(t.title, `${field}.title`),
      points: r.positiveInt(t.points, `${field}.points`),
      hints: hints.map((h, k) => readHint(r, h, `${field}.hints[${k}]`, k)),
      statement: readStatement(r, t.statement, `${field}.statement`, draft),
    };
  });

  let tests = { visible: 'visible.test.ts', hidden: 'hidden.test.ts' };
  if (o.tests !== undefined) {
    const t = r.object(o.tests, 'tests');
    r.only(t, 'tests', ['visible', 'hidden']);
    tests = {
      visible: t.visible === undefined ? tests.visible : r.string(t.visible, 'tests.visible'),
      hidden: t.hidden === undefined ? tests.hidden : r.string(t.hidden, 'tests.hidden'),
    };
    for (const [k, v] of Object.entries(tests)) if (!/^[\w.-]+\.ts$/.test(v)) r.fail(`tests.${k}`, `expected a .ts file name in the lab folder, got ${show(v)}`);
  }

  const minutes = r.positiveInt(o.minutes, 'minutes');
  return {
    slug: slug as LabSlug,
    status,
    title: r.string(o.title, 'title'),
    chapter: r.string(o.chapter, 'chapter'),
    summary: r.string(o.summary, 'summary'),
    objectives: r.strings(o.objectives, 'objectives'),
    minutes,
    files,
    tasks,
    tests,
    wrong: o.wrong === undefined ? 'wrong' : r.string(o.wrong, 'wrong'),
    scenarios: o.scenarios === undefined ? [] : r.strings(o.scenarios, 'scenarios', 0),
    solution: readPolicy(r, o.solution),
  };
}

/**
 * A known-wrong implementation (`wrong/<name>.yaml`): the mistake, written as edits to today's
 * reference lab file, and the message the hidden tests must catch it with. Edits rather than a
 * copy of the file, so a later change to the stack cannot leave a stale copy behind.
 */
export interface WrongExpectation {
  /** Task whose hidden tests must catch it. */
  task: number;
  /** Substring of the first failing message of that task. */
  message: string;
  /** Why this mistake is plausible (for authors). */
  why?: string;
  /** Applied in order to the reference file; each `find` must occur in it exactly once. */
  edits: Array<{ find: string; replace: string }>;
}

export function validateWrongExpectation(raw: unknown, file: string, taskCount: number): WrongExpectation {
  const r = new Reader(file);
  const o = r.object(raw, '(top level)');
  r.only(o, '', ['task', 'message', 'why', 'edits']);
  const task = r.positiveInt(o.task, 'task');
  if (task > taskCount) r.fail('task', `the lab has tasks 1–${taskCount}, got ${task}`);
  const message = r.string(o.message, 'message');
  if (!Array.isArray(o.edits) || o.edits.length === 0) r.fail('edits', 'must list at least one { find, replace } edit of the reference file');
  const edits = (o.edits as unknown[]).map((e, i) => {
    const eo = r.object(e, `edits[${i}]`);
    r.only(eo, `edits[${i}]`, ['find', 'replace']);
    return { find: r.string(eo.find, `edits[${i}].find`), replace: typeof eo.replace === 'string' ? eo.replace : r.string(eo.replace, `edits[${i}].replace`) };
  });
  return { task, message, why: o.why === undefined ? undefined : r.string(o.why, 'why'), edits };
}

/** The wrong implementation's source: the reference with the edits applied, or an error naming the edit that no longer fits. */
export function applyWrongEdits(reference: string, expectation: WrongExpectation, file: string): string {
  let text = reference;
  expectation.edits.forEach((edit, i) => {
    const first = text.indexOf(edit.find);
    if (first < 0) throw new Error(`${file}: edits[${i}].find no longer occurs in the reference lab file — update the edit to today's code`);
    if (text.indexOf(edit.find, first + 1) >= 0) throw new Error(`${file}: edits[${i}].find occurs more than once in the reference lab file — add surrounding lines to make it unique`);
    text = text.slice(0, first) + edit.replace + text.slice(first + edit.find.length);
  });
  return text;
}

/** The parameters of each function declared in `source`: how many are required, how many in all. */
function functionArities(source: string): Map<string, { min: number; max: number }> {
  const out = new Map<string, { min: number; max: number }>();
  for (const m of source.matchAll(/\bfunction\s+([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(([^)]*)\)/g)) {
    const params = splitTopLevel(m[2]);
    out.set(m[1], { min: params.filter((p) => !/[=?]/.test(p.split(':')[0]) && !/=/.test(p)).length, max: params.length });
  }
  return out;
}

function splitTopLevel(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of args) {
    if ('([{<'.includes(ch)) depth++;
    if (')]}>'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/**
 * Authoring check of a lab's texts against its reference file (`source`): a hint or statement
 * that calls a function of the file with the wrong number of arguments, names a camelCase
 * function that appears nowhere in the file, or names a MIB counter (`mib X`, `TcpExtX`) the
 * file never counts, points the learner the wrong way. `imported`: the text of the modules the file
 * imports, so their functions' argument counts are known.
 */
export function hintProblems(def: LabDefinition, source: string, imported: string[] = []): string[] {
  const problems: string[] = [];
  // Functions the file imports (their modules' text in `imported`) are checked for arity too.
  const arities = functionArities([source, ...imported].join('\n'));
  const counters = new Set([...source.matchAll(/mib\.inc\('(\w+)'/g)].map((m) => m[1]));
  for (const task of def.tasks) {
    const texts: Array<[string, string]> = [[`tasks[${task.id - 1}].statement`, task.statement], ...task.hints.map((h, i): [string, string] => [`tasks[${task.id - 1}].hints[${i}]`, h.text])];
    for (const [where, text] of texts) {
      for (const m of text.matchAll(/(?<![\w.$])([a-z][a-z0-9]*[A-Z][\w$]*)\(/g)) {
        const name = m[1];
        if (!source.includes(name)) {
          problems.push(`${where}: names ${name}(), which ${def.files[0]} does not have`);
          continue;
        }
        const arity = arities.get(name);
        if (!arity) continue;
        // The argument list as written, if it closes on the same line of text.
        let depth = 0;
        let end = -1;
        const start = (m.index ?? 0) + m[0].length;
        for (let i = start; i < text.length; i++) {
          if (text[i] === '(') depth++;
          else if (text[i] === ')') {
            if (depth === 0) {
              end = i;
              break;
            }
            depth--;
          }
        }
        if (end < 0) continue;
        const inner = text.slice(start, end);
        if (/…|\.\.\./.test(inner)) continue;
        const n = splitTopLevel(inner).length;
        if (n < arity.min || n > arity.max) problems.push(`${where}: calls ${name}() with ${n} argument${n === 1 ? '' : 's'}, but it takes ${arity.min === arity.max ? arity.max : `${arity.min}–${arity.max}`}`);
      }
      for (const m of text.matchAll(/\b(?:mib|TcpExt)\s*([A-Z][A-Za-z0-9]+)/g)) {
        if (!counters.has(m[1])) problems.push(`${where}: names the counter ${m[1]}, which ${def.files[0]} never counts`);
      }
    }
  }
  return problems;
}
