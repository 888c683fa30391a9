/**
 * Sysctls and socket options: unknown names and out-of-range values are clear errors (never a
 * silent default), setsockopt enforces Linux's ranges with EINVAL, getsockopt reports what applies.
 */
import { describe, expect, it } from 'vitest';
import { SYSCTLS, Sysctls, UnknownSysctlError } from '../../core/tcp/sysctl.ts';
import { World } from '../../core/world.ts';
import { runScenario } from '../../core/scenarios/index.ts';
import { PeerHarness, established } from '../../testing/index.ts';

describe('sysctls', () => {
  it('every knob starts at its Linux v6.18 default (tcp-facts §1)', () => {
    const s = new Sysctls();
    const expected: Record<string, number> = {
      'net.ipv4.tcp_syn_retries': 6, 'net.ipv4.tcp_syn_linear_timeouts': 4, 'net.ipv4.tcp_synack_retries': 5,
      'net.ipv4.tcp_retries2': 15, 'net.ipv4.tcp_orphan_retries': 0, 'net.core.somaxconn': 4096,
      'net.ipv4.tcp_abort_on_overflow': 0, 'net.ipv4.tcp_syncookies': 1, 'net.ipv4.tcp_fin_timeout': 60,
      'net.ipv4.tcp_tw_reuse': 2, 'net.ipv4.tcp_keepalive_time': 7200, 'net.ipv4.tcp_keepalive_intvl': 75,
      'net.ipv4.tcp_keepalive_probes': 9, 'net.ipv4.tcp_invalid_ratelimit': 500, 'net.ipv4.tcp_rfc1337': 0,
      'net.ipv4.tcp_rto_min_us': 200000, 'net.ipv4.tcp_rto_max_ms': 120000, 'net.ipv4.tcp_challenge_ack_limit': 2147483647,
      'net.core.netdev_max_backlog': 1000, 'net.ipv4.tcp_timestamps': 1,
    };
    for (const [k, v] of Object.entries(expected)) expect([k, s.get(k)]).toEqual([k, v]);
    expect(Object.keys(s.changed())).toEqual([]);
    expect(SYSCTLS.length).toBe(Object.keys(s.all()).length);
  });

  it('an unknown sysctl is an error naming it, with suggestions', () => {
    expect(() => new Sysctls({ 'net.ipv4.tcp_tw_recycle': 1 })).toThrow(UnknownSysctlError);
    expect(() => new Sysctls().get('net.ipv4.tcp_fin_timeout_ms')).toThrow(/unknown sysctl "net.ipv4.tcp_fin_timeout_ms"/);
    expect(() => new Sysctls().set('net.ipv4.keepalive_time', 1)).toThrow(/did you mean net.ipv4.tcp_keepalive_time/);
    expect(() => new World({ sysctls: { 'net.ipv4.bogus': 1 } }).addHost('a', '10.0.0.1')).toThrow(UnknownSysctlError);
    expect(() => runScenario('handshake', { sysctls: { 'net.ipv4.bogus': 1 } })).toThrow(UnknownSysctlError);
  });

  it.each([
    ['net.ipv4.tcp_syncookies', 3],
    ['net.ipv4.tcp_syncookies', -1],
    ['net.ipv4.tcp_syn_retries', 0],
    ['net.ipv4.tcp_syn_retries', 128],
    ['net.ipv4.tcp_rto_max_ms', 999],
    ['net.ipv4.tcp_keepalive_time', 0],
    ['net.ipv4.tcp_fin_timeout', 1.5],
    ['net.ipv4.tcp_abort_on_overflow', Number.NaN],
  ])('%s = %s is out of range: RangeError', (name, value) => {
    expect(() => new Sysctls({ [name]: value })).toThrow(RangeError);
    expect(() => new Sysctls({ [name]: value })).toThrow(new RegExp(`sysctl ${name.replace(/\./g, '\\.')} must be an integer in \\[`));
  });

  it('a value set on one host does not leak to another', () => {
    const w = new World();
    const a = w.addHost('a', '10.0.0.1', { 'net.ipv4.tcp_syncookies': 0 });
    const b = w.addHost('b', '10.0.0.2');
    expect([a.sysctl.get('net.ipv4.tcp_syncookies'), b.sysctl.get('net.ipv4.tcp_syncookies')]).toEqual([0, 1]);
  });
});

