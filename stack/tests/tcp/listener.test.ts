/**
 * A listener's two queues and SYN cookies against scripted peers: backlog + 1, somaxconn, what
 * happens to SYNs and final ACKs when a queue is full (tcp_abort_on_overflow), and the cookie
 * handshake (tcp_syncookies 0/1/2, validation, options, MSS table).
 */
import { describe, expect, it } from 'vitest';
import { listen, type ListenFixture, linuxSynOptions } from '../../testing/index.ts';
import type { PeerHarness } from '../../testing/index.ts';
import type { TcpOption, TcpSegment } from '../../core/wire/segment.ts';
import { ssRows } from '../../core/observe/ss.ts';
import { tsOffsetFor } from '../../core/tcp/handshake.ts';

const MSS: TcpOption[] = [{ kind: 'mss', value: 1460 }];

/** The peer opens from `port` at `t`; returns the SYN-ACK sent back at `t`, or null. */
function synFrom(h: PeerHarness, port: number, t: number, options: TcpOption[] = MSS): TcpSegment | null {
  h.send(t, { flags: 'S', srcPort: port, options });
  const got = h.discard().filter((p) => p.t === t && p.seg && p.seg.dstPort === port);
  const synAck = got.find((p) => p.seg!.flags === 0x12);
  return synAck ? synAck.seg : null;
}

/** The peer's third segment from `port`, acknowledging `synAck`. */
function ackFrom(h: PeerHarness, port: number, synAck: TcpSegment, t: number, flags = '.', payload?: string, options?: TcpOption[]): void {
  h.send(t, { flags, srcPort: port, seq: h.pSeq(1), ack: (synAck.seq + 1) >>> 0, payload, options });
}

function connect(l: ListenFixture, port: number, t: number): boolean {
  const synAck = synFrom(l.h, port, t);
  if (!synAck) return false;
  ackFrom(l.h, port, synAck, t + 10);
  return true;
}

describe('accept queue size', () => {
  it('holds backlog + 1 connections; the next SYN is dropped (ListenOverflows, ListenDrops)', () => {
    const l = listen({ backlog: 2 });
    for (let i = 0; i < 3; i++) expect(connect(l, 41000 + i, i * 100)).toBe(true);
    expect(l.listener.acceptQueue.length).toBe(3);
    expect(synFrom(l.h, 41003, 1000)).toBeNull();
    expect(l.host.mib.get('ListenOverflows')).toBe(1);
    expect(l.host.mib.get('ListenDrops')).toBe(1);
    expect(l.host.requests.size).toBe(0);
  });

  it('listen(fd, 0) still admits one connection', () => {
    const l = listen({ backlog: 0 });
    expect(connect(l, 41000, 0)).toBe(true);
    expect(l.listener.acceptQueue.length).toBe(1);
    expect(synFrom(l.h, 41001, 100)).toBeNull();
  });

  it('somaxconn silently caps the backlog; ss shows Recv-Q = accept queue, Send-Q = backlog', () => {
    const l = listen({ backlog: 100, sysctls: { 'net.core.somaxconn': 3 } });
    expect(l.listener.backlog).toBe(3);
    connect(l, 41000, 0);
    const row = ssRows(l.host).find((r) => r.state === 'LISTEN')!;
    expect([row.recvQ, row.sendQ]).toEqual([1, 3]);
  });

  it('a negative backlog means somaxconn (the comparison is unsigned)', () => {
    expect(listen({ backlog: -1 }).listener.backlog).toBe(4096);
    expect(listen({ backlog: -1, sysctls: { 'net.core.somaxconn': 10 } }).listener.backlog).toBe(10);
  });

  it('listen() again only changes the backlog', () => {
    const l = listen({ backlog: 1 });
    expect(l.host.api.listen(l.fd, 7).ok).toBe(true);
    expect(l.listener.backlog).toBe(7);
  });

  it('accept() empties the queue, and a dropped SYN retried later gets in', () => {
    const l = listen({ backlog: 0 });
    connect(l, 41000, 0);
    expect(synFrom(l.h, 41001, 100)).toBeNull();
    const acc = l.host.api.accept(l.fd);
    expect(acc.result!.ok).toBe(true);
    expect(l.listener.acceptQueue.length).toBe(0);
    expect(connect(l, 41001, 1100)).toBe(true);
  });
});

