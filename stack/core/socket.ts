/**
 * The BSD socket API as a program on a host sees it: file descriptors from 3, errno-style
 * results, blocking calls that complete on the virtual clock, and non-blocking ones (O_NONBLOCK).
 */
import { releaseRead, truesizeModel } from './tcp/receive-window.ts';
import { ERRNO_TEXT, type Errno, type SysResult, fail, formatResult, ok } from './tcp/errno.ts';
import { Connection, type HostContext, type Linger, type Listener, type SocketOptions, IP_PMTUDISC_DONT, IP_PMTUDISC_OMIT, MAX_USER_MSS, MIN_MSS, MSS_DEFAULT, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF, connKey, defaultSocketOptions, fmtAddr, listenerKey } from './tcp/connection.ts';
import { activeOpen } from './tcp/handshake.ts';
import { takeOverTimeWait, timeWaitReusable } from './tcp/time-wait-reuse.ts';
import { closeConnection, shutdownWrite } from './tcp/teardown.ts';
import { NAGLE_PUSH, armRetransmit, pushData, pushDataMore, sendMss } from './tcp/send.ts';
import { markEor, queueData, streamWriteable } from './tcp/send-buffer.ts';
import { effectiveBacklog } from './tcp/listen-queues.ts';
import { keepaliveTime, resetKeepaliveTimer } from './tcp/keepalive.ts';
import { cancelTimer, destroy, setTimer, traceQueues } from './tcp/lifecycle.ts';
import { onKeepaliveTimer } from './tcp/keepalive.ts';
import { ackAfterRead, sendActiveReset } from './tcp/output.ts';
import { dropRequest } from './tcp/listener.ts';
import type { EventLane } from './sim/scheduler.ts';
import { copyToPacketMemory } from './wire/codec.ts';
import { Epoll, type EpollEvent } from './epoll.ts';
import { UNCONNECTED_POLL, listenPoll, tcpPoll } from './poll.ts';
import { POLLERR, POLLHUP, POLLNVAL, WAKE_ALL, WAKE_WRITE_SPACE, wakeMatches } from './tcp/poll-events.ts';

export type SockOptName =
  | 'SO_REUSEADDR'
  | 'SO_KEEPALIVE'
  | 'SO_LINGER'
  | 'SO_ERROR'
  | 'TCP_KEEPIDLE'
  | 'TCP_KEEPINTVL'
  | 'TCP_KEEPCNT'
  | 'TCP_USER_TIMEOUT'
  | 'TCP_LINGER2'
  | 'TCP_NODELAY'
  | 'TCP_SYNCNT'
  | 'TCP_MAXSEG'
  | 'TCP_CORK'
  | 'IP_TOS'
  | 'IP_MTU_DISCOVER'
  | 'SO_SNDBUF'
  | 'SO_RCVBUF'
  | 'TCP_NOTSENT_LOWAT'
  | 'TCP_INQ';

/** INET_ECN_MASK: the low two bits of the TOS byte are ECN's. */
const ECN_MASK = 3;

export type ShutdownHow = 'SHUT_RD' | 'SHUT_WR' | 'SHUT_RDWR';

/** A syscall in progress. Blocking calls stay pending until the simulation makes them complete. */
export class Call<T> {
  done = false;
  result: SysResult<T> | null = null;
  doneAt = -1;
  /** Callbacks waiting for completion; null until the first `then` on a pending call. */
  private listeners: Array<(r: SysResult<T>) => void> | null = null;

  constructor(readonly text: string) {}

  complete(r: SysResult<T>, now: number): void {
    if (this.done) return;
    this.done = true;
    this.result = r;
    this.doneAt = now;
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners !== null) for (const l of listeners) l(r);
  }

  /** Runs `cb` when the call completes (at once if it already has). */
  then(cb: (r: SysResult<T>) => void): this {
    if (this.done) cb(this.result!);
    else (this.listeners ??= []).push(cb);
    return this;
  }
}

/**
 * A blocking call waiting for its socket to change: what it waits for is data (`op`), not a
 * closure, because a chatty application makes one per read() and the socket API is its hot path.
 */
interface Waiter {
  call: Call<unknown>;
  op: 'connect' | 'accept' | 'read' | 'write';
  /** read(): the most bytes to return; write(): the bytes queued so far. */
  max: number;
  /** write(): what the application wrote. */
  data?: Uint8Array;
  /** write(): sent with MSG_MORE (sendmsg, send, sendto flags). */
  more?: boolean;
  /** write(): sent with MSG_EOR: its last buffer closes a record. */
  eor?: boolean;
}

export interface Socket {
  fd: number;
  nonBlocking: boolean;
  opts: SocketOptions;
  bound: { addr: number; port: number } | null;
  conn: Connection | null;
  listener: Listener | null;
  waiters: Waiter[];
  /**
   * shutdown(SHUT_WR) or close() called while bytes of a write() that returned early (`write`,
   * not `writeCall`) still wait for the send buffer: they take effect once those bytes are queued,
   * as they would have after a blocking write() returned. Null when none.
   */
  afterWrites?: Array<() => void> | null;
  /** Wake-up hooks of epoll items and blocked poll() calls on this socket (its wait queue). */
  watchers?: Array<(key: number) => void> | null;
}

/** recvmsg()'s result: the bytes, and TCP_CM_INQ's value when TCP_INQ is on (else null). */
export interface RecvMsg {
  data: Uint8Array;
  inq: number | null;
}

/** epoll_ctl's operations. */
export type EpollOp = 'EPOLL_CTL_ADD' | 'EPOLL_CTL_MOD' | 'EPOLL_CTL_DEL';

type ApiHost = HostContext & { addr: number; random: { int(n: number): number } };

export class SocketApi {
  private fds = new Map<number, Socket>();
  /** Wake-ups all run at the time they are scheduled, so they come in time order: one lane. */
  private readonly wakes: EventLane;
  private readonly wakeLabel: string;

