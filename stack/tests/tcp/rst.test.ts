/**
 * RST handling and RFC 5961's blind-attack defences in every synchronized state, the RST a
 * CLOSED port or a listener sends (RFC 9293 §3.10.7.1/2), and the rule that no RST ever answers
 * a RST.
 */
import { describe, expect, it } from 'vitest';
import {
  PeerHarness,
  type StateFixture,
  closeWait,
  closing,
  established,
  finWait1,
  finWait2HalfClosed,
  lastAck,
  listen,
  linuxSynOptions,
  placeConnection,
  synReceived,
} from '../../testing/index.ts';
import { ERRNO_NUMBERS } from '../../core/socket.ts';
import { RST } from '../../core/wire/segment.ts';

type Case = { state: string; make: () => StateFixture; errno: keyof typeof ERRNO_NUMBERS };

const cases: Case[] = [
  // Linux tcp_reset: ECONNREFUSED only in SYN_SENT; a simultaneous open's SYN_RECV gets ECONNRESET.
  { state: 'SYN_RECV', make: () => synReceived({ role: 'client' }), errno: 'ECONNRESET' },
  { state: 'ESTABLISHED', make: () => established(), errno: 'ECONNRESET' },
  { state: 'FIN_WAIT_1', make: () => finWait1({ how: 'shutdown' }), errno: 'ECONNRESET' },
  { state: 'FIN_WAIT_2', make: () => finWait2HalfClosed(), errno: 'ECONNRESET' },
  { state: 'CLOSE_WAIT', make: () => closeWait(), errno: 'EPIPE' },
  { state: 'CLOSING', make: () => closing({ how: 'shutdown' }), errno: 'ECONNRESET' },
  { state: 'LAST_ACK', make: () => lastAck(), errno: 'ECONNRESET' },
];

describe.each(cases)('RFC 5961 in $state', ({ state, make, errno }) => {
  it(`RST with SEQ = RCV.NXT resets the connection (${errno}) and nothing is sent back`, () => {
    const f = make();
    const { h, conn } = f;
    expect(conn!.state).toBe(state);
    const t = h.now + 100;
    h.send(t, { flags: 'R', seq: conn!.rcvNxt, ack: 0 });
    expect(conn!.closed).toBe(true);
    expect(f.host.connections.size).toBe(0);
    h.advanceTo(t);
    // The error goes to whoever asks first: a blocked connect() (SYN_RECV), or the next syscall.
    const call = f.openCall?.result;
    expect(conn!.error ?? (call && !call.ok ? call.errno : null)).toBe(errno);
    h.expectNothingUntil(t + 200_000);
  });

  it('an in-window RST with SEQ ≠ RCV.NXT draws a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT> and changes nothing', () => {
    const f = make();
    const { h, conn } = f;
    const t = h.now + 100;
    h.send(t, { flags: 'R', seq: (conn!.rcvNxt + 1000) >>> 0, ack: 0 });
    h.expectSegment(t, { flags: '.', seq: conn!.sndNxt, ack: conn!.rcvNxt });
    expect(conn!.state).toBe(state);
    expect(f.host.mib.get('TCPChallengeACK')).toBe(1);
  });

  it('an out-of-window RST is dropped silently', () => {
    const f = make();
    const { h, conn } = f;
    const t = h.now + 100;
    h.send(t, { flags: 'R', seq: (conn!.rcvNxt + 1_000_000) >>> 0 });
    h.send(t + 1, { flags: 'R', seq: (conn!.rcvNxt - 10) >>> 0 });
    h.expectNothingUntil(t + 1);
    expect(conn!.state).toBe(state);
  });

  it('a SYN draws a challenge ACK, whatever its sequence number (RFC 5961 §4)', () => {
    const f = make();
    const { h, conn } = f;
    const t = h.now + 100;
    h.send(t, { flags: 'S', seq: (conn!.rcvNxt + 5) >>> 0 });
    h.expectSegment(t, { flags: '.', seq: conn!.sndNxt, ack: conn!.rcvNxt });
    h.send(t + 600, { flags: 'S', seq: 12345 });
    // States with our FIN outstanding retransmit it meanwhile; look only at what answers the SYN.
    const answer = h.discard().filter((p) => p.t === t + 600).map((p) => [p.seg!.flags, p.seg!.seq, p.seg!.ack]);
    expect(answer).toEqual([[0x10, conn!.sndNxt, conn!.rcvNxt]]);
    expect(conn!.state).toBe(state);
    expect(f.host.mib.get('TCPSYNChallenge')).toBe(2);
  });
});

