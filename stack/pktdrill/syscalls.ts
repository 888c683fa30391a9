/**
 * The system calls of a packetdrill script, played on the simulated host's socket API. Script
 * descriptors are mapped to live ones as packetdrill does (`socket() = 3` names descriptor 3,
 * whatever number the host hands out), addresses default to packetdrill's (bind and listen on
 * port 8080 of the local address, connect to port 8080 of the remote one), and every call or
 * option the simulator cannot reproduce is reported as unsupported before the script starts.
 */
import type { PdExpr, PdSyscall } from './ast.ts';
import type { EpollOp, SockOptName, SocketApi } from '../core/socket.ts';
import { ERRNO_NUMBERS } from '../core/socket.ts';
import { ERRNO_TEXT, type Errno, type SysResult } from '../core/tcp/errno.ts';
import type { Linger } from '../core/tcp/connection.ts';

/** What a system call needs from the runner. */
export interface SyscallEnv {
  readonly api: SocketApi;
  readonly localAddr: number;
  readonly remoteAddr: number;
  readonly bindPort: number;
  readonly connectPort: number;
  liveFd(scriptFd: number): number;
  mapFd(scriptFd: number, liveFd: number): void;
  isNonBlocking(liveFd: number): boolean;
  setNonBlockingFlag(liveFd: number, on: boolean): void;
  onListen(liveFd: number): void;
  onConnect(liveFd: number): void;
}

/** A call's outcome as the script states it: a number, or -1 with errno. */
export type Outcome = { ok: true; value: number } | { ok: false; errno: string };

/** A call that may still be running: what the runner reads of the stack's Call. */
export interface PendingCall {
  readonly done: boolean;
  readonly result: SysResult<unknown> | null;
  /** Virtual time it returned, ms. */
  readonly doneAt: number;
}

/** `check` compares what the call returned besides its result (a value argument, epoll events). */
export type Started =
  | { kind: 'done'; outcome: Outcome; check?: () => string | null }
  | { kind: 'pending'; call: PendingCall; finish: (r: SysResult<unknown>) => Outcome; check?: () => string | null };

const SOCKOPTS: Record<string, SockOptName> = {
  SO_REUSEADDR: 'SO_REUSEADDR',
  SO_KEEPALIVE: 'SO_KEEPALIVE',
  SO_LINGER: 'SO_LINGER',
  SO_ERROR: 'SO_ERROR',
  TCP_KEEPIDLE: 'TCP_KEEPIDLE',
  TCP_KEEPINTVL: 'TCP_KEEPINTVL',
  TCP_KEEPCNT: 'TCP_KEEPCNT',
  TCP_USER_TIMEOUT: 'TCP_USER_TIMEOUT',
  TCP_LINGER2: 'TCP_LINGER2',
  TCP_NODELAY: 'TCP_NODELAY',
  TCP_SYNCNT: 'TCP_SYNCNT',
  TCP_MAXSEG: 'TCP_MAXSEG',
  TCP_CORK: 'TCP_CORK',
  IP_TOS: 'IP_TOS',
  IP_MTU_DISCOVER: 'IP_MTU_DISCOVER',
  SO_SNDBUF: 'SO_SNDBUF',
  SO_RCVBUF: 'SO_RCVBUF',
  TCP_NOTSENT_LOWAT: 'TCP_NOTSENT_LOWAT',
  TCP_INQ: 'TCP_INQ',
};

const SUPPORTED = new Set([
  'socket', 'bind', 'listen', 'accept', 'connect', 'read', 'recv', 'write', 'send',
  'close', 'shutdown', 'setsockopt', 'getsockopt', 'fcntl', 'ioctl',
  'epoll_create', 'epoll_ctl', 'epoll_wait', 'poll', 'recvmsg',
  'sendmsg', 'sendto', 'recvfrom',
]);

const EPOLL_OPS = new Set(['EPOLL_CTL_ADD', 'EPOLL_CTL_MOD', 'EPOLL_CTL_DEL']);

/** The send calls and the recv calls: their flags argument's position. */
const SEND_FLAGS_ARG: Record<string, number> = { send: 3, sendto: 3, sendmsg: 2 };
const RECV_FLAGS_ARG: Record<string, number> = { recv: 3, recvfrom: 3 };

