import { describe, expect, it } from 'vitest';
import * as scenarios from '../../../stack/core/scenarios/index.ts';
import * as textDiagram from '../../../stack/core/observe/text-diagram.ts';
import * as pcap from '../../../stack/core/wire/pcap.ts';
import { LabShell, splitWords, tcpdumpLine, type ShellBackend } from '../../lib/workbench/shell.ts';
import { listScenarioNames, simulate, type SimRequest } from '../../lib/workbench/sim-run.ts';
import type { SegmentEvent } from '../../../stack/core/observe/trace.ts';

// The worker's module map, played by the real stack modules.
const modules: Record<string, unknown> = {
  'stack/core/scenarios/index.ts': scenarios,
  'stack/core/observe/text-diagram.ts': textDiagram,
  'stack/core/wire/pcap.ts': pcap,
};
const load = (path: string) => modules[path];

function shell() {
  const calls: string[] = [];
  const downloads: Array<{ name: string; bytes: Uint8Array }> = [];
  const requests: SimRequest[] = [];
  const backend: ShellBackend = {
    scenarios: async () => listScenarioNames(load),
    sim: async (request) => (requests.push(request), simulate(load, request)),
    run: () => calls.push('run'),
    submit: () => calls.push('submit'),
    download: (name, bytes) => downloads.push({ name, bytes }),
    lastTestTrace: () => null,
  };
  return { sh: new LabShell(backend), calls, downloads, requests };
}

