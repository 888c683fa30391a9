import { describe, expect, it } from 'vitest';
import type { SegmentEvent, NoteEvent } from '../../core/observe/trace.ts';
import { Trace } from '../../core/observe/trace.ts';
import { Network } from '../../core/sim/network.ts';
import { Random } from '../../core/sim/random.ts';
import { Scheduler } from '../../core/sim/scheduler.ts';
import { decodeSegment, encodeSegment } from '../../core/wire/codec.ts';
import { parseAddr } from '../../core/wire/format.ts';
import { ACK, FIN, PSH, SYN } from '../../core/wire/segment.ts';
import { c2s, CLIENT_ADDR, makeWorld, RecordingHost, s2c, sendSeg, SERVER_ADDR } from './fixtures.ts';

function segmentEvents(trace: Trace): SegmentEvent[] {
  return trace.events.filter((e): e is SegmentEvent => e.kind === 'segment');
}

describe('delivery', () => {
  it('arrives at exactly now + delay, default 5 ms', () => {
    const w = makeWorld();
    w.scheduler.runUntil(3);
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    w.scheduler.runUntil(7.999);
    expect(w.server.received).toHaveLength(0);
    w.scheduler.runUntilIdle();
    expect(w.server.received.map((r) => r.t)).toEqual([8]);
    const [ev] = segmentEvents(w.trace);
    expect(ev).toMatchObject({ t: 3, arriveAt: 8, fate: 'delivered', from: 'client', to: 'server', flags: 'S', src: '10.0.0.1:40000', dst: '10.0.0.2:80' });
  });

  it('hands the receiver the very bytes that were sent', () => {
    const w = makeWorld();
    const bytes = encodeSegment(c2s({ flags: PSH | ACK, payload: new Uint8Array([1, 2, 3]) }));
    w.network.send(w.client, bytes);
    w.scheduler.runUntilIdle();
    expect(w.server.received[0].bytes).toEqual(bytes);
  });

  it('uses setLink delays per direction, and oneWay leaves the reverse alone', () => {
    const w = makeWorld();
    w.network.setLink('client', 'server', { delay: 40 }, true);
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    sendSeg(w.network, w.server, s2c({ flags: SYN | ACK }));
    w.scheduler.runUntilIdle();
    expect(w.server.received.map((r) => r.t)).toEqual([40]);
    expect(w.client.received.map((r) => r.t)).toEqual([5]);

    w.network.setLink('client', 'server', { delay: 12 });
    const t0 = w.scheduler.now;
    sendSeg(w.network, w.server, s2c({ flags: ACK }));
    w.scheduler.runUntilIdle();
    expect(w.client.received[1].t).toBe(t0 + 12);
  });

  it('takes the constructor defaults for links nobody configured', () => {
    const w = makeWorld({ defaults: { delay: 25 } });
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    w.scheduler.runUntilIdle();
    expect(w.server.received[0].t).toBe(25);
  });

  it('keeps jitter within [delay, delay + jitter) and actually spreads arrivals', () => {
    const w = makeWorld({ trace: false });
    w.network.setLink('client', 'server', { delay: 10, jitter: 4 });
    for (let i = 0; i < 2000; i++) sendSeg(w.network, w.client, c2s({ flags: ACK }));
    w.scheduler.runUntilIdle();
    const times = w.server.received.map((r) => r.t);
    expect(times).toHaveLength(2000);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...times)).toBeLessThan(14);
    expect(Math.min(...times)).toBeLessThan(10.1);
    expect(Math.max(...times)).toBeGreaterThan(13.9);
  });

  it('delivers to a host that sends to its own address over loopback, without delay', () => {
    const w = makeWorld();
    sendSeg(w.network, w.client, c2s({ dstAddr: CLIENT_ADDR, flags: SYN }));
    w.scheduler.runUntilIdle();
    expect(w.client.received.map((r) => r.t)).toEqual([0]);
  });
});

