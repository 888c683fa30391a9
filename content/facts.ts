/**
 * The figures the chapters quote, computed by running the stack. Prose wraps a number in
 * `<Fact id="...">`; content/tests/facts.test.ts fails when the text and the stack disagree.
 * Each fact is a list of numbers in the unit the prose uses (seconds, milliseconds, counts).
 */
import { runScenario } from '../stack/core/scenarios/index.ts';
import { World } from '../stack/core/world.ts';
import { SynFlooder } from '../stack/core/sim/attacker.ts';
import { parseAddr } from '../stack/core/wire/format.ts';
import { sysctlSpec } from '../stack/core/tcp/sysctl.ts';
import { MSS_TABLE, MAX_COOKIE_AGE } from '../stack/core/tcp/syncookies.ts';
import { DELACK_MAX_MS } from '../stack/core/tcp/output.ts';
import type { TraceEvent } from '../stack/core/observe/trace.ts';

export interface FactSpec {
  /** What the number is, and where it comes from. */
  about: string;
  compute(): number[];
}

const s = (ms: number) => ms / 1000;
const num = (v: unknown): number => {
  if (typeof v !== 'number') throw new Error(`expected a number, got ${JSON.stringify(v)}`);
  return v;
};
const list = (v: unknown): number[] => {
  if (!Array.isArray(v)) throw new Error(`expected a list, got ${JSON.stringify(v)}`);
  return v as number[];
};

const memo = new Map<string, unknown>();
function once<T>(key: string, f: () => T): T {
  if (!memo.has(key)) memo.set(key, f());
  return memo.get(key) as T;
}
const scenario = (name: string, sysctls: Record<string, number> = {}) =>
  once(`${name} ${JSON.stringify(sysctls)}`, () => runScenario(name, { sysctls }));

/** A request sock whose final ACK never comes: one spoofed SYN to a listener. */
function lonelySynAck(): { synAcks: number[]; droppedAt: number } {
  return once('lonely', () => {
    const w = new World({ seed: 1 });
    const server = w.addHost('server', '10.0.0.2');
    const fd = server.api.socket();
    if (!fd.ok) throw new Error('socket');
    server.api.bind(fd.value, 0, 80);
    server.api.listen(fd.value, 128);
    new SynFlooder(w.network, w.sched, w.random.fork(), {
      target: server.addr, port: 80, rate: 1, count: 1, sourceBase: parseAddr('198.18.0.1'), sourceCount: 1,
    }).start(0);
    w.runUntil(120_000);
    const ev = w.trace.events as TraceEvent[];
    const synAcks = ev.filter((e) => e.kind === 'segment' && e.from === 'server' && e.flags === 'S.').map((e) => e.t);
    const dropped = ev.find((e) => e.kind === 'state' && e.host === 'server' && e.from === 'SYN_RECV' && e.to === 'CLOSED');
    const first = synAcks[0];
    return { synAcks: synAcks.map((t) => t - first), droppedAt: dropped ? dropped.t - first : -1 };
  });
}

/** The most request socks a listener with listen(fd, 4096) holds under a flood of forged SYNs. */
function floodHalfOpenLimit(sysctls: Record<string, number>): number {
  return once(`halfopen ${JSON.stringify(sysctls)}`, () => {
    const w = new World({ seed: 1, sysctls });
    const server = w.addHost('server', '10.0.0.2');
    const fd = server.api.socket();
    if (!fd.ok) throw new Error('socket');
    server.api.bind(fd.value, 0, 80);
    server.api.listen(fd.value, 4096);
    new SynFlooder(w.network, w.sched, w.random.fork(), {
      target: server.addr, port: 80, rate: 10_000, count: 6000, sourceBase: parseAddr('198.18.0.0'), sourceCount: 65536,
    }).start(0);
    w.runUntil(700);
    let most = 0;
    for (const e of w.trace.events as TraceEvent[]) if (e.kind === 'queue' && e.host === 'server') most = Math.max(most, e.synQueue);
    return most;
  });
}

/** An orphaned FIN_WAIT_1 whose FINs are all lost: fin-wait-2-timeout with every client FIN dropped. */
function orphanFinRetries(): { finTimes: number[]; probes: number; closedAt: number } {
  return once('orphan-fin', () => {
    const run = runScenario('fin-wait-2-timeout', { faults: ['drop F. from client x*'], until: 200_000 });
    const finTimes = run.trace.filter((e) => e.kind === 'segment' && e.from === 'client' && e.flags.includes('F')).map((e) => e.t);
    // With SACK negotiated the first resend is a tail loss probe, which tcp_orphan_retries does not count.
    const probes = run.trace.filter((e) => e.kind === 'timer' && e.host === 'client' && e.timer === 'loss-probe' && e.action === 'fire').length;
    const closed = run.trace.find((e) => e.kind === 'state' && e.host === 'client' && e.from === 'FIN_WAIT_1' && e.to === 'CLOSED');
    if (!closed || finTimes.length === 0) throw new Error('the orphaned FIN_WAIT_1 never gave up');
    return { finTimes, probes, closedAt: closed.t };
  });
}

