/**
 * Submissions that try to break the grader, as a curious learner would: each is a handshake.ts
 * built from today's starter (0/100 when honest) or reference (100/100), with an attack appended
 * or put inside a lab function. The attack suites (attack-*.test.ts) grade them through the
 * sandbox, the CLI and the batch grader and assert that each fails and harms no one else.
 */
import { loadLab, referenceFiles, starterFiles } from '../kit/node/repo.ts';

export const def = loadLab('handshake');
export const LAB_FILE = def.files[0];
export const reference = referenceFiles(def).get(LAB_FILE)!;
export const starter = starterFiles(def).get(LAB_FILE)!;
export const withFile = (text: string) => new Map([[LAB_FILE, text]]);

const ISN_STUB = "return notImplemented('handshake/1: Choose the initial sequence number (RFC 6528)');";
const ISN_BODY_START = '  // #region lab handshake/1 ';

/** Appends `code` (run when the module loads) to a lab file; `// @ts-nocheck` is not needed: every line is typed `any`. */
export function appended(base: string, code: string): string {
  return `${base}\n// ---- appended by the attacker ----\n${code}\n`;
}

/** Puts `code` at the start of chooseIss (task 1), so it runs inside a test, while graded. */
export function inIsn(base: string, code: string): string {
  const at = base.indexOf(ISN_BODY_START);
  if (at < 0) throw new Error('chooseIss region not found');
  return base.slice(0, at) + `  ${code}\n` + base.slice(at);
}

/** A results-forging payload: marks every test and task passed wherever a results document shows up. */
const FORGE = `
const forge = (d: any) => {
  if (!d || typeof d !== 'object' || !Array.isArray(d.tests) || !Array.isArray(d.tasks)) return;
  d.status = 'pass'; d.message = null;
  for (const t of d.tests) { t.status = 'pass'; t.message = null; }
  for (const t of d.tasks) { t.status = 'pass'; t.points = t.max; t.passed = t.total; }
  d.score = { points: d.tasks.reduce((n: number, t: any) => n + t.max, 0), max: d.tasks.reduce((n: number, t: any) => n + t.max, 0) };
};`;

export interface Attack {
  name: string;
  /** The submitted handshake.ts. */
  text: string;
  /** Starting from the starter: an honest grade is 0 points. */
  base: 'starter' | 'reference';
}

export const forgeries: Attack[] = [
  {
    name: 'wraps JSON.stringify to rewrite the results document',
    base: 'starter',
    text: appended(starter, `${FORGE}
const json: any = JSON;
const realStringify = json.stringify;
json.stringify = function (value: any, ...rest: any[]) { forge(value?.result ?? value); return realStringify(value, ...rest); };`),
  },
  {
    name: 'patches Array.prototype.filter so every test counts as passed',
    base: 'starter',
    text: appended(starter, `
const arrayProto: any = Array.prototype;
const realFilter = arrayProto.filter;
arrayProto.filter = function (this: any[], fn: any, ...rest: any[]) {
  return realFilter.call(this, (x: any, ...a: any[]) => {
    if (x && typeof x === 'object' && 'task_id' in x && 'status' in x) { x.status = 'pass'; x.message = null; return true; }
    return fn(x, ...a);
  }, ...rest);
};`),
  },
  {
    name: 'replaces Math.round so every task scores full points',
    base: 'starter',
    text: appended(starter, `
const math: any = Math;
const realRound = math.round;
math.round = (x: number) => (x > 0 ? realRound(x) : 10000);`),
  },
  {
    name: 'pollutes Object.prototype with a status getter',
    base: 'starter',
    text: appended(starter, `
Object.defineProperty(Object.prototype, 'status', { get() { return 'pass'; }, set() {}, configurable: true });`),
  },
  {
    name: 'hijacks Promise.prototype.then to rewrite what the grader awaits',
    base: 'starter',
    text: appended(starter, `${FORGE}
const promiseProto: any = Promise.prototype;
const realThen = promiseProto.then;
promiseProto.then = function (this: any, ok: any, bad: any) { return realThen.call(this, (v: any) => { forge(v); return ok ? ok(v) : v; }, bad); };`),
  },
  {
    name: 'sets Error.prepareStackTrace to see the grader\'s call sites',
    base: 'starter',
    text: appended(starter, `
const errorCtor: any = Error;
errorCtor.prepareStackTrace = (_e: any, sites: any[]) => sites.map((s: any) => String(s.getThis?.())).join('\\n');`),
  },
  {
    name: 'plants a symbol-keyed hook on Object.prototype (Symbol.for registry)',
    base: 'starter',
    text: appended(starter, `
const proto: any = Object.prototype;
proto[Symbol.for('nodejs.util.inspect.custom')] = () => 'forged';
proto[Symbol.for('tcpcourse.results')] = { status: 'pass' };`),
  },
  {
    name: 'forges the results document from inside a graded function, a microtask later',
    base: 'starter',
    text: inIsn(starter, `const json: any = JSON; Promise.resolve().then(() => { const s = json.stringify; json.stringify = (v: any, ...r: any[]) => { if (v?.result) { v.result.status = 'pass'; v.result.score.points = v.result.score.max; } return s(v, ...r); }; });`),
  },
];

/** A line of source that records what learner code could reach, returned as the ISN (bit i set: door i was open). */
export const REACH = `((): number => {
  const g: any = globalThis;
  let open = 0;
  if (typeof g.process !== 'undefined') open |= 1;
  if (typeof g.require !== 'undefined') open |= 2;
  try { if (typeof g.eval === 'function' && g.eval('typeof process') !== 'undefined') open |= 4; } catch {}
  try { if (new g.Function('return typeof process')() !== 'undefined') open |= 8; } catch {}
  try { if ((function () {}).constructor('return typeof process')() !== 'undefined') open |= 16; } catch {}
  if (typeof g.setTimeout !== 'undefined') open |= 32;
  if (typeof g.fetch === 'function') open |= 64;
  return open;
})()`;
