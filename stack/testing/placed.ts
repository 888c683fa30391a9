/**
 * Placed fixtures: a connection constructed directly in a given state — ISS/IRS, SND.*, RCV.*,
 * options consistent with that state — inserted into the host's tables and given a descriptor,
 * with only the timers that belong to the state armed through the stack's own functions. They
 * skip the code that would normally lead there, so a lab test of TIME_WAIT (teardown task 3) does
 * not fail because close() (task 1) is still unwritten. See ./index.ts for which code each runs.
 */
import type { Host } from '../core/host.ts';
import type { TcpStateName } from '../core/observe/trace.ts';
import type { Socket } from '../core/socket.ts';
import { Connection, type Listener, type RequestSock, type SocketOptions, advMssFor, connKey, defaultSocketOptions, listenerKey, windowScaleFor } from '../core/tcp/connection.ts';
import { setState, traceQueues } from '../core/tcp/lifecycle.ts';
import { initialWindow, selectInitialWindow } from '../core/tcp/output.ts';
import { armRetransmit } from '../core/tcp/send.ts';
import { recordSent } from '../core/tcp/sack-scoreboard.ts';
import { rttSample } from '../core/tcp/rto.ts';
import { enterTimeWait, finWait2Orphaned } from '../core/tcp/teardown.ts';
import { resetKeepaliveTimer } from '../core/tcp/keepalive.ts';
import { TIMEOUT_INIT } from '../core/tcp/rto.ts';
import { PeerHarness, type HarnessOptions } from './harness.ts';
import type { ListenFixture, StateFixture } from './fixtures.ts';

/** Every state a connection socket can be placed in (listeners and request socks have their own). */
export type PlacedState = Exclude<TcpStateName, 'CLOSED' | 'LISTEN' | 'SYN_RECV'>;

export interface PlacedOptions extends HarnessOptions {
  /** Only picks the ports: 'client' = host 40000 → peer 80 (default); 'server' = host 80 ← peer 40000. */
  role?: 'client' | 'server';
  /** The host's ISS (default 5000). The peer's is `peerIss` (default 1000). */
  hostIss?: number;
  /** FIN_WAIT_1/2, CLOSING: true (default) as after close() — orphaned, no descriptor; false as after shutdown(SHUT_WR). */
  orphan?: boolean;
  /** Socket options the connection starts with (SO_KEEPALIVE, TCP_LINGER2, ...). */
  sockopts?: Partial<SocketOptions>;
  /** The peer's window (default 64240) and MSS (default 1460). No timestamps, SACK or window scaling. */
  peerWindow?: number;
  mss?: number;
  /** Smoothed RTT the connection has measured (default 10 ms ⇒ RTO 210 ms, like the driven fixtures). */
  srtt?: number;
  /**
   * Timestamps (RFC 7323): given, the connection uses them, as if both SYNs had carried the option,
   * and this is the peer's last TSval it kept (ts_recent); its MSS then leaves room for the option.
   * Default: no timestamps.
   */
  tsRecent?: number;
}

interface ApiInternals {
  fds: Map<number, Socket>;
  poll(s: Socket): void;
}

/**
 * Gives `conn` a descriptor on its host, as accept() would. The one place the kit reaches into
 * SocketApi's private table (there is no public "adopt a connection" call).
 */
export function attachDescriptor(host: Host, conn: Connection | null, listener: Listener | null = null): number {
  const api = host.api as unknown as ApiInternals;
  if (!(api.fds instanceof Map) || typeof api.poll !== 'function') {
    throw new Error('stack/testing/placed.ts: SocketApi no longer has a private `fds` map and `poll`; update attachDescriptor');
  }
  let fd = 3;
  while (api.fds.has(fd)) fd++;
  const opts = conn ? conn.opts : listener!.opts;
  const s: Socket = {
    fd,
    nonBlocking: false,
    opts,
    bound: conn ? { addr: conn.localAddr, port: conn.localPort } : { addr: listener!.localAddr, port: listener!.localPort },
    conn,
    listener,
    waiters: [],
  };
  api.fds.set(fd, s);
  if (conn) conn.wake = () => api.poll.call(api, s);
  if (listener) listener.wake = () => api.poll.call(api, s);
  return fd;
}

/** LISTEN without listen(): the Listener is built directly with `backlog` as sk_max_ack_backlog. */
export function placeListener(opts: HarnessOptions & { backlog?: number; sockopts?: Partial<SocketOptions> } = {}): ListenFixture {
  const h = new PeerHarness({ ...opts, hostPort: opts.hostPort ?? 80 });
  const host = h.host;
  const backlog = opts.backlog ?? 5;
  const listener: Listener = {
    key: listenerKey(0, h.hostPort),
    localAddr: 0,
    localPort: h.hostPort,
    backlog,
    synQueue: new Map(),
    acceptQueue: [],
    lastOverflowAt: -Infinity,
    warnedSynFlood: false,
    opts: { ...defaultSocketOptions(), ...opts.sockopts },
    wake: null,
    closed: false,
  };
  host.listeners.set(listener.key, listener);
  const fd = attachDescriptor(host, null, listener);
  h.steps.record('action', `placed a listener on port ${h.hostPort} (backlog ${backlog}) as fd ${fd}`);
  host.trace.push({ kind: 'state', t: h.now, host: host.name, conn: `0.0.0.0:${h.hostPort}`, from: 'CLOSED', to: 'LISTEN', cause: 'placed by the test kit' });
  traceQueues(listener, host);
  return { h, host, fd, listener, now: h.now };
}

