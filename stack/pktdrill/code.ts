/**
 * `%{ ... }%` blocks. In packetdrill they hold Python that runs after the script, against a
 * TCP_INFO snapshot taken when the block's event is reached (`code.c`). We do not embed Python:
 * we understand the one form the scripts we care about use, `assert tcpi_<field> <op> <value>`
 * (or `assert (tcpi_options & TCPI_OPT_SACK) != 0`, Python's chained range
 * `assert 990 <= tcpi_last_data_recv <= 1010`, or the constant first: `assert 0 == tcpi_rwnd_limited`), several per block separated by newlines or
 * ';' with backslash continuations, each with an optional message string or tcpi_ field to print,
 * and flag anything else so that a runner skips the block instead of
 * pretending to have checked it.
 */
import type { PdAssert, PdAssertOp, PdCode } from './ast.ts';

const ASSERT =
  /^assert\s+(?:(tcpi_[A-Za-z0-9_]+)|\(\s*(tcpi_[A-Za-z0-9_]+)\s*&\s*(0x[0-9a-fA-F]+|[0-9]+|[A-Z_][A-Z0-9_]*)\s*\))\s*(==|!=|<=|>=|<|>)\s*(-?(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?)|[A-Za-z_][A-Za-z0-9_]*)\s*(?:,\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|tcpi_[A-Za-z0-9_]+|(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*%\s*tcpi_[A-Za-z0-9_]+))?$/;

/** `assert <number> <op> tcpi_<field> <op> <number>`: Python's chained comparison, a range. */
const RANGE =
  /^assert\s+(-?(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?))\s*(<=|<|>=|>)\s*(tcpi_[A-Za-z0-9_]+)\s*(<=|<|>=|>)\s*(-?(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?))\s*(?:,\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|tcpi_[A-Za-z0-9_]+|(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*%\s*tcpi_[A-Za-z0-9_]+))?$/;

/** `assert <number> <op> tcpi_<field>`: the constant on the left (`assert 0 == tcpi_rwnd_limited`). */
const REVERSED =
  /^assert\s+(-?(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?))\s*(==|!=|<=|>=|<|>)\s*(tcpi_[A-Za-z0-9_]+)\s*(?:,\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|tcpi_[A-Za-z0-9_]+|(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*%\s*tcpi_[A-Za-z0-9_]+))?$/;

/** `a <= x` read from x's side: `x >= a`. */
const FLIPPED: Record<string, PdAssertOp> = { '<=': '>=', '<': '>', '>=': '<=', '>': '<', '==': '==', '!=': '!=' };

export function parseCodeBlock(text: string): PdCode {
  const asserts: PdAssert[] = [];
  for (const statement of statements(text)) {
    const range = RANGE.exec(statement);
    if (range) {
      // `a <= x <= b` is `a <= x and x <= b`: two asserts on the same field.
      const [, low, lowOp, field, highOp, high, rawMessage] = range;
      const note = messageOf(rawMessage);
      asserts.push({ field, op: FLIPPED[lowOp], value: parseNumber(low), ...note }, { field, op: highOp as PdAssertOp, value: parseNumber(high), ...note });
      continue;
    }
    const reversed = REVERSED.exec(statement);
    if (reversed) {
      const [, value, op, field, rawMessage] = reversed;
      asserts.push({ field, op: FLIPPED[op], value: parseNumber(value), ...messageOf(rawMessage) });
      continue;
    }
    const m = ASSERT.exec(statement);
    // A value naming another tcpi_ field compares two fields; a runner would mistake it for a
    // constant such as TCPI_CLOSING.
    if (!m || m[5].startsWith('tcpi_')) return { kind: 'code', text, asserts: [], unsupported: 'Python code' };
    const [, plain, masked, rawMask, op, rawValue, rawMessage] = m;
    const field = plain ?? masked;
    const value = /^-?(0x|[0-9])/.test(rawValue) ? parseNumber(rawValue) : rawValue;
    const a: PdAssert = { field, op: op as PdAssertOp, value };
    if (rawMask !== undefined) a.mask = /^(0x|[0-9])/.test(rawMask) ? parseNumber(rawMask) : rawMask;
    asserts.push({ ...a, ...messageOf(rawMessage) });
  }
  return { kind: 'code', text, asserts };
}

/**
 * What an assert prints on failure: "assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd" is the common
 * Python idiom for printing the actual value, and "…, 'cwnd=%d' % tcpi_snd_cwnd" its formatted
 * form (the field is shown; the format is not applied); otherwise a plain string.
 */
function messageOf(raw: string | undefined): Pick<PdAssert, 'show' | 'message'> {
  if (raw === undefined) return {};
  if (raw.startsWith('tcpi_')) return { show: raw };
  const formatted = /%\s*(tcpi_[A-Za-z0-9_]+)$/.exec(raw);
  if (formatted && !/^(["'])(?:[^\\]|\\.)*\1$/.test(raw)) return { show: formatted[1] };
  return { message: unquote(raw) };
}

/** Python statements: one per line or separated by ';', with blank lines and # comments dropped. */
function statements(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  const flush = (): void => {
    const s = current.trim();
    if (s !== '') out.push(s);
    current = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      current += c;
      if (c === '\\' && i + 1 < text.length) current += text[++i];
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === '\\' && (text[i + 1] === '\n' || i + 1 === text.length)) {
      // A backslash-newline continues the statement on the next line; one that ends the block
      // (`...;\` then `}%`, upstream tcp-info-rwnd-limited) continues into nothing.
      i++;
    } else if (c === '#') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '\n' || c === ';') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return out;
}

function parseNumber(s: string): number {
  const negative = s.startsWith('-');
  const body = negative ? s.slice(1) : s;
  const n = body.startsWith('0x') ? parseInt(body.slice(2), 16) : Number(body);
  return negative ? -n : n;
}

function unquote(s: string): string {
  return s.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}