describe('final ACK that finds the accept queue full', () => {
  /** backlog 1: A1 is accepted-queue-ready; then A2 and B start together, A2 completes and fills the queue. */
  function twoPending(sysctls: Record<string, number> = {}) {
    const l = listen({ backlog: 1, sysctls });
    expect(connect(l, 41000, 0)).toBe(true);
    const a2 = synFrom(l.h, 41002, 20)!;
    const b = synFrom(l.h, 41001, 20)!;
    expect(l.host.requests.size).toBe(2);
    ackFrom(l.h, 41002, a2, 30);
    expect(l.listener.acceptQueue.length).toBe(2);
    return { l, b };
  }

  it('tcp_abort_on_overflow = 0: the ACK is dropped, the SYN-ACK is resent, and the handshake completes once accept() makes room', () => {
    const { l, b } = twoPending();
    const { h, host } = l;
    ackFrom(h, 41001, b, 30);
    expect(host.mib.get('ListenOverflows')).toBe(1);
    expect(host.requests.size).toBe(1);
    expect(h.pending()).toEqual([]);
    h.advanceTo(1020);
    const resent = h.discard().filter((p) => p.seg!.dstPort === 41001);
    expect(resent.map((p) => [p.t, p.seg!.flags, p.seg!.seq])).toEqual([[1020, 0x12, b.seq]]);
    ackFrom(h, 41001, b, 1020);
    expect(host.mib.get('ListenOverflows')).toBe(2);
    h.advanceTo(1500);
    expect(host.api.accept(l.fd).result!.ok).toBe(true);
    // The client, believing it is connected, sends its request: that ACK completes the handshake.
    ackFrom(h, 41001, b, 1600, 'P.', 'GET /');
    expect(host.requests.size).toBe(0);
    expect(l.listener.acceptQueue.map((c) => c.remotePort)).toEqual([41002, 41001]);
    expect(l.listener.acceptQueue[1].recvQueue.length).toBe(5);
  });

  it('tcp_abort_on_overflow = 1: the ACK is answered with RST and the request dropped', () => {
    const { l, b } = twoPending({ 'net.ipv4.tcp_abort_on_overflow': 1 });
    const { h, host } = l;
    h.send(30, { flags: '.', srcPort: 41001, seq: h.pSeq(1), ack: (b.seq + 1) >>> 0 });
    h.expectSegment(30, { flags: 'R', seq: (b.seq + 1) >>> 0, dstPort: 41001 });
    expect(host.requests.size).toBe(0);
    h.expectNothingUntil(5000);
  });
});

