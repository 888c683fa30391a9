// The Chinese lab page's words: labs/<slug>/lab.zh-cn.yaml laid over lab.yaml (text only). The
// shape of the translators' files is content/tests/zh-cn.test.ts's business; here, the overlay:
// what it replaces, what it never touches, how a malformed translation fails, and the fallback to
// English for a lab whose translation does not exist yet.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { labExists, labText, labTextFile, labTranslated, overlayLabText, readLab, readLabIn } from '../../lib/workbench/lab-data.ts';
import { withLabText } from '../../lib/workbench/lab-text.ts';
import { LabDefinitionError, type LabDefinition } from '../../../labs/kit/definition.ts';

const FILE = 'labs/handshake/lab.zh-cn.yaml';
const english = readLab('handshake');

/** A translation with lab.yaml's shape, in words a test can recognise. */
function translation(lab: LabDefinition = english) {
  return {
    title: '三次握手',
    summary: '编写协议栈中建立连接的部分。',
    objectives: lab.objectives.map((_, i) => `目标 ${i + 1}`),
    tasks: lab.tasks.map((task) => ({
      id: task.id,
      title: `任务 ${task.id} 的标题`,
      statement: `任务 ${task.id} 的说明。`,
      hints: task.hints.map((hint) => ({ [hint.level]: `任务 ${task.id} 的${hint.level}提示` })),
    })),
  };
}

/** The structure a translation must never change. */
function structure(lab: LabDefinition) {
  return {
    slug: lab.slug, status: lab.status, chapter: lab.chapter, minutes: lab.minutes, files: lab.files, tests: lab.tests, wrong: lab.wrong,
    scenarios: lab.scenarios, solution: lab.solution, objectives: lab.objectives.length,
    tasks: lab.tasks.map((t) => ({ id: t.id, points: t.points, levels: t.hints.map((h) => h.level) })),
  };
}

describe('laying a translation over lab.yaml', () => {
  it('replaces the title, summary, objectives and every task\'s title, statement and hints, and nothing else', () => {
    const zh = overlayLabText(english, translation(), FILE);
    expect(zh.title).toBe('三次握手');
    expect(zh.summary).toBe('编写协议栈中建立连接的部分。');
    expect(zh.objectives).toEqual(english.objectives.map((_, i) => `目标 ${i + 1}`));
    expect(zh.tasks.map((t) => t.title)).toEqual(english.tasks.map((t) => `任务 ${t.id} 的标题`));
    expect(zh.tasks[1].statement).toBe('任务 2 的说明。');
    expect(zh.tasks[0].hints).toEqual(english.tasks[0].hints.map((h) => ({ level: h.level, text: `任务 1 的${h.level}提示` })));
    expect(structure(zh)).toEqual(structure(english));
    // The English lab is untouched (readLab's object may be shared by the build).
    expect(english.title).toBe('The three-way handshake');
  });

  const malformed: Array<[string, (t: ReturnType<typeof translation>) => unknown, RegExp]> = [
    ['an objective too few', (t) => ({ ...t, objectives: t.objectives.slice(1) }), /objectives: lab\.yaml has \d+ objectives, the translation \d+/],
    ['a task missing', (t) => ({ ...t, tasks: t.tasks.slice(0, -1) }), /tasks: lab\.yaml has \d+ tasks, the translation \d+/],
    ['tasks out of order', (t) => ({ ...t, tasks: [t.tasks[1], t.tasks[0], ...t.tasks.slice(2)] }), /tasks\[0\]\.id: lab\.yaml's task 1 has id 1, the translation 2/],
    ['a task without its statement', (t) => ({ ...t, tasks: t.tasks.map((task, i) => (i === 2 ? { ...task, statement: undefined } : task)) }), /tasks\[2\]\.statement: expected non-empty text, got nothing/],
    ['an empty title', (t) => ({ ...t, title: '  ' }), /title: expected non-empty text/],
    ['no summary', (t) => ({ ...t, summary: undefined }), /summary: expected non-empty text, got nothing/],
    ['a hint on the wrong rung', (t) => ({ ...t, tasks: t.tasks.map((task, i) => (i === 0 ? { ...task, hints: [task.hints[1], task.hints[0], ...task.hints.slice(2)] } : task)) }), /tasks\[0\]\.hints\[0\]: expected one "concept: text" pair/],
    ['a hint too many', (t) => ({ ...t, tasks: t.tasks.map((task, i) => (i === 3 ? { ...task, hints: [...task.hints, { concept: '多余' }] } : task)) }), /tasks\[3\]\.hints: lab\.yaml's task 4 has 3 hints, the translation 4/],
    ['a field that is not text', (t) => ({ ...t, tasks: t.tasks.map((task, i) => (i === 0 ? { ...task, points: 99 } : task)) }), /tasks\[0\]\.points: not a text field of lab\.yaml/],
    ['structure copied in', (t) => ({ ...t, minutes: 5 }), /minutes: not a text field of lab\.yaml/],
    ['not a mapping at all', () => ['三次握手'], /\(top level\): expected a mapping/],
  ];
  it.each(malformed)('fails clearly on %s, naming the file and the field', (_, make, message) => {
    const attempt = () => overlayLabText(english, make(translation()), FILE);
    expect(attempt).toThrow(LabDefinitionError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(/^labs\/handshake\/lab\.zh-cn\.yaml: /);
  });
});

describe('the Chinese lab pages read their words', () => {
  it.each(['handshake', 'teardown', 'syn-flood', 'queues', 'keepalive'].filter(labExists))('%s: from lab.zh-cn.yaml where it exists, else lab.yaml\'s English', (slug) => {
    const en = readLab(slug);
    const zh = readLabIn(slug, 'zh-cn');
    const file = labTextFile(slug, 'zh-cn')!;
    expect(file).toBe(`labs/${slug}/lab.zh-cn.yaml`);
    expect(labTranslated(slug, 'zh-cn')).toBe(existsSync(file));
    expect(structure(zh)).toEqual(structure(en));
    if (existsSync(file)) {
      // The translators' file, laid over: every task's words are its, in the same order.
      const raw = parse(readFileSync(file, 'utf8')) as { tasks: Array<{ title: string }> };
      expect(zh.tasks.map((t) => t.title)).toEqual(raw.tasks.map((t) => t.title.trim()));
    } else {
      expect(zh).toEqual(en);
    }
    expect(readLabIn(slug, 'en')).toEqual(en);
    expect(labTranslated(slug, 'en')).toBe(true);
  });

  it('hands the page script the words alone, and the script lays them over the fetched workspace by task id', () => {
    const zh = overlayLabText(english, translation(), FILE);
    const text = labText(zh);
    expect(Object.keys(text).sort()).toEqual(['objectives', 'summary', 'tasks', 'title']);
    expect(Object.keys(text.tasks[0]).sort()).toEqual(['hints', 'id', 'statement', 'title']);
    const workspaceLab = { slug: 'handshake', title: english.title, tasks: english.tasks.map((t) => ({ ...t })) };
    const shown = withLabText(workspaceLab, text);
    expect(shown.title).toBe('三次握手');
    expect(shown.tasks.map((t) => [t.id, t.points, t.title])).toEqual(english.tasks.map((t) => [t.id, t.points, `任务 ${t.id} 的标题`]));
    expect(shown.tasks[2].hints.map((h) => h.level)).toEqual(english.tasks[2].hints.map((h) => h.level));
    expect(withLabText(workspaceLab, undefined)).toBe(workspaceLab);
  });
});
