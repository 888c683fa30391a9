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
import { invariantViolations } from '../../stack/testing/invariants.ts';
import type { TimerName, TraceEvent } from '../../stack/core/observe/trace.ts';
import { withReference } from './side.ts';

/** More events than this in one test means a timer that re-arms itself too soon, or worse. */
export const EVENT_LIMIT = 200_000;
/**
 * More events than this in a row without the virtual clock moving means a zero-delay loop. Every
 * test of the five labs' suites runs fewer than 40 (measured with the limit set to 40), and a loop
 * meets it in a few milliseconds, long before its trace and timers eat the sandbox's memory or its
 * 10 s.
 */
export const SAME_INSTANT_LIMIT = 2_000;
/** A failing test's trace keeps at most its last this-many events (a runaway's would be huge). */
export const TRACE_LIMIT = 5_000;

/** Connection timer names (stack/core/observe/trace.ts) as they label scheduler events. */
const TIMER_LABELS: ReadonlySet<string> = new Set<TimerName>(['retransmit', 'delayed-ack', 'keepalive', 'time-wait', 'fin-wait-2', 'synack', 'persist']);

function fmtSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

function eventName(label: string): string {
  return `"${label}" ${TIMER_LABELS.has(label) ? 'timer' : 'event'}`;
}

export class RunawayError extends Error {
  constructor(readonly at: number, readonly label = '', readonly events = EVENT_LIMIT, readonly sameInstant = 0) {
    super(sameInstant > 0
      ? `your code ran ${sameInstant.toLocaleString('en')} events in a row at t=${fmtSeconds(at)} without the virtual clock moving${label ? `, the last of them the ${eventName(label)}` : ''} — does a timer re-arm itself with no delay (a delay of 0, or a condition that stays true at the boundary)?`
      : `your code ran more than ${events.toLocaleString('en')} events in one test (stopped at t=${fmtSeconds(at)}${label ? `, at the ${eventName(label)}` : ''}) — does a timer re-arm itself too soon, or a segment trigger itself forever?`);
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

  /**
   * `checkInvariants` (authoring runs of the reference): after every step of every registered
   * harness, and when the test ends, the stack's invariantViolations(host) must be empty.
   */
  constructor(readonly seed: number, private readonly checkInvariants = false) {}

  private register(h: PeerHarness): PeerHarness {
    if (this.harnesses.includes(h)) return h;
    if (this.checkInvariants) {
      h.steps.check = () => {
        const v = invariantViolations(h.host);
        return v.length ? `the stack broke an invariant: ${v.join('; ')}` : null;
      };
    }
    // One budget per harness, kept by the scheduler itself (every way of running events is
    // bounded): a runaway stops this test with the loop named, and the other tests still run.
    h.world.sched.setBudget({
      events: EVENT_LIMIT,
      sameInstant: SAME_INSTANT_LIMIT,
      exceeded: (x) => {
        throw new RunawayError(x.at, x.label, x.events, x.limit === 'instant' ? x.sameInstant : 0);
      },
    });
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

  /** The test has returned: the state its last step left must hold the invariants too. */
  finish(): void {
    for (const h of this.harnesses) h.steps.checkNow();
  }

  /** The trace of the most recent harness (the one a failure is about). */
  trace(): TraceEvent[] {
    const h = this.harnesses[this.harnesses.length - 1];
    if (!h) return [];
    const events = h.world.trace.events;
    return events.length > TRACE_LIMIT ? events.slice(events.length - TRACE_LIMIT) : events.slice();
  }
}
