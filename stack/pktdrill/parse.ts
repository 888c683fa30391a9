/**
 * A parser for packetdrill scripts (`.pkt`). It accepts what google/packetdrill's `parser.y`
 * accepts and applies the same semantic checks packetdrill makes while parsing (window mandatory
 * on inbound packets, `*` and time ranges only on outbound packets, `<...>` only outbound,
 * seq:end(len) consistent, field ranges, TCP options padded to 4 bytes), so a script that passes
 * here also parses under real packetdrill. What our simulated stack cannot reproduce (ECN, TFO,
 * MD5, udp/icmp, encapsulation, Python) still parses and is flagged `unsupported`, so a runner
 * can skip it with a reason instead of failing the whole file.
 *
 * Pure TypeScript without Node APIs: it runs in the browser worker as well as under the CLI.
 */
import type {
  PdAction,
  PdEvent,
  PdExpr,
  PdOption,
  PdPacket,
  PdScript,
  PdSyscall,
  PdTcpOption,
  PdTime,
  PdUntimedCommand,
} from './ast.ts';
import { parseCodeBlock } from './code.ts';
import { PdSyntaxError, tokenize, type Token } from './lex.ts';

export type * from './ast.ts';
export { PdSyntaxError } from './lex.ts';

/** Parses a whole script; throws PdSyntaxError (with file, line and column) on the first error. */
export function parseScript(text: string, file = '<script>'): PdScript {
  // CRLF files would otherwise leave '\r' in shell commands and code blocks.
  return new ScriptParser(text.replace(/\r\n/g, '\n'), file).script();
}

const U16 = 0xffff;
const U32 = 0xffffffff;

/** `tcp_packet.c: valid_tcp_flags`: '.' is ACK; 0-7 give the AccECN ACE counter directly. */
const VALID_TCP_FLAGS = '.FSRPEWAU01234567';

/** Words that open an encapsulation header before the flags (`> ipv4 a > b: S ...`, gre, mpls). */
const ENCAPSULATIONS: Record<string, string> = {
  ipv4: 'IPv4 encapsulation',
  ipv6: 'IPv6 encapsulation',
  gre: 'GRE encapsulation',
  GREv0: 'GRE encapsulation',
  mpls: 'MPLS encapsulation',
};

const UNSUPPORTED_TCP_OPTIONS: Record<string, string> = {
  FO: 'TCP Fast Open option (FO)',
  FOEXP: 'experimental TCP Fast Open option (FOEXP)',
  md5: 'TCP MD5 signature option (md5)',
};

/** Bytes each option takes on the wire (RFC 9293 §3.2, RFC 7323, RFC 2018). */
function optionBytes(o: PdTcpOption): number {
  switch (o.kind) {
    case 'nop':
    case 'eol':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sackOK':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'ts':
      return 10;
    case 'unsupported':
      return NaN;
  }
}

/** A packet line before its fields are parsed: no flags, no sequence numbers, no options. */
function blankPacket(direction: 'in' | 'out', protocol: PdPacket['protocol']): PdPacket {
  return { kind: 'packet', direction, protocol, flags: '', seqStart: 0, seqEnd: 0, len: 0, options: undefined };
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the script';
  const text = t.text.length > 40 ? `${t.text.slice(0, 37)}...` : t.text;
  return `'${text.replace(/\n/g, '\\n')}'`;
}

