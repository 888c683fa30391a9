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

describe.each(chapters.map((c) => [c.slug, c] as const))('chapter %s', (slug, c) => {
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

describe('myth checks', () => {
  it('every myth a–m of the fact sheet has exactly one callout in the course', () => {
    const ids = chapters.flatMap((c) => uses(c.text, 'Myth').map((u) => u.attrs.id)).sort();
    expect(ids).toEqual('abcdefghijklm'.split(''));
  });
});