describe('loss', () => {
  function lossPattern(seed: number, loss: number, n: number): { lost: number[]; stats: Network['stats'] } {
    const w = makeWorld({ seed, trace: false });
    w.network.setLink('client', 'server', { loss });
    const ids: number[] = [];
    w.server.onReceive = (bytes) => ids.push(decodeSegment(bytes).ok ? (bytes[24] << 24) | (bytes[25] << 16) | (bytes[26] << 8) | bytes[27] : -1);
    for (let i = 0; i < n; i++) sendSeg(w.network, w.client, c2s({ flags: ACK, seq: i }));
    w.scheduler.runUntilIdle();
    const got = new Set(ids);
    const lost: number[] = [];
    for (let i = 0; i < n; i++) if (!got.has(i)) lost.push(i);
    return { lost, stats: w.network.stats };
  }

  it('loses close to the set fraction of many packets', () => {
    const { lost, stats } = lossPattern(7, 0.2, 20000);
    // 20000 draws at p = 0.2: standard deviation ≈ 57 packets, so ±300 is over 5 sigma.
    expect(lost.length).toBeGreaterThan(4000 - 300);
    expect(lost.length).toBeLessThan(4000 + 300);
    expect(stats.lost).toBe(lost.length);
    expect(stats.delivered + stats.lost).toBe(20000);
  });

  it('loses the same packets for the same seed and different ones for another seed', () => {
    const a = lossPattern(42, 0.1, 2000).lost;
    const b = lossPattern(42, 0.1, 2000).lost;
    const c = lossPattern(43, 0.1, 2000).lost;
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('loses every packet at loss 1 and none at loss 0', () => {
    expect(lossPattern(1, 1, 100).lost).toHaveLength(100);
    expect(lossPattern(1, 0, 100).lost).toHaveLength(0);
  });
});

describe('partition and heal', () => {
  it('loses packets both ways while partitioned and delivers again after heal', () => {
    const w = makeWorld();
    w.network.partition('client', 'server');
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    sendSeg(w.network, w.server, s2c({ flags: SYN | ACK }));
    w.scheduler.runUntilIdle();
    expect(w.server.received).toHaveLength(0);
    expect(w.client.received).toHaveLength(0);
    expect(segmentEvents(w.trace).map((e) => e.fate)).toEqual(['lost', 'lost']);
    expect(w.network.stats.lost).toBe(2);

    w.network.heal('server', 'client');
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    sendSeg(w.network, w.server, s2c({ flags: SYN | ACK }));
    w.scheduler.runUntilIdle();
    expect(w.server.received).toHaveLength(1);
    expect(w.client.received).toHaveLength(1);
  });

  it('does not touch other pairs', () => {
    const w = makeWorld();
    const third = new RecordingHost('third', [parseAddr('10.0.0.3')], w.scheduler);
    w.network.attach(third);
    w.network.partition('client', 'server');
    sendSeg(w.network, w.client, c2s({ dstAddr: parseAddr('10.0.0.3'), flags: SYN }));
    w.scheduler.runUntilIdle();
    expect(third.received).toHaveLength(1);
  });

  it('lets a packet already in flight arrive: the cut happens at the sender side', () => {
    const w = makeWorld();
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    w.scheduler.runUntil(2);
    w.network.partition('client', 'server');
    w.scheduler.runUntilIdle();
    expect(w.server.received).toHaveLength(1);
  });
});

describe('crashed hosts', () => {
  it('loses a packet whose destination is down when it arrives, even if it was up at send', () => {
    const w = makeWorld();
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    w.scheduler.runUntil(2);
    w.server.up = false;
    w.scheduler.runUntilIdle();
    expect(w.server.received).toHaveLength(0);
    expect(w.network.stats.hostDown).toBe(1);
    expect(w.network.stats.delivered).toBe(0);
    const [ev] = segmentEvents(w.trace);
    expect(ev.fate).toBe('host-down');
    expect(ev.arriveAt).toBeNull();
  });

  it('delivers a packet sent while the destination was down if it is back by arrival', () => {
    const w = makeWorld();
    w.server.up = false;
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    w.scheduler.runUntil(2);
    w.server.up = true;
    w.scheduler.runUntilIdle();
    expect(w.server.received.map((r) => r.t)).toEqual([5]);
    expect(segmentEvents(w.trace)[0]).toMatchObject({ fate: 'delivered', arriveAt: 5 });
  });

  it('reports host-down with tracing off too (the fast path)', () => {
    const w = makeWorld({ trace: false });
    w.server.up = false;
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    w.scheduler.runUntilIdle();
    expect(w.network.stats.hostDown).toBe(1);
    expect(w.server.received).toHaveLength(0);
  });
});

describe('no route', () => {
  it('drops a packet to an address nobody owns, cheaply and visibly', () => {
    const w = makeWorld();
    sendSeg(w.network, w.server, s2c({ dstAddr: parseAddr('198.18.0.7'), flags: SYN | ACK }));
    w.scheduler.runUntilIdle();
    expect(w.network.stats.noRoute).toBe(1);
    expect(w.scheduler.eventsRun).toBe(0);
    expect(segmentEvents(w.trace)[0]).toMatchObject({ fate: 'no-route', to: null, arriveAt: null, dst: '198.18.0.7:40000' });
  });

  it('treats bytes too short to hold a destination as no-route, and notes them in the trace', () => {
    const w = makeWorld();
    w.network.send(w.client, new Uint8Array([0x45, 0, 0, 10, 1, 2, 3, 4, 5, 6]));
    w.scheduler.runUntilIdle();
    expect(w.network.stats.noRoute).toBe(1);
    const ev = segmentEvents(w.trace)[0];
    expect(ev).toMatchObject({ fate: 'no-route', flags: '?', src: '?', dst: '?', len: 10 });
    const note = w.trace.events.find((e): e is NoteEvent => e.kind === 'note');
    expect(note?.text).toMatch(/undecodable packet: .*shorter than the 20-byte IPv4 header/);
  });

  it('routes garbage with a readable destination, since the IP layer looks no further', () => {
    const w = makeWorld();
    const garbage = new Uint8Array(40);
    garbage.set([10, 0, 0, 2], 16);
    w.network.send(w.client, garbage);
    w.scheduler.runUntilIdle();
    expect(w.server.received).toHaveLength(1);
  });

  it('refuses a sender that was never attached', () => {
    const w = makeWorld();
    const stranger = new RecordingHost('stranger', [], w.scheduler);
    expect(() => w.network.send(stranger, encodeSegment(c2s()))).toThrow(/"stranger".*not attached/);
  });
});

describe('duplication, reordering and corruption on the link', () => {
  it('delivers a second copy with its own trace event', () => {
    const w = makeWorld();
    w.network.setLink('client', 'server', { duplicate: 1 });
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    w.scheduler.runUntilIdle();
    expect(w.server.received).toHaveLength(2);
    const evs = segmentEvents(w.trace);
    expect(evs).toHaveLength(2);
    expect(evs[0].duplicate).toBeUndefined();
    expect(evs[1]).toMatchObject({ duplicate: true, fate: 'delivered', flags: 'S', seq: 1000 });
    expect(evs[1].id).not.toBe(evs[0].id);
    expect(w.network.stats).toMatchObject({ sent: 1, delivered: 2, duplicated: 1 });
  });

  it('holds a reordered packet back by reorderDelay (2 × delay by default), so a later one overtakes it', () => {
    const w = makeWorld({ seed: 3 });
    w.network.setLink('client', 'server', { reorder: 1 });
    sendSeg(w.network, w.client, c2s({ flags: ACK, seq: 1 }));
    w.network.setLink('client', 'server', { reorder: 0 });
    sendSeg(w.network, w.client, c2s({ flags: ACK, seq: 2 }));
    w.scheduler.runUntilIdle();
    const got = w.server.received.map((r) => ({ t: r.t, seq: (decodeSegment(r.bytes) as { ok: true; segment: { seq: number } }).segment.seq }));
    expect(got).toEqual([
      { t: 5, seq: 2 },
      { t: 15, seq: 1 },
    ]);
  });

  it('corrupts one byte after the IP header so the TCP checksum fails, without touching the sender copy', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const w = makeWorld({ seed });
      w.network.addFault({ from: 'client', action: 'corrupt' });
      const seg = c2s({ flags: PSH | ACK, payload: new Uint8Array([104, 105]), options: [{ kind: 'mss', value: 1460 }] });
      const bytes = encodeSegment(seg);
      const pristine = bytes.slice();
      w.network.send(w.client, bytes, seg);
      w.scheduler.runUntilIdle();
      expect(bytes).toEqual(pristine);
      const got = w.server.received[0].bytes;
      const changed = [...got.keys()].filter((i) => got[i] !== pristine[i]);
      expect(changed).toHaveLength(1);
      expect(changed[0]).toBeGreaterThanOrEqual(20);
      const decoded = decodeSegment(got);
      expect(decoded.ok ? 'ok' : decoded.error.code, `seed ${seed}, byte ${changed[0]}`).toBe('bad-tcp-checksum');
      expect(segmentEvents(w.trace)[0].fate).toBe('corrupt');
      expect(w.network.stats.corrupted).toBe(1);
    }
  });
});