  constructor(private readonly host: ApiHost) {
    this.wakes = host.sched.lane();
    this.wakeLabel = `${host.name} socket wake`;
  }

  /** A reboot: every descriptor is gone. */
  reset(): void {
    for (const s of this.fds.values()) for (const w of s.waiters) w.call.complete(fail('EBADF'), this.host.sched.now);
    for (const waits of this.epollWaits.values()) for (const w of waits) w.call.complete(fail('EBADF'), this.host.sched.now);
    this.fds = new Map();
    this.epolls = new Map();
    this.epollWaits = new Map();
  }

  /** The lowest descriptor free of sockets and epoll instances (after 0–2, as a process's first is 3). */
  private lowestFreeFd(): number {
    let fd = 3;
    while (this.fds.has(fd) || this.epolls.has(fd)) fd++;
    return fd;
  }

  private trace<T>(text: string, r: SysResult<T>): SysResult<T> {
    if (!this.host.trace.enabled) return r;
    this.host.trace.push({ kind: 'syscall', t: this.host.sched.now, host: this.host.name, call: text, result: formatResult(r) });
    return r;
  }

  private get(fd: number): Socket | null {
    return this.fds.get(fd) ?? null;
  }

  socket(): SysResult<number> {
    const fd = this.lowestFreeFd();
    const opts = defaultSocketOptions();
    opts.sndBuf = this.host.sysctl.getVector('net.ipv4.tcp_wmem')[1];
    opts.rcvBuf = this.host.sysctl.getVector('net.ipv4.tcp_rmem')[1];
    this.fds.set(fd, { fd, nonBlocking: false, opts, bound: null, conn: null, listener: null, waiters: [] });
    return this.trace('socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)', ok(fd));
  }

  bind(fd: number, addr: number, port: number): SysResult<number> {
    const text = this.host.trace.enabled ? `bind(${fd}, ${fmtAddr(addr)}:${port})` : '';
    const s = this.get(fd);
    if (!s) return this.trace(text, fail('EBADF'));
    if (s.bound || s.conn || s.listener) return this.trace(text, fail('EINVAL'));
    if (addr !== 0 && addr !== this.host.addr) return this.trace(text, fail('EADDRNOTAVAIL'));
    if (port !== 0 && this.bindConflict(port, s.opts.reuseAddr)) return this.trace(text, fail('EADDRINUSE'));
    const local = port || this.ephemeralPort(null);
    // inet_csk_get_port with the whole ip_local_port_range in use.
    if (local === null) return this.trace(text, fail('EADDRINUSE'));
    s.bound = { addr, port: local };
    return this.trace(text, ok(0));
  }

  /**
   * inet_bind_conflict: a port is taken by a listener, or by a connection using it (TIME_WAIT
   * included) unless both sides set SO_REUSEADDR and the other is not listening.
   */
  private bindConflict(port: number, reuse: boolean): boolean {
    for (const l of this.host.listeners.values()) if (l.localPort === port) return true;
    for (const s of this.fds.values()) if (s.bound?.port === port && !s.conn && !s.listener) return true;
    for (const c of this.host.connections.values()) {
      if (c.localPort === port && !(reuse && c.opts.reuseAddr)) return true;
    }
    return false;
  }

  /**
   * A local port from net.ipv4.ip_local_port_range for bind(port 0), listen() or connect(), or
   * null when every one is taken. For connect() a port whose 4-tuple is in TIME_WAIT counts as
   * free when that TIME_WAIT may be taken over (tcp_tw_reuse).
   */
  private ephemeralPort(remote: { addr: number; port: number } | null): number | null {
    const [a, b] = this.host.sysctl.getVector('net.ipv4.ip_local_port_range');
    const lo = Math.min(a, b);
    const span = Math.max(a, b) - lo + 1;
    const start = this.host.random.int(span);
    for (let i = 0; i < span; i++) {
      const port = lo + ((start + i) % span);
      if ([...this.host.listeners.values()].some((l) => l.localPort === port)) continue;
      if (remote) {
        const existing = this.host.connections.get(connKey(this.host.addr, port, remote.addr, remote.port));
        if (existing && !timeWaitReusable(this.host, existing, false)) continue;
      }
      if (!remote && [...this.host.connections.values()].some((c) => c.localPort === port)) continue;
      return port;
    }
    return null;
  }

  listen(fd: number, backlog: number): SysResult<number> {
    const text = this.host.trace.enabled ? `listen(${fd}, ${backlog})` : '';
    const s = this.get(fd);
    if (!s) return this.trace(text, fail('EBADF'));
    if (s.conn) return this.trace(text, fail('EINVAL'));
    const limit = effectiveBacklog(backlog, this.host.sysctl.get('net.core.somaxconn'));
    if (s.listener) {
      // listen() again only changes the backlog.
      s.listener.backlog = limit;
      return this.trace(text, ok(0));
    }
    if (!s.bound) {
      const local = this.ephemeralPort(null);
      if (local === null) return this.trace(text, fail('EADDRINUSE'));
      s.bound = { addr: 0, port: local };
    }
    const key = listenerKey(s.bound.addr, s.bound.port);
    if (this.host.listeners.has(key) || this.host.listeners.has(listenerKey(0, s.bound.port))) return this.trace(text, fail('EADDRINUSE'));
    const listener: Listener = {
      key,
      localAddr: s.bound.addr,
      localPort: s.bound.port,
      backlog: limit,
      synQueue: new Map(),
      acceptQueue: [],
      lastOverflowAt: -Infinity,
      warnedSynFlood: false,
      opts: s.opts,
      wake: (key) => this.wakeSocket(s, key),
      closed: false,
    };
    this.host.listeners.set(key, listener);
    s.listener = listener;
    this.host.trace.push({ kind: 'state', t: this.host.sched.now, host: this.host.name, conn: `${fmtAddr(listener.localAddr)}:${listener.localPort}`, from: 'CLOSED', to: 'LISTEN', cause: 'listen()' });
    traceQueues(listener, this.host);
    return this.trace(text, ok(0));
  }

