/**
 * The hint ladder and the solution's reveal policy (labs/README.md: `solution.policy` is
 * always | after-pass | after-attempts:N | instructor). Pure, so the rules are tested apart from
 * the page.
 */
import type { LabSave } from './lab-save.ts';

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

export function solutionReveal(policy: SolutionPolicy, save: Pick<LabSave, 'passed' | 'attempts'>, instructor = false): Reveal {
  switch (policy.kind) {
    case 'always':
      return { available: true, reason: 'This lab shows its solution whenever you ask.' };
    case 'after-pass':
      return save.passed
        ? { available: true, reason: 'You passed every hidden test, so the reference solution is open to compare.' }
        : { available: false, reason: 'The solution opens once Submit passes every hidden test.' };
    case 'after-attempts': {
      const left = policy.attempts - save.attempts.hidden;
      return left <= 0 || save.passed
        ? { available: true, reason: `You have submitted ${save.attempts.hidden} time(s); the solution is open.` }
        : { available: false, reason: `The solution opens after ${policy.attempts} submissions (${left} to go).` };
    }
    case 'instructor':
      return instructor
        ? { available: true, reason: 'Instructor mode: the solution is shown.' }
        : { available: false, reason: 'Your instructor reveals this solution in the session.' };
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