describe('stats', () => {
  it('accounts for every packet once the network is idle', () => {
    const w = makeWorld({ seed: 11, trace: false });
    w.network.setLink('client', 'server', { loss: 0.1, duplicate: 0.1, jitter: 3, reorder: 0.1 });
    for (let i = 0; i < 500; i++) {
      sendSeg(w.network, w.client, c2s({ flags: ACK, seq: i }));
      if (i % 50 === 0) sendSeg(w.network, w.server, s2c({ dstAddr: parseAddr('198.18.1.1'), flags: SYN | ACK }));
    }
    w.scheduler.runUntil(1);
    w.server.up = false;
    for (let i = 0; i < 20; i++) sendSeg(w.network, w.client, c2s({ flags: ACK }));
    w.scheduler.runUntilIdle();
    const s = w.network.stats;
    expect(s.delivered + s.lost + s.noRoute + s.hostDown).toBe(s.sent + s.duplicated);
    expect(s.noRoute).toBe(10);
    expect(s.hostDown).toBeGreaterThanOrEqual(15);
    expect(s.duplicated).toBeGreaterThan(0);
  });
});

describe('determinism', () => {
  function run(seed: number, tracing: boolean) {
    const w = makeWorld({ seed, trace: tracing });
    w.network.setLink('client', 'server', { loss: 0.2, jitter: 2, duplicate: 0.1, reorder: 0.1 });
    w.network.addFault({ from: 'client', flags: 'F', action: 'corrupt' });
    w.server.onReceive = () => sendSeg(w.network, w.server, s2c({ flags: ACK }));
    for (let i = 0; i < 300; i++) {
      w.scheduler.at(i, () => sendSeg(w.network, w.client, c2s({ flags: i % 10 === 0 ? FIN | ACK : ACK, seq: 1000 + i })));
    }
    w.scheduler.runUntilIdle();
    return {
      trace: JSON.stringify(w.trace.events),
      arrivals: JSON.stringify([w.server.received.map((r) => [r.t, Array.from(r.bytes)]), w.client.received.map((r) => r.t)]),
    };
  }

  it('gives an identical trace for the same seed', () => {
    const a = run(5, true);
    const b = run(5, true);
    expect(a.trace.length).toBeGreaterThan(1000);
    expect(a.trace).toBe(b.trace);
  });

  it('gives a different run for a different seed', () => {
    expect(run(5, true).trace).not.toBe(run(6, true).trace);
  });

  it('draws the same random numbers whether tracing is on or off', () => {
    expect(run(9, false).arrivals).toBe(run(9, true).arrivals);
  });
});

