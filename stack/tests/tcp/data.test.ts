/**
 * Data transfer against a scripted peer: the peer's window bounds what is in flight, zero-window
 * probes, retransmission with RFC 6298 timing and Linux bounds, Karn's rule, reassembly, the
 * delayed-ACK policy, and when an established connection gives up (tcp_retries2, TCP_USER_TIMEOUT).
 */
import { describe, expect, it } from 'vitest';
import { established, linuxSynOptions, type StateFixture } from '../../testing/index.ts';
import { modelTimeout } from '../../core/tcp/rto.ts';
import { tcpInfo } from '../../core/observe/ss.ts';

const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

/** Times of the host's retransmissions of the segment at host ISN+1 until the connection dies. */
function retransmitTimes(f: StateFixture, until: number): number[] {
  f.h.advanceTo(until);
  return f.h.discard().filter((p) => p.seg && p.seg.payload.length > 0).map((p) => p.t);
}

describe('the peer window bounds what is in flight', () => {
  it('with a 3000-byte window the host sends 3000 bytes and waits; each ACK slides the window', () => {
    const f = established();
    const { h, host, fd, conn } = f;
    h.send(20, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1), window: 3000 });
    h.act('write 10000 bytes', () => host.api.write(fd, bytes(10_000)));
    h.advanceTo(20);
    const first = h.discard();
    expect(first.reduce((n, p) => n + p.seg!.payload.length, 0)).toBe(3000);
    expect((conn!.sndNxt - conn!.sndUna) >>> 0).toBe(3000);
    h.send(30, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1 + 1460), window: 3000 });
    h.advanceTo(30);
    const second = h.discard();
    const edge = Math.max(...second.map((p) => (p.seg!.seq + p.seg!.payload.length - h.hSeq(0)) >>> 0));
    expect(edge).toBe(1 + 1460 + 3000);
  });

  it('nothing is ever sent beyond SND.UNA + window while ACKs trickle in with changing windows', () => {
    const f = established();
    const { h, host, fd, conn } = f;
    host.api.write(fd, bytes(40_000));
    const windows = [5000, 1200, 0, 7000, 64240, 2920, 10000];
    let t = 20;
    let dataSegments = 0;
    for (let i = 0; i < 30 && conn!.sendQueue.length > 0; i++) {
      const win = windows[i % windows.length];
      const acked = Math.min((conn!.sndUna - h.hSeq(0) + 1000) >>> 0, (conn!.sndNxt - h.hSeq(0)) >>> 0);
      h.send(t, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(acked), window: win });
      // Whatever goes out in answer to this ACK ends within SND.UNA + window.
      const sent = h.discard().filter((p) => p.t === t && p.seg!.payload.length > 0);
      dataSegments += sent.length;
      const over = sent.filter((p) => ((p.seg!.seq + p.seg!.payload.length - conn!.sndUna) | 0) > win);
      expect(over.map((p) => h.pd(p.seg!, 'host→peer'))).toEqual([]);
      t += 10;
    }
    expect(dataSegments).toBeGreaterThan(10);
  });

  it('a zero window gets zero-window probes <SEQ=SND.UNA−1> at RTO, then doubling; data flows when it opens', () => {
    const f = established();
    const { h, host, fd } = f;
    h.send(20, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1), window: 0 });
    h.advanceTo(30);
    h.act('write 100 bytes', () => host.api.write(fd, bytes(100)));
    h.expectNothingUntil(239);
    h.expectSegment(240, { flags: '.', seq: h.hSeq(0), len: 0 });
    h.expectNothingUntil(659);
    h.expectSegment(660, { flags: '.', seq: h.hSeq(0), len: 0 });
    h.expectNothingUntil(1499);
    h.expectSegment(1500, { flags: '.', seq: h.hSeq(0), len: 0 });
    expect(tcpInfo(f.conn!).tcpi_probes).toBe(3);
    expect(tcpInfo(f.conn!).tcpi_backoff).toBe(3);
    h.send(1600, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1), window: 5000 });
    h.expectSegment(1600, { flags: 'P.', rseq: 1, len: 100 });
  });
});

