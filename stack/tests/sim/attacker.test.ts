import { describe, expect, it } from 'vitest';
import type { SegmentEvent } from '../../core/observe/trace.ts';
import { SynFlooder, type SynFloodParams } from '../../core/sim/attacker.ts';
import { decodeSegment, encodeSegment } from '../../core/wire/codec.ts';
import { parseAddr } from '../../core/wire/format.ts';
import { ACK, RST, SYN, type TcpSegment } from '../../core/wire/segment.ts';
import { Random } from '../../core/sim/random.ts';
import { makeWorld, SERVER_ADDR, type World } from './fixtures.ts';

const POOL = parseAddr('198.18.0.0');

function flood(w: World, params: Partial<SynFloodParams> = {}, seed = 99): SynFlooder {
  return new SynFlooder(w.network, w.scheduler, new Random(seed), {
    target: SERVER_ADDR,
    port: 80,
    rate: 1000,
    count: 100,
    sourceBase: POOL,
    sourceCount: 65536,
    ...params,
  });
}

function receivedSegments(w: World): Array<{ t: number; seg: TcpSegment }> {
  return w.server.received.map((r) => {
    const d = decodeSegment(r.bytes);
    if (!d.ok) throw new Error(`the flooder sent an undecodable packet: ${d.error.detail}`);
    return { t: r.t, seg: d.segment };
  });
}

