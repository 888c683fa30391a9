/**
 * SipHash-2-4 over 32-bit words with a 128-bit key, the keyed hash Linux uses for ISNs
 * (`secure_tcp_seq`, RFC 6528's F()) and SYN cookies (`cookie_hash`). JavaScript has no fast
 * 64-bit integers, so each 64-bit lane is a (hi, lo) pair of uint32s.
 */
export interface SipKey {
  k0hi: number;
  k0lo: number;
  k1hi: number;
  k1lo: number;
}

export function sipKeyFromWords(w: [number, number, number, number]): SipKey {
  return { k0lo: w[0] >>> 0, k0hi: w[1] >>> 0, k1lo: w[2] >>> 0, k1hi: w[3] >>> 0 };
}

// State lanes v0..v3 as hi/lo pairs, kept module-level so a hash allocates nothing.
let v0h = 0, v0l = 0, v1h = 0, v1l = 0, v2h = 0, v2l = 0, v3h = 0, v3l = 0;

function add(ah: number, al: number, bh: number, bl: number): [number, number] {
  const lo = (al + bl) >>> 0;
  const hi = (ah + bh + (lo < al ? 1 : 0)) >>> 0;
  return [hi, lo];
}

function sipRound(): void {
  let t: [number, number];
  let h: number, l: number;
  // v0 += v1; v1 = rotl(v1,13); v1 ^= v0; v0 = rotl(v0,32)
  t = add(v0h, v0l, v1h, v1l); v0h = t[0]; v0l = t[1];
  h = (v1h << 13) | (v1l >>> 19); l = (v1l << 13) | (v1h >>> 19); v1h = (h ^ v0h) >>> 0; v1l = (l ^ v0l) >>> 0;
  h = v0h; v0h = v0l; v0l = h;
  // v2 += v3; v3 = rotl(v3,16); v3 ^= v2
  t = add(v2h, v2l, v3h, v3l); v2h = t[0]; v2l = t[1];
  h = (v3h << 16) | (v3l >>> 16); l = (v3l << 16) | (v3h >>> 16); v3h = (h ^ v2h) >>> 0; v3l = (l ^ v2l) >>> 0;
  // v0 += v3; v3 = rotl(v3,21); v3 ^= v0
  t = add(v0h, v0l, v3h, v3l); v0h = t[0]; v0l = t[1];
  h = (v3h << 21) | (v3l >>> 11); l = (v3l << 21) | (v3h >>> 11); v3h = (h ^ v0h) >>> 0; v3l = (l ^ v0l) >>> 0;
  // v2 += v1; v1 = rotl(v1,17); v1 ^= v2; v2 = rotl(v2,32)
  t = add(v2h, v2l, v1h, v1l); v2h = t[0]; v2l = t[1];
  h = (v1h << 17) | (v1l >>> 15); l = (v1l << 17) | (v1h >>> 15); v1h = (h ^ v2h) >>> 0; v1l = (l ^ v2l) >>> 0;
  h = v2h; v2h = v2l; v2l = h;
}

function compress(mh: number, ml: number): void {
  v3h = (v3h ^ mh) >>> 0; v3l = (v3l ^ ml) >>> 0;
  sipRound();
  sipRound();
  v0h = (v0h ^ mh) >>> 0; v0l = (v0l ^ ml) >>> 0;
}

/**
 * SipHash-2-4 of `words` (little-endian 32-bit words, as Linux's siphash_Nu32 lays them out)
 * returning the low 32 bits of the 64-bit result — what Linux keeps for sequence numbers.
 */
export function siphashU32(key: SipKey, words: readonly number[]): number {
  v0h = (key.k0hi ^ 0x736f6d65) >>> 0; v0l = (key.k0lo ^ 0x70736575) >>> 0;
  v1h = (key.k1hi ^ 0x646f7261) >>> 0; v1l = (key.k1lo ^ 0x6e646f6d) >>> 0;
  v2h = (key.k0hi ^ 0x6c796765) >>> 0; v2l = (key.k0lo ^ 0x6e657261) >>> 0;
  v3h = (key.k1hi ^ 0x74656462) >>> 0; v3l = (key.k1lo ^ 0x79746573) >>> 0;
  const n = words.length;
  let i = 0;
  for (; i + 1 < n; i += 2) compress(words[i + 1] >>> 0, words[i] >>> 0);
  const bytes = n * 4;
  // Final block: leftover word (if odd) in the low half, message length in the top byte.
  const lastLo = i < n ? words[i] >>> 0 : 0;
  const lastHi = (bytes << 24) >>> 0;
  compress(lastHi, lastLo);
  v2l = (v2l ^ 0xff) >>> 0;
  sipRound();
  sipRound();
  sipRound();
  sipRound();
  return (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}

/** The full 64-bit result as [hi, lo], for test vectors. */
export function siphash64(key: SipKey, words: readonly number[]): [number, number] {
  const lo = siphashU32(key, words);
  return [(v0h ^ v1h ^ v2h ^ v3h) >>> 0, lo];
}