const add = (a: number, n: number) => (a + n) >>> 0;

/**
 * SND.* and RCV.* of a connection whose handshake just completed (ISS and IRS already set). The
 * window was last taken from the segment that completed it (RFC 9293 SND.WL1/WL2): the SYN-ACK at
 * IRS for a client, the final ACK at IRS + 1 for a server.
 */
function fillEstablished(conn: Connection, peerWindow: number, srtt: number, client = false): void {
  conn.sndUna = conn.sndNxt = conn.sndMax = conn.sendQueueSeq = add(conn.iss, 1);
  conn.rcvNxt = add(conn.irs, 1);
  conn.rcvWup = add(conn.rcvNxt, initialWindow(conn.tsOk));
  conn.sndWnd = conn.maxSndWnd = peerWindow;
  conn.sndWl1 = client ? conn.irs : add(conn.irs, 1);
  conn.sndWl2 = add(conn.iss, 1);
  // One RTT sample of `srtt`, as the handshake gives: RTO = SRTT + max(2·SRTT, rto_min).
  conn.srtt = 0;
  rttSample(conn, srtt);
}

/**
 * A request sock (SYN_RECV) on a listener's SYN queue, as if the peer's SYN from `peerPort` had
 * been admitted and answered — without running admitSyn, newRequest or sending a SYN-ACK. Its
 * SYN-ACK retransmission timer is NOT armed (that lives in listener.ts). Peer ISN is the
 * harness's; options: MSS 1460 only.
 */
export function placeRequest(l: ListenFixture, peerPort: number, opts: { hostIss?: number } = {}): RequestSock {
  const { h, host, listener } = l;
  const req: RequestSock = {
    // What newRequest gives the listener's options for a SYN with MSS 1460 only (no timestamps).
    ...(() => {
      const win = selectInitialWindow(host, listener.opts, advMssFor(listener.opts), false);
      return { rcvWnd: win.wnd, rcvWscale: win.wscale, advMss: advMssFor(listener.opts) };
    })(),
    key: connKey(h.hostAddr, listener.localPort, h.peerAddr, peerPort),
    listener,
    localAddr: h.hostAddr,
    localPort: listener.localPort,
    remoteAddr: h.peerAddr,
    remotePort: peerPort,
    iss: (opts.hostIss ?? 5000) >>> 0,
    irs: h.peerIss,
    mss: 1460,
    wscaleOk: false,
    sndWscale: 0,
    sackOk: false,
    tsOk: false,
    tsRecent: 0,
    tsOffset: 0,
    peerWindow: 64240,
    numTimeout: 0,
    acked: false,
    timer: null,
    createdAt: h.now,
    synAckSentAt: h.now,
  };
  listener.synQueue.set(req.key, req);
  host.requests.set(req.key, req);
  h.steps.record('action', `placed a request sock (SYN_RECV) for peer port ${peerPort}: host ISS ${req.iss}`);
  traceQueues(listener, host);
  return req;
}

/**
 * An ESTABLISHED child waiting in the listener's accept queue (no descriptor until accept()),
 * as if the handshake from `peerPort` had completed — without running the queue checks.
 */
export function placeChild(l: ListenFixture, peerPort: number, opts: { hostIss?: number; srtt?: number } = {}): Connection {
  const { h, host, listener } = l;
  const conn = new Connection(host, h.hostAddr, listener.localPort, h.peerAddr, peerPort, listener.opts);
  conn.iss = (opts.hostIss ?? 5000) >>> 0;
  conn.irs = h.peerIss;
  conn.mss = 1460;
  fillEstablished(conn, 64240, opts.srtt ?? 10);
  conn.listener = listener;
  host.connections.set(conn.key, conn);
  listener.acceptQueue.push(conn);
  h.steps.record('action', `placed an ESTABLISHED child for peer port ${peerPort} in the accept queue`);
  setState(conn, 'ESTABLISHED', 'placed by the test kit');
  traceQueues(listener, host);
  if (conn.opts.keepalive) resetKeepaliveTimer(conn);
  return conn;
}