class ScriptParser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.tokens = tokenize(text, file);
  }

  script(): PdScript {
    const optionList: PdOption[] = [];
    const options: Record<string, string> = {};
    while (this.peek().kind === 'option') {
      const t = this.next();
      const name = t.optionName ?? '';
      const opt: PdOption = { line: t.line, name };
      if (t.optionValue !== undefined) opt.value = t.optionValue;
      optionList.push(opt);
      options[name] = t.optionValue ?? '';
    }

    let init: PdUntimedCommand | undefined;
    if (this.peek().kind === 'backquote') init = this.untimedCommand();

    const events: PdEvent[] = [];
    let cleanup: PdUntimedCommand | undefined;
    while (this.peek().kind !== 'eof') {
      const t = this.peek();
      if (t.kind === 'option') {
        this.fail(t, `header option ${describe(t)} must come before the first event and before any shell command`);
      }
      if (t.kind === 'backquote') {
        cleanup = this.untimedCommand();
        if (this.peek().kind !== 'eof') {
          this.fail(
            t,
            'a shell command without a time may only be the first or the last statement of a script; ' +
              'give it a time, e.g. +0 `...`',
          );
        }
        break;
      }
      events.push(this.event());
    }
    if (events.length === 0) {
      this.fail(this.peek(), 'a script needs at least one event (a line starting with a time such as 0 or +0)');
    }

    const script: PdScript = { file: this.file, options, optionList, events };
    if (init) script.init = init;
    if (cleanup) script.cleanup = cleanup;
    return script;
  }

  // ---- events -------------------------------------------------------------------------------

  private event(): PdEvent {
    const first = this.peek();
    const time = this.eventTime();
    let end: PdTime | undefined;
    let action: PdAction;

    const t = this.peek();
    if (t.kind === 'ellipsis') {
      this.next();
      end = this.endTime(first, time);
      const name = this.peek();
      if (name.kind !== 'word') {
        this.fail(name, `expected a system call after the end time of a blocking call, found ${describe(name)}`);
      }
      action = this.syscall();
    } else if (this.isPunct('<') || this.isPunct('>')) {
      action = this.packet();
    } else if (t.kind === 'word') {
      action = this.syscall();
    } else if (t.kind === 'backquote') {
      this.next();
      action = { kind: 'shell', command: t.text.slice(1, -1) };
    } else if (t.kind === 'code') {
      this.next();
      action = parseCodeBlock(t.text.slice(2, -2).trim());
    } else {
      this.fail(
        t,
        `expected a packet ('<' or '>'), a system call, a \`shell command\` or a %{ code }% block after the time, found ${describe(t)}`,
      );
    }

    // parser.y rejects these after building the event: a script can only inject packets and
    // make calls at definite times; only the stack's own output may be loosely timed.
    const outbound = action.kind === 'packet' && action.direction === 'out';
    if (time.kind === 'any' && !outbound) {
      this.fail(first, "the time '*' can only be used on outbound packets ('>')");
    }
    if (time.kind === 'range' && !outbound) {
      this.fail(first, "a time range (a~b) can only be used on outbound packets ('>')");
    }

    const last = this.tokens[this.i - 1];
    const event: PdEvent = { line: first.line, text: this.text.slice(first.start, last.end), time, action };
    if (end) event.end = end;
    return event;
  }

  private eventTime(): PdTime {
    const t = this.peek();
    if (this.isPunct('*')) {
      this.next();
      return { kind: 'any' };
    }
    if (this.isPunct('+')) {
      this.next();
      const lo = this.seconds('a relative time');
      if (!this.isPunct('~')) return { kind: 'relative', usecs: lo };
      const tilde = this.next();
      if (!this.isPunct('+')) this.fail(this.peek(), this.mixedRangeMessage());
      this.next();
      const hi = this.seconds('the end of a time range');
      if (hi < lo) this.fail(tilde, `time range is backwards: it ends (${hi} us) before it starts (${lo} us)`);
      return { kind: 'range', lo: { kind: 'relative', usecs: lo }, hi: { kind: 'relative', usecs: hi } };
    }
    if (t.kind === 'integer' || t.kind === 'float') {
      const lo = this.seconds('an absolute time');
      if (!this.isPunct('~')) return { kind: 'absolute', usecs: lo };
      const tilde = this.next();
      if (this.isPunct('+')) this.fail(this.peek(), this.mixedRangeMessage());
      const hi = this.seconds('the end of a time range');
      if (hi < lo) this.fail(tilde, `time range is backwards: it ends (${hi} us) before it starts (${lo} us)`);
      return { kind: 'range', lo: { kind: 'absolute', usecs: lo }, hi: { kind: 'absolute', usecs: hi } };
    }
    if (this.isPunct('#')) {
      // FreeBSD's suite wraps IPv4/IPv6 variants in #ifdef; the language itself has no such lines.
      this.fail(t, "preprocessor lines such as '#ifdef' are not part of the packetdrill language: expand them before parsing");
    }
    return this.fail(t, `expected an event time (such as 0, 0.100, +.1, * or +.3~+.4), found ${describe(t)}`);
  }

  private mixedRangeMessage(): string {
    return "both ends of a time range must be relative ('+.3~+.4') or both absolute ('0.3~0.4')";
  }

  private endTime(first: Token, start: PdTime): PdTime {
    const t = this.peek();
    if (start.kind !== 'relative' && start.kind !== 'absolute') {
      this.fail(first, 'a blocking system call needs a definite start time, not * or a range');
    }
    if (this.isPunct('+')) {
      this.fail(
        t,
        "write the end time of a blocking call without '+' (as in +.1...0.200): packetdrill measures it from the same point as the start time",
      );
    }
    const usecs = this.seconds('the end time of a blocking call');
    if (usecs < start.usecs) {
      this.fail(t, `a blocking call cannot return (${usecs} us) before it starts (${start.usecs} us)`);
    }
    return { kind: start.kind, usecs };
  }

  /**
   * Seconds as written to integer microseconds, read digit by digit: packetdrill computes
   * `(s64)(x * 1.0e6)` on a double, which can lose a microsecond (4.35 s gives 4349999 us).
   * Digits beyond the sixth decimal are dropped, as that truncation does.
   */
  private seconds(what: string): number {
    const t = this.peek();
    if (t.kind !== 'integer' && t.kind !== 'float') {
      this.fail(t, `expected a number of seconds for ${what}, found ${describe(t)}`);
    }
    if (t.text.startsWith('-')) this.fail(t, `negative time ${describe(t)}`);
    this.next();
    const [whole, frac = ''] = t.text.split('.');
    const usecs = Number(whole || '0') * 1_000_000 + Number((frac + '000000').slice(0, 6));
    if (!Number.isSafeInteger(usecs)) this.fail(t, `time ${describe(t)} is too large`);
    return usecs;
  }

  private untimedCommand(): PdUntimedCommand {
    const t = this.next();
    return { line: t.line, text: t.text, command: t.text.slice(1, -1) };
  }

  // ---- packets ------------------------------------------------------------------------------

  private packet(): PdPacket {
    const dirTok = this.next();
    const direction = dirTok.text === '<' ? 'in' : 'out';
    const unsupported: string[] = [];

    while (this.peek().kind === 'word' && ENCAPSULATIONS[this.peek().text] !== undefined) {
      const start = this.next();
      while (!this.isPunct(':')) {
        if (this.peek().kind === 'eof') this.fail(start, `expected ':' to end the ${start.text} encapsulation header`);
        this.skipBalanced();
      }
      const colon = this.next();
      unsupported.push(`${ENCAPSULATIONS[start.text]} (${this.text.slice(start.start, colon.end)})`);
    }

    let tos: number | undefined;
    if (this.isPunct('[') || this.isPunct('(')) {
      const info = this.balancedText();
      // parser.y tos_spec `tos 0x..`: the whole TOS byte (IP_TOS); ECN codepoints stay unsupported.
      const t = /^[([]\s*tos\s+0x([0-9a-fA-F]{1,2})\s*[)\]]$/.exec(info);
      if (t) tos = parseInt(t[1], 16);
      else unsupported.push(/ect|\bce\b|noecn/.test(info) ? `ECN codepoint ${info}` : `IP header field check ${info}`);
    }

    if (this.isWord('udp')) return this.udpPacket(direction, unsupported);
    if (this.isWord('icmp')) return this.icmpPacket(direction, unsupported);

    const packet = blankPacket(direction, 'tcp');
    if (tos !== undefined) packet.tos = tos;
    this.ports(packet);
    packet.flags = this.tcpFlags(unsupported);

    const seqTok = this.peek();
    packet.seqStart = this.integer('a start sequence number (seq:end(len))', U32);
    this.expectPunct(':', 'between the start and end sequence numbers (seq:end(len))');
    packet.seqEnd = this.integer('an end sequence number (seq:end(len))', U32);
    this.expectPunct('(', 'before the payload length (seq:end(len))');
    packet.len = this.integer('a payload length (seq:end(len))', U16);
    this.expectPunct(')', 'after the payload length (seq:end(len))');
    if (packet.seqEnd !== packet.seqStart + packet.len) {
      this.fail(
        seqTok,
        `inconsistent sequence numbers: ${packet.seqStart}:${packet.seqEnd} spans ${packet.seqEnd - packet.seqStart} ` +
          `but the payload length is ${packet.len}`,
      );
    }

    // parser.y fixes the order: ack, win, urg, then the option list.
    if (this.isWord('ack')) {
      this.next();
      packet.ack = this.integer('an ack number', U32);
    }
    if (this.isWord('win')) {
      this.next();
      packet.win = this.integer('a window', U16);
    }
    if (this.isWord('urg')) {
      this.next();
      packet.urg = this.integer('an urgent pointer', U16);
    }
    if (this.isPunct('<')) {
      const lt = this.peek();
      packet.options = this.tcpOptions(unsupported);
      if (packet.options === 'any' && direction === 'in') {
        this.fail(lt, "'<...>' (options not checked) can only be used on outbound packets: an injected packet needs definite options");
      }
    }
    if (this.isPunct('{')) unsupported.push(`packet fuzzing ${this.balancedText()}`);

    const stray = this.peek();
    if (stray.kind === 'word' && ['ack', 'win', 'urg'].includes(stray.text)) {
      this.fail(stray, `'${stray.text}' is out of place: write ack, then win, then urg, then <options>`);
    }
    if (direction === 'in' && packet.win === undefined) {
      // tcp_packet.c: "window must be specified for inbound packets".
      this.fail(dirTok, "inbound packets must give a window ('win N')");
    }
    if (unsupported.length) packet.unsupported = unsupported.join('; ');
    return packet;
  }

  private ports(packet: { srcPort?: number; dstPort?: number }): void {
    if (this.peek().kind === 'integer' && this.isPunct('>', 1)) {
      packet.srcPort = this.integer('a source port', U16);
      this.next();
      packet.dstPort = this.integer('a destination port', U16);
    }
  }

  private tcpFlags(unsupported: string[]): string {
    const t = this.peek();
    let flags: string;
    if (t.kind === 'word') {
      flags = this.next().text;
      if (this.isPunct('.')) flags += this.next().text;
      else if (this.peek().kind === 'float' && /^\.[0-9]$/.test(this.peek().text)) flags += this.next().text;
    } else if (t.kind === 'float' && /^\.[0-9]$/.test(t.text)) {
      flags = this.next().text;
    } else if (this.isPunct('.') || this.isPunct('-')) {
      flags = this.next().text;
    } else {
      return this.fail(t, `expected TCP flags (such as S, S., ., P., F., R, R. or -), found ${describe(t)}`);
    }
    if (flags === '-') return flags;
    for (const c of flags) {
      if (!VALID_TCP_FLAGS.includes(c)) {
        this.fail(t, `invalid TCP flag '${c}' in '${flags}' (valid: . S F R P U E W A, and 0-7 for AccECN)`);
      }
    }
    const ace = flags.match(/[0-7]/g) ?? [];
    if (ace.length > 1 || (ace.length === 1 && /[EWA]/.test(flags))) {
      this.fail(t, `conflicting TCP flags in '${flags}': an AccECN counter (0-7) excludes E, W, A and other counters`);
    }
    if (ace.length || flags.includes('A')) unsupported.push(`AccECN flags in '${flags}'`);
    else if (/[EW]/.test(flags)) unsupported.push(`ECN flags (E, W) in '${flags}'`);
    return flags;
  }

  private tcpOptions(unsupported: string[]): PdTcpOption[] | 'any' {
    const lt = this.next();
    if (this.peek().kind === 'ellipsis') {
      this.next();
      this.expectPunct('>', "to close '<...>'");
      return 'any';
    }
    const list: PdTcpOption[] = [];
    for (;;) {
      list.push(this.tcpOption(unsupported));
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      if (this.isPunct('>')) {
        this.next();
        break;
      }
      this.fail(this.peek(), `expected ',' or '>' in the TCP option list, found ${describe(this.peek())}`);
    }
    // Unsupported options have no known length (NaN): their lists are not size-checked.
    const bytes = list.reduce((sum, o) => sum + optionBytes(o), 0);
    if (Number.isNaN(bytes)) return list;
    if (bytes > 40) {
      this.fail(lt, `TCP options add up to ${bytes} bytes, more than the 40 a TCP header can hold`);
    }
    if (bytes % 4 !== 0) {
      // tcp_packet.c refuses to build such a header: the data offset counts 32-bit words.
      this.fail(lt, `TCP options add up to ${bytes} bytes, not a multiple of 4: pad them with nop`);
    }
    return list;
  }

  private tcpOption(unsupported: string[]): PdTcpOption {
    const t = this.peek();
    if (t.kind !== 'word') {
      return this.fail(t, `expected a TCP option (mss, nop, eol, wscale, sackOK, sack, TS), found ${describe(t)}`);
    }
    switch (t.text) {
      case 'nop':
      case 'eol':
      case 'sackOK':
        this.next();
        return { kind: t.text };
      case 'mss':
        this.next();
        return { kind: 'mss', value: this.integer('the mss value', U16) };
      case 'wscale':
        this.next();
        return { kind: 'wscale', shift: this.integer('the window scale shift', 0xff) };
      case 'sack': {
        this.next();
        const blocks: Array<[number, number]> = [];
        do {
          const left = this.integer('a SACK block (left:right)', U32);
          this.expectPunct(':', 'in a SACK block (left:right)');
          blocks.push([left, this.integer('a SACK block (left:right)', U32)]);
        } while (this.peek().kind === 'integer');
        return { kind: 'sack', blocks };
      }
      case 'TS': {
        this.next();
        this.expectWord('val', "after 'TS' (TS val N ecr N)");
        const val = this.timestampValue('TS val');
        this.expectWord('ecr', "after the TS val (TS val N ecr N)");
        const ecr = this.timestampValue('TS ecr');
        return { kind: 'ts', val, ecr };
      }
    }
    const reason = UNSUPPORTED_TCP_OPTIONS[t.text];
    if (reason === undefined) {
      this.fail(
        t,
        `unknown TCP option ${describe(t)} (known: mss, nop, eol, wscale, sackOK, sack, TS val/ecr, FO, FOEXP, md5)`,
      );
    }
    while (!this.isPunct(',') && !this.isPunct('>')) {
      if (this.peek().kind === 'eof') this.fail(t, "expected '>' to close the TCP option list");
      this.next();
    }
    unsupported.push(reason);
    return { kind: 'unsupported', text: this.text.slice(t.start, this.tokens[this.i - 1].end) };
  }

  private timestampValue(what: string): number | '*' {
    if (this.isPunct('*')) {
      this.next();
      return '*';
    }
    return this.integer(`a ${what} value`, U32);
  }

  private udpPacket(direction: 'in' | 'out', unsupported: string[]): PdPacket {
    this.next();
    const packet = blankPacket(direction, 'udp');
    this.ports(packet);
    this.expectPunct('(', 'before the UDP payload length, as in udp (1000)');
    packet.len = this.integer('a UDP payload length', U16);
    this.expectPunct(')', 'after the UDP payload length');
    packet.unsupported = ['UDP packet', ...unsupported].join('; ');
    return packet;
  }

  private icmpPacket(direction: 'in' | 'out', unsupported: string[]): PdPacket {
    const start = this.next();
    const type = this.peek();
    if (type.kind !== 'word') this.fail(type, `expected an ICMP type (such as unreachable), found ${describe(type)}`);
    this.next();
    if (this.peek().kind === 'word' && !this.isWord('mtu') && !this.isWord('id')) this.next();
    if (this.isWord('mtu')) {
      this.next();
      this.integer('an ICMP mtu', U16);
    }
    if (this.isWord('id')) {
      this.next();
      this.integer('an ICMP echo id', U16);
    }
    if (this.isPunct('[')) this.balancedText();
    const text = this.text.slice(start.start, this.tokens[this.i - 1].end);
    return { ...blankPacket(direction, 'icmp'), unsupported: [`ICMP packet (${text})`, ...unsupported].join('; ') };
  }

  // ---- system calls -------------------------------------------------------------------------

  private syscall(): PdSyscall {
    const nameTok = this.next();
    const name = nameTok.text;
    if (!this.isPunct('(')) {
      this.fail(
        this.peek(),
        `expected '(' after ${describe(nameTok)}: a system call needs an argument list, and a packet starts with '<' or '>'`,
      );
    }
    const args = this.argumentList(`${name}()`);
    if (!this.isPunct('=')) {
      this.fail(this.peek(), `expected '= <result>' after ${name}(...), found ${describe(this.peek())}`);
    }
    this.next();
    const call: PdSyscall = { kind: 'syscall', name, args, result: this.expr(`as the result of ${name}()`) };
    const after = this.peek();
    if (after.kind === 'word') {
      this.next();
      if (!/^E[A-Z0-9]+$/.test(after.text)) {
        this.fail(after, `expected an errno name such as EINPROGRESS after the result of ${name}(), found ${describe(after)}`);
      }
      call.errno = { name: after.text };
      if (this.isPunct('(')) call.errno.text = this.note();
    } else if (this.isPunct('(')) {
      call.note = this.note();
    }
    return call;
  }

  private note(): string {
    return this.balancedText().slice(1, -1).replace(/\s+/g, ' ').trim();
  }

  /** "(" [expr {"," expr}] ")" */
  private argumentList(where: string): PdExpr[] {
    this.expectPunct('(', `to open the arguments of ${where}`);
    const args: PdExpr[] = [];
    if (this.isPunct(')')) {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.expr(`in the arguments of ${where}`));
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      if (this.isPunct(')')) {
        this.next();
        return args;
      }
      this.fail(this.peek(), `expected ',' or ')' in the arguments of ${where}, found ${describe(this.peek())}`);
    }
  }

  private expr(where: string): PdExpr {
    let left = this.primary(where);
    while (this.isPunct('|')) {
      this.next();
      left = { kind: 'binary', op: '|', left, right: this.primary(where) };
    }
    return left;
  }

  private primary(where: string): PdExpr {
    const t = this.peek();
    switch (t.kind) {
      case 'ellipsis':
        this.next();
        return { kind: 'ellipsis' };
      case 'integer':
      case 'hex': {
        this.next();
        const negative = t.text.startsWith('-');
        const digits = negative ? t.text.slice(1) : t.text;
        const value = t.kind === 'hex' ? parseInt(digits.slice(2), 16) : Number(digits);
        if (!Number.isSafeInteger(value)) this.fail(t, `number ${describe(t)} is too large`);
        return { kind: 'number', value: negative ? -value : value };
      }
      case 'word': {
        this.next();
        // Calls are written without a space (htons(8080)); "EAGAIN (Resource ...)" is a note.
        if (this.isPunct('(') && this.peek().start === t.end) {
          return { kind: 'call', name: t.text, args: this.argumentList(`${t.text}()`) };
        }
        return { kind: 'ident', name: t.text };
      }
      case 'string': {
        let value = '';
        while (this.peek().kind === 'string') value += this.next().text.slice(1, -1);
        if (this.peek().kind === 'ellipsis') {
          this.next();
          return { kind: 'string', value, ellipsis: true };
        }
        return { kind: 'string', value };
      }
      case 'punct':
        if (t.text === '[') return this.array();
        if (t.text === '{') return this.braces();
        break;
      case 'float':
        this.fail(t, `a fractional number ${describe(t)} is not a valid value ${where}`);
    }
    return this.fail(
      t,
      `expected a value ${where} (a number, a name, "string", ..., [list] or {struct}), found ${describe(t)}`,
    );
  }

  private array(): PdExpr {
    this.next();
    const items: PdExpr[] = [];
    if (this.isPunct(']')) {
      this.next();
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.expr('in a [list]'));
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      if (this.isPunct(']')) {
        this.next();
        return { kind: 'array', items };
      }
      this.fail(this.peek(), `expected ',' or ']' in a [list], found ${describe(this.peek())}`);
    }
  }

  /**
   * "{name=value, ...}" is a struct (SO_LINGER's {onoff=1, linger=0}, a sockaddr, a pollfd);
   * "{..., 1000}" (an iovec) is a list. A field name may carry a parenthesised part, as in
   * msghdr's "msg_iov(1)=[...]"; it stays part of the name.
   */
  private braces(): PdExpr {
    const open = this.next();
    const fields: Record<string, PdExpr> = {};
    const items: PdExpr[] = [];
    for (;;) {
      const key = this.fieldName();
      if (key !== undefined) {
        if (Object.hasOwn(fields, key.name)) this.fail(key.token, `field '${key.name}' appears twice in { }`);
        fields[key.name] = this.expr(`for field '${key.name}'`);
      } else {
        items.push(this.expr('in { }'));
      }
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      if (this.isPunct('}')) {
        this.next();
        break;
      }
      this.fail(this.peek(), `expected ',' or '}' in { }, found ${describe(this.peek())}`);
    }
    const named = Object.keys(fields).length;
    if (named && items.length) {
      this.fail(open, "mix of named (name=value) and unnamed values in { }: write all fields as name=value, or none");
    }
    return named ? { kind: 'struct', fields } : { kind: 'array', items };
  }

  /** "name =" or "name(...) =" at the cursor: consumes it, '=' included; otherwise consumes nothing. */
  private fieldName(): { name: string; token: Token } | undefined {
    const t = this.peek();
    if (t.kind !== 'word') return undefined;
    if (this.isPunct('=', 1)) {
      this.next();
      this.next();
      return { name: t.text, token: t };
    }
    if (this.isPunct('(', 1)) {
      const save = this.i;
      this.next();
      const last = this.skipBalanced();
      if (this.isPunct('=')) {
        this.next();
        return { name: this.text.slice(t.start, last.end).replace(/\s+/g, ''), token: t };
      }
      this.i = save;
    }
    return undefined;
  }

  // ---- token helpers ------------------------------------------------------------------------

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isPunct(c: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'punct' && t.text === c;
  }

  private isWord(w: string): boolean {
    const t = this.peek();
    return t.kind === 'word' && t.text === w;
  }

  private expectPunct(c: string, context: string): Token {
    if (!this.isPunct(c)) this.fail(this.peek(), `expected '${c}' ${context}, found ${describe(this.peek())}`);
    return this.next();
  }

  private expectWord(w: string, context: string): Token {
    if (!this.isWord(w)) this.fail(this.peek(), `expected '${w}' ${context}, found ${describe(this.peek())}`);
    return this.next();
  }

  /** A non-negative integer no larger than max. */
  private integer(what: string, max: number): number {
    const t = this.peek();
    if (t.kind !== 'integer') this.fail(t, `expected ${what}, found ${describe(t)}`);
    const value = Number(t.text);
    if (value < 0 || value > max) this.fail(t, `${what} ${describe(t)} is out of range (0 to ${max})`);
    this.next();
    return value;
  }

  /** Consumes one token, or a whole bracketed group if it opens one; returns the last token. */
  private skipBalanced(): Token {
    const closers: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
    const open = this.next();
    const close = open.kind === 'punct' ? closers[open.text] : undefined;
    if (close === undefined) return open;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') this.fail(open, `'${open.text}' is never closed with '${close}'`);
      if (t.kind === 'punct' && t.text === close) return this.next();
      this.skipBalanced();
    }
  }

  /** The source text of the bracketed group at the cursor, brackets included. */
  private balancedText(): string {
    const open = this.peek();
    const last = this.skipBalanced();
    return this.text.slice(open.start, last.end);
  }

  private fail(t: Token, reason: string): never {
    throw new PdSyntaxError(this.file, t.line, t.column, reason);
  }
}
