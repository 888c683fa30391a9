/**
 * The workshop join token and the limit on guessing it.
 *
 * Six words from TOKEN_WORDS (~64 bits): read aloud in a room ("amber, falcon, ...") far more
 * reliably than a string of letters, and typed with spaces, hyphens or in capitals alike. With at
 * most ATTEMPTS_PER_WINDOW wrong guesses per address per minute, guessing is hopeless even before
 * the 64 bits: a year of guessing from one address covers about 10^7 of 10^19 tokens.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { TOKEN_WORDS } from './token-words.ts';

export const TOKEN_WORD_COUNT = 6;

/** The bits of a token made by makeJoinToken (log2 of the number of tokens). */
export const TOKEN_BITS = TOKEN_WORD_COUNT * Math.log2(TOKEN_WORDS.length);

export function makeJoinToken(): string {
  return Array.from({ length: TOKEN_WORD_COUNT }, () => TOKEN_WORDS[randomInt(TOKEN_WORDS.length)]).join('-');
}

/** One spelling of a token: lower case, words joined by single hyphens, whatever was typed between them. */
export function normaliseToken(text: string): string {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join('-');
}

export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length > 512) return false;
  const a = Buffer.from(normaliseToken(given));
  const b = Buffer.from(normaliseToken(expected));
  return a.length === b.length && timingSafeEqual(a, b);
}

export const ATTEMPTS_PER_WINDOW = 10;
export const ATTEMPT_WINDOW_MS = 60_000;

/**
 * Wrong join tokens per address in a sliding minute. Once an address has made
 * ATTEMPTS_PER_WINDOW wrong guesses, every request it makes (right token or not) is refused until
 * the oldest guess leaves the window, so guessing cannot continue behind the 429s.
 */
export class TokenAttempts {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = ATTEMPTS_PER_WINDOW,
    private readonly windowMs = ATTEMPT_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    const list = (this.failures.get(address) ?? []).filter((t) => t > since);
    if (list.length) this.failures.set(address, list);
    else this.failures.delete(address);
    return list;
  }

  /** Seconds this address must wait before it may try again, or 0. */
  blockedFor(address: string): number {
    const list = this.recent(address);
    if (list.length < this.limit) return 0;
    return Math.max(1, Math.ceil((list[list.length - this.limit] + this.windowMs - this.now()) / 1000));
  }

  /** Records a wrong token; returns the wrong tokens from this address in the window. */
  fail(address: string): number {
    const list = this.recent(address);
    list.push(this.now());
    this.failures.set(address, list);
    // A room has tens of addresses; a scan of thousands is cut down to the recent ones.
    if (this.failures.size > 10_000) for (const key of this.failures.keys()) this.recent(key);
    return list.length;
  }
}
