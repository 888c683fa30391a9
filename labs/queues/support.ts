/**
 * Helpers for the queues tests: a listener built by the reference code, peers on several ports
 * opening connections, the nstat counters and ss rows a test checks, and the kernel-log line
 * Linux prints for a SYN flood. Expected values are written in the tests from Linux's rules
 * (tcp_conn_request, sk_acceptq_is_full, tcp_check_req), never computed by the code under test.
 */
import type { Host } from '../../stack/core/host.ts';
import type { MibName } from '../../stack/core/tcp/mib.ts';
import { ssRows } from '../../stack/core/observe/ss.ts';
import type { TcpSegment } from '../../stack/core/wire/segment.ts';
import { listen, type ListenFixture } from '../../stack/testing/fixtures.ts';
import type { PeerHarness } from '../../stack/testing/harness.ts';
import type { LabTestContext } from '../kit/context.ts';
import { labSide } from '../kit/side.ts';

/** The counters a listener's decisions bump, in nstat's order. */
export const QUEUE_COUNTERS = ['ListenOverflows', 'ListenDrops', 'TCPReqQFullDoCookies', 'TCPReqQFullDrop'] as const satisfies readonly MibName[];
export type QueueCounter = (typeof QUEUE_COUNTERS)[number];
export type Counts = Record<QueueCounter, number>;

/** The functions of each task, for tests of other tasks that pass through them (withReferenceFor). */
export const TASK1_FUNCTIONS = ['effectiveBacklog', 'synQueueIsFull', 'acceptQueueIsFull'] as const;
export const TASK2_FUNCTIONS = ['admitSyn'] as const;
export const TASK3_FUNCTIONS = ['onAcceptQueueOverflow'] as const;

const MSS_ONLY = [{ kind: 'mss' as const, value: 1460 }];

/** A listener on port 80 made by the reference code (socket, bind, listen). */
export function queueListener(t: LabTestContext, backlog: number, sysctls: Record<string, number> = {}): ListenFixture {
  const knobs = Object.entries(sysctls).map(([k, v]) => `, ${k}=${v}`).join('');
  const f = t.fixture(`a listener on port 80, listen(fd, ${backlog})${knobs}`, (o) => listen({ ...o, backlog, sysctls }));
  const borrowed = [...labSide.referenceOnly];
  if (borrowed.length) f.h.steps.record('action', `in this test ${borrowed.map((n) => `${n}()`).join(', ')} (other tasks) run the reference code`);
  return f;
}

/** Peer port `port` sends a SYN now; returns the host's SYN-ACK (expected at once), or null if `answered` is false. */
export function synFrom(h: PeerHarness, port: number, answered = true): TcpSegment | null {
  h.send(h.now, { flags: 'S', srcPort: port, options: MSS_ONLY });
  if (!answered) return null;
  return h.expectSegment(h.now, { flags: 'S.', dstPort: port, ack: h.pSeq(1) }, `host answers port ${port} with a SYN-ACK`);
}

/** Peer port `port` sends the final ACK of the handshake whose SYN-ACK was `synack`, at time `t`. */
export function ackFrom(h: PeerHarness, port: number, synack: TcpSegment, t = h.now): void {
  h.send(t, { flags: '.', srcPort: port, seq: h.pSeq(1), ack: (synack.seq + 1) >>> 0 });
}

/** Full handshakes from each port, one after the other (each lands in the accept queue). */
export function connectFrom(h: PeerHarness, ports: number[]): void {
  for (const port of ports) ackFrom(h, port, synFrom(h, port)!);
}

export function counts(host: Host): Counts {
  return Object.fromEntries(QUEUE_COUNTERS.map((c) => [c, host.mib.get(c)])) as Counts;
}

/** Each queue counter went up by exactly `added` (0 for those not named) since `before`. */
export function expectAdded(h: PeerHarness, before: Counts, added: Partial<Counts>, why: string): void {
  const now = counts(h.host);
  const wrong = QUEUE_COUNTERS.filter((c) => now[c] - before[c] !== (added[c] ?? 0));
  const want = QUEUE_COUNTERS.filter((c) => added[c]).map((c) => `+${added[c]} TcpExt${c}`).join(', ') || 'no change';
  h.check(`nstat: ${want}`, () => {
    if (wrong.length === 0) return null;
    const detail = wrong.map((c) => `TcpExt${c} ${now[c] - before[c] >= 0 ? '+' : ''}${now[c] - before[c]} (expected +${added[c] ?? 0})`).join(', ');
    return `${why}: nstat should show ${want} among ${QUEUE_COUNTERS.map((c) => `TcpExt${c}`).join(', ')}, but it shows ${detail}`;
  });
}

/** The kernel log's SYN-flood warnings so far (the trace's notes). */
export function floodWarnings(h: PeerHarness): string[] {
  return h.world.trace.events.flatMap((e) => (e.kind === 'note' && e.host === h.host.name && /SYN flooding/.test(e.text) ? [e.text] : []));
}

/** `ss -lnt`'s row for the listener on port 80: Recv-Q = accept queue, Send-Q = backlog. */
export function expectSsListen(h: PeerHarness, recvQ: number, sendQ: number, why: string): void {
  const row = ssRows(h.host).find((r) => r.state === 'LISTEN' && r.local.endsWith(`:${h.hostPort}`));
  h.check(`ss -lnt shows LISTEN Recv-Q ${recvQ} Send-Q ${sendQ}`, () => {
    if (!row) return 'expected a LISTEN row for port 80 in ss, but there is none';
    if (row.recvQ === recvQ && row.sendQ === sendQ) return null;
    return `expected ss -lnt to show Recv-Q ${recvQ} (connections waiting for accept()) and Send-Q ${sendQ} (the backlog) — ${why} — but it shows Recv-Q ${row.recvQ} and Send-Q ${row.sendQ}`;
  });
}

export function expectQueues(h: PeerHarness, listener: ListenFixture['listener'], syn: number | null, accept: number | null, why: string): void {
  const parts = [syn !== null ? `${syn} in the SYN queue` : '', accept !== null ? `${accept} in the accept queue` : ''].filter(Boolean).join(' and ');
  h.check(`the listener holds ${parts}`, () => {
    const gotSyn = listener.synQueue.size;
    const gotAccept = listener.acceptQueue.length;
    if ((syn === null || gotSyn === syn) && (accept === null || gotAccept === accept)) return null;
    return `expected ${parts} (${why}), but the listener holds ${gotSyn} in the SYN queue and ${gotAccept} in the accept queue`;
  });
}
