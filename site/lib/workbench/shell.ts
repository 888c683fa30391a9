/**
 * The workbench terminal's shell when no WebContainer runs: Linux's names and output shapes over
 * the stack in the page. `sim` runs a scenario in the worker (the learner's files in place) and
 * becomes "the last run" that `ss`, `nstat`, `tcpdump` and `pcap` look at; `sysctl -w` changes
 * the knobs the next `sim` starts with, as on a Linux box. No DOM: the terminal view feeds it lines
 * and prints what comes back, and the tests drive it with the real stack.
 */
import { formatSs } from '../../../stack/core/observe/ss.ts';
import { formatOptions } from '../../../stack/core/wire/format.ts';
import { SYSCTLS, sysctlSpec } from '../../../stack/core/tcp/sysctl.ts';
import type { SegmentEvent, TraceEvent } from '../../../stack/core/observe/trace.ts';
import type { SsRow } from '../../../stack/core/scenarios/types.ts';
import type { ScenarioListing, SimReply, SimRequest, SimResult } from './sim-run.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export interface ShellBackend {
  /** The lab of this page: a run that reaches another lab's unwritten code is explained, not just reported. */
  lab?: string;
  scenarios(): Promise<ScenarioListing[]>;
  sim(request: SimRequest): Promise<SimReply>;
  /** Run / Submit, as the buttons. */
  run(): void;
  submit(): void;
  /** Offers bytes to the learner as a file. */
  download(name: string, bytes: Uint8Array): void;
  /** The first failing test's trace of the last Run or Submit, if any. */
  lastTestTrace(): { name: string; trace: TraceEvent[] } | null;
}

/** `help` in English; the page's edition is site/i18n/workbench.ts `shellHelp`. */
export const SHELL_HELP = WORKBENCH_EN.shellHelp;

const COMMANDS = ['sim', 'ss', 'nstat', 'sysctl', 'tcpdump', 'pcap', 'npm', 'history', 'clear', 'help'];

/** Splits a command line like a shell: spaces separate words, quotes group them. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(6);
}

function endpoint(text: string): string {
  // tcpdump -n writes 10.0.0.1.80, not 10.0.0.1:80
  return text.replace(/:(\d+)$/, '.$1');
}

/** One segment as `tcpdump -n -tt` prints it (relative numbers after the SYN, as tcpdump does). */
export function tcpdumpLine(seg: SegmentEvent): string {
  const syn = seg.flags.includes('S');
  const seq = syn ? seg.seq : seg.relSeq;
  const parts = [`${seconds(seg.t)} IP ${endpoint(seg.src)} > ${endpoint(seg.dst)}: Flags [${seg.flags}]`];
  if (seg.len > 0 || syn || seg.flags.includes('F') || seg.flags.includes('R')) parts.push(seg.len > 0 ? `seq ${seq}:${seq + seg.len}` : `seq ${seq}`);
  if (seg.flags.includes('.')) parts.push(`ack ${syn ? seg.ack : seg.relAck}`);
  parts.push(`win ${seg.win}`);
  const options = formatOptions(seg.options);
  if (options) parts.push(`options [${options.slice(1, -1)}]`);
  parts.push(`length ${seg.len}`);
  const fate = seg.fate === 'delivered' ? '' : `   # ${seg.fate}`;
  return parts.join(', ') + fate;
}

export function tcpdumpListing(trace: readonly TraceEvent[], t: WorkbenchStrings = WORKBENCH_EN): string {
  const segments = trace.filter((e): e is SegmentEvent => e.kind === 'segment');
  return segments.length === 0 ? t.noSegments : segments.map(tcpdumpLine).join('\n');
}

/** `nstat` output: `#kernel`, then name, value and a rate column (0.0: a finished run has no rate). */
export function nstatListing(nstat: Record<string, Record<string, number>>, t: WorkbenchStrings = WORKBENCH_EN): string {
  const lines: string[] = [];
  for (const [host, counters] of Object.entries(nstat)) {
    const rows = Object.entries(counters).filter(([, v]) => v !== 0);
    if (rows.length === 0) continue;
    lines.push(`#kernel (${host})`);
    for (const [name, value] of rows) {
      // As stack/node/sim.ts names them: SNMP counters keep their Tcp/Ip prefix, the rest are TcpExt.
      const linuxName = /^(Tcp|Ip)/.test(name) ? name : `TcpExt${name}`;
      lines.push(`${linuxName.padEnd(32)}${String(value).padStart(10)}${'0.0'.padStart(16)}`);
    }
  }
  return lines.length === 0 ? `#kernel\n${t.noCounterMoved}` : lines.join('\n');
}