describe('tracing', () => {
  it('numbers segment events in send order and fills the Wireshark-style relative numbers', () => {
    const w = makeWorld();
    sendSeg(w.network, w.client, c2s({ flags: SYN, seq: 4000000000, options: [{ kind: 'mss', value: 1460 }] }));
    sendSeg(w.network, w.server, s2c({ flags: SYN | ACK, seq: 7, ack: 4000000001, window: 65160 }));
    sendSeg(w.network, w.client, c2s({ flags: ACK | PSH, seq: 4000000001, ack: 8, payload: new Uint8Array(10) }));
    w.scheduler.runUntilIdle();
    const evs = segmentEvents(w.trace);
    expect(evs.map((e) => e.id)).toEqual([0, 1, 2]);
    expect(evs.map((e) => [e.flags, e.relSeq, e.relAck, e.len])).toEqual([
      ['S', 0, 0, 0],
      ['S.', 0, 1, 0],
      ['P.', 1, 1, 10],
    ]);
    expect(evs[0].options).toEqual([{ kind: 'mss', value: 1460 }]);
    expect(evs[1].win).toBe(65160);
  });

  it('stops building events past the trace cap but keeps counting them', () => {
    const scheduler = new Scheduler();
    const trace = new Trace(true, 3);
    const network = new Network(scheduler, new Random(1), trace);
    const client = new RecordingHost('client', [CLIENT_ADDR], scheduler);
    network.attach(client);
    network.attach(new RecordingHost('server', [SERVER_ADDR], scheduler));
    for (let i = 0; i < 10; i++) sendSeg(network, client, c2s({ flags: ACK }));
    scheduler.runUntilIdle();
    expect(segmentEvents(trace)).toHaveLength(3);
    expect(trace.segmentsSeen).toBe(10);
    expect(network.stats.delivered).toBe(10);
  });
});

