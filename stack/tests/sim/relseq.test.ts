import { describe, expect, it } from 'vitest';
import { RelativeSequence } from '../../core/observe/relseq.ts';
import { ACK, FIN, PSH, RST, SYN } from '../../core/wire/segment.ts';
import { c2s, s2c } from './fixtures.ts';

const data = (n: number) => new Uint8Array(n);

function rel(r: RelativeSequence, seg: Parameters<RelativeSequence['observe']>[0]): [number, number] {
  const { relSeq, relAck } = r.observe(seg);
  return [relSeq, relAck];
}

describe('RelativeSequence', () => {
  it('counts each direction from its own ISN across a handshake, data and teardown', () => {
    const r = new RelativeSequence();
    const C = 3_000_000_000; // client ISN
    const S = 123_456; // server ISN
    expect(rel(r, c2s({ flags: SYN, seq: C }))).toEqual([0, 0]);
    expect(rel(r, s2c({ flags: SYN | ACK, seq: S, ack: C + 1 }))).toEqual([0, 1]);
    expect(rel(r, c2s({ flags: ACK, seq: C + 1, ack: S + 1 }))).toEqual([1, 1]);
    expect(rel(r, c2s({ flags: PSH | ACK, seq: C + 1, ack: S + 1, payload: data(100) }))).toEqual([1, 1]);
    expect(rel(r, s2c({ flags: ACK, seq: S + 1, ack: C + 101 }))).toEqual([1, 101]);
    expect(rel(r, s2c({ flags: PSH | ACK, seq: S + 1, ack: C + 101, payload: data(20) }))).toEqual([1, 101]);
    expect(rel(r, c2s({ flags: FIN | ACK, seq: C + 101, ack: S + 21 }))).toEqual([101, 21]);
    expect(rel(r, s2c({ flags: FIN | ACK, seq: S + 21, ack: C + 102 }))).toEqual([21, 102]);
    expect(rel(r, c2s({ flags: ACK, seq: C + 102, ack: S + 22 }))).toEqual([102, 22]);
  });

  it('keeps counting up when the absolute numbers wrap past 2^32', () => {
    const r = new RelativeSequence();
    const C = 0xffff_fff0;
    expect(rel(r, c2s({ flags: SYN, seq: C }))).toEqual([0, 0]);
    expect(rel(r, s2c({ flags: SYN | ACK, seq: 0xffff_ffff, ack: 0xffff_fff1 }))).toEqual([0, 1]);
    // The client's data runs from 0xfffffff1 over the wrap to 0x00000021.
    expect(rel(r, c2s({ flags: PSH | ACK, seq: 0xffff_fff1, ack: 0, payload: data(48) }))).toEqual([1, 1]);
    expect(rel(r, s2c({ flags: ACK, seq: 0, ack: 0x0000_0021 }))).toEqual([1, 49]);
    expect(rel(r, c2s({ flags: PSH | ACK, seq: 0x0000_0021, ack: 0, payload: data(10) }))).toEqual([49, 1]);
  });

  it('returns unsigned numbers even for a segment before the ISN', () => {
    const r = new RelativeSequence();
    r.observe(c2s({ flags: SYN, seq: 500 }));
    expect(r.observe(c2s({ flags: RST, seq: 499 })).relSeq).toBe(0xffff_ffff);
  });

  it('starts over when a new SYN with a new ISN reuses the 4-tuple', () => {
    const r = new RelativeSequence();
    r.observe(c2s({ flags: SYN, seq: 1000 }));
    r.observe(s2c({ flags: SYN | ACK, seq: 5000, ack: 1001 }));
    r.observe(c2s({ flags: FIN | ACK, seq: 1001, ack: 5001 }));
    // Same ports, later: a new connection with fresh ISNs on both sides.
    expect(rel(r, c2s({ flags: SYN, seq: 90_000 }))).toEqual([0, 0]);
    expect(rel(r, s2c({ flags: SYN | ACK, seq: 700, ack: 90_001 }))).toEqual([0, 1]);
    expect(rel(r, c2s({ flags: ACK, seq: 90_001, ack: 701 }))).toEqual([1, 1]);
  });

  it('keeps the bases for a retransmitted SYN (same ISN)', () => {
    const r = new RelativeSequence();
    r.observe(c2s({ flags: SYN, seq: 1000 }));
    r.observe(s2c({ flags: SYN | ACK, seq: 5000, ack: 1001 }));
    expect(rel(r, c2s({ flags: SYN, seq: 1000 }))).toEqual([0, 0]);
    expect(rel(r, c2s({ flags: ACK, seq: 1001, ack: 5001 }))).toEqual([1, 1]);
  });

  it('shows relAck 0 when the ACK bit is clear, whatever the ack field holds', () => {
    const r = new RelativeSequence();
    r.observe(c2s({ flags: SYN, seq: 1000 }));
    r.observe(s2c({ flags: SYN | ACK, seq: 5000, ack: 1001 }));
    expect(rel(r, c2s({ flags: RST, seq: 1001, ack: 9999 }))).toEqual([1, 0]);
  });

  it('without a SYN, starts the direction at 1 and learns the other side from its ACK, as Wireshark does', () => {
    const r = new RelativeSequence();
    expect(rel(r, c2s({ flags: PSH | ACK, seq: 7000, ack: 42_000, payload: data(10) }))).toEqual([1, 1]);
    expect(rel(r, s2c({ flags: ACK, seq: 42_000, ack: 7010 }))).toEqual([1, 11]);
    expect(rel(r, c2s({ flags: ACK, seq: 7010, ack: 42_000 }))).toEqual([11, 1]);
  });

  it('keeps connections that differ only in a port apart', () => {
    const r = new RelativeSequence();
    r.observe(c2s({ flags: SYN, seq: 1000 }));
    expect(rel(r, c2s({ srcPort: 40001, flags: SYN, seq: 77 }))).toEqual([0, 0]);
    expect(rel(r, c2s({ flags: ACK, seq: 1001, ack: 1 }))).toEqual([1, 1]);
    expect(rel(r, c2s({ srcPort: 40001, flags: ACK, seq: 78, ack: 1 }))).toEqual([1, 1]);
  });
});