/** A connection constructed in `state` (see PlacedOptions for the numbers it starts from). */
export function placeConnection(state: PlacedState, opts: PlacedOptions = {}): StateFixture {
  const client = (opts.role ?? 'client') === 'client';
  const h = new PeerHarness({ ...opts, hostPort: opts.hostPort ?? (client ? 40000 : 80), peerPort: opts.peerPort ?? (client ? 80 : 40000) });
  const host = h.host;
  const iss = (opts.hostIss ?? 5000) >>> 0;
  const irs = h.peerIss;
  h.hostIss = iss;
  const conn = new Connection(host, h.hostAddr, h.hostPort, h.peerAddr, h.peerPort, { ...defaultSocketOptions(), ...opts.sockopts });
  const synchronized = state !== 'SYN_SENT';
  conn.iss = iss;
  // Before the SYN-ACK the peer's ISN and MSS are unknown: mss_cache is our own MSS less the
  // timestamp option (tcp_connect_init, what TCP_MAXSEG reads in SYN-SENT), and our SYN offered
  // window scaling (activeOpen).
  conn.irs = synchronized ? irs : 0;
  conn.mss = opts.mss ?? (synchronized ? 1460 : 1460 - (host.sysctl.get('net.ipv4.tcp_timestamps') !== 0 ? 12 : 0));
  if (!synchronized) conn.rcvWscale = windowScaleFor(host);
  if (opts.tsRecent !== undefined) {
    conn.tsOk = true;
    conn.tsRecent = opts.tsRecent >>> 0;
    conn.tsRecentStamp = h.now; // ts_recent_stamp: kept just now, when the connection was placed
    conn.mss -= 12;
  }
  const peerWindow = opts.peerWindow ?? 64240;
  if (synchronized) {
    fillEstablished(conn, peerWindow, opts.srtt ?? 10, client);
  } else {
    conn.sndUna = iss;
    conn.sndNxt = conn.sndMax = conn.sendQueueSeq = add(iss, 1);
    conn.rto = TIMEOUT_INIT;
    conn.retransStamp = h.now;
    conn.synSentAt = h.now;
  }
  const ourFinSent = state === 'FIN_WAIT_1' || state === 'FIN_WAIT_2' || state === 'CLOSING' || state === 'LAST_ACK' || state === 'TIME_WAIT';
  const ourFinAcked = state === 'FIN_WAIT_2' || state === 'TIME_WAIT';
  const peerFin = state === 'CLOSE_WAIT' || state === 'CLOSING' || state === 'LAST_ACK' || state === 'TIME_WAIT';
  const orphan = state === 'LAST_ACK' || state === 'TIME_WAIT' || (ourFinSent && (opts.orphan ?? true));
  if (ourFinSent) {
    conn.finQueued = true;
    conn.finSent = true;
    conn.finSeq = add(iss, 1);
    conn.sndNxt = conn.sndMax = add(iss, 2);
    if (ourFinAcked) {
      // The ACK of our FIN moved SND.UNA and SND.WL2. (Its RTT sample is not taken: mdev stays
      // 2·SRTT, so `srtt` sets the RTO as documented; with the default 10 ms both give 210 ms.)
      conn.sndUna = conn.sndWl2 = add(iss, 2);
    } else recordSent(conn, add(iss, 1), add(iss, 2), false);
  }
  // A segment from the peer after the handshake's last (the ACK of our FIN, or its FIN) updated
  // the window from SEG.SEQ = IRS + 1.
  if (ourFinAcked || peerFin) conn.sndWl1 = add(irs, 1);
  if (peerFin) {
    conn.rcvNxt = add(irs, 2);
    conn.rcvFin = true;
    // The ACK of the peer's FIN has gone out (at once, or when the delayed-ACK timer fired and
    // left ping-pong mode: tcp_delack_timer_handler) and advertised the window from the new RCV.NXT.
    conn.rcvWup = add(conn.rcvNxt, initialWindow(conn.tsOk));
  }
  if (orphan) {
    conn.orphan = true;
    conn.shutRd = true;
  } else if (ourFinSent) conn.shutWr = true;
  host.connections.set(conn.key, conn);
  const fd = orphan ? -1 : attachDescriptor(host, conn);
  h.steps.record('action', `placed a connection in ${state}: host ISS ${iss}, peer ISS ${irs}${fd >= 0 ? `, fd ${fd}` : ' (orphaned: no descriptor)'}`);
  // The timers each state has, armed by the stack's own functions.
  if (state === 'TIME_WAIT') enterTimeWait(conn, 'placed by the test kit');
  else {
    setState(conn, state, 'placed by the test kit');
    if (state === 'SYN_SENT' || (ourFinSent && !ourFinAcked)) armRetransmit(conn);
    if (state === 'FIN_WAIT_2' && orphan) finWait2Orphaned(conn);
    if (conn.opts.keepalive && synchronized) resetKeepaliveTimer(conn);
  }
  h.world.runUntil(h.now);
  return { h, host, fd, conn, listenFd: null, req: null, hostIss: iss, peerIss: irs, now: h.now, openCall: null };
}