/** ss with Linux's filters: -t TCP, -a all, -l listening only, -n numeric (always numeric here). */
export function ssListing(ss: Record<string, SsRow[]>, flags: string): string {
  const listening = flags.includes('l');
  const all = flags.includes('a');
  const out: string[] = [];
  for (const [host, rows] of Object.entries(ss)) {
    const shown = rows.filter((r) => (listening ? r.state === 'LISTEN' : all || r.state !== 'LISTEN'));
    out.push(`# ${host}`, formatSs(shown));
  }
  return out.join('\n');
}

export class LabShell {
  readonly history: string[] = [];
  /** Knobs set with `sysctl -w`, applied to every later sim. */
  readonly sysctls: Record<string, number> = {};
  lastSim: SimResult | null = null;
  /** Which run `tcpdump` lists: the last sim, or the last Run/Submit's failing test. */
  private lastKind: 'sim' | 'test' | null = null;
  private scenarioNames: string[] | null = null;

  constructor(
    private readonly backend: ShellBackend,
    /** The page's edition of the shell's own words (what Linux's tools print stays theirs). */
    private readonly t: WorkbenchStrings = WORKBENCH_EN,
  ) {}

  /** A test run finished: `tcpdump` now lists its first failure. */
  noteTestRun(): void {
    this.lastKind = 'test';
  }

  async execute(line: string): Promise<string | 'clear'> {
    const words = splitWords(line);
    if (words.length === 0) return '';
    if (this.history.at(-1) !== line.trim()) this.history.push(line.trim());
    const [command, ...args] = words;
    switch (command) {
      case 'help':
        return this.t.shellHelp;
      case 'clear':
        return 'clear';
      case 'history':
        return this.history.map((h, i) => `${String(i + 1).padStart(5)}  ${h}`).join('\n');
      case 'npm':
        return this.npm(args);
      case 'sim':
        return this.sim(args);
      case 'ss':
        return this.ss(args);
      case 'nstat':
        return this.lastSim ? nstatListing(this.lastSim.nstat, this.t) : this.t.noSimYet('nstat');
      case 'sysctl':
        return this.sysctl(args);
      case 'tcpdump':
        return this.tcpdump();
      case 'pcap':
        return this.pcap();
      default:
        return this.t.commandNotFound(command);
    }
  }

  private npm(args: string[]): string {
    const sub = args.join(' ');
    if (sub === 'test' || sub === 't' || sub === 'run test') {
      this.backend.run();
      return '';
    }
    if (sub === 'run submit') {
      this.backend.submit();
      return '';
    }
    return this.t.npmOnly(sub);
  }

