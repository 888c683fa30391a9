/**
 * The parsed form of a packetdrill script (`.pkt`), the language of Linux's and FreeBSD's TCP test
 * suites. The shapes follow packetdrill's own grammar (google/packetdrill `parser.y`): a script is
 * `opt_options opt_init_command events opt_cleanup_command`, an event is `event_time action`, and
 * an action is a packet, a system call, a shell command or a code block.
 *
 * Everything is plain data (no classes, no Maps) so a script can be parsed once and handed to the
 * runner, a Web Worker or a JSON file unchanged.
 */

export interface PdScript {
  /** The name given to `parseScript`, used in every error message. */
  file: string;
  /**
   * Header options (`--tolerance_usecs=10000`, `--strict_segments`) by name, without the dashes.
   * A bare flag maps to the empty string, so test presence with `'strict_segments' in options`.
   * A repeated option keeps its last value here; `optionList` keeps every occurrence.
   */
  options: Record<string, string>;
  optionList: PdOption[];
  /** A shell command written before the first event, without a time (`` `./defaults.sh` ``). */
  init?: PdUntimedCommand;
  events: PdEvent[];
  /** A shell command written after the last event, without a time: packetdrill runs it at exit. */
  cleanup?: PdUntimedCommand;
}

export interface PdOption {
  line: number;
  name: string;
  /** Undefined for a bare flag. Quotes around a whole value are removed. */
  value?: string;
}

export interface PdUntimedCommand {
  line: number;
  /** The source text, backquotes included. */
  text: string;
  command: string;
}

/** Times are integer microseconds, as in packetdrill (`0.100` is 100000). */
export type PdTime =
  | { kind: 'absolute'; usecs: number }
  /** Measured from the previous event ("+.1"). */
  | { kind: 'relative'; usecs: number }
  /** "*": any time at all; packetdrill allows it only on outbound packets. */
  | { kind: 'any' }
  /** "a~b" or "+a~+b": both ends absolute or both relative; outbound packets only. */
  | { kind: 'range'; lo: PdTime; hi: PdTime };

export interface PdEvent {
  /** Line of the event's time, 1-based. */
  line: number;
  /** The event's source text, from its time to its last token (comments after it excluded). */
  text: string;
  time: PdTime;
  /**
   * The time a blocking system call must return by ("+.1...0.200 connect(...)"). It is written
   * without a '+', but packetdrill measures it from the same point as the start time
   * (`run.c: adjust_relative_event_times` adds the same offset to both), so it is 'relative' when
   * the start time is relative and 'absolute' when the start time is absolute.
   */
  end?: PdTime;
  action: PdAction;
}

export type PdAction = PdPacket | PdSyscall | PdShell | PdCode;

export interface PdPacket {
  kind: 'packet';
  /** "<" is a packet injected into the stack under test, ">" one it must send. */
  direction: 'in' | 'out';
  /** udp and icmp lines parse so that a whole script can be read, but are always `unsupported`. */
  protocol: 'tcp' | 'udp' | 'icmp';
  /**
   * As written: "S", "S.", ".", "P.", "F.", "R", "R.", "-" ... Letters map to SYN (S), FIN (F),
   * RST (R), PSH (P), URG (U), ECE (E), CWR (W), AE (A); "." is the ACK bit and is the only way to
   * set it (`tcp_packet.c`: the ack bit comes from '.', never from "ack N"). "-" means no flags.
   * Empty for udp and icmp.
   */
  flags: string;
  /** Relative sequence numbers, "seqStart:seqEnd(len)"; seqEnd = seqStart + len is checked. */
  seqStart: number;
  seqEnd: number;
  /** Payload bytes (the udp payload size for udp lines). */
  len: number;
  ack?: number;
  /** Mandatory on inbound TCP packets; when absent on an outbound one the window is not checked. */
  win?: number;
  urg?: number;
  /** `(tos 0x10)` before the flags: the IPv4 TOS byte, checked on outbound packets, sent on inbound ones. */
  tos?: number;
  /** From the rarely used "srcport>dstport" form before the flags. */
  srcPort?: number;
  dstPort?: number;
  /**
   * undefined: no option list was written, so an outbound packet must carry no options at all
   * (packetdrill `opt_tcp_options: %empty` builds an empty list). 'any': "<...>", options are not
   * checked (outbound only).
   */
  options: PdTcpOption[] | 'any' | undefined;
  /** Why the runner cannot reproduce this packet faithfully; several reasons are joined by "; ". */
  unsupported?: string;
}

export type PdTcpOption =
  | { kind: 'mss'; value: number }
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'wscale'; shift: number }
  | { kind: 'sackOK' }
  | { kind: 'sack'; blocks: Array<[number, number]> }
  /** '*' is accepted for either field and means "don't check". */
  | { kind: 'ts'; val: number | '*'; ecr: number | '*' }
  /** FO, FOEXP, md5: kept as written; the packet is flagged unsupported. */
  | { kind: 'unsupported'; text: string };

export interface PdSyscall {
  kind: 'syscall';
  name: string;
  args: PdExpr[];
  /** The expected return value. */
  result: PdExpr;
  /** "= -1 ETIMEDOUT (Connection timed out)" gives { name: 'ETIMEDOUT', text: 'Connection timed out' }. */
  errno?: { name: string; text?: string };
  /** A parenthesised note after a result without errno, e.g. "= 0x2 (flags O_RDWR)". */
  note?: string;
}

export type PdExpr =
  | { kind: 'number'; value: number }
  | { kind: 'ellipsis' }
  /** SO_REUSEADDR, AF_INET, ... left for the runner to resolve. */
  | { kind: 'ident'; name: string }
  /**
   * The text between the quotes, escapes kept as written (packetdrill does not decode them);
   * adjacent strings are joined. `ellipsis` marks the `"abc"...` form.
   */
  | { kind: 'string'; value: string; ellipsis?: true }
  /** "[1]", "[ETIMEDOUT]", and also "{..., 1000}": packetdrill builds the same list for both. */
  | { kind: 'array'; items: PdExpr[] }
  /** "{onoff=1, linger=0}", "{l_onoff=1, l_linger=0}", "{sa_family=AF_INET, ...}". */
  | { kind: 'struct'; fields: Record<string, PdExpr> }
  | { kind: 'binary'; op: '|'; left: PdExpr; right: PdExpr }
  /** htons(8080), inet_addr("192.0.2.1"). */
  | { kind: 'call'; name: string; args: PdExpr[] };

export interface PdShell {
  kind: 'shell';
  /** The text between the backquotes, newlines included. */
  command: string;
}

export interface PdCode {
  kind: 'code';
  /** The text between %{ and }%, trimmed. */
  text: string;
  /**
   * The block's `assert tcpi_<field> <op> <value>[, "message" | , tcpi_<field>]` statements. Empty when
   * `unsupported` is set: a block that is only partly understood is not checked at all, so no
   * runner can report it as passed.
   */
  asserts: PdAssert[];
  unsupported?: string;
}

export type PdAssertOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface PdAssert {
  /** A tcp_info field, e.g. "tcpi_state". */
  field: string;
  op: PdAssertOp;
  /** A number, or a constant's name such as "TCPI_CLOSING" for the runner to resolve. */
  value: number | string;
  message?: string;
  /** A tcpi_ field Python prints when the assert fails (`assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd`). */
  show?: string;
  /** `(tcpi_options & TCPI_OPT_SACK) != 0`: the field is masked first (a number or a constant's name). */
  mask?: number | string;
}