const MSG_MORE = 0x8000;
const MSG_EOR = 0x80;
/** errno names the runner itself answers (no socket call is made), with strerror's text. */
const RUNNER_ERRNO_TEXT: Record<string, string> = { EFAULT: 'Bad address' };

/** tcp_ioctl's queries (SIOCINQ is FIONREAD, SIOCOUTQ is TIOCOUTQ). */
const IOCTLS = new Set(['SIOCINQ', 'FIONREAD', 'SIOCOUTQ', 'TIOCOUTQ', 'SIOCOUTQNSD']);

const O_RDWR = 0x2;
const O_NONBLOCK = 0x800;
/** poll.h and eventpoll.h bits (the same numbers for POLL* and EPOLL*). */
const POLL_BITS: Record<string, number> = {
  IN: 0x1, PRI: 0x2, OUT: 0x4, ERR: 0x8, HUP: 0x10, NVAL: 0x20, RDNORM: 0x40, RDBAND: 0x80,
  WRNORM: 0x100, WRBAND: 0x200, MSG: 0x400, RDHUP: 0x2000,
};
const CONSTANTS: Record<string, number> = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR, O_NONBLOCK, MSG_DONTWAIT: 0x40, MSG_MORE, MSG_EOR,
  ...Object.fromEntries(Object.entries(POLL_BITS).flatMap(([k, v]) => [[`POLL${k}`, v], [`EPOLL${k}`, v]])),
  EPOLLET: 0x80000000, EPOLLONESHOT: 0x40000000,
  IP_PMTUDISC_DONT: 0, IP_PMTUDISC_WANT: 1, IP_PMTUDISC_DO: 2, IP_PMTUDISC_PROBE: 3,
  IP_PMTUDISC_INTERFACE: 4, IP_PMTUDISC_OMIT: 5,
};

/** errno names that are aliases on Linux. */
const ERRNO_ALIASES: Record<string, string> = { EWOULDBLOCK: 'EAGAIN' };

function ident(e: PdExpr | undefined): string | null {
  return e && e.kind === 'ident' ? e.name : null;
}

function isAny(e: PdExpr | undefined): boolean {
  return !e || e.kind === 'ellipsis';
}

/** `NULL` as a buffer: the one bad user pointer a script can write. */
function isNull(e: PdExpr | undefined): boolean {
  return ident(e) === 'NULL';
}

/** The fields of sendmsg's struct msghdr: msg_name(...)=..., msg_iov(N)=[{..., len}, ...], msg_flags. */
function msghdrFields(e: PdExpr | undefined): { name?: PdExpr; iov?: PdExpr; other: string[] } | null {
  if (!e || e.kind !== 'struct') return null;
  const out: { name?: PdExpr; iov?: PdExpr; other: string[] } = { other: [] };
  for (const [key, value] of Object.entries(e.fields)) {
    const field = key.replace(/\(.*\)$/, '');
    if (field === 'msg_name') out.name = value;
    else if (field === 'msg_iov') out.iov = value;
    else if (field !== 'msg_flags') out.other.push(field);
  }
  return out;
}

/** The bytes of each iovec in `msg_iov(N)=[{..., len}, ...]`, or null if not written so. */
function iovLengths(e: PdExpr | undefined): number[] | null {
  if (!e || e.kind !== 'array') return null;
  const lens: number[] = [];
  for (const item of e.items) {
    const fields = item.kind === 'array' ? item.items : item.kind === 'struct' ? [item.fields.iov_base, item.fields.iov_len] : [];
    const n = fields.length === 2 ? numberOf(fields[1]) : null;
    if (n === null || n < 0) return null;
    lens.push(n);
  }
  return lens;
}

function msghdrUnsupported(e: PdExpr | undefined): string | null {
  const m = msghdrFields(e);
  if (!m) return 'without a struct msghdr {msg_name(...)=..., msg_iov(N)=[{..., len}], msg_flags=0}';
  if (m.other.length) return `msghdr field ${m.other.join(', ')} (only msg_name, msg_iov and msg_flags)`;
  if (!isAny(m.name)) return 'with msg_name (only ..., as on a connected TCP socket)';
  if (iovLengths(m.iov) === null) return 'msg_iov other than [{..., len}, ...]';
  return null;
}