  private async sim(args: string[]): Promise<string> {
    const request: SimRequest = { scenario: '', seed: 1, sysctls: { ...this.sysctls }, faults: [], reference: false };
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const value = (): string | null => args[++i] ?? null;
      if (a === '--list') return (await this.backend.scenarios()).map((s) => `${s.name.padEnd(28)} [${s.chapter}] ${s.title}`).join('\n');
      if (a === '--reference') request.reference = true;
      else if (a === '--seed') {
        const v = value();
        if (v === null || !/^\d+$/.test(v)) return this.t.seedTakes(v);
        request.seed = Number(v);
      } else if (a === '--sysctl') {
        const v = value();
        const m = v === null ? null : /^([\w.]+)=(-?\d+)$/.exec(v);
        if (!m) return this.t.sysctlTakes(v);
        // Checked as `sysctl -w` checks it (the course server refuses the same knobs).
        const refused = this.knobProblem(m[1], m[2]);
        if (refused) return refused;
        request.sysctls[m[1]] = Number(m[2]);
      } else if (a === '--fault') {
        const v = value();
        if (v === null) return this.t.faultNeedsRule;
        request.faults.push(v);
      } else if (a.startsWith('-')) return this.t.unknownOption(a);
      else if (!request.scenario) request.scenario = a;
      else return this.t.unexpectedArgument(a);
    }
    if (!request.scenario) return this.t.simUsage;
    const reply = await this.backend.sim(request);
    if (!reply.ok) {
      // A page whose stack has every lab's regions as stubs (the build served without the course
      // server's /api/sim) stops at another lab's code, or at any code in a --reference run.
      const other = /^not implemented yet: ([\w-]+)\/\d+/.exec(reply.error);
      if (other && (request.reference || other[1] !== this.backend.lab)) {
        return this.t.simReachedOtherLab(other[1], reply.error.slice('not implemented yet: '.length));
      }
      return this.t.simError(reply.error);
    }
    this.lastSim = reply.result;
    this.lastKind = 'sim';
    const knobs = Object.entries(request.sysctls).map(([k, v]) => `${k}=${v}`);
    const head = this.t.simHead(reply.result.title, request.reference, knobs);
    return `${head}\n${reply.result.diagram.trimEnd()}\n${this.t.simTail(reply.result.packets)}`;
  }

  private ss(args: string[]): string {
    const flags = args.filter((a) => a.startsWith('-')).map((a) => a.slice(1)).join('');
    if (!flags.includes('t')) return this.t.ssTcpOnly;
    if (!this.lastSim) return this.t.noSimYet('ss');
    return `${ssListing(this.lastSim.ss, flags)}\n${this.t.ssAtEnd((this.lastSim.endTime / 1000).toFixed(3))}`;
  }

  private sysctl(args: string[]): string {
    const show = (name: string): string => {
      const spec = sysctlSpec(name);
      if (!spec) return this.t.noSuchSysctl(name);
      const value = this.sysctls[name] ?? spec.default;
      return `${name} = ${Array.isArray(value) ? value.join('\t') : value}`;
    };
    if (args.length === 0) return this.t.sysctlUsage;
    if (args[0] === '-a') return SYSCTLS.map((s) => show(s.name)).join('\n');
    if (args[0] === '-w') {
      const out: string[] = [];
      for (const assignment of args.slice(1)) {
        const m = /^([\w.]+)=(.*)$/.exec(assignment);
        if (!m) return this.t.sysctlForm(assignment);
        const refused = this.knobProblem(m[1], m[2]);
        if (refused) return refused;
        const value = Number(m[2]);
        this.sysctls[m[1]] = value;
        out.push(`${m[1]} = ${value}`);
      }
      return out.join('\n');
    }
    return args.map(show).join('\n');
  }

  /** Why a knob cannot take this value (a name Linux does not know, a vector knob, out of range), or null. */
  private knobProblem(name: string, text: string): string | null {
    const spec = sysctlSpec(name);
    if (!spec) return this.t.noSuchSysctl(name);
    if (Array.isArray(spec.default)) return this.t.sysctlSeveral(name);
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || value < spec.min || value > spec.max) return this.t.sysctlInvalid(name, spec.min, spec.max);
    return null;
  }

  private tcpdump(): string {
    if (this.lastKind === 'test') {
      const test = this.backend.lastTestTrace();
      if (test) return `${this.t.firstFailingTest(test.name)}\n${tcpdumpListing(test.trace, this.t)}`;
    }
    if (this.lastSim) return `# sim ${this.lastSim.scenario}\n${tcpdumpListing(this.lastSim.trace, this.t)}`;
    return this.t.nothingRanYet;
  }

  private pcap(): string {
    if (!this.lastSim) return this.t.pcapNoSim;
    const name = `${this.lastSim.scenario}.pcap`;
    this.backend.download(name, this.lastSim.pcap);
    return this.t.pcapSaved(name, this.lastSim.packets, this.lastSim.pcap.length);
  }

  /** Tab: completes the word under the cursor (at the end of the line); returns the candidates too. */
  async complete(line: string): Promise<{ line: string; candidates: string[] }> {
    const words = splitWords(line);
    const atNewWord = line === '' || line.endsWith(' ');
    const partial = atNewWord ? '' : (words.at(-1) ?? '');
    const position = atNewWord ? words.length : words.length - 1;
    const previous = words[position - 1];
    let pool: string[];
    if (position === 0) pool = COMMANDS;
    else if (words[0] === 'sim' && previous === '--sysctl') pool = SYSCTLS.filter((s) => !Array.isArray(s.default)).map((s) => `${s.name}=`);
    else if (words[0] === 'sim' && !partial.startsWith('-')) pool = this.scenarioNames ??= (await this.backend.scenarios()).map((s) => s.name);
    else if (words[0] === 'sim') pool = ['--sysctl', '--fault', '--seed', '--reference', '--list'];
    else if (words[0] === 'sysctl') pool = [...(previous === '-w' ? SYSCTLS.map((s) => `${s.name}=`) : SYSCTLS.map((s) => s.name)), '-a', '-w'];
    else if (words[0] === 'ss') pool = ['-tan', '-ltn'];
    else if (words[0] === 'npm') pool = position === 1 ? ['test', 'run'] : ['submit'];
    else pool = [];
    const candidates = pool.filter((c) => c.startsWith(partial));
    if (candidates.length === 0) return { line, candidates };
    let common = candidates[0];
    for (const c of candidates) while (!c.startsWith(common)) common = common.slice(0, -1);
    const head = line.slice(0, line.length - partial.length);
    const done = candidates.length === 1 && !common.endsWith('=');
    return { line: `${head}${common}${done ? ' ' : ''}`, candidates };
  }
}

