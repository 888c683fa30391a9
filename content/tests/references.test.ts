/**
 * Every name a chapter uses must exist: scenarios, labs, interview questions, glossary terms,
 * headings it links to, myths, sysctls and fault rules in experiments; and every glossary term must
 * link to a chapter heading that exists. A typo fails here, not on a learner's screen.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { listScenarios } from '../../stack/core/scenarios/index.ts';
import { sysctlSpec } from '../../stack/core/tcp/sysctl.ts';
import { parseFaultRule } from '../../stack/core/sim/network.ts';
import { CONTENT, QUESTIONS_MD, REPO, lineOf, loadChapters, uses } from './chapters.ts';
import { chapterHeadings, headingText } from '../headings.ts';

const chapters = loadChapters();
const scenarios = new Set(listScenarios().map((s) => s.name));
const glossary = new Set((parse(readFileSync(join(CONTENT, 'glossary.yaml'), 'utf8')) as Array<{ id: string }>).map((g) => g.id));
const questionNumbers = new Set(
  [...readFileSync(QUESTIONS_MD, 'utf8').matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1])),
);
/** A chapter's heading ids, or undefined when there is no such chapter. */
function headingIds(slug: string): string[] | undefined {
  const chapter = chapters.find((c) => c.slug === slug);
  return chapter && chapterHeadings(chapter.text).map((h) => h.id);
}
const LABS = ['handshake', 'teardown', 'syn-flood', 'queues', 'keepalive'];
const FIGURES = ['SequenceDiagram', 'StateMachine', 'QueueChart', 'TimerTimeline', 'Experiment'];

describe.each(chapters.map((c) => [c.file, c] as const))('%s', (_file, c) => {
  it('names only scenarios that exist', () => {
    for (const fig of FIGURES) {
      for (const u of uses(c.text, fig)) {
        expect(scenarios.has(u.attrs.scenario), `${c.file}:${u.line} <${fig} scenario="${u.attrs.scenario}">: no such scenario`).toBe(true);
      }
    }
  });

  it('links only labs that exist', () => {
    const labs = [...uses(c.text, 'LabLink').map((u) => ({ lab: u.attrs.lab, line: u.line }))];
    if (c.frontmatter.lab) labs.push({ lab: String(c.frontmatter.lab), line: 1 });
    for (const { lab, line } of labs) {
      expect(LABS.includes(lab) && existsSync(join(REPO, 'labs', lab, 'lab.yaml')), `${c.file}:${line}: lab "${lab}" does not exist (labs/${lab}/lab.yaml)`).toBe(true);
    }
  });

  it('marks only questions that exist, and lists exactly those it marks', () => {
    const marked = uses(c.text, 'Answers').map((u) => Number(u.attrs.q));
    for (const q of marked) expect(questionNumbers.has(q), `${c.file}: <Answers q={${q}}> is not a question in questions.md`).toBe(true);
    expect([...new Set(marked)].sort((a, b) => a - b)).toEqual([...((c.frontmatter.questions as number[]) ?? [])].sort((a, b) => a - b));
  });

  it('links only glossary terms and chapters that exist', () => {
    for (const m of c.text.matchAll(/\/glossary\/?#([\w-]+)/g)) {
      expect(glossary.has(m[1]), `${c.file}: glossary term "${m[1]}" does not exist`).toBe(true);
    }
    for (const m of c.text.matchAll(/\/chapters\/([\w-]+)/g)) {
      expect(chapters.some((x) => x.slug === m[1]), `${c.file}: chapter "${m[1]}" does not exist`).toBe(true);
    }
  });

  it('links only to headings that exist, in this chapter or another', () => {
    for (const m of c.text.matchAll(/\]\((?:\/chapters\/([\w-]+))?#([^)\s]+)\)/g)) {
      const slug = m[1] ?? c.slug;
      const ids = headingIds(slug) ?? [];
      expect(ids.includes(m[2]), `${c.file}:${lineOf(c.text, m.index ?? 0)}: ${m[0].slice(2, -1)}: chapter ${slug} has no heading "${m[2]}" (it has: ${ids.join(', ')})`).toBe(true);
    }
  });

  it('uses only myth ids a–m, sysctls that exist and fault rules that parse', () => {
    for (const u of uses(c.text, 'Myth')) expect(u.attrs.id, `${c.file}:${u.line}`).toMatch(/^[a-m]$/);
    for (const m of c.text.matchAll(/"(net\.(?:ipv4|core)\.[\w.]+)"/g)) {
      expect(sysctlSpec(m[1]), `${c.file}: sysctl ${m[1]} does not exist in the stack`).toBeDefined();
    }
    for (const m of c.text.matchAll(/(?:fault: |faults=\{\[)"([^"]+)"/g)) {
      expect(() => parseFaultRule(m[1]), `${c.file}: fault rule "${m[1]}"`).not.toThrow();
    }
  });
});

describe('chapter heading ids', () => {
  // Guards the id computation every anchor check in this file relies on: if it drifted from Astro's,
  // valid links would fail and broken ones could pass. (All 100 ids of the six chapters were compared
  // with a build's HTML when this was written: identical.)
  it('slug the text the page shows, as Astro does', () => {
    const ids = (mdx: string) => chapterHeadings(mdx).map((h) => h.id);
    expect(ids('---\ntitle: x\n---\n## Restarting a server: SO_REUSEADDR\n### ss -lnt: the accept queue\n')).toEqual([
      'restarting-a-server-so_reuseaddr',
      'ss--lnt-the-accept-queue',
    ]);
    expect(ids('## When `close()` sends **RST**\n## See [the queues](/chapters/queues)\n')).toEqual(['when-close-sends-rst', 'see-the-queues']);
    expect(ids('## Sources\n```text\n## not a heading\n#kernel\n```\n## Sources\nSetext\n---\n')).toEqual(['sources', 'sources-1', 'setext']);
    expect(headingText('_Why_ FIN_WAIT_2 \\* waits -- a while')).toBe('Why FIN_WAIT_2 * waits \u2013 a while');
    expect(() => chapterHeadings('## Hello {name}\n')).toThrow(/line 1: .*JSX expression/);
  });

  it('are found in every chapter', () => {
    for (const c of chapters) expect(chapterHeadings(c.text).length, `${c.file}: fewer than 4 headings found`).toBeGreaterThan(3);
  });
});

describe('glossary', () => {
  const entries = parse(readFileSync(join(CONTENT, 'glossary.yaml'), 'utf8')) as Array<{ id: string; see: string }>;

  it('points every term at a chapter that exists, and at a heading that chapter has', () => {
    const dead: string[] = [];
    for (const g of entries) {
      const m = /^\/chapters\/([\w-]+)(?:#(.*))?$/.exec(g.see);
      const ids = m ? headingIds(m[1]) : undefined;
      if (!m || !ids) dead.push(`glossary "${g.id}": see ${g.see} names no chapter (chapters: ${chapters.map((c) => c.slug).join(', ')})`);
      else if (m[2] !== undefined && !ids.includes(m[2])) {
        dead.push(`glossary "${g.id}": see ${g.see}: chapter ${m[1]} has no heading "${m[2]}"; its headings are: ${ids.join(', ')}`);
      }
    }
    expect(dead).toEqual([]);
  });
});