/** Why the simulator cannot run this call, or null. */
export function syscallUnsupported(sc: PdSyscall): string | null {
  if (!SUPPORTED.has(sc.name)) return `system call ${sc.name}() (supported: ${[...SUPPORTED].join(', ')})`;
  const a = sc.args;
  if (sc.name === 'socket') {
    const domain = ident(a[0]);
    if (domain && domain !== 'AF_INET') return `socket domain ${domain} (only AF_INET: the simulator is IPv4)`;
    const type = ident(a[1]);
    if (type && type !== 'SOCK_STREAM') return `socket type ${type} (only SOCK_STREAM)`;
  }
  if (sc.name === 'setsockopt' || sc.name === 'getsockopt') {
    const name = ident(a[2]);
    if (!name || !SOCKOPTS[name]) return `${sc.name} option ${name ?? '?'} (supported: ${Object.keys(SOCKOPTS).join(', ')})`;
    if (sc.name === 'setsockopt' && name === 'SO_ERROR') return 'setsockopt SO_ERROR (read-only)';
  }
  if (sc.name in SEND_FLAGS_ARG) {
    const flags = a[SEND_FLAGS_ARG[sc.name]];
    const n = numberOf(flags);
    if (flags && (n === null || (n & ~(MSG_MORE | MSG_EOR)) !== 0)) return `${sc.name}() flags other than 0, MSG_MORE and MSG_EOR`;
  }
  if (sc.name in RECV_FLAGS_ARG) {
    const flags = a[RECV_FLAGS_ARG[sc.name]];
    if (flags && !(flags.kind === 'number' && flags.value === 0)) return `${sc.name}() flags other than 0`;
  }
  if ((sc.name === 'sendto' || sc.name === 'recvfrom') && !isAny(a[4])) {
    return `${sc.name}() with an address (only ..., as on a connected TCP socket)`;
  }
  if (sc.name === 'sendmsg') {
    const why = msghdrUnsupported(a[1]);
    if (why) return `sendmsg() ${why}`;
  }
  if (sc.name === 'ioctl') {
    const req = ident(a[1]);
    if (!req || !IOCTLS.has(req)) return `ioctl request ${req ?? '?'} (only SIOCINQ, SIOCOUTQ and SIOCOUTQNSD)`;
  }
  if (sc.name === 'epoll_ctl') {
    const op = ident(a[1]);
    if (!op || !EPOLL_OPS.has(op)) return `epoll_ctl operation ${op ?? '?'} (only EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL)`;
    if (op !== 'EPOLL_CTL_DEL' && a[3]?.kind !== 'struct') return 'epoll_ctl without an {events=..., fd=...} event';
  }
  if (sc.name === 'epoll_wait' && a[1]?.kind !== 'struct') return 'epoll_wait without an expected {events=..., fd=...} event';
  if (sc.name === 'poll') {
    const list = a[0];
    if (!list || list.kind !== 'array' || list.items.some((i) => i.kind !== 'struct')) return 'poll() without a [{fd=..., events=..., revents=...}] list';
  }
  if (sc.name === 'recvmsg') {
    const flags = a[2];
    if (flags && !(flags.kind === 'number' && flags.value === 0)) return 'recvmsg() flags other than 0';
    const msg = a[1];
    if (!msg || msg.kind !== 'struct') return 'recvmsg() without a {msg_iov(...)=[...], ...} message';
    const control = msg.fields.msg_control;
    if (control && control.kind !== 'ellipsis') {
      const cmsgs = control.kind === 'array' ? control.items : [control];
      for (const c of cmsgs) {
        const type = c.kind === 'struct' ? ident(c.fields.cmsg_type) : null;
        if (type !== 'TCP_CM_INQ') return `recvmsg() control message ${type ?? '?'} (only TCP_CM_INQ)`;
      }
    }
  }
  if (sc.name === 'fcntl') {
    const cmd = ident(a[1]);
    if (cmd !== 'F_GETFL' && cmd !== 'F_SETFL') return `fcntl command ${cmd ?? '?'} (only F_GETFL and F_SETFL)`;
  }
  return null;
}

