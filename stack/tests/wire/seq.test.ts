import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seqAdd, seqGeq, seqGt, seqInRange, seqLeq, seqLt, seqMax, seqMin, seqSub } from '../../core/seq.ts';

describe('sequence arithmetic modulo 2^32 (RFC 9293 §3.4)', () => {
  it('adds with wrap-around and returns unsigned 32-bit values', () => {
    expect(seqAdd(0xffffffff, 1)).toBe(0);
    expect(seqAdd(0xfffffff0, 0x20)).toBe(0x10);
    expect(seqAdd(5, -10)).toBe(0xfffffffb);
    expect(seqAdd(0x7fffffff, 1)).toBe(0x80000000);
  });

  it('subtracts to a signed 32-bit distance', () => {
    expect(seqSub(0x10, 0xfffffff0)).toBe(0x20);
    expect(seqSub(0xfffffff0, 0x10)).toBe(-0x20);
    expect(seqSub(7, 7)).toBe(0);
    expect(seqSub(0x80000000, 0)).toBe(-0x80000000);
  });

  it('orders numbers across the wrap', () => {
    expect(seqLt(0xfffffff0, 0x10)).toBe(true);
    expect(seqGt(0x10, 0xfffffff0)).toBe(true);
    expect(seqLt(0x10, 0xfffffff0)).toBe(false);
    expect(seqGt(0xfffffff0, 0x10)).toBe(false);
    expect(seqLeq(0xffffffff, 0)).toBe(true);
    expect(seqGeq(0, 0xffffffff)).toBe(true);
    expect(seqLeq(5, 5) && seqGeq(5, 5)).toBe(true);
    expect(seqLt(5, 5) || seqGt(5, 5)).toBe(false);
    // Plain numeric order would say the opposite for these:
    expect(seqLt(0x7fffffff, 0x80000000)).toBe(true);
    expect(seqLt(0x00000001, 0x80000000)).toBe(true);
    expect(seqLt(0x00000001, 0x80000002)).toBe(false);
  });

  it('picks the later / earlier number across the wrap', () => {
    expect(seqMax(0xfffffff0, 0x10)).toBe(0x10);
    expect(seqMin(0xfffffff0, 0x10)).toBe(0xfffffff0);
    expect(seqMax(3, 9)).toBe(9);
    expect(seqMin(3, 9)).toBe(3);
    expect(seqMax(-1, 0)).toBe(0);
    expect(seqMin(-1, 0)).toBe(0xffffffff);
  });

  it('tests lo ≤ x < hi with a window straddling 2^32', () => {
    const lo = 0xfffffff0;
    const hi = 0x10;
    expect(seqInRange(lo, lo, hi)).toBe(true);
    expect(seqInRange(0xffffffff, lo, hi)).toBe(true);
    expect(seqInRange(0, lo, hi)).toBe(true);
    expect(seqInRange(0x0f, lo, hi)).toBe(true);
    expect(seqInRange(hi, lo, hi)).toBe(false);
    expect(seqInRange(lo - 1, lo, hi)).toBe(false);
    expect(seqInRange(0x80000000, lo, hi)).toBe(false);
  });

  it('treats lo === hi as an empty window', () => {
    expect(seqInRange(5, 5, 5)).toBe(false);
    expect(seqInRange(6, 5, 5)).toBe(false);
  });

  it('agrees with arithmetic on unwrapped integers (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: -0x7fffffff, max: 0x7fffffff }), (base, d) => {
        const a = seqAdd(base, d);
        expect(seqSub(a, base)).toBe(d);
        expect(seqLt(base, a)).toBe(d > 0);
        expect(seqGt(base, a)).toBe(d < 0);
        expect(seqLeq(base, a)).toBe(d >= 0);
        expect(seqGeq(base, a)).toBe(d <= 0);
        expect(seqMax(base, a)).toBe(d > 0 ? a : base);
        expect(seqMin(base, a)).toBe(d < 0 ? a : base);
      }),
    );
  });

  it('seqInRange matches "offset from lo is below the window size" (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.nat({ max: 0x7fffffff }), fc.integer({ min: -10, max: 0x7fffffff }), (lo, size, off) => {
        const hi = seqAdd(lo, size);
        const x = seqAdd(lo, off);
        expect(seqInRange(x, lo, hi)).toBe(off >= 0 && off < size);
      }),
    );
  });
});
