/**
 * npx tsx labs/kit/node/mutate.ts <lab> [--limit N]
 *
 * An author's tool: mutates every line inside the lab's regions of the reference (operators,
 * constants, deleted statements), runs the hidden tests on each mutant in this process, and lists
 * the mutants no test kills — each one a plausible learner mistake the tests would miss.
 */
import { parseRegions } from '../regions.ts';
import { loadTree } from './inprocess.ts';
import { loadLab, referenceFiles } from './repo.ts';

interface Mutant {
  line: number;
  before: string;
  after: string;
}

const SWAPS: Array<[RegExp, string]> = [
  [/ <= /, ' < '], [/ < /, ' <= '], [/ >= /, ' > '], [/ > /, ' >= '],
  [/ === /, ' !== '], [/ !== /, ' === '], [/ && /, ' || '], [/ \|\| /, ' && '],
  [/ \+ 1\b/, ' + 0'], [/ \+ 1\b/, ' + 2'], [/ - 1\b/, ' - 0'], [/ \* 2\b/, ' * 1'],
  [/ >>> 0/, ''], [/\bseqLeq\(/, 'seqLt('], [/\bseqGt\(/, 'seqGeq('], [/\bseqLt\(/, 'seqLeq('], [/\bseqGeq\(/, 'seqGt('],
  [/\btrue\b/, 'false'], [/\bfalse\b/, 'true'], [/!\(/, '('], [/\bMath\.min\(/, 'Math.max('], [/\bMath\.max\(/, 'Math.min('],
  [/\b(\d+)\b(?!['"])/, '$1 + 1'], [/ \| /, ' ^ '], [/ & /, ' | '], [/<< 16/, '<< 8'],
];

function mutants(text: string, file: string, slug: string): Mutant[] {
  const lines = text.split('\n');
  const out: Mutant[] = [];
  for (const r of parseRegions(text, file).filter((x) => x.slug === slug)) {
    const verdicts = [...new Set(r.body.flatMap((l) => [...l.matchAll(/return '([\w-]+)'/g)].map((m) => m[1])))];
    for (let n = r.startLine + 1; n < r.endLine; n++) {
      const line = lines[n - 1];
      const code = line.replace(/\/\/.*$/, '');
      if (!code.trim()) continue;
      const seen = new Set<string>();
      for (const [re, rep] of SWAPS) {
        if (!re.test(code)) continue;
        const after = code.replace(re, rep) + line.slice(code.length);
        if (after !== line && !seen.has(after)) {
          seen.add(after);
          out.push({ line: n, before: line, after });
        }
      }
      // Delete a whole simple statement, or an early `return;`.
      if (/;\s*$/.test(code) && !/^\s*(const|let)\b/.test(code) && !/[{}]/.test(code) && !/^\s*return\s+\S/.test(code)) out.push({ line: n, before: line, after: '' });
      // Return another of the verdicts this region returns ('reset' → 'drop').
      const ret = /return '([\w-]+)'/.exec(code);
      if (ret) {
        for (const other of verdicts) if (other !== ret[1]) out.push({ line: n, before: line, after: line.replace(`'${ret[1]}'`, `'${other}'`) });
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const slug = process.argv[2];
  const li = process.argv.indexOf('--limit');
  const limit = li > 0 ? Number(process.argv[li + 1]) : Infinity;
  const def = loadLab(slug);
  const [file] = def.files;
  const text = referenceFiles(def).get(file)!;
  const all = mutants(text, file, slug).slice(0, limit);
  const survivors: Mutant[] = [];
  let killed = 0;
  let invalid = 0;
  for (const [i, m] of all.entries()) {
    const lines = text.split('\n');
    lines[m.line - 1] = m.after;
    let tree;
    try {
      tree = await loadTree(def, new Map([[file, lines.join('\n')]]), 'hidden', `mutant-${i}`);
    } catch {
      invalid++;
      continue;
    }
    try {
      const doc = tree.run(1);
      if (doc.status === 'pass') survivors.push(m);
      else killed++;
    } finally {
      tree.dispose();
    }
  }
  console.log(`${slug}: ${all.length} mutants, ${killed} killed, ${survivors.length} survived, ${invalid} did not load`);
  for (const m of survivors) console.log(`  line ${m.line}:\n    - ${m.before.trim()}\n    + ${m.after.trim() || '(deleted)'}`);
}

await main();