  connect(fd: number, addr: number, port: number): Call<number> {
    const text = this.host.trace.enabled ? `connect(${fd}, ${fmtAddr(addr)}:${port})` : '';
    const call = new Call<number>(text);
    const s = this.get(fd);
    const now = this.host.sched.now;
    const done = (r: SysResult<number>) => {
      call.complete(this.trace(text, r), this.host.sched.now);
      return call;
    };
    if (!s) return done(fail('EBADF'));
    if (s.listener) return done(fail('EINVAL'));
    if (s.conn) {
      if (s.conn.state === 'SYN_SENT' || s.conn.state === 'SYN_RECV') return done(fail('EALREADY'));
      if (!s.conn.closed) return done(fail('EISCONN'));
      if (s.conn.error) return done(fail(this.takeError(s.conn)!));
      return done(fail('EISCONN'));
    }
    const localPort = s.bound?.port ?? this.ephemeralPort({ addr, port });
    // __inet_hash_connect: no usable local port, or the 4-tuple is taken and not a TIME_WAIT
    // this connect() may take over.
    if (localPort === null) return done(fail('EADDRNOTAVAIL'));
    const existing = this.host.connections.get(connKey(this.host.addr, localPort, addr >>> 0, port));
    if (existing && !timeWaitReusable(this.host, existing, s.bound !== null)) return done(fail('EADDRNOTAVAIL'));
    const iss = existing ? takeOverTimeWait(existing) : undefined;
    const conn = new Connection(this.host, this.host.addr, localPort, addr >>> 0, port, s.opts);
    s.conn = conn;
    s.opts = conn.opts;
    conn.wake = (key) => this.wakeSocket(s, key);
    this.host.connections.set(conn.key, conn);
    activeOpen(conn, iss);
    armRetransmit(conn);
    if (s.nonBlocking) {
      void now;
      return done(fail('EINPROGRESS'));
    }
    this.wait(s, call, 'connect', 0);
    return call;
  }

  private connectResult(conn: Connection): SysResult<number> | null {
    if (conn.state === 'ESTABLISHED' || conn.state === 'CLOSE_WAIT') return ok(0);
    if (conn.closed) return fail<number>(this.takeError(conn) ?? 'ECONNREFUSED');
    return null;
  }

  accept(fd: number): Call<number> {
    const text = this.host.trace.enabled ? `accept(${fd})` : '';
    const call = new Call<number>(text);
    const s = this.get(fd);
    if (!s || !s.listener) {
      call.complete(this.trace(text, fail(s ? 'EINVAL' : 'EBADF')), this.host.sched.now);
      return call;
    }
    this.wait(s, call, 'accept', 0);
    return call;
  }

  private acceptResult(s: Socket, listener: Listener): SysResult<number> | null {
    const child = listener.acceptQueue.find((c) => c.state !== 'SYN_RECV');
    if (!child) return s.nonBlocking ? fail('EAGAIN') : null;
    listener.acceptQueue.splice(listener.acceptQueue.indexOf(child), 1);
    child.listener = null;
    traceQueues(listener, this.host);
    const nfd = this.lowestFreeFd();
    const ns: Socket = { fd: nfd, nonBlocking: false, opts: child.opts, bound: { addr: child.localAddr, port: child.localPort }, conn: child, listener: null, waiters: [] };
    this.fds.set(nfd, ns);
    child.wake = (key) => this.wakeSocket(ns, key);
    return ok(nfd);
  }

  /** read()/recv(): up to `max` bytes; an empty array is end of file. */
  read(fd: number, max = 65536): Call<Uint8Array> {
    const text = this.host.trace.enabled ? `read(${fd}, ..., ${max})` : '';
    const call = new Call<Uint8Array>(text);
    const s = this.get(fd);
    if (!s || !s.conn) {
      call.complete(this.trace(text, fail(s ? 'ENOTCONN' : 'EBADF')), this.host.sched.now);
      return call;
    }
    this.wait(s, call, 'read', max);
    return call;
  }

  private readResult(s: Socket, conn: Connection, max: number): SysResult<Uint8Array> | null {
    if (conn.recvQueue.length > 0) {
      const bytes = conn.recvQueue.shift(max);
      if (truesizeModel(conn)) releaseRead(conn, bytes.length);
      // A delayed ACK the read makes due, or a window the read reopened.
      ackAfterRead(conn, bytes.length);
      return ok(bytes);
    }
    // tcp_recvmsg: a received FIN (SOCK_DONE) means end of file before any pending error is
    // reported, so after a RST in CLOSE_WAIT read() returns 0; write() and SO_ERROR see EPIPE.
    if (conn.rcvFin) return ok(new Uint8Array(0));
    if (conn.error) return fail(this.takeError(conn)!);
    if (conn.closed || conn.shutRd) return ok(new Uint8Array(0));
    return s.nonBlocking ? fail('EAGAIN') : null;
  }

  /**
   * write() for a caller that does not wait for it: the result it will return. On a blocking
   * socket whose send buffer is full the bytes that did not fit stay with the socket, in order, as
   * a blocked writer holds them, and are queued as ACKs free room; the count is then the whole
   * write (or, should the connection fail first, what `writeCall` reports when it returns).
   * `writeCall` gives the blocking call itself.
   */
  write(fd: number, data: Uint8Array | string): SysResult<number> {
    const bytes = typeof data === 'string' ? utf8(data) : data;
    // The common case without a Call: nothing waiting to write before it, and the buffer takes
    // every byte (or the socket is non-blocking). It is the hot path of every chatty application.
    const s = this.get(fd);
    const conn = s?.conn;
    if (conn && !conn.error && !conn.shutWr && !conn.closed && (conn.state === 'ESTABLISHED' || conn.state === 'CLOSE_WAIT') && !s!.waiters.some(isWrite)) {
      const taken = bytes.length ? queueData(conn, bytes, 0, sendMss(conn), false, pushData, copyToPacketMemory) : 0;
      if (taken === bytes.length || s!.nonBlocking) {
        const text = this.host.trace.enabled ? `write(${fd}, ..., ${bytes.length})` : '';
        return this.trace(text, taken > 0 || bytes.length === 0 ? ok(taken) : fail('EAGAIN'));
      }
      const call = this.startWrite(fd, bytes, true, taken);
      return call.done ? call.result! : ok(bytes.length);
    }
    const call = this.startWrite(fd, bytes, true);
    return call.done ? call.result! : ok(bytes.length);
  }

