/**
 * Runs a packetdrill script against the simulated stack: the script plays the remote host, a
 * `Host` in a `World` is the host under test. Inbound lines become raw IPv4+TCP bytes put on the
 * simulated network; what the stack sends is captured by a network node that owns the remote
 * address and compared, in order, with the outbound lines. System calls go to the host's socket
 * API; blocking ones complete on the virtual clock and their return time is checked.
 *
 * Semantics follow google/packetdrill (run.c, run_packet.c, run_system_call.c): relative times
 * count from when the previous event happened; `*` and `a~b` only on outbound lines; a segment
 * the script does not expect, sent before an expected one, fails that line; segments after the
 * last line are allowed. Differences: timing is exact on the virtual clock unless a tolerance is
 * given, and anything the simulator cannot reproduce fails as "unsupported" before the script runs.
 *
 * Pure TypeScript: the CLI (stack/node/pktdrill.ts), vitest and a browser worker all call runScript.
 */
import type { PdCode, PdEvent, PdPacket, PdScript, PdSyscall, PdTime } from './ast.ts';
import { parseScript, PdSyntaxError } from './parse.ts';
import { planShell, type SysctlSetting } from './shell.ts';
import { compareOutbound, formatActual, inboundSegment, newFlow, type Flow, type Sent, type TsValCheck } from './flows.ts';
import { expectedOutcome, outcomeText, startSyscall, syscallUnsupported, type Outcome, type SyscallEnv } from './syscalls.ts';
import { World } from '../core/world.ts';
import type { Host } from '../core/host.ts';
import type { NetworkNode } from '../core/sim/network.ts';
import type { PendingCall } from './syscalls.ts';
import type { SysResult } from '../core/tcp/errno.ts';
import { decodeSegment, encodeSegment } from '../core/wire/codec.ts';
import { parseAddr } from '../core/wire/format.ts';
import { TCPI_STATE, tcpInfo, type TcpInfo } from '../core/observe/ss.ts';

export interface RunOptions {
  /** Name used in messages; default the script's own. */
  file?: string;
  /** Allowed timing error in µs; overrides the script's --tolerance_usecs. Default 0: exact. */
  toleranceUsecs?: number;
  /**
   * Scripts written for google/packetdrill: its default tolerance (--tolerance_usecs=4000,
   * --tolerance_percent=12.5, config.c) wherever the script sets none. Default: exact timing.
   */
  upstreamTolerance?: boolean;
  /** Seed of the simulated world (ISNs, timestamps, ephemeral ports). */
  seed?: number;
  /** Keep a line per executed step in the result (the CLI's --verbose). */
  verbose?: boolean;
}

export type FailureKind = 'syntax' | 'unsupported' | 'packet' | 'missing' | 'timing' | 'syscall' | 'assert' | 'shell' | 'stack';

export interface PdFailure {
  kind: FailureKind;
  /** 1-based script line. */
  line: number;
  /** The script's text for that line (an event, without comments). */
  text: string;
  /** Virtual time of the failure in µs from the start of the script. */
  usecs: number;
  message: string;
  /** For packet failures: the scripted line and the stack's segment in packetdrill notation. */
  expected?: string;
  actual?: string;
}

export interface PdRunResult {
  file: string;
  status: 'pass' | 'fail';
  failure?: PdFailure;
  /** Every reason the script cannot run here, in line order (the first is also the failure). */
  unsupported: Array<{ line: number; reason: string }>;
  /** Events executed (all of them on a pass). */
  eventsRun: number;
  /** Virtual time at the end, µs. */
  endUsecs: number;
  /** Notes (defaults.sh mapping) and, with verbose, one line per step. */
  log: string[];
}

/** packetdrill's default addresses and ports (config.c: live_local_ip, live_remote_ip, live_bind_port, live_connect_port). */
export const PD_DEFAULTS = {
  localIp: '192.168.0.1',
  remoteIp: '192.0.2.1',
  bindPort: 8080,
  connectPort: 8080,
  /** Remote ports for passive connections: packetdrill takes a kernel ephemeral port; we count from here. */
  firstRemotePort: 49152,
} as const;

/** Header options this runner understands (anything else is unsupported). */
/** google/packetdrill's defaults (config.c). */
const UPSTREAM_TOLERANCE_USECS = 4000;
const UPSTREAM_TOLERANCE_PERCENT = 12.5;

const HEADER_OPTIONS = new Set(['tolerance_usecs', 'tolerance_percent', 'tcp_ts_tick_usecs', 'ip_version', 'mss', 'strict_segments', 'local_ip', 'remote_ip', 'bind_port', 'connect_port']);

