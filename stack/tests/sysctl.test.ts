/** Sysctls: names, ranges, vector knobs, and the window scale Linux derives from tcp_rmem. */
import { describe, expect, it } from 'vitest';
import { Sysctls, SYSCTLS } from '../core/tcp/sysctl.ts';
import { World } from '../core/world.ts';
import { windowScaleFor } from '../core/tcp/connection.ts';

describe('sysctls', () => {
  it('start at the Linux v6.18 defaults the fact sheet lists', () => {
    const s = new Sysctls();
    expect(s.get('net.ipv4.tcp_syn_retries')).toBe(6);
    expect(s.get('net.ipv4.tcp_syn_linear_timeouts')).toBe(4);
    expect(s.get('net.ipv4.tcp_synack_retries')).toBe(5);
    expect(s.get('net.core.somaxconn')).toBe(4096);
    expect(s.get('net.ipv4.tcp_syncookies')).toBe(1);
    expect(s.get('net.ipv4.tcp_abort_on_overflow')).toBe(0);
    expect(s.get('net.ipv4.tcp_fin_timeout')).toBe(60);
    expect(s.get('net.ipv4.tcp_keepalive_time')).toBe(7200);
    expect(s.get('net.ipv4.tcp_keepalive_intvl')).toBe(75);
    expect(s.get('net.ipv4.tcp_keepalive_probes')).toBe(9);
    expect(s.get('net.ipv4.tcp_retries2')).toBe(15);
    expect(s.get('net.ipv4.tcp_tw_reuse')).toBe(2);
    expect(s.get('net.ipv4.tcp_rto_min_us')).toBe(200000);
    expect(s.get('net.ipv4.tcp_rto_max_ms')).toBe(120000);
    expect(s.getVector('net.ipv4.tcp_rmem')).toEqual([4096, 131072, 6291456]);
  });

  it('reject unknown names, values out of range, and vectors of the wrong length, with clear messages', () => {
    const s = new Sysctls();
    expect(() => s.get('net.ipv4.tcp_nope')).toThrow(/unknown sysctl "net.ipv4.tcp_nope"/);
    expect(() => s.set('net.ipv4.tcp_syncookies', 3)).toThrow(/tcp_syncookies must be an integer in \[0, 2\], got 3/);
    expect(() => s.set('net.ipv4.tcp_rmem', [4096, 87380])).toThrow(/takes 3 integers/);
    expect(() => s.get('net.ipv4.tcp_rmem')).toThrow(/is a vector/);
    expect(() => new Sysctls({ 'net.ipv4.tcp_keepalive_time': 0 })).toThrow(/\[1, 32767\]/);
  });

  it('every spec has a doc line and a default inside its range', () => {
    for (const spec of SYSCTLS) {
      expect(spec.doc.length, spec.name).toBeGreaterThan(10);
      for (const v of typeof spec.default === 'number' ? [spec.default] : spec.default) {
        expect(v, spec.name).toBeGreaterThanOrEqual(spec.min);
        expect(v, spec.name).toBeLessThanOrEqual(spec.max);
      }
    }
  });
});

describe('window scale offered in SYNs (tcp_select_initial_window)', () => {
  const scale = (sysctls: Record<string, number | number[]>) => {
    const w = new World({ seed: 1 });
    const h = w.addHost('h', '10.0.0.1');
    for (const [k, v] of Object.entries(sysctls)) h.sysctl.set(k, v);
    return windowScaleFor(h);
  };
  it('is ilog2(max(tcp_rmem[2], rmem_max)) − 15: 7 by default, 8 with the 15 MB of packetdrill defaults.sh', () => {
    expect(scale({})).toBe(7);
    expect(scale({ 'net.ipv4.tcp_rmem': [4096, 540000, 15728640] })).toBe(8);
    expect(scale({ 'net.ipv4.tcp_rmem': [4096, 87380, 65536] })).toBe(2); // rmem_max 212992 still counts
    expect(scale({ 'net.ipv4.tcp_rmem': [4096, 87380, 1 << 30] })).toBe(14); // capped (RFC 7323 §2.3)
  });
  it('is 0 with window scaling off', () => {
    expect(scale({ 'net.ipv4.tcp_window_scaling': 0 })).toBe(0);
  });
});
