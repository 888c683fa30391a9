/**
 * Driven fixtures: one constructor per TCP state, each reached by really driving the stack — the
 * host's socket calls plus hand-built segments from the scripted peer — never by setting fields.
 * They run the handshake, close()/shutdown() and FIN/ACK code of the stack; see ./index.ts for the
 * exact list, and ./placed.ts for fixtures that skip that code.
 */
import type { Host } from '../core/host.ts';
import type { Call } from '../core/socket.ts';
import { type Connection, type Listener, type RequestSock, connKey } from '../core/tcp/connection.ts';
import type { TcpStateName } from '../core/observe/trace.ts';
import { SYN, type TcpOption } from '../core/wire/segment.ts';
import { PeerHarness, type HarnessOptions } from './harness.ts';

export interface FixtureOptions extends HarnessOptions {
  /** 'client': the host connect()s to the peer (default); 'server': the host listens and accept()s. */
  role?: 'client' | 'server';
  /** Round-trip time the scripted peer plays (ms between a host segment and the peer's answer). Default 10. */
  rtt?: number;
  /** Options of the peer's SYN or SYN-ACK. Default `<mss 1460>` only: no timestamps, no scaling. */
  peerOptions?: TcpOption[];
  /** listen() backlog (server role). Default 5. */
  backlog?: number;
  /** Runs after socket() and before connect()/listen(): setsockopt, sysctl changes. */
  beforeOpen?: (host: Host, fd: number) => void;
}

export interface ListenFixture {
  h: PeerHarness;
  host: Host;
  /** The listening descriptor. */
  fd: number;
  listener: Listener;
  now: number;
}

export interface StateFixture {
  h: PeerHarness;
  host: Host;
  /** The connection's descriptor (already closed when the fixture called close()). */
  fd: number;
  /** The TCB; null only for a passive SYN_RECV, which is a request sock (`req`). */
  conn: Connection | null;
  /** Server role: the listening descriptor. */
  listenFd: number | null;
  /** Passive SYN_RECV: the request sock on the listener's SYN queue. */
  req: RequestSock | null;
  hostIss: number;
  peerIss: number;
  now: number;
  /** The connect() or accept() call that created the connection. */
  openCall: Call<number> | null;
}

/** `<mss 1460>`: what the peer sends by default. */
export const PEER_MSS_ONLY: TcpOption[] = [{ kind: 'mss', value: 1460 }];

/** A Linux SYN's options: `<mss 1460,sackOK,TS val V ecr E,nop,wscale 7>`. */
export function linuxSynOptions(val: number, ecr = 0, wscale = 7): TcpOption[] {
  return [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'ts', val: val >>> 0, ecr: ecr >>> 0 }, { kind: 'nop' }, { kind: 'wscale', shift: wscale }];
}

function rttOf(o: FixtureOptions): number {
  return o.rtt ?? 10;
}

/** The peer's options with a timestamp echoing `ecr`, if it sends timestamps at all. */
function withEcr(options: TcpOption[], ecr: number, now: number): TcpOption[] {
  return options.map((o) => (o.kind === 'ts' ? { kind: 'ts' as const, val: (o.val + now) >>> 0, ecr } : o));
}

function tsValOf(options: TcpOption[]): number {
  const ts = options.find((o) => o.kind === 'ts');
  return ts && ts.kind === 'ts' ? ts.val : 0;
}

function okValue(r: { ok: true; value: number } | { ok: false; errno: string }, what: string, h: PeerHarness): number {
  if (!r.ok) h.fail(`${what} failed with ${r.errno}`);
  return r.value;
}

function expectState(h: PeerHarness, conn: Connection, state: TcpStateName): void {
  h.check(`the connection is in ${state}`, () => (conn.state === state ? null : `expected the connection to be in ${state}, but it is in ${conn.state}`));
}

/** LISTEN: socket(), bind(port 80), listen(backlog). */
export function listen(opts: FixtureOptions = {}): ListenFixture {
  const h = new PeerHarness({ ...opts, hostPort: opts.hostPort ?? 80 });
  const host = h.host;
  const fd = okValue(h.act('socket()', () => host.api.socket()), 'socket()', h);
  opts.beforeOpen?.(host, fd);
  okValue(h.act(`bind(${fd}, 0.0.0.0:${h.hostPort})`, () => host.api.bind(fd, 0, h.hostPort)), 'bind()', h);
  const backlog = opts.backlog ?? 5;
  okValue(h.act(`listen(${fd}, ${backlog})`, () => host.api.listen(fd, backlog)), 'listen()', h);
  const listener = host.api.listenerOf(fd)!;
  return { h, host, fd, listener, now: h.now };
}