export function expectedOutcome(sc: PdSyscall): Outcome | 'any' {
  if (sc.result.kind === 'ellipsis') return 'any';
  if (sc.errno) return { ok: false, errno: ERRNO_ALIASES[sc.errno.name] ?? sc.errno.name };
  return { ok: true, value: numberOf(sc.result) ?? NaN };
}

function numberOf(e: PdExpr | undefined): number | null {
  if (!e) return null;
  if (e.kind === 'number') return e.value;
  if (e.kind === 'ident' && e.name in CONSTANTS) return CONSTANTS[e.name];
  if (e.kind === 'binary') {
    const l = numberOf(e.left);
    const r = numberOf(e.right);
    return l === null || r === null ? null : (l | r) >>> 0;
  }
  if (e.kind === 'array' && e.items.length === 1) return numberOf(e.items[0]);
  if (e.kind === 'call' && e.name === 'htons' && e.args.length === 1) return numberOf(e.args[0]);
  return null;
}

export function outcomeText(o: Outcome): string {
  return o.ok ? String(o.value) : `-1 ${o.errno} (${ERRNO_TEXT[o.errno as Errno] ?? RUNNER_ERRNO_TEXT[o.errno] ?? '?'})`;
}

function toOutcome(r: SysResult<unknown>): Outcome {
  if (!r.ok) return { ok: false, errno: r.errno };
  const v = r.value;
  return { ok: true, value: v instanceof Uint8Array ? v.length : Number(v) };
}

/** `sin_port=htons(8080)` in a sockaddr argument, if written. */
function portOf(e: PdExpr | undefined): number | null {
  if (!e || e.kind !== 'struct') return null;
  const p = e.fields.sin_port;
  return numberOf(p);
}

function lingerOf(e: PdExpr | undefined): Linger | null {
  if (!e || e.kind !== 'struct') return null;
  const on = numberOf(e.fields.l_onoff ?? e.fields.onoff);
  const secs = numberOf(e.fields.l_linger ?? e.fields.linger);
  if (on === null || secs === null) return null;
  return { onoff: on !== 0, linger: secs };
}

