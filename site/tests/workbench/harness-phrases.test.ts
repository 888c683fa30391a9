// The Chinese page reads the harness's English results through a phrase table
// (site/lib/workbench/harness-phrases.ts). These tests hold the table to the harness: every
// sentence the harness can write (labs/kit/*.ts, stack/testing/*.ts, read here with TypeScript's
// parser) has a phrase or a stated reason why no learner sees it; every phrase names templates
// that exist; and the real failure reports of every lab — the starters and every known-wrong
// implementation, graded on the hidden suites as the worker grades them — keep no harness words
// in English once translated.
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PHRASES, recentSegmentsZh, translateHarnessText } from '../../lib/workbench/harness-phrases.ts';
import { recentSegments } from '../../lib/workbench/results-view.ts';
import { labExists, readLab, runModules, workspace } from '../../lib/workbench/lab-data.ts';
import { WorkerGrader } from '../../lib/workbench/worker-grade.ts';
import { labMeta } from '../../../labs/kit/definition.ts';
import { transpile } from '../../lib/workbench/transpile.ts';
import { wrongImplementations } from '../../../labs/kit/node/repo.ts';
import type { ResultsDocument } from '../../lib/workbench/results.ts';
import { HAN, styleProblems } from './chinese-words.ts';

/** Every string and template literal of a file, placeholders written `${}` (as the phrases' `en`). */
function literals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && !ts.isImportDeclaration(node.parent) && !ts.isExportDeclaration(node.parent)) out.push(node.text);
    else if (ts.isTemplateExpression(node)) out.push(node.head.text + node.templateSpans.map((span) => `\${}${span.literal.text}`).join(''));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Prose: two words side by side, or a word beside a placeholder ("acknowledging ${}"). */
function isProse(text: string): boolean {
  const marked = text.replace(/\$\{\}/g, '#');
  return /\b[a-z]{2,}(?: | → | ← )[a-z]{2,}\b/i.test(marked) || /(?:^|\s)[a-z]{3,} #|# [a-z]{3,}\b/i.test(marked);
}

const HARNESS = [
  ...readdirSync('labs/kit').filter((f) => f.endsWith('.ts')).map((f) => `labs/kit/${f}`),
  ...readdirSync('stack/testing').filter((f) => f.endsWith('.ts')).map((f) => `stack/testing/${f}`),
];

/** Whole files no learner's results can quote, and why. */
const NOT_SHOWN_FILES: Record<string, string> = {
  'labs/kit/definition.ts': 'lab.yaml and wrong-implementation checks: a course author meets them at build time (labs/tests/authoring.test.ts), never a learner',
  'labs/kit/registry.ts': 'errors in how a test registers itself: the lab author\'s mistake, caught before the course ships',
  'labs/kit/scoring.ts': 'errors in a test\'s scoring options: the lab author\'s mistake, caught before the course ships',
  'labs/kit/shim.ts': 'generated dispatcher code; the one sentence it throws to the learner has its own phrase (checked below)',
  'stack/testing/invariants.ts': 'the stack\'s own invariant checks, used by stack/tests, never by a lab test',
};