/** tcp_info fields a `%{ assert }%` may read, and the constants it may compare them with. */
const TCPI_CONSTANTS: Record<string, number> = {
  TCPI_ESTABLISHED: 1, TCPI_SYN_SENT: 2, TCPI_SYN_RECV: 3, TCPI_FIN_WAIT1: 4, TCPI_FIN_WAIT_1: 4,
  TCPI_FIN_WAIT2: 5, TCPI_FIN_WAIT_2: 5, TCPI_TIME_WAIT: 6, TCPI_CLOSE: 7, TCPI_CLOSED: 7,
  TCPI_CLOSE_WAIT: 8, TCPI_LAST_ACK: 9, TCPI_LISTEN: 10, TCPI_CLOSING: 11,
  TCPI_OPT_TIMESTAMPS: 1, TCPI_OPT_SACK: 2, TCPI_OPT_WSCALE: 4, TCPI_OPT_ECN: 8, TCPI_OPT_ECN_SEEN: 16,
  TCPI_OPT_SYN_DATA: 32, TCPI_OPT_USEC_TS: 64, TCPI_OPT_TFO_CHILD: 128,
  TCP_CA_Open: 0, TCP_CA_Disorder: 1, TCP_CA_CWR: 2, TCP_CA_Recovery: 3, TCP_CA_Loss: 4,
};
const TCPI_FIELDS = new Set<string>([
  'tcpi_state', 'tcpi_retransmits', 'tcpi_probes', 'tcpi_backoff', 'tcpi_options', 'tcpi_snd_wscale', 'tcpi_rcv_wscale',
  'tcpi_rto', 'tcpi_ato', 'tcpi_snd_mss', 'tcpi_rcv_mss', 'tcpi_advmss', 'tcpi_unacked', 'tcpi_last_data_recv', 'tcpi_rtt', 'tcpi_rttvar',
  'tcpi_snd_cwnd', 'tcpi_snd_ssthresh', 'tcpi_total_retrans', 'tcpi_ca_state', 'tcpi_sacked', 'tcpi_lost', 'tcpi_notsent_bytes',
  'tcpi_reordering', 'tcpi_fackets', 'tcpi_retrans',
  'tcpi_busy_time', 'tcpi_rwnd_limited', 'tcpi_sndbuf_limited',
]);

/** A runaway guard: no script of this kind needs more simulated events. */
const MAX_EVENTS = 20_000_000;
/** After a missing segment, how far ahead to look for it to report a late one instead (µs). */
const LOOKAHEAD_USECS = 600_000_000;
/** How long a `*` line waits for its segment (µs): a simulated day outlasts every TCP timer chain. */
const ANY_TIME_HORIZON_USECS = 86_400_000_000;

/** Parses and runs one script. Never throws for a bad script: the result says what went wrong. */
export function runScript(text: string, opts: RunOptions = {}): PdRunResult {
  const file = opts.file ?? '<script>';
  const syntax = (line: number, message: string): PdRunResult => ({
    file, status: 'fail', failure: { kind: 'syntax', line, text: '', usecs: 0, message }, unsupported: [], eventsRun: 0, endUsecs: 0, log: [],
  });
  let script: PdScript;
  try {
    script = parseScript(text, file);
  } catch (e) {
    if (!(e instanceof PdSyntaxError)) throw e;
    return syntax(e.line, e.reason);
  }
  const bad = badHeaderValue(script);
  if (bad) return syntax(bad.line, bad.message);
  return new ScriptRun(script, opts).run();
}

/** Header options whose value the runner would use must be well formed. */
function badHeaderValue(script: PdScript): { line: number; message: string } | null {
  for (const o of script.optionList) {
    const v = o.value ?? '';
    if (['tolerance_usecs', 'bind_port', 'connect_port', 'mss'].includes(o.name) && !/^\d+$/.test(v)) {
      return { line: o.line, message: `--${o.name} takes a non-negative integer, got "${v}"` };
    }
    // A percentage may have a fraction (upstream's own default is 12.5), up to 100.
    if (o.name === 'tolerance_percent' && (!/^\d+(\.\d+)?$/.test(v) || Number(v) > 100)) {
      return { line: o.line, message: `--tolerance_percent takes a percentage from 0 to 100, got "${v}"` };
    }
    // config.c refuses a tick outside 0..1 s.
    if (o.name === 'tcp_ts_tick_usecs' && (!/^\d+$/.test(v) || Number(v) > 1_000_000)) {
      return { line: o.line, message: `--tcp_ts_tick_usecs takes microseconds per TS val tick, 0 to 1000000, got "${v}"` };
    }
    if ((o.name === 'bind_port' || o.name === 'connect_port') && Number(v) > 65535) {
      return { line: o.line, message: `--${o.name} must be a port number (0 to 65535), got ${v}` };
    }
    if (o.name === 'local_ip' || o.name === 'remote_ip') {
      try {
        parseAddr(v);
      } catch (e) {
        return { line: o.line, message: `--${o.name}: ${(e as Error).message} (the simulator is IPv4 only)` };
      }
    }
  }
  return null;
}

