/**
 * What the handshake tests compute on their own, never by calling the code under test: Linux's
 * ISN (RFC 6528: SipHash of the 4-tuple + the 64 ns clock) and TSval, and small checks on
 * connect()/accept() calls and TCB fields, worded for the learner.
 */
import type { Host } from '../../stack/core/host.ts';
import type { Call } from '../../stack/core/socket.ts';
import type { Connection } from '../../stack/core/tcp/connection.ts';
import { siphashU32 } from '../../stack/core/tcp/siphash.ts';
import type { TcpStateName } from '../../stack/core/observe/trace.ts';
import type { PeerHarness } from '../../stack/testing/harness.ts';

/** ktime_get_real_ns() >> 6 at the host's virtual time, modulo 2^32: 15625 ticks per ms. */
export function linuxIsnClock(host: Host): number {
  const ms = host.sched.now + host.secrets.clockOffsetMs;
  const whole = Math.floor(ms);
  return (Math.imul(whole >>> 0, 15625) + Math.floor((ms - whole) * 15625)) >>> 0;
}

/** secure_tcp_seq(saddr, daddr, sport, dport) as the host would compute it now. */
export function linuxIsn(host: Host, localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
  const f = siphashU32(host.secrets.isn, [localAddr >>> 0, remoteAddr >>> 0, ((localPort << 16) | remotePort) >>> 0]);
  return (f + linuxIsnClock(host)) >>> 0;
}

/** The host's TSval clock for a connection with this offset (ms since its wall-clock epoch + offset). */
export function tsVal(host: Host, offset: number): number {
  return (Math.floor(host.sched.now + host.secrets.clockOffsetMs) + offset) >>> 0;
}

export function tsOf(seg: { options: Array<{ kind: string }> }): { val: number; ecr: number } | null {
  const ts = seg.options.find((o) => o.kind === 'ts') as { kind: 'ts'; val: number; ecr: number } | undefined;
  return ts ? { val: ts.val, ecr: ts.ecr } : null;
}

export function expectState(h: PeerHarness, conn: Connection, state: TcpStateName, why = ''): void {
  h.check(`the connection is in ${state}`, () =>
    conn.state === state ? null : `expected the connection to be in ${state}${why ? ` (${why})` : ''}, but it is in ${conn.state}`);
}

/** connect()/accept() has finished with `expected` (0/a descriptor = 'ok', or an errno), by now. */
export function expectCallResult(h: PeerHarness, what: string, call: Call<number>, expected: 'ok' | string, at?: number): void {
  h.check(`${what} ${expected === 'ok' ? 'has succeeded' : `has failed with ${expected}`}${at !== undefined ? ` at ${at} ms` : ''}`, () => {
    if (!call.done) return `expected ${what} to ${expected === 'ok' ? 'succeed' : `fail with ${expected}`}${at !== undefined ? ` at ${at} ms` : ''}, but it is still waiting`;
    const r = call.result!;
    const got = r.ok ? 'ok' : r.errno;
    if (got !== expected) return `expected ${what} to ${expected === 'ok' ? 'succeed' : `fail with ${expected}`}, but it ${r.ok ? 'succeeded' : `failed with ${r.errno}`}`;
    if (at !== undefined && call.doneAt !== at) return `expected ${what} to finish at ${at} ms, but it finished at ${call.doneAt} ms`;
    return null;
  });
}

export function expectPending(h: PeerHarness, what: string, call: Call<number>): void {
  h.check(`${what} is still waiting`, () =>
    call.done ? `expected ${what} to be still waiting, but it already ${call.result!.ok ? 'succeeded' : `failed with ${(call.result as { errno: string }).errno}`} at ${call.doneAt} ms` : null);
}

/** A TCB field, named as RFC 9293 names it. */
export function expectField(h: PeerHarness, name: string, actual: number, expected: number, hint = ''): void {
  h.check(`${name} = ${expected}`, () => (actual === expected ? null : `expected ${name} to be ${expected}${hint ? ` (${hint})` : ''}, but it is ${actual}`));
}

/** The listener's SYN queue holds `n` request socks. */
export function expectSynQueue(h: PeerHarness, listenFd: number, n: number, why: string): void {
  const listener = h.host.api.listenerOf(listenFd)!;
  h.check(`the SYN queue holds ${n} request${n === 1 ? '' : 's'}`, () =>
    listener.synQueue.size === n ? null : `expected the SYN queue to hold ${n} request${n === 1 ? '' : 's'} (${why}), but it holds ${listener.synQueue.size}`);
}

/** Segments the host sends at exactly `times` (ms) matching `flags`, and nothing else up to `until`. */
export function expectSegmentsAt(h: PeerHarness, times: number[], match: Parameters<PeerHarness['expectSegment']>[1], until: number, what: string): void {
  for (const t of times) {
    if (t - 1 >= h.now) h.expectNothingUntil(t - 1, `nothing before the ${what} at ${t} ms`);
    h.expectSegment(t, match, `${what} at ${t} ms`);
  }
  h.expectNothingUntil(until, `no ${what} after ${times[times.length - 1]} ms (until ${until} ms)`);
}
