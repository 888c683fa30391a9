import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSegment } from '../../core/wire/codec.ts';
import { LINKTYPE_IPV4, encodePcap } from '../../core/wire/pcap.ts';
import type { TcpSegment } from '../../core/wire/segment.ts';
import { conversation } from './fixtures.ts';

const le32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const le16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);

describe('encodePcap', () => {
  it('writes the classic libpcap global header: LE magic, 2.4, µs, snaplen 65535, LINKTYPE_IPV4', () => {
    const file = encodePcap([]);
    expect(file.length).toBe(24);
    expect([...file.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    expect(le16(file, 4)).toBe(2);
    expect(le16(file, 6)).toBe(4);
    expect(le32(file, 8)).toBe(0);
    expect(le32(file, 12)).toBe(0);
    expect(le32(file, 16)).toBe(65535);
    expect(le32(file, 20)).toBe(228);
    expect(LINKTYPE_IPV4).toBe(228);
  });

  it('writes one record per packet: seconds, microseconds, lengths, bytes', () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([4, 5, 6, 7, 8]);
    const file = encodePcap([
      { t: 1234.567, bytes: a },
      { t: 60_000.001, bytes: b },
    ]);
    expect(file.length).toBe(24 + 16 + 3 + 16 + 5);
    expect(le32(file, 24)).toBe(1);
    expect(le32(file, 28)).toBe(234_567);
    expect(le32(file, 32)).toBe(3);
    expect(le32(file, 36)).toBe(3);
    expect([...file.subarray(40, 43)]).toEqual([1, 2, 3]);
    expect(le32(file, 43)).toBe(60);
    expect(le32(file, 47)).toBe(1);
    expect(le32(file, 51)).toBe(5);
    expect(le32(file, 55)).toBe(5);
    expect([...file.subarray(59)]).toEqual([4, 5, 6, 7, 8]);
  });

  it('converts milliseconds exactly, rounding below a microsecond', () => {
    const at = (t: number) => {
      const f = encodePcap([{ t, bytes: new Uint8Array(0) }]);
      return [le32(f, 24), le32(f, 28)];
    };
    expect(at(0)).toEqual([0, 0]);
    expect(at(0.001)).toEqual([0, 1]);
    expect(at(999.999)).toEqual([0, 999_999]);
    expect(at(1000)).toEqual([1, 0]);
    expect(at(1.0004)).toEqual([0, 1000]);
    expect(at(1.0006)).toEqual([0, 1001]);
    expect(at(7_200_000.25)).toEqual([7200, 250]); // TIME_WAIT-scale runs: hours of virtual time
  });

  it.each([[-1], [NaN], [Infinity], [2 ** 32 * 1000]])('refuses time %d ms with a RangeError', (t) => {
    expect(() => encodePcap([{ t, bytes: new Uint8Array(1) }])).toThrow(RangeError);
    expect(() => encodePcap([{ t, bytes: new Uint8Array(1) }])).toThrow(/cannot write pcap record 0: time/);
  });
});

function hasTshark(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}
const tsharkMissing = !hasTshark();

describe('tshark reads our packets (skipped when tshark is not installed; CI installs it)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wire-pcap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const FIELDS = [
    'frame.number',
    'frame.time_epoch',
    'frame.protocols',
    'ip.checksum.status',
    'tcp.checksum.status',
    'ip.ttl',
    'ip.flags.df',
    'tcp.seq_raw',
    'tcp.ack_raw',
    'tcp.flags',
    'tcp.window_size_value',
    'tcp.len',
    'tcp.options.mss_val',
    'tcp.options.wscale.shift',
    'tcp.options.timestamp.tsval',
    'tcp.options.timestamp.tsecr',
    'tcp.options.sack_le',
    'tcp.options.sack_re',
    '_ws.malformed',
    '_ws.expert.message',
  ] as const;
  type Row = Record<(typeof FIELDS)[number], string>;

  function tshark(file: string): Row[] {
    const args = ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.relative_sequence_numbers:FALSE', '-T', 'fields', '-E', 'aggregator=|'];
    for (const f of FIELDS) args.push('-e', f);
    const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const cells = line.split('\t');
        return Object.fromEntries(FIELDS.map((f, i) => [f, cells[i] ?? ''])) as Row;
      });
  }

  function micros(epoch: string): number {
    const [s, frac = ''] = epoch.split('.');
    return Number(s) * 1_000_000 + Number(frac.padEnd(9, '0').slice(0, 6));
  }

  function optionField(seg: TcpSegment, kind: 'mss' | 'wscale' | 'ts'): string {
    for (const o of seg.options) {
      if (o.kind === 'mss' && kind === 'mss') return String(o.value);
      if (o.kind === 'wscale' && kind === 'wscale') return String(o.shift);
      if (o.kind === 'ts' && kind === 'ts') return String(o.val);
    }
    return '';
  }

  it.skipIf(tsharkMissing)('every frame is a well-formed TCP packet with good checksums and the fields we wrote', () => {
    const segments = conversation();
    const records = segments.map((seg, i) => ({ t: i * 250.125 + 0.001, bytes: encodeSegment(seg) }));
    const file = join(dir, 'conversation.pcap');
    writeFileSync(file, encodePcap(records));
    const rows = tshark(file);

    expect(rows.length).toBe(segments.length);
    rows.forEach((row, i) => {
      const seg = segments[i];
      const where = `frame ${i + 1}`;
      expect(row['frame.protocols'], where).toMatch(/(^|:)ip:tcp$/);
      expect(row['_ws.malformed'], where).toBe('');
      expect(row['_ws.expert.message'], where).not.toMatch(/malformed|checksum|bogus|invalid|incorrect/i);
      expect(row['ip.checksum.status'], `${where}: 1 = Good`).toBe('1');
      expect(row['tcp.checksum.status'], `${where}: 1 = Good`).toBe('1');
      expect(micros(row['frame.time_epoch']), where).toBe(Math.round(records[i].t * 1000));
      expect(row['ip.ttl'], where).toBe(String(seg.ttl ?? 64));
      expect(row['ip.flags.df'], where).toMatch(/^(1|True)$/);
      expect(row['tcp.seq_raw'], where).toBe(String(seg.seq));
      expect(row['tcp.ack_raw'], where).toBe(String(seg.ack));
      expect(parseInt(row['tcp.flags'], 16), where).toBe(seg.flags);
      expect(row['tcp.window_size_value'], where).toBe(String(seg.window));
      expect(row['tcp.len'], where).toBe(String(seg.payload.length));
      expect(row['tcp.options.mss_val'], where).toBe(optionField(seg, 'mss'));
      expect(row['tcp.options.wscale.shift'], where).toBe(optionField(seg, 'wscale'));
      expect(row['tcp.options.timestamp.tsval'], where).toBe(optionField(seg, 'ts'));
      const sack = seg.options.find((o) => o.kind === 'sack');
      expect(row['tcp.options.sack_le'], where).toBe(sack ? sack.blocks.map((b) => b[0]).join('|') : '');
      expect(row['tcp.options.sack_re'], where).toBe(sack ? sack.blocks.map((b) => b[1]).join('|') : '');
    });
    // The set must exercise what the test claims to cover.
    expect(rows.map((r) => parseInt(r['tcp.flags'], 16))).toEqual(expect.arrayContaining([0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14]));
  });

  it.skipIf(tsharkMissing)('the check is live: tshark flags a packet whose TCP checksum we broke', () => {
    const bytes = encodeSegment(conversation()[3]);
    bytes[bytes.length - 1] ^= 0xff;
    const file = join(dir, 'broken.pcap');
    writeFileSync(file, encodePcap([{ t: 0, bytes }]));
    const [row] = tshark(file);
    expect(row['ip.checksum.status']).toBe('1');
    expect(row['tcp.checksum.status']).toBe('0'); // 0 = Bad
  });
});