describe('configuration errors', () => {
  it('refuses a second host with the same name or address, but re-attaching the same host is harmless', () => {
    const w = makeWorld();
    w.network.attach(w.client);
    expect(() => w.network.attach(new RecordingHost('client', [parseAddr('10.0.0.9')], w.scheduler))).toThrow(/"client".*already attached/);
    expect(() => w.network.attach(new RecordingHost('other', [SERVER_ADDR], w.scheduler))).toThrow(/10\.0\.0\.2 already belongs to "server"/);
  });

  it('names the unknown host in setLink, partition and fault rules', () => {
    const w = makeWorld();
    expect(() => w.network.setLink('client', 'sever', { delay: 1 })).toThrow(/no host named "sever".*"client", "server"/);
    expect(() => w.network.partition('clinet', 'server')).toThrow(/"clinet"/);
    expect(() => w.network.addFault({ from: 'attacker', action: 'drop' })).toThrow(/"attacker"/);
  });

  it('rejects link parameters out of range', () => {
    const w = makeWorld();
    expect(() => w.network.setLink('client', 'server', { loss: 1.5 })).toThrow(/loss.*between 0 and 1.*1\.5/);
    expect(() => w.network.setLink('client', 'server', { delay: -1 })).toThrow(/delay.*≥ 0/);
    expect(() => w.network.setLink('client', 'server', { delay: NaN })).toThrow(/delay/);
    expect(() => w.network.setLink('client', 'server', { latency: 3 } as never)).toThrow(/unknown link parameter "latency"/);
    expect(() => new Network(new Scheduler(), new Random(1), new Trace(), { jitter: -2 })).toThrow(/jitter/);
  });
});
