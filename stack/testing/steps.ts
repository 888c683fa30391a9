/**
 * The step recorder (CS144 minnow's TestHarness in spirit): every action and expectation a test
 * performs is a numbered step stamped with the virtual time. When an expectation fails, the error
 * lists the steps that ran, the failing one, expected against actual, the seed and the recent
 * segments, so a learner sees the whole story of the run, not one assertion.
 */

export type StepKind = 'action' | 'expect';

/** One step as the labs' results document stores it (`steps: [{ n, kind, text, ok }]`). */
export interface Step {
  n: number;
  kind: StepKind;
  /** Virtual time (ms) at which the step ran. */
  t: number;
  /** "t=0 ms  peer → host: S 0:0(0) win 64240 <mss 1460>". */
  text: string;
  ok: boolean;
}

export interface FailureDetail {
  /** One sentence for the learner: "expected a SYN-ACK acknowledging ISN+1 = 1001, but it acknowledged 1000". */
  message: string;
  expected?: string;
  actual?: string;
}

/** What a failed expectation throws. `steps`, `seed` and `detail` are there for graders. */
export class TcpTestFailure extends Error {
  constructor(
    message: string,
    readonly detail: FailureDetail,
    readonly steps: readonly Step[],
    readonly seed: number,
  ) {
    super(message);
    this.name = 'TcpTestFailure';
  }
}

export function fmtTime(t: number): string {
  return `t=${Number.isInteger(t) ? t : t.toFixed(3)} ms`;
}

export class StepRecorder {
  readonly steps: Step[] = [];
  /**
   * Asked before each new step is recorded, so after every step that ran: a sentence if the world
   * is wrong now (an authoring run checks the stack's invariants), and the test fails there.
   */
  check: (() => string | null) | null = null;

  constructor(
    private readonly clock: () => number,
    readonly seed: number,
    /** Lines of recent wire activity for failure messages (newest last). */
    private readonly recent: () => string[],
  ) {}

  /** Records a step that succeeded; returns it. */
  record(kind: StepKind, text: string, t = this.clock()): Step {
    this.checkNow();
    const step: Step = { n: this.steps.length + 1, kind, t, text: `${fmtTime(t)}  ${text}`, ok: true };
    this.steps.push(step);
    return step;
  }

  /** Runs `check` on the world as the last step left it; a problem fails the test, naming that step. */
  checkNow(): void {
    const problem = this.check?.();
    if (!problem) return;
    const last = this.steps[this.steps.length - 1];
    this.fail('the stack\'s invariants hold', { message: `${last ? `after step ${last.n} (${last.text}) ` : ''}${problem}` });
  }

  /** Records a failed expectation and throws the learner-facing error. */
  fail(text: string, detail: FailureDetail, t = this.clock()): never {
    const step: Step = { n: this.steps.length + 1, kind: 'expect', t, text: `${fmtTime(t)}  ${text}`, ok: false };
    this.steps.push(step);
    const lines: string[] = [];
    lines.push(`step ${step.n} failed (${fmtTime(t)}): ${detail.message}`);
    lines.push('');
    lines.push('Steps that ran:');
    for (const s of this.steps) {
      const line = `${String(s.n).padStart(4)}. ${s.kind === 'action' ? 'do:    ' : 'expect:'} ${s.text}`;
      lines.push(s.ok ? line : `***** ${line.trimStart()} *****`);
    }
    if (detail.expected !== undefined || detail.actual !== undefined) {
      lines.push('');
      if (detail.expected !== undefined) lines.push(`expected: ${detail.expected}`);
      if (detail.actual !== undefined) lines.push(`actual:   ${detail.actual}`);
    }
    lines.push('');
    lines.push(`seed: ${this.seed}`);
    const recent = this.recent();
    if (recent.length) {
      lines.push('recent segments (packetdrill notation, numbers relative to each side\'s ISN):');
      for (const r of recent) lines.push(`  ${r}`);
    }
    throw new TcpTestFailure(lines.join('\n'), detail, this.steps.slice(), this.seed);
  }
}