describe('SYN queue and tcp_syncookies', () => {
  function fill(sysctls: Record<string, number>) {
    // backlog 2: the SYN queue is full when it holds more than 2, i.e. at 3 requests.
    const l = listen({ backlog: 2, sysctls });
    for (let i = 0; i < 3; i++) expect(synFrom(l.h, 41000 + i, 0)).not.toBeNull();
    expect(l.host.requests.size).toBe(3);
    return l;
  }

  it('tcp_syncookies = 0: a SYN that finds the SYN queue full is dropped (TCPReqQFullDrop)', () => {
    const l = fill({ 'net.ipv4.tcp_syncookies': 0 });
    expect(synFrom(l.h, 41010, 5)).toBeNull();
    expect(l.host.mib.get('TCPReqQFullDrop')).toBe(1);
    expect(l.host.mib.get('ListenDrops')).toBe(1);
  });

  it('tcp_syncookies = 1: it gets a cookie SYN-ACK and no state is kept; "Possible SYN flooding" once', () => {
    const l = fill({});
    expect(synFrom(l.h, 41010, 5)).not.toBeNull();
    expect(synFrom(l.h, 41011, 6)).not.toBeNull();
    expect(l.host.requests.size).toBe(3);
    expect(l.host.mib.get('SyncookiesSent')).toBe(2);
    const notes = l.h.world.trace.events.filter((e) => e.kind === 'note' && e.text.startsWith('Possible SYN flooding'));
    expect(notes).toHaveLength(1);
  });

  it('tcp_syncookies = 2: cookies even for the first SYN, and no flood warning', () => {
    const l = listen({ sysctls: { 'net.ipv4.tcp_syncookies': 2 } });
    expect(synFrom(l.h, 41000, 0)).not.toBeNull();
    expect(l.host.requests.size).toBe(0);
    expect(l.host.mib.get('SyncookiesSent')).toBe(1);
    expect(l.h.world.trace.events.some((e) => e.kind === 'note' && e.text.startsWith('Possible SYN flooding'))).toBe(false);
  });

  it('a cookie SYN-ACK is never retransmitted', () => {
    const l = listen({ sysctls: { 'net.ipv4.tcp_syncookies': 2 } });
    synFrom(l.h, 41000, 0);
    l.h.expectNothingUntil(120_000);
  });

  it('a SYN is dropped while the accept queue is full, cookies or not', () => {
    const l = listen({ backlog: 0, sysctls: { 'net.ipv4.tcp_syncookies': 2 } });
    const a = synFrom(l.h, 41000, 0)!;
    ackFrom(l.h, 41000, a, 10);
    expect(l.listener.acceptQueue.length).toBe(1);
    expect(synFrom(l.h, 41001, 20)).toBeNull();
    expect(l.host.mib.get('ListenOverflows')).toBe(1);
  });
});

