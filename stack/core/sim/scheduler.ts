/**
 * The virtual clock. Time is in milliseconds (fractions allowed) and moves only when the
 * scheduler runs an event, so a simulated day takes as long as the events in it.
 * Ties run in the order they were scheduled: same seed, same order, same trace.
 *
 * Events wait in a binary heap ordered by (time, order scheduled). Sources that schedule in time
 * order — a link with a fixed delay delivers packets in the order they were sent — can use an
 * EventLane instead: its events wait in a FIFO and only the first of them sits in the heap. A
 * flood keeps ~500 packets in flight on a 5 ms link; as heap entries each pop sifted through nine
 * levels of scattered objects, as one lane it is one entry. The order events run in is the same.
 */
export interface TimerHandle {
  readonly at: number;
  readonly label: string;
  cancelled: boolean;
}

interface Event extends TimerHandle {
  seq: number;
  fn: (arg: never) => void;
  /** What `fn` is called with (EventLane.atWith); undefined otherwise. */
  arg: unknown;
  /** The lane this event waits in, or null for one that went straight into the heap. */
  lane: EventLane | null;
}

/**
 * A FIFO of events in non-decreasing time (see Scheduler.lane). An event earlier than the lane's
 * last one is still accepted: it goes into the heap, so the order of events never depends on
 * whether a source keeps its promise.
 */
export class EventLane {
  /** Waiting events; `events[head]` is the one in the scheduler's heap. */
  events: Event[] = [];
  head = 0;
  lastAt = -Infinity;

  constructor(private readonly scheduler: Scheduler) {}

  at(time: number, fn: () => void, label = ''): TimerHandle {
    return this.scheduler.atInLane(this, time, fn, undefined, label);
  }

  /**
   * `fn(arg)` at `time`. A source that schedules thousands of events with one function (a link
   * delivering packets) saves making a closure for each.
   */
  atWith<T>(time: number, fn: (arg: T) => void, arg: T, label = ''): TimerHandle {
    return this.scheduler.atInLane(this, time, fn, arg, label);
  }

  get length(): number {
    return this.events.length - this.head;
  }
}

/** What a budget's `exceeded` is told: which limit, and the event that would have broken it. */
export interface BudgetExceeded {
  /** `events`: too many events in all; `instant`: too many in a row without the clock moving. */
  limit: 'events' | 'instant';
  /** Events run since the budget was set. */
  events: number;
  /** Events run in a row at `at`, the virtual time that stood still. */
  sameInstant: number;
  /** Virtual time (ms) of the event that would have broken the limit. */
  at: number;
  /** That event's label (a connection timer's name, "deliver", …). */
  label: string;
}

/**
 * A limit on the events a run may take (the lab grader's runaway guard): a timer that re-arms
 * itself with no delay runs forever without the clock moving, and each of its events costs memory
 * (trace, timers) long before any wall-clock limit notices. `exceeded` is called instead of the
 * event that would break a limit and must throw: the run stops there, with the event named.
 */
export interface EventBudget {
  /** Most events from the moment the budget is set. */
  events: number;
  /** Most events in a row at one virtual instant. */
  sameInstant: number;
  exceeded(info: BudgetExceeded): never;
}

/** Heaps smaller than this are never compacted. */
const COMPACT_MIN = 1024;

export class Scheduler {
  private heap: Event[] = [];
  private lanes: EventLane[] = [];
  private seqCounter = 0;
  private current = 0;
  /** Heap size that triggers the next sweep of cancelled events (see compact). */
  private compactAt = COMPACT_MIN;
  /** Events run so far; the benchmark and runaway guards read it. */
  eventsRun = 0;
  private budget: EventBudget | null = null;
  private budgetStart = 0;
  private instantAt = -1;
  private instantRun = 0;

  /** Sets (or with null removes) the runaway guard; its counts start now. */
  setBudget(budget: EventBudget | null): void {
    this.budget = budget;
    this.budgetStart = this.eventsRun;
    this.instantAt = -1;
    this.instantRun = 0;
  }

  /** Counts the event about to run against the budget; `exceeded` throws before it runs. */
  private charge(ev: Event): void {
    const b = this.budget!;
    if (ev.at === this.instantAt) this.instantRun++;
    else {
      this.instantAt = ev.at;
      this.instantRun = 1;
    }
    const events = this.eventsRun - this.budgetStart + 1;
    if (events > b.events || this.instantRun > b.sameInstant) {
      b.exceeded({ limit: events > b.events ? 'events' : 'instant', events: events - 1, sameInstant: this.instantRun - 1, at: ev.at, label: ev.label });
    }
  }

  get now(): number {
    return this.current;
  }

  at(time: number, fn: () => void, label = ''): TimerHandle {
    if (!(time >= this.current)) {
      throw new RangeError(`cannot schedule "${label}" at ${time} ms: the clock is already at ${this.current} ms`);
    }
    const ev: Event = { at: time, seq: this.seqCounter++, fn, arg: undefined, label, cancelled: false, lane: null };
    this.push(ev);
    return ev;
  }

  /** A new lane for a source whose events come in time order. */
  lane(): EventLane {
    const lane = new EventLane(this);
    this.lanes.push(lane);
    return lane;
  }

