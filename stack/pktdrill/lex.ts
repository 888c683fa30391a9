/**
 * The packetdrill lexer. packetdrill's language is free-form: newlines are whitespace like any
 * other, so an event may span lines and tokens, not lines, are the unit. The token rules follow
 * google/packetdrill `lexer.l`, including flex's way of choosing between them: the longest match
 * wins, and on a tie the rule listed first. That is why `0.100` is a number but `192.0.2.1` an
 * address, `8080` a number but `1000abc` a word, and `+.1...0.200` reads as `+`, `.1`, `...`,
 * `0.200`.
 */

export class PdSyntaxError extends Error {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, counted in characters (a tab is one column). */
  readonly column: number;
  /** The message without the "file:line:column: " prefix. */
  readonly reason: string;

  constructor(file: string, line: number, column: number, reason: string) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'PdSyntaxError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

export type TokenKind =
  | 'ellipsis'
  | 'option'
  | 'float'
  | 'integer'
  | 'hex'
  | 'word'
  | 'string'
  | 'backquote'
  | 'punct'
  | 'code'
  | 'ipv4'
  | 'ipv6'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Offsets into the script text: [start, end). */
  start: number;
  end: number;
  line: number;
  column: number;
  /** For 'option' tokens: the name after "--" and the value after "=", if any. */
  optionName?: string;
  optionValue?: string;
}

/** Rules in lexer.l order; the order breaks ties between matches of equal length. */
const RULES: Array<[TokenKind, RegExp]> = [
  ['ellipsis', /\.\.\./y],
  ['option', /--[a-zA-Z0-9_]+/y],
  ['float', /-?[0-9]*\.[0-9]+/y],
  ['integer', /-?[0-9]+/y],
  ['hex', /0x[0-9a-fA-F]+/y],
  ['word', /[a-zA-Z0-9_]+/y],
  ['string', /"(?:\\[\s\S]|[^"\\])*"/y],
  ['backquote', /`(?:\\[\s\S]|[^`\\])*`/y],
  ['punct', /[^\s]/y],
  ['code', /%\{[\s\S]*?\}%/y],
  ['ipv4', /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/y],
  // Filtered below: an IPv6 address needs "::" or all eight groups, which keeps sequence ranges
  // such as "1:1001" from reading as addresses (the reason lexer.l spells out twelve forms). The
  // regex may not end in a lone ':', so "2001:db8::2:" (an encapsulation header) stops before it.
  ['ipv6', /(?:[0-9a-fA-F]{0,4}:){1,7}(?:[0-9]+(?:\.[0-9]+){3}|[0-9a-fA-F]{1,4}|:)/y],
];

/** Characters that end an unquoted `--name=value` option value. */
const OPTION_VALUE_END = /[\s]/;

export function tokenize(text: string, file: string): Token[] {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const position = (offset: number): { line: number; column: number } => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };
  const fail = (offset: number, reason: string): never => {
    const { line, column } = position(offset);
    throw new PdSyntaxError(file, line, column, reason);
  };

  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    pos = skipSpaceAndComments(text, pos, fail);
    if (pos >= text.length) break;

    let best: TokenKind | undefined;
    let bestLen = 0;
    for (const [kind, re] of RULES) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m) continue;
      const len = m[0].length;
      if (kind === 'ipv6' && !isIpv6(m[0])) continue;
      if (len > bestLen) {
        best = kind;
        bestLen = len;
      }
    }
    if (best === undefined) break; // unreachable: 'punct' matches any non-space character
    if (best === 'punct') checkUnterminated(text, pos, fail);

    let end = pos + bestLen;
    const tok: Token = { kind: best, text: '', start: pos, end, ...position(pos) };
    if (best === 'option') {
      tok.optionName = text.slice(pos + 2, end);
      if (text[end] === '=') {
        const value = readOptionValue(text, end + 1);
        if (value.raw === '') fail(end, `option --${tok.optionName} has '=' but no value`);
        tok.optionValue = value.value;
        end = value.end;
      } else if (/[ \t]*=/.test(text.slice(end, end + 8))) {
        fail(end, `write header options as --${tok.optionName}=value, without spaces around '='`);
      }
    }
    tok.end = end;
    tok.text = text.slice(pos, end);
    tokens.push(tok);
    pos = end;
  }
  tokens.push({ kind: 'eof', text: '', start: text.length, end: text.length, ...position(text.length) });
  return tokens;
}

function skipSpaceAndComments(text: string, pos: number, fail: (offset: number, reason: string) => never): number {
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
    if (text.startsWith('//', pos)) {
      const nl = text.indexOf('\n', pos);
      pos = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', pos)) {
      const close = text.indexOf('*/', pos + 2);
      if (close < 0) fail(pos, "unterminated /* comment: no closing '*/'");
      pos = close + 2;
    } else {
      return pos;
    }
  }
}

/** A quote or block opener that fell back to a one-character token was never closed. */
function checkUnterminated(text: string, pos: number, fail: (offset: number, reason: string) => never): void {
  const c = text[pos];
  if (c === '"') fail(pos, 'unterminated string: no closing \'"\'');
  if (c === '`') fail(pos, 'unterminated shell command: no closing \'`\'');
  if (c === '%' && text[pos + 1] === '{') fail(pos, "unterminated code block: no closing '}%'");
}

function isIpv6(s: string): boolean {
  return s.includes('::') || (s.match(/:/g) ?? []).length === 7;
}

/**
 * The value of `--name=value`: up to the next whitespace, where quoted parts may hold spaces
 * (`--define=CC="new reno"`). A value that is one quoted string loses its quotes.
 */
function readOptionValue(text: string, pos: number): { raw: string; value: string; end: number } {
  let end = pos;
  while (end < text.length && !OPTION_VALUE_END.test(text[end])) {
    const c = text[end];
    if (c === '"' || c === '`') {
      const close = text.indexOf(c, end + 1);
      end = close < 0 ? text.length : close + 1;
    } else if (text.startsWith('//', end) || text.startsWith('/*', end)) {
      break;
    } else {
      end++;
    }
  }
  const raw = text.slice(pos, end);
  const quoted = /^"([^"]*)"$/.exec(raw);
  return { raw, value: quoted ? quoted[1] : raw, end };
}
