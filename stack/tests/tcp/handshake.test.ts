/**
 * The three-way handshake against a scripted peer: SYN and SYN-ACK contents, Linux's SYN and
 * SYN-ACK retransmission timelines to the millisecond, SYN_SENT's answers to bad ACKs and RSTs,
 * simultaneous open, ISNs (RFC 6528) and when connect()/accept() return.
 */
import { describe, expect, it } from 'vitest';
import { PeerHarness, established, linuxSynOptions, listen, synReceived, synSent } from '../../testing/index.ts';
import { chooseIss } from '../../core/tcp/handshake.ts';
import { tcpInfo } from '../../core/observe/ss.ts';
import { World } from '../../core/world.ts';
import type { TcpOption } from '../../core/wire/segment.ts';

const tsOf = (o: TcpOption[]) => o.find((x) => x.kind === 'ts') as { kind: 'ts'; val: number; ecr: number } | undefined;

describe('SYN and SYN-ACK contents', () => {
  it('the SYN carries Linux options <mss 1460,sackOK,TS val X ecr 0,nop,wscale 7> and window 64240', () => {
    const f = synSent();
    const syn = f.h.wire.find((w) => w.dir === 'host→peer')!.seg!;
    expect(syn.flags).toBe(0x02);
    expect(syn.seq).toBe(f.conn!.iss);
    expect(syn.ack).toBe(0);
    expect(syn.window).toBe(64240);
    expect(syn.options.map((o) => o.kind)).toEqual(['mss', 'sackOK', 'ts', 'nop', 'wscale']);
    expect(syn.options[0]).toEqual({ kind: 'mss', value: 1460 });
    expect(tsOf(syn.options)!.ecr).toBe(0);
    expect(syn.options[4]).toEqual({ kind: 'wscale', shift: 7 });
  });

  it('without timestamps the SYN uses the nop,nop,sackOK layout', () => {
    const f = synSent({ sysctls: { 'net.ipv4.tcp_timestamps': 0 } });
    const syn = f.h.wire.find((w) => w.dir === 'host→peer')!.seg!;
    expect(syn.options).toEqual([{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }]);
  });

  it('the SYN-ACK acknowledges ISN+1, echoes the peer TSval and offers 65160 with timestamps', () => {
    const l = listen();
    const { h } = l;
    h.send(0, { flags: 'S', options: linuxSynOptions(777) });
    const synack = h.expectSegment(0, { flags: 'S.', ack: 1001, window: 65160 });
    expect(synack.options.map((o) => o.kind)).toEqual(['mss', 'sackOK', 'ts', 'nop', 'wscale']);
    expect(tsOf(synack.options)!.ecr).toBe(777);
  });

  it('the SYN-ACK answers only the options the SYN offered (MSS only ⇒ <mss 1460>, window 64240)', () => {
    const f = synReceived();
    expect(f.req!.tsOk).toBe(false);
    expect(f.req!.wscaleOk).toBe(false);
    const synack = f.h.wire.find((w) => w.dir === 'host→peer')!.seg!;
    expect(synack.options).toEqual([{ kind: 'mss', value: 1460 }]);
    expect(synack.window).toBe(64240);
  });

  it('negotiated options: both sides offered TS, SACK and wscale ⇒ all on, MSS 1448', () => {
    const f = established({ peerOptions: linuxSynOptions(100, 0, 9) });
    const c = f.conn!;
    expect([c.tsOk, c.sackOk, c.wscaleOk, c.sndWscale, c.rcvWscale, c.mss]).toEqual([true, true, true, 9, 7, 1448]);
    expect(tcpInfo(c).tcpi_options).toBe(7);
  });

  it('a SYN without an MSS option means 536 (RFC 9293 §3.7.1)', () => {
    const f = established({ peerOptions: [] });
    expect(f.conn!.mss).toBe(536);
  });
});