/** Starts a call; blocking ones come back pending with the Call to watch. */
export function startSyscall(env: SyscallEnv, sc: PdSyscall, expected: Outcome | 'any'): Started {
  const a = sc.args;
  const api = env.api;
  const fdArg = (): number => {
    const n = numberOf(a[0]);
    return n === null ? -1 : env.liveFd(n);
  };
  const done = (r: SysResult<unknown>, check?: () => string | null): Started => ({ kind: 'done', outcome: toOutcome(r), check });
  const fdResult = (r: SysResult<unknown>): Outcome => {
    if (r.ok && expected !== 'any' && expected.ok) env.mapFd(expected.value, Number(r.value));
    const o = toOutcome(r);
    // The live descriptor may differ from the script's; only success or failure is compared.
    return o.ok && expected !== 'any' && expected.ok ? { ok: true, value: expected.value } : o;
  };
  switch (sc.name) {
    case 'socket': {
      const r = api.socket();
      return { kind: 'done', outcome: fdResult(r) };
    }
    case 'bind': {
      const fd = fdArg();
      return done(api.bind(fd, env.localAddr, portOf(a[1]) ?? env.bindPort));
    }
    case 'listen': {
      const fd = fdArg();
      const r = api.listen(fd, numberOf(a[1]) ?? 0);
      if (r.ok) env.onListen(fd);
      return done(r);
    }
    case 'accept': {
      const call = api.accept(fdArg());
      return { kind: 'pending', call, finish: fdResult };
    }
    case 'connect': {
      const fd = fdArg();
      const call = api.connect(fd, env.remoteAddr, portOf(a[1]) ?? env.connectPort);
      env.onConnect(fd);
      return { kind: 'pending', call, finish: toOutcome };
    }
    case 'read':
    case 'recv':
    case 'recvfrom': {
      const fd = fdArg();
      const n = numberOf(a[2]) ?? 65536;
      // A NULL buffer faults only when there are bytes to copy into it (tcp_recvmsg_locked: the
      // copy fails, nothing is consumed); with none the call says what it would have said anyway.
      if (isNull(a[1]) && n > 0 && (api.connectionOf(fd)?.recvQueue.length ?? 0) > 0) return { kind: 'done', outcome: { ok: false, errno: 'EFAULT' } };
      const call = api.read(fd, n);
      return { kind: 'pending', call, finish: toOutcome };
    }
    case 'write':
    case 'send':
    case 'sendto':
    case 'sendmsg': {
      const fd = fdArg();
      const n = sc.name === 'sendmsg' ? iovLengths(msghdrFields(a[1])!.iov)!.reduce((x, y) => x + y, 0) : numberOf(a[2]) ?? 0;
      const flags = sc.name in SEND_FLAGS_ARG ? numberOf(a[SEND_FLAGS_ARG[sc.name]]) ?? 0 : 0;
      const more = (flags & MSG_MORE) !== 0;
      // A NULL buffer faults at the first byte tcp_sendmsg_locked copies, on a connection that
      // could take it; a socket that cannot send fails first, as the call would without NULL.
      if (isNull(a[1]) && n > 0 && writable(api, fd)) return { kind: 'done', outcome: { ok: false, errno: 'EFAULT' } };
      // Blocks on a full send buffer: `+0...0.3 write(4, ..., 61000) = 61000`.
      return { kind: 'pending', call: api.writeCall(fd, new Uint8Array(n), more, (flags & MSG_EOR) !== 0), finish: toOutcome };
    }
    case 'close':
      return done(api.close(fdArg()));
    case 'shutdown': {
      const how = ident(a[1]);
      if (how !== 'SHUT_RD' && how !== 'SHUT_WR' && how !== 'SHUT_RDWR') return { kind: 'done', outcome: { ok: false, errno: 'EINVAL' } };
      return done(api.shutdown(fdArg(), how));
    }
    case 'setsockopt': {
      const name = SOCKOPTS[ident(a[2])!];
      const value = name === 'SO_LINGER' ? lingerOf(a[3]) : numberOf(a[3]);
      if (value === null) return { kind: 'done', outcome: { ok: false, errno: 'EINVAL' } };
      return done(api.setsockopt(fdArg(), name, value));
    }
    case 'getsockopt': {
      const name = SOCKOPTS[ident(a[2])!];
      const r = api.getsockopt(fdArg(), name);
      return done(r.ok ? { ok: true, value: 0 } : r, () => (r.ok ? compareOptionValue(name, r.value, a[3]) : null));
    }
    case 'ioctl': {
      const fd = fdArg();
      if (!api.descriptors().includes(fd)) return { kind: 'done', outcome: { ok: false, errno: 'EBADF' } };
      const conn = api.connectionOf(fd);
      // A listener has no byte queues: tcp_ioctl answers EINVAL (so does the simulator for a
      // socket with no connection behind it, where Linux would answer 0).
      if (!conn) return { kind: 'done', outcome: { ok: false, errno: 'EINVAL' } };
      const req = ident(a[1])!;
      let value: number;
      if (req === 'SIOCINQ' || req === 'FIONREAD') {
        // tcp_inq: bytes received in order and not yet read (the FIN is not a byte).
        value = conn.recvQueue.length;
      } else {
        // write_seq − snd_una (SIOCOUTQ) or write_seq − snd_nxt (SIOCOUTQNSD); a queued FIN
        // takes a sequence number of write_seq until it is acknowledged.
        const dataEnd = (conn.sendQueueSeq + conn.sendQueue.length) >>> 0;
        const finPending = conn.finQueued && ((conn.sndUna - dataEnd) | 0) <= 0 ? 1 : 0;
        const writeSeq = (dataEnd + finPending) >>> 0;
        const from = req === 'SIOCOUTQNSD' ? conn.sndNxt : conn.sndUna;
        value = Math.max(0, (writeSeq - from) | 0);
      }
      return { kind: 'done', outcome: { ok: true, value: 0 }, check: () => compareIoctlValue(req, value, a[2]) };
    }
    case 'epoll_create':
      return { kind: 'done', outcome: fdResult(api.epollCreate(numberOf(a[0]) ?? 1)) };
    case 'epoll_ctl': {
      const ev = a[3]?.kind === 'struct' ? a[3] : null;
      const target = numberOf(a[2]);
      const r = api.epollCtl(fdArg(), ident(a[1]) as EpollOp, target === null ? -1 : env.liveFd(target), numberOf(ev?.fields.events) ?? 0, epollData(ev) ?? 0);
      return done(r);
    }
    case 'epoll_wait': {
      const call = api.epollWait(fdArg(), numberOf(a[2]) ?? 1, numberOf(a[3]) ?? -1);
      const finish = (r: SysResult<unknown>): Outcome => (r.ok ? { ok: true, value: (r.value as unknown[]).length } : toOutcome(r));
      // epoll_wait's event argument names the first event (all zero when none came), as
      // upstream compares it: events exactly, and the data field the script wrote.
      const check = (): string | null => {
        const r = call.result;
        if (!r || !r.ok || a[1]?.kind !== 'struct') return null;
        const got = r.value[0] ?? { events: 0, data: 0 };
        const want = numberOf(a[1].fields.events);
        if (want !== null && want !== got.events) return `epoll_event events: expected 0x${want.toString(16)} vs actual 0x${got.events.toString(16)}`;
        const data = epollData(a[1]);
        if (data !== null && data !== got.data) return `epoll_event data: expected ${data} vs actual ${got.data}`;
        return null;
      };
      return { kind: 'pending', call, finish, check };
    }
    case 'poll': {
      const fds = (a[0] as Extract<PdExpr, { kind: 'array' }>).items as Array<Extract<PdExpr, { kind: 'struct' }>>;
      const entries = fds.map((f) => {
        const n = numberOf(f.fields.fd);
        return { fd: n === null || n < 0 ? -1 : env.liveFd(n), events: numberOf(f.fields.events) ?? 0 };
      });
      const call = api.pollCall(entries, numberOf(a[2]) ?? -1);
      const finish = (r: SysResult<unknown>): Outcome => (r.ok ? { ok: true, value: (r.value as number[]).filter((x) => x !== 0).length } : toOutcome(r));
      const check = (): string | null => {
        const r = call.result;
        if (!r || !r.ok) return null;
        for (let i = 0; i < fds.length; i++) {
          const want = numberOf(fds[i].fields.revents);
          if (want !== null && want !== r.value[i]) return `poll revents of entry ${i}: expected 0x${want.toString(16)} vs actual 0x${r.value[i].toString(16)}`;
        }
        return null;
      };
      return { kind: 'pending', call, finish, check };
    }
    case 'recvmsg': {
      const msg = a[1] as Extract<PdExpr, { kind: 'struct' }>;
      const call = api.recvmsg(fdArg(), iovLength(msg) ?? 65536);
      const finish = (r: SysResult<unknown>): Outcome => (r.ok ? { ok: true, value: (r.value as { data: Uint8Array }).data.length } : toOutcome(r));
      return { kind: 'pending', call, finish, check: () => (call.result?.ok ? compareRecvMsg(msg, call.result.value.inq) : null) };
    }
    case 'fcntl': {
      const fd = fdArg();
      if (ident(a[1]) === 'F_GETFL') {
        if (!api.descriptors().includes(fd)) return { kind: 'done', outcome: { ok: false, errno: 'EBADF' } };
        return { kind: 'done', outcome: { ok: true, value: O_RDWR | (env.isNonBlocking(fd) ? O_NONBLOCK : 0) } };
      }
      const flags = numberOf(a[2]) ?? 0;
      const r = api.setNonBlocking(fd, (flags & O_NONBLOCK) !== 0);
      if (r.ok) env.setNonBlockingFlag(fd, (flags & O_NONBLOCK) !== 0);
      return done(r);
    }
  }
  throw new Error(`internal: system call ${sc.name} passed the support check but has no implementation`);
}