describe('SynFlooder', () => {
  it('spreads N SYNs evenly over (N − 1) / rate seconds from the start time', () => {
    const w = makeWorld({ trace: false });
    const f = flood(w, { rate: 500, count: 1000 });
    f.start(100);
    w.scheduler.runUntilIdle();
    const got = receivedSegments(w);
    expect(f.sent).toBe(1000);
    expect(got).toHaveLength(1000);
    // Sent at 100 + 2i ms, arriving one default link delay (5 ms) later.
    got.forEach(({ t }, i) => expect(t).toBeCloseTo(105 + 2 * i, 9));
    expect(got[999].t).toBeCloseTo(105 + 1998, 9);
  });

  it('forges bare SYNs from random spoofed sources, ports and ISNs', () => {
    const w = makeWorld({ trace: false });
    flood(w, { count: 2000 }).start(0);
    w.scheduler.runUntilIdle();
    const segs = receivedSegments(w).map((r) => r.seg);
    for (const s of segs) {
      expect(s.flags).toBe(SYN);
      expect(s.dstAddr).toBe(SERVER_ADDR);
      expect(s.dstPort).toBe(80);
      expect(s.window).toBe(64240);
      expect(s.options).toEqual([]);
      expect(s.srcAddr - POOL).toBeGreaterThanOrEqual(0);
      expect(s.srcAddr - POOL).toBeLessThan(65536);
      expect(s.srcPort).toBeGreaterThanOrEqual(1024);
      expect(s.srcPort).toBeLessThanOrEqual(65535);
    }
    // 2000 draws from 65536 addresses: about 30 collisions expected, far from 2000 copies of one.
    expect(new Set(segs.map((s) => s.srcAddr)).size).toBeGreaterThan(1900);
    expect(new Set(segs.map((s) => s.seq)).size).toBeGreaterThan(1990);
    expect(new Set(segs.map((s) => s.srcPort)).size).toBeGreaterThan(1900);
  });

  it('stays inside a small pool and uses all of it', () => {
    const w = makeWorld({ trace: false });
    flood(w, { count: 500, sourceCount: 4 }).start(0);
    w.scheduler.runUntilIdle();
    const sources = new Set(receivedSegments(w).map((r) => r.seg.srcAddr - POOL));
    expect([...sources].sort()).toEqual([0, 1, 2, 3]);
  });

  it("carries Linux's SYN options when asked", () => {
    const w = makeWorld({ trace: false });
    flood(w, { count: 3, withOptions: true }).start(0);
    w.scheduler.runUntilIdle();
    const [first] = receivedSegments(w);
    expect(first.seg.options.map((o) => o.kind)).toEqual(['mss', 'sackOK', 'ts', 'nop', 'wscale']);
    expect(first.seg.options).toContainEqual({ kind: 'mss', value: 1460 });
    expect(first.seg.options).toContainEqual({ kind: 'wscale', shift: 7 });
    expect(first.seg.options.find((o) => o.kind === 'ts')).toMatchObject({ ecr: 0 });
  });

  it('keeps one pending event on the clock however long the flood', () => {
    const w = makeWorld({ trace: false });
    flood(w, { count: 100_000, rate: 100_000 }).start(0);
    let maxPending = w.scheduler.pending();
    let steps = 0;
    while (w.scheduler.step()) {
      if (++steps % 97 === 0) maxPending = Math.max(maxPending, w.scheduler.pending());
    }
    // The next SYN plus the few SYNs still crossing the 5 ms link (rate 100/ms ⇒ about 500).
    expect(maxPending).toBeLessThan(600);
    expect(w.network.stats.delivered).toBe(100_000);

    const slow = makeWorld({ trace: false });
    flood(slow, { count: 1_000_000, rate: 10 }).start(0);
    expect(slow.scheduler.pending()).toBe(1);
    slow.scheduler.runUntil(10_000);
    expect(slow.scheduler.pending()).toBeLessThanOrEqual(2);
  });

  it("owns no address, so the victim's answers to the spoofed sources go nowhere", () => {
    const w = makeWorld();
    w.server.onReceive = (bytes) => {
      const d = decodeSegment(bytes);
      if (!d.ok) return;
      const syn = d.segment;
      const synAck: TcpSegment = { ...syn, srcAddr: syn.dstAddr, dstAddr: syn.srcAddr, srcPort: syn.dstPort, dstPort: syn.srcPort, seq: 1, ack: (syn.seq + 1) >>> 0, flags: SYN | ACK, options: [] };
      w.network.send(w.server, encodeSegment(synAck), synAck);
    };
    const f = flood(w, { count: 50 });
    f.start(0);
    w.scheduler.runUntilIdle();
    expect(w.network.stats.noRoute).toBe(50);
    expect(f.received).toBe(0);
    const synAcks = w.trace.events.filter((e): e is SegmentEvent => e.kind === 'segment' && e.flags === 'S.');
    expect(synAcks).toHaveLength(50);
    expect(synAcks.every((e) => e.fate === 'no-route' && e.to === null && e.from === 'server')).toBe(true);
    const syns = w.trace.events.filter((e): e is SegmentEvent => e.kind === 'segment' && e.flags === 'S');
    expect(syns.every((e) => e.from === 'attacker' && e.dst === '10.0.0.2:80')).toBe(true);
  });

  it('floods the same way for the same seed and differently for another', () => {
    const sources = (seed: number) => {
      const w = makeWorld({ trace: false });
      flood(w, { count: 200 }, seed).start(0);
      w.scheduler.runUntilIdle();
      return receivedSegments(w).map((r) => [r.seg.srcAddr, r.seg.srcPort, r.seg.seq]);
    };
    expect(sources(1)).toEqual(sources(1));
    expect(sources(2)).not.toEqual(sources(1));
  });

  it('stops when told, leaving SYNs already sent in flight', () => {
    const w = makeWorld({ trace: false });
    const f = flood(w, { count: 1000, rate: 1000 });
    f.start(0);
    w.scheduler.runUntil(9.5);
    f.stop();
    w.scheduler.runUntilIdle();
    expect(f.sent).toBe(10);
    expect(w.server.received).toHaveLength(10);
  });

  it('injects any forged segment at once (blind RST)', () => {
    const w = makeWorld();
    const f = flood(w);
    w.scheduler.runUntil(20);
    f.inject({ srcAddr: parseAddr('10.0.0.1'), dstAddr: SERVER_ADDR, srcPort: 40000, dstPort: 80, seq: 12345, ack: 0, flags: RST, window: 0, urgent: 0, options: [], payload: new Uint8Array(0) });
    w.scheduler.runUntilIdle();
    const [got] = receivedSegments(w);
    expect(got).toMatchObject({ t: 25, seg: { flags: RST, seq: 12345, srcAddr: parseAddr('10.0.0.1') } });
    expect(w.trace.events[0]).toMatchObject({ kind: 'segment', from: 'attacker', src: '10.0.0.1:40000', flags: 'R' });
  });

  it('is a host named "attacker" that fault rules and links can name', () => {
    const w = makeWorld({ trace: false });
    const f = flood(w, { count: 10 });
    w.network.addFault({ from: 'attacker', flags: 'S', nth: 2, count: 3, action: 'drop' });
    w.network.setLink('attacker', 'server', { delay: 50 });
    f.start(0);
    w.scheduler.runUntilIdle();
    expect(w.server.received).toHaveLength(7);
    expect(w.server.received[0].t).toBe(50);
  });

  it('rejects impossible parameters with a clear message', () => {
    const w = makeWorld();
    expect(() => flood(w, { rate: 0 })).toThrow(/rate must be a positive number/);
    expect(() => flood(w, { count: 1.5 })).toThrow(/count must be a whole number/);
    expect(() => flood(w, { port: 70000 })).toThrow(/port must be 1\.\.65535/);
    expect(() => flood(w, { sourceCount: 0 })).toThrow(/sourceCount/);
    expect(() => flood(w, { sourceBase: parseAddr('255.255.255.0'), sourceCount: 1000 })).toThrow(/inside the IPv4 space/);
    const f = flood(w);
    f.start(0);
    expect(() => f.start(5)).toThrow(/already/);
  });
});