  /**
   * write()/send() (tcp_sendmsg_locked): takes what the send buffer allows (send-buffer.ts). A
   * non-blocking socket returns that count at once, or EAGAIN when it took nothing; a blocking
   * one waits until every byte is queued (sk_stream_wait_memory). `more`: MSG_MORE — the push at
   * the end of this call corks a partial segment and PSH is not marked (tcp_push). `eor`:
   * MSG_EOR — the buffer holding the call's last byte takes no later data, and no segment or
   * resend crosses its end (TCP_SKB_CB(skb)->eor; KERNEL.md finding 45).
   */
  writeCall(fd: number, data: Uint8Array | string, more = false, eor = false): Call<number> {
    return this.startWrite(fd, typeof data === 'string' ? utf8(data) : data, false, 0, more, eor);
  }

  /**
   * `returned`: the caller's write() has already returned, so it may reuse its buffer: bytes left
   * waiting are copied first (Linux copies everything it takes before write() returns).
   */
  private startWrite(fd: number, bytes: Uint8Array, returned: boolean, taken = 0, more = false, eor = false): Call<number> {
    const text = this.host.trace.enabled ? `write(${fd}, ..., ${bytes.length})` : '';
    const call = new Call<number>(text);
    const s = this.get(fd);
    if (!s || !s.conn) {
      call.complete(this.trace(text, fail(s ? 'ENOTCONN' : 'EBADF')), this.host.sched.now);
      return call;
    }
    this.wait(s, call, 'write', taken, bytes, more, eor);
    if (returned && !call.done) {
      const w = s.waiters[s.waiters.length - 1];
      w.data = w.data!.slice();
    }
    return call;
  }

  /** What a write() waiting with `done` bytes queued returns now, or null while it must wait. */
  private writeResult(s: Socket, conn: Connection, w: Waiter): SysResult<number> | null {
    const bytes = w.data!;
    // tcp_sendmsg_locked: an error ends the call, returning the bytes taken if there were any.
    let errno: Errno | null = null;
    if (conn.error) errno = w.max > 0 ? null : this.takeError(conn)!;
    else if (conn.shutWr || conn.closed) errno = 'EPIPE';
    else if (conn.state === 'SYN_SENT' || conn.state === 'SYN_RECV') errno = 'EAGAIN';
    else if (conn.state !== 'ESTABLISHED' && conn.state !== 'CLOSE_WAIT') errno = 'EPIPE';
    else {
      if (w.max < bytes.length) {
        const took = queueData(conn, bytes, w.max, sendMss(conn), w.more === true, w.more ? pushDataMore : pushData, copyToPacketMemory);
        w.max += took;
        if (w.eor && w.max === bytes.length) markEor(conn);
        // Before sleeping for room, tcp_sendmsg_locked pushes what it copied without MSG_MORE and
        // with TCP_NAGLE_PUSH.
        if (w.more && took > 0 && w.max < bytes.length && !s.nonBlocking) pushData(conn, NAGLE_PUSH);
      }
      if (w.max === bytes.length) return ok(w.max);
      if (!s.nonBlocking) return null;
      errno = 'EAGAIN';
    }
    return w.max > 0 || errno === null ? ok(w.max) : fail(errno);
  }

  shutdown(fd: number, how: ShutdownHow): SysResult<number> {
    const text = this.host.trace.enabled ? `shutdown(${fd}, ${how})` : '';
    const s = this.get(fd);
    if (!s) return this.trace(text, fail('EBADF'));
    const conn = s.conn;
    if (!conn || conn.closed) return this.trace(text, fail('ENOTCONN'));
    if (how !== 'SHUT_WR') {
      conn.shutRd = true;
      this.poll(s);
    }
    if (how !== 'SHUT_RD' && !this.deferBehindWrites(s, () => shutdownWrite(conn))) shutdownWrite(conn);
    return this.trace(text, ok(0));
  }

  /** Defers `op` until the socket's waiting writes have queued their bytes; false if none wait. */
  private deferBehindWrites(s: Socket, op: () => void): boolean {
    if (!s.waiters.some(isWrite)) return false;
    (s.afterWrites ??= []).push(op);
    return true;
  }

  close(fd: number): SysResult<number> {
    const text = this.host.trace.enabled ? `close(${fd})` : '';
    if (this.epolls.has(fd)) {
      this.epolls.delete(fd);
      for (const w of this.epollWaits.get(fd) ?? []) w.call.complete(fail('EBADF'), this.host.sched.now);
      this.epollWaits.delete(fd);
      return this.trace(text, ok(0));
    }
    const s = this.get(fd);
    if (!s) return this.trace(text, fail('EBADF'));
    this.fds.delete(fd);
    // eventpoll_release: a closed socket leaves every epoll set.
    for (const ep of this.epolls.values()) {
      const item = ep.items.get(fd);
      if (item) ep.remove(item);
    }
    s.watchers = null;
    const writes = s.waiters.filter((w) => w.op === 'write');
    for (const w of s.waiters) if (w.op !== 'write') w.call.complete(fail('EBADF'), this.host.sched.now);
    s.waiters = writes;
    if (!this.deferBehindWrites(s, () => this.release(s))) this.release(s);
    return this.trace(text, ok(0));
  }

