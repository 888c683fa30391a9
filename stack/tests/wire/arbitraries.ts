/**
 * fast-check arbitraries for wire values, shared by the codec's round-trip properties and the
 * TCP robustness fuzzing, so both generate options the same way.
 */
import fc from 'fast-check';
import type { TcpOption } from '../../core/wire/segment.ts';
import { optionSize } from './fixtures.ts';

export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u8 = fc.integer({ min: 0, max: 0xff });

/** Kinds the decoder does not know, so an 'unknown' option survives the round trip as itself. */
const unknownCode = u8.filter((c) => ![0, 1, 2, 3, 4, 5, 8].includes(c));

export interface OptionArbitraryShape {
  /** At most this many SACK blocks in a SACK option. */
  maxSackBlocks: number;
  /** Also generate options of kinds the decoder does not know. */
  unknown: boolean;
}

export function tcpOption({ maxSackBlocks, unknown }: OptionArbitraryShape): fc.Arbitrary<TcpOption> {
  const known: fc.Arbitrary<TcpOption>[] = [
    fc.constant<TcpOption>({ kind: 'nop' }),
    fc.constant<TcpOption>({ kind: 'eol' }),
    u16.map<TcpOption>((value) => ({ kind: 'mss', value })),
    u8.map<TcpOption>((shift) => ({ kind: 'wscale', shift })),
    fc.constant<TcpOption>({ kind: 'sackOK' }),
    fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: maxSackBlocks }).map<TcpOption>((blocks) => ({ kind: 'sack', blocks })),
    fc.record({ val: u32, ecr: u32 }).map<TcpOption>(({ val, ecr }) => ({ kind: 'ts', val, ecr })),
  ];
  if (!unknown) return fc.oneof(...known);
  return fc.oneof(
    ...known,
    fc.record({ code: unknownCode, data: fc.uint8Array({ maxLength: 12 }) }).map<TcpOption>(({ code, data }) => ({ kind: 'unknown', code, data })),
  );
}

/** The longest prefix that fits the 40 bytes a TCP header has for options. */
export function fitOptions(list: TcpOption[]): TcpOption[] {
  let used = 0;
  return list.filter((o) => (used += optionSize(o)) <= 40);
}