describe('window scaling (RFC 7323)', () => {
  it('after the handshake windows are scaled both ways: we send 65160 / 128 rounded up = 510, the peer’s 100 << 9 means 51200 bytes', () => {
    const f = established({ peerOptions: linuxSynOptions(100, 0, 9) });
    const { h, conn } = f;
    h.send(20, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), window: 100, payload: 'x', options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 200, ecr: 0 }] });
    const ack = h.expectSegment(20, { flags: '.', rack: 2 });
    expect(ack.window).toBe(510);
    expect(conn!.sndWnd).toBe(51200);
  });

  it('the SYN-ACK window itself is never scaled', () => {
    const f = established({ peerOptions: linuxSynOptions(100, 0, 9) });
    const synAck = f.h.wire.find((w) => w.dir === 'peer→host' && w.seg && w.seg.flags === 0x12)!.seg!;
    expect(synAck.window).toBe(64240);
    // The connection took it as 64240 bytes, not 64240 << 9.
    expect(f.conn!.maxSndWnd).toBe(64240);
  });
});

describe('retransmission timeout (RFC 6298, Linux bounds)', () => {
  it('RTO = SRTT + max(4·RTTVAR, 200 ms): 10 ms RTT ⇒ 210 ms (the 200 ms floor, not RFC 6298’s 1 s)', () => {
    const f = established();
    expect(f.conn!.srtt).toBe(10);
    expect(f.conn!.rto).toBe(210);
    expect(tcpInfo(f.conn!).tcpi_rto).toBe(210_000);
  });

  it('a 1 ms RTT gives RTO 201 ms: the 200 ms floor applies to the variance term (tcpi_rto 201000, as on loopback)', () => {
    const f = established({ rtt: 1 });
    expect(f.conn!.rto).toBe(201);
    expect(tcpInfo(f.conn!).tcpi_rto).toBe(201_000);
    const g = established({ rtt: 100 });
    // SRTT 100, RTTVAR 50: 4·RTTVAR = 200 is not above the floor either.
    expect(g.conn!.rto).toBe(300);
    const k = established({ rtt: 400 });
    // SRTT 400, RTTVAR 200: 4·RTTVAR = 800 wins.
    expect(k.conn!.rto).toBe(1200);
  });

  it('a lost segment is resent at 210 ms, then 420, 840, ... doubling, capped at 120 s', () => {
    const f = established();
    const { h, host, fd } = f;
    h.act('write 100 bytes', () => host.api.write(fd, bytes(100)));
    h.expectSegment(10, { flags: 'P.', rseq: 1, len: 100 });
    let t = 10;
    let rto = 210;
    const expected: number[] = [];
    for (let i = 0; i < 14; i++) {
      t += rto;
      expected.push(t);
      rto = Math.min(rto * 2, 120_000);
    }
    for (const at of expected) {
      h.expectNothingUntil(at - 1);
      h.expectSegment(at, { flags: 'P.', rseq: 1, len: 100 });
    }
    expect(expected.slice(-3).map((x, i, a) => (i ? x - a[i - 1] : 0))).toEqual([0, 120_000, 120_000]);
    expect(f.conn!.rto).toBe(120_000);
    expect(tcpInfo(f.conn!).tcpi_backoff).toBe(14);
  });

  it("Karn: the ACK of a retransmitted segment gives no RTT sample and the RTO stays backed off", () => {
    const f = established();
    const { h, host, fd, conn } = f;
    host.api.write(fd, bytes(100));
    h.expectSegment(10, { flags: 'P.', len: 100 });
    h.expectSegment(220, { flags: 'P.', len: 100 });
    const srtt = conn!.srtt;
    h.send(225, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(101) });
    expect(conn!.srtt).toBe(srtt);
    expect(conn!.rto).toBe(420);
    // The next segment is timed with the backed-off RTO...
    host.api.write(fd, bytes(50));
    h.expectSegment(225, { flags: 'P.', rseq: 101, len: 50 });
    h.expectNothingUntil(225 + 419);
    h.expectSegment(225 + 420, { flags: 'P.', rseq: 101, len: 50 });
  });

  it('a fresh sample collapses the RTO again (RFC 6298 §5: after backoff, recompute on a new measurement)', () => {
    const f = established();
    const { h, host, fd, conn } = f;
    host.api.write(fd, bytes(100));
    h.expectSegment(10, { flags: 'P.', len: 100 });
    h.expectSegment(220, { flags: 'P.', len: 100 });
    h.send(225, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(101) });
    host.api.write(fd, bytes(50));
    h.expectSegment(225, { flags: 'P.', rseq: 101, len: 50 });
    h.send(245, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(151) });
    // tcp_rtt_estimator with R' = 20 ms: SRTT = ⅞·10 + ⅛·20 = 11.25; mdev = 20 + (10 − 20/4) = 25
    // (tcpi_rttvar a quarter of it, 6250 µs, RFC 6298's RTTVAR); rttvar keeps rto_min, 200 ms, as
    // the round trip's largest mdev is below it. RTO = 11.25 + 200.
    expect(conn!.srtt).toBeCloseTo(11.25, 9);
    expect(conn!.mdev).toBeCloseTo(25, 9);
    expect(tcpInfo(conn!).tcpi_rttvar).toBe(6250);
    expect(conn!.rttvar).toBe(200);
    expect(conn!.rto).toBeCloseTo(211.25, 9);
  });

  it('the congestion window counts whole segments: cwnd 2.5 (congestion avoidance) sends two full segments, no half one', () => {
    const f = established();
    const { h, host, fd, conn } = f;
    conn!.cwnd = 2.5;
    host.api.write(fd, bytes(5000));
    h.advanceTo(10);
    expect(h.discard().map((p) => p.seg!.payload.length)).toEqual([1460, 1460]);
  });

  it('three duplicate ACKs trigger a fast retransmit before the RTO', () => {
    const f = established();
    const { h, host, fd } = f;
    host.api.write(fd, bytes(1460 * 5));
    h.advanceTo(10);
    h.discard();
    for (const t of [20, 21, 22]) h.send(t, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1), window: 64240 });
    h.expectSegment(22, { flags: '.', rseq: 1, len: 1460 });
  });
});