/** Why each part of a parsed script cannot run on the simulator, in line order. */
export function unsupportedParts(script: PdScript): Array<{ line: number; reason: string }> {
  const out: Array<{ line: number; reason: string }> = [];
  for (const o of script.optionList) {
    if (!HEADER_OPTIONS.has(o.name)) out.push({ line: o.line, reason: `header option --${o.name}` });
    else if (o.name === 'ip_version' && o.value !== 'ipv4') out.push({ line: o.line, reason: `--ip_version=${o.value ?? ''} (the simulator is IPv4 only)` });
  }
  const shell = (line: number, command: string) => {
    const plan = planShell(command);
    if (!plan.ok) out.push({ line, reason: plan.unsupported });
  };
  if (script.init) shell(script.init.line, script.init.command);
  for (const ev of script.events) {
    const a = ev.action;
    if (a.kind === 'packet') {
      if (a.unsupported) out.push({ line: ev.line, reason: a.unsupported });
      else if (a.protocol !== 'tcp') out.push({ line: ev.line, reason: `${a.protocol} packet` });
      else if (a.direction === 'in' && /[UEWA]/.test(a.flags)) out.push({ line: ev.line, reason: `flags '${a.flags}' on an injected packet` });
    } else if (a.kind === 'syscall') {
      const why = syscallUnsupported(a);
      if (why) out.push({ line: ev.line, reason: why });
    } else if (a.kind === 'shell') {
      shell(ev.line, a.command);
    } else {
      const why = codeUnsupported(a);
      if (why) out.push({ line: ev.line, reason: why });
    }
  }
  if (script.cleanup) shell(script.cleanup.line, script.cleanup.command);
  return out;
}

function codeUnsupported(code: PdCode): string | null {
  if (code.unsupported) return `${code.unsupported} in %{ }% (only 'assert tcpi_<field> <op> <value>', 'assert <value> <op> tcpi_<field>' and 'assert <low> <op> tcpi_<field> <op> <high>' are understood)`;
  for (const a of code.asserts) {
    if (!TCPI_FIELDS.has(a.field)) return `tcp_info field ${a.field}`;
    if (typeof a.value === 'string' && !(a.value in TCPI_CONSTANTS)) return `constant ${a.value} in an assert`;
    if (typeof a.mask === 'string' && !(a.mask in TCPI_CONSTANTS)) return `constant ${a.mask} in an assert`;
  }
  return null;
}

const secs = (usecs: number) => (usecs / 1e6).toFixed(6);

/** A blocking call still running on the virtual clock. */
interface Pending {
  ev: PdEvent;
  call: PendingCall;
  finish: (r: SysResult<unknown>) => Outcome;
  /** What the call returned besides its result (epoll events, poll revents, a cmsg), once it returned. */
  check?: () => string | null;
  expected: Outcome | 'any';
  /** Scheduled return time, µs. */
  end: number;
  /** Tolerance at its start, µs. */
  tol: number;
}

type UnderTest = { kind: 'none' } | { kind: 'listener' } | { kind: 'flow'; flow: Flow };

class Failed extends Error {
  constructor(readonly failure: PdFailure) {
    super(failure.message);
  }
}

class ScriptRun implements SyscallEnv {
  private readonly world: World;
  private readonly host: Host;
  readonly localAddr: number;
  readonly remoteAddr: number;
  readonly bindPort: number;
  readonly connectPort: number;
  private readonly tolerance: number;
  private readonly tolerancePercent: number;
  /** µs per outbound TS val unit (--tcp_ts_tick_usecs); 0: TS val unchecked. */
  private readonly tsTickUsecs: number;
  private readonly strictSegments: boolean;
  private readonly sent: Sent[] = [];
  private nextSent = 0;
  private readonly flows: Flow[] = [];
  private underTest: UnderTest = { kind: 'none' };
  private nextRemotePort: number = PD_DEFAULTS.firstRemotePort;
  /** Local port of new passive connections: the listener's, or the bind port before any listen(). */
  private passivePort: number;
  private readonly fdMap = new Map<number, number>();
  private readonly nonBlocking = new Set<number>();
  private pending: Pending | null = null;
  /** Time the previous event happened (µs): the base of relative times. */
  private lastUsecs = 0;
  private eventsRun = 0;
  private current: PdEvent | null = null;
  private faultsSeen = 0;
  private readonly log: string[] = [];
  /** Counter values at the previous nstat run (nstat's history file). */
  private nstatBase = new Map<string, number>();