describe('completing a cookie handshake', () => {
  const cookieListener = () => listen({ sysctls: { 'net.ipv4.tcp_syncookies': 2 } });

  it('a bare ACK with a valid cookie creates an ESTABLISHED connection (SyncookiesRecv)', () => {
    const l = cookieListener();
    const sa = synFrom(l.h, 41000, 0)!;
    ackFrom(l.h, 41000, sa, 10);
    const c = l.listener.acceptQueue[0];
    expect(c.state).toBe('ESTABLISHED');
    expect(c.iss).toBe(sa.seq);
    expect(l.host.mib.get('SyncookiesRecv')).toBe(1);
    l.h.expectNothingUntil(10);
  });

  it('ACK|PSH with data completes it and the data is delivered', () => {
    const l = cookieListener();
    const sa = synFrom(l.h, 41000, 0)!;
    ackFrom(l.h, 41000, sa, 10, 'P.', 'hello');
    const c = l.listener.acceptQueue[0];
    expect(c.state).toBe('ESTABLISHED');
    expect(c.recvQueue.length).toBe(5);
  });

  it('ACK|FIN completes it and the connection goes straight to CLOSE_WAIT', () => {
    const l = cookieListener();
    const sa = synFrom(l.h, 41000, 0)!;
    ackFrom(l.h, 41000, sa, 10, 'F.');
    expect(l.listener.acceptQueue[0].state).toBe('CLOSE_WAIT');
  });

  it('a valid cookie ACK that finds the accept queue full is dropped silently (no RST, ListenOverflows)', () => {
    const l = listen({ backlog: 0, sysctls: { 'net.ipv4.tcp_syncookies': 2 } });
    const a = synFrom(l.h, 41000, 0)!;
    const b = synFrom(l.h, 41001, 0)!;
    ackFrom(l.h, 41000, a, 10);
    ackFrom(l.h, 41001, b, 10);
    expect(l.listener.acceptQueue.map((c) => c.remotePort)).toEqual([41000]);
    expect(l.host.mib.get('ListenOverflows')).toBe(1);
    l.h.expectNothingUntil(10);
    // Once accept() makes room, the client's next segment (its request) completes the cookie handshake.
    l.host.api.accept(l.fd);
    ackFrom(l.h, 41001, b, 500, 'P.', 'GET /');
    expect(l.listener.acceptQueue.map((c) => c.remotePort)).toEqual([41001]);
  });

  it('a forged cookie is rejected: SyncookiesFailed and RST <SEQ=SEG.ACK>', () => {
    const l = cookieListener();
    const sa = synFrom(l.h, 41000, 0)!;
    l.h.send(10, { flags: '.', srcPort: 41000, seq: l.h.pSeq(1), ack: (sa.seq + 2) >>> 0 });
    l.h.expectSegment(10, { flags: 'R', seq: (sa.seq + 2) >>> 0 });
    expect(l.host.mib.get('SyncookiesFailed')).toBe(1);
    expect(l.listener.acceptQueue).toHaveLength(0);
  });

  it('a cookie ACK whose SEQ − 1 is not the client ISN of the SYN is rejected too', () => {
    // (Off by a few, the 24-bit hash part only shifts the MSS index — Linux accepts that too.)
    const l = cookieListener();
    const sa = synFrom(l.h, 41000, 0)!;
    l.h.send(10, { flags: '.', srcPort: 41000, seq: l.h.pSeq(1001), ack: (sa.seq + 1) >>> 0 });
    expect(l.host.mib.get('SyncookiesFailed')).toBe(1);
    expect(l.listener.acceptQueue).toHaveLength(0);
  });

  it('a cookie is good 59 s later but not 125 s later (two minute-counter ticks)', () => {
    const l = cookieListener();
    const old = synFrom(l.h, 41000, 0)!;
    const fresh = synFrom(l.h, 41001, 0)!;
    ackFrom(l.h, 41001, fresh, 59_000);
    expect(l.listener.acceptQueue).toHaveLength(1);
    // Another cookie at 100 s keeps the listener checking cookie ACKs (TCP_SYNCOOKIE_VALID).
    synFrom(l.h, 41002, 100_000);
    l.h.send(125_000, { flags: '.', srcPort: 41000, seq: l.h.pSeq(1), ack: (old.seq + 1) >>> 0 });
    l.h.expectSegment(125_000, { flags: 'R', seq: (old.seq + 1) >>> 0 });
    expect(l.host.mib.get('SyncookiesFailed')).toBe(1);
    expect(l.listener.acceptQueue).toHaveLength(1);
  });

  it('a listener that sent no cookie for 2 minutes answers a cookie-looking ACK with RST, without checking it', () => {
    const l = cookieListener();
    const sa = synFrom(l.h, 41000, 0)!;
    l.h.send(120_000, { flags: '.', srcPort: 41000, seq: l.h.pSeq(1), ack: (sa.seq + 1) >>> 0 });
    l.h.expectSegment(120_000, { flags: 'R' });
    expect(l.host.mib.get('SyncookiesFailed')).toBe(0);
  });

  it('without timestamps the cookie SYN-ACK carries only the MSS: window scaling and SACK are lost', () => {
    const l = cookieListener();
    const opts: TcpOption[] = [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }];
    const sa = synFrom(l.h, 41000, 0, opts)!;
    expect(sa.options).toEqual([{ kind: 'mss', value: 1460 }]);
    ackFrom(l.h, 41000, sa, 10);
    const c = l.listener.acceptQueue[0];
    expect([c.wscaleOk, c.sackOk, c.tsOk]).toEqual([false, false, false]);
  });

  it('with timestamps, wscale and SACK ride in the TSval and survive', () => {
    const l = cookieListener();
    const sa = synFrom(l.h, 41000, 0, linuxSynOptions(5000, 0, 6))!;
    const ts = sa.options.find((o) => o.kind === 'ts') as { kind: 'ts'; val: number; ecr: number };
    expect(ts.ecr).toBe(5000);
    // tcp_timestamps=1: the wire TSval is the option-carrying clock value plus the 4-tuple's offset.
    const offset = tsOffsetFor(l.h.host, l.h.hostAddr, l.h.peerAddr);
    expect(offset & 0x3f).not.toBe(0); // else this test could not tell the two apart
    expect(((ts.val - offset) >>> 0) & 0x3f).toBe(6 | 0x10);
    ackFrom(l.h, 41000, sa, 10, '.', undefined, [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 5010, ecr: ts.val }]);
    const c = l.listener.acceptQueue[0];
    expect([c.wscaleOk, c.sndWscale, c.sackOk, c.tsOk]).toEqual([true, 6, true, true]);
  });

  it('with tcp_timestamps=2 (no offset) the option bits show in the TSval on the wire (KERNEL.md finding 26)', () => {
    const l = listen({ sysctls: { 'net.ipv4.tcp_syncookies': 2, 'net.ipv4.tcp_timestamps': 2 } });
    const sa = synFrom(l.h, 41000, 0, linuxSynOptions(5000, 0, 3))!;
    const ts = sa.options.find((o) => o.kind === 'ts') as { kind: 'ts'; val: number; ecr: number };
    expect(ts.val & 0x3f).toBe(3 | 0x10);
    ackFrom(l.h, 41000, sa, 10, '.', undefined, [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 5010, ecr: ts.val }]);
    const c = l.listener.acceptQueue[0];
    expect([c.wscaleOk, c.sndWscale, c.sackOk, c.tsOk]).toEqual([true, 3, true, true]);
  });

  it.each([[1460, 1460], [1400, 1300], [1300, 1300], [1439, 1300], [1440, 1440], [1000, 536], [9000, 1460]])(
    'the client MSS %i is rounded down to the table: %i',
    (mss, expected) => {
      const l = cookieListener();
      const sa = synFrom(l.h, 41000, 0, [{ kind: 'mss', value: mss }])!;
      ackFrom(l.h, 41000, sa, 10);
      expect(l.listener.acceptQueue[0].mss).toBe(expected);
    },
  );
});