  /** EventLane.at: appended to the lane, or into the heap if it would run before the lane's last event. */
  atInLane<T>(lane: EventLane, time: number, fn: (arg: T) => void, arg: T, label: string): TimerHandle {
    if (!(time >= this.current)) {
      throw new RangeError(`cannot schedule "${label}" at ${time} ms: the clock is already at ${this.current} ms`);
    }
    if (time < lane.lastAt) {
      const handle = this.at(time, fn as () => void, label) as Event;
      handle.arg = arg;
      return handle;
    }
    const ev: Event = { at: time, seq: this.seqCounter++, fn, arg, label, cancelled: false, lane };
    lane.lastAt = time;
    lane.events.push(ev);
    if (lane.events.length - lane.head === 1) this.push(ev);
    return ev;
  }

  after(delay: number, fn: () => void, label = ''): TimerHandle {
    return this.at(this.current + Math.max(0, delay), fn, label);
  }

  cancel(handle: TimerHandle | undefined | null): void {
    if (handle) handle.cancelled = true;
  }

  /** Time of the next live event, or Infinity. */
  nextEventTime(): number {
    this.dropCancelled();
    return this.heap.length ? this.heap[0].at : Infinity;
  }

  /** Runs one event; false when none is left. */
  step(): boolean {
    this.dropCancelled();
    if (this.budget !== null && this.heap.length) this.charge(this.heap[0]);
    const ev = this.pop();
    if (!ev) return false;
    this.current = ev.at;
    this.eventsRun++;
    (ev.fn as (arg: unknown) => void)(ev.arg);
    return true;
  }

  /** Runs every event due at or before `time`, then sets the clock to `time`. */
  runUntil(time: number, maxEvents = Infinity): void {
    const h = this.heap;
    let budget = maxEvents;
    while (h.length) {
      const top = h[0];
      if (top.cancelled) {
        this.pop();
        continue;
      }
      if (top.at > time) break;
      if (budget-- <= 0) throw new Error(`runaway simulation: more than ${maxEvents} events before t=${time} ms`);
      if (this.budget !== null) this.charge(top);
      this.pop();
      this.current = top.at;
      this.eventsRun++;
      (top.fn as (arg: unknown) => void)(top.arg);
    }
    if (time > this.current) this.current = time;
  }

  /** Runs until nothing is scheduled, or the clock would pass `limit`. */
  runUntilIdle(limit = Infinity, maxEvents = Infinity): void {
    let budget = maxEvents;
    while (budget-- > 0) {
      const t = this.nextEventTime();
      if (t === Infinity || t > limit) return;
      this.step();
    }
    throw new Error(`runaway simulation: more than ${maxEvents} events`);
  }

  pending(): number {
    let n = 0;
    for (const ev of this.heap) if (!ev.cancelled && ev.lane === null) n++;
    for (const lane of this.lanes) {
      for (let i = lane.head; i < lane.events.length; i++) if (!lane.events[i].cancelled) n++;
    }
    return n;
  }

  private dropCancelled(): void {
    while (this.heap.length && this.heap[0].cancelled) this.pop();
  }

  private less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  // Binary heap ordered by (at, seq), sifting a hole rather than swapping pairs.
  private push(ev: Event): void {
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (!this.less(ev, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
    if (h.length >= this.compactAt) this.compact();
  }

  /**
   * Cancelled events stay in the heap until they reach the top, and a busy simulation cancels most
   * of the timers it sets (a retransmission timer per segment, stopped by its ACK): 500 chatty
   * connections left ~23,000 entries there, 94% of them dead, and every pop sifted through all
   * those levels. Whenever the heap has doubled since the last sweep, the dead are dropped and the
   * rest re-heaped in place. Live events keep their (time, order) keys, so the order they run in
   * does not change. Lane events stay: a lane's next event enters the heap only when its first
   * leaves it.
   */
  private compact(): void {
    const h = this.heap;
    let n = 0;
    for (let i = 0; i < h.length; i++) {
      const ev = h[i];
      if (!ev.cancelled || ev.lane !== null) h[n++] = ev;
    }
    h.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(h[i], i);
    this.compactAt = Math.max(COMPACT_MIN, 2 * n);
  }

  /** Puts `ev` at index `start` or below it, moving smaller children up. */
  private siftDown(ev: Event, start: number): void {
    const h = this.heap;
    const n = h.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r], h[l]) ? r : l;
      if (!this.less(h[c], ev)) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = ev;
  }

  private pop(): Event | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0];
    // The next event of the top's lane takes the top's place; otherwise the heap's last entry does.
    let last = top.lane !== null ? this.nextInLane(top.lane) : undefined;
    if (last === undefined) {
      last = h.pop()!;
      if (last === top) return top;
    }
    this.siftDown(last, 0);
    return top;
  }

  /** The lane's first event is leaving the heap: returns the one after it, if any. */
  private nextInLane(lane: EventLane): Event | undefined {
    lane.head++;
    if (lane.head === lane.events.length) {
      lane.events.length = 0;
      lane.head = 0;
      return undefined;
    }
    // Drop the run consumed so far now and then, so the FIFO does not grow without bound.
    if (lane.head >= 1024 && lane.head * 2 >= lane.events.length) {
      lane.events = lane.events.slice(lane.head);
      lane.head = 0;
    }
    return lane.events[lane.head];
  }
}
