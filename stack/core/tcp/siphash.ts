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

/**
 * SipHash-2-4 of `words` (little-endian 32-bit words, as Linux's siphash_Nu32 lays them out)
 * returning the low 32 bits of the 64-bit result — what Linux keeps for sequence numbers.
 * One function over int32 locals: module-level state or helper calls would box the values
 * above 2^31 as heap numbers, and a SYN flood hashes millions of times.
 */
export function siphashU32(key: SipKey, words: readonly number[]): number {
  return siphashLanes(key, words, false);
}

/** The full 64-bit result as [hi, lo], for test vectors. */
export function siphash64(key: SipKey, words: readonly number[]): [number, number] {
  const lo = siphashLanes(key, words, false);
  return [siphashLanes(key, words, true), lo];
}

function siphashLanes(key: SipKey, words: readonly number[], wantHi: boolean): number {
  let v0h = key.k0hi ^ 0x736f6d65, v0l = key.k0lo ^ 0x70736575;
  let v1h = key.k1hi ^ 0x646f7261, v1l = key.k1lo ^ 0x6e646f6d;
  let v2h = key.k0hi ^ 0x6c796765, v2l = key.k0lo ^ 0x6e657261;
  let v3h = key.k1hi ^ 0x74656462, v3l = key.k1lo ^ 0x79746573;
  const n = words.length;
  // Message blocks of two words, then the final block: a leftover word (if odd) and the length
  // in bytes in the top byte. Each block takes 2 rounds (SipHash-2-…), finalisation 4 (…-4).
  const blocks = (n >> 1) + 1;
  const messageRounds = blocks * 2;
  let mh = 0, ml = 0;
  let lo = 0, h = 0, l = 0;
  for (let r = 0; r < messageRounds + 4; r++) {
    if (r < messageRounds && (r & 1) === 0) {
      const b = r >> 1;
      if (b < blocks - 1) {
        ml = words[2 * b] | 0;
        mh = words[2 * b + 1] | 0;
      } else {
        ml = n & 1 ? words[n - 1] | 0 : 0;
        mh = (n * 4) << 24;
      }
      v3h ^= mh;
      v3l ^= ml;
    }
    if (r === messageRounds) v2l ^= 0xff;
    // SipRound. A 64-bit add carries out of the low word where both addends' top bits are set, or
    // either is and the sum's is not. Computed with bit operations rather than `lo < a ? 1 : 0`:
    // the carry is a coin flip, and as a branch it mispredicted often enough to cost a third of
    // the time (a SYN flood with cookies hashes three times per SYN).
    lo = (v0l + v1l) | 0; v0h = (v0h + v1h + (((v0l & v1l) | ((v0l | v1l) & ~lo)) >>> 31)) | 0; v0l = lo;
    h = (v1h << 13) | (v1l >>> 19); l = (v1l << 13) | (v1h >>> 19); v1h = h ^ v0h; v1l = l ^ v0l;
    h = v0h; v0h = v0l; v0l = h;
    lo = (v2l + v3l) | 0; v2h = (v2h + v3h + (((v2l & v3l) | ((v2l | v3l) & ~lo)) >>> 31)) | 0; v2l = lo;
    h = (v3h << 16) | (v3l >>> 16); l = (v3l << 16) | (v3h >>> 16); v3h = h ^ v2h; v3l = l ^ v2l;
    lo = (v0l + v3l) | 0; v0h = (v0h + v3h + (((v0l & v3l) | ((v0l | v3l) & ~lo)) >>> 31)) | 0; v0l = lo;
    h = (v3h << 21) | (v3l >>> 11); l = (v3l << 21) | (v3h >>> 11); v3h = h ^ v0h; v3l = l ^ v0l;
    lo = (v2l + v1l) | 0; v2h = (v2h + v1h + (((v2l & v1l) | ((v2l | v1l) & ~lo)) >>> 31)) | 0; v2l = lo;
    h = (v1h << 17) | (v1l >>> 15); l = (v1l << 17) | (v1h >>> 15); v1h = h ^ v2h; v1l = l ^ v2l;
    h = v2h; v2h = v2l; v2l = h;
    if (r < messageRounds && (r & 1) === 1) {
      v0h ^= mh;
      v0l ^= ml;
    }
  }
  return (wantHi ? v0h ^ v1h ^ v2h ^ v3h : v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}