/** SYN_SENT: the host calls connect() and its SYN goes out at t = 0. */
export function synSent(opts: FixtureOptions = {}): StateFixture {
  const h = new PeerHarness({ ...opts, peerPort: opts.peerPort ?? 80 });
  const host = h.host;
  const fd = okValue(h.act('socket()', () => host.api.socket()), 'socket()', h);
  opts.beforeOpen?.(host, fd);
  const call = h.act(`connect(${fd}, ${h.peerPort})`, () => host.api.connect(fd, h.peerAddr, h.peerPort));
  h.expectSegment(h.now, { flags: 'S' });
  const conn = host.api.connectionOf(fd)!;
  expectState(h, conn, 'SYN_SENT');
  return { h, host, fd, conn, listenFd: null, req: null, hostIss: conn.iss, peerIss: h.peerIss, now: h.now, openCall: call };
}

/**
 * SYN_RECV. Server role (default here): the peer's SYN reaches the listener, which answers with a
 * SYN-ACK; the state lives in a request sock (`req`), as in Linux. Client role: a simultaneous
 * open — the host's SYN crosses the peer's SYN — giving a full connection in SYN_RECV.
 */
export function synReceived(opts: FixtureOptions = {}): StateFixture {
  const peerOptions = opts.peerOptions ?? PEER_MSS_ONLY;
  if ((opts.role ?? 'server') === 'client') {
    const f = synSent(opts);
    const { h } = f;
    const t = h.now + rttOf(opts);
    h.send(t, { flags: 'S', options: withEcr(peerOptions, 0, t) });
    h.expectSegment(t, { flags: 'S.', rseq: 0, rack: 1 });
    expectState(h, f.conn!, 'SYN_RECV');
    return { ...f, now: h.now };
  }
  const l = listen(opts);
  const { h, host } = l;
  h.send(h.now, { flags: 'S', options: withEcr(peerOptions, 0, h.now) });
  h.expectSegment(h.now, { flags: 'S.', rack: 1 });
  const req = host.requests.get(connKey(h.hostAddr, h.hostPort, h.peerAddr, h.peerPort)) ?? null;
  h.check('a request sock is on the SYN queue', () => (req ? null : 'expected a request sock in SYN_RECV after the SYN-ACK, but the host keeps none'));
  return { h, host, fd: l.fd, conn: null, listenFd: l.fd, req, hostIss: h.hostIss!, peerIss: h.peerIss, now: h.now, openCall: null };
}

