/**
 * The pcap a learner downloads from a chapter experiment: the run's packets, readable by tshark
 * (when tshark is installed), and the same segments the figure drew.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../stack/core/scenarios/index.ts';
import { experimentPcap } from '../../lib/figures/experiment-pcap.ts';
import { pcapFileName } from '../../lib/figures/experiment-pcap-name.ts';

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const options = { faults: ['drop F. from client'] };

describe('experiment pcap download', () => {
  it('holds one record per segment the run sent, with the classic pcap header', () => {
    const bytes = experimentPcap(runScenario, 'teardown', options);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(0, true)).toBe(0xa1b2c3d4);
    expect(view.getUint32(20, true)).toBe(228);
    let records = 0;
    for (let at = 24; at < bytes.length; at += 16 + view.getUint32(at + 8, true)) records++;
    const segments = runScenario('teardown', options).trace.filter((e) => e.kind === 'segment');
    expect(records).toBe(segments.length);
  });

  it('names the file after the run', () => {
    expect(pcapFileName('connect-timeout', 'net.ipv4.tcp_syn_linear_timeouts=0')).toBe('connect-timeout-tcp_syn_linear_timeouts-0.pcap');
    expect(pcapFileName('teardown', 'fault: drop F. from client')).toBe('teardown-fault-drop-F.-from-client.pcap');
    expect(pcapFileName('handshake', '')).toBe('handshake.pcap');
  });

  it.skipIf(!hasTshark())('tshark reads it: the lost FIN and its retransmission are both in the file (skipped without tshark)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exp-pcap-'));
    try {
      const file = join(dir, 'run.pcap');
      writeFileSync(file, experimentPcap(runScenario, 'teardown', options));
      const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_relative', '-e', 'tcp.flags.str', '-e', 'ip.src'], {
        encoding: 'utf8',
      });
      const rows = out.trim().split('\n').map((l) => l.split('\t'));
      const clientFins = rows.filter((r) => r[1]!.includes('F') && r[2] === '10.0.0.1');
      expect(clientFins.map((r) => Number(Number(r[0]).toFixed(3)))).toEqual([1, 1.21]);
      expect(rows.length).toBe(runScenario('teardown', options).trace.filter((e) => e.kind === 'segment').length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