describe('the workbench shell', () => {
  it('explains a sim that reaches another lab\'s code the page does not have (a grading course server sends no reference), and reports its own lab\'s plainly', async () => {
    const stopAt = (error: string) =>
      new LabShell({
        lab: 'handshake',
        scenarios: async () => [],
        sim: async () => ({ ok: false, error }),
        run: () => {},
        submit: () => {},
        download: () => {},
        lastTestTrace: () => null,
      });
    const other = await stopAt('not implemented yet: queues/1: The backlog listen() really gets').execute('sim handshake');
    expect(other).toMatch(/^sim: this run reached the queues lab's code \(queues\/1: The backlog listen\(\) really gets\), which this page does not have/);
    expect(other).toContain('npm start -- --grading off');
    expect(await stopAt('not implemented yet: handshake/1: Choose the ISN').execute('sim handshake')).toBe('sim: not implemented yet: handshake/1: Choose the ISN');
    expect(await stopAt('not implemented yet: handshake/1: Choose the ISN').execute('sim handshake --reference')).toMatch(/^sim: this run reached the handshake lab's code/);
  });

  it('sim draws the scenario with the stack\'s own text diagram, and ss / nstat / tcpdump / pcap read that run', async () => {
    const { sh, downloads } = shell();
    const out = await sh.execute('sim handshake');
    const direct = textDiagram.renderTextDiagram(scenarios.runScenario('handshake', { seed: 1 }));
    expect(out).toContain(direct.trimEnd());
    expect(out).toMatch(/^# The three-way handshake — with your lab files\n/);

    const ss = await sh.execute('ss -tan');
    expect(ss).toMatch(/^# client\nState\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port\nESTAB/m);
    expect(ss).toMatch(/^LISTEN/m); // -a: listening sockets too, as on Linux
    expect(await sh.execute('ss -tn')).not.toMatch(/^LISTEN/m);
    expect(await sh.execute('ss -ltn')).toMatch(/^LISTEN\s+0\s+\d+\s+\S+:80/m);
    expect(await sh.execute('ss')).toMatch(/TCP sockets only/);

    const dump = (await sh.execute('tcpdump')).split('\n');
    expect(dump[0]).toBe('# sim handshake');
    expect(dump[1]).toMatch(/^0\.000000 IP 10\.0\.0\.\d+\.\d+ > 10\.0\.0\.\d+\.80: Flags \[S\], seq \d+, win 64240, options \[mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale 7\], length 0$/);
    expect(dump[2]).toMatch(/Flags \[S\.\], seq \d+, ack \d+, win \d+/);
    expect(dump[3]).toMatch(/Flags \[\.\], ack 1, win \d+/);

    expect(await sh.execute('nstat')).toMatch(/^#kernel \(client\)\nTcpActiveOpens\s+1\s+0\.0$/m);

    expect(await sh.execute('pcap')).toMatch(/^pcap: handshake\.pcap \(\d+ packets, \d+ bytes, LINKTYPE_IPV4\)/);
    expect(downloads).toHaveLength(1);
    // The classic pcap magic and LINKTYPE_IPV4 (228), as Wireshark reads them.
    const view = new DataView(downloads[0].bytes.buffer, downloads[0].bytes.byteOffset);
    expect(view.getUint32(0, true)).toBe(0xa1b2c3d4);
    expect(view.getUint32(20, true)).toBe(228);
  });

  it('sysctl reads, -w sets what the next sims start with, and bad values are refused as Linux refuses them', async () => {
    const { sh, requests } = shell();
    expect(await sh.execute('sysctl net.ipv4.tcp_syn_retries')).toBe('net.ipv4.tcp_syn_retries = 6');
    expect(await sh.execute('sysctl -w net.ipv4.tcp_syn_retries=2')).toBe('net.ipv4.tcp_syn_retries = 2');
    expect(await sh.execute('sysctl net.ipv4.tcp_syn_retries')).toBe('net.ipv4.tcp_syn_retries = 2');
    expect(await sh.execute('sysctl -w net.ipv4.tcp_syn_retries=0')).toMatch(/Invalid argument \(1…127\)/);
    expect(await sh.execute('sysctl net.ipv4.tcp_nope')).toBe('sysctl: cannot stat /proc/sys/net/ipv4/tcp_nope: No such file or directory');
    expect(await sh.execute('sysctl -a')).toMatch(/^net\.ipv4\.ip_local_port_range = 32768\t60999$/m);
    const timeout = await sh.execute('sim connect-timeout --sysctl net.ipv4.tcp_syn_linear_timeouts=0');
    expect(requests.at(-1)!.sysctls).toEqual({ 'net.ipv4.tcp_syn_retries': 2, 'net.ipv4.tcp_syn_linear_timeouts': 0 });
    expect(timeout).toMatch(/net\.ipv4\.tcp_syn_retries=2 net\.ipv4\.tcp_syn_linear_timeouts=0/);
    // Two retries, exponential: SYNs at 0, 1 and 3 s.
    const syns = (await sh.execute('tcpdump')).split('\n').filter((l) => /Flags \[S\]/.test(l)).map((l) => l.split(' ')[0]);
    expect(syns).toEqual(['0.000000', '1.000000', '3.000000']);
  });

  it('passes faults through and reports the stack\'s own errors', async () => {
    const { sh, requests } = shell();
    const out = await sh.execute('sim teardown --fault "drop F from client"');
    expect(requests.at(-1)!.faults).toEqual(['drop F from client']);
    expect(out).toMatch(/F\. 19:19\(0\) ack 20 win 510 ─+✗  \(dropped-by-rule\)/);
    expect(await sh.execute('tcpdump')).toMatch(/^1\.000000 IP 10\.0\.0\.1\.\d+ > 10\.0\.0\.2\.80: Flags \[F\.\], seq 19, ack 20, win 510, options \[.*\], length 0   # dropped-by-rule$/m);
    expect(await sh.execute('sim no-such-scenario')).toMatch(/^sim: unknown scenario/);
    expect(await sh.execute('sim handshake --sysctl tcp_syn_retries')).toMatch(/--sysctl takes name=value/);
    // A sim's knobs are checked as sysctl -w checks them, before anything runs (the course server
    // refuses the same ones).
    const before = requests.length;
    expect(await sh.execute('sim handshake --sysctl net.ipv4.tcp_syn_retries=0')).toMatch(/setting key "net\.ipv4\.tcp_syn_retries": Invalid argument \(1…127\)/);
    expect(await sh.execute('sim handshake --sysctl net.ipv4.tcp_nope=1')).toBe('sysctl: cannot stat /proc/sys/net/ipv4/tcp_nope: No such file or directory');
    expect(await sh.execute('sim handshake --sysctl net.ipv4.tcp_rmem=4096')).toMatch(/takes several numbers/);
    expect(requests.length).toBe(before);
    expect(await sh.execute('sim')).toMatch(/^usage: sim <scenario>/);
  });

  it('runs the tests, keeps a history, completes words, and says what it does not know', async () => {
    const { sh, calls } = shell();
    await sh.execute('npm test');
    await sh.execute('npm run submit');
    expect(calls).toEqual(['run', 'submit']);
    expect(await sh.execute('ls')).toBe('ls: command not found (type help)');
    expect(await sh.execute('history')).toBe('    1  npm test\n    2  npm run submit\n    3  ls\n    4  history');
    expect((await sh.complete('sy')).line).toBe('sysctl ');
    expect((await sh.complete('sim handshake-')).line).toBe('sim handshake-lost-synack ');
    expect((await sh.complete('sim conn')).candidates).toEqual(['connect-refused', 'connect-timeout']);
    expect((await sh.complete('sim conn')).line).toBe('sim connect-');
    expect((await sh.complete('sysctl -w net.ipv4.tcp_syn_r')).line).toBe('sysctl -w net.ipv4.tcp_syn_retries=');
    expect((await sh.complete('zz')).candidates).toEqual([]);
    expect(splitWords(`sim teardown --fault 'drop F from client'`)).toEqual(['sim', 'teardown', '--fault', 'drop F from client']);
  });

  it('prints segments as tcpdump -n does: absolute numbers on SYNs, relative after', () => {
    const seg: SegmentEvent = { kind: 'segment', id: 3, t: 1500.25, arriveAt: null, fate: 'dropped-by-rule', from: 'client', to: 'server', src: '10.0.0.1:40000', dst: '10.0.0.2:80', flags: 'P.', seq: 1001, ack: 5001, relSeq: 1, relAck: 1, len: 100, win: 502, options: [] } as SegmentEvent;
    expect(tcpdumpLine(seg)).toBe('1.500250 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1:101, ack 1, win 502, length 100   # dropped-by-rule');
  });
});

describe('wrapping prose for the terminal', () => {
  it('breaks long prose at spaces, never inside a word, and leaves aligned output whole', async () => {
    const { wrapProse } = await import('../../lib/workbench/shell.ts');
    const prose = 'First failure: connect() sends a SYN whose sequence number is the RFC 6528 ISN (details in Results)';
    const wrapped = wrapProse(prose, 40).split('\n');
    expect(wrapped.every((l) => l.length <= 40)).toBe(true);
    expect(wrapped.join(' ').replace(/\s+/g, ' ')).toBe(prose);
    const table = 'State   Recv-Q  Send-Q  Local Address:Port   Peer Address:Port   and more columns here';
    expect(wrapProse(table, 40)).toBe(table);
    expect(wrapProse('short', 40)).toBe('short');
  });
});
