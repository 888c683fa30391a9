/**
 * The sim CLI and its pcaps: every scenario's capture must open in tshark with no malformed
 * packet and every IPv4 and TCP checksum good (the acceptance check).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listScenarios, runScenario } from '../../core/scenarios/index.ts';
import { encodePcap, type PcapRecord } from '../../core/wire/pcap.ts';
import { captureWorld } from '../../node/capture.ts';

const hasTshark = spawnSync('tshark', ['--version']).status === 0;
const repo = join(import.meta.dirname, '..', '..', '..');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');

function sim(...args: string[]) {
  return spawnSync(tsx, [join(repo, 'stack/node/sim.ts'), ...args], { encoding: 'utf8' });
}

describe('npm run sim', () => {
  it('--list prints one line per scenario', () => {
    const r = sim('--list');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(listScenarios().length);
    for (const s of listScenarios()) expect(r.stdout).toContain(s.name);
  });

  it('an unknown scenario is a clear error with exit code 2', () => {
    const r = sim('no-such-scenario');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown scenario "no-such-scenario"/);
  });

  it('an unknown sysctl is a clear error with exit code 2', () => {
    const r = sim('handshake', '--sysctl', 'net.ipv4.tcp_no_such_knob=1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown sysctl "net\.ipv4\.tcp_no_such_knob"/);
  });

  it('an out-of-range sysctl value is rejected with exit code 2', () => {
    const r = sim('handshake', '--sysctl', 'net.ipv4.tcp_syncookies=7');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/tcp_syncookies must be an integer in \[0, 2\]/);
  });

  it('prints the sequence diagram with states, flags and relative numbers, and honours sysctls', () => {
    const r = sim('connect-timeout', '--sysctl', 'net.ipv4.tcp_syn_linear_timeouts=0');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('SYN_SENT');
    expect(r.stdout).toMatch(/S 0:0\(0\) win 64240 <mss 1460/);
    expect(r.stdout).toMatch(/127\.000 s\s+CLOSED/);
    expect(r.stdout).toContain('failedAt = 127000');
  });
});

describe.skipIf(!hasTshark)('pcaps of every scenario read cleanly in tshark', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpcourse-pcap-'));
  for (const s of listScenarios()) {
    it(s.name, () => {
      const packets: PcapRecord[] = [];
      runScenario(s.name, { onWorld: (w) => captureWorld(w, packets) });
      expect(packets.length).toBeGreaterThan(0);
      const file = join(dir, `${s.name}.pcap`);
      writeFileSync(file, encodePcap(packets));
      const out = execFileSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE',
        '-T', 'fields', '-e', 'frame.number', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', '_ws.malformed', '-e', '_ws.expert.severity'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
      const rows = out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
      expect(rows).toHaveLength(packets.length);
      for (const [frame, ipStatus, tcpStatus, malformed] of rows) {
        // Wireshark's checksum status (proto_checksum_enum_e): 0 bad, 1 good, 2 unverified.
        expect({ frame, ipStatus, tcpStatus, malformed }).toEqual({ frame, ipStatus: '1', tcpStatus: '1', malformed: '' });
      }
    });
  }
});
