/**
 * Maps virtual time onto one axis of a drawing. TCP runs mix microsecond round trips with
 * minutes of idle (TIME_WAIT 60 s, keepalive 7200 s), so a linear axis cannot show both: short
 * gaps grow with the logarithm of their length, and gaps longer than `breakAfterMs` become a
 * fixed-size break that the figure labels with the skipped duration.
 */

export interface TimeKey {
  t: number;
  /** Pixels this instant needs before it (e.g. a label drawn above). */
  before?: number;
  /** Pixels this instant needs after it (e.g. stacked state labels). */
  after?: number;
}

export interface TimeBreak {
  /** The two key times the break separates. */
  t0: number;
  t1: number;
  /** Pixel range the break marker may use. */
  p0: number;
  p1: number;
}

export interface TimeScale {
  /** Position of a time; interpolates between keys, clamps outside them. */
  at(t: number): number;
  breaks: TimeBreak[];
  /** Sorted distinct key times. */
  times: number[];
  first: number;
  last: number;
  /** Position just past the last key, including its `after` room. */
  extent: number;
}

export interface TimeScaleOptions {
  origin: number;
  /** Pixels for an ordinary gap of dt ms (dt > 0). */
  pxFor(dtMs: number): number;
  breakAfterMs: number;
  breakPx: number;
}

export function buildTimeScale(keys: readonly TimeKey[], opts: TimeScaleOptions): TimeScale {
  const before = new Map<number, number>();
  const after = new Map<number, number>();
  for (const k of keys) {
    if (!Number.isFinite(k.t)) throw new RangeError(`time axis: not a finite time: ${k.t}`);
    before.set(k.t, Math.max(before.get(k.t) ?? 0, k.before ?? 0));
    after.set(k.t, Math.max(after.get(k.t) ?? 0, k.after ?? 0));
  }
  const times = [...before.keys()].sort((a, b) => a - b);
  if (times.length === 0) times.push(0);
  const pos: number[] = [opts.origin + (before.get(times[0]) ?? 0)];
  const breaks: TimeBreak[] = [];
  for (let i = 1; i < times.length; i++) {
    const dt = times[i] - times[i - 1];
    const room = (after.get(times[i - 1]) ?? 0) + (before.get(times[i]) ?? 0);
    if (dt > opts.breakAfterMs) {
      const p0 = pos[i - 1] + (after.get(times[i - 1]) ?? 0);
      const p1 = p0 + opts.breakPx;
      breaks.push({ t0: times[i - 1], t1: times[i], p0, p1 });
      pos.push(p1 + (before.get(times[i]) ?? 0));
    } else {
      pos.push(pos[i - 1] + Math.max(room, opts.pxFor(dt)));
    }
  }
  const last = times[times.length - 1];
  const at = (t: number): number => {
    if (t <= times[0]) return pos[0];
    if (t >= last) return pos[pos.length - 1];
    let lo = 0;
    let hi = times.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= t) lo = mid;
      else hi = mid;
    }
    const f = (t - times[lo]) / (times[hi] - times[lo]);
    return pos[lo] + f * (pos[hi] - pos[lo]);
  };
  return {
    at,
    breaks,
    times,
    first: times[0],
    last,
    extent: pos[pos.length - 1] + (after.get(last) ?? 0),
  };
}
