/**
 * Keepalive against a scripted peer: off by default, probes at exactly keepalive_time after the
 * last received segment and every keepalive_intvl, the probe's shape, what resets the count, the
 * per-socket knobs, TCP_USER_TIMEOUT, and the two ways it ends (dead peer, rebooted peer).
 */
import { describe, expect, it } from 'vitest';
import { established, type FixtureOptions } from '../../testing/index.ts';
import { tcpInfo } from '../../core/observe/ss.ts';
import type { Host } from '../../core/host.ts';

const withKeepalive = (more: (host: Host, fd: number) => void = () => {}): FixtureOptions => ({
  beforeOpen: (host, fd) => {
    expect(host.api.setsockopt(fd, 'SO_KEEPALIVE', 1).ok).toBe(true);
    more(host, fd);
  },
});

describe('keepalive', () => {
  it('is off by default: three idle hours, not a single segment', () => {
    const f = established();
    f.h.expectNothingUntil(3 * 3600_000);
    expect(f.conn!.state).toBe('ESTABLISHED');
  });

  it('probes at 7200 s of idleness, every 75 s, and after 9 unanswered probes sends RST: ETIMEDOUT at 7875 s', () => {
    const f = established(withKeepalive());
    const { h, host, fd, conn } = f;
    const idleFrom = f.now; // the SYN-ACK was the last segment received
    const read = host.api.read(fd);
    for (let k = 0; k < 9; k++) {
      const t = idleFrom + 7200_000 + k * 75_000;
      h.expectNothingUntil(t - 1);
      h.expectSegment(t, { flags: '.', seq: h.hSeq(0), ack: conn!.rcvNxt, len: 0 }, `keepalive probe ${k + 1}`);
      expect(tcpInfo(conn!).tcpi_probes).toBe(k + 1);
    }
    const end = idleFrom + 7875_000;
    h.expectNothingUntil(end - 1);
    h.expectSegment(end, { flags: 'R.', seq: conn!.sndNxt, ack: conn!.rcvNxt });
    expect(conn!.closed).toBe(true);
    expect(read.result).toEqual({ ok: false, errno: 'ETIMEDOUT' });
    expect(read.doneAt).toBe(end);
    expect(host.mib.get('TCPKeepAlive')).toBe(9);
  });

  it('the probe is <SEQ=SND.NXT−1>, no data: after data was exchanged too', () => {
    const f = established(withKeepalive((host, fd) => host.api.setsockopt(fd, 'TCP_KEEPIDLE', 10)));
    const { h, host, fd } = f;
    host.api.write(fd, 'abc');
    h.expectSegment(10, { flags: 'P.', rseq: 1, len: 3 });
    h.send(20, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(4) });
    h.expectSegment(10_020, { flags: '.', seq: h.hSeq(3), len: 0 });
    expect(f.conn!.sndNxt).toBe(h.hSeq(4));
  });

  it('idleness counts from the last segment received', () => {
    const f = established(withKeepalive((host, fd) => host.api.setsockopt(fd, 'TCP_KEEPIDLE', 10)));
    const { h } = f;
    h.send(5000, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'x' });
    h.expectSegment(5000, { flags: '.', rack: 2 });
    h.expectNothingUntil(14_999);
    h.expectSegment(15_000, { flags: '.', seq: h.hSeq(0), rack: 2 });
  });

  it('an ACK answering a probe resets the count, and the next probe waits a full idle period', () => {
    const f = established(withKeepalive((host, fd) => {
      host.api.setsockopt(fd, 'TCP_KEEPIDLE', 10);
      host.api.setsockopt(fd, 'TCP_KEEPINTVL', 2);
      host.api.setsockopt(fd, 'TCP_KEEPCNT', 3);
    }));
    const { h, conn } = f;
    h.expectSegment(10_010, { flags: '.', seq: h.hSeq(0) });
    h.expectSegment(12_010, { flags: '.', seq: h.hSeq(0) });
    expect(conn!.probesOut).toBe(2);
    h.send(12_020, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
    expect(conn!.probesOut).toBe(0);
    h.expectNothingUntil(22_019);
    h.expectSegment(22_020, { flags: '.', seq: h.hSeq(0) });
    h.expectSegment(24_020, { flags: '.' });
    h.expectSegment(26_020, { flags: '.' });
    h.expectSegment(28_020, { flags: 'R.' });
    expect(conn!.error).toBe('ETIMEDOUT');
  });

  it('TCP_KEEPIDLE/KEEPINTVL/KEEPCNT override the sysctls (10 s, 2 s, 3 probes ⇒ RST at 16 s)', () => {
    const f = established(withKeepalive((host, fd) => {
      host.api.setsockopt(fd, 'TCP_KEEPIDLE', 10);
      host.api.setsockopt(fd, 'TCP_KEEPINTVL', 2);
      host.api.setsockopt(fd, 'TCP_KEEPCNT', 3);
    }));
    const { h } = f;
    for (const t of [10_010, 12_010, 14_010]) {
      h.expectNothingUntil(t - 1);
      h.expectSegment(t, { flags: '.', len: 0 });
    }
    h.expectNothingUntil(16_009);
    h.expectSegment(16_010, { flags: 'R.' });
  });

  it('the sysctls apply when no socket option is set', () => {
    const f = established({
      ...withKeepalive(),
      sysctls: { 'net.ipv4.tcp_keepalive_time': 30, 'net.ipv4.tcp_keepalive_intvl': 5, 'net.ipv4.tcp_keepalive_probes': 2 },
    });
    const { h } = f;
    h.expectSegment(30_010, { flags: '.' });
    h.expectSegment(35_010, { flags: '.' });
    h.expectNothingUntil(40_009);
    h.expectSegment(40_010, { flags: 'R.' });
  });

  it('TCP_USER_TIMEOUT replaces the probe count: dead once idle ≥ 15 s with a probe out', () => {
    const f = established(withKeepalive((host, fd) => {
      host.api.setsockopt(fd, 'TCP_KEEPIDLE', 10);
      host.api.setsockopt(fd, 'TCP_KEEPINTVL', 2);
      host.api.setsockopt(fd, 'TCP_USER_TIMEOUT', 15_000);
    }));
    const { h } = f;
    for (const t of [10_010, 12_010, 14_010]) h.expectSegment(t, { flags: '.', len: 0 });
    h.expectNothingUntil(16_009);
    h.expectSegment(16_010, { flags: 'R.' });
    expect(f.conn!.error).toBe('ETIMEDOUT');
  });

  it('with TCP_USER_TIMEOUT idleness counts from the SYN-ACK, not from connect(): 16005 ms allows a 4th probe', () => {
    const f = established(withKeepalive((host, fd) => {
      host.api.setsockopt(fd, 'TCP_KEEPIDLE', 10);
      host.api.setsockopt(fd, 'TCP_KEEPINTVL', 2);
      host.api.setsockopt(fd, 'TCP_USER_TIMEOUT', 16_005);
    }));
    const { h } = f;
    for (const t of [10_010, 12_010, 14_010, 16_010]) h.expectSegment(t, { flags: '.', len: 0 });
    h.expectNothingUntil(18_009);
    h.expectSegment(18_010, { flags: 'R.' });
  });

  it('a rebooted peer answers the probe with RST: ECONNRESET', () => {
    const f = established(withKeepalive());
    const { h, host, fd, conn } = f;
    const read = host.api.read(fd);
    const probe = h.expectSegment(f.now + 7200_000, { flags: '.', len: 0 });
    // The peer lost the connection: its CLOSED-port RST is <SEQ=SEG.ACK>, which is our RCV.NXT.
    h.send(h.now + 10, { flags: 'R', seq: probe.ack, ack: 0 });
    expect(conn!.closed).toBe(true);
    expect(read.result).toEqual({ ok: false, errno: 'ECONNRESET' });
  });

  it('SO_KEEPALIVE set on an established socket arms the timer from that moment (tcp_set_keepalive)', () => {
    const f = established();
    const { h, host, fd } = f;
    h.advanceTo(4000);
    host.api.setsockopt(fd, 'TCP_KEEPIDLE', 10);
    host.api.setsockopt(fd, 'SO_KEEPALIVE', 1);
    h.expectNothingUntil(13_999);
    h.expectSegment(14_000, { flags: '.', seq: h.hSeq(0) });
  });

  it('no probes while data is outstanding: the retransmission timer decides instead', () => {
    const f = established(withKeepalive((host, fd) => host.api.setsockopt(fd, 'TCP_KEEPIDLE', 1)));
    const { h, host, fd } = f;
    host.api.write(fd, 'x');
    h.advanceTo(5000);
    const probes = h.discard().filter((p) => p.seg!.payload.length === 0);
    expect(probes).toEqual([]);
  });
});
