/**
 * One line per check, a time limit per check, and the tally `N passed, N failed`.
 */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

/** Fails the current check with `message` unless `cond` holds. */
export function expectThat(cond: boolean, message: string): asserts cond {
  if (!cond) throw new CheckFailure(message);
}

export class Report {
  passed = 0;
  failed = 0;

  constructor(private readonly write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {}

  /** Runs one check; its resolved string is the detail printed after "ok". Never throws. */
  async check(name: string, fn: () => Promise<string>, timeoutMs = 30_000): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CheckFailure(`no result within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      const detail = await Promise.race([fn(), timeout]);
      this.passed++;
      this.write(`ok   ${name}${detail ? ` — ${detail}` : ''}`);
      return true;
    } catch (err) {
      this.failed++;
      const e = err as Error;
      this.write(`FAIL ${name} — ${e instanceof CheckFailure ? e.message : (e.stack ?? e.message)}`);
      return false;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  summary(): string {
    return `${this.passed} passed, ${this.failed} failed`;
  }
}

export interface Step {
  name: string;
  run: () => Promise<string>;
}

/**
 * Runs a scenario's steps in order. A step that fails ends the scenario; the steps after it
 * depend on it, so they are reported as failed without running.
 */
export async function runScenario(report: Report, steps: Step[]): Promise<void> {
  for (let i = 0; i < steps.length; i++) {
    if (await report.check(steps[i].name, steps[i].run)) continue;
    for (const later of steps.slice(i + 1)) {
      await report.check(later.name, () => Promise.reject(new CheckFailure(`not run: "${steps[i].name}" failed`)));
    }
    return;
  }
}
