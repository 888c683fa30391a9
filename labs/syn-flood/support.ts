/**
 * What the syn-flood tests compute on their own, never by calling the code under test: Linux's
 * SYN cookie (net/ipv4/syncookies.c: secure_tcp_syn_cookie with SipHash under the host's two
 * syncookie secrets), the minute counter, the host's TSval clock and cookie_init_timestamp's
 * low-6-bit option encoding. Plus small checks worded for the learner.
 */
import type { Host } from '../../stack/core/host.ts';
import type { Connection } from '../../stack/core/tcp/connection.ts';
import { siphashU32 } from '../../stack/core/tcp/siphash.ts';
import type { CookieTuple } from '../../stack/core/tcp/syncookies.ts';
import type { PeerHarness } from '../../stack/testing/harness.ts';
import type { TcpOption } from '../../stack/core/wire/segment.ts';
import { formatAddr } from '../../stack/core/wire/format.ts';
import { listen, type ListenFixture } from '../../stack/testing/fixtures.ts';
import type { LabTestContext } from '../kit/context.ts';
import { labSide } from '../kit/side.ts';

/** Linux's msstab[] (IPv4). */
export const LINUX_MSSTAB = [536, 1300, 1440, 1460] as const;
const MINUTE_MS = 60_000;

/** tcp_cookie_time() on the host's clock at virtual time `t` (default: now). */
export function minuteAt(host: Host, t = host.sched.now): number {
  return Math.floor((t + host.secrets.clockOffsetMs) / MINUTE_MS) >>> 0;
}

/** The first virtual time after `t` at which the host's minute counter ticks over. */
export function minuteStartAfter(host: Host, t: number): number {
  const into = (Math.floor(t) + host.secrets.clockOffsetMs) % MINUTE_MS;
  return Math.floor(t) + (MINUTE_MS - into);
}

/** The 4-tuple as a cookie sees it: the client (the SYN's source) first. */
export function tupleOf(h: PeerHarness, peerPort = h.peerPort, peerAddr = h.peerAddr): CookieTuple {
  return { srcAddr: peerAddr, dstAddr: h.hostAddr, srcPort: peerPort, dstPort: h.hostPort };
}

export function describeTuple(t: CookieTuple): string {
  return `${formatAddr(t.srcAddr)}:${t.srcPort} → ${formatAddr(t.dstAddr)}:${t.dstPort}`;
}

function linuxCookieHash(host: Host, t: CookieTuple, count: number, c: 0 | 1): number {
  return siphashU32(host.secrets.cookie[c], [t.srcAddr >>> 0, t.dstAddr >>> 0, ((t.srcPort << 16) | t.dstPort) >>> 0, count >>> 0]);
}

/** secure_tcp_syn_cookie(): the ISN Linux sends in a cookie SYN-ACK, for the given minute. */
export function linuxCookie(host: Host, t: CookieTuple, clientIsn: number, mssind: number, minute = minuteAt(host)): number {
  const h0 = linuxCookieHash(host, t, 0, 0);
  const h1 = linuxCookieHash(host, t, minute, 1);
  return (h0 + clientIsn + ((minute << 24) >>> 0) + ((h1 + mssind) & 0xffffff)) >>> 0;
}