  constructor(
    private readonly script: PdScript,
    private readonly opts: RunOptions,
  ) {
    const o = script.options;
    const up = opts.upstreamTolerance === true;
    this.tolerance = opts.toleranceUsecs ?? (o.tolerance_usecs !== undefined ? Number(o.tolerance_usecs) : up ? UPSTREAM_TOLERANCE_USECS : 0);
    this.tolerancePercent = o.tolerance_percent !== undefined ? Number(o.tolerance_percent) : up ? UPSTREAM_TOLERANCE_PERCENT : 0;
    this.tsTickUsecs = o.tcp_ts_tick_usecs !== undefined ? Number(o.tcp_ts_tick_usecs) : 0;
    this.strictSegments = 'strict_segments' in o;
    this.localAddr = parseAddr(o.local_ip ?? PD_DEFAULTS.localIp);
    this.remoteAddr = parseAddr(o.remote_ip ?? PD_DEFAULTS.remoteIp);
    this.bindPort = o.bind_port !== undefined ? Number(o.bind_port) : PD_DEFAULTS.bindPort;
    this.connectPort = o.connect_port !== undefined ? Number(o.connect_port) : PD_DEFAULTS.connectPort;
    this.passivePort = this.bindPort;
    // Zero link delay: a scripted packet reaches the stack, and the stack's reply reaches the
    // script, at the very time the script names.
    this.world = new World({ seed: opts.seed ?? 1, link: { delay: 0 } });
    this.host = this.world.addHost('local', this.localAddr);
    // --mss: packetdrill's tun writes every injected TCP packet with that gso_size in its
    // virtio_net_hdr, so the kernel reads a longer packet's segment size as the MSS.
    if (o.mss !== undefined) this.host.rxGsoSize = Number(o.mss);
    const remote: NetworkNode = {
      name: 'remote',
      addrs: [this.remoteAddr],
      isUp: () => true,
      receive: (packet) => this.capture(packet),
    };
    this.world.network.attach(remote);
  }

  get api() {
    return this.host.api;
  }

  run(): PdRunResult {
    const unsupported = unsupportedParts(this.script);
    const base = { file: this.opts.file ?? this.script.file, unsupported, log: this.log };
    if (unsupported.length) {
      const first = unsupported[0];
      const ev = this.script.events.find((e) => e.line === first.line);
      const failure: PdFailure = {
        kind: 'unsupported',
        line: first.line,
        text: ev?.text ?? '',
        usecs: 0,
        message: `unsupported: ${first.reason}` + (unsupported.length > 1 ? ` (and ${unsupported.length - 1} more)` : ''),
      };
      return { ...base, status: 'fail', failure, eventsRun: 0, endUsecs: 0 };
    }
    try {
      if (this.script.init) this.shell(this.script.init.command, this.script.init.line);
      const first = this.script.events[0];
      if (first.time.kind === 'absolute' && first.time.usecs !== 0) {
        this.current = first;
        this.fail('timing', 'the first event must be at time 0 (packetdrill starts every script at 0)');
      }
      for (const ev of this.script.events) {
        this.current = ev;
        this.event(ev);
        this.eventsRun++;
      }
      this.finishPending();
      if (this.script.cleanup) this.shell(this.script.cleanup.command, this.script.cleanup.line);
      // packetdrill ignores what the stack sends after the last line; show it when asked.
      for (const extra of this.sent.slice(this.nextSent)) {
        const flow = this.flows.find((f) => f.localPort === extra.seg.srcPort && f.remotePort === extra.seg.dstPort) ?? null;
        this.trace(`${secs(extra.usecs)} > ${formatActual(extra.seg, flow)} (after the last line: not checked)`);
      }
      return { ...base, status: 'pass', eventsRun: this.eventsRun, endUsecs: this.nowUsecs() };
    } catch (e) {
      if (!(e instanceof Failed)) throw e;
      return { ...base, status: 'fail', failure: e.failure, eventsRun: this.eventsRun, endUsecs: this.nowUsecs() };
    }
  }

  // ---- SyscallEnv ---------------------------------------------------------------------------

  liveFd(scriptFd: number): number {
    return this.fdMap.get(scriptFd) ?? scriptFd;
  }

  mapFd(scriptFd: number, liveFd: number): void {
    this.fdMap.set(scriptFd, liveFd);
  }

  isNonBlocking(liveFd: number): boolean {
    return this.nonBlocking.has(liveFd);
  }

  setNonBlockingFlag(liveFd: number, on: boolean): void {
    if (on) this.nonBlocking.add(liveFd);
    else this.nonBlocking.delete(liveFd);
  }

  onListen(liveFd: number): void {
    // run_system_call.c: listen() makes the listener the socket under test; the next inbound
    // packet creates a child connection with a fresh remote port.
    this.underTest = { kind: 'listener' };
    this.passivePort = this.api.listenerOf(liveFd)?.localPort ?? this.bindPort;
  }

  onConnect(liveFd: number): void {
    const conn = this.api.connectionOf(liveFd);
    if (!conn) return;
    const flow = this.flowFor(conn.localPort, conn.remotePort);
    this.underTest = { kind: 'flow', flow };
  }

  // ---- time ---------------------------------------------------------------------------------

  private nowUsecs(): number {
    return Math.round(this.world.sched.now * 1000);
  }

  private tol(scheduledUsecs: number): number {
    const dynamic = (this.tolerancePercent / 100) * Math.max(0, scheduledUsecs - this.lastUsecs);
    return Math.max(this.tolerance, dynamic);
  }

