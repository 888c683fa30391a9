/**
 * The shape every chapter must have (issue: chapters): 2,500–5,000 words of prose, at least four
 * figures from named scenarios and two experiments, a lab link, a Sources list; and across the
 * course a callout for every myth of the fact sheet's myth check.
 */
import { describe, expect, it } from 'vitest';
import { loadChapters, uses } from './chapters.ts';

const chapters = loadChapters();
const FIGURES = ['SequenceDiagram', 'StateMachine', 'QueueChart', 'TimerTimeline'];

/** Words a reader reads: prose, lists and tables — not code, frontmatter or component props. */
function proseWords(text: string): number {
  const body = text
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/<(\w+)\b[^>]*?\/>/g, ' ')
    .replace(/<\/?\w+\b[^>]*>/g, ' ')
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, ' ');
  return (body.match(/[A-Za-z0-9][\w'’.-]*/g) ?? []).length;
}

/** Guides (frontmatter `guide: true`) are pages without a lab: how the course works, operating a server. */
const isGuide = (c: { frontmatter: Record<string, unknown> }) => c.frontmatter.guide === true;

describe('the course', () => {
  it('has the two guides beside the six chapters, and every page with a lab is a chapter, not a guide', () => {
    expect(chapters.filter(isGuide).map((c) => c.slug).sort()).toEqual(['how-this-course-works', 'operating']);
    for (const c of chapters.filter(isGuide)) expect(c.frontmatter.lab, c.slug).toBeUndefined();
  });

  it('reads in order: queues before the SYN flood that fills them, orders 0..n without gaps', () => {
    const order = (slug: string) => Number(chapters.find((c) => c.slug === slug)?.frontmatter.order);
    expect(order('queues')).toBeLessThan(order('syn-flood'));
    expect(chapters.map((c) => Number(c.frontmatter.order)).sort((a, b) => a - b)).toEqual(chapters.map((_, i) => i));
  });
});

describe.each(chapters.filter((c) => !isGuide(c)).map((c) => [c.slug, c] as const))('chapter %s', (slug, c) => {
  it('runs 2,500–5,000 words', () => {
    const n = proseWords(c.text);
    expect(n, `${slug}: ${n} words`).toBeGreaterThanOrEqual(2500);
    expect(n, `${slug}: ${n} words`).toBeLessThanOrEqual(5000);
  });

  it('has at least four figures from named scenarios, and two experiments', () => {
    const figures = FIGURES.flatMap((f) => uses(c.text, f));
    expect(figures.length, `${slug}: ${figures.length} figures`).toBeGreaterThanOrEqual(4);
    for (const f of figures) expect(f.attrs.scenario, `${slug}:${f.line}`).toBeTruthy();
    expect(uses(c.text, 'Experiment').length, `${slug}: experiments`).toBeGreaterThanOrEqual(2);
  });

  it('ends with a Sources list that cites RFCs and Linux', () => {
    const m = /\n## Sources\n([\s\S]*)$/.exec(c.text);
    expect(m, `${slug}: no "## Sources" section at the end`).toBeTruthy();
    expect(m![1]).toMatch(/RFC \d{3,4}/);
    expect(m![1]).toMatch(/Linux|net\/ipv4|ip-sysctl|tcp\(7\)/);
  });

  it.skipIf(slug === 'introduction')('links to its lab', () => {
    expect(uses(c.text, 'LabLink').map((u) => u.attrs.lab)).toContain(String(c.frontmatter.lab));
  });
});

describe.each(chapters.filter(isGuide).map((c) => [c.slug, c] as const))('guide %s', (slug, c) => {
  it('runs 800–5,000 words', () => {
    const n = proseWords(c.text);
    expect(n, `${slug}: ${n} words`).toBeGreaterThanOrEqual(800);
    expect(n, `${slug}: ${n} words`).toBeLessThanOrEqual(5000);
  });

  it('shows what it says on the stack: at least one figure and one experiment, from named scenarios', () => {
    const figures = FIGURES.flatMap((f) => uses(c.text, f));
    expect(figures.length, `${slug}: ${figures.length} figures`).toBeGreaterThanOrEqual(1);
    for (const f of figures) expect(f.attrs.scenario, `${slug}:${f.line}`).toBeTruthy();
    expect(uses(c.text, 'Experiment').length, `${slug}: experiments`).toBeGreaterThanOrEqual(1);
  });

  it('ends with a Sources list that cites Linux', () => {
    const m = /\n## Sources\n([\s\S]*)$/.exec(c.text);
    expect(m, `${slug}: no "## Sources" section at the end`).toBeTruthy();
    expect(m![1]).toMatch(/Linux|net\/ipv4|ip-sysctl|tcp\(7\)/);
  });
});

describe('the introduction is about TCP, not about the course', () => {
  it('spends well under 40% of its words on the course machinery (seeds, scenarios, fault rules, labs, hidden tests)', () => {
    const intro = chapters.find((c) => c.slug === 'introduction')!;
    const sections = intro.text.split(/\n(?=## )/);
    const machinery = sections.filter((s) => /^## (How this course works|Seeds|Scenarios|Labs|Reading a sequence diagram)/.test(s));
    const words = machinery.reduce((n, s) => n + proseWords(s), 0);
    expect(machinery.length, 'the introduction still has a course-machinery section').toBe(0);
    expect(words / proseWords(intro.text)).toBeLessThan(0.1);
    expect(intro.text).toContain('## The eleven states at a glance');
    for (const state of ['CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING', 'TIME_WAIT']) {
      expect(intro.text, state).toMatch(new RegExp(`\\n\\| ${state} \\|`));
    }
  });
});

describe('myth checks', () => {
  it('every myth a–m of the fact sheet has exactly one callout in the course', () => {
    const ids = chapters.flatMap((c) => uses(c.text, 'Myth').map((u) => u.attrs.id)).sort();
    expect(ids).toEqual('abcdefghijklm'.split(''));
  });
});
