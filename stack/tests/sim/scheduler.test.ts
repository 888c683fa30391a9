/**
 * The virtual clock: events run by time, ties in the order they were scheduled — whether they
 * went straight into the heap or waited in an EventLane.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Scheduler } from '../../core/sim/scheduler.ts';
import { Random } from '../../core/sim/random.ts';

type Op =
  | { kind: 'heap'; delay: number }
  | { kind: 'lane'; lane: number; delay: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'run'; advance: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('heap' as const), delay: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('lane' as const), lane: fc.integer({ min: 0, max: 2 }), delay: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('run' as const), advance: fc.integer({ min: 0, max: 15 }) }),
);

describe('Scheduler', () => {
  it('runs heap and lane events by (time, order scheduled), cancelled ones never', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const s = new Scheduler();
        const lanes = [s.lane(), s.lane(), s.lane()];
        const ran: number[] = [];
        // The model: every scheduled event with its time and number, minus the cancelled ones.
        const model: Array<{ id: number; at: number; cancelled: boolean; ran: boolean }> = [];
        const handles: Array<{ cancelled: boolean }> = [];
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'heap' || o.kind === 'lane') {
            const id = next++;
            const at = s.now + o.delay;
            // Lanes take events out of order too (a later delay shorter than an earlier one).
            const h = o.kind === 'heap' ? s.at(at, () => ran.push(id)) : lanes[o.lane].at(at, () => ran.push(id));
            model.push({ id, at, cancelled: false, ran: false });
            handles.push(h);
          } else if (o.kind === 'cancel') {
            if (!handles.length) continue;
            const k = o.pick % handles.length;
            s.cancel(handles[k] as never);
            model[k].cancelled = true;
          } else {
            s.runUntil(s.now + o.advance);
          }
          const live = model.filter((m) => !m.cancelled && !ran.includes(m.id)).length;
          expect(s.pending()).toBe(live);
        }
        s.runUntilIdle();
        const expected = model.filter((m) => !m.cancelled || ran.includes(m.id));
        // Events already run before their cancel stay run; the rest run in (time, id) order.
        const order = [...ran];
        expect(new Set(order).size).toBe(order.length);
        for (const m of model) if (!ran.includes(m.id)) expect(m.cancelled).toBe(true);
        const byTime = expected.slice().sort((a, b) => a.at - b.at || a.id - b.id).map((m) => m.id);
        expect(order).toEqual(byTime);
        expect(s.pending()).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a lane event at the same time as a heap event scheduled later runs first', () => {
    const s = new Scheduler();
    const lane = s.lane();
    const ran: string[] = [];
    lane.at(5, () => ran.push('lane 1'));
    s.at(5, () => ran.push('heap'));
    lane.at(5, () => ran.push('lane 2'));
    s.at(3, () => ran.push('heap at 3'));
    s.runUntilIdle();
    expect(ran).toEqual(['heap at 3', 'lane 1', 'heap', 'lane 2']);
  });

  it('keeps a long lane in order across its FIFO being compacted', () => {
    const s = new Scheduler();
    const lane = s.lane();
    const ran: number[] = [];
    for (let i = 0; i < 5000; i++) lane.at(i * 0.5, () => ran.push(i));
    // Interleave a timer every 100 events and keep adding to the lane while it drains.
    for (let i = 0; i < 50; i++) s.at(i * 50 + 0.25, () => ran.push(-i));
    s.runUntil(1000);
    for (let i = 5000; i < 6000; i++) lane.at(i * 0.5, () => ran.push(i));
    s.runUntilIdle();
    const expected: number[] = [];
    for (let i = 0; i < 6000; i++) {
      expected.push(i);
      if (i % 100 === 0 && i / 100 < 50) expected.push(-(i / 100));
    }
    expect(ran).toEqual(expected);
  });

  it('sweeps cancelled events out of a big heap without changing the order of the rest', () => {
    const s = new Scheduler();
    const lane = s.lane();
    const rnd = new Random(3);
    const ran: number[] = [];
    const model: Array<{ id: number; at: number }> = [];
    let id = 0;
    // Like 500 connections re-arming retransmission timers: most events are cancelled before they
    // are due, so the heap grows far past the size that triggers a sweep, again and again.
    for (let round = 0; round < 40; round++) {
      for (let k = 0; k < 2000; k++) {
        const n = id++;
        const at = s.now + rnd.int(400) + (k % 3 === 0 ? 0.5 : 0);
        const h = k % 7 === 0 ? lane.at(Math.max(at, s.now + 50), () => ran.push(n)) : s.at(at, () => ran.push(n));
        const atUsed = k % 7 === 0 ? Math.max(at, s.now + 50) : at;
        if (rnd.chance(0.9)) s.cancel(h);
        else model.push({ id: n, at: atUsed });
      }
      s.runUntil(s.now + 10);
    }
    s.runUntilIdle();
    expect(ran).toEqual(model.sort((a, b) => a.at - b.at || a.id - b.id).map((m) => m.id));
    expect(s.pending()).toBe(0);
  });

  it('atWith calls the function with its argument, in the lane or out of order into the heap', () => {
    const s = new Scheduler();
    const lane = s.lane();
    const got: string[] = [];
    const record = (what: string) => got.push(`${what}@${s.now}`);
    lane.atWith(10, record, 'a');
    lane.atWith(12, record, 'b');
    lane.atWith(11, record, 'c'); // earlier than the lane's last: goes into the heap
    s.at(11, () => got.push('timer@11'));
    s.runUntilIdle();
    expect(got).toEqual(['a@10', 'c@11', 'timer@11', 'b@12']);
  });

  it('refuses to schedule in the past, on a lane as in the heap', () => {
    const s = new Scheduler();
    s.runUntil(10);
    expect(() => s.lane().at(9, () => {}, 'late')).toThrow(/cannot schedule "late" at 9 ms: the clock is already at 10 ms/);
    expect(() => s.at(Number.NaN, () => {})).toThrow(RangeError);
  });
});