  /**
   * verify_outbound_tcp_option: a TS val's tolerance grows with the time since the script began,
   * not since the previous event, since TS val drift adds up over the whole run.
   */
  private tsValCheck(eventUsecs: number): TsValCheck {
    return { tickUsecs: this.tsTickUsecs, toleranceUsecs: Math.max(this.tolerance, (this.tolerancePercent / 100) * eventUsecs) };
  }

  private resolve(t: PdTime): number {
    if (t.kind === 'absolute') return t.usecs;
    if (t.kind === 'relative') return this.lastUsecs + t.usecs;
    throw new Error('internal: resolve() on * or a range');
  }

  /** Runs the simulation event by event up to and including `usecs`, then sets the clock there. */
  private advanceTo(usecs: number): void {
    const sched = this.world.sched;
    for (;;) {
      const next = sched.nextEventTime();
      if (next === Infinity || Math.round(next * 1000) > usecs) break;
      this.step();
    }
    if (usecs / 1000 > sched.now) sched.runUntil(usecs / 1000);
    this.checkStack();
  }

  private step(): void {
    const sched = this.world.sched;
    if (sched.eventsRun > MAX_EVENTS) this.fail('stack', `runaway simulation: more than ${MAX_EVENTS} events`);
    sched.step();
    this.checkStack();
    this.checkPending();
  }

  /** An exception inside the host (a bug, or a lab region not written yet) fails the script. */
  private checkStack(): void {
    const faults = this.host.faults;
    if (faults.length > this.faultsSeen) {
      const f = faults[this.faultsSeen];
      this.faultsSeen = faults.length;
      this.fail('stack', `the stack raised an exception during ${f.where}: ${f.message}`);
    }
  }

  // ---- events -------------------------------------------------------------------------------

  private event(ev: PdEvent): void {
    const a = ev.action;
    if (a.kind === 'packet') {
      if (a.direction === 'in') this.inbound(ev, a);
      else this.outbound(ev, a);
      return;
    }
    if (a.kind === 'syscall') return this.syscall(ev, a);
    const at = this.startAt(ev);
    if (a.kind === 'shell') {
      this.shell(a.command, ev.line);
    } else {
      this.assertInfo(a);
    }
    this.lastUsecs = at;
  }

  /** Brings the clock to a non-packet, non-syscall event's time; a script going back in time fails. */
  private startAt(ev: PdEvent): number {
    const at = this.resolve(ev.time);
    const now = this.nowUsecs();
    if (at < now - this.tol(at)) {
      this.fail('timing', `the script schedules this event at ${secs(at)} s, but the simulation is already at ${secs(now)} s`);
    }
    this.advanceTo(Math.max(at, now));
    this.trace(`${secs(this.nowUsecs())} ${ev.text}`);
    return Math.max(at, now);
  }

  private inbound(ev: PdEvent, p: PdPacket): void {
    const at = this.startAt(ev);
    const flow = this.flowForInbound(p);
    const seg = inboundSegment(p, flow, this);
    if (typeof seg === 'string') this.fail('packet', seg);
    const remote = this.world.network.hosts().find((n) => n.name === 'remote')!;
    this.world.network.send(remote, encodeSegment(seg), seg);
    this.advanceTo(at);
    this.lastUsecs = at;
  }

  /** Which flow an inbound line belongs to (find_or_create_socket_for_script_packet). */
  private flowForInbound(p: PdPacket): Flow {
    if (p.srcPort !== undefined && p.dstPort !== undefined) {
      const flow = this.flowFor(p.dstPort, p.srcPort);
      if (this.underTest.kind !== 'flow') this.underTest = { kind: 'flow', flow };
      return flow;
    }
    if (this.underTest.kind === 'flow') return this.underTest.flow;
    // A packet for a listener (or for no socket at all) opens a new connection from a new port.
    const flow = this.flowFor(this.passivePort, this.nextRemotePort++);
    this.underTest = { kind: 'flow', flow };
    return flow;
  }

  private flowFor(localPort: number, remotePort: number): Flow {
    let flow = this.flows.find((f) => f.localPort === localPort && f.remotePort === remotePort);
    if (!flow) {
      flow = newFlow(localPort, remotePort);
      this.flows.push(flow);
    }
    return flow;
  }

