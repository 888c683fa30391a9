/**
 * What a workshop name may be, shared by the course server (record.ts, the last word) and the
 * learner's page (server-runner.ts, which checks before it asks the server, so it can say why in
 * the page's language). Plain code: the page bundles this module too.
 */
export const NAME_MAX = 40;

/** Why a name was refused; the page words each reason in its edition. */
export type NameProblem = 'empty' | 'too-long' | 'control';

/**
 * Control characters would break the CSV and the page; bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069) would make a name on the dashboard look like another one or
 * reorder the cells around it. None of them has a place in a name.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Trimmed, single-line, 1..NAME_MAX characters; what the dashboard shows. */
export function learnerName(raw: unknown): { name: string } | { problem: NameProblem } {
  if (typeof raw !== 'string') return { problem: 'empty' };
  // Runs of white space (tabs and line breaks too) become one space, so a name is one line.
  const name = raw.replace(/\s+/g, ' ').trim();
  if (!name) return { problem: 'empty' };
  if ([...name].length > NAME_MAX) return { problem: 'too-long' };
  if (FORBIDDEN.test(name)) return { problem: 'control' };
  return { name };
}

const REASONS: Record<NameProblem, string> = {
  empty: 'a name is needed to join',
  'too-long': `a name of at most ${NAME_MAX} characters, please`,
  control: 'a name without control characters, please',
};

/** The server's English sentence for a refused name (the API's `error`). */
export function nameProblemText(problem: NameProblem): string {
  return REASONS[problem];
}