/** Single literals no learner sees, and why. */
const NOT_SHOWN: Record<string, string> = {
  // labs/kit/regions.ts
  '${}: no "// #region lab ${}/<task> <title>" marker — nothing for the learner to write': 'making a starter from the reference: a course author\'s error',
  '${}: no region of ${}/${}': 'a course author\'s error (a task with no region)',
  ' // task ${}: your code replaces this line (npm run lab -- ${} prints the task\'s statement)': 'a comment in the starter code: the stack\'s code and its comments stay English',
  'empty body / return undefined': 'describes a stub to lab authors (labs/tests/do-nothing.test.ts)',
  'empty body': 'describes a stub to lab authors',
  'return null': 'describes a stub to lab authors',
  'return false': 'describes a stub to lab authors',
  'return true': 'describes a stub to lab authors',
  'return the first argument': 'describes a stub to lab authors',
  'return ${}': 'generated stub code',
  '${}return (${}) as never;': 'generated stub code',
  // labs/kit/context.ts and stack/testing/steps.ts: the invariant check of the authoring runs
  'the stack broke an invariant: ${}': 'only with checkInvariants, which the authoring runs of the references set (labs/tests/authoring.test.ts), never a learner\'s grading',
  'the stack\'s invariants hold': 'the same authoring-only check',
  'after step ${} (${}) ': 'the same authoring-only check',
  // labs/kit/runner.ts
  'test "${}" is for task ${}, but lab ${} has tasks ${}': 'a test registered for a task the lab does not have: the author\'s mistake',
  'the ${} tests of lab ${} have no test named "${}"': 'runSuite asked by a runner for a test the suite lacks (referenceTrace checks the name first): a caller\'s mistake, never in a results document',
  // labs/kit/module-map.ts
  '${}\n//# sourceURL=${}': 'a module body with its file name for stack traces: code, not a sentence',
  // labs/kit/tree.ts
  '${} does not exist': 'a run tree naming a file the repository lacks: a build error',
  // stack/testing/harness.ts: misuse of the harness by a test's author
  'unknown flag letter "${}" in "${}" (use S F R P E W U and "." for ACK)': 'a test written with a flag letter that does not exist',
  'payload strings must be Latin-1; pass a Uint8Array for other bytes': 'a test written with a payload the harness cannot send',
  'hSeq(): the host has not sent a SYN or SYN-ACK yet, so its ISN is unknown': 'a test that asks for the host ISN before any expectation saw it',
  'advanceTo(${}): the clock is already at ${} ms; tests move forward only': 'a test that moves the clock backwards',
  ' ack ${}': 'packetdrill notation of an expected segment (expected/actual), not prose',
  ' win ${}': 'packetdrill notation of an expected segment (expected/actual), not prose',
  // stack/testing/placed.ts
  'stack/testing/placed.ts: SocketApi no longer has a private `fds` map and `poll`; update attachDescriptor': 'the kit out of step with the stack: a build error',
  'placed by the test kit': 'the cause of a state change in a trace, which the sequence diagram draws (figures, not results text)',
  // stack/testing/steps.ts
  'Steps that ran:': 'only in the text report, whose steps the panel shows from `steps` (the panel shows the report\'s recent segments alone)',
};

const phraseTemplates = new Set(PHRASES.flatMap((p) => p.en));

/** The fixed words of every template (its text between placeholders), longest first. */
const FRAGMENTS = [...new Set([...phraseTemplates].flatMap((template) => template.split('${}')).map((f) => f.trim()).filter((f) => f.split(/\s+/).length >= 3 && /[a-z]{3,}/.test(f)))]
  .sort((a, b) => b.length - a.length);