  /** What close() does to the socket behind a descriptor. */
  private release(s: Socket): void {
    if (s.listener) this.closeListener(s.listener);
    if (s.conn && !s.conn.closed) {
      s.conn.wake = null;
      // In TIME_WAIT the 4-tuple already belongs to Linux's timewait sock and the socket itself is
      // TCP_CLOSE (tcp_time_wait → tcp_done): close() leaves TIME_WAIT to run out.
      if (s.conn.state === 'TIME_WAIT') s.conn.orphan = true;
      else closeConnection(s.conn);
    }
  }

  /**
   * Closing a listener (inet_csk_listen_stop): pending requests vanish; connections nobody
   * accepted are reset, since their peers believe they are open.
   */
  private closeListener(listener: Listener): void {
    listener.closed = true;
    this.host.listeners.delete(listener.key);
    for (const req of [...listener.synQueue.values()]) dropRequest(this.host, req, 'listener closed');
    for (const child of [...listener.acceptQueue]) {
      if (child.state === 'ESTABLISHED' || child.state === 'CLOSE_WAIT') sendActiveReset(child);
      destroy(child, 'listener closed before accept(): RST');
    }
    listener.acceptQueue = [];
    this.host.trace.push({ kind: 'state', t: this.host.sched.now, host: this.host.name, conn: `${fmtAddr(listener.localAddr)}:${listener.localPort}`, from: 'LISTEN', to: 'CLOSED', cause: 'close()' });
  }

  setNonBlocking(fd: number, on: boolean): SysResult<number> {
    const s = this.get(fd);
    const text = this.host.trace.enabled ? `fcntl(${fd}, F_SETFL, ${on ? 'O_RDWR|O_NONBLOCK' : 'O_RDWR'})` : '';
    if (!s) return this.trace(text, fail('EBADF'));
    s.nonBlocking = on;
    return this.trace(text, ok(0));
  }

  setsockopt(fd: number, name: SockOptName, value: number | boolean | Linger): SysResult<number> {
    const text = `setsockopt(${fd}, ${name}, ${typeof value === 'object' ? `{onoff=${value.onoff ? 1 : 0}, linger=${value.linger}}` : Number(value)})`;
    const s = this.get(fd);
    if (!s) return this.trace(text, fail('EBADF'));
    const r = this.applyOption(s, name, value);
    return this.trace(text, r);
  }

  private applyOption(s: Socket, name: SockOptName, value: number | boolean | Linger): SysResult<number> {
    const o = s.opts;
    const n = typeof value === 'object' ? NaN : Number(value);
    const int = Number.isInteger(n);
    switch (name) {
      case 'SO_REUSEADDR':
        o.reuseAddr = n !== 0;
        break;
      case 'SO_KEEPALIVE':
        o.keepalive = n !== 0;
        if (s.conn && !s.conn.closed) resetKeepaliveTimer(s.conn);
        break;
      case 'SO_LINGER':
        if (typeof value !== 'object') return fail('EINVAL');
        o.linger = { onoff: value.onoff, linger: value.linger };
        break;
      case 'TCP_KEEPIDLE':
      case 'TCP_KEEPINTVL':
        // MAX_TCP_KEEPIDLE / MAX_TCP_KEEPINTVL = 32767 s.
        if (!int || n < 1 || n > 32767) return fail('EINVAL');
        if (name === 'TCP_KEEPIDLE') o.keepIdle = n;
        else o.keepIntvl = n;
        if (name === 'TCP_KEEPIDLE' && s.conn) this.rescheduleKeepalive(s.conn);
        break;
      case 'TCP_KEEPCNT':
        if (!int || n < 1 || n > 127) return fail('EINVAL');
        o.keepCnt = n;
        break;
      case 'TCP_USER_TIMEOUT':
        if (!int || n < 0) return fail('EINVAL');
        o.userTimeout = n;
        break;
      case 'TCP_LINGER2':
        if (!int) return fail('EINVAL');
        // TCP_FIN_TIMEOUT_MAX: at most 120 s; negative means "no FIN_WAIT_2 wait: RST".
        o.linger2 = n < 0 ? -1 : Math.min(n, 120);
        break;
      case 'TCP_NODELAY':
        // __tcp_sock_set_nodelay: on sets TCP_NAGLE_OFF|TCP_NAGLE_PUSH and pushes, so it sends
        // even what TCP_CORK holds; off clears TCP_NAGLE_OFF only.
        o.nodelay = n !== 0;
        if (s.conn && !s.conn.closed) {
          if (o.nodelay) s.conn.naglePush = true;
          pushData(s.conn);
        }
        break;
      case 'TCP_CORK':
        // __tcp_sock_set_cork: uncorking pushes what was held at once (with TCP_NAGLE_PUSH on a
        // TCP_NODELAY socket); no timer limits how long a cork holds (KERNEL.md finding 41).
        o.cork = n !== 0;
        if (!o.cork && s.conn && !s.conn.closed) {
          if (o.nodelay) s.conn.naglePush = true;
          pushData(s.conn);
        }
        break;
      case 'IP_TOS':
        // __ip_sock_set_tos: on a stream socket the ECN bits stay TCP's own.
        if (!int) return fail('EINVAL');
        o.ipTos = (n & ~ECN_MASK & 0xff) | (o.ipTos & ECN_MASK);
        break;
      case 'IP_MTU_DISCOVER':
        // do_ip_setsockopt: IP_PMTUDISC_DONT (0) … IP_PMTUDISC_OMIT (5).
        if (!int || n < IP_PMTUDISC_DONT || n > IP_PMTUDISC_OMIT) return fail('EINVAL');
        o.pmtuDisc = n;
        break;
      case 'TCP_SYNCNT':
        if (!int || n < 1 || n > 127) return fail('EINVAL');
        o.synCnt = n;
        break;
      case 'TCP_MAXSEG':
        // do_tcp_setsockopt: 0 clears it; otherwise TCP_MIN_MSS (88) … MAX_TCP_WINDOW (32767).
        // Stored in any state, but only a later connect() or SYN reads it: an established
        // connection keeps its MSS (measured on 6.18: 500 set after the handshake still reads 1088).
        if (!int || (n !== 0 && (n < MIN_MSS || n > MAX_USER_MSS))) return fail('EINVAL');
        o.userMss = n;
        break;
      case 'SO_SNDBUF':
      case 'SO_RCVBUF': {
        if (!int) return fail('EINVAL');
        // sk_setsockopt: the int is clamped as a u32 to wmem_max / rmem_max (so a negative value
        // means the maximum), then doubled "to allow for struct sk_buff overhead", never below
        // SOCK_MIN_SNDBUF / SOCK_MIN_RCVBUF.
        const send = name === 'SO_SNDBUF';
        const max = this.host.sysctl.get(send ? 'net.core.wmem_max' : 'net.core.rmem_max');
        const val = Math.min(n >>> 0, max);
        if (send) {
          o.sndBuf = Math.max(val * 2, SOCK_MIN_SNDBUF);
          o.sndBufLocked = true;
          // __sock_set_sndbuf calls sk_write_space: a blocked writer may fit now.
          this.poll(s);
        } else {
          o.rcvBuf = Math.max(val * 2, SOCK_MIN_RCVBUF);
          o.rcvBufLocked = true; // SOCK_RCVBUF_LOCK: the window is sized from it from now on
        }
        break;
      }
      case 'TCP_NOTSENT_LOWAT':
        if (!int) return fail('EINVAL');
        // do_tcp_setsockopt stores the int as a u32 (-1 reads back 0xffffffff), then calls
        // sk_write_space: a lower limit cannot make a waiter writeable, a higher one may.
        o.notsentLowat = n >>> 0;
        if (s.conn && !s.conn.closed && s.conn.sndNoSpace && streamWriteable(s.conn)) {
          s.conn.sndNoSpace = false;
          this.wakeSocket(s, WAKE_WRITE_SPACE);
        }
        break;
      case 'TCP_INQ':
        // do_tcp_setsockopt: only 0 or 1.
        if (!int || n < 0 || n > 1) return fail('EINVAL');
        o.recvInq = n === 1;
        break;
      case 'SO_ERROR':
        return fail('ENOPROTOOPT');
    }
    return ok(0);
  }