describe('giving up on an established connection', () => {
  it('tcp_retries2 = 15: ETIMEDOUT at the first timeout past the 924.6 s model time, no RST', () => {
    expect(modelTimeout(15, 200, 120_000)).toBe(924_600);
    const f = established();
    const { h, host, fd, conn } = f;
    host.api.write(fd, bytes(100));
    // Timeouts fire at 10 + 210·(2^k − 1) until the RTO reaches the cap, then every 120 s.
    let t = 10;
    let rto = 210;
    let giveUp = -1;
    while (giveUp < 0) {
      t += rto;
      if (t - 10 >= 924_600) giveUp = t;
      rto = Math.min(rto * 2, 120_000);
    }
    const read = host.api.read(fd);
    const times = retransmitTimes(f, giveUp - 1);
    expect(conn!.closed).toBe(false);
    expect(times.length).toBe(1 + 15);
    h.advanceTo(giveUp);
    expect(conn!.closed).toBe(true);
    expect(giveUp).toBe(10 + 934_830);
    expect(read.result).toEqual({ ok: false, errno: 'ETIMEDOUT' });
    expect(h.discard()).toEqual([]);
    expect(host.mib.get('TCPAbortOnTimeout')).toBe(1);
  });

  it('TCP_USER_TIMEOUT = 5000 ms counts from the first retransmission (retrans_stamp): the last timer is clamped and the connection dies at 220 + 5000 ms', () => {
    const f = established({ beforeOpen: (host, fd) => host.api.setsockopt(fd, 'TCP_USER_TIMEOUT', 5000) });
    const { h, host, fd, conn } = f;
    host.api.write(fd, bytes(100));
    expect(retransmitTimes(f, 5219)).toEqual([10, 220, 640, 1480, 3160]);
    expect(conn!.closed).toBe(false);
    h.advanceTo(5220);
    expect(conn!.closed).toBe(true);
    expect(conn!.error).toBe('ETIMEDOUT');
  });
});

