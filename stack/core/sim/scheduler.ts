/**
 * The virtual clock. Time is in milliseconds (fractions allowed) and moves only when the
 * scheduler runs an event, so a simulated day takes as long as the events in it.
 * Ties run in the order they were scheduled: same seed, same order, same trace.
 */
export interface TimerHandle {
  readonly at: number;
  readonly label: string;
  cancelled: boolean;
}

interface Event extends TimerHandle {
  seq: number;
  fn: () => void;
}

export class Scheduler {
  private heap: Event[] = [];
  private seqCounter = 0;
  private current = 0;
  /** Events run so far; the benchmark and runaway guards read it. */
  eventsRun = 0;

  get now(): number {
    return this.current;
  }

  at(time: number, fn: () => void, label = ''): TimerHandle {
    if (!(time >= this.current)) {
      throw new RangeError(`cannot schedule "${label}" at ${time} ms: the clock is already at ${this.current} ms`);
    }
    const ev: Event = { at: time, seq: this.seqCounter++, fn, label, cancelled: false };
    this.push(ev);
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
    const ev = this.pop();
    if (!ev) return false;
    this.current = ev.at;
    this.eventsRun++;
    ev.fn();
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
      this.pop();
      this.current = top.at;
      this.eventsRun++;
      top.fn();
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
    for (const ev of this.heap) if (!ev.cancelled) n++;
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
  }

  private pop(): Event | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    const n = h.length;
    if (n) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.less(h[r], h[l]) ? r : l;
        if (!this.less(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