  /** tcp_sock_set_keepidle: a new idle time counts from the last segment received, not from now. */
  private rescheduleKeepalive(conn: Connection): void {
    if (!conn.opts.keepalive || conn.closed) return;
    const idle = conn.now - conn.lastRcvAt;
    const left = Math.max(0, keepaliveTime(conn) - idle);
    cancelTimer(conn, 'keepalive', false);
    setTimer(conn, 'keepalive', left, onKeepaliveTimer);
  }

  getsockopt(fd: number, name: SockOptName): SysResult<number | Linger> {
    const text = this.host.trace.enabled ? `getsockopt(${fd}, ${name})` : '';
    const s = this.get(fd);
    if (!s) return this.trace(text, fail('EBADF'));
    const o = s.opts;
    let v: number | Linger;
    switch (name) {
      case 'SO_ERROR': {
        const e = s.conn ? this.takeError(s.conn) : null;
        v = e ? ERRNO_NUMBERS[e] : 0;
        break;
      }
      case 'SO_REUSEADDR': v = o.reuseAddr ? 1 : 0; break;
      case 'SO_KEEPALIVE': v = o.keepalive ? 1 : 0; break;
      case 'SO_LINGER': v = o.linger ?? { onoff: false, linger: 0 }; break;
      case 'TCP_KEEPIDLE': v = o.keepIdle || this.host.sysctl.get('net.ipv4.tcp_keepalive_time'); break;
      case 'TCP_KEEPINTVL': v = o.keepIntvl || this.host.sysctl.get('net.ipv4.tcp_keepalive_intvl'); break;
      case 'TCP_KEEPCNT': v = o.keepCnt || this.host.sysctl.get('net.ipv4.tcp_keepalive_probes'); break;
      case 'TCP_USER_TIMEOUT': v = o.userTimeout; break;
      case 'TCP_LINGER2': v = o.linger2 < 0 ? -1 : o.linger2 || this.host.sysctl.get('net.ipv4.tcp_fin_timeout'); break;
      case 'TCP_NODELAY': v = o.nodelay ? 1 : 0; break;
      case 'TCP_CORK': v = o.cork ? 1 : 0; break;
      case 'IP_TOS': v = o.ipTos; break;
      case 'IP_MTU_DISCOVER': v = o.pmtuDisc; break;
      case 'TCP_SYNCNT': v = o.synCnt || this.host.sysctl.get('net.ipv4.tcp_syn_retries'); break;
      case 'TCP_MAXSEG':
        // do_tcp_getsockopt: mss_cache (536 until connect(); then our MSS less the timestamp
        // option; after the handshake the negotiated one), or user_mss on a closed or listening socket.
        v = s.conn && !s.conn.closed ? s.conn.mss : o.userMss || MSS_DEFAULT;
        break;
      // Grown by tcp_sndbuf_expand once connected unless set (send-buffer.ts).
      case 'SO_SNDBUF': v = o.sndBuf || this.host.sysctl.getVector('net.ipv4.tcp_wmem')[1]; break;
      case 'SO_RCVBUF': v = o.rcvBuf || this.host.sysctl.getVector('net.ipv4.tcp_rmem')[1]; break;
      // The socket's own value: 0 while it uses the sysctl.
      case 'TCP_NOTSENT_LOWAT': v = o.notsentLowat; break;
      case 'TCP_INQ': v = o.recvInq ? 1 : 0; break;
    }
    return this.trace(text, ok(v));
  }

  // ---- poll, epoll, recvmsg ---------------------------------------------------------------

  /** tcp_poll's event mask for a descriptor (poll.ts), or null when it is no socket. */
  pollMask(fd: number): number | null {
    const s = this.get(fd);
    if (!s) return null;
    if (s.listener) return listenPoll(s.listener);
    if (s.conn) return tcpPoll(s.conn);
    return UNCONNECTED_POLL;
  }