/** epoll_data as the script writes it: `fd=4`, `ptr=0`, `u32=...` or `u64=...`. */
function epollData(ev: PdExpr | null | undefined): number | null {
  if (!ev || ev.kind !== 'struct') return null;
  const f = ev.fields;
  return numberOf(f.fd ?? f.ptr ?? f.u32 ?? f.u64);
}

/** The bytes a msghdr's `msg_iov(n)=[{..., 1000}, ...]` asks for. */
function iovLength(msg: Extract<PdExpr, { kind: 'struct' }>): number | null {
  const key = Object.keys(msg.fields).find((k) => k.startsWith('msg_iov'));
  const iov = key ? msg.fields[key] : undefined;
  if (!iov || iov.kind !== 'array') return null;
  let total = 0;
  for (const v of iov.items) {
    const len = v.kind === 'array' ? numberOf(v.items[v.items.length - 1]) : null;
    if (len === null) return null;
    total += len;
  }
  return total;
}

/**
 * recvmsg's msg_flags and TCP_CM_INQ control message against what the call returned. Stricter
 * than upstream, which stops comparing at the shorter list: an expected message the stack did not
 * return (TCP_INQ off) is a failure.
 */
function compareRecvMsg(msg: Extract<PdExpr, { kind: 'struct' }>, inq: number | null): string | null {
  const flags = numberOf(msg.fields.msg_flags);
  if (flags !== null && flags !== 0) return `recvmsg msg_flags: expected 0x${flags.toString(16)} vs actual 0x0`;
  const control = msg.fields.msg_control;
  if (!control || control.kind === 'ellipsis') return null;
  const cmsgs = control.kind === 'array' ? control.items : [control];
  if (cmsgs.length === 0) return inq === null ? null : `recvmsg: expected no control message vs actual TCP_CM_INQ ${inq}`;
  if (inq === null) return 'recvmsg: expected a TCP_CM_INQ control message, but the socket returned none (TCP_INQ is off)';
  const c = cmsgs[0] as Extract<PdExpr, { kind: 'struct' }>;
  const want = numberOf(c.fields.cmsg_data);
  if (want !== null && want !== inq) return `recvmsg TCP_CM_INQ: expected ${want} vs actual ${inq}`;
  return null;
}

