/**
 * Hand-made ScenarioRuns: small enough to know every number in them, so a test can say exactly
 * what the figure must show. Relative seq/ack follow Wireshark's convention (ISN = 0).
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type {
  QueueEvent,
  SegmentEvent,
  StateEvent,
  TcpStateName,
  TimerEvent,
  TraceEvent,
} from '../../../stack/core/observe/trace.ts';
import type { TcpOption } from '../../../stack/core/wire/segment.ts';

export const CLIENT = '10.0.0.1:40000';
export const SERVER = '10.0.0.2:80';
const SYN_OPTIONS: TcpOption[] = [
  { kind: 'mss', value: 1460 },
  { kind: 'sackOK' },
  { kind: 'ts', val: 100, ecr: 0 },
  { kind: 'nop' },
  { kind: 'wscale', shift: 7 },
];

let nextId = 0;

export function seg(
  p: Partial<SegmentEvent> & Pick<SegmentEvent, 'from' | 't' | 'flags'>,
): SegmentEvent {
  const fromClient = p.from === 'client';
  const defaults: SegmentEvent = {
    kind: 'segment',
    id: nextId++,
    t: p.t,
    arriveAt: p.t + 0.5,
    fate: 'delivered',
    from: p.from,
    to: fromClient ? 'server' : 'client',
    src: fromClient ? CLIENT : SERVER,
    dst: fromClient ? SERVER : CLIENT,
    flags: p.flags,
    seq: 1000,
    ack: 0,
    relSeq: 0,
    relAck: 0,
    len: 0,
    win: 65535,
    options: p.flags.includes('S') ? SYN_OPTIONS : [],
  };
  return { ...defaults, ...p };
}

export function state(host: string, t: number, from: TcpStateName, to: TcpStateName, cause: string): StateEvent {
  const conn = host === 'client' ? `${CLIENT}>${SERVER}` : `${SERVER}>${CLIENT}`;
  return { kind: 'state', t, host, conn, from, to, cause };
}

export function timer(host: string, t: number, name: TimerEvent['timer'], action: TimerEvent['action'], due?: number): TimerEvent {
  const conn = host === 'client' ? `${CLIENT}>${SERVER}` : `${SERVER}>${CLIENT}`;
  return due === undefined ? { kind: 'timer', t, host, conn, timer: name, action } : { kind: 'timer', t, host, conn, timer: name, action, due };
}

export function queue(t: number, synQueue: number, acceptQueue: number, backlog = 4): QueueEvent {
  return { kind: 'queue', t, host: 'server', listener: SERVER, synQueue, acceptQueue, backlog };
}

export function makeRun(name: string, trace: TraceEvent[], extra: Partial<ScenarioRun> = {}): ScenarioRun {
  const endTime = Math.max(0, ...trace.map((e) => (e.kind === 'segment' && e.arriveAt !== null ? e.arriveAt : e.t)));
  return {
    info: { name, chapter: 'handshake', title: `Fixture ${name}`, description: 'hand-made', lanes: ['client', 'server'], duration: endTime },
    seed: 1,
    sysctls: {},
    hosts: [
      { name: 'client', addr: '10.0.0.1' },
      { name: 'server', addr: '10.0.0.2' },
    ],
    trace,
    endTime,
    nstat: {},
    ss: {},
    metrics: {},
    ...extra,
  };
}

/** 3 segments, 4 state changes. */
export function handshakeRun(): ScenarioRun {
  return makeRun('handshake', [
    { kind: 'syscall', t: 0, host: 'client', call: 'connect(3, 10.0.0.2:80)', result: '0' },
    state('client', 0, 'CLOSED', 'SYN_SENT', 'connect()'),
    seg({ from: 'client', t: 0, flags: 'S' }),
    state('server', 0.5, 'LISTEN', 'SYN_RECV', 'SYN received'),
    seg({ from: 'server', t: 0.5, flags: 'S.', relAck: 1, win: 65160 }),
    state('client', 1, 'SYN_SENT', 'ESTABLISHED', 'SYN-ACK received'),
    seg({ from: 'client', t: 1, flags: '.', relSeq: 1, relAck: 1, win: 502, options: [] }),
    state('server', 1.5, 'SYN_RECV', 'ESTABLISHED', 'ACK of SYN received'),
  ]);
}

/** The SYN-ACK is lost; the server's SYN-ACK timer (1 s, TCP_TIMEOUT_INIT) resends it. */
export function lostSynAckRun(): ScenarioRun {
  return makeRun('handshake-lost-synack', [
    state('client', 0, 'CLOSED', 'SYN_SENT', 'connect()'),
    seg({ from: 'client', t: 0, flags: 'S' }),
    state('server', 0.5, 'LISTEN', 'SYN_RECV', 'SYN received'),
    seg({ from: 'server', t: 0.5, flags: 'S.', relAck: 1, arriveAt: null, fate: 'dropped-by-rule' }),
    timer('server', 0.5, 'synack', 'set', 1000.5),
    timer('server', 1000.5, 'synack', 'fire'),
    seg({ from: 'server', t: 1000.5, flags: 'S.', relAck: 1 }),
    state('client', 1001, 'SYN_SENT', 'ESTABLISHED', 'SYN-ACK received'),
    seg({ from: 'client', t: 1001, flags: '.', relSeq: 1, relAck: 1, options: [] }),
    state('server', 1001.5, 'SYN_RECV', 'ESTABLISHED', 'ACK of SYN received'),
  ]);
}

