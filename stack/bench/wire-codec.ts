/**
 * Throughput of the wire layer: encode → decode per segment, on one core.
 * Run: npx tsx stack/bench/wire-codec.ts   (rates are per second of this process's CPU time)
 * The simulator's budget is ≥ 1,000,000 segments/s end to end (encode → link → decode → TCP
 * input), so encode + decode alone has to be several times faster than that.
 */
import { decodeSegment, encodeSegment } from '../core/wire/codec.ts';
import { ACK, PSH, SYN } from '../core/wire/segment.ts';
import type { TcpSegment } from '../core/wire/segment.ts';

const base = { srcAddr: 0x0a000001, dstAddr: 0x0a000002, srcPort: 40000, dstPort: 80, ack: 0, window: 64240, urgent: 0 };

const cases: Array<[string, TcpSegment]> = [
  [
    'SYN, 40-byte TCP header (mss, sackOK, TS, nop, wscale)',
    { ...base, seq: 0x12345678, flags: SYN, payload: new Uint8Array(0), options: [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'ts', val: 100, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }] },
  ],
  ['1000-byte data segment (P., no options)', { ...base, seq: 1, ack: 1, flags: PSH | ACK, payload: new Uint8Array(1000).map((_, i) => i), options: [] }],
  ['1000-byte data segment (P., nop,nop,TS)', { ...base, seq: 1, ack: 1, flags: PSH | ACK, payload: new Uint8Array(1000).map((_, i) => i), options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 7, ecr: 9 }] }],
];

/** Segments per second of CPU time (user + system), so other load on the machine does not count. */
function rate(run: () => void, ms = 1000): number {
  for (let i = 0; i < 50_000; i++) run(); // let the JIT settle
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let n = 0;
  const start = cpuMs();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 10_000; i++) run();
    n += 10_000;
    now = cpuMs();
  }
  return (n / (now - start)) * 1000;
}

const fmt = (r: number) => `${(r / 1e6).toFixed(2)} M/s`.padStart(10);
let sink = 0;
for (const [name, seg] of cases) {
  const bytes = encodeSegment(seg);
  const encode = rate(() => { sink += encodeSegment(seg).length; });
  const decode = rate(() => { const r = decodeSegment(bytes); if (r.ok) sink += r.segment.seq; });
  const both = rate(() => { const r = decodeSegment(encodeSegment(seg)); if (r.ok) sink += r.segment.window; });
  const noVerify = rate(() => { const r = decodeSegment(bytes, { verifyChecksums: false }); if (r.ok) sink += r.segment.seq; });
  console.log(`${name} [${bytes.length} bytes on the wire]`);
  console.log(`  encode ${fmt(encode)}   decode ${fmt(decode)}   encode+decode ${fmt(both)}   decode without checksums ${fmt(noVerify)}`);
}
if (sink === 42) console.log('');
