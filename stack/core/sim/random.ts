/**
 * Seeded PRNG (xoshiro128**, seeded through splitmix32). Every random choice in the simulator
 * comes from one of these, so a seed reproduces a run byte for byte.
 */
export class Random {
  // The state words are kept as int32 (`| 0`), not uint32: V8 stores small integers in place,
  // while a uint32 above 2^31 is a double and each draw converted it back and forth.
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) | 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    const b = this.b;
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const c = this.c ^ this.a;
    const d = this.d ^ b;
    this.b = b ^ c;
    this.a ^= d;
    this.c = c ^ (b << 9);
    this.d = rotl(d, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** An independent stream derived from this one, so adding a consumer does not shift others. */
  fork(): Random {
    return new Random(this.u32() ^ 0x5bd1e995);
  }
}

/** Rotate left, as int32. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