  private outbound(ev: PdEvent, p: PdPacket): void {
    let flow: Flow | null;
    if (p.srcPort !== undefined && p.dstPort !== undefined) flow = this.flowFor(p.srcPort, p.dstPort);
    else flow = this.underTest.kind === 'flow' ? this.underTest.flow : null;

    // The window the segment must leave in, µs.
    let lo: number;
    let hi: number;
    const t = ev.time;
    if (t.kind === 'any') {
      lo = -Infinity;
      hi = this.nowUsecs() + ANY_TIME_HORIZON_USECS;
    } else if (t.kind === 'range') {
      lo = this.resolve(t.lo);
      hi = this.resolve(t.hi);
    } else {
      lo = hi = this.resolve(t);
    }
    const tol = Number.isFinite(lo) ? this.tol(lo) : 0;
    const first = this.awaitSegment(hi + tol);
    const when = t.kind === 'any' ? 'at any time' : lo === hi ? `at ${secs(lo)} s` : `between ${secs(lo)} and ${secs(hi)} s`;
    if (!first) {
      // Look further ahead only to make the report precise: a late segment is a timing error.
      const deadline = this.nowUsecs();
      const late = t.kind !== 'any' ? this.awaitSegment(deadline + LOOKAHEAD_USECS) : null;
      const lateMatches = late !== null && flow !== null && compareOutbound(p, [late.seg], { ...flow, tsVals: new Map(flow.tsVals) }, this.tsValCheck(late.usecs)) === null;
      if (late && lateMatches) {
        this.failAt('timing', late.usecs, `timing error: expected this segment ${when}${tol ? ` (tolerance ${secs(tol)} s)` : ''}, but it was sent at ${secs(late.usecs)} s`, {
          expected: ev.text,
          actual: `${secs(late.usecs)} > ${formatActual(late.seg, flow)}`,
        });
      }
      this.failAt('missing', deadline, `expected the stack to send this segment ${when}, but it sent nothing by ${secs(deadline)} s`, {
        expected: ev.text,
        ...(late ? { actual: `${secs(late.usecs)} > ${formatActual(late.seg, flow)} (the next segment it sent)` } : {}),
      });
    }
    if (!flow) this.fail('packet', 'no connection under test for an outbound packet (no listen(), connect() or inbound packet before it)');
    const group = [first];
    this.nextSent++;
    // Outbound aggregation (run_packet.c, not in --strict_segments mode): a scripted segment may be
    // sent as several consecutive ones, e.g. split at the MSS.
    let len = first.seg.payload.length;
    while (!this.strictSegments && len < p.len) {
      const next = this.awaitSegment(first.usecs + tol);
      const prev = group[group.length - 1].seg;
      if (!next || next.seg.srcPort !== prev.srcPort || next.seg.dstPort !== prev.dstPort ||
          next.seg.seq !== ((prev.seq + prev.payload.length) >>> 0) || next.seg.payload.length === 0 || prev.flags & 0x01) break;
      group.push(next);
      this.nextSent++;
      len += next.seg.payload.length;
    }
    const mismatch = compareOutbound(p, group.map((s) => s.seg), flow, this.tsValCheck(Number.isFinite(lo) ? lo : first.usecs));
    const actualText = `${secs(first.usecs)} > ${group.map((s) => formatActual(s.seg, flow)).join(' + ')}`;
    if (mismatch) {
      this.failAt('packet', first.usecs, `the stack sent a different segment: ${mismatch.field} expected ${mismatch.expected} vs actual ${mismatch.actual}`, {
        expected: ev.text,
        actual: actualText,
      });
    }
    if (t.kind !== 'any' && (first.usecs < lo - tol || first.usecs > hi + tol)) {
      this.failAt('timing', first.usecs, `timing error: expected this segment ${when}${tol ? ` (tolerance ${secs(tol)} s)` : ''}, but it was sent at ${secs(first.usecs)} s`, {
        expected: ev.text,
        actual: actualText,
      });
    }
    this.trace(actualText);
    this.lastUsecs = first.usecs;
  }

  /** The next segment the stack sent, running the simulation until one appears or `deadline` passes. */
  private awaitSegment(deadline: number): Sent | null {
    const sched = this.world.sched;
    while (this.nextSent >= this.sent.length) {
      const next = sched.nextEventTime();
      if (next === Infinity || Math.round(next * 1000) > deadline) {
        if (Number.isFinite(deadline) && deadline > this.nowUsecs()) this.advanceTo(deadline);
        return this.nextSent < this.sent.length ? this.sent[this.nextSent] : null;
      }
      this.step();
    }
    return this.sent[this.nextSent];
  }

  private capture(packet: Uint8Array): void {
    const r = decodeSegment(packet);
    if (!r.ok) {
      this.fail('stack', `the stack sent a packet that does not decode (${r.error.code}): ${r.error.detail}`);
    }
    this.sent.push({ seg: r.segment, usecs: this.nowUsecs() });
  }

  // ---- system calls -------------------------------------------------------------------------