  /** A wake-up on the socket's wait queue: epoll items and blocked poll() calls, then waiting calls. */
  private wakeSocket(s: Socket, key = WAKE_ALL): void {
    const ws = s.watchers;
    if (ws) for (const w of ws.slice()) w(key);
    this.poll(s);
  }

  private watch(s: Socket, w: (key: number) => void): void {
    (s.watchers ??= []).push(w);
  }

  private unwatch(s: Socket, w: (key: number) => void): void {
    const ws = s.watchers;
    if (!ws) return;
    const i = ws.indexOf(w);
    if (i >= 0) ws.splice(i, 1);
  }

  /**
   * poll(): each entry's revents (its events plus POLLERR and POLLHUP, POLLNVAL for a descriptor
   * that is not open, 0 for a negative one). Returns at once when one is non-zero or the timeout is
   * 0; otherwise it sleeps until a wake-up that concerns an entry finds one ready (do_poll, pollwake),
   * or until `timeoutMs` (negative: no limit). The result is the revents, one per entry.
   */
  pollCall(entries: ReadonlyArray<{ fd: number; events: number }>, timeoutMs: number): Call<number[]> {
    const text = this.host.trace.enabled ? `poll([${entries.map((e) => `{fd=${e.fd}, events=0x${e.events.toString(16)}}`).join(', ')}], ${entries.length}, ${timeoutMs})` : '';
    const call = new Call<number[]>(text);
    const scan = (): number[] => entries.map((e) => {
      if (e.fd < 0) return 0;
      const mask = this.pollMask(e.fd);
      return mask === null ? POLLNVAL : mask & (e.events | POLLERR | POLLHUP);
    });
    const finish = (revents: number[]) => {
      if (call.done) return;
      for (const [s, w] of hooks) this.unwatch(s, w);
      this.host.sched.cancel(timer);
      const n = revents.filter((r) => r !== 0).length;
      this.trace(text, ok(n));
      call.complete(ok(revents), this.host.sched.now);
    };
    const hooks: Array<[Socket, (key: number) => void]> = [];
    let timer: ReturnType<typeof this.host.sched.at> | null = null;
    const first = scan();
    if (first.some((r) => r !== 0) || timeoutMs === 0) {
      finish(first);
      return call;
    }
    let scheduled = false;
    const recheck = () => {
      scheduled = false;
      const r = scan();
      if (r.some((x) => x !== 0)) finish(r);
    };
    for (const e of entries) {
      const s = e.fd >= 0 ? this.get(e.fd) : null;
      if (!s) continue;
      const interest = e.events | POLLERR | POLLHUP;
      const hook = (key: number) => {
        if (scheduled || !wakeMatches(key, interest)) return;
        scheduled = true;
        // Re-polled in an event of its own, after TCP has finished with the segment.
        this.wakes.at(this.host.sched.now, recheck, this.wakeLabel);
      };
      this.watch(s, hook);
      hooks.push([s, hook]);
    }
    if (timeoutMs > 0) timer = this.host.sched.at(this.host.sched.now + timeoutMs, () => finish(entries.map(() => 0)), `${this.host.name} poll timeout`);
    return call;
  }

  private epolls = new Map<number, Epoll>();
  private epollWaits = new Map<number, Array<{ call: Call<EpollEvent[]>; try: () => void }>>();

  /** epoll_create(size): a new epoll descriptor; size is only checked to be positive. */
  epollCreate(size: number): SysResult<number> {
    const text = `epoll_create(${size})`;
    if (!(size > 0)) return this.trace(text, fail('EINVAL'));
    const fd = this.lowestFreeFd();
    const ep = new Epoll({ pollMask: (n) => this.pollMask(n) });
    ep.onReady = () => {
      const waits = this.epollWaits.get(fd);
      if (!waits || !waits.length) return;
      this.wakes.at(this.host.sched.now, () => {
        for (const w of [...(this.epollWaits.get(fd) ?? [])]) w.try();
      }, this.wakeLabel);
    };
    this.epolls.set(fd, ep);
    return this.trace(text, ok(fd));
  }

  /** epoll_ctl: EPOLL_CTL_ADD (EEXIST if present), EPOLL_CTL_MOD and EPOLL_CTL_DEL (ENOENT if absent). */
  epollCtl(epfd: number, op: EpollOp, fd: number, events = 0, data = fd): SysResult<number> {
    const text = this.host.trace.enabled ? `epoll_ctl(${epfd}, ${op}, ${fd}, 0x${(events >>> 0).toString(16)})` : '';
    const ep = this.epolls.get(epfd);
    if (!ep) return this.trace(text, fail(this.fds.has(epfd) ? 'EINVAL' : 'EBADF'));
    const s = this.get(fd);
    if (!s) return this.trace(text, fail(this.epolls.has(fd) && fd !== epfd ? 'EOPNOTSUPP' : fd === epfd ? 'EINVAL' : 'EBADF'));
    const item = ep.items.get(fd);
    if (op === 'EPOLL_CTL_ADD') {
      if (item) return this.trace(text, fail('EEXIST'));
      const added = ep.add(fd, events, data);
      this.watch(s, added.onWake);
    } else if (!item) {
      return this.trace(text, fail('ENOENT'));
    } else if (op === 'EPOLL_CTL_MOD') {
      ep.modify(item, events, data);
    } else {
      ep.remove(item);
      this.unwatch(s, item.onWake);
    }
    return this.trace(text, ok(0));
  }