describe('RFC 5961 details', () => {
  it('the errno reaches the application: read() after a RST in ESTABLISHED fails with ECONNRESET', () => {
    const f = established();
    f.h.send(100, { flags: 'R', seq: f.conn!.rcvNxt });
    const r = f.host.api.read(f.fd);
    expect(r.result).toEqual({ ok: false, errno: 'ECONNRESET' });
  });

  it('in CLOSE_WAIT the reset is reported as EPIPE (getsockopt SO_ERROR = 32)', () => {
    const f = closeWait();
    f.h.send(f.h.now + 10, { flags: 'R', seq: f.conn!.rcvNxt });
    expect(f.host.api.getsockopt(f.fd, 'SO_ERROR')).toEqual({ ok: true, value: 32 });
  });

  it('after the peer FIN, a RST at RCV.NXT − 1 is accepted too (Linux tcp_reset_check)', () => {
    const f = closeWait();
    f.h.send(f.h.now + 10, { flags: 'R', seq: (f.conn!.rcvNxt - 1) >>> 0 });
    expect(f.conn!.closed).toBe(true);
  });

  it('RST|ACK counts like a RST: the ACK field does not matter', () => {
    const f = established();
    f.h.send(100, { flags: 'R.', seq: f.conn!.rcvNxt, ack: 7 });
    expect(f.conn!.closed).toBe(true);
    expect(f.host.mib.get('TcpEstabResets')).toBe(1);
  });

  it('challenge ACKs are rate-limited per socket: one per 500 ms (tcp_invalid_ratelimit)', () => {
    const f = established();
    const { h, conn, host } = f;
    const bad = () => ({ flags: 'R', seq: (conn!.rcvNxt + 10) >>> 0 });
    h.send(100, bad());
    h.expectSegment(100, { flags: '.', ack: conn!.rcvNxt });
    h.send(300, bad());
    h.send(599, bad());
    h.expectNothingUntil(599);
    expect(host.mib.get('TCPACKSkippedChallenge')).toBe(2);
    h.send(600, bad());
    h.expectSegment(600, { flags: '.', ack: conn!.rcvNxt });
    expect(host.mib.get('TCPChallengeACK')).toBe(2);
  });

  it('tcp_challenge_ack_limit: a random host-wide budget per second in [limit/2, 1.5·limit); over it nothing is sent or counted', () => {
    const sent: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const f = established({ seed, sysctls: { 'net.ipv4.tcp_invalid_ratelimit': 0, 'net.ipv4.tcp_challenge_ack_limit': 4 } });
      const { h, conn, host } = f;
      const out = () => host.mib.get('TcpOutSegs');
      const start = out();
      for (let t = 1100; t < 1900; t += 50) h.send(t, { flags: 'R', seq: (conn!.rcvNxt + 10) >>> 0 });
      h.advanceTo(1950);
      const first = out() - start;
      // [2, 6) for a limit of 4: never none, never all 16.
      expect(first).toBeGreaterThanOrEqual(2);
      expect(first).toBeLessThanOrEqual(5);
      expect(host.mib.get('TCPChallengeACK')).toBe(first);
      expect(host.mib.get('TCPACKSkippedChallenge')).toBe(0);
      // The next second has a budget of its own.
      const before = out();
      h.send(2100, { flags: 'R', seq: (conn!.rcvNxt + 10) >>> 0 });
      h.advanceTo(2150);
      expect(out() - before).toBe(1);
      sent.push(first);
    }
    // Drawn at random: not the same budget every time.
    expect(new Set(sent).size).toBeGreaterThan(1);
  });

  it('with the default tcp_challenge_ack_limit (INT_MAX) only the per-socket limit applies', () => {
    const f = established({ sysctls: { 'net.ipv4.tcp_invalid_ratelimit': 0 } });
    const { h, conn, host } = f;
    for (let t = 1100; t < 1900; t += 50) h.send(t, { flags: 'R', seq: (conn!.rcvNxt + 10) >>> 0 });
    h.advanceTo(1950);
    expect(host.mib.get('TCPChallengeACK')).toBe(16);
  });

  it('an ACK for data never sent (SEG.ACK > SND.NXT) draws a challenge ACK (RFC 5961 §5)', () => {
    const f = established();
    f.h.send(100, { flags: '.', seq: f.conn!.rcvNxt, ack: f.h.hSeq(5000) });
    f.h.expectSegment(100, { flags: '.', seq: f.conn!.sndNxt, ack: f.conn!.rcvNxt });
    expect(f.conn!.sndUna).toBe(f.h.hSeq(1));
  });

  it('an orphaned FIN_WAIT_2 (Linux timewait sock, substate FIN_WAIT2) is killed by any in-window RST', () => {
    const f = placeConnection('FIN_WAIT_2');
    f.h.send(100, { flags: 'R', seq: (f.conn!.rcvNxt + 100) >>> 0 });
    expect(f.conn!.closed).toBe(true);
    f.h.expectNothingUntil(1000);
  });
});

