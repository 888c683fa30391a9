/**
 * State changes, timers and teardown of a connection's bookkeeping. Every change is written to
 * the trace so figures and failure reports can show it.
 */
import type { TimerName } from '../observe/trace.ts';
import type { Errno } from './errno.ts';
import type { Connection, TcpState, Listener, HostContext } from './connection.ts';

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
  host.trace.push({ kind: 'state', t: conn.now, host: host.name, conn: conn.label, from, to, cause });
  conn.wake?.();
}

export function setTimer(conn: Connection, name: TimerName, delay: number, fire: (conn: Connection) => void): void {
  cancelTimer(conn, name, false);
  const host = conn.host;
  const due = host.sched.now + delay;
  conn.timers[name] = host.sched.at(
    due,
    () => {
      conn.timers[name] = undefined;
      if (conn.closed) return;
      host.trace.push({ kind: 'timer', t: host.sched.now, host: host.name, conn: conn.label, timer: name, action: 'fire' });
      host.guard(`${name} timer`, () => fire(conn));
    },
    `${host.name} ${name}`,
  );
  host.trace.push({ kind: 'timer', t: host.sched.now, host: host.name, conn: conn.label, timer: name, action: 'set', due });
}

export function cancelTimer(conn: Connection, name: TimerName, traced = true): void {
  const h = conn.timers[name];
  if (!h) return;
  h.cancelled = true;
  conn.timers[name] = undefined;
  if (traced) {
    conn.host.trace.push({ kind: 'timer', t: conn.now, host: conn.host.name, conn: conn.label, timer: name, action: 'cancel' });
  }
}

export function timerPending(conn: Connection, name: TimerName): boolean {
  return conn.timers[name] !== undefined;
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
  host.trace.push({
    kind: 'queue',
    t: host.sched.now,
    host: host.name,
    listener: `${listenerAddr(listener)}:${listener.localPort}`,
    synQueue: listener.synQueue.size,
    acceptQueue: listener.acceptQueue.length,
    backlog: listener.backlog,
  });
}

function listenerAddr(l: Listener): string {
  const a = l.localAddr;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}
