/**
 * Lab regions: the parts of a stack file a lab teaches, marked in the reference itself.
 *
 *   // #region lab <slug>/<task> <title>
 *   ...reference code...
 *   // #endregion
 *
 * The starter is the same file with every region body of that lab replaced by a call to
 * notImplemented(), so it type-checks, the stack still loads, and an unfinished task fails its
 * own tests with "not implemented yet: <slug>/<task>: <title>". Pure text in, text out: the
 * browser worker, a WebContainer and the Node CLI all generate starters the same way.
 */

export interface LabRegion {
  slug: string;
  task: number;
  title: string;
  /** 1-based line numbers of the `#region` and `#endregion` markers. */
  startLine: number;
  endLine: number;
  /** Leading whitespace of the `#region` line; the stub gets the same. */
  indent: string;
  /** The lines between the markers. */
  body: string[];
}

/** A malformed region marker, with the file and line that hold it. */
export class RegionError extends Error {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'RegionError';
  }
}

const REGION = /^(\s*)\/\/\s*#region\b(.*)$/;
const END_REGION = /^\s*\/\/\s*#endregion\b/;
const LAB_HEADER = /^\s+lab\s+([a-z0-9-]+)\/(\d+)\s+(\S.*?)\s*$/;

/** Every lab region of a file, in order. Non-lab `#region` markers are left alone but must still nest. */
export function parseRegions(text: string, file: string): LabRegion[] {
  const lines = text.split('\n');
  const out: LabRegion[] = [];
  let open: (LabRegion & { lab: boolean }) | null = null;
  let plainDepth = 0;
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const n = i + 1;
    const m = REGION.exec(line);
    if (m) {
      const header = LAB_HEADER.exec(m[2]);
      if (/^\s+lab\b/.test(m[2]) && !header) {
        throw new RegionError(file, n, `malformed lab region "${line.trim()}": write "// #region lab <slug>/<task> <title>", e.g. "// #region lab handshake/1 Choose the ISN"`);
      }
      if (open?.lab) {
        throw new RegionError(file, n, `a region opens inside lab region ${open.slug}/${open.task} (line ${open.startLine}); close that one first with "// #endregion"`);
      }
      if (header) {
        open = { slug: header[1], task: Number(header[2]), title: header[3], startLine: n, endLine: 0, indent: m[1], body: [], lab: true };
      } else {
        plainDepth++;
      }
      return;
    }
    if (END_REGION.test(line)) {
      if (open?.lab) {
        const { lab: _lab, ...region } = open;
        out.push({ ...region, endLine: n });
        open = null;
      } else if (plainDepth > 0) {
        plainDepth--;
      } else {
        throw new RegionError(file, n, '"// #endregion" without a "// #region" before it');
      }
      return;
    }
    if (open?.lab) open.body.push(line);
  });
  if (open !== null) {
    const o = open as LabRegion;
    throw new RegionError(file, o.startLine, `lab region ${o.slug}/${o.task} "${o.title}" is never closed with "// #endregion"`);
  }
  return out;
}

/** The string a stub passes to notImplemented(): "<slug>/<task>: <title>". */
export function regionTaskLabel(r: Pick<LabRegion, 'slug' | 'task' | 'title'>): string {
  return `${r.slug}/${r.task}: ${r.title}`;
}

/**
 * Whether the reference body hands a value back (then the stub is `return notImplemented(...)`,
 * which type-checks against any return type because notImplemented() returns never).
 */
function returnsValue(body: string[]): boolean {
  return body.some((l) => /^\s*return\s+[^;\s]/.test(l.replace(/\/\/.*$/, '')));
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Path of `to` relative to the directory of `from` (both POSIX, relative to the same root). */
export function relativeImport(from: string, to: string): string {
  const a = from.split('/').slice(0, -1);
  const b = to.split('/');
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  const up = a.length - i;
  const rest = b.slice(i).join('/');
  return up === 0 ? `./${rest}` : `${'../'.repeat(up)}${rest}`;
}

export const NOT_IMPLEMENTED_MODULE = 'stack/core/tcp/not-implemented.ts';

/**
 * The learner's starting point for `file` (a path relative to the repository root): the same text
 * with every region of lab `slug` reduced to its stub. Throws RegionError for malformed markers,
 * and an Error when the file has no region of that lab.
 */
export function makeStarter(text: string, file: string, slug: string): string {
  const regions = parseRegions(text, file).filter((r) => r.slug === slug);
  if (regions.length === 0) throw new Error(`${file}: no "// #region lab ${slug}/<task> <title>" marker — nothing for the learner to write`);
  const lines = text.split('\n');
  // Replace from the bottom so earlier line numbers stay valid.
  for (const r of [...regions].reverse()) {
    const call = `notImplemented(${quote(regionTaskLabel(r))});`;
    // The comment names the task, so a learner scrolling the file knows whose statement to read.
    const note = ` // task ${r.task}: your code replaces this line (npm run lab -- ${slug} prints the task's statement)`;
    const stub = `${r.indent}${returnsValue(r.body) ? `return ${call}` : call}${note}`;
    lines.splice(r.startLine, r.endLine - r.startLine - 1, stub);
  }
  let out = lines.join('\n');
  if (!/\bimport\s*\{[^}]*\bnotImplemented\b[^}]*\}\s*from/.test(out)) {
    const spec = relativeImport(file, NOT_IMPLEMENTED_MODULE);
    const importLine = `import { notImplemented } from '${spec}';`;
    // After the last top-level import, so the file header comment stays first.
    const all = out.split('\n');
    let last = -1;
    for (let i = 0; i < all.length; i++) {
      if (/^import\b/.test(all[i])) {
        last = i;
        while (last < all.length && !/;\s*$/.test(all[last])) last++;
      }
    }
    all.splice(last + 1, 0, importLine);
    out = all.join('\n');
  }
  return out;
}