describe('CLOSED port (RFC 9293 §3.10.7.1)', () => {
  it('a SYN without ACK gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>', () => {
    const h = new PeerHarness();
    h.send(0, { flags: 'S', seq: 7000 });
    h.expectSegment(0, { flags: 'R.', seq: 0, ack: 7001, window: 0 });
    expect(h.host.mib.get('TcpOutRsts')).toBe(1);
  });

  it('data and FIN count in SEG.LEN', () => {
    const h = new PeerHarness();
    h.send(0, { flags: 'F', seq: 100, payload: 'abcd' });
    h.expectSegment(0, { flags: 'R.', seq: 0, ack: 105 });
  });

  it('a segment with ACK gets <SEQ=SEG.ACK><CTL=RST> (no ACK bit)', () => {
    const h = new PeerHarness();
    h.send(0, { flags: 'P.', seq: 100, ack: 0xfffffff0, payload: 'x' });
    h.expectSegment(0, { flags: 'R', seq: 0xfffffff0, ack: 0 });
  });

  it('a RST is never answered', () => {
    const h = new PeerHarness();
    h.send(0, { flags: 'R', seq: 1 });
    h.send(10, { flags: 'R.', seq: 1, ack: 5 });
    h.expectNothingUntil(1000);
    expect(h.host.mib.get('TcpOutRsts')).toBe(0);
  });
});

describe('LISTEN (RFC 9293 §3.10.7.2)', () => {
  it('an ACK to a listener gets RST <SEQ=SEG.ACK>', () => {
    const l = listen();
    l.h.send(0, { flags: '.', seq: 5, ack: 999_999 });
    l.h.expectSegment(0, { flags: 'R', seq: 999_999 });
    expect(l.host.requests.size).toBe(0);
  });

  it('a RST to a listener is ignored, and so is a segment with neither SYN nor ACK', () => {
    const l = listen();
    l.h.send(0, { flags: 'R', seq: 5 });
    l.h.send(1, { flags: 'R.', seq: 5, ack: 9 });
    l.h.send(2, { flags: 'F', seq: 5 });
    l.h.send(3, { flags: '-', seq: 5 });
    l.h.expectNothingUntil(5000);
    expect(l.host.requests.size + l.host.connections.size).toBe(0);
  });

  it('a RST for a request sock (SYN_RECV) removes it silently (EmbryonicRsts)', () => {
    const l = listen();
    const { h, host } = l;
    h.send(0, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
    h.expectSegment(0, { flags: 'S.' });
    h.send(10, { flags: 'R', seq: h.pSeq(1) });
    expect(host.requests.size).toBe(0);
    expect(host.mib.get('EmbryonicRsts')).toBe(1);
    h.expectNothingUntil(5000);
  });
});

describe('never a RST in reply to a RST', () => {
  const makers: Array<[string, () => PeerHarness]> = [
    ['CLOSED port', () => new PeerHarness()],
    ['LISTEN', () => listen().h],
    ['SYN_SENT', () => placeConnection('SYN_SENT').h],
    ['ESTABLISHED', () => established().h],
    ['TIME_WAIT', () => placeConnection('TIME_WAIT').h],
    ['orphaned FIN_WAIT_2', () => placeConnection('FIN_WAIT_2').h],
  ];
  it.each(makers)('%s: RSTs with assorted numbers draw no RST', (_name, make) => {
    const h = make();
    h.discard();
    let t = h.now;
    for (const seq of [0, 1, h.peerIss, h.pSeq(1), h.pSeq(2), h.pSeq(100_000), 0x80000000]) {
      for (const flags of ['R', 'R.', 'SR', 'RP.', 'FR.']) {
        t += 1;
        h.send(t, { flags, seq, ack: (h.hostIss ?? 0) + 1 });
      }
    }
    h.advanceTo(t);
    const rsts = h.discard().filter((p) => p.seg && p.seg.flags & RST);
    expect(rsts).toEqual([]);
  });
});

describe('PAWS (RFC 7323 §5), checked before the sequence number', () => {
  it('a segment with an older TSval is dropped with a duplicate ACK; a RST is exempt', () => {
    const f = established({ peerOptions: linuxSynOptions(100) });
    const { h, host, conn } = f;
    expect(conn!.tsOk).toBe(true);
    const recent = conn!.tsRecent;
    h.send(20, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'old', options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: recent - 5, ecr: 0 }] });
    h.expectSegment(20, { flags: '.', rack: 1 });
    expect(conn!.recvQueue.length).toBe(0);
    expect(host.mib.get('PAWSEstab')).toBe(1);
    h.send(30, { flags: 'R', seq: h.pSeq(1), options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: recent - 5, ecr: 0 }] });
    expect(conn!.closed).toBe(true);
  });
});