describe('SYN retransmission (active open)', () => {
  const defaults = [0, 1000, 2000, 3000, 4000, 5000, 7000, 11_000, 19_000, 35_000, 67_000];

  it('SYNs at 0,1,2,3,4,5,7,11,19,35,67 s and ETIMEDOUT at exactly 131 s, no RST', () => {
    const f = synSent();
    const { h } = f;
    for (const t of defaults.slice(1)) {
      h.expectNothingUntil(t - 1);
      h.expectSegment(t, { flags: 'S', seq: f.hostIss });
    }
    h.expectNothingUntil(130_999);
    expect(f.openCall!.done).toBe(false);
    h.expectNothingUntil(131_000);
    expect(f.openCall!.result).toEqual({ ok: false, errno: 'ETIMEDOUT' });
    expect(f.openCall!.doneAt).toBe(131_000);
    expect(f.conn!.closed).toBe(true);
    expect(f.host.mib.get('TcpAttemptFails')).toBe(1);
    expect(f.host.mib.get('TCPSynRetrans')).toBe(10);
  });

  it('with tcp_syn_linear_timeouts=0: SYNs at 0,1,3,7,15,31,63 s and ETIMEDOUT at 127 s', () => {
    const f = synSent({ sysctls: { 'net.ipv4.tcp_syn_linear_timeouts': 0 } });
    const { h } = f;
    for (const t of [1000, 3000, 7000, 15_000, 31_000, 63_000]) {
      h.expectNothingUntil(t - 1);
      h.expectSegment(t, { flags: 'S' });
    }
    h.expectNothingUntil(126_999);
    expect(f.openCall!.done).toBe(false);
    h.advanceTo(127_000);
    expect(f.openCall!.result).toEqual({ ok: false, errno: 'ETIMEDOUT' });
    expect(f.openCall!.doneAt).toBe(127_000);
  });

  it('TCP_SYNCNT=2: the model time of 2 retries (7 s) ends connect() after the SYN at 5 s', () => {
    const f = synSent({ beforeOpen: (host, fd) => expect(host.api.setsockopt(fd, 'TCP_SYNCNT', 2).ok).toBe(true) });
    const { h } = f;
    for (const t of [1000, 2000, 3000, 4000, 5000]) h.expectSegment(t, { flags: 'S' });
    h.expectNothingUntil(6999);
    expect(f.openCall!.done).toBe(false);
    h.expectNothingUntil(7000);
    expect(f.openCall!.result).toEqual({ ok: false, errno: 'ETIMEDOUT' });
  });

  it('TCP_USER_TIMEOUT bounds SYN_SENT too (v6.18 tcp_write_timeout)', () => {
    const f = synSent({ beforeOpen: (host, fd) => expect(host.api.setsockopt(fd, 'TCP_USER_TIMEOUT', 2500).ok).toBe(true) });
    const { h } = f;
    h.expectSegment(1000, { flags: 'S' });
    h.expectSegment(2000, { flags: 'S' });
    h.expectNothingUntil(2499);
    expect(f.openCall!.done).toBe(false);
    h.expectNothingUntil(3000);
    expect(f.openCall!.result).toEqual({ ok: false, errno: 'ETIMEDOUT' });
    expect(f.openCall!.doneAt).toBe(2500);
  });

  it('after a retransmitted SYN there is no RTT sample: data starts with RTO 3 s (RFC 6298 §5.7)', () => {
    const f = synSent();
    const { h, host, fd } = f;
    h.expectSegment(1000, { flags: 'S' });
    h.send(1010, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
    h.expectSegment(1010, { flags: '.', rseq: 1, rack: 1 });
    expect(f.conn!.rto).toBe(3000);
    h.act('write 100 bytes', () => host.api.write(fd, new Uint8Array(100)));
    h.expectSegment(1010, { flags: 'P.', rseq: 1, len: 100 });
    h.expectNothingUntil(4009);
    h.expectSegment(4010, { flags: 'P.', rseq: 1, len: 100 });
  });
});

describe('SYN-ACK retransmission (passive open)', () => {
  it('SYN-ACKs at 0,1,3,7,15,31 s and the request is dropped at exactly 63 s', () => {
    const f = synReceived();
    const { h, host } = f;
    for (const t of [1000, 3000, 7000, 15_000, 31_000]) {
      h.expectNothingUntil(t - 1);
      h.expectSegment(t, { flags: 'S.', seq: f.hostIss, rack: 1 });
    }
    h.expectNothingUntil(62_999);
    expect(host.requests.size).toBe(1);
    h.expectNothingUntil(63_000);
    expect(host.requests.size).toBe(0);
    h.expectNothingUntil(200_000);
  });

  it('TCP_SYNCNT on the listener sets the SYN-ACK retries', () => {
    const l = listen({ beforeOpen: (host, fd) => host.api.setsockopt(fd, 'TCP_SYNCNT', 2) });
    const { h, host } = l;
    h.send(0, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
    h.expectSegment(0, { flags: 'S.' });
    h.expectSegment(1000, { flags: 'S.' });
    h.expectSegment(3000, { flags: 'S.' });
    h.expectNothingUntil(6999);
    expect(host.requests.size).toBe(1);
    h.advanceTo(7000);
    expect(host.requests.size).toBe(0);
  });

  it('a retransmitted SYN makes the request sock resend its SYN-ACK at once, same ISS, and restarts its timer from then', () => {
    const f = synReceived();
    const { h, host } = f;
    h.send(400, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
    h.expectSegment(400, { flags: 'S.', seq: f.hostIss, rack: 1 });
    // Linux 6.18 (tcp_check_req → mod_timer_pending): the timer restarts with the current
    // backoff, so the timed SYN-ACK due at 1000 ms moves to 400 + 1000 ms.
    h.expectNothingUntil(1399);
    h.expectSegment(1400, { flags: 'S.', seq: f.hostIss });
    expect(host.mib.get('TCPACKSkippedSynRecv')).toBe(0);
  });

  it('copies of the SYN within tcp_invalid_ratelimit (500 ms) of an answered one are not answered (tcp_oow_rate_limited)', () => {
    const f = synReceived();
    const { h, host } = f;
    h.send(200, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
    h.expectSegment(200, { flags: 'S.', seq: f.hostIss });
    h.send(400, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
    h.send(699, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
    expect(host.mib.get('TCPACKSkippedSynRecv')).toBe(2);
    h.send(700, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
    h.expectSegment(700, { flags: 'S.', seq: f.hostIss }, 'answered again 500 ms after the last answer');
    h.expectNothingUntil(1699, 'the unanswered copies did not move the timer; the answered one at 700 ms did');
    h.expectSegment(1700, { flags: 'S.', seq: f.hostIss });
  });

  it('a retransmitted ECN-setup SYN (SYN|ECE|CWR) also gets the SYN-ACK again: only SYN, ACK and RST are compared', () => {
    const l = listen();
    const { h } = l;
    h.send(0, { flags: 'SEW', options: [{ kind: 'mss', value: 1460 }] });
    const first = h.expectSegment(0, { flags: 'S.', ack: 1001 });
    h.send(300, { flags: 'SEW', options: [{ kind: 'mss', value: 1460 }] });
    h.expectSegment(300, { flags: 'S.', seq: first.seq, ack: 1001 });
  });

  it('SYN-ACK pruning: while 2·qlen > max(8, backlog) and no request is young, old ones get only 2 retries', () => {
    // backlog 8: nine requests fit (the SYN queue is full only when qlen > 8). At 7 s all are old,
    // so each timer that fires while qlen ≥ 5 drops its request; once qlen = 4 (2·4 = 8, not > 8)
    // the survivors are back to tcp_synack_retries = 5.
    const l = listen({ backlog: 8 });
    const { h, host } = l;
    for (let i = 0; i < 9; i++) h.send(0, { flags: 'S', srcPort: 41000 + i, options: [{ kind: 'mss', value: 1460 }] });
    const synAcksAt = (t: number) => {
      h.advanceTo(t);
      return h.discard().filter((p) => p.t === t && p.seg!.flags === 0x12).map((p) => p.seg!.dstPort);
    };
    expect(synAcksAt(0)).toHaveLength(9);
    expect(synAcksAt(1000)).toHaveLength(9);
    expect(synAcksAt(3000)).toHaveLength(9);
    h.advanceTo(6999);
    expect(host.requests.size).toBe(9);
    expect(synAcksAt(7000)).toEqual([41005, 41006, 41007, 41008]);
    expect(host.requests.size).toBe(4);
    expect(synAcksAt(15_000)).toHaveLength(4);
    expect(synAcksAt(31_000)).toHaveLength(4);
    h.advanceTo(62_999);
    expect(host.requests.size).toBe(4);
    h.advanceTo(63_000);
    expect(host.requests.size).toBe(0);
  });

  it('without pruning (a single request) the same timeline reaches 5 retries', () => {
    const f = synReceived({ backlog: 16 });
    f.h.advanceTo(31_000);
    expect(f.h.discard().filter((p) => p.seg!.flags === 0x12).map((p) => p.t)).toEqual([1000, 3000, 7000, 15_000, 31_000]);
  });
});

describe('SYN_SENT: bad ACKs and RSTs (RFC 9293 §3.10.7.3)', () => {
  it('an ACK that does not acknowledge our SYN draws <SEQ=SEG.ACK><CTL=RST>, and the SYN is retried 2 ms later', () => {
    const f = synSent();
    const { h } = f;
    h.send(300, { flags: '.', seq: 5555, ack: h.hSeq(77) });
    h.expectSegment(300, { flags: 'R', seq: h.hSeq(77) });
    h.expectNothingUntil(301);
    h.expectSegment(302, { flags: 'S', seq: f.hostIss });
    expect(f.conn!.state).toBe('SYN_SENT');
    h.expectNothingUntil(1301);
    h.expectSegment(1302, { flags: 'S' });
  });

  it('an ACK of exactly ISS (SEG.ACK ≤ ISS) is unacceptable too', () => {
    const f = synSent();
    f.h.send(100, { flags: '.', seq: 1, ack: f.hostIss });
    f.h.expectSegment(100, { flags: 'R', seq: f.hostIss });
  });

  it('no quick retry once the SYN has already been retransmitted', () => {
    const f = synSent();
    const { h } = f;
    h.expectSegment(1000, { flags: 'S' });
    h.send(1500, { flags: '.', seq: 1, ack: h.hSeq(50) });
    h.expectSegment(1500, { flags: 'R' });
    h.expectNothingUntil(1999);
    h.expectSegment(2000, { flags: 'S' });
  });

  it('RST|ACK acknowledging our SYN ⇒ ECONNREFUSED, and nothing is sent back', () => {
    const f = synSent();
    const { h } = f;
    h.send(10, { flags: 'R.', seq: 0, ack: h.hSeq(1) });
    expect(f.conn!.closed).toBe(true);
    h.advanceTo(10);
    expect(f.openCall!.result).toEqual({ ok: false, errno: 'ECONNREFUSED' });
    h.expectNothingUntil(5000);
  });

  it('a RST without ACK, or with an unacceptable ACK, is ignored in SYN_SENT', () => {
    const f = synSent();
    const { h } = f;
    h.send(10, { flags: 'R', seq: 0, ack: 0 });
    h.send(20, { flags: 'R.', seq: 0, ack: h.hSeq(9) });
    expect(f.conn!.state).toBe('SYN_SENT');
    h.expectNothingUntil(999);
    h.expectSegment(1000, { flags: 'S' });
  });

  it('connecting to a CLOSED port of a real host ⇒ RST|ACK ⇒ ECONNREFUSED (scenario connect-refused shape)', () => {
    const w = new World({ seed: 3 });
    const a = w.addHost('a', '10.0.0.1');
    const b = w.addHost('b', '10.0.0.2');
    const fd = a.api.socket();
    const call = a.api.connect(fd.ok ? fd.value : -1, b.addr, 81);
    w.runUntil(100);
    expect(call.result).toEqual({ ok: false, errno: 'ECONNREFUSED' });
    expect(call.doneAt).toBe(10);
    const rst = w.trace.events.find((e) => e.kind === 'segment' && e.from === 'b');
    expect(rst && rst.kind === 'segment' && rst.flags).toBe('R.');
  });
});

describe('simultaneous open (RFC 9293 Figure 7)', () => {
  it('a SYN in SYN_SENT ⇒ SYN_RECV and a SYN-ACK from the same ISS; the SYN-ACK then ⇒ ESTABLISHED', () => {
    const f = synReceived({ role: 'client' });
    const { h } = f;
    expect(f.conn!.state).toBe('SYN_RECV');
    h.send(h.now + 10, { flags: 'S.', seq: h.pSeq(0), ack: h.hSeq(1) });
    expect(f.conn!.state).toBe('ESTABLISHED');
    h.advanceTo(h.now);
    expect(f.openCall!.result).toEqual({ ok: true, value: 0 });
  });

  it('both real hosts end ESTABLISHED with one connection each (scenario simultaneous-open)', () => {
    const w = new World({ seed: 1 });
    const a = w.addHost('a', '10.0.0.1');
    const b = w.addHost('b', '10.0.0.2');
    const res: string[] = [];
    for (const [x, y, lp, rp] of [[a, b, 40000, 50000], [b, a, 50000, 40000]] as const) {
      const fd = x.api.socket();
      const s = fd.ok ? fd.value : -1;
      x.api.bind(s, 0, lp);
      x.api.connect(s, y.addr, rp).then((r) => res.push(r.ok ? 'ok' : r.errno));
    }
    w.runUntil(100);
    expect(res).toEqual(['ok', 'ok']);
    expect([...a.connections.values()].map((c) => c.state)).toEqual(['ESTABLISHED']);
    expect([...b.connections.values()].map((c) => c.state)).toEqual(['ESTABLISHED']);
  });
});

describe('ISN (RFC 6528 via RFC 9293 §3.4.1)', () => {
  it('the same 4-tuple later gets a larger ISN, by exactly the 64 ns clock (15625 ticks per ms)', () => {
    const w = new World({ seed: 9 });
    const host = w.addHost('h', '10.0.0.2');
    const a = chooseIss(host, host.addr, 40000, 0x0a000001, 80);
    w.runUntil(1000);
    const b = chooseIss(host, host.addr, 40000, 0x0a000001, 80);
    w.runUntil(1000.5);
    const c = chooseIss(host, host.addr, 40000, 0x0a000001, 80);
    expect((b - a) >>> 0).toBe(15_625_000);
    expect((c - b) >>> 0).toBe(7812);
  });

  it('a reconnect from the same port 5 s later: its SYN starts 5000 × 15625 ticks further on', () => {
    const f = synSent({ beforeOpen: (host, fd) => host.api.bind(fd, 0, 45000) });
    const { h, host } = f;
    h.act(`close(${f.fd})`, () => host.api.close(f.fd));
    h.advanceTo(5000);
    h.discard();
    const fd2 = host.api.socket();
    const fd = fd2.ok ? fd2.value : -1;
    host.api.bind(fd, 0, 45000);
    h.act('connect() again from port 45000', () => host.api.connect(fd, h.peerAddr, 80));
    const syn = h.expectSegment(5000, { flags: 'S' });
    expect((syn.seq - f.hostIss) >>> 0).toBe((5000 * 15625) >>> 0);
  });

  it('different 4-tuples at the same moment get unrelated ISNs', () => {
    const w = new World({ seed: 9 });
    const host = w.addHost('h', '10.0.0.2');
    const isns = [40000, 40001, 40002].map((p) => chooseIss(host, host.addr, p, 0x0a000001, 80));
    for (let i = 1; i < isns.length; i++) {
      const d = Math.abs((isns[i] - isns[0]) | 0);
      expect(d).toBeGreaterThan(1 << 20);
    }
  });

  it('hosts with different seeds (boot secrets) choose different ISNs for the same tuple', () => {
    const a = synSent({ seed: 1 }).hostIss;
    const b = synSent({ seed: 2 }).hostIss;
    expect(a).not.toBe(b);
  });
});

describe('when connect() and accept() return (tcp-facts myth h)', () => {
  it('connect() returns when the SYN-ACK arrives (10 ms), accept() when the final ACK does (15 ms)', () => {
    const w = new World({ seed: 1 });
    const client = w.addHost('client', '10.0.0.1');
    const server = w.addHost('server', '10.0.0.2');
    const l = server.api.socket();
    const lfd = l.ok ? l.value : -1;
    server.api.bind(lfd, 0, 80);
    server.api.listen(lfd, 5);
    const acc = server.api.accept(lfd);
    const c = client.api.socket();
    const conn = client.api.connect(c.ok ? c.value : -1, server.addr, 80);
    w.runUntil(100);
    expect(conn.doneAt).toBe(10);
    expect(acc.doneAt).toBe(15);
    expect(acc.result!.ok).toBe(true);
  });

  it('the client is ESTABLISHED while the server still has only a request sock', () => {
    const f = synSent();
    const { h, host } = f;
    h.send(10, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
    h.advanceTo(10);
    expect(f.openCall!.doneAt).toBe(10);
    expect(host.api.connectionOf(f.fd)!.state).toBe('ESTABLISHED');
  });

  it('the final ACK with data completes the passive handshake and the data is readable', () => {
    const f = synReceived();
    const { h, host } = f;
    const acc = host.api.accept(f.listenFd!);
    h.send(10, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'hello' });
    h.advanceTo(10);
    expect(acc.result!.ok).toBe(true);
    const fd = acc.result!.ok ? acc.result!.value : -1;
    const r = host.api.read(fd);
    expect(r.result!.ok && String.fromCharCode(...r.result!.value)).toBe('hello');
  });

  it('a final ACK that acknowledges the wrong number gets RST <SEQ=SEG.ACK> and no connection', () => {
    const f = synReceived();
    const { h, host } = f;
    h.send(10, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(5) });
    h.expectSegment(10, { flags: 'R', seq: h.hSeq(5) });
    expect(host.connections.size).toBe(0);
    expect(host.requests.size).toBe(1);
  });
});

describe('kit sanity: the peer harness itself', () => {
  it('a wrong expectation fails with steps, expected/actual in packetdrill notation and the seed', () => {
    const f = synReceived({ seed: 42 });
    let msg = '';
    try {
      f.h.expectSegment(1000, { flags: 'S.', ack: 1000 });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('expected a SYN-ACK acknowledging peer ISN+0 = 1000 at 1000 ms, but it acknowledged peer ISN+1 = 1001');
    expect(msg).toContain('***** 7. expect:');
    expect(msg).toContain('actual:   t=1000 ms  S. 0:0(0) ack 1 win 64240 <mss 1460>');
    expect(msg).toContain('seed: 42');
    expect(msg).toMatch(/peer→host {2}S 0:0\(0\) win 64240/);
  });

  it('a segment one millisecond early is reported as early', () => {
    const f = synReceived();
    expect(() => f.h.expectSegment(1001, { flags: 'S.' })).toThrow(/earlier, at 1000 ms/);
  });

  it('expectNothingUntil reports the segment that did arrive', () => {
    const f = synReceived();
    expect(() => f.h.expectNothingUntil(1000)).toThrow(/it sent a SYN-ACK .* at 1000 ms/);
  });

  it('unknown flag letters are an error, not ignored', () => {
    const h = new PeerHarness();
    expect(() => h.seg({ flags: 'SX' })).toThrow(/unknown flag letter "X"/);
  });
});