/** Active close by the client, then 60 s of TIME_WAIT (TCP_TIMEWAIT_LEN). */
export function timeWaitRun(): ScenarioRun {
  return makeRun('teardown', [
    state('client', 0, 'ESTABLISHED', 'FIN_WAIT_1', 'close()'),
    seg({ from: 'client', t: 0, flags: 'F.', relSeq: 1, relAck: 1 }),
    timer('client', 0, 'retransmit', 'set', 1000),
    state('server', 0.5, 'ESTABLISHED', 'CLOSE_WAIT', 'FIN received'),
    seg({ from: 'server', t: 0.5, flags: '.', relSeq: 1, relAck: 2 }),
    state('client', 1, 'FIN_WAIT_1', 'FIN_WAIT_2', 'ACK of FIN received'),
    timer('client', 1, 'retransmit', 'cancel'),
    state('server', 10, 'CLOSE_WAIT', 'LAST_ACK', 'close()'),
    seg({ from: 'server', t: 10, flags: 'F.', relSeq: 1, relAck: 2 }),
    state('client', 10.5, 'FIN_WAIT_2', 'TIME_WAIT', 'FIN received'),
    timer('client', 10.5, 'time-wait', 'set', 60010.5),
    seg({ from: 'client', t: 10.5, flags: '.', relSeq: 2, relAck: 2 }),
    state('server', 11, 'LAST_ACK', 'CLOSED', 'ACK of FIN received'),
    timer('client', 60010.5, 'time-wait', 'fire'),
    state('client', 60010.5, 'TIME_WAIT', 'CLOSED', 'TIME_WAIT expired'),
  ]);
}

/**
 * Six clients connect to a listener with backlog 4 that never calls accept(): the accept queue
 * fills to backlog + 1 = 5, the sixth final ACK is dropped (ListenOverflows).
 */
export function queueOverflowRun(): ScenarioRun {
  const trace: TraceEvent[] = [queue(0, 0, 0)];
  for (let i = 0; i < 6; i++) {
    const t = 10 * i;
    trace.push(queue(t + 0.5, 1, Math.min(i, 5)));
    trace.push(queue(t + 1.5, 0, Math.min(i + 1, 5)));
  }
  trace.push(queue(60, 1, 5));
  trace.push(queue(62, 0, 5));
  return makeRun('accept-queue-overflow', trace, {
    nstat: { server: { ListenOverflows: 2, ListenDrops: 2, TCPTimeouts: 1 } },
  });
}

/** Keepalive on an idle connection: 7200 s of silence, then a probe and its answer. */
export function keepaliveRun(): ScenarioRun {
  return makeRun('keepalive-alive-peer', [
    seg({ from: 'client', t: 0, flags: '.', relSeq: 1, relAck: 1, options: [] }),
    timer('client', 0.5, 'keepalive', 'set', 7200000.5),
    timer('client', 7200000.5, 'keepalive', 'fire'),
    seg({ from: 'client', t: 7200000.5, flags: '.', relSeq: 0, relAck: 1, options: [] }),
    timer('client', 7200000.5, 'keepalive', 'set', 7275000.5),
    seg({ from: 'server', t: 7200001, flags: '.', relSeq: 1, relAck: 1, options: [] }),
    timer('client', 7200001.5, 'keepalive', 'cancel'),
  ]);
}

/** A flood: 2000 spoofed SYNs from the attacker, then a legitimate handshake. */
export function floodRun(): ScenarioRun {
  const trace: TraceEvent[] = [];
  for (let i = 0; i < 2000; i++) {
    const spoofed = `198.18.${(i >> 8) & 255}.${i & 255}:1234`;
    if (i < 50) {
      // The listener keeps a request sock for the first spoofed SYNs (until its SYN queue fills).
      trace.push({ kind: 'state', t: i * 0.05 + 0.5, host: 'server', conn: `${SERVER}>${spoofed}`, from: 'LISTEN', to: 'SYN_RECV', cause: 'SYN received' });
      trace.push({ kind: 'timer', t: i * 0.05 + 0.5, host: 'server', conn: `${SERVER}>${spoofed}`, timer: 'synack', action: 'set', due: i * 0.05 + 1000.5 });
    }
    trace.push(
      seg({
        from: 'attacker',
        to: 'server',
        src: spoofed,
        dst: SERVER,
        t: i * 0.05,
        flags: 'S',
      }),
    );
  }
  const hs = handshakeRun().trace.map((e) => ({ ...e, t: e.t + 200, ...(e.kind === 'segment' && e.arriveAt !== null ? { arriveAt: e.arriveAt + 200 } : {}) }));
  // As in the stack's runs, the attacker is not one of the run's hosts: it has no address of its own.
  return makeRun('syn-flood', [...trace, ...(hs as TraceEvent[])]);
}
