/**
 * The hint ladder and the solution's reveal policy (labs/README.md: `solution.policy` is
 * always | after-pass | after-attempts:N | instructor). Pure, so the rules are tested apart from
 * the page.
 */
import type { LabSave } from './lab-save.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export type SolutionPolicy = { kind: 'always' } | { kind: 'after-pass' } | { kind: 'after-attempts'; attempts: number } | { kind: 'instructor' };

export function parseSolutionPolicy(text: string): SolutionPolicy {
  if (text === 'always' || text === 'after-pass' || text === 'instructor') return { kind: text };
  const match = /^after-attempts:(\d+)$/.exec(text);
  if (match && Number(match[1]) >= 1) return { kind: 'after-attempts', attempts: Number(match[1]) };
  throw new Error(`Unknown solution policy "${text}" (expected always, after-pass, after-attempts:N or instructor)`);
}

export interface Reveal {
  available: boolean;
  /** Learner-facing: why it is (not yet) available. */
  reason: string;
}

export function solutionReveal(policy: SolutionPolicy, save: Pick<LabSave, 'passed' | 'attempts'>, instructor = false, t: WorkbenchStrings = WORKBENCH_EN): Reveal {
  switch (policy.kind) {
    case 'always':
      return { available: true, reason: t.revealAlways };
    case 'after-pass':
      return save.passed ? { available: true, reason: t.revealPassed } : { available: false, reason: t.revealAfterPass };
    case 'after-attempts': {
      const left = policy.attempts - save.attempts.hidden;
      return left <= 0 || save.passed
        ? { available: true, reason: t.revealAttemptsDone(save.attempts.hidden) }
        : { available: false, reason: t.revealAttemptsLeft(policy.attempts, left) };
    }
    case 'instructor':
      return instructor ? { available: true, reason: t.revealInstructorMode } : { available: false, reason: t.revealByInstructor };
  }
}

export interface HintLevel {
  kind: string;
  text: string;
}

/** The next hint on a task's ladder, or null when every level is already shown. */
export function nextHint(ladder: readonly HintLevel[], shown: number): { level: number; hint: HintLevel } | null {
  if (shown >= ladder.length) return null;
  return { level: shown + 1, hint: ladder[shown] };
}