export const FACTS: Record<string, FactSpec> = {
  'syn.sendTimes': { about: 'SYNs of connect() to a silent host (s), connect-timeout', compute: () => list(scenario('connect-timeout').metrics.synTimes).map(s) },
  'syn.connectTimeout': { about: 'connect() fails with ETIMEDOUT (s), connect-timeout', compute: () => [s(num(scenario('connect-timeout').metrics.failedAt))] },
  'syn.sendTimesLegacy': {
    about: 'the same with tcp_syn_linear_timeouts=0 (s)',
    compute: () => list(scenario('connect-timeout', { 'net.ipv4.tcp_syn_linear_timeouts': 0 }).metrics.synTimes).map(s),
  },
  'syn.connectTimeoutLegacy': {
    about: 'connect() fails with tcp_syn_linear_timeouts=0 (s)',
    compute: () => [s(num(scenario('connect-timeout', { 'net.ipv4.tcp_syn_linear_timeouts': 0 }).metrics.failedAt))],
  },
  'synack.sendTimes': { about: 'SYN-ACKs of a request whose ACK never comes (s after the first)', compute: () => lonelySynAck().synAcks.map(s) },
  'synack.dropAt': { about: 'that request is dropped (s after the first SYN-ACK)', compute: () => [s(lonelySynAck().droppedAt)] },
  'synack.firstRetransmit': { about: 'a lost SYN-ACK is sent again after (s), handshake-lost-synack', compute: () => [s(num(scenario('handshake-lost-synack').metrics.synAckRetransmitAfter))] },
  'rto.initial': {
    about: 'the first SYN retransmission timeout (s), connect-timeout',
    compute: () => {
      const t = list(scenario('connect-timeout').metrics.synTimes);
      return [s(t[1] - t[0])];
    },
  },
  'rto.min': { about: 'net.ipv4.tcp_rto_min_us (ms)', compute: () => [sysctlDefault('net.ipv4.tcp_rto_min_us')[0] / 1000] },
  'rto.max': { about: 'net.ipv4.tcp_rto_max_ms (s)', compute: () => [s(sysctlDefault('net.ipv4.tcp_rto_max_ms')[0])] },
  'timewait.duration': { about: 'time the active closer spends in TIME_WAIT (s), teardown', compute: () => [s(num(scenario('teardown').metrics.timeWaitDuration))] },
  'finwait2.timeout': { about: 'an orphaned FIN_WAIT_2 socket is freed after (s), fin-wait-2-timeout', compute: () => [s(num(scenario('fin-wait-2-timeout').metrics.finWait2Duration))] },
  'delack.min': {
    about: "delay of the server's ACK of the client's FIN on a connection that carried data (ms), teardown",
    compute: () => {
      const ev = scenario('teardown').trace;
      const fin = ev.find((e) => e.kind === 'segment' && e.from === 'client' && e.flags === 'F.');
      const ack = ev.find((e) => e.kind === 'segment' && e.from === 'server' && e.flags === '.' && fin && fin.kind === 'segment' && e.t >= (fin.arriveAt ?? Infinity));
      if (!fin || fin.kind !== 'segment' || !ack) throw new Error('teardown has no FIN and ACK');
      return [ack.t - fin.arriveAt!];
    },
  },
  'delack.max': { about: 'TCP_DELACK_MAX (ms)', compute: () => [DELACK_MAX_MS] },
  'keepalive.firstProbe': { about: 'idle time before the first probe (s), keepalive-dead-peer', compute: () => [s(list(scenario('keepalive-dead-peer').metrics.probeIdleTimes)[0])] },
  'keepalive.interval': {
    about: 'interval between probes (s), keepalive-dead-peer',
    compute: () => {
      const t = list(scenario('keepalive-dead-peer').metrics.probeIdleTimes);
      return [s(t[1] - t[0])];
    },
  },
  'keepalive.probes': { about: 'probes sent before giving up, keepalive-dead-peer', compute: () => [num(scenario('keepalive-dead-peer').metrics.probes)] },
  'keepalive.deadAt': { about: 'idle time at which the connection is reset (s), keepalive-dead-peer', compute: () => [s(num(scenario('keepalive-dead-peer').metrics.serverErrorIdle))] },
  'queues.backlog': { about: 'listen() backlog in accept-queue-overflow', compute: () => [num(scenario('accept-queue-overflow').metrics.backlog)] },
  'queues.acceptQueueHolds': { about: 'the most connections its accept queue held', compute: () => [num(scenario('accept-queue-overflow').metrics.acceptQueueMax)] },
  'synqueue.backlogLimit': {
    about: 'request socks a listen(fd, 4096) listener holds under a flood with cookies on (backlog + 1)',
    compute: () => [floodHalfOpenLimit({})],
  },
  'synqueue.unprovenLimit': {
    about: 'request socks the same listener holds with tcp_syncookies=0 and tcp_max_syn_backlog at its floor (about ¾ of 128)',
    compute: () => [floodHalfOpenLimit({ 'net.ipv4.tcp_syncookies': 0 })],
  },
  'flood.ratePerSlotCookiesOn': {
    about: 'forged SYNs per second that keep backlog + 1 slots full for 63 s each (rounded)',
    compute: () => [Math.round(floodHalfOpenLimit({}) / s(lonelySynAck().droppedAt))],
  },
  'orphan.finSends': { about: 'FINs an orphaned FIN_WAIT_1 sends to a silent peer (original + loss probe + retries)', compute: () => [orphanFinRetries().finTimes.length] },
  'orphan.finProbes': { about: 'tail loss probes among them (RACK-TLP; not counted as retries)', compute: () => [orphanFinRetries().probes] },
  'orphan.finRetries': {
    about: 'retransmissions by the retransmission timer (tcp_orphan_retries=0 means 8)',
    compute: () => [orphanFinRetries().finTimes.length - 1 - orphanFinRetries().probes],
  },
  'orphan.giveUpAfter': {
    about: 'that orphan is destroyed this long after its first FIN (s, rounded)',
    compute: () => {
      const o = orphanFinRetries();
      return [Math.round(s(o.closedAt - o.finTimes[0]))];
    },
  },
  'queues.acceptQueueHoldsSomaxconn2': {
    about: 'the accept queue of accept-queue-overflow (listen backlog 4) with net.core.somaxconn=2',
    compute: () => [num(scenario('accept-queue-overflow', { 'net.core.somaxconn': 2 }).metrics.acceptQueueMax)],
  },
  'keepalive.deadAtIdle15': {
    about: 'keepalive-dead-peer with tcp_keepalive_time=15: idle time at which the connection is reset (s)',
    compute: () => [s(num(scenario('keepalive-dead-peer', { 'net.ipv4.tcp_keepalive_time': 15 }).metrics.serverErrorIdle))],
  },
  'ports.ephemeralCount': {
    about: 'ports in the default net.ipv4.ip_local_port_range (high − low + 1)',
    compute: () => {
      const [low, high] = sysctlDefault('net.ipv4.ip_local_port_range');
      return [high - low + 1];
    },
  },
  'ports.newConnectionsPerSecond': {
    about: 'new connections per second to one destination that keep every ephemeral port in TIME_WAIT (rounded down)',
    compute: () => {
      const [low, high] = sysctlDefault('net.ipv4.ip_local_port_range');
      return [Math.floor((high - low + 1) / s(num(scenario('teardown').metrics.timeWaitDuration)))];
    },
  },
  'cookie.mssTable': { about: 'the MSS values a SYN cookie can carry', compute: () => [...MSS_TABLE] },
  'cookie.maxAgeMinutes': { about: 'minutes a cookie stays valid', compute: () => [MAX_COOKIE_AGE] },
};

/** A sysctl's v6.18 default as the stack declares it (one number, or a vector such as tcp_rmem). */
function sysctlDefault(name: string): number[] {
  const spec = sysctlSpec(name);
  if (!spec) throw new Error(`unknown sysctl in fact id "sysctl:${name}"`);
  return typeof spec.default === 'number' ? [spec.default] : [...spec.default];
}

/** The numbers the stack gives for a fact id, including `sysctl:<name>` defaults. */
export function factValue(id: string): number[] {
  if (id.startsWith('sysctl:')) {
    return sysctlDefault(id.slice('sysctl:'.length));
  }
  const f = FACTS[id];
  if (!f) throw new Error(`unknown fact id "${id}" (known: ${Object.keys(FACTS).join(', ')}, sysctl:<name>)`);
  return f.compute();
}