/** ESTABLISHED, by a full three-way handshake (client role: the host connect()ed; server: accept()ed). */
export function established(opts: FixtureOptions = {}): StateFixture {
  const rtt = rttOf(opts);
  const peerOptions = opts.peerOptions ?? PEER_MSS_ONLY;
  if ((opts.role ?? 'client') === 'client') {
    const f = synSent(opts);
    const { h, host } = f;
    const syn = [...h.wire].reverse().find((w) => w.dir === 'host→peer' && w.seg && w.seg.flags & SYN)?.seg;
    const t = h.now + rtt;
    h.send(t, { flags: 'S.', ack: h.hSeq(1), options: withEcr(peerOptions, syn ? tsValOf(syn.options) : 0, t) });
    h.expectSegment(t, { flags: '.', rseq: 1, rack: 1 });
    const call = f.openCall!;
    h.check('connect() has returned 0', () => (call.done && call.result?.ok ? null : `expected connect() to return 0 when the SYN-ACK arrived, but it ${call.done ? `failed with ${call.result && !call.result.ok ? call.result.errno : '?'}` : 'is still blocked'}`));
    expectState(h, f.conn!, 'ESTABLISHED');
    return { ...f, host, now: h.now };
  }
  const f = synReceived({ ...opts, role: 'server' });
  const { h, host } = f;
  const accept = h.act(`accept(${f.listenFd})`, () => host.api.accept(f.listenFd!));
  h.send(h.now + rtt, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.check('accept() has returned a descriptor', () => (accept.done && accept.result?.ok ? null : `expected accept() to return once the final ACK arrived, but it ${accept.done ? 'failed' : 'is still blocked'}`));
  const fd = accept.result!.ok ? accept.result!.value : -1;
  const conn = host.api.connectionOf(fd)!;
  expectState(h, conn, 'ESTABLISHED');
  return { ...f, fd, conn, req: null, now: h.now, openCall: accept };
}

export interface CloseOptions extends FixtureOptions {
  /** How the host ends its side: close() (orphaned socket, default) or shutdown(SHUT_WR) (half-close). */
  how?: 'close' | 'shutdown';
}

function hostCloses(f: StateFixture, how: 'close' | 'shutdown'): void {
  const { h, host, fd } = f;
  if (how === 'close') h.act(`close(${fd})`, () => host.api.close(fd));
  else h.act(`shutdown(${fd}, SHUT_WR)`, () => host.api.shutdown(fd, 'SHUT_WR'));
}

/** FIN_WAIT_1: established, then the host closes and its FIN goes out (the peer has not ACKed it). */
export function finWait1(opts: CloseOptions = {}): StateFixture {
  const f = established(opts);
  const { h } = f;
  hostCloses(f, opts.how ?? 'close');
  h.expectSegment(h.now, { flags: 'F.', rseq: 1, rack: 1 });
  expectState(h, f.conn!, 'FIN_WAIT_1');
  return { ...f, now: h.now };
}

/** FIN_WAIT_2: FIN_WAIT_1, then the peer ACKs our FIN one RTT later. `how` picks orphaned or half-closed. */
export function finWait2(opts: CloseOptions = {}): StateFixture {
  const f = finWait1(opts);
  const { h } = f;
  h.send(h.now + rttOf(opts), { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
  expectState(h, f.conn!, 'FIN_WAIT_2');
  return { ...f, now: h.now };
}

/** FIN_WAIT_2 after close(): orphaned, so tcp_fin_timeout applies. */
export function finWait2Orphaned(opts: FixtureOptions = {}): StateFixture {
  return finWait2({ ...opts, how: 'close' });
}

/** FIN_WAIT_2 after shutdown(SHUT_WR): still readable, and it never times out. */
export function finWait2HalfClosed(opts: FixtureOptions = {}): StateFixture {
  return finWait2({ ...opts, how: 'shutdown' });
}

/** CLOSING: FIN_WAIT_1, then the peer's FIN arrives before the ACK of ours; the host ACKs at once. */
export function closing(opts: CloseOptions = {}): StateFixture {
  const f = finWait1(opts);
  const { h } = f;
  const t = h.now + rttOf(opts);
  h.send(t, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.expectSegment(t, { flags: '.', rseq: 2, rack: 2 });
  expectState(h, f.conn!, 'CLOSING');
  return { ...f, now: h.now };
}

/**
 * TIME_WAIT. via 'fin-wait-2' (default): the peer's FIN reaches FIN_WAIT_2 and the host ACKs it
 * at once. via 'closing': the ACK of our FIN reaches CLOSING (the host sends nothing).
 */
export function timeWait(opts: CloseOptions & { via?: 'fin-wait-2' | 'closing' } = {}): StateFixture {
  if (opts.via === 'closing') {
    const f = closing(opts);
    const { h } = f;
    h.send(h.now + rttOf(opts), { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
    expectState(h, f.conn!, 'TIME_WAIT');
    return { ...f, now: h.now };
  }
  const f = finWait2(opts);
  const { h } = f;
  const t = h.now + rttOf(opts);
  h.send(t, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
  h.expectSegment(t, { flags: '.', rseq: 2, rack: 2 });
  expectState(h, f.conn!, 'TIME_WAIT');
  return { ...f, now: h.now };
}

/**
 * CLOSE_WAIT: established, then the peer's FIN. No data has arrived, so the delayed-ACK timeout
 * (Linux icsk_ack.ato) is still 0 and the host ACKs the FIN at once; after data it would wait 40 ms.
 */
export function closeWait(opts: FixtureOptions = {}): StateFixture {
  const f = established(opts);
  const { h } = f;
  const t = h.now + rttOf(opts);
  h.send(t, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(1) });
  expectState(h, f.conn!, 'CLOSE_WAIT');
  h.expectSegment(t, { flags: '.', rseq: 1, rack: 2 }, 'host ACKs the FIN at once (no data received yet, so no delayed ACK)');
  return { ...f, now: h.now };
}

/** LAST_ACK: CLOSE_WAIT, then the host's close() sends its FIN. */
export function lastAck(opts: FixtureOptions = {}): StateFixture {
  const f = closeWait(opts);
  const { h, host, fd } = f;
  h.act(`close(${fd})`, () => host.api.close(fd));
  h.expectSegment(h.now, { flags: 'F.', rseq: 1, rack: 2 });
  expectState(h, f.conn!, 'LAST_ACK');
  return { ...f, now: h.now };
}
