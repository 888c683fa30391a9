/**
 * Paces the simulator's virtual clock against a wall clock, for anything that talks to the
 * outside world in real time: the TUN bridge (the Linux kernel will not wait for us) and, later,
 * an animation in the browser.
 *
 * The Scheduler normally jumps from event to event as fast as the CPU allows. Here the virtual
 * clock is pinned to the wall clock: virtual ms = origin + (wall ms since start). Each tick runs
 * every event that is due by "now", then sleeps until the next event is due. Input from outside
 * (a packet from the kernel) goes through `inject`, which first brings the clock to now, so the
 * stack sees it at the right time and timestamps, RTT samples and timers all read real
 * milliseconds.
 *
 * Events scheduled from outside a tick (a socket call in an `await` continuation, a timer set
 * by application code) must not wait for a sleep that was planned before they existed, so the
 * driver wraps the scheduler's `at` while it runs and wakes earlier when an earlier event
 * appears.
 *
 * Only `setTimeout` and a millisecond clock are used, both of which browsers have too.
 */
import type { Scheduler, TimerHandle } from '../core/sim/scheduler.ts';

export interface RealtimeOptions {
  /** Wall clock in ms (default: performance.now). Tests pass a fake one. */
  clock?: () => number;
  /** Schedules a wake-up (default: setTimeout). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  /** Cancels a wake-up (default: clearTimeout). */
  clearTimer?: (handle: unknown) => void;
  /** Events one tick may run before the simulation is declared a runaway (default 1,000,000). */
  maxEventsPerTick?: number;
  /** Called with any exception thrown out of a tick; the driver stops first. Default: rethrow. */
  onError?: (err: unknown) => void;
  /** Called after every tick, once the events due have run (e.g. to drain the trace). */
  afterTick?: () => void;
}

export interface RealtimeStats {
  /** Ticks run (timer wake-ups, injections and explicit catch-ups). */
  ticks: number;
  /** Scheduler events run while the driver was running. */
  eventsRun: number;
  /** Largest wall-clock lateness of an event (ms): how far behind real time the stack fell. */
  maxLagMs: number;
}

type At = Scheduler['at'];

export class RealtimeDriver {
  readonly stats: RealtimeStats = { ticks: 0, eventsRun: 0, maxLagMs: 0 };
  private readonly clock: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly maxEvents: number;
  private readonly onError: (err: unknown) => void;
  private readonly afterTick: () => void;
  private wallOrigin = 0;
  private virtualOrigin = 0;
  private timer: unknown = null;
  /** Virtual time the pending wake-up is for (Infinity: none). */
  private wakeAt = Infinity;
  private inTick = false;
  private originalAt: At | null = null;
  private isRunning = false;

  constructor(readonly sched: Scheduler, opts: RealtimeOptions = {}) {
    this.clock = opts.clock ?? (() => performance.now());
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.maxEvents = opts.maxEventsPerTick ?? 1_000_000;
    this.onError = opts.onError ?? ((err) => {
      throw err;
    });
    this.afterTick = opts.afterTick ?? (() => {});
  }

  get running(): boolean {
    return this.isRunning;
  }

  /** Starts pacing: the scheduler's current time is "now". */
  start(): void {
    if (this.isRunning) throw new Error('the real-time driver is already running');
    this.isRunning = true;
    this.wallOrigin = this.clock();
    this.virtualOrigin = this.sched.now;
    const sched = this.sched;
    const at = sched.at;
    this.originalAt = at;
    sched.at = ((time: number, fn: () => void, label?: string): TimerHandle => {
      const handle = at.call(sched, time, fn, label);
      if (!this.inTick && this.isRunning && time < this.wakeAt) this.armFor(time);
      return handle;
    }) as At;
    this.tick();
  }

  /** Stops pacing; the scheduler keeps its events and its clock. */
  stop(): void {
    if (!this.isRunning) return;
    this.isRunning = false;
    this.disarm();
    if (this.originalAt) {
      // Remove the instance wrapper so the prototype's method shows through again.
      delete (this.sched as { at?: At }).at;
      this.originalAt = null;
    }
  }

  /** The virtual time that corresponds to the wall clock now (never behind the scheduler). */
  virtualNow(): number {
    return Math.max(this.sched.now, this.virtualOrigin + (this.clock() - this.wallOrigin));
  }

  /** Brings the virtual clock to now, running every event due on the way. */
  catchUp(): void {
    this.tick();
  }

  /**
   * Runs `fn` at the current wall-clock time on the virtual clock — after everything that was due
   * before it — and then whatever it made due. For input from outside: a packet, a keystroke.
   */
  inject(fn: () => void): void {
    if (!this.isRunning) throw new Error('the real-time driver is not running: call start() first');
    this.tick(fn);
  }

  private tick(fn?: () => void): void {
    if (!this.isRunning) return;
    if (this.inTick) {
      // Re-entered from inside an event (e.g. an injected callback that injects again): the
      // outer tick is already running everything that is due.
      fn?.();
      return;
    }
    this.inTick = true;
    this.disarm();
    try {
      this.stats.ticks++;
      this.runDue();
      if (fn) {
        fn();
        this.runDue();
      }
      this.afterTick();
    } catch (err) {
      this.inTick = false;
      this.stop();
      this.onError(err);
      return;
    }
    this.inTick = false;
    if (!this.isRunning) return;
    const next = this.sched.nextEventTime();
    if (next !== Infinity) this.armFor(next);
  }

  /** Runs every event due by the wall clock, re-reading the clock until nothing more is due. */
  private runDue(): void {
    let budget = this.maxEvents;
    for (;;) {
      const now = this.virtualNow();
      const next = this.sched.nextEventTime();
      if (next > now) {
        // runUntil sets the clock to `now` even when no event ran.
        this.sched.runUntil(now);
        return;
      }
      const lag = now - next;
      if (lag > this.stats.maxLagMs) this.stats.maxLagMs = lag;
      if (budget-- <= 0) throw new Error(`runaway simulation: more than ${this.maxEvents} events in one real-time tick`);
      this.sched.step();
      this.stats.eventsRun++;
    }
  }

  private armFor(virtualTime: number): void {
    this.disarm();
    this.wakeAt = virtualTime;
    const delay = Math.max(0, virtualTime - this.virtualNow());
    // Timers fire in whole milliseconds at best; waking a little late is harmless, since the
    // tick runs everything that is due, but never early by more than the rounding.
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.wakeAt = Infinity;
      this.tick();
    }, Math.ceil(delay));
  }

  private disarm(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.wakeAt = Infinity;
  }
}
