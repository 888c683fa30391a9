/**
 * Shared pieces of the keepalive lab's tests: switching keepalive on through the socket API (so
 * the timer the stack arms calls the learner's onKeepaliveTimer), the probe as the peer sees it,
 * the keepalive timer as the trace records it, and checks worded for the learner.
 *
 * Why setsockopt and not a fixture option: a timer armed by reference code keeps calling the
 * reference's onKeepaliveTimer, so a test of the learner's timer must switch SO_KEEPALIVE on
 * after the fixture, from the learner's side, as an application would.
 */
import type { Call } from '../../stack/core/socket.ts';
import type { Connection } from '../../stack/core/tcp/connection.ts';
import type { MibName } from '../../stack/core/tcp/mib.ts';
import type { PeerHarness } from '../../stack/testing/harness.ts';
import { ACK, RST } from '../../stack/core/wire/segment.ts';

/** Seconds with three decimals: keepalive timelines are long. */
export function secs(ms: number): string {
  return `t=${(ms / 1000).toFixed(3)} s`;
}

export interface KeepaliveKnobs {
  idle?: number;
  intvl?: number;
  cnt?: number;
  userTimeout?: number;
}

/** setsockopt(SO_KEEPALIVE, 1), then TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT / TCP_USER_TIMEOUT as given. */
export function keepaliveOn(h: PeerHarness, fd: number, knobs: KeepaliveKnobs = {}): void {
  const api = h.host.api;
  const set = (name: Parameters<typeof api.setsockopt>[1], value: number) => {
    const r = h.act(`setsockopt(${fd}, ${name}, ${value})`, () => api.setsockopt(fd, name, value));
    if (!r.ok) h.fail(`test setup: setsockopt(${name}, ${value}) failed with ${r.errno}`);
  };
  set('SO_KEEPALIVE', 1);
  if (knobs.idle !== undefined) set('TCP_KEEPIDLE', knobs.idle);
  if (knobs.intvl !== undefined) set('TCP_KEEPINTVL', knobs.intvl);
  if (knobs.cnt !== undefined) set('TCP_KEEPCNT', knobs.cnt);
  if (knobs.userTimeout !== undefined) set('TCP_USER_TIMEOUT', knobs.userTimeout);
}

/** When the keepalive timer was last set to fire (from the trace), or null if it never was. */
export function keepaliveDue(h: PeerHarness, conn: Connection): number | null {
  const label = conn.label;
  let due: number | null = null;
  for (const e of h.world.trace.events) {
    if (e.kind === 'timer' && e.conn === label && e.timer === 'keepalive') due = e.action === 'set' ? e.due ?? null : e.action === 'cancel' ? null : due;
  }
  return due;
}

/**
 * Nothing reaches the peer up to and including `t`; a failure names what was sent, in keepalive
 * terms ("a keepalive probe at t=7200.000 s"), and `why` says why nothing was due.
 */
export function expectQuietUntil(h: PeerHarness, conn: Connection, t: number, why: string): void {
  h.advanceTo(t);
  const early = h.pending()[0];
  if (early) {
    const seg = early.seg;
    const what = !seg ? 'an undecodable packet' : seg.flags === ACK && looksLikeProbe(conn, seg) ? 'a keepalive probe' : seg.flags & RST ? 'a RST' : `a segment (${h.pd(seg, 'host→peer')})`;
    h.fail(`expected nothing from the host until ${secs(t)} (${why}), but it sent ${what} at ${secs(early.t)}`, `nothing until ${secs(t)}`, seg ? `${secs(early.t)}  ${h.pd(seg, 'host→peer')}` : undefined);
  }
  h.steps.record('expect', `nothing sent until ${secs(t)}: ${why}`);
}

/**
 * The probes the host must send at exactly `times` (ms) — a bare ACK with SEQ = SND.UNA − 1
 * (`rseq` relative to the host's ISS) and ACK = RCV.NXT (`rack`, relative to the peer's ISS) —
 * and nothing else in between. `why` explains the first one's time.
 */
export function expectProbesAt(h: PeerHarness, conn: Connection, times: number[], rseq: number, rack: number, why: string): void {
  times.forEach((t, i) => {
    expectQuietUntil(h, conn, t - 1, i === 0 ? `the first probe is due at ${secs(t)}: ${why}` : `probe ${i + 1} is due one interval after probe ${i}, at ${secs(t)}`);
    h.expectSegment(t, { flags: '.', rseq, rack, len: 0 }, `probe ${i + 1} at ${secs(t)}: <SEQ=SND.UNA−1><ACK=RCV.NXT><CTL=ACK>, no data`);
  });
}

/** `n` times starting at `first`, `step` apart. */
export function every(first: number, step: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => first + i * step);
}

/** The keepalive gives up at `t`: RST <SEQ=SND.NXT><ACK=RCV.NXT>, the connection is gone. */
export function expectGiveUp(h: PeerHarness, conn: Connection, t: number, rseq: number, rack: number, why: string): void {
  expectQuietUntil(h, conn, t - 1, `the keepalive gives up at ${secs(t)}: ${why}`);
  h.advanceTo(t);
  const at = h.pending().find((c) => c.t === t)?.seg;
  if (at && at.flags === ACK && looksLikeProbe(conn, at)) {
    h.fail(`expected the keepalive to give up at ${secs(t)} with a RST (${why}), but it sent probe number ${h.host.mib.get('TCPKeepAlive')} instead`);
  }
  if (!at && !conn.closed) h.fail(`expected the keepalive to give up at ${secs(t)} with a RST (${why}), but the host sent nothing and the connection is still ${conn.state}`);
  h.expectSegment(t, { flags: 'R.', rseq, rack }, `the keepalive gives up at ${secs(t)} (${why}): RST <SEQ=SND.NXT><ACK=RCV.NXT>`);
  h.check('the connection is closed', () => (conn.closed ? null : `expected the connection to be closed after the RST at ${secs(t)}, but it is still in ${conn.state}`));
}

/** A blocked read() has failed with `errno` exactly at `t`. */
export function expectReadError(h: PeerHarness, call: Call<Uint8Array>, errno: string, t: number): void {
  h.check(`the blocked read() fails with ${errno} at ${secs(t)}`, () => {
    if (!call.done) return `expected the blocked read() to fail with ${errno} at ${secs(t)}, but it is still blocked`;
    const r = call.result!;
    if (r.ok) return `expected the blocked read() to fail with ${errno}, but it returned ${r.value.length} bytes`;
    if (r.errno !== errno) return `expected the blocked read() to fail with ${errno}, but it failed with ${r.errno}`;
    if (call.doneAt !== t) return `expected the blocked read() to fail at ${secs(t)}, but it failed at ${secs(call.doneAt ?? NaN)}`;
    return null;
  });
}

export function expectMib(h: PeerHarness, name: MibName, n: number, why: string): void {
  const got = h.host.mib.get(name);
  h.check(`nstat ${name} = ${n}`, () => (got === n ? null : `expected the counter ${name} to be ${n} (${why}), but it is ${got}`));
}

/** A segment is a keepalive-shaped probe: a bare ACK one below SND.UNA. */
export function looksLikeProbe(conn: Connection, seg: { flags: number; seq: number; payload: Uint8Array }): boolean {
  return seg.payload.length === 0 && seg.seq === ((conn.sndUna - 1) >>> 0);
}