describe('the harness phrase table', () => {
  it('has a Chinese phrase for every sentence the harness (labs/kit, stack/testing) can write into a results document', () => {
    const missing: string[] = [];
    for (const file of HARNESS) {
      if (NOT_SHOWN_FILES[file]) continue;
      for (const text of literals(file)) {
        if (!isProse(text) || phraseTemplates.has(text) || NOT_SHOWN[text]) continue;
        missing.push(`${file}: ${JSON.stringify(text)}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names only templates the sources really write, and keeps no stale exclusion', () => {
    const sources = [
      ...HARNESS,
      ...readdirSync('labs/kit/node').filter((f) => f.endsWith('.ts')).map((f) => `labs/kit/node/${f}`),
      ...readdirSync('site/lib/workbench').filter((f) => f.endsWith('.ts') && f !== 'harness-phrases.ts').map((f) => `site/lib/workbench/${f}`),
      'site/server/course-server.ts', 'site/server/sim-request.ts', 'stack/core/host.ts', 'stack/core/tcp/lifecycle.ts', 'stack/core/tcp/listener.ts', 'stack/core/tcp/not-implemented.ts', 'stack/core/scenarios/index.ts',
    ];
    const written = new Set(sources.flatMap(literals));
    // The dispatcher's sentence sits inside generated code, a template within a string.
    const generated = literals('labs/kit/shim.ts').map((l) => l.replace('${name}', '${}'));
    expect([...phraseTemplates].filter((template) => !written.has(template) && !generated.some((l) => l.includes(template)))).toEqual([]);
    const harness = new Set(HARNESS.flatMap(literals));
    expect(Object.keys(NOT_SHOWN).filter((text) => !harness.has(text))).toEqual([]);
    // The dispatcher's sentence is inside generated code; its phrase must still be the sentence.
  });

  it.each(PHRASES.map((phrase) => [phrase.example, phrase] as const))('reads %j in Chinese, with nothing of the harness left in English', (example, phrase) => {
    expect(phrase.re.test(example)).toBe(true);
    // No earlier phrase takes the text first (the table is tried in order).
    expect(PHRASES.find((p) => p.re.test(example))).toBe(phrase);
    const zh = translateHarnessText(example);
    expect(zh).toMatch(HAN);
    // What may stay English is what a test's author or the JavaScript engine wrote into the
    // example (the words after "wanted:", an engine's TypeError): never the phrase's own words.
    const own = phrase.en.flatMap((template) => template.split('${}')).map((f) => f.trim()).filter((f) => f.split(/\s+/).length >= 2 && /[a-z]{2,}/.test(f));
    expect(own.filter((fragment) => zh.includes(fragment)), zh).toEqual([]);
    expect(FRAGMENTS.filter((fragment) => zh.includes(fragment)), zh).toEqual([]);
    expect(styleProblems(zh), zh).toEqual([]);
  });

  it('leaves a text it does not know (a test\'s own words) as it is', () => {
    expect(translateHarnessText('the SYN queue holds 3 requests')).toBe('the SYN queue holds 3 requests');
  });
});

// ---------------------------------------------------------------------------------------------
// The real thing: every lab's failure reports as the worker grades them.

/** What the panel shows of a document, as the Chinese page says it. */
function shownInChinese(doc: ResultsDocument): string[] {
  const texts: string[] = [];
  if (doc.message) texts.push(translateHarnessText(doc.message));
  for (const test of doc.tests) {
    if (test.message) texts.push(translateHarnessText(test.message));
    for (const field of [test.expected, test.actual]) if (field !== undefined) texts.push(translateHarnessText(field));
    for (const step of test.steps) texts.push(translateHarnessText(step.text));
    const segments = recentSegments(test.report);
    if (segments) texts.push(recentSegmentsZh(segments));
  }
  return texts;
}

/** The test-authored sentences of a lab (its tests and support file), which may stay English. */
function authoredText(slug: string): string {
  return ['visible.test.ts', 'hidden.test.ts', 'support.ts'].map((f) => readFileSync(`labs/${slug}/${f}`, 'utf8')).join('\n');
}

describe.each(['handshake', 'teardown', 'syn-flood', 'queues', 'keepalive'].filter(labExists))('the %s lab\'s real failure reports in Chinese', (slug) => {
  const def = readLab(slug);
  const lab = labMeta(def);
  const grader = new WorkerGrader(transpile);
  grader.addModules(runModules(slug, 'visible'));
  grader.addModules(runModules(slug, 'hidden'));
  const authored = authoredText(slug);

  it('keeps no harness sentence in English, for the starter and every known-wrong implementation', () => {
    const runs: Array<[string, Record<string, string>]> = [
      ['starter', workspace(slug).starters],
      ...wrongImplementations(def).map((w): [string, Record<string, string>] => [w.name, Object.fromEntries(w.files)]),
    ];
    const left: string[] = [];
    let shown = 0;
    for (const [name, files] of runs) {
      const doc = grader.grade({ lab, suite: 'hidden', files });
      expect(doc.status, name).not.toBe('pass');
      for (const text of shownInChinese(doc)) {
        shown++;
        // A fragment a test's author wrote too (support.ts reuses harness wording) is theirs.
        const fragment = FRAGMENTS.find((f) => text.includes(f) && !authored.includes(f));
        if (fragment) left.push(`${name}: "${fragment}" in ${JSON.stringify(text)}`);
      }
    }
    expect(shown).toBeGreaterThan(50);
    expect(left).toEqual([]);
  });
});