// Characters a terminal draws two cells wide: CJK ideographs and punctuation, fullwidth forms.
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/;
// Chinese punctuation that must not begin a line (it stays with the character before it).
const NO_BREAK_BEFORE = /^[，。、；：？！）」』】〉》”’…—]/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Terminal cells a string takes (escape sequences take none, wide characters two). */
export function cellWidth(text: string): number {
  let width = 0;
  for (const ch of text.replace(ANSI, '')) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

/**
 * Chinese prose has no spaces to break at: it breaks between characters (never before closing
 * punctuation), Latin words inside it at their spaces, and every wide character counts two cells.
 */
function wrapWide(line: string, cols: number): string {
  const indent = /^\s*/.exec(line)![0];
  // Units that may not be split: a run of non-wide, non-space text, or one wide character with
  // the punctuation that follows it. `space` says whether a space stood before the unit.
  const units: Array<{ text: string; space: boolean }> = [];
  let space = false;
  for (const piece of line.trimStart().match(/ +|\x1b\[[0-9;]*m|[^ \x1b]/g) ?? []) {
    if (piece.startsWith(' ')) {
      space = true;
      continue;
    }
    const last = units.at(-1);
    const glue = last && !space && (piece.startsWith('\x1b') || NO_BREAK_BEFORE.test(piece) || (!WIDE.test(piece) && !WIDE.test(last.text.replace(ANSI, '').slice(-1))));
    if (glue) last.text += piece;
    else units.push({ text: piece, space });
    space = false;
  }
  const out: string[] = [];
  let current = indent;
  let fresh = true;
  for (const unit of units) {
    const candidate = `${current}${unit.space && !fresh ? ' ' : ''}${unit.text}`;
    if (cellWidth(candidate) > cols && !fresh) {
      out.push(current);
      current = `${indent}  ${unit.text}`;
    } else current = candidate;
    fresh = false;
  }
  out.push(current);
  return out.join('\n');
}

/**
 * Wraps prose lines at spaces to the terminal's width, so words are not cut at the edge; aligned
 * output (tables, diagrams: two spaces inside the line) is left whole for the terminal to wrap.
 * Lines with Chinese in them count cells (a wide character is two) and may break between
 * characters; other lines count UTF-16 units, which is exact for them.
 */
export function wrapProse(text: string, cols: number): string {
  if (!(cols > 20)) return text;
  return text
    .split('\n')
    .map((line) => {
      const visible = line.replace(ANSI, '');
      if (WIDE.test(visible)) return cellWidth(visible) <= cols || /\S {2,}\S/.test(visible.trimStart()) ? line : wrapWide(line, cols);
      if (visible.length <= cols || /\S {2,}\S/.test(visible.trimStart())) return line;
      const indent = /^\s*/.exec(line)![0];
      const out: string[] = [];
      let current = '';
      for (const word of line.trimStart().split(' ')) {
        const candidate = current ? `${current} ${word}` : `${indent}${word}`;
        if (candidate.replace(/\x1b\[[0-9;]*m/g, '').length > cols && current) {
          out.push(current);
          current = `${indent}  ${word}`;
        } else current = candidate;
      }
      out.push(current);
      return out.join('\n');
    })
    .join('\n');
}
