/**
 * Seeded fault rules: "drop the first FIN from client", "delay every ACK from client by 300 ms".
 * A rule names the segments it affects by sender, receiver, packetdrill flags, payload and a
 * virtual-time window, and counts them, so "#2 x3" means the 2nd, 3rd and 4th matching segments the
 * sender put on the wire. The chapters' experiments, the labs and `npm run sim -- --fault` all
 * write rules in the one-line grammar below.
 */
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../wire/segment.ts';
import { flagBit } from '../wire/format.ts';

export type FaultAction = 'drop' | 'duplicate' | 'corrupt' | { delay: number };

export interface FaultRuleSpec {
  /** Host names. */
  from?: string;
  to?: string;
  /** packetdrill flags that must all be set: "F", "S.", "R", "." (ACK), "P"; "-" means none. */
  flags?: string;
  /** The flags must match exactly (no other flag set). */
  exact?: boolean;
  /** true: only segments with payload; false: only segments without. */
  data?: boolean;
  /** First matching segment affected (1-based, default 1). */
  nth?: number;
  /** How many from the nth on (default 1; Infinity = all). */
  count?: number;
  /** Virtual-time window in ms: after ≤ t < before. */
  after?: number;
  before?: number;
  action: FaultAction;
  /** Shown in traces, e.g. "drop the first FIN from client". */
  label?: string;
}

export const FAULT_RULE_GRAMMAR =
  '<action> <flags>[+data|-data] [from <host>] [to <host>] [#<nth>] [x<count>|x*] [after <ms>] [before <ms>]\n' +
  '  action: drop | dup | corrupt | delay=<ms>\n' +
  '  flags:  packetdrill flags that must all be set (S F R P . E W U), "=" in front for an exact match,\n' +
  '          "-" for a segment with no flags, or "any"\n' +
  '  times:  milliseconds of virtual time; "1.5s" is also accepted\n' +
  '  e.g.    drop F from client | drop S. from server #1 x2 | delay=300 . from client x* | drop any from server after 1000 x*';

/** Parses packetdrill flags ("S.", "F", "-") into a bitmask; throws on anything else. */
export function parsePacketdrillFlags(text: string): number {
  if (text === '-') return 0;
  if (text.length === 0) throw new Error('empty flags: use packetdrill flags such as "S.", "F", "." or "any"');
  let mask = 0;
  for (const ch of text) {
    const bit = flagBit(ch);
    if (bit === undefined) {
      throw new Error(`flags "${text}": "${ch}" is not a packetdrill flag (S F R P . E W U, or "-" alone for none)`);
    }
    if (mask & bit) throw new Error(`flags "${text}": "${ch}" appears twice`);
    mask |= bit;
  }
  return mask;
}

/** A rule checked and ready to match segments; its counter lives here. */
export class FaultRule {
  readonly spec: FaultRuleSpec;
  readonly description: string;
  private readonly mask: number;
  private readonly exact: boolean;
  private readonly nth: number;
  private readonly last: number;
  private readonly after: number;
  private readonly before: number;
  /** Matching segments seen so far. */
  matched = 0;
  /** Segments the action was applied to. */
  applied = 0;

  constructor(spec: FaultRuleSpec) {
    const where = `fault rule ${JSON.stringify(spec)}`;
    checkAction(spec.action, where);
    this.mask = spec.flags === undefined ? 0 : withContext(where, () => parsePacketdrillFlags(spec.flags!));
    // "-" can only mean "no flags at all"; as a must-be-set mask it would match everything.
    this.exact = spec.exact === true || spec.flags === '-';
    const nth = spec.nth ?? 1;
    const count = spec.count ?? 1;
    if (!Number.isInteger(nth) || nth < 1) throw new Error(`${where}: nth must be an integer ≥ 1, got ${nth}`);
    if (!(count === Infinity || (Number.isInteger(count) && count >= 1))) {
      throw new Error(`${where}: count must be an integer ≥ 1 or Infinity, got ${count}`);
    }
    this.nth = nth;
    this.last = nth + count - 1;
    this.after = checkTime(spec.after, 0, 'after', where);
    this.before = checkTime(spec.before, Infinity, 'before', where);
    if (this.after >= this.before) {
      throw new Error(`${where}: the window "after ${this.after} before ${this.before}" is empty`);
    }
    this.spec = { ...spec };
    this.description = spec.label ?? describeFaultRule(spec);
  }

