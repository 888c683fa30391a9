/**
 * What a lab test receives: its seed, scripted-peer harnesses from stack/testing (each registered
 * so a failure can return its trace), and `fixture()`, which builds a starting state with the
 * reference implementation before the learner's code takes over.
 *
 * Why fixtures run the reference: a handshake test of task 2 must start in SYN_SENT even while the
 * learner's ISN code (task 1) is a stub, and the teardown lab must reach ESTABLISHED without the
 * learner's code. (Calls inside the learner's own file stay there: see labs/README.md.) So a fixture runs with
 * the reference version of the lab's files (labSide.learner = false); when it returns, every
 * later call — segments arriving, timers firing, syscalls — runs the learner's version. State
 * built by the reference (a TCB in SYN_SENT, a request sock) is plain data both versions share.
 * Timers a fixture armed fire later under the learner's code, which is what a test expects.
 */
import { PeerHarness, type HarnessOptions } from '../../stack/testing/harness.ts';
import type { TraceEvent } from '../../stack/core/observe/trace.ts';
import { withReference } from './side.ts';

/** More events than this in one test means a timer that re-arms itself with no delay, or worse. */
export const EVENT_LIMIT = 200_000;

export class RunawayError extends Error {
  constructor(readonly at: number) {
    super(`the simulation ran more than ${EVENT_LIMIT.toLocaleString('en')} events in one test (stopped at t=${at} ms) — does a timer re-arm itself with no delay, or a segment trigger itself forever?`);
    this.name = 'RunawayError';
  }
}

export interface LabTestContext {
  readonly seed: number;
  /**
   * Builds a starting state with the reference implementation of the lab's files, e.g.
   * `t.fixture('client in SYN_SENT', (o) => synSent({ ...o }))` with the driven fixtures of
   * stack/testing. `o` carries this test's seed. The fixture's harness is registered (trace on
   * failure, runaway guard) and a step says the steps so far ran on the reference.
   */
  fixture<F extends { h: PeerHarness }>(text: string, build: (o: { seed: number }) => F): F;
  /** A bare harness (stack/testing/harness.ts) for setups no fixture covers; the learner's code runs. */
  harness(options?: Omit<HarnessOptions, 'seed'>): PeerHarness;
  /** Runs one action on the reference implementation (recorded as a step), e.g. arming state mid-test. */
  reference<T>(h: PeerHarness, text: string, fn: () => T): T;
}

export class TestContext implements LabTestContext {
  readonly harnesses: PeerHarness[] = [];

  constructor(readonly seed: number) {}

  private register(h: PeerHarness): PeerHarness {
    if (this.harnesses.includes(h)) return h;
    const sched = h.world.sched;
    const step = sched.step.bind(sched);
    const runUntil = sched.runUntil.bind(sched);
    // One budget per harness, counted by the scheduler itself: runUntil's loop runs events
    // without going through step(), so both entry points are bounded.
    const start = sched.eventsRun;
    const left = () => EVENT_LIMIT - (sched.eventsRun - start);
    sched.step = () => {
      if (left() <= 0) throw new RunawayError(sched.now);
      return step();
    };
    sched.runUntil = (time: number, maxEvents = Infinity) => {
      const budget = left();
      if (budget <= 0) throw new RunawayError(sched.now);
      try {
        runUntil(time, Math.min(maxEvents, budget));
      } catch (err) {
        if (budget < maxEvents && left() <= 0 && err instanceof Error && /^runaway simulation/.test(err.message)) throw new RunawayError(sched.now);
        throw err;
      }
    };
    this.harnesses.push(h);
    return h;
  }

  harness(options: Omit<HarnessOptions, 'seed'> = {}): PeerHarness {
    return this.register(new PeerHarness({ ...options, seed: this.seed }));
  }

  fixture<F extends { h: PeerHarness }>(text: string, build: (o: { seed: number }) => F): F {
    const f = withReference(() => build({ seed: this.seed }));
    this.register(f.h);
    f.h.steps.record('action', `fixture ready: ${text} (the steps above ran the reference code; from here on your code runs)`);
    return f;
  }

  reference<T>(h: PeerHarness, text: string, fn: () => T): T {
    this.register(h);
    h.steps.record('action', `${text} (reference code)`);
    return withReference(fn);
  }

  /** The trace of the most recent harness (the one a failure is about). */
  trace(): TraceEvent[] {
    const h = this.harnesses[this.harnesses.length - 1];
    return h ? h.world.trace.events.slice() : [];
  }
}
