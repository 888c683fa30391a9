import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../core/sim/scheduler.ts';
import { RealtimeDriver } from '../../node/realtime.ts';

/** A wall clock and a timer queue the test moves by hand. */
function fakeTime() {
  let now = 1000;
  const timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 0;
  return {
    clock: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const t = { at: now + ms, fn, id: nextId++ };
      timers.push(t);
      return t.id;
    },
    clearTimer: (id: unknown) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    /** Moves the wall clock forward, firing timers that fall due, in order. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > end) break;
        timers.shift();
        now = t.at;
        t.fn();
      }
      now = end;
    },
    pending: () => timers.length,
  };
}

describe('RealtimeDriver', () => {
  it('runs events when the wall clock reaches their virtual time, not before', () => {
    const sched = new Scheduler();
    const ft = fakeTime();
    const ran: Array<[string, number]> = [];
    sched.at(40, () => ran.push(['a', sched.now]));
    sched.at(200, () => ran.push(['b', sched.now]));
    const d = new RealtimeDriver(sched, ft);
    d.start();
    expect(ran).toEqual([]);
    ft.advance(39);
    expect(ran).toEqual([]);
    ft.advance(1);
    expect(ran).toEqual([['a', 40]]);
    ft.advance(159);
    expect(ran).toEqual([['a', 40]]);
    ft.advance(1);
    expect(ran).toEqual([['a', 40], ['b', 200]]);
    d.stop();
  });

  it('inject runs the callback at wall-clock now, after everything that was due before it', () => {
    const sched = new Scheduler();
    let wall = 0;
    const order: string[] = [];
    // No timers fire: the event loop was busy while the wall clock moved on.
    const d = new RealtimeDriver(sched, { clock: () => wall, setTimer: () => 0, clearTimer: () => {} });
    sched.at(10, () => order.push(`timer@${sched.now}`));
    d.start();
    wall = 25;
    d.inject(() => order.push(`packet@${sched.now}`));
    expect(order).toEqual(['timer@10', 'packet@25']);
    expect(d.stats.maxLagMs).toBe(15);
    d.stop();
  });

  it('wakes earlier for an event scheduled from outside a tick', () => {
    const sched = new Scheduler();
    const ft = fakeTime();
    const ran: number[] = [];
    sched.at(1000, () => ran.push(sched.now));
    const d = new RealtimeDriver(sched, ft);
    d.start();
    ft.advance(5);
    // An application call made between ticks (an await continuation) schedules work at +2 ms.
    sched.at(sched.now + 2, () => ran.push(sched.now));
    ft.advance(10);
    expect(ran).toEqual([2]);
    ft.advance(1000);
    expect(ran).toEqual([2, 1000]);
    d.stop();
  });

  it('events scheduled by an event at the same time run in the same tick', () => {
    const sched = new Scheduler();
    let wall = 0;
    const d = new RealtimeDriver(sched, { clock: () => wall, setTimer: () => 0, clearTimer: () => {} });
    const ran: string[] = [];
    d.start();
    d.inject(() => sched.at(sched.now, () => {
      ran.push('first');
      sched.at(sched.now, () => ran.push('second'));
    }));
    expect(ran).toEqual(['first', 'second']);
    d.stop();
  });

  it('stop() restores the scheduler and leaves no timer armed', () => {
    const sched = new Scheduler();
    const ft = fakeTime();
    const d = new RealtimeDriver(sched, ft);
    d.start();
    sched.at(50, () => {});
    expect(ft.pending()).toBe(1);
    d.stop();
    expect(ft.pending()).toBe(0);
    expect(Object.prototype.hasOwnProperty.call(sched, 'at')).toBe(false);
    expect(() => d.inject(() => {})).toThrow(/not running/);
  });

  it('a runaway simulation stops the driver and reports the error', () => {
    const sched = new Scheduler();
    let wall = 0;
    const errors: unknown[] = [];
    const d = new RealtimeDriver(sched, { clock: () => wall, setTimer: () => 0, clearTimer: () => {}, maxEventsPerTick: 100, onError: (e) => errors.push(e) });
    const loop = () => sched.at(sched.now, loop);
    d.start();
    d.inject(loop);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/runaway/);
    expect(d.running).toBe(false);
  });

  it('keeps virtual time relative to where the scheduler was when it started', () => {
    const sched = new Scheduler();
    sched.runUntil(5000);
    let wall = 100;
    const d = new RealtimeDriver(sched, { clock: () => wall, setTimer: () => 0, clearTimer: () => {} });
    d.start();
    wall = 350;
    d.catchUp();
    expect(sched.now).toBe(5250);
    d.stop();
  });
});
