/**
 * State changes, timers and teardown of a connection's bookkeeping. Every change is written to
 * the trace so figures and failure reports can show it.
 */
import type { TimerName } from './names.ts';
import type { TimerHandle } from '../sim/scheduler.ts';
import type { Errno } from './errno.ts';
import { fmtAddr, type Connection, type TcpState, type Listener, type HostContext } from './connection.ts';
import { expandSndBuf } from './send-buffer.ts';

export function setState(conn: Connection, to: TcpState, cause: string): void {
  const from = conn.state;
  if (from === to) return;
  conn.state = to;
  const host = conn.host;
  if (to === 'TIME_WAIT') {
    host.timeWaitCount++;
    conn.waitStartedAt = conn.now;
  }
  if (from === 'TIME_WAIT') host.timeWaitCount--;
  // tcp_init_transfer → tcp_init_buffer_space: a send buffer SO_SNDBUF did not fix grows to fit
  // the initial window once the MSS is known.
  if (to === 'ESTABLISHED' && (from === 'SYN_SENT' || from === 'SYN_RECV')) expandSndBuf(conn);
  if (host.trace.enabled) host.trace.push({ kind: 'state', t: conn.now, host: host.name, conn: conn.label, from, to, cause });
  conn.wake?.();
}

/**
 * A connection timer. `at` is when it is due; `event` is the scheduler event that will look at it.
 * Restarting a timer to a later time (the retransmission timer on every ACK, RFC 6298 §5.3) keeps
 * the pending event and lets it re-arm itself when it fires early, instead of piling cancelled
 * events into the scheduler: same firing times, far less work in a long transfer.
 */
interface ConnTimer extends TimerHandle {
  at: number;
  fire: (conn: Connection) => void;
  event: TimerHandle;
}

export function setTimer(conn: Connection, name: TimerName, delay: number, fire: (conn: Connection) => void): void {
  const host = conn.host;
  const due = host.sched.now + delay;
  const current = conn.timers[name] as ConnTimer | undefined;
  if (current && !current.cancelled && current.event.at <= due) {
    current.at = due;
    current.fire = fire;
  } else {
    if (current) {
      current.cancelled = true;
      current.event.cancelled = true;
    }
    const timer = { at: due, label: name, cancelled: false, fire } as ConnTimer;
    timer.event = host.sched.at(due, () => onTimerEvent(conn, name, timer), timer.label);
    conn.timers[name] = timer;
  }
  if (host.trace.enabled) host.trace.push({ kind: 'timer', t: host.sched.now, host: host.name, conn: conn.label, timer: name, action: 'set', due });
}

function onTimerEvent(conn: Connection, name: TimerName, timer: ConnTimer): void {
  if (timer.cancelled || conn.timers[name] !== timer || conn.closed) return;
  const host = conn.host;
  if (timer.at > host.sched.now) {
    timer.event = host.sched.at(timer.at, () => onTimerEvent(conn, name, timer), timer.label);
    return;
  }
  conn.timers[name] = undefined;
  if (host.trace.enabled) host.trace.push({ kind: 'timer', t: host.sched.now, host: host.name, conn: conn.label, timer: name, action: 'fire' });
  host.guard(`${name} timer`, () => timer.fire(conn));
}

export function cancelTimer(conn: Connection, name: TimerName, traced = true): void {
  const h = conn.timers[name] as ConnTimer | undefined;
  if (!h) return;
  h.cancelled = true;
  h.event.cancelled = true;
  conn.timers[name] = undefined;
  if (traced && conn.host.trace.enabled) {
    conn.host.trace.push({ kind: 'timer', t: conn.now, host: conn.host.name, conn: conn.label, timer: name, action: 'cancel' });
  }
}

export function timerPending(conn: Connection, name: TimerName): boolean {
  return conn.timers[name] !== undefined;
}

/** When a pending timer is due (virtual ms), or null if it is not pending. */
export function timerDue(conn: Connection, name: TimerName): number | null {
  const t = conn.timers[name] as ConnTimer | undefined;
  return t ? t.at : null;
}

export function cancelAllTimers(conn: Connection): void {
  for (const name of Object.keys(conn.timers) as TimerName[]) cancelTimer(conn, name, false);
}

/**
 * tcp_done(): the connection leaves every table. `errno` is what the application will see
 * (ECONNRESET, ECONNREFUSED, ETIMEDOUT, EPIPE) — null for an orderly end.
 */
export function destroy(conn: Connection, cause: string, errno: Errno | null = null): void {
  if (conn.closed) return;
  if (errno) conn.error = errno;
  cancelAllTimers(conn);
  setState(conn, 'CLOSED', cause);
  conn.closed = true;
  const host = conn.host;
  if (host.connections.get(conn.key) === conn) host.connections.delete(conn.key);
  if (conn.listener) {
    const q = conn.listener.acceptQueue;
    const i = q.indexOf(conn);
    if (i >= 0) {
      q.splice(i, 1);
      traceQueues(conn.listener, conn);
    }
  }
  conn.wake?.();
}


export function traceQueues(listener: Listener, where: { host: HostContext; now?: number } | HostContext): void {
  const host = 'host' in where ? where.host : where;
  if (!host.trace.enabled) return;
  host.trace.push({
    kind: 'queue',
    t: host.sched.now,
    host: host.name,
    listener: `${fmtAddr(listener.localAddr)}:${listener.localPort}`,
    synQueue: listener.synQueue.size,
    acceptQueue: listener.acceptQueue.length,
    backlog: listener.backlog,
  });
}

