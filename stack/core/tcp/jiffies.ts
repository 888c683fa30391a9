/**
 * The kernel's clock tick. Linux keeps several TCP timers and times in jiffies; the 6.18 kernel
 * measured for this stack runs at HZ = 250 (KERNEL.md finding 22), so they move in 4 ms steps.
 */

/** One jiffy at HZ = 250, in ms. */
export const JIFFY_MS = 4;

/** TCP_TIMEOUT_MIN: two jiffies. */
export const TCP_TIMEOUT_MIN_JIFFIES = 2;
export const TCP_TIMEOUT_MIN_MS = TCP_TIMEOUT_MIN_JIFFIES * JIFFY_MS;

/** The jiffies count at virtual time `now` (ms): whole ticks since time 0. */
export function jiffiesAt(now: number): number {
  return Math.floor(now / JIFFY_MS);
}

/**
 * When a jiffies timer of `ms` armed now fires, as a delay from now: the delay is rounded up to
 * ticks, `extraJiffies` are added, and the sum counts from the current tick.
 */
export function jiffiesDelay(now: number, ms: number, extraJiffies: number): number {
  const due = (jiffiesAt(now) + Math.ceil(ms / JIFFY_MS) + extraJiffies) * JIFFY_MS;
  return due - now;
}