/** The two fields a cookie carries, recovered with the secrets (for failure messages). */
export function cookieFields(host: Host, t: CookieTuple, cookie: number, clientIsn: number): { minuteByte: number; data: number } {
  const c = (cookie - linuxCookieHash(host, t, 0, 0) - clientIsn) >>> 0;
  const minuteByte = c >>> 24;
  // Assume the cookie was made within the last 256 minutes: find the minute whose low byte matches.
  const now = minuteAt(host);
  const minute = (now - ((now - minuteByte) & 0xff)) >>> 0;
  return { minuteByte, data: (c - linuxCookieHash(host, t, minute, 1)) & 0xffffff };
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** The host's TSval clock towards `peerAddr` now: ms wall clock + secure_tcp_ts_off (tcp_timestamps=1). */
/** The host's timestamp clock without any connection's offset (tcp_ns_to_ts). */
export function hostTsClock(host: Host): number {
  return Math.floor(host.sched.now + host.secrets.clockOffsetMs) >>> 0;
}

/** secure_tcp_ts_off(): the random offset of our TSvals towards this peer (0 with tcp_timestamps=2). */
export function hostTsOffset(host: Host, peerAddr: number): number {
  if (host.sysctl.get('net.ipv4.tcp_timestamps') === 2) return 0;
  return siphashU32(host.secrets.ts, [host.addr >>> 0, peerAddr >>> 0]);
}

/** cookie_init_timestamp(): the clock with its low 6 bits replaced, one 64-unit slot back if that ran ahead. */
export function linuxCookieTs(tsNow: number, wscale: number | null, sackOk: boolean): number {
  const options = (wscale === null ? 0xf : wscale & 0xf) | (sackOk ? 0x10 : 0);
  let ts = ((tsNow & ~0x3f) | options) >>> 0;
  if (((ts - tsNow) | 0) > 0) ts = (ts - 64) >>> 0;
  return ts;
}

export function tsOption(seg: { options: TcpOption[] }): { val: number; ecr: number } | null {
  const ts = seg.options.find((o) => o.kind === 'ts');
  return ts && ts.kind === 'ts' ? { val: ts.val, ecr: ts.ecr } : null;
}

/** `<mss 1460,sackOK,TS val V ecr 0,nop,wscale 7>` minus what the client leaves out, in Linux's layout. */
export function clientSynOptions(p: { mss?: number | null; sack?: boolean; ts?: number | null; wscale?: number | null }): TcpOption[] {
  const o: TcpOption[] = [];
  if (p.mss !== null) o.push({ kind: 'mss', value: p.mss ?? 1460 });
  const ts = p.ts === undefined ? null : p.ts;
  if (ts !== null) {
    if (p.sack) o.push({ kind: 'sackOK' });
    else o.push({ kind: 'nop' }, { kind: 'nop' });
    o.push({ kind: 'ts', val: ts >>> 0, ecr: 0 });
  } else if (p.sack) {
    o.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' });
  }
  if (p.wscale !== undefined && p.wscale !== null) o.push({ kind: 'nop' }, { kind: 'wscale', shift: p.wscale });
  return o;
}

/** The connection the host keeps for the peer on `peerPort`, if any. */
export function connectionFor(h: PeerHarness, peerPort = h.peerPort, peerAddr = h.peerAddr): Connection | null {
  for (const c of h.host.connections.values()) {
    if (c.remoteAddr === peerAddr && c.remotePort === peerPort && c.localPort === h.hostPort) return c;
  }
  return null;
}

/** A MIB counter has exactly this value now. */
export function expectCounter(h: PeerHarness, name: Parameters<Host['mib']['get']>[0], value: number, why: string): void {
  const got = h.host.mib.get(name);
  const shown = name.startsWith('Tcp') || name.startsWith('Ip') ? name : `TcpExt${name}`;
  h.check(`nstat ${shown} = ${value}`, () => (got === value ? null : `expected nstat to show ${shown} = ${value} (${why}), but it shows ${got}`));
}

/** A value your function returned equals the expected one. */
export function expectReturn<T>(h: PeerHarness, call: string, got: T, expected: T, why: string, show: (v: T) => string = String): void {
  h.check(`${call} returns ${show(expected)}`, () =>
    Object.is(got, expected) ? null : `${call} should return ${show(expected)} (${why}), but it returned ${show(got)}`);
}

/**
 * Why `got` is not the Linux cookie `expected` for this SYN, in words: which of its two fields
 * (the minute in bits 24–31, the MSS index left after subtracting H1) came out wrong. Null when
 * they are equal.
 */
export function explainCookie(host: Host, t: CookieTuple, clientIsn: number, mssind: number, got: number): string | null {
  const expected = linuxCookie(host, t, clientIsn, mssind);
  if (got === expected) return null;
  const head = `its ISN was ${hex(got)}, not the Linux cookie ${hex(expected)} = H0 + client ISN + (minute << 24) + ((H1 + MSS index ${mssind}) mod 2^24)`;
  const f = cookieFields(host, t, got, clientIsn);
  const minuteByte = minuteAt(host) & 0xff;
  if (f.minuteByte !== minuteByte) return `${head}; after subtracting H0 and the client ISN, bits 24–31 hold ${f.minuteByte} instead of the minute counter's low byte ${minuteByte}`;
  return `${head}; the minute in bits 24–31 is right, but the low 24 bits minus H1 leave ${f.data} instead of the MSS index ${mssind}`;
}

/** A listener on port 80 built by the reference code; `syncookies` 2 makes every SYN get a cookie. */
export function cookieListener(t: LabTestContext, opts: { syncookies?: number; backlog?: number; peerIss?: number } = {}): ListenFixture {
  const syncookies = opts.syncookies ?? 2;
  const backlog = opts.backlog ?? 5;
  const f = t.fixture(`a listener on port 80 (listen backlog ${backlog}, net.ipv4.tcp_syncookies=${syncookies})`, (o) =>
    listen({ ...o, backlog, peerIss: opts.peerIss, sysctls: { 'net.ipv4.tcp_syncookies': syncookies } }));
  const borrowed = [...labSide.referenceOnly];
  if (borrowed.length) f.h.steps.record('action', `in this test ${borrowed.map((n) => `${n}()`).join(', ')} (earlier tasks) run the reference code`);
  return f;
}

/** Functions of each task, for tests of later tasks that pass through them (withReferenceFor). */
export const TASK1_FUNCTIONS = ['mssIndex'] as const;
export const TASK2_FUNCTIONS = ['encodeCookie', 'decodeCookie'] as const;
export const TASK3_FUNCTIONS = ['encodeTsOptions', 'decodeTsOptions'] as const;