  /**
   * epoll_wait: up to `max` events (Epoll.collect). Returns at once with what is ready, or with
   * none when `timeoutMs` is 0; otherwise waits until a wake-up makes an item report something,
   * or until the timeout (negative: none).
   */
  epollWait(epfd: number, max: number, timeoutMs: number): Call<EpollEvent[]> {
    const text = this.host.trace.enabled ? `epoll_wait(${epfd}, ${max}, ${timeoutMs})` : '';
    const call = new Call<EpollEvent[]>(text);
    const ep = this.epolls.get(epfd);
    const now = () => this.host.sched.now;
    if (!ep || max <= 0) {
      call.complete(this.trace(text, fail(!ep && !this.fds.has(epfd) ? 'EBADF' : 'EINVAL')), now());
      return call;
    }
    const finish = (events: EpollEvent[]) => {
      this.trace(text, ok(events.length));
      call.complete(ok(events), now());
    };
    const first = ep.collect(max);
    if (first.length || timeoutMs === 0) {
      finish(first);
      return call;
    }
    const waits = this.epollWaits.get(epfd) ?? [];
    this.epollWaits.set(epfd, waits);
    let timer: ReturnType<typeof this.host.sched.at> | null = null;
    const entry = {
      call,
      try: () => {
        if (call.done) return;
        const events = ep.collect(max);
        if (!events.length) return;
        done();
        finish(events);
      },
    };
    const done = () => {
      waits.splice(waits.indexOf(entry), 1);
      this.host.sched.cancel(timer);
    };
    waits.push(entry);
    if (timeoutMs > 0) timer = this.host.sched.at(now() + timeoutMs, () => {
      done();
      finish([]);
    }, `${this.host.name} epoll_wait timeout`);
    return call;
  }

  /**
   * recvmsg(): read() of up to `max` bytes, with TCP_INQ's control message (tcp_recvmsg,
   * tcp_inq_hint): the bytes still unread after the read, plus one once the peer's FIN is in
   * (rcv_nxt − copied_seq counts the FIN, so a reader knows to read again for end of file).
   */
  recvmsg(fd: number, max: number): Call<RecvMsg> {
    const call = new Call<RecvMsg>(this.host.trace.enabled ? `recvmsg(${fd}, ..., ${max})` : '');
    this.read(fd, max).then((r) => {
      if (!r.ok) return call.complete(r, this.host.sched.now);
      const s = this.get(fd);
      const conn = s?.conn;
      const inq = s && conn && s.opts.recvInq ? conn.recvQueue.length + (conn.rcvFin ? 1 : 0) : null;
      call.complete(ok({ data: r.value, inq }), this.host.sched.now);
    });
    return call;
  }

  /** The connection behind a descriptor (tests, tcp_info, the packetdrill runner). */
  connectionOf(fd: number): Connection | null {
    return this.get(fd)?.conn ?? null;
  }

  listenerOf(fd: number): Listener | null {
    return this.get(fd)?.listener ?? null;
  }

  descriptors(): number[] {
    return [...this.fds.keys()];
  }

  /** sk_err is reported once, then cleared (sock_error). */
  private takeError(conn: Connection): Errno | null {
    const e = conn.error;
    conn.error = null;
    return e;
  }

  /** Completes the call now if it can, otherwise leaves it waiting on the socket. */
  private wait<T>(s: Socket, call: Call<T>, op: Waiter['op'], max: number, data?: Uint8Array, more = false, eor = false): void {
    const w: Waiter = { call: call as Call<unknown>, op, max, data };
    if (more) w.more = true;
    if (eor) w.eor = true;
    // A write behind a blocked one waits its turn: the bytes of one write() stay together.
    const r = op === 'write' && s.waiters.some(isWrite) ? null : this.check(s, w);
    if (r) call.complete(this.trace(call.text, r as SysResult<T>), this.host.sched.now);
    else s.waiters.push(w);
  }

  /** What would complete a waiting call now, or null while it must keep waiting. */
  private check(s: Socket, w: Waiter): SysResult<unknown> | null {
    switch (w.op) {
      case 'connect':
        return this.connectResult(s.conn!);
      case 'accept':
        return this.acceptResult(s, s.listener!);
      case 'read':
        return this.readResult(s, s.conn!, w.max);
      case 'write':
        return this.writeResult(s, s.conn!, w);
    }
  }

  /**
   * Something changed on this socket. Waiting calls are re-checked in an event of their own at
   * the same virtual time, so the application never runs in the middle of TCP's processing of a
   * segment (a write() in connect()'s callback must not overtake the handshake's final ACK).
   */
  private poll(s: Socket): void {
    if (!s.waiters.length || this.scheduled.has(s)) return;
    this.scheduled.add(s);
    this.wakes.at(this.host.sched.now, () => {
      this.scheduled.delete(s);
      this.pollNow(s);
    }, this.wakeLabel);
  }

  private scheduled = new Set<Socket>();

  private pollNow(s: Socket): void {
    if (!s.waiters.length) return;
    const still: Waiter[] = [];
    let writeBlocked = false;
    for (const w of s.waiters) {
      if (w.op === 'write' && writeBlocked) {
        still.push(w);
        continue;
      }
      const r = this.check(s, w);
      if (!r && w.op === 'write') writeBlocked = true;
      if (r) w.call.complete(this.trace(w.call.text, r), this.host.sched.now);
      else still.push(w);
    }
    s.waiters = still;
    if (s.afterWrites && !writeBlocked) {
      const ops = s.afterWrites;
      s.afterWrites = null;
      for (const op of ops) op();
    }
  }
}

/** Linux errno numbers, for getsockopt(SO_ERROR). */
export const ERRNO_NUMBERS: Record<Errno, number> = {
  EPIPE: 32,
  EAGAIN: 11,
  EINVAL: 22,
  EBADF: 9,
  ECONNREFUSED: 111,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
  EINPROGRESS: 115,
  EALREADY: 114,
  EISCONN: 106,
  ENOTCONN: 107,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENOPROTOOPT: 92,
  EOPNOTSUPP: 95,
  EHOSTUNREACH: 113,
  EEXIST: 17,
  ENOENT: 2,
};

export { ERRNO_TEXT };

function isWrite(w: Waiter): boolean {
  return w.op === 'write';
}

/** UTF-8 bytes of a string (the core runs without TextEncoder typings). */
function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}