/** A descriptor whose write() would reach the copy from user memory. */
function writable(api: SocketApi, fd: number): boolean {
  const conn = api.connectionOf(fd);
  return !!conn && !conn.closed && !conn.error && !conn.shutWr && (conn.state === 'ESTABLISHED' || conn.state === 'CLOSE_WAIT');
}

/** ioctl's value argument (`[1000]`) against what the connection holds. */
function compareIoctlValue(req: string, actual: number, want: PdExpr | undefined): string | null {
  if (!want || want.kind === 'ellipsis') return null;
  const expected = numberOf(want);
  if (expected === null) return `cannot read the expected ${req} value`;
  return expected === actual ? null : `ioctl ${req}: expected ${expected} vs actual ${actual}`;
}

/** getsockopt's value argument against what the host reports. */
function compareOptionValue(name: SockOptName, actual: number | Linger, want: PdExpr | undefined): string | null {
  if (!want || want.kind === 'ellipsis') return null;
  if (typeof actual === 'object') {
    const w = lingerOf(want);
    if (!w) return `cannot read the SO_LINGER value ${JSON.stringify(want)}`;
    return w.onoff === actual.onoff && w.linger === actual.linger ? null
      : `getsockopt ${name}: expected {onoff=${w.onoff ? 1 : 0}, linger=${w.linger}} vs actual {onoff=${actual.onoff ? 1 : 0}, linger=${actual.linger}}`;
  }
  let expected = numberOf(want);
  const item = want.kind === 'array' && want.items.length === 1 ? want.items[0] : want;
  if (expected === null && item.kind === 'ident') expected = ERRNO_NUMBERS[(ERRNO_ALIASES[item.name] ?? item.name) as Errno] ?? null;
  if (expected === null) return `cannot read the expected ${name} value`;
  if (expected === actual) return null;
  const errnoName = (n: number) => Object.entries(ERRNO_NUMBERS).find(([, v]) => v === n)?.[0];
  const show = (n: number) => (name === 'SO_ERROR' && n !== 0 ? `${n} (${errnoName(n) ?? '?'})` : String(n));
  return `getsockopt ${name}: expected ${show(expected)} vs actual ${show(actual)}`;
}