describe('receiving', () => {
  it('out-of-order data is held, ACKed at once as a duplicate, and delivered in order when the hole fills', () => {
    const f = established();
    const { h, host, fd } = f;
    h.send(20, { flags: 'P.', seq: h.pSeq(101), ack: h.hSeq(1), payload: bytes(100, 0x62) });
    h.expectSegment(20, { flags: '.', rack: 1 });
    expect(host.mib.get('TCPOFOQueue')).toBe(1);
    h.send(30, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: bytes(100, 0x61) });
    h.expectSegment(30, { flags: '.', rack: 201 });
    const r = host.api.read(fd);
    expect(r.result!.ok && r.result!.value).toEqual(new Uint8Array([...bytes(100, 0x61), ...bytes(100, 0x62)]));
  });

  it('with SACK negotiated the duplicate ACK carries the out-of-order block', () => {
    const f = established({ peerOptions: [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }] });
    const { h } = f;
    h.send(20, { flags: 'P.', seq: h.pSeq(101), ack: h.hSeq(1), payload: bytes(100) });
    h.expectSegment(20, { flags: '.', rack: 1, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[h.pSeq(101), h.pSeq(201)]] }] });
  });

  it('quickack at first, then a lone segment is ACKed after exactly 40 ms', () => {
    const f = established();
    const { h } = f;
    let seq = 1;
    let t = 20;
    for (let i = 0; i < 16; i++, t += 10) {
      h.send(t, { flags: 'P.', seq: h.pSeq(seq), ack: h.hSeq(1), payload: bytes(10) });
      seq += 10;
      h.expectSegment(t, { flags: '.', rack: seq }, `quick ACK ${i + 1} of 16`);
    }
    h.send(t, { flags: 'P.', seq: h.pSeq(seq), ack: h.hSeq(1), payload: bytes(10) });
    seq += 10;
    h.expectNothingUntil(t + 39);
    h.expectSegment(t + 40, { flags: '.', rack: seq });
  });

  it('every second full-sized segment is ACKed at once (RFC 1122), a single one waits', () => {
    const f = established();
    const { h } = f;
    let seq = 1;
    let t = 20;
    for (let i = 0; i < 16; i++, t += 10) {
      h.send(t, { flags: 'P.', seq: h.pSeq(seq), ack: h.hSeq(1), payload: bytes(10) });
      seq += 10;
    }
    h.advanceTo(t);
    h.discard();
    h.send(t, { flags: '.', seq: h.pSeq(seq), ack: h.hSeq(1), payload: bytes(1460) });
    seq += 1460;
    h.expectNothingUntil(t + 5);
    h.send(t + 5, { flags: '.', seq: h.pSeq(seq), ack: h.hSeq(1), payload: bytes(1460) });
    seq += 1460;
    h.expectSegment(t + 5, { flags: '.', rack: seq });
  });

  it('a full receive buffer advertises window 0; reading it all sends a window update at once (tcp_cleanup_rbuf)', () => {
    const f = established();
    const { h, host, fd, conn } = f;
    let seq = 1;
    let t = 20;
    let lastWindow = -1;
    while (lastWindow !== 0 && t < 500) {
      // The peer sends what the window allows: a segment ending beyond it would be dropped
      // while data waits unread (tcp_sequence, KERNEL.md finding 62).
      const len = Math.min(1460, (conn!.rcvWup - conn!.rcvNxt) | 0);
      h.send(t, { flags: '.', seq: h.pSeq(seq), ack: h.hSeq(1), payload: bytes(len) });
      seq += len;
      const acks = h.discard();
      if (acks.length) lastWindow = acks[acks.length - 1].seg!.window;
      t += 1;
    }
    expect(lastWindow).toBe(0);
    // More data into the closed window is not taken; the ACK repeats window 0.
    h.send(t, { flags: '.', seq: h.pSeq(seq), ack: h.hSeq(1), payload: bytes(100) });
    h.expectSegment(t, { flags: '.', rack: seq, window: 0 });
    h.expectNothingUntil(t + 100);
    const r = h.act(`read(${fd})`, () => host.api.read(fd, 1 << 20));
    expect(r.result!.ok && r.result!.value.length).toBe(seq - 1);
    h.expectSegment(t + 100, { flags: '.', rack: seq, window: 64240 });
    expect(conn!.recvQueue.length).toBe(0);
  });

  it('small reads from a wide-open window send no extra ACK', () => {
    const f = established();
    const { h, host, fd } = f;
    h.send(20, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: bytes(10) });
    h.expectSegment(20, { flags: '.', rack: 11 });
    host.api.read(fd);
    h.expectNothingUntil(1000);
  });

  it('an entirely old segment (our ACK was lost) is ACKed at once', () => {
    const f = established();
    const { h } = f;
    h.send(20, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: bytes(10) });
    h.expectSegment(20, { flags: '.', rack: 11 });
    h.send(30, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: bytes(10) });
    h.expectSegment(30, { flags: '.', rack: 11 });
  });

  it('half-close: after our shutdown(SHUT_WR) the peer keeps sending and we keep reading', () => {
    const f = established();
    const { h, host, fd } = f;
    host.api.shutdown(fd, 'SHUT_WR');
    h.expectSegment(10, { flags: 'F.', rseq: 1 });
    expect(host.api.write(fd, 'x')).toEqual({ ok: false, errno: 'EPIPE' });
    h.send(20, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(2), payload: 'reply' });
    h.expectSegment(20, { flags: '.', rseq: 2, rack: 6 });
    const r = host.api.read(fd);
    expect(r.result!.ok && String.fromCharCode(...r.result!.value)).toBe('reply');
  });
});