/** Task numbers that have at least one region of lab `slug` in `text`. */
export function regionTasks(text: string, file: string, slug: string): number[] {
  return [...new Set(parseRegions(text, file).filter((r) => r.slug === slug).map((r) => r.task))].sort((a, b) => a - b);
}

/** A do-nothing version of one task: every region of the task reduced to the same trivial body. */
export interface DoNothingStub {
  /** "return null", "empty body", … */
  name: string;
  text: string;
}

const LITERAL = /^(?:'[^']*'|"[^"]*"|-?\d+(?:\.\d+)?|true|false|null|undefined|\{\s*(?:[A-Za-z_$][\w$]*\s*:\s*(?:'[^']*'|"[^"]*"|-?\d+|true|false|null)\s*,?\s*)*\})$/;

/** The first parameter of the function a region sits in (the nearest `function name(` above it). */
function firstParameter(lines: string[], regionStart: number): string | null {
  for (let i = regionStart - 2; i >= 0; i--) {
    const m = /\bfunction\s+[\w$]+\s*(?:<[^>]*>)?\s*\(\s*([A-Za-z_$][\w$]*)/.exec(lines[i]);
    if (m) return m[1];
    if (/\bfunction\s+[\w$]+\s*\(\s*\)/.test(lines[i])) return null;
  }
  return null;
}

/**
 * Do-nothing implementations of task `task` of lab `slug` (the authoring check "a constant or empty
 * implementation of each task scores 0 for that task"): each region of the task gets the same
 * trivial body — empty, or `return` of undefined, null, false, true, 0, the function's first
 * argument, or one of the constant values the reference itself returns somewhere in the task.
 * Regions that return nothing get an empty body in every variant. Not type-correct on purpose
 * (`as never`): they stand for what a learner might submit, and run without a type check.
 */
export function doNothingStubs(text: string, file: string, slug: string, task: number): DoNothingStub[] {
  const regions = parseRegions(text, file).filter((r) => r.slug === slug && r.task === task);
  if (regions.length === 0) throw new Error(`${file}: no region of ${slug}/${task}`);
  const lines = text.split('\n');
  const valued = regions.filter((r) => returnsValue(r.body));
  const constants = new Set<string>();
  for (const r of valued) {
    for (const l of r.body) {
      const m = /^\s*return\s+(.+?);?\s*(?:\/\/.*)?$/.exec(l);
      if (m && LITERAL.test(m[1].trim())) constants.add(m[1].trim());
    }
  }
  const values: Array<[string, (r: LabRegion) => string | null]> = [
    ['empty body / return undefined', () => 'undefined'],
    ['return null', () => 'null'],
    ['return false', () => 'false'],
    ['return true', () => 'true'],
    ['return 0', () => '0'],
    ['return the first argument', (r) => firstParameter(lines, r.startLine)],
    ...[...constants].map((c): [string, () => string] => [`return ${c}`, () => c]),
  ];
  const out: DoNothingStub[] = [];
  const seen = new Set<string>();
  for (const [name, value] of valued.length ? values : values.slice(0, 1)) {
    const copy = text.split('\n');
    let usable = true;
    for (const r of [...regions].reverse()) {
      let body = '';
      if (returnsValue(r.body)) {
        const v = value(r);
        if (v === null) usable = false;
        body = `${r.indent}return (${v}) as never;`;
      }
      copy.splice(r.startLine, r.endLine - r.startLine - 1, ...(body ? [body] : []));
    }
    const result = copy.join('\n');
    if (!usable || seen.has(result)) continue;
    seen.add(result);
    out.push({ name: valued.length ? name : 'empty body', text: result });
  }
  return out;
}
