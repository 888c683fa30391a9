/**
 * The test kit's placed fixtures behave like the states they claim to be — the labs' hidden tests
 * depend on that — and they run none of the code that normally leads to the state.
 */
import { describe, expect, it } from 'vitest';
import { placeChild, placeConnection, placeListener, placeRequest } from '../../testing/index.ts';
import { notImplemented } from '../../core/tcp/not-implemented.ts';

const causes = (f: ReturnType<typeof placeConnection>) =>
  f.h.world.trace.events.filter((e) => e.kind === 'state').map((e) => (e.kind === 'state' ? e.cause : ''));

describe('placed fixtures', () => {
  it('ESTABLISHED: numbers as documented, data both ways, RTO 210 ms', () => {
    const f = placeConnection('ESTABLISHED');
    const { h, host, fd, conn } = f;
    expect([conn!.iss, conn!.irs, conn!.sndNxt, conn!.rcvNxt, conn!.rto, fd]).toEqual([5000, 1000, 5001, 1001, 210, 3]);
    h.send(10, { flags: 'P.', seq: 1001, ack: 5001, payload: 'ping' });
    h.expectSegment(10, { flags: '.', seq: 5001, ack: 1005 });
    expect(host.api.write(fd, 'pong').ok).toBe(true);
    h.expectSegment(10, { flags: 'P.', seq: 5001, ack: 1005, payload: 'pong' });
    h.expectNothingUntil(219);
    h.expectSegment(220, { flags: 'P.', seq: 5001, payload: 'pong' });
    expect(causes(f)).toEqual(['placed by the test kit']);
  });

  it('ESTABLISHED, peer FIN: CLOSE_WAIT, and the ACK at once (a placed connection has received no data)', () => {
    const f = placeConnection('ESTABLISHED', { role: 'server', hostIss: 0xfffffff0, peerIss: 0xffffffff });
    const { h } = f;
    expect([h.hostPort, h.peerPort]).toEqual([80, 40000]);
    h.send(5, { flags: 'F.', seq: 0, ack: 0xfffffff1 });
    expect(f.conn!.state).toBe('CLOSE_WAIT');
    h.expectSegment(5, { flags: '.', seq: 0xfffffff1, ack: 1 });
  });

  it('ESTABLISHED, data across the sequence wrap, then the peer FIN: the delayed ACK 40 ms later', () => {
    const f = placeConnection('ESTABLISHED', { role: 'server', hostIss: 0xfffffff0, peerIss: 0xfffffffd });
    const { h } = f;
    h.send(5, { flags: 'P.', seq: 0xfffffffe, ack: 0xfffffff1, payload: 'abcd' });
    h.expectSegment(5, { flags: '.', seq: 0xfffffff1, ack: 2 });
    h.send(10, { flags: 'F.', seq: 2, ack: 0xfffffff1 });
    expect(f.conn!.state).toBe('CLOSE_WAIT');
    h.expectNothingUntil(49);
    h.expectSegment(50, { flags: '.', seq: 0xfffffff1, ack: 3 });
  });

  it('SYN_SENT: no SYN is sent by placing it; the first retransmission comes at 1 s; a SYN-ACK establishes it', () => {
    const f = placeConnection('SYN_SENT');
    const { h } = f;
    h.expectNothingUntil(999);
    h.expectSegment(1000, { flags: 'S', seq: 5000 });
    h.send(1010, { flags: 'S.', seq: 1000, ack: 5001, options: [{ kind: 'mss', value: 1460 }] });
    h.expectSegment(1010, { flags: '.', seq: 5001, ack: 1001 });
    expect(f.conn!.state).toBe('ESTABLISHED');
  });

  it('FIN_WAIT_1 (orphaned): the FIN is outstanding and retransmitted; its ACK leads to FIN_WAIT_2 with the 60 s timer', () => {
    const f = placeConnection('FIN_WAIT_1');
    const { h } = f;
    expect(f.fd).toBe(-1);
    h.expectSegment(210, { flags: 'F.', seq: 5001, ack: 1001 });
    h.send(300, { flags: '.', seq: 1001, ack: 5002 });
    expect(f.conn!.state).toBe('FIN_WAIT_2');
    h.advanceTo(60_299);
    expect(f.conn!.closed).toBe(false);
    h.advanceTo(60_300);
    expect(f.conn!.closed).toBe(true);
  });

  it('FIN_WAIT_2: orphaned ⇒ freed at 60 s; not orphaned ⇒ no timer and a descriptor', () => {
    const orphan = placeConnection('FIN_WAIT_2');
    orphan.h.advanceTo(60_000);
    expect(orphan.conn!.closed).toBe(true);
    const half = placeConnection('FIN_WAIT_2', { orphan: false });
    expect(half.fd).toBe(3);
    half.h.advanceTo(600_000);
    expect(half.conn!.state).toBe('FIN_WAIT_2');
    half.h.send(600_000, { flags: 'P.', seq: 1001, ack: 5002, payload: 'data' });
    const r = half.host.api.read(half.fd);
    expect(r.result!.ok && r.result!.value.length).toBe(4);
  });

  it('CLOSE_WAIT: close() sends the FIN acknowledging the peer FIN; the ACK of it ends LAST_ACK', () => {
    const f = placeConnection('CLOSE_WAIT');
    const { h, host, fd } = f;
    expect(host.api.read(fd).result).toEqual({ ok: true, value: new Uint8Array(0) });
    host.api.close(fd);
    h.expectSegment(0, { flags: 'F.', seq: 5001, ack: 1002 });
    h.send(10, { flags: '.', seq: 1002, ack: 5002 });
    expect(f.conn!.closed).toBe(true);
  });

  it('CLOSING: the ACK of our FIN leads to TIME_WAIT; LAST_ACK: to CLOSED', () => {
    const c = placeConnection('CLOSING');
    c.h.send(10, { flags: '.', seq: 1002, ack: 5002 });
    expect(c.conn!.state).toBe('TIME_WAIT');
    const l = placeConnection('LAST_ACK');
    l.h.send(10, { flags: '.', seq: 1002, ack: 5002 });
    expect(l.conn!.closed).toBe(true);
  });

  it('TIME_WAIT: counted, 60 s, ACKs a retransmitted FIN', () => {
    const f = placeConnection('TIME_WAIT');
    expect(f.host.timeWaitCount).toBe(1);
    f.h.send(100, { flags: 'F.', seq: 1001, ack: 5002 });
    f.h.expectSegment(100, { flags: '.', seq: 5002, ack: 1002 });
    f.h.advanceTo(60_099);
    expect(f.conn!.state).toBe('TIME_WAIT');
    f.h.advanceTo(60_100);
    expect(f.conn!.closed).toBe(true);
  });

  it('keepalive given as a socket option is armed', () => {
    const f = placeConnection('ESTABLISHED', { sockopts: { keepalive: true, keepIdle: 5 } });
    f.h.expectSegment(5000, { flags: '.', seq: 5000, ack: 1001 });
  });

  it('placeListener: the backlog is used as given, and the listener answers SYNs and accept()', () => {
    const l = placeListener({ backlog: 0 });
    const { h, host, fd } = l;
    h.send(0, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
    const sa = h.expectSegment(0, { flags: 'S.', ack: 1001 });
    h.send(10, { flags: '.', seq: 1001, ack: (sa.seq + 1) >>> 0 });
    expect(l.listener.acceptQueue).toHaveLength(1);
    h.send(20, { flags: 'S', srcPort: 40001, options: [{ kind: 'mss', value: 1460 }] });
    expect(h.pending()).toEqual([]);
    const acc = host.api.accept(fd);
    expect(acc.result!.ok).toBe(true);
  });
});

describe('placed queue entries (for the queues lab)', () => {
  it('placeRequest: the final ACK from that port completes the handshake into the accept queue', () => {
    const l = placeListener({ backlog: 2 });
    const req = placeRequest(l, 41000, { hostIss: 7000 });
    expect(l.listener.synQueue.size).toBe(1);
    l.h.send(10, { flags: '.', srcPort: 41000, seq: 1001, ack: 7001 });
    expect(l.listener.synQueue.size).toBe(0);
    expect(l.listener.acceptQueue.map((c) => [c.remotePort, c.iss, c.state])).toEqual([[41000, req.iss, 'ESTABLISHED']]);
  });

  it('placeChild fills the accept queue: backlog + 1 children make it full, and accept() returns them in order', () => {
    const l = placeListener({ backlog: 1 });
    placeChild(l, 41000);
    placeChild(l, 41001);
    const req = placeRequest(l, 41002);
    l.h.send(10, { flags: '.', srcPort: 41002, seq: 1001, ack: (req.iss + 1) >>> 0 });
    // The accept queue is full (2 > 1): the final ACK is dropped, the request stays (tcp_abort_on_overflow = 0).
    expect(l.listener.acceptQueue).toHaveLength(2);
    expect(l.host.requests.size).toBe(1);
    const a = l.host.api.accept(l.fd);
    expect(a.result!.ok && l.host.api.connectionOf(a.result!.value)!.remotePort).toBe(41000);
  });
});

describe('harness checks', () => {
  it('expectState passes on the right state and fails with a sentence on a wrong one', () => {
    const f = placeConnection('TIME_WAIT');
    f.h.expectState(f.conn!, 'TIME_WAIT');
    expect(() => f.h.expectState(f.conn!, 'CLOSED')).toThrow(/expected the connection to be in CLOSED, but it is in TIME_WAIT/);
  });

  it('an exception inside the host fails the step that caused it, naming it', () => {
    const f = placeConnection('ESTABLISHED');
    f.host.at(5, () => notImplemented('teardown/3: How long TIME_WAIT lasts'), 'a lab region');
    expect(() => f.h.advanceTo(10)).toThrow(/the stack stopped in unfinished code \(not implemented yet: teardown\/3: How long TIME_WAIT lasts\) during a lab region at 5 ms/);
    const g = placeConnection('ESTABLISHED');
    g.host.at(5, () => {
      throw new TypeError('x is undefined');
    }, 'a timer');
    expect(() => g.h.advanceTo(10)).toThrow(/the stack threw "x is undefined" during a timer at 5 ms/);
  });

  it('the clock only moves forward', () => {
    const f = placeConnection('ESTABLISHED');
    f.h.advanceTo(100);
    expect(() => f.h.advanceTo(50)).toThrow(/the clock is already at 100 ms/);
  });
});