  /**
   * Counts the segment if it matches; true when the action applies to it. Call once per segment
   * sent, in send order.
   */
  match(from: string, to: string, flags: number, payloadLength: number, now: number): boolean {
    const s = this.spec;
    if (s.from !== undefined && s.from !== from) return false;
    if (s.to !== undefined && s.to !== to) return false;
    if (this.exact ? (flags & 0xff) !== this.mask : (flags & this.mask) !== this.mask) return false;
    if (s.data !== undefined && s.data !== payloadLength > 0) return false;
    if (now < this.after || now >= this.before) return false;
    this.matched++;
    if (this.matched < this.nth || this.matched > this.last) return false;
    this.applied++;
    return true;
  }
}

function withContext<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

function checkAction(action: FaultAction, where: string): void {
  if (action === 'drop' || action === 'duplicate' || action === 'corrupt') return;
  if (typeof action === 'object' && action !== null && typeof action.delay === 'number') {
    if (!(Number.isFinite(action.delay) && action.delay >= 0)) {
      throw new Error(`${where}: delay must be a finite number of ms ≥ 0, got ${action.delay}`);
    }
    return;
  }
  throw new Error(`${where}: action must be 'drop', 'duplicate', 'corrupt' or {delay: ms}`);
}

function checkTime(value: number | undefined, fallback: number, name: string, where: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new Error(`${where}: ${name} must be a time in ms ≥ 0, got ${value}`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// The one-line grammar
// ---------------------------------------------------------------------------------------------

/** Parses `drop S. from server #1 x2` and friends; a malformed rule throws with the grammar. */
export function parseFaultRule(text: string): FaultRuleSpec {
  const tokens = text.trim().split(/\s+/).filter((t) => t.length > 0);
  const fail = (message: string): never => {
    throw new Error(`bad fault rule "${text.trim()}": ${message}\nexpected: ${FAULT_RULE_GRAMMAR}`);
  };
  if (tokens.length === 0) fail('the rule is empty');

  const spec: Partial<FaultRuleSpec> = {};
  const actionToken = tokens[0];
  if (actionToken === 'drop') spec.action = 'drop';
  else if (actionToken === 'dup' || actionToken === 'duplicate') spec.action = 'duplicate';
  else if (actionToken === 'corrupt') spec.action = 'corrupt';
  else if (actionToken.startsWith('delay=')) {
    const ms = parseMs(actionToken.slice('delay='.length));
    if (ms === undefined) fail(`"${actionToken}": the delay must be a number of ms, e.g. delay=300`);
    spec.action = { delay: ms! };
  } else fail(`"${actionToken}" is not an action (drop, dup, corrupt, delay=<ms>)`);

  if (tokens.length < 2) fail('the flags are missing (packetdrill flags such as F, S., . or "any")');
  if (isKeyword(tokens[1])) fail(`"${tokens[1]}" where the flags belong (packetdrill flags such as F, S., . or "any")`);
  let flagsToken = tokens[1];
  let i = 2;
  const dataSuffix = /^(.*?)([+-])data$/.exec(flagsToken);
  if (dataSuffix && dataSuffix[1] !== '') {
    flagsToken = dataSuffix[1];
    spec.data = dataSuffix[2] === '+';
  } else if (tokens[i] === '+data' || tokens[i] === '-data') {
    spec.data = tokens[i] === '+data';
    i++;
  }
  if (flagsToken !== 'any') {
    let flags = flagsToken;
    if (flags.startsWith('=')) {
      spec.exact = true;
      flags = flags.slice(1);
    }
    try {
      parsePacketdrillFlags(flags);
    } catch (e) {
      fail(`"${tokens[1]}": ${(e as Error).message}`);
    }
    spec.flags = flags;
  }

  const seen = new Set<string>();
  const once = (what: string, token: string) => {
    if (seen.has(what)) fail(`"${token}": ${what} is given twice`);
    seen.add(what);
  };
  const hostAfter = (keyword: string): string => {
    const host = tokens[i + 1];
    if (host === undefined || isKeyword(host)) fail(`"${keyword}" must be followed by a host name`);
    return host!;
  };
  const timeAfter = (keyword: string): number => {
    const token = tokens[i + 1];
    const ms = token === undefined ? undefined : parseMs(token);
    if (ms === undefined) fail(`"${keyword}${token === undefined ? '' : ' ' + token}": expected a time in ms after "${keyword}"`);
    return ms!;
  };
  while (i < tokens.length) {
    const token = tokens[i];
    if (token === 'from' || token === 'to') {
      once(token, token);
      spec[token] = hostAfter(token);
      i += 2;
    } else if (token === 'after' || token === 'before') {
      once(token, token);
      spec[token] = timeAfter(token);
      i += 2;
    } else if (token.startsWith('#')) {
      once('#<nth>', token);
      const n = Number(token.slice(1));
      if (!/^#[0-9]+$/.test(token) || n < 1) fail(`"${token}": the nth must be a whole number ≥ 1, e.g. #2`);
      spec.nth = n;
      i++;
    } else if (token === 'x*') {
      once('x<count>', token);
      spec.count = Infinity;
      i++;
    } else if (/^x[0-9]+$/.test(token)) {
      once('x<count>', token);
      const n = Number(token.slice(1));
      if (n < 1) fail(`"${token}": the count must be ≥ 1, or x* for every matching segment`);
      spec.count = n;
      i++;
    } else {
      fail(`unexpected "${token}"`);
    }
  }
  if (spec.after !== undefined && spec.before !== undefined && spec.after >= spec.before) {
    fail(`"after ${spec.after} before ${spec.before}" is an empty window`);
  }
  return spec as FaultRuleSpec;
}

function isKeyword(token: string): boolean {
  return token === 'from' || token === 'to' || token === 'after' || token === 'before' || token.startsWith('#') || /^x(\*|[0-9]+)$/.test(token);
}

/** "300", "300ms", "1.5s" → ms; undefined when it is not a time ≥ 0. */
function parseMs(token: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s)?$/.exec(token);
  if (!m) return undefined;
  const value = Number(m[1]);
  return m[2] === 's' ? value * 1000 : value;
}

// ---------------------------------------------------------------------------------------------
// English
// ---------------------------------------------------------------------------------------------

const FLAG_NAMES: Array<[number, string]> = [
  [SYN, 'SYN'],
  [FIN, 'FIN'],
  [RST, 'RST'],
  [PSH, 'PSH'],
  [URG, 'URG'],
  [ECE, 'ECE'],
  [CWR, 'CWR'],
  [ACK, 'ACK'],
];

/** "drop the 1st FIN from client", "delay every ACK from client by 300 ms". */
export function describeFaultRule(rule: FaultRuleSpec): string {
  const mask = rule.flags === undefined ? 0 : parsePacketdrillFlags(rule.flags);
  const exact = rule.exact === true || rule.flags === '-';
  let noun: string;
  let qualifier = '';
  if (rule.flags === undefined) noun = 'segment';
  else if (mask === 0) noun = 'segment with no flags';
  else {
    noun = FLAG_NAMES.filter(([bit]) => mask & bit)
      .map(([, name]) => name)
      .join('-');
    if (exact) qualifier = ` (flags exactly ${rule.flags})`;
  }
  if (rule.data === true) qualifier += ' carrying data';
  else if (rule.data === false) qualifier += ' without data';
  const plural = noun === 'segment with no flags' ? 'segments with no flags' : `${noun}s`;

  const nth = rule.nth ?? 1;
  const count = rule.count ?? 1;
  let which: string;
  let tail = '';
  if (count === Infinity) {
    which = `every ${noun}${qualifier}`;
    if (nth > 1) tail = `, starting with the ${ordinal(nth)}`;
  } else if (count === 1) which = `the ${ordinal(nth)} ${noun}${qualifier}`;
  else if (count === 2) which = `the ${ordinal(nth)} and ${ordinal(nth + 1)} ${plural}${qualifier}`;
  else which = `the ${ordinal(nth)} to ${ordinal(nth + count - 1)} ${plural}${qualifier}`;

  let where = '';
  if (rule.from !== undefined) where += ` from ${rule.from}`;
  if (rule.to !== undefined) where += ` to ${rule.to}`;

  let when = '';
  if (rule.after !== undefined && rule.before !== undefined) when = ` between ${rule.after} and ${rule.before} ms`;
  else if (rule.after !== undefined) when = ` after ${rule.after} ms`;
  else if (rule.before !== undefined) when = ` before ${rule.before} ms`;

  const action = rule.action;
  if (typeof action === 'object') return `delay ${which}${where}${when} by ${action.delay} ms${tail}`;
  return `${action} ${which}${where}${when}${tail}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}
