/**
 * A lab's words in an edition other than lab.yaml's English: labs/<slug>/lab.<locale>.yaml holds
 * only text — title, summary, objectives, and each task's title, statement and hints — in lab.yaml's
 * shape. The build lays it over the English lab (lab-data.ts readLabIn); the page's script lays the
 * same words over the workspace it fetches (which is English for both editions). No node:fs here:
 * the page's script imports this module too.
 */
import { HINT_LEVELS, LabDefinitionError, type LabDefinition } from '../../../labs/kit/definition.ts';

/** The words a translation replaces; everything else in a LabDefinition is lab.yaml's alone. */
export type LabText = Pick<LabDefinition, 'title' | 'summary' | 'objectives'> & {
  tasks: Array<Pick<LabDefinition['tasks'][number], 'id' | 'title' | 'statement' | 'hints'>>;
};

/**
 * Lays a translation's words (a parsed lab.<locale>.yaml) over the English lab: title, summary,
 * objectives, and each task's title, statement and hints. The translation must have lab.yaml's
 * shape exactly — the same number of objectives, the same task ids in the same order, the same
 * hint rungs — because the page pairs them by position; anything else is an error naming the file
 * and the field, never a page that quietly mixes two labs' words.
 */
export function overlayLabText(lab: LabDefinition, raw: unknown, file: string): LabDefinition {
  const fail = (field: string, detail: string): never => {
    throw new LabDefinitionError(file, field, detail);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const text = (v: unknown, field: string): string => (typeof v === 'string' && v.trim() !== '' ? v.trim() : fail(field, `expected non-empty text, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`));
  const only = (o: Record<string, unknown>, field: string, allowed: string[]): void => {
    for (const key of Object.keys(o)) if (!allowed.includes(key)) fail(field ? `${field}.${key}` : key, `not a text field of lab.yaml (a translation has ${allowed.join(', ')})`);
  };
  if (!isObject(raw)) return fail('(top level)', 'expected a mapping with title, summary, objectives and tasks');
  only(raw, '', ['title', 'summary', 'objectives', 'tasks']);
  if (!Array.isArray(raw.objectives)) fail('objectives', 'expected a list');
  const objectives = raw.objectives as unknown[];
  if (objectives.length !== lab.objectives.length) fail('objectives', `lab.yaml has ${lab.objectives.length} objectives, the translation ${objectives.length}`);
  if (!Array.isArray(raw.tasks)) fail('tasks', 'expected a list');
  const tasks = raw.tasks as unknown[];
  if (tasks.length !== lab.tasks.length) fail('tasks', `lab.yaml has ${lab.tasks.length} tasks, the translation ${tasks.length}`);
  return {
    ...lab,
    title: text(raw.title, 'title'),
    summary: text(raw.summary, 'summary'),
    objectives: objectives.map((o, i) => text(o, `objectives[${i}]`)),
    tasks: lab.tasks.map((task, i) => {
      const field = `tasks[${i}]`;
      const t = tasks[i];
      if (!isObject(t)) return fail(field, 'expected a mapping with id, title, statement and hints');
      only(t, field, ['id', 'title', 'statement', 'hints']);
      if (t.id !== task.id) fail(`${field}.id`, `lab.yaml's task ${i + 1} has id ${task.id}, the translation ${JSON.stringify(t.id ?? null)}`);
      // A draft lab may have no statement yet; then neither has its translation.
      const statement = task.statement === '' && t.statement === undefined ? '' : text(t.statement, `${field}.statement`);
      if (!Array.isArray(t.hints)) fail(`${field}.hints`, 'expected a list');
      const hints = t.hints as unknown[];
      if (hints.length !== task.hints.length) fail(`${field}.hints`, `lab.yaml's task ${task.id} has ${task.hints.length} hints, the translation ${hints.length}`);
      return {
        ...task,
        title: text(t.title, `${field}.title`),
        statement,
        hints: task.hints.map((hint, k) => {
          const h = hints[k];
          const hintField = `${field}.hints[${k}]`;
          const keys = isObject(h) ? Object.keys(h) : [];
          if (!isObject(h) || keys.length !== 1 || keys[0] !== hint.level) {
            fail(hintField, `expected one "${hint.level}: text" pair, as lab.yaml's (the ladder is ${HINT_LEVELS.join(' → ')}), got ${keys.length ? keys.join(', ') : JSON.stringify(h ?? null)}`);
          }
          return { level: hint.level, text: text((h as Record<string, unknown>)[hint.level], `${hintField}.${hint.level}`) };
        }),
      };
    }),
  };
}

/** The words a page carries for its script: what the workspace's English lab is shown in. */
export function labText(lab: LabDefinition): LabText {
  return {
    title: lab.title,
    summary: lab.summary,
    objectives: lab.objectives,
    tasks: lab.tasks.map(({ id, title, statement, hints }) => ({ id, title, statement, hints })),
  };
}

/** The page's words laid over a workspace's lab, task by task (by id; the build checked the shape). */
export function withLabText<L extends { title: string; tasks: Array<{ id: number; title: string; statement?: string; hints: Array<{ level: string; text: string }> }> }>(lab: L, text: LabText | undefined): L {
  if (!text) return lab;
  const byId = new Map(text.tasks.map((task) => [task.id, task]));
  return {
    ...lab,
    title: text.title,
    tasks: lab.tasks.map((task) => {
      const words = byId.get(task.id);
      return words ? { ...task, title: words.title, statement: words.statement, hints: words.hints.map((h) => ({ level: h.level, text: h.text })) } : task;
    }),
  };
}
