/**
 * SipHash-2-4 (ISNs, timestamp offsets and SYN cookies all depend on it): the 32-bit-lane
 * implementation against a plain 64-bit BigInt one, and that one against the published vectors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { siphash64, siphashU32, sipKeyFromWords } from '../../core/tcp/siphash.ts';

const MASK = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & MASK;

/** SipHash-2-4 over bytes, written straight from the paper (Aumasson & Bernstein, 2012). */
function referenceSiphash(key: Uint8Array, msg: Uint8Array): bigint {
  const u64 = (b: Uint8Array, at: number) => {
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i] ?? 0);
    return v;
  };
  const k0 = u64(key, 0);
  const k1 = u64(key, 8);
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & MASK; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & MASK; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & MASK; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const whole = msg.length - (msg.length % 8);
  const last = new Uint8Array(8);
  last.set(msg.subarray(whole));
  last[7] = msg.length & 0xff;
  for (let at = 0; at <= whole; at += 8) {
    const m = at < whole ? u64(msg, at) : u64(last, 0);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

/** Little-endian 32-bit words as bytes, the layout siphash_Nu32 hashes. */
function wordBytes(words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  words.forEach((w, i) => {
    for (let b = 0; b < 4; b++) out[i * 4 + b] = (w >>> (8 * b)) & 0xff;
  });
  return out;
}

describe('SipHash-2-4', () => {
  it('the reference agrees with the published vectors (key 00..0f)', () => {
    expect(referenceSiphash(bytes(16), bytes(0))).toBe(0x726fdb47dd0e0e31n);
    expect(referenceSiphash(bytes(16), bytes(8))).toBe(0x93f5f5799a932462n);
    // The paper's worked example: the 15-byte message 00..0e.
    expect(referenceSiphash(bytes(16), bytes(15))).toBe(0xa129ca6149be45e5n);
  });

  it('the word-lane implementation gives the same 64 bits as the reference, for 0 to 6 words', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(fc.tuple(u32, u32, u32, u32), fc.array(u32, { maxLength: 6 }), (k, words) => {
        const key = sipKeyFromWords(k);
        const want = referenceSiphash(wordBytes(k), wordBytes(words));
        const [hi, lo] = siphash64(key, words);
        expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(want);
        expect(siphashU32(key, words)).toBe(Number(want & 0xffffffffn));
      }),
      { numRuns: 500 },
    );
  });

  it('carries across the 32-bit lanes: keys and words with every top bit set', () => {
    const key = sipKeyFromWords([0xffffffff, 0x80000000, 0xffffffff, 0x7fffffff]);
    const words = [0xffffffff, 0xffffffff, 0x80000000, 0xfffffffe];
    const want = referenceSiphash(wordBytes([0xffffffff, 0x80000000, 0xffffffff, 0x7fffffff]), wordBytes(words));
    const [hi, lo] = siphash64(key, words);
    expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(want);
  });
});
