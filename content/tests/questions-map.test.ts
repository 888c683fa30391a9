/**
 * Every question in questions.md is answered somewhere in the course: a chapter marks the place
 * with <Answers q={n} />, and the interview bank has an entry for it. The test prints the map.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONTENT, QUESTIONS_MD, loadChapters, uses } from './chapters.ts';

const questions = [...readFileSync(QUESTIONS_MD, 'utf8').matchAll(/^(\d+)\. (.+)$/gm)].map((m) => ({ n: Number(m[1]), text: m[2] }));
const chapters = loadChapters();
const places = new Map<number, string[]>();
for (const c of chapters) {
  for (const u of uses(c.text, 'Answers')) {
    // The heading above the marker names the section that answers it.
    const before = c.text.split('\n').slice(0, u.line).reverse().find((l) => /^#{2,4} /.test(l));
    const anchor = before ? before.replace(/^#+ /, '').trim() : '(top)';
    const list = places.get(Number(u.attrs.q)) ?? [];
    list.push(`/chapters/${c.slug} § ${anchor} (line ${u.line})`);
    places.set(Number(u.attrs.q), list);
  }
}
const bank = readdirSync(join(CONTENT, 'interview'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => ({ file: f, fm: parse(/^---\n([\s\S]*?)\n---/.exec(readFileSync(join(CONTENT, 'interview', f), 'utf8'))![1]) as { source?: number } }));

describe('questions.md → where the course answers it', () => {
  it('questions.md has the 39 questions', () => {
    expect(questions.map((q) => q.n)).toEqual(Array.from({ length: 39 }, (_, i) => i + 1));
  });
  for (const q of questions) {
    it(`Q${q.n}: ${q.text.slice(0, 70)}`, () => {
      const where = places.get(q.n) ?? [];
      const inBank = bank.filter((b) => b.fm.source === q.n).map((b) => `/interview/#${b.file.replace(/\.md$/, '')}`);
      expect(where.length, `question ${q.n} is answered by no chapter (add <Answers q={${q.n}} />)`).toBeGreaterThan(0);
      expect(inBank.length, `question ${q.n} has no interview-bank entry`).toBeGreaterThan(0);
      console.log(`Q${q.n} → ${[...where, ...inBank].join('; ')}`);
    });
  }
});