  private syscall(ev: PdEvent, sc: PdSyscall): void {
    // run_system_call.c: a call waits for the previous blocking call to return.
    this.finishPending();
    const at = this.startAt(ev);
    const tol = this.tol(at);
    const expected = expectedOutcome(sc);
    const started = startSyscall(this, sc, expected);
    if (started.kind === 'done') {
      this.checkOutcome(ev, expected, started.outcome);
      const problem = started.check?.();
      if (problem) this.fail('syscall', problem);
    } else if (ev.end) {
      const end = ev.end.kind === 'absolute' ? ev.end.usecs : ev.end.kind === 'relative' ? this.lastUsecs + ev.end.usecs : at;
      this.pending = { ev, call: started.call, finish: started.finish, check: started.check, expected, end, tol };
      this.checkPending();
    } else {
      // No end time: the call must return at once (packetdrill expects a non-blocking call).
      if (!started.call.done) this.advanceTo(at + tol);
      if (!started.call.done) {
        this.fail('syscall', `${sc.name}() blocked; the script expects it to return at once (write an end time, as in +0...0.5 ${sc.name}(...), for a blocking call)`);
      }
      this.checkOutcome(ev, expected, started.finish(started.call.result!));
      const problem = started.check?.();
      if (problem) this.fail('syscall', problem);
    }
    this.advanceTo(at);
    this.lastUsecs = at;
  }

  /** A blocking call finished while the simulation ran: check what it returned, and when. */
  private checkPending(): void {
    const p = this.pending;
    if (!p || !p.call.done) return;
    this.pending = null;
    const doneAt = Math.round(p.call.doneAt * 1000);
    const saved = this.current;
    this.current = p.ev;
    this.checkOutcome(p.ev, p.expected, p.finish(p.call.result!), doneAt);
    const problem = p.check?.();
    if (problem) this.failAt('syscall', doneAt, problem);
    if (Math.abs(doneAt - p.end) > p.tol) {
      this.failAt('timing', doneAt, `timing error: expected the blocking call to return at ${secs(p.end)} s, but it returned at ${secs(doneAt)} s`);
    }
    this.current = saved;
  }

  /** Runs the simulation until a pending blocking call returns, or fails once its time is past. */
  private finishPending(): void {
    const p = this.pending;
    if (!p) return;
    this.advanceTo(Math.max(this.nowUsecs(), p.end + p.tol));
    if (this.pending === p) {
      this.current = p.ev;
      this.fail('syscall', `the blocking call had not returned by ${secs(p.end)} s, when the script expects it to`);
    }
  }

  private checkOutcome(ev: PdEvent, expected: Outcome | 'any', actual: Outcome, usecs = this.nowUsecs()): void {
    if (expected === 'any') return;
    const same = expected.ok === actual.ok && (expected.ok ? expected.value === (actual as { value: number }).value : expected.errno === (actual as { errno: string }).errno);
    if (!same) {
      const sc = ev.action as PdSyscall;
      this.failAt('syscall', usecs, `${sc.name}() returned ${outcomeText(actual)}, the script expects ${outcomeText(expected)}`);
    }
  }

  // ---- shell lines and tcp_info asserts ------------------------------------------------------

  private shell(command: string, line: number): void {
    const plan = planShell(command);
    if (!plan.ok) throw new Error(`internal: unsupported shell command reached the runner: ${plan.unsupported}`);
    this.log.push(...plan.notes);
    for (const s of plan.settings) this.sysctl(s, line);
    for (const n of plan.nstat) this.nstat(n.greps, n.update);
    for (const q of plan.qdisc) this.host.egressDrops = q === 'drop-all';
  }

  /**
   * nstat: the counters that changed since the previous nstat, one line each as nstat prints
   * them ("TcpExtTCPLossProbes   1   0.0"); the interval then restarts unless `update` is false
   * (`nstat -s`). A pipeline of greps fails the script, as a shell command returning non-zero
   * does, when no line is left.
   */
  private nstat(greps: string[], update: boolean): void {
    const lines: string[] = [];
    const now = new Map(this.host.mib.nstat());
    for (const [name, value] of now) {
      const delta = value - (this.nstatBase.get(name) ?? 0);
      if (delta !== 0) lines.push(`${name.padEnd(32)}${String(delta).padStart(10)}${'0.0'.padStart(16)}`);
    }
    if (update) this.nstatBase = now;
    if (greps.length === 0) return;
    const left = lines.filter((l) => greps.every((g) => l.includes(g)));
    if (left.length === 0) {
      const shown = lines.length ? lines.map((l) => `  ${l.trim().replace(/\s+/g, ' ')}`).join('\n') : '  (no counter changed)';
      this.fail('shell', `nstat check failed: no counter line matches ${greps.map((g) => `"${g}"`).join(' and ')}; nstat printed:\n${shown}`);
    }
  }

  private sysctl(s: SysctlSetting, line: number): void {
    // Vector knobs (tcp_rmem "4096 540000 15728640") are space-separated integers.
    const parts = s.value.trim().split(/\s+/).map(Number);
    const value = parts.length === 1 ? parts[0] : parts;
    try {
      this.host.sysctl.set(s.name, value);
    } catch (e) {
      const saved = this.current;
      if (!saved || saved.line !== line) this.current = { line, text: '', time: { kind: 'absolute', usecs: 0 }, action: { kind: 'shell', command: '' } };
      const msg = e instanceof Error ? e.message : String(e);
      this.fail('shell', /unknown sysctl/.test(msg) ? `unsupported: ${msg}; the simulated stack does not model it` : msg);
    }
  }

