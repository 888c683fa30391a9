/**
 * Every name a chapter uses must exist: scenarios, labs, interview questions, glossary terms,
 * myths, sysctls and fault rules in experiments. A typo fails here, not on a learner's screen.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { listScenarios } from '../../stack/core/scenarios/index.ts';
import { sysctlSpec } from '../../stack/core/tcp/sysctl.ts';
import { parseFaultRule } from '../../stack/core/sim/network.ts';
import { CONTENT, REPO, loadChapters, uses } from './chapters.ts';

const chapters = loadChapters();
const scenarios = new Set(listScenarios().map((s) => s.name));
const glossary = new Set((parse(readFileSync(join(CONTENT, 'glossary.yaml'), 'utf8')) as Array<{ id: string }>).map((g) => g.id));
const questionNumbers = new Set(
  [...readFileSync(join(REPO, '..', 'shared', 'reference', 'questions.md'), 'utf8').matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1])),
);
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

describe('glossary', () => {
  it('points every term at a chapter that exists', () => {
    const entries = parse(readFileSync(join(CONTENT, 'glossary.yaml'), 'utf8')) as Array<{ id: string; see: string }>;
    for (const g of entries) {
      const m = /^\/chapters\/([\w-]+)/.exec(g.see);
      expect(m && chapters.some((c) => c.slug === m[1]), `glossary "${g.id}": see ${g.see}`).toBeTruthy();
    }
  });
});