describe('odd SYNs and closing the listener', () => {
  it('a SYN carrying data is answered with ISN+1: Linux ignores payload on a non-TFO SYN', () => {
    const l = listen();
    l.h.send(0, { flags: 'S', options: MSS, payload: 'early data' });
    l.h.expectSegment(0, { flags: 'S.', ack: 1001 });
  });

  it('SYN+FIN at a listener is discarded (tcp_rcv_state_process, LISTEN: "if (th->fin) goto discard")', () => {
    const l = listen();
    l.h.send(0, { flags: 'SF', options: MSS });
    l.h.expectNothingUntil(5000);
    expect(l.host.requests.size).toBe(0);
  });

  it('closing the listener resets connections nobody accepted and drops its request socks silently', () => {
    const l = listen({ backlog: 4 });
    const { h, host } = l;
    const a = synFrom(h, 41000, 0)!;
    ackFrom(h, 41000, a, 10);
    synFrom(h, 41001, 20);
    h.act(`close(${l.fd})`, () => host.api.close(l.fd));
    const out = h.discard();
    expect(out.map((p) => [p.seg!.dstPort, p.seg!.flags])).toEqual([[41000, 0x14]]);
    expect(host.connections.size + host.requests.size + host.listeners.size).toBe(0);
    h.expectNothingUntil(70_000);
  });
});

describe('tcp_max_syn_backlog (only with tcp_syncookies = 0)', () => {
  it('unproven peers are dropped once tcp_max_syn_backlog − qlen < tcp_max_syn_backlog / 4', () => {
    const l = listen({ backlog: 100, sysctls: { 'net.ipv4.tcp_syncookies': 0, 'net.ipv4.tcp_max_syn_backlog': 8 } });
    for (let i = 0; i < 7; i++) expect(synFrom(l.h, 41000 + i, i)).not.toBeNull();
    expect(synFrom(l.h, 41007, 10)).toBeNull();
    expect(l.host.requests.size).toBe(7);
    expect(l.host.mib.get('ListenDrops')).toBe(1);
    expect(l.host.mib.get('TCPReqQFullDrop')).toBe(0);
  });

  it('with cookies on, tcp_max_syn_backlog is not consulted', () => {
    const l = listen({ backlog: 100, sysctls: { 'net.ipv4.tcp_max_syn_backlog': 8 } });
    for (let i = 0; i < 20; i++) expect(synFrom(l.h, 41000 + i, i)).not.toBeNull();
    expect(l.host.requests.size).toBe(20);
  });
});