  private assertInfo(code: PdCode): void {
    const info = this.snapshot();
    for (const a of code.asserts) {
      const raw = info[a.field as keyof TcpInfo];
      const mask = a.mask === undefined ? undefined : typeof a.mask === 'number' ? a.mask : TCPI_CONSTANTS[a.mask];
      const actual = mask === undefined ? raw : raw & mask;
      const want = typeof a.value === 'number' ? a.value : TCPI_CONSTANTS[a.value];
      const ok =
        a.op === '==' ? actual === want : a.op === '!=' ? actual !== want : a.op === '<' ? actual < want
        : a.op === '<=' ? actual <= want : a.op === '>' ? actual > want : actual >= want;
      if (!ok) {
        const name = a.field === 'tcpi_state' ? ` (${stateName(actual)})` : '';
        const lhs = a.mask === undefined ? a.field : `(${a.field} & ${a.mask})`;
        this.fail('assert', `assert ${lhs} ${a.op} ${a.value} failed: ${lhs} is ${actual}${name}${a.message ? `: ${a.message}` : ''}`);
      }
    }
  }

  /**
   * tcp_info of the connection under test. packetdrill reads it through the socket's descriptor;
   * here the connection is found by its 4-tuple, so a closed (orphaned) socket in FIN_WAIT_2 or
   * TIME_WAIT can still be inspected; one the stack dropped reads through a descriptor still
   * open on it (state CLOSE, its counters kept), and one that no longer exists at all as a blank
   * TCPI_CLOSE.
   */
  private snapshot(): TcpInfo {
    const blank = (state: number): TcpInfo => ({
      tcpi_state: state, tcpi_retransmits: 0, tcpi_probes: 0, tcpi_backoff: 0, tcpi_options: 0, tcpi_snd_wscale: 0,
      tcpi_rcv_wscale: 0, tcpi_rto: 0, tcpi_ato: 0, tcpi_snd_mss: 0, tcpi_rcv_mss: 0, tcpi_advmss: 0, tcpi_unacked: 0,
      tcpi_last_data_recv: 0, tcpi_rtt: 0, tcpi_rttvar: 0, tcpi_snd_cwnd: 0, tcpi_snd_ssthresh: 0, tcpi_total_retrans: 0,
      tcpi_ca_state: 0, tcpi_sacked: 0, tcpi_lost: 0, tcpi_notsent_bytes: 0, tcpi_reordering: 0, tcpi_fackets: 0, tcpi_retrans: 0,
      tcpi_busy_time: 0, tcpi_rwnd_limited: 0, tcpi_sndbuf_limited: 0,
    });
    if (this.underTest.kind === 'listener') return blank(TCPI_STATE.LISTEN);
    if (this.underTest.kind === 'none') return blank(TCPI_STATE.CLOSED);
    const f = this.underTest.flow;
    for (const c of this.host.connections.values()) {
      if (c.localPort === f.localPort && c.remotePort === f.remotePort && c.remoteAddr === this.remoteAddr) return tcpInfo(c);
    }
    for (const r of this.host.requests.values()) {
      if (r.localPort === f.localPort && r.remotePort === f.remotePort) return blank(TCPI_STATE.SYN_RECV);
    }
    // A connection the stack has given up on (timed out, reset) while the script still holds its
    // descriptor: Linux's tcp_info reads that socket, in CLOSE, with its counters as they were.
    for (const live of this.fdMap.values()) {
      const c = this.api.connectionOf(live);
      if (c && c.localPort === f.localPort && c.remotePort === f.remotePort && c.remoteAddr === this.remoteAddr) return tcpInfo(c);
    }
    return blank(TCPI_STATE.CLOSED);
  }

  // ---- failures -----------------------------------------------------------------------------

  private trace(line: string): void {
    if (this.opts.verbose) this.log.push(line);
  }

  private fail(kind: FailureKind, message: string, extra: { expected?: string; actual?: string } = {}): never {
    return this.failAt(kind, this.nowUsecs(), message, extra);
  }

  private failAt(kind: FailureKind, usecs: number, message: string, extra: { expected?: string; actual?: string } = {}): never {
    const ev = this.current;
    throw new Failed({ kind, line: ev?.line ?? 0, text: ev?.text ?? '', usecs, message, ...extra });
  }
}

function stateName(n: number): string {
  return Object.entries(TCPI_STATE).find(([, v]) => v === n)?.[0] ?? '?';
}

/** A failure as the CLI prints it: where, what, and the expected vs actual segment. */
export function formatFailure(f: PdFailure): string {
  const lines = [`line ${f.line} at ${secs(f.usecs)} s: ${f.message}`];
  if (f.expected !== undefined) lines.push(`  script: ${f.expected}`);
  if (f.actual !== undefined) lines.push(`  actual: ${f.actual}`);
  if (f.expected === undefined && f.text) lines.push(`  script: ${f.text}`);
  return lines.join('\n');
}
