/**
 * The interview bank (content/interview/*.md) and the glossary (content/glossary.yaml) against
 * their contract in content/README.md and against the question list the course promises to answer
 * (../shared/reference/questions.md). The scenario names and chapter slugs are read from the README
 * at test time, so a renamed scenario or chapter fails here instead of producing a dead link.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { QUESTIONS_MD } from './chapters.ts';

const contentDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(contentDir, '..');
const interviewDir = join(contentDir, 'interview');
const glossaryPath = join(contentDir, 'glossary.yaml');
const readmePath = join(contentDir, 'README.md');
const questionsPath = QUESTIONS_MD;

const MODEL_WORDS = { min: 60, max: 130 };
/** About 30 seconds said aloud, at 130–170 words a minute. */
const SPOKEN_WORDS = { min: 35, max: 85 };
const BODY_WORDS = { min: 200, max: 600 };
const MIN_QUESTIONS = 45;
const MIN_EXTRA_QUESTIONS = 6;
const MIN_GLOSSARY_TERMS = 40;
const REQUIRED_ZH_TERMS = ['三次握手', '四次挥手', '半连接队列', '全连接队列', '保活机制'];
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const CJK = /[\u3400-\u9fff]/;

// ---------------------------------------------------------------------------------------------
// Parsers. Each throws with the file name and what is wrong, so a bad file is named, not skipped.

export interface InterviewEntry {
  file: string;
  data: Record<string, unknown>;
  body: string;
}

