import { describe, expect, it } from 'vitest';
import { TracePrinter } from '../../node/tun/inner.ts';
import { encodeSegment } from '../../core/wire/codec.ts';
import { ACK, SYN, type TcpSegment } from '../../core/wire/segment.ts';
import { parseAddr } from '../../core/wire/format.ts';

const kernel = parseAddr('10.77.0.1');
const stack = parseAddr('10.77.0.2');

function seg(p: Partial<TcpSegment>): TcpSegment {
  return { srcAddr: kernel, dstAddr: stack, srcPort: 40000, dstPort: 7, seq: 0, ack: 0, flags: 0, window: 64240, urgent: 0, options: [], payload: new Uint8Array(0), ...p };
}

describe('tun --trace lines', () => {
  it('prints packets from their bytes with sequence numbers relative to each ISN', () => {
    const lines: string[] = [];
    const p = new TracePrinter((l) => lines.push(l));
    p.packet(encodeSegment(seg({ seq: 1_000_000, flags: SYN, options: [{ kind: 'mss', value: 1460 }] })), 1.5);
    p.packet(encodeSegment(seg({ srcAddr: stack, dstAddr: kernel, srcPort: 7, dstPort: 40000, seq: 77, ack: 1_000_001, flags: SYN | ACK, window: 65160 })), 1.5);
    p.packet(encodeSegment(seg({ seq: 1_000_001, ack: 78, flags: ACK, payload: new Uint8Array(5) })), 2.25);
    expect(lines).toEqual([
      '0.001500  10.77.0.1:40000 > 10.77.0.2:7: S 0:0(0) win 64240 <mss 1460>',
      '0.001500  10.77.0.2:7 > 10.77.0.1:40000: S. 0:0(0) ack 1 win 65160',
      '0.002250  10.77.0.1:40000 > 10.77.0.2:7: . 1:6(5) ack 1 win 64240',
    ]);
  });

  it('says so for bytes that are not a TCP segment', () => {
    const lines: string[] = [];
    new TracePrinter((l) => lines.push(l)).packet(new Uint8Array([0x60, 0, 0, 0]), 0);
    expect(lines[0]).toMatch(/^0\.000000  undecodable packet \(/);
  });

  it('prints the stack state changes and notes, not its timers or syscalls', () => {
    const lines: string[] = [];
    const p = new TracePrinter((l) => lines.push(l));
    p.event({ kind: 'state', t: 10, host: 'stack', conn: '10.77.0.2:7>10.77.0.1:40000', from: 'ESTABLISHED', to: 'CLOSE_WAIT', cause: 'FIN received' });
    p.event({ kind: 'timer', t: 10, host: 'stack', conn: 'x', timer: 'delayed-ack', action: 'set', due: 50 });
    p.event({ kind: 'syscall', t: 10, host: 'stack', call: 'read(4)', result: '0' });
    p.event({ kind: 'note', t: 12, host: 'stack', text: 'dropped a malformed packet' });
    expect(lines).toEqual([
      '0.010000  stack 10.77.0.2:7>10.77.0.1:40000: ESTABLISHED -> CLOSE_WAIT (FIN received)',
      '0.012000  stack note: dropped a malformed packet',
    ]);
  });
});
