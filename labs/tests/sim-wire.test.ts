/** The sim answer's pcap crosses process and network boundaries as base64 (labs/kit/sim.ts). */
import { describe, expect, it } from 'vitest';
import { simFromWire, simToWire, type SimResult } from '../kit/sim.ts';

const result = (pcap: Uint8Array): SimResult => ({ scenario: 's', title: 't', diagram: '', endTime: 0, ss: {}, nstat: {}, trace: [], pcap, packets: 0 });

describe('the pcap as base64', () => {
  it('encodes as Node does and decodes back to the same bytes, for every length modulo 3', () => {
    let x = 7;
    for (const length of [0, 1, 2, 3, 4, 5, 6, 255, 256, 257, 100_000]) {
      const bytes = new Uint8Array(length).map(() => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
      const wire = simToWire({ ok: true, result: result(bytes) });
      if (!wire.ok) throw new Error('expected an answer');
      expect(wire.result.pcap).toBe(Buffer.from(bytes).toString('base64'));
      const back = simFromWire(wire);
      if (!back.ok) throw new Error('expected an answer');
      expect(Buffer.from(back.result.pcap).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('refuses text that is not base64 instead of decoding garbage', () => {
    for (const pcap of ['not base64!', 'abc', 'ab=c', 'a===', '\u00e9AAA']) {
      expect(() => simFromWire({ ok: true, result: { ...result(new Uint8Array()), pcap } })).toThrow(/not valid base64/);
    }
  });
});
