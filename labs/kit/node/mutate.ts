/**
 * npx tsx labs/kit/node/mutate.ts <lab> [--limit N] [--visible] [--count]
 *
 * An author's tool: mutates every line inside the lab's regions of the reference, runs the hidden
 * tests on each mutant in this process, and lists the mutants no test kills — each one a plausible
 * learner mistake the tests would miss. The mutations are the mistakes learners make: operators
 * and constants off by one, modular comparisons written with < and >= (wraparound), a signed
 * 32-bit difference without `| 0`, the socket option and the sysctl in the wrong order
 * (`a || b` → `b || a`), the wrong clock (the last send for the last receive, virtual time for
 * wall time), units (seconds for milliseconds), forgotten counters and timers (the statement
 * deleted), answering where silence is due (another verdict), two checks swapped in order, and
 * the sequence helpers written out by hand (seqAdd without the modulo, seqSub unsigned, SEG.LEN
 * without SYN and FIN).
 * `--visible` also runs the visible tests on each mutant and reports how many of the mutants the
 * hidden tests kill the visible ones kill too, then lists the ones only the hidden tests kill (with
 * the line of the lab file), so the next author sees where the visible tests are thin.
 */
import { parseRegions } from '../regions.ts';
import { loadTree } from './inprocess.ts';
import { loadLab, referenceFiles } from './repo.ts';

interface Mutant {
  line: number;
  before: string;
  after: string;
  /** A second line changed with it (two checks swapped), or undefined. */
  line2?: number;
  after2?: string;
}

const SWAPS: Array<[RegExp, string]> = [
  [/ <= /, ' < '], [/ < /, ' <= '], [/ >= /, ' > '], [/ > /, ' >= '],
  [/ === /, ' !== '], [/ !== /, ' === '], [/ && /, ' || '], [/ \|\| /, ' && '],
  [/ \+ 1\b/, ' + 0'], [/ \+ 1\b/, ' + 2'], [/ - 1\b/, ' - 0'], [/ \* 2\b/, ' * 1'],
  [/ >>> 0/, ''], [/\bseqLeq\(/, 'seqLt('], [/\bseqGt\(/, 'seqGeq('], [/\bseqLt\(/, 'seqLeq('], [/\bseqGeq\(/, 'seqGt('],
  [/\btrue\b/, 'false'], [/\bfalse\b/, 'true'], [/!\(/, '('], [/\bMath\.min\(/, 'Math.max('], [/\bMath\.max\(/, 'Math.min('],
  [/\b(\d+)\b(?!['"])/, '$1 + 1'], [/ \| /, ' ^ '], [/ & /, ' | '], [/<< 16/, '<< 8'],
  // Wraparound: modular comparisons written with plain operators, a difference kept unsigned.
  [/\bseqLeq\(([^,()]+), ([^()]+?)\)/, '$1 <= $2'], [/\bseqGt\(([^,()]+), ([^()]+?)\)/, '$1 > $2'],
  [/\bseqLt\(([^,()]+), ([^()]+?)\)/, '$1 < $2'], [/\bseqGeq\(([^,()]+), ([^()]+?)\)/, '$1 >= $2'],
  [/\(\(([^()]+) - ([^()]+)\) \| 0\) < 0/, '$1 < $2'], [/\(\(([^()]+) - ([^()]+)\) \| 0\) > 0/, '$1 > $2'],
  // The helpers written out by hand, wrongly: a sum not reduced modulo 2^32, a difference kept
  // unsigned, SEG.LEN without the SYN and FIN.
  [/\bseqAdd\(([^,()]+), ([^()]+?)\)/, '($1 + $2)'], [/\bseqSub\(([^,()]+), ([^()]+?)\)/, '($1 - $2)'],
  [/\bsegmentLength\((\w+)\)/, '$1.payload.length'],
  // Precedence: the sysctl before the socket option.
  [/\(([\w.]+) \|\| ([\w.]+\.sysctl\.get\([^)]*\))\)/, '($2 || $1)'],
  // Wrong clock, wrong unit.
  [/\blastRcvAt\b/, 'lastSendAt'], [/ \* 1000\b/, ''], [/\* 1000\b/, '* 60'],
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
      // Two consecutive single-line checks swapped: the order of checks matters (RST before the window).
      const next = lines[n];
      if (n + 1 < r.endLine && /^\s*if \(.*\) return\b.*;\s*$/.test(code) && /^\s*if \(.*\) return\b.*;\s*$/.test(next ?? '')) {
        out.push({ line: n, before: line, after: next, line2: n + 1, after2: line });
      }
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
  const withVisible = process.argv.includes('--visible');
  const def = loadLab(slug);
  const [file] = def.files;
  const text = referenceFiles(def).get(file)!;
  const all = mutants(text, file, slug).slice(0, limit);
  if (process.argv.includes('--count')) {
    console.log(`${slug}: ${all.length} mutants`);
    return;
  }
  const survivors: Mutant[] = [];
  const hiddenOnly: Mutant[] = [];
  let killed = 0;
  let visibleKilled = 0;
  let invalid = 0;
  const kills = async (suite: 'hidden' | 'visible', source: string, i: number): Promise<boolean | null> => {
    let tree;
    try {
      tree = await loadTree(def, new Map([[file, source]]), suite, `mutant-${suite}-${i}`);
    } catch {
      return null;
    }
    try {
      return tree.run(1).status !== 'pass';
    } finally {
      tree.dispose();
    }
  };
  for (const [i, m] of all.entries()) {
    const lines = text.split('\n');
    lines[m.line - 1] = m.after;
    if (m.line2 !== undefined) lines[m.line2 - 1] = m.after2!;
    const source = lines.join('\n');
    const hidden = await kills('hidden', source, i);
    if (hidden === null) {
      invalid++;
      continue;
    }
    if (!hidden) {
      survivors.push(m);
      continue;
    }
    killed++;
    if (!withVisible) continue;
    if (await kills('visible', source, i)) visibleKilled++;
    else hiddenOnly.push(m);
  }
  console.log(`${slug}: ${all.length} mutants, ${killed} killed, ${survivors.length} survived, ${invalid} did not load`);
  if (withVisible) console.log(`  visible tests kill ${visibleKilled} of the ${killed} the hidden tests kill (${killed ? Math.round((100 * visibleKilled) / killed) : 0}%)`);
  if (survivors.length > 0) console.log(`survivors (no hidden test kills them), ${file}:`);
  printMutants(survivors);
  if (hiddenOnly.length > 0) {
    console.log(`killed only by the hidden tests (the visible tests miss them), ${file}:`);
    printMutants(hiddenOnly);
  }
}

function printMutants(list: Mutant[]): void {
  for (const m of list) {
    console.log(`  line ${m.line}:\n    - ${m.before.trim()}\n    + ${m.after.trim() || '(deleted)'}`);
    if (m.line2 !== undefined) console.log(`  and line ${m.line2}:\n    + ${m.after2!.trim()}`);
  }
}

await main();
