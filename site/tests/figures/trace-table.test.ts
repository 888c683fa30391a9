import { describe, expect, it } from 'vitest';
import { renderTraceTable, filterTrace } from '../../lib/figures/trace-table.ts';
import { floodRun, handshakeRun, lostSynAckRun, makeRun, state, timeWaitRun } from './fixtures.ts';
import { decode } from './svg-query.ts';

function rows(html: string): string[][] {
  const body = html.match(/<tbody>([\s\S]*)<\/tbody>/)![1];
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => decode(c[1])),
  );
}

describe('renderTraceTable', () => {
  it('has one row per event, in time order, with time, host, kind and details', () => {
    const run = handshakeRun();
    const table = rows(renderTraceTable(run));
    expect(table).toHaveLength(run.trace.length);
    expect(table.map((r) => r[2])).toEqual(run.trace.map((e) => e.kind));
    expect(table[0]).toEqual(['0 ms', 'client', 'syscall', 'connect(3, 10.0.0.2:80) = 0']);
    expect(table[2]).toEqual([
      '0 ms',
      'client',
      'segment',
      'client → server: S seq 0 win 65535 <mss 1460,sackOK,TS,wscale 7>; arrived at 0.5 ms; raw seq 1000',
    ]);
    expect(table[7]).toEqual(['1.5 ms', 'server', 'state', 'SYN_RECV → ESTABLISHED (ACK of SYN received) [10.0.0.2:80>10.0.0.1:40000]']);
  });

  it('writes the fate of a segment that never arrived', () => {
    const table = rows(renderTraceTable(lostSynAckRun()));
    expect(table.find((r) => r[3].includes('S. seq 0 ack 1'))![3]).toMatch(/; dropped by rule; raw seq 1000 ack 0$/);
  });

  it('describes timers with their due time', () => {
    const table = rows(renderTraceTable(timeWaitRun(), { kinds: ['timer'] }));
    expect(table.map((r) => r[3])).toEqual([
      'retransmit set, due 1 s [10.0.0.1:40000>10.0.0.2:80]',
      'retransmit cancel [10.0.0.1:40000>10.0.0.2:80]',
      'time-wait set, due 60.0105 s [10.0.0.1:40000>10.0.0.2:80]',
      'time-wait fire [10.0.0.1:40000>10.0.0.2:80]',
    ]);
  });

  it('filters by host (segments by sender or receiver) and sorts stably by time', () => {
    const run = handshakeRun();
    const server = filterTrace(run, { hosts: ['server'] });
    expect(server.every((e) => (e.kind === 'segment' ? e.from === 'server' || e.to === 'server' : e.host === 'server'))).toBe(true);
    expect(server).toHaveLength(5); // 3 segments + 2 state changes
    const shuffled = makeRun('order', [state('client', 5, 'CLOSED', 'SYN_SENT', 'b'), state('client', 1, 'CLOSED', 'LISTEN', 'a')]);
    expect(filterTrace(shuffled).map((e) => e.t)).toEqual([1, 5]);
  });

  it('leaves out what the figures summarise: other hosts\' segments and spoofed peers', () => {
    const run = floodRun();
    const html = renderTraceTable(run, { hosts: ['client', 'server'], segmentsBetween: ['client', 'server'], knownPeersOnly: true });
    const table = rows(html);
    // The handshake: 1 syscall, 3 segments, 4 state changes; not the 2000 SYNs nor the 50 request socks.
    expect(table).toHaveLength(8);
    expect(table.filter((r) => r[2] === 'segment')).toHaveLength(3);
    // 2000 spoofed SYNs + 50 request socks' state changes + their 50 SYN-ACK timers.
    expect(html).toContain('2100 events of other hosts or spoofed peers left out; the figure summarises them');
  });

  it('stops at maxRows and says how many were left out', () => {
    const html = renderTraceTable(handshakeRun(), { maxRows: 3 });
    expect(rows(html)).toHaveLength(3);
    expect(html).toContain('5 more events not shown');
  });

  it('escapes everything taken from the run', () => {
    const run = makeRun('x', [state('client', 0, 'CLOSED', 'SYN_SENT', '<script>alert(1)</script>')]);
    const html = renderTraceTable(run);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