describe('setsockopt ranges (EINVAL) and getsockopt', () => {
  const fresh = () => {
    const h = new PeerHarness();
    const r = h.host.api.socket();
    return { api: h.host.api, fd: r.ok ? r.value : -1 };
  };

  it.each([
    ['TCP_KEEPIDLE', 0], ['TCP_KEEPIDLE', 32768], ['TCP_KEEPIDLE', 1.5],
    ['TCP_KEEPINTVL', 0], ['TCP_KEEPINTVL', 32768],
    ['TCP_KEEPCNT', 0], ['TCP_KEEPCNT', 128],
    ['TCP_SYNCNT', 0], ['TCP_SYNCNT', 128],
    ['TCP_USER_TIMEOUT', -1], ['TCP_USER_TIMEOUT', 0.5],
    ['TCP_LINGER2', 2.5],
  ] as const)('%s = %s ⇒ EINVAL', (name, value) => {
    const { api, fd } = fresh();
    expect(api.setsockopt(fd, name, value)).toEqual({ ok: false, errno: 'EINVAL' });
  });

  it.each([['TCP_KEEPIDLE', 32767], ['TCP_KEEPINTVL', 1], ['TCP_KEEPCNT', 127], ['TCP_SYNCNT', 127], ['TCP_USER_TIMEOUT', 0]] as const)(
    '%s = %s (the edge of the range) is accepted',
    (name, value) => {
      const { api, fd } = fresh();
      expect(api.setsockopt(fd, name, value)).toEqual({ ok: true, value: 0 });
      expect(api.getsockopt(fd, name)).toEqual({ ok: true, value: name === 'TCP_USER_TIMEOUT' ? 0 : value });
    },
  );

  it('unset knobs read back as the sysctls that apply', () => {
    const { api, fd } = fresh();
    expect(api.getsockopt(fd, 'TCP_KEEPIDLE')).toEqual({ ok: true, value: 7200 });
    expect(api.getsockopt(fd, 'TCP_KEEPINTVL')).toEqual({ ok: true, value: 75 });
    expect(api.getsockopt(fd, 'TCP_KEEPCNT')).toEqual({ ok: true, value: 9 });
    expect(api.getsockopt(fd, 'TCP_SYNCNT')).toEqual({ ok: true, value: 6 });
    expect(api.getsockopt(fd, 'TCP_LINGER2')).toEqual({ ok: true, value: 60 });
    expect(api.getsockopt(fd, 'SO_KEEPALIVE')).toEqual({ ok: true, value: 0 });
  });

  it('TCP_LINGER2 is capped at 120 s; any negative value means -1 (RST instead of FIN_WAIT_2)', () => {
    const { api, fd } = fresh();
    api.setsockopt(fd, 'TCP_LINGER2', 500);
    expect(api.getsockopt(fd, 'TCP_LINGER2')).toEqual({ ok: true, value: 120 });
    api.setsockopt(fd, 'TCP_LINGER2', -7);
    expect(api.getsockopt(fd, 'TCP_LINGER2')).toEqual({ ok: true, value: -1 });
  });

  it('SO_LINGER needs a {onoff, linger} value; SO_ERROR cannot be set; a bad descriptor is EBADF', () => {
    const { api, fd } = fresh();
    expect(api.setsockopt(fd, 'SO_LINGER', 1)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(api.setsockopt(fd, 'SO_LINGER', { onoff: true, linger: 0 }).ok).toBe(true);
    expect(api.getsockopt(fd, 'SO_LINGER')).toEqual({ ok: true, value: { onoff: true, linger: 0 } });
    expect(api.setsockopt(fd, 'SO_ERROR', 1)).toEqual({ ok: false, errno: 'ENOPROTOOPT' });
    expect(api.setsockopt(99, 'SO_KEEPALIVE', 1)).toEqual({ ok: false, errno: 'EBADF' });
    expect(api.getsockopt(99, 'SO_ERROR')).toEqual({ ok: false, errno: 'EBADF' });
  });

  it('SO_ERROR reports a pending error once, then 0', () => {
    const f = established();
    f.h.send(100, { flags: 'R', seq: f.conn!.rcvNxt });
    expect(f.host.api.getsockopt(f.fd, 'SO_ERROR')).toEqual({ ok: true, value: 104 });
    expect(f.host.api.getsockopt(f.fd, 'SO_ERROR')).toEqual({ ok: true, value: 0 });
  });
});
