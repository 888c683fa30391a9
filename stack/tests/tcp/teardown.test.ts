/**
 * The teardown against a scripted peer: every transition of both sides, TIME_WAIT's exact 60 s and
 * what re-arms or ends it, the orphaned and the half-closed FIN_WAIT_2, and the cases where
 * close() sends RST instead of FIN.
 */
import { describe, expect, it } from 'vitest';
import {
  closeWait,
  closing,
  established,
  finWait1,
  finWait2HalfClosed,
  finWait2Orphaned,
  lastAck,
  linuxSynOptions,
  placeConnection,
  synReceived,
  synSent,
  timeWait,
  type StateFixture,
} from '../../testing/index.ts';

function statePath(f: StateFixture): string[] {
  const label = f.conn!.label;
  return f.h.world.trace.events.filter((e) => e.kind === 'state' && e.host === 'host' && e.conn === label).map((e) => (e.kind === 'state' ? e.to : ''));
}

describe('transitions of the active closer', () => {
  it('ESTABLISHED → FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT → CLOSED', () => {
    const f = timeWait();
    f.h.advanceTo(f.now + 60_000);
    expect(statePath(f)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED']);
  });

  it('simultaneous close: FIN_WAIT_1 → CLOSING → TIME_WAIT', () => {
    const f = timeWait({ via: 'closing' });
    expect(statePath(f)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
  });

  it('FIN and the ACK of our FIN in one segment: FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT, ACKed at once', () => {
    const f = finWait1();
    const { h } = f;
    h.send(20, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
    h.expectSegment(20, { flags: '.', rseq: 2, rack: 2 });
    expect(statePath(f).slice(-3)).toEqual(['FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
  });

  it('the FIN is retransmitted from FIN_WAIT_1 with the RTO (210 ms, then 420 ms)', () => {
    const f = finWait1();
    const { h } = f;
    h.expectNothingUntil(f.now + 209);
    h.expectSegment(f.now + 210, { flags: 'F.', rseq: 1, rack: 1 });
    h.expectNothingUntil(f.now + 210 + 419);
    h.expectSegment(f.now + 210 + 420, { flags: 'F.', rseq: 1 });
  });

  it('in CLOSING the FIN is retransmitted until it is ACKed, then TIME_WAIT', () => {
    const f = closing();
    const { h } = f;
    // Our FIN went out at 10 ms; its first retransmission is due one RTO (210 ms) later.
    h.expectNothingUntil(219);
    h.expectSegment(220, { flags: 'F.', rseq: 1, rack: 2 });
    h.send(230, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
    expect(f.conn!.state).toBe('TIME_WAIT');
  });
});

describe('close() before the connection is established', () => {
  it('in SYN_SENT the connection simply ends: no FIN, and a late SYN-ACK finds a CLOSED port (RST <SEQ=SEG.ACK>)', () => {
    const f = synSent();
    const { h, host, fd } = f;
    h.act(`close(${fd})`, () => host.api.close(fd));
    expect(f.conn!.closed).toBe(true);
    h.expectNothingUntil(5000);
    h.send(5000, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
    h.expectSegment(5000, { flags: 'R', seq: h.hSeq(1) });
  });

  it('in SYN_RECV (simultaneous open) close() sends a FIN and moves to FIN_WAIT_1', () => {
    const f = synReceived({ role: 'client' });
    const { h, host, fd } = f;
    h.act(`close(${fd})`, () => host.api.close(fd));
    expect(f.conn!.state).toBe('FIN_WAIT_1');
    h.expectSegment(h.now, { flags: 'F.', rseq: 1, rack: 1 });
  });
});

describe('transitions of the passive closer', () => {
  it('ESTABLISHED → CLOSE_WAIT → LAST_ACK → CLOSED on the ACK of our FIN', () => {
    const f = lastAck();
    const { h } = f;
    h.send(h.now + 10, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
    expect(f.conn!.closed).toBe(true);
    expect(statePath(f)).toEqual(['SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    h.expectNothingUntil(h.now + 100_000);
  });

  it('after data, the ACK of the FIN is delayed exactly 40 ms (nothing at 39 ms)', () => {
    const f = established();
    const { h } = f;
    h.send(50, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'hello' });
    h.expectSegment(50, { flags: '.', rseq: 1, rack: 6 }, 'the first data is ACKed at once (quickack)');
    h.send(100, { flags: 'F.', seq: h.pSeq(6), ack: h.hSeq(1) });
    h.expectNothingUntil(139);
    h.expectSegment(140, { flags: '.', rseq: 1, rack: 7 });
    expect(f.host.mib.get('DelayedACKs')).toBe(1);
  });

  it('a FIN on a connection that never received data is ACKed at once: ato is still 0 (measured on Linux 6.18)', () => {
    const f = established();
    const { h } = f;
    h.send(100, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(1) });
    expect(f.conn!.state).toBe('CLOSE_WAIT');
    h.expectSegment(100, { flags: '.', rseq: 1, rack: 2 });
    // Still the delayed-ACK timer (due at once), as in Linux: tcp_delack_timer counts it.
    expect(f.host.mib.get('DelayedACKs')).toBe(1);
    h.expectNothingUntil(10_000);
  });

  it('... but an application blocked in read() that closes on end of file still beats that timer: FIN+ACK', () => {
    const f = established();
    const { h, host, fd } = f;
    const read = host.api.read(fd);
    read.then((r) => {
      if (r.ok && r.value.length === 0) host.api.close(fd);
    });
    h.send(100, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(1) });
    h.expectSegment(100, { flags: 'F.', rseq: 1, rack: 2 }, 'the FIN carries the ACK; no bare ACK before it');
    expect(f.conn!.state).toBe('LAST_ACK');
    expect(f.host.mib.get('DelayedACKs')).toBe(0);
  });

  it('data and FIN in one segment: one ACK for both, delayed 40 ms (tcp_fin enters ping-pong mode before the ACK decision)', () => {
    const f = established();
    const { h } = f;
    h.send(100, { flags: 'FP.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'last words' });
    expect(f.conn!.state).toBe('CLOSE_WAIT');
    h.expectNothingUntil(139);
    h.expectSegment(140, { flags: '.', rseq: 1, rack: 12 });
  });

  it('... so a close() within those 40 ms gives the three-segment teardown here too', () => {
    const f = established();
    const { h, host, fd } = f;
    h.send(100, { flags: 'FP.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'last words' });
    h.advanceTo(110);
    expect(host.api.read(f.fd).result!.ok).toBe(true);
    h.act(`close(${fd})`, () => host.api.close(fd));
    h.expectSegment(110, { flags: 'F.', rseq: 1, rack: 12 });
    // Nothing else: no separate ACK, only the FIN's own retransmission one RTO later.
    h.expectNothingUntil(319);
    h.expectSegment(320, { flags: 'F.', rseq: 1, rack: 12 });
  });

  it('three-segment teardown: after data, close() within the 40 ms makes the FIN carry the ACK', () => {
    const f = established();
    const { h, host, fd } = f;
    h.send(50, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'hello' });
    h.expectSegment(50, { flags: '.', rseq: 1, rack: 6 });
    expect(host.api.read(fd).result).toEqual({ ok: true, value: new TextEncoder().encode('hello') });
    h.send(100, { flags: 'F.', seq: h.pSeq(6), ack: h.hSeq(1) });
    h.expectNothingUntil(119);
    h.advanceTo(120);
    h.act(`close(${fd})`, () => host.api.close(fd));
    h.expectSegment(120, { flags: 'F.', rseq: 1, rack: 7 });
    h.expectNothingUntil(200);
    h.send(200, { flags: '.', seq: h.pSeq(7), ack: h.hSeq(2) });
    expect(f.conn!.closed).toBe(true);
  });

  it('the application reads end of file in CLOSE_WAIT', () => {
    const f = closeWait();
    const r = f.host.api.read(f.fd);
    expect(r.result).toEqual({ ok: true, value: new Uint8Array(0) });
  });

  it('CLOSE_WAIT lasts until close(): three hours of silence change nothing', () => {
    const f = closeWait();
    const { h, host, fd } = f;
    h.expectNothingUntil(3 * 3600_000);
    expect(f.conn!.state).toBe('CLOSE_WAIT');
    h.act(`close(${fd})`, () => host.api.close(fd));
    h.expectSegment(3 * 3600_000, { flags: 'F.', rseq: 1, rack: 2 });
  });

  it('a half-closed CLOSE_WAIT keeps sending data: write() after the peer FIN', () => {
    const f = closeWait();
    const { h, host, fd } = f;
    expect(host.api.write(fd, 'late reply')).toEqual({ ok: true, value: 10 });
    h.expectSegment(h.now, { flags: 'P.', rseq: 1, rack: 2, payload: 'late reply' });
  });
});

describe('TIME_WAIT', () => {
  it('lasts exactly 60 s: still there at 59.999 s, gone at 60 s, and sends nothing', () => {
    const f = timeWait();
    const { h, host } = f;
    const entered = f.now;
    // TcpExtTW counts the socket as it becomes a timewait sock, not when TIME_WAIT ends (6.18).
    expect(host.mib.get('TW')).toBe(1);
    h.expectNothingUntil(entered + 59_999);
    expect(host.connections.has(f.conn!.key)).toBe(true);
    h.advanceTo(entered + 59_999.999);
    expect(f.conn!.state).toBe('TIME_WAIT');
    h.expectNothingUntil(entered + 60_000);
    expect(host.connections.size).toBe(0);
    expect(host.timeWaitCount).toBe(0);
    expect(host.mib.get('TW')).toBe(1);
  });

  it('tcp_fin_timeout does not change it', () => {
    const f = timeWait({ sysctls: { 'net.ipv4.tcp_fin_timeout': 5 } });
    f.h.advanceTo(f.now + 59_999);
    expect(f.conn!.state).toBe('TIME_WAIT');
    f.h.advanceTo(f.now + 60_000);
    expect(f.conn!.closed).toBe(true);
  });

  it('a retransmitted FIN is ACKed and restarts the 60 s', () => {
    const f = timeWait();
    const { h, host } = f;
    const t = f.now + 30_000;
    h.send(t, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
    h.expectSegment(t, { flags: '.', rseq: 2, rack: 2 });
    h.advanceTo(t + 59_999);
    expect(host.connections.size).toBe(1);
    h.advanceTo(t + 60_000);
    expect(host.connections.size).toBe(0);
  });

  it('a bare ACK at RCV.NXT restarts the 60 s without a reply', () => {
    const f = timeWait();
    const { h, host } = f;
    const t = f.now + 10_000;
    h.send(t, { flags: '.', seq: h.pSeq(2), ack: h.hSeq(2) });
    h.expectNothingUntil(t + 59_999);
    expect(host.connections.size).toBe(1);
    h.advanceTo(t + 60_000);
    expect(host.connections.size).toBe(0);
  });

  it('RST with tcp_rfc1337 = 0 ends TIME_WAIT at once (TIME_WAIT assassination)', () => {
    const f = timeWait();
    f.h.send(f.now + 1000, { flags: 'R', seq: f.h.pSeq(2) });
    expect(f.conn!.closed).toBe(true);
    expect(f.host.timeWaitCount).toBe(0);
    f.h.expectNothingUntil(f.now + 100_000);
  });

  it('RST with tcp_rfc1337 = 1 is ignored: TIME_WAIT runs its full 60 s', () => {
    const f = timeWait({ sysctls: { 'net.ipv4.tcp_rfc1337': 1 } });
    const { h } = f;
    h.send(f.now + 1000, { flags: 'R', seq: h.pSeq(2) });
    h.expectNothingUntil(f.now + 59_999);
    expect(f.conn!.state).toBe('TIME_WAIT');
    h.advanceTo(f.now + 60_000);
    expect(f.conn!.closed).toBe(true);
  });

  it('a new SYN with a higher sequence number reopens the 4-tuple with ISN = old SND.NXT + 65537', () => {
    const f = timeWait({ role: 'server' });
    const { h, host } = f;
    const oldSndNxt = f.conn!.sndNxt;
    const t = f.now + 5000;
    h.send(t, { flags: 'S', seq: h.pSeq(100_000), options: [{ kind: 'mss', value: 1460 }] });
    h.expectSegment(t, { flags: 'S.', seq: (oldSndNxt + 65537) >>> 0, ack: h.pSeq(100_001) });
    expect(f.conn!.closed).toBe(true);
    // TWRecycled is connect() taking over a TIME_WAIT 4-tuple; a reopening SYN is not counted (6.18).
    expect(host.mib.get('TWRecycled')).toBe(0);
    expect(host.requests.size).toBe(1);
    expect(host.timeWaitCount).toBe(0);
  });

  it('a SYN below RCV.NXT does not reopen: it is answered with an ACK and TIME_WAIT stays', () => {
    const f = timeWait({ role: 'server' });
    const { h } = f;
    h.send(f.now + 5000, { flags: 'S', seq: h.pSeq(0) });
    h.expectSegment(f.now + 5000, { flags: '.', rseq: 2, rack: 2 });
    expect(f.conn!.state).toBe('TIME_WAIT');
  });

  it('with timestamps, a SYN below RCV.NXT but with a newer TSval reopens the 4-tuple (RFC 6191, as measured on Linux 6.18)', () => {
    const f = timeWait({ role: 'server', peerOptions: linuxSynOptions(100) });
    const { h } = f;
    expect(f.conn!.tsOk).toBe(true);
    const oldSndNxt = f.conn!.sndNxt;
    const t = f.now + 5000;
    h.send(t, { flags: 'S', seq: h.pSeq(0), options: linuxSynOptions(101) });
    h.expectSegment(t, {
      flags: 'S.',
      seq: (oldSndNxt + 65537) >>> 0,
      ack: h.pSeq(1),
      test: (seg) => (seg.options.some((o) => o.kind === 'ts' && o.ecr === 101) ? null : 'the SYN-ACK should echo TSval 101'),
    });
    expect(f.conn!.closed).toBe(true);
    expect(f.host.mib.get('PAWSTimewait')).toBe(0);
  });

  it('PAWS in TIME_WAIT: a SYN beyond RCV.NXT with an older TSval is an old duplicate — ACK echoing ts_recent, PAWSTimewait, 60 s from then', () => {
    const f = timeWait({ role: 'server', peerOptions: linuxSynOptions(100) });
    const { h, host } = f;
    const t = f.now + 5000;
    h.send(t, { flags: 'S', seq: h.pSeq(100_000), options: linuxSynOptions(99) });
    h.expectSegment(t, {
      flags: '.',
      rseq: 2,
      rack: 2,
      test: (seg) => (seg.options.some((o) => o.kind === 'ts' && o.ecr === 100) ? null : 'the ACK should echo ts_recent = 100'),
    });
    expect(host.mib.get('PAWSTimewait')).toBe(1);
    expect(host.requests.size).toBe(0);
    h.expectNothingUntil(t + 59_999);
    expect(f.conn!.state).toBe('TIME_WAIT');
    h.advanceTo(t + 60_000);
    expect(f.conn!.closed).toBe(true);
  });

  it('a SYN with the TSval of ts_recent and an old sequence number draws an ACK and leaves the 60 s alone', () => {
    const f = timeWait({ role: 'server', peerOptions: linuxSynOptions(100) });
    const { h, host } = f;
    h.send(f.now + 5000, { flags: 'S', seq: h.pSeq(0), options: linuxSynOptions(100) });
    h.expectSegment(f.now + 5000, { flags: '.', rseq: 2, rack: 2 });
    expect(host.mib.get('PAWSTimewait')).toBe(0);
    h.expectNothingUntil(f.now + 59_999);
    h.advanceTo(f.now + 60_000);
    expect(f.conn!.closed).toBe(true);
  });

  it('ACKs sent from TIME_WAIT for empty segments are rate-limited (one per 500 ms); a retransmitted FIN is always answered', () => {
    const f = timeWait();
    const { h, host } = f;
    const t = f.now + 100;
    h.send(t, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
    h.expectSegment(t, { flags: '.' });
    h.send(t + 499, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
    h.expectNothingUntil(t + 499);
    expect(host.mib.get('TCPACKSkippedTimeWait')).toBe(1);
    h.send(t + 500, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
    h.expectSegment(t + 500, { flags: '.' });
    // tcp_oow_rate_limited: a FIN occupies a sequence number (SEG.SEQ ≠ end_seq), so no limit.
    h.send(t + 600, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
    h.expectSegment(t + 600, { flags: '.', rseq: 2, rack: 2 });
    expect(host.mib.get('TCPACKSkippedTimeWait')).toBe(1);
  });

  it('tcp_max_tw_buckets reached: the final ACK still goes out, but the socket skips TIME_WAIT (TCPTimeWaitOverflow)', () => {
    const f = finWait2Orphaned({ sysctls: { 'net.ipv4.tcp_max_tw_buckets': 0 } });
    const { h, host } = f;
    h.send(100, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
    h.expectSegment(100, { flags: '.', rseq: 2, rack: 2 });
    expect(f.conn!.closed).toBe(true);
    expect(host.mib.get('TCPTimeWaitOverflow')).toBe(1);
    expect(host.timeWaitCount).toBe(0);
  });

  it('a placed TIME_WAIT (for lab tests) lasts the same 60 s', () => {
    const f = placeConnection('TIME_WAIT');
    f.h.advanceTo(59_999);
    expect(f.conn!.state).toBe('TIME_WAIT');
    f.h.advanceTo(60_000);
    expect(f.conn!.closed).toBe(true);
  });
});

describe('FIN_WAIT_2', () => {
  it('orphaned after close(): freed silently at exactly tcp_fin_timeout (60 s) — no TIME_WAIT, no RST', () => {
    const f = finWait2Orphaned();
    const { h, host } = f;
    h.expectNothingUntil(f.now + 59_999);
    expect(f.conn!.state).toBe('FIN_WAIT_2');
    h.expectNothingUntil(f.now + 60_000);
    expect(f.conn!.closed).toBe(true);
    expect(statePath(f).slice(-2)).toEqual(['FIN_WAIT_2', 'CLOSED']);
    expect(host.timeWaitCount).toBe(0);
  });

  it('tcp_fin_timeout = 10 ⇒ freed at 10 s', () => {
    const f = finWait2Orphaned({ sysctls: { 'net.ipv4.tcp_fin_timeout': 10 } });
    f.h.advanceTo(f.now + 9_999);
    expect(f.conn!.closed).toBe(false);
    f.h.advanceTo(f.now + 10_000);
    expect(f.conn!.closed).toBe(true);
  });

  it('TCP_LINGER2 = 5 overrides the sysctl', () => {
    const f = finWait2Orphaned({ beforeOpen: (host, fd) => host.api.setsockopt(fd, 'TCP_LINGER2', 5) });
    f.h.advanceTo(f.now + 4_999);
    expect(f.conn!.closed).toBe(false);
    f.h.advanceTo(f.now + 5_000);
    expect(f.conn!.closed).toBe(true);
  });

  it('the wait is never shorter than 3.5 RTO', () => {
    const f = finWait2Orphaned({ sysctls: { 'net.ipv4.tcp_fin_timeout': 0 } });
    const rto = f.conn!.rto;
    f.h.advanceTo(f.now + 3.5 * rto - 1);
    expect(f.conn!.closed).toBe(false);
    f.h.advanceTo(f.now + 3.5 * rto);
    expect(f.conn!.closed).toBe(true);
  });

  it('TCP_LINGER2 < 0, orphaned FIN_WAIT_1: the ACK of our FIN draws <SEQ=SEG.ACK><CTL=RST> and TCPAbortOnData (as on Linux 6.18)', () => {
    const f = finWait1({ beforeOpen: (host, fd) => host.api.setsockopt(fd, 'TCP_LINGER2', -1) });
    const { h, host } = f;
    h.send(20, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(2) });
    h.expectSegment(20, { flags: 'R', seq: h.hSeq(2) });
    expect(f.conn!.closed).toBe(true);
    expect(statePath(f).slice(-3)).toEqual(['FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSED']);
    expect(host.mib.get('TCPAbortOnData')).toBe(1);
    expect(host.mib.get('TCPAbortOnLinger')).toBe(0);
    expect(host.timeWaitCount).toBe(0);
    h.expectNothingUntil(100_000);
  });

  it('TCP_LINGER2 < 0, close() in a half-closed FIN_WAIT_2: RST|ACK <SEQ=SND.NXT><ACK=RCV.NXT> and TCPAbortOnLinger', () => {
    const f = finWait2HalfClosed({ beforeOpen: (host, fd) => host.api.setsockopt(fd, 'TCP_LINGER2', -1) });
    const { h, host, fd } = f;
    expect(f.conn!.state).toBe('FIN_WAIT_2');
    h.advanceTo(f.now + 100);
    h.act(`close(${fd})`, () => host.api.close(fd));
    h.expectSegment(h.now, { flags: 'R.', rseq: 2, rack: 1 });
    expect(f.conn!.closed).toBe(true);
    expect(host.mib.get('TCPAbortOnLinger')).toBe(1);
    expect(host.mib.get('TCPAbortOnData')).toBe(0);
  });

  it('orphaned: counted as TW once, when handed to a timewait sock (as nstat shows on 6.18); not when tcp_fin_timeout > 60 s', () => {
    const f = finWait2Orphaned();
    expect(f.host.mib.get('TW')).toBe(1);
    f.h.advanceTo(f.now + 60_000);
    expect(f.conn!.closed).toBe(true);
    expect(f.host.mib.get('TW')).toBe(1);
    const long = finWait2Orphaned({ sysctls: { 'net.ipv4.tcp_fin_timeout': 90 } });
    expect(long.host.mib.get('TW')).toBe(0);
    const half = finWait2HalfClosed();
    expect(half.host.mib.get('TW')).toBe(0);
  });

  it('orphaned: a late FIN is ACKed and leads to a real 60 s TIME_WAIT, without a second TW count', () => {
    const f = finWait2Orphaned();
    const { h } = f;
    const t = f.now + 30_000;
    h.send(t, { flags: 'F.', seq: h.pSeq(1), ack: h.hSeq(2) });
    h.expectSegment(t, { flags: '.', rseq: 2, rack: 2 });
    expect(f.conn!.state).toBe('TIME_WAIT');
    h.advanceTo(t + 59_999);
    expect(f.conn!.state).toBe('TIME_WAIT');
    h.advanceTo(t + 60_000);
    expect(f.conn!.closed).toBe(true);
    expect(f.host.mib.get('TW')).toBe(1);
  });

  it('half-closed after shutdown(SHUT_WR): never times out, and still receives data', () => {
    const f = finWait2HalfClosed();
    const { h, host, fd } = f;
    h.expectNothingUntil(10 * 3600_000);
    expect(f.conn!.state).toBe('FIN_WAIT_2');
    const t = h.now;
    h.send(t, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(2), payload: 'more data' });
    h.expectSegment(t, { flags: '.', rseq: 2, rack: 10 });
    const r = host.api.read(fd);
    expect(r.result!.ok && String.fromCharCode(...r.result!.value)).toBe('more data');
  });
});

describe('close() that sends RST instead of FIN', () => {
  it('unread data at close(): RST|ACK <SEQ=SND.NXT><ACK=RCV.NXT>, no TIME_WAIT (TCPAbortOnClose)', () => {
    const f = established();
    const { h, host, fd } = f;
    h.send(100, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'unread' });
    h.expectSegment(100, { flags: '.', rack: 7 });
    h.act(`close(${fd})`, () => host.api.close(fd));
    h.expectSegment(100, { flags: 'R.', rseq: 1, rack: 7 });
    expect(f.conn!.closed).toBe(true);
    expect(host.mib.get('TCPAbortOnClose')).toBe(1);
    h.expectNothingUntil(100_000);
  });

  it('SO_LINGER {on, 0}: close() aborts with RST|ACK', () => {
    const f = established({ beforeOpen: (host, fd) => host.api.setsockopt(fd, 'SO_LINGER', { onoff: true, linger: 0 }) });
    const { h, host, fd } = f;
    h.act(`close(${fd})`, () => host.api.close(fd));
    h.expectSegment(h.now, { flags: 'R.', rseq: 1, rack: 1 });
    expect(f.conn!.closed).toBe(true);
    expect(host.timeWaitCount).toBe(0);
  });

  it('data after close() in FIN_WAIT_1 ⇒ RST <SEQ=SEG.ACK> in reply to it (RFC 1122: nobody can read it)', () => {
    const f = finWait1();
    const { h, host } = f;
    h.send(15, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'late' });
    h.expectSegment(15, { flags: 'R', seq: h.hSeq(1) });
    expect(f.conn!.closed).toBe(true);
    expect(host.mib.get('TCPAbortOnData')).toBe(1);
  });

  it('data after close() in FIN_WAIT_2 ⇒ RST <SEQ=SEG.ACK>', () => {
    const f = finWait2Orphaned();
    const { h, host } = f;
    h.send(100, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(2), payload: 'late' });
    h.expectSegment(100, { flags: 'R', seq: h.hSeq(2) });
    expect(f.conn!.closed).toBe(true);
    expect(host.mib.get('TCPAbortOnData')).toBe(1);
  });

  it('close() after shutdown(SHUT_WR) with nothing unread: no RST, the FIN_WAIT_2 becomes orphaned', () => {
    const f = finWait2HalfClosed();
    const { h, host, fd } = f;
    h.act(`close(${fd})`, () => host.api.close(fd));
    h.expectNothingUntil(h.now + 59_999);
    expect(f.conn!.state).toBe('FIN_WAIT_2');
    h.advanceTo(h.now + 1);
    expect(f.conn!.closed).toBe(true);
  });
});

describe('an orphaned connection whose peer is silent', () => {
  it('tcp_orphan_retries = 0 means 8 retries while alive: the FIN goes 8 more times, then the socket is freed without RST', () => {
    const f = finWait1();
    const { h, host } = f;
    const expected = [220, 640, 1480, 3160, 6520, 13_240, 26_680, 53_560];
    h.advanceTo(107_319);
    expect(h.discard().map((p) => p.t)).toEqual(expected);
    expect(f.conn!.state).toBe('FIN_WAIT_1');
    h.expectNothingUntil(107_320);
    expect(f.conn!.closed).toBe(true);
    expect(host.mib.get('TCPAbortOnTimeout')).toBe(1);
  });

  it('tcp_orphan_retries = 2: freed at the timeout after the second retransmission', () => {
    const f = finWait1({ sysctls: { 'net.ipv4.tcp_orphan_retries': 2 } });
    const { h } = f;
    h.advanceTo(1479);
    expect(h.discard().map((p) => p.t)).toEqual([220, 640]);
    expect(f.conn!.closed).toBe(false);
    h.expectNothingUntil(1480);
    expect(f.conn!.closed).toBe(true);
  });
});