export function parseFrontmatter(file: string, text: string): InterviewEntry {
  const normalized = text.replace(/\r\n/g, '\n');
  if (!normalized.startsWith('---\n')) throw new Error(`${file}: must start with a '---' frontmatter line`);
  const end = normalized.indexOf('\n---\n', 4);
  const endAtEof = normalized.endsWith('\n---') ? normalized.length - 4 : -1;
  const close = end >= 0 ? end : endAtEof;
  if (close < 0) throw new Error(`${file}: frontmatter is not closed by a '---' line`);
  const yamlText = normalized.slice(4, close);
  let data: unknown;
  try {
    data = parseYaml(yamlText);
  } catch (err) {
    throw new Error(`${file}: frontmatter is not valid YAML: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`${file}: frontmatter must be a YAML mapping`);
  }
  return { file, data: data as Record<string, unknown>, body: normalized.slice(close + 5).trim() };
}

/** Question numbers are the list items "N. ..." of questions.md. */
export function parseQuestionNumbers(markdown: string): number[] {
  return [...markdown.matchAll(/^(\d+)\.\s/gm)].map((m) => Number(m[1]));
}

/**
 * The scenario list is the run of lines in the README's "## Scenario names" section made only of
 * back-quoted names and commas (the line before it names hosts, which are not scenarios).
 */
export function parseScenarioNames(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Scenario names'));
  if (!section) throw new Error('content/README.md has no "## Scenario names" section');
  const isListLine = (line: string) => line.trim() !== '' && line.replace(/`[a-z0-9-]+`|[,\s.]/g, '') === '';
  const listLines = section.split('\n').slice(1).filter(isListLine);
  if (listLines.length === 0) throw new Error('content/README.md "Scenario names" has no list of back-quoted names');
  return listLines.flatMap((line) => [...line.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]));
}

/** Chapter slugs come from the `chapter:` line of the interview-bank example in the README. */
export function parseChapterSlugs(readme: string): string[] {
  const m = /^chapter:\s*\S+\s*#\s*([a-z0-9-]+(?:\|[a-z0-9-]+)+)/m.exec(readme);
  if (!m) throw new Error('content/README.md has no "chapter: x  # a|b|c" line listing the chapter slugs');
  return m[1].split('|');
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

function loadInterviewBank(): InterviewEntry[] {
  return readdirSync(interviewDir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => parseFrontmatter(f, readFileSync(join(interviewDir, f), 'utf8')));
}

interface GlossaryEntry {
  id: string;
  term: string;
  zh: string[];
  definition: string;
  see: string;
}

function loadGlossary(): GlossaryEntry[] {
  const data: unknown = parseYaml(readFileSync(glossaryPath, 'utf8'));
  if (!Array.isArray(data)) throw new Error('content/glossary.yaml must be a YAML list of entries');
  return data as GlossaryEntry[];
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

// ---------------------------------------------------------------------------------------------

const readme = readFileSync(readmePath, 'utf8');
const scenarios = parseScenarioNames(readme);
const chapters = parseChapterSlugs(readme);
const questionNumbers = parseQuestionNumbers(readFileSync(questionsPath, 'utf8'));

describe('the parsers this test relies on', () => {
  it('read the scenario list, the chapter slugs and the question numbers from their sources', () => {
    // Guards against a parser that silently returns nothing and so makes every later check vacuous.
    expect(scenarios).toContain('handshake');
    expect(scenarios).toContain('keepalive-dead-peer');
    expect(scenarios).not.toContain('client');
    expect(chapters).toEqual(expect.arrayContaining(['handshake', 'teardown', 'syn-flood', 'queues', 'keepalive']));
    expect(questionNumbers.length).toBeGreaterThanOrEqual(39);
    expect(questionNumbers).toEqual(questionNumbers.map((_, i) => i + 1));
  });

  it('reject malformed frontmatter with the file name', () => {
    expect(() => parseFrontmatter('x.md', 'title: no fence\n')).toThrow(/x\.md: must start/);
    expect(() => parseFrontmatter('y.md', '---\ntitle: open\n')).toThrow(/y\.md: frontmatter is not closed/);
    expect(() => parseFrontmatter('z.md', '---\ntitle: [unclosed\n---\nbody')).toThrow(/z\.md: frontmatter is not valid YAML/);
    expect(parseFrontmatter('ok.md', '---\ntitle: "Q?"\n---\nBody text.\n')).toEqual({
      file: 'ok.md',
      data: { title: 'Q?' },
      body: 'Body text.',
    });
  });

  it('count words, not punctuation', () => {
    expect(countWords('SYN, SYN-ACK — ACK: 3 segments.')).toBe(5);
  });
});

describe('interview bank', () => {
  const bank = loadInterviewBank();

  it(`has at least ${MIN_QUESTIONS} questions in kebab-case files`, () => {
    expect(bank.length).toBeGreaterThanOrEqual(MIN_QUESTIONS);
    const badNames = bank.map((e) => e.file).filter((f) => !KEBAB.test(f.replace(/\.md$/, '')));
    expect(badNames, 'file names must be short kebab-case slugs').toEqual([]);
  });

  it('every entry has the required fields, non-empty', () => {
    const problems: string[] = [];
    for (const { file, data, body } of bank) {
      for (const key of ['title', 'zh', 'chapter', 'model', 'spoken'] as const) {
        if (!nonEmptyString(data[key])) problems.push(`${file}: '${key}' missing or empty`);
      }
      if (nonEmptyString(data.zh) && !CJK.test(data.zh)) problems.push(`${file}: 'zh' has no Chinese characters`);
      const exp = data.experiment as Record<string, unknown> | undefined;
      if (!exp || typeof exp !== 'object') problems.push(`${file}: 'experiment' missing`);
      else {
        if (!nonEmptyString(exp.scenario)) problems.push(`${file}: 'experiment.scenario' missing or empty`);
        if (!nonEmptyString(exp.note)) problems.push(`${file}: 'experiment.note' missing or empty`);
      }
      const tags = data.tags;
      if (!Array.isArray(tags) || tags.length === 0 || !tags.every(nonEmptyString)) {
        problems.push(`${file}: 'tags' must be a non-empty list of strings`);
      }
      if (body === '') problems.push(`${file}: the body (deeper answer) is empty`);
    }
    expect(problems).toEqual([]);
  });

  it('titles are unique and asked as questions', () => {
    const titles = bank.map((e) => String(e.data.title));
    const dupes = titles.filter((t, i) => titles.indexOf(t) !== i);
    expect(dupes).toEqual([]);
    const notQuestions = bank.filter((e) => !String(e.data.title).trim().endsWith('?')).map((e) => e.file);
    expect(notQuestions, 'a title is the question as the interviewer asks it').toEqual([]);
  });

  it(`model answers are ${MODEL_WORDS.min}–${MODEL_WORDS.max} words (about a minute spoken)`, () => {
    const outOfBounds = bank
      .map((e) => ({ file: e.file, words: countWords(String(e.data.model ?? '')) }))
      .filter((x) => x.words < MODEL_WORDS.min || x.words > MODEL_WORDS.max);
    expect(outOfBounds).toEqual([]);
  });

  it(`every answer has a 30-second spoken version of ${SPOKEN_WORDS.min}–${SPOKEN_WORDS.max} words, shorter than its model answer`, () => {
    const outOfBounds = bank
      .map((e) => ({ file: e.file, words: countWords(String(e.data.spoken ?? '')), model: countWords(String(e.data.model ?? '')) }))
      .filter((x) => x.words < SPOKEN_WORDS.min || x.words > SPOKEN_WORDS.max || x.words >= x.model);
    expect(outOfBounds).toEqual([]);
  });

  it(`deeper answers are ${BODY_WORDS.min}–${BODY_WORDS.max} words`, () => {
    const outOfBounds = bank
      .map((e) => ({ file: e.file, words: countWords(e.body) }))
      .filter((x) => x.words < BODY_WORDS.min || x.words > BODY_WORDS.max);
    expect(outOfBounds).toEqual([]);
  });

  it('source numbers are questions of questions.md and cover every one of them', () => {
    const invalid = bank
      .filter((e) => e.data.source !== undefined && !questionNumbers.includes(e.data.source as number))
      .map((e) => `${e.file}: source ${JSON.stringify(e.data.source)}`);
    expect(invalid).toEqual([]);
    const covered = new Set(bank.map((e) => e.data.source));
    const missing = questionNumbers.filter((n) => !covered.has(n));
    expect(missing, 'questions of questions.md with no interview entry').toEqual([]);
  });

  it(`has at least ${MIN_EXTRA_QUESTIONS} extra questions beyond questions.md`, () => {
    expect(bank.filter((e) => e.data.source === undefined).length).toBeGreaterThanOrEqual(MIN_EXTRA_QUESTIONS);
  });

  it('every experiment names a scenario of the stack and every chapter is a course chapter', () => {
    const badScenario = bank
      .filter((e) => !scenarios.includes((e.data.experiment as { scenario?: string })?.scenario ?? ''))
      .map((e) => `${e.file}: ${(e.data.experiment as { scenario?: string })?.scenario}`);
    expect(badScenario).toEqual([]);
    const badChapter = bank.filter((e) => !chapters.includes(String(e.data.chapter))).map((e) => `${e.file}: ${e.data.chapter}`);
    expect(badChapter).toEqual([]);
  });
});

describe('glossary', () => {
  const glossary = loadGlossary();

  it(`has at least ${MIN_GLOSSARY_TERMS} terms with unique kebab-case ids`, () => {
    expect(glossary.length).toBeGreaterThanOrEqual(MIN_GLOSSARY_TERMS);
    const ids = glossary.map((g) => g.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i), 'duplicate ids').toEqual([]);
    expect(ids.filter((id) => typeof id !== 'string' || !KEBAB.test(id)), 'ids must be kebab-case').toEqual([]);
  });

  it('every entry has a term, Chinese search terms, a definition and a link', () => {
    const problems: string[] = [];
    for (const g of glossary) {
      const name = g.id ?? JSON.stringify(g);
      if (!nonEmptyString(g.term)) problems.push(`${name}: 'term' missing or empty`);
      if (!Array.isArray(g.zh) || g.zh.length === 0 || !g.zh.every(nonEmptyString)) {
        problems.push(`${name}: 'zh' must be a non-empty list of strings`);
      } else if (!g.zh.some((z) => CJK.test(z))) {
        problems.push(`${name}: 'zh' has no term with Chinese characters`);
      }
      if (!nonEmptyString(g.definition)) problems.push(`${name}: 'definition' missing or empty`);
      if (!nonEmptyString(g.see) || !g.see.startsWith('/')) problems.push(`${name}: 'see' must start with '/'`);
    }
    expect(problems).toEqual([]);
  });

  it('links point at a course chapter', () => {
    const dead: string[] = [];
    for (const g of glossary) {
      const chapter = /^\/chapters\/([^#/]+)(?:#[a-z0-9_-]+)?$/.exec(g.see);
      if (!chapter) dead.push(`${g.id}: ${g.see} (expected /chapters/<slug> or /chapters/<slug>#<anchor>)`);
      else if (!chapters.includes(chapter[1])) dead.push(`${g.id}: ${g.see} (no chapter '${chapter[1]}')`);
    }
    expect(dead).toEqual([]);
  });

  it('learners find the core topics under the Chinese names they search for', () => {
    const allZh = new Set(glossary.flatMap((g) => (Array.isArray(g.zh) ? g.zh : [])));
    expect(REQUIRED_ZH_TERMS.filter((t) => !allZh.has(t))).toEqual([]);
  });
});
