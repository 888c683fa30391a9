import { describe, expect, it } from 'vitest';
import { renderQueueChart, queueSeries } from '../../lib/figures/queue-chart.ts';
import { handshakeRun, makeRun, queue, queueOverflowRun } from './fixtures.ts';
import { tagsWith, texts } from './svg-query.ts';

describe('renderQueueChart', () => {
  it("peaks equal the fixture's maxima: backlog 4 holds 5 in the accept queue", () => {
    const svg = renderQueueChart(queueOverflowRun(), 'server');
    const peaks = Object.fromEntries(tagsWith(svg, 'data-max').map((p) => [p['data-queue'], Number(p['data-max'])]));
    expect(peaks).toEqual({ syn: 1, accept: 5 });
    expect(tagsWith(svg, 'data-backlog')[0]['data-backlog']).toBe('4');
    expect(texts(svg)).toContain('backlog 4: full above this line');
  });

  it('steps each queue through every recorded value', () => {
    const run = makeRun('steps', [queue(0, 0, 0), queue(1, 3, 0), queue(2, 1, 2), queue(3, 0, 3)]);
    const svg = renderQueueChart(run, 'server');
    const path = (q: string): string => svg.match(new RegExp(`data-queue="${q}"><path class="q-[a-z]+" d="([^"]+)"`))![1];
    // One vertical move per change of value: SYN 0→3→1→0, accept 0→2→3.
    expect(path('syn').match(/V/g)).toHaveLength(3);
    expect(path('accept').match(/V/g)).toHaveLength(2);
    expect(queueSeries(run, 'server')).toMatchObject({ maxSyn: 3, maxAccept: 3, maxBacklog: 4 });
  });

  it('lists the listener counters from nstat, zero when absent', () => {
    const svg = renderQueueChart(queueOverflowRun(), 'server');
    const counters = Object.fromEntries(tagsWith(svg, 'data-counter').map((c) => [c['data-counter'], Number(c['data-value'])]));
    expect(counters).toEqual({ ListenOverflows: 2, ListenDrops: 2, SyncookiesSent: 0, SyncookiesRecv: 0 });
  });

  it('says so when the host has no listener', () => {
    const svg = renderQueueChart(handshakeRun(), 'client');
    expect(texts(svg)).toContain('client recorded no queue events (no listener).');
  });

  it('picks the requested listener', () => {
    const run = makeRun('two', [queue(0, 2, 0), { ...queue(1, 7, 1), listener: '10.0.0.2:8080' }]);
    expect(queueSeries(run, 'server', '10.0.0.2:8080')?.maxSyn).toBe(7);
    expect(queueSeries(run, 'server', '10.0.0.2:80')?.maxSyn).toBe(2);
  });

  it('rejects an unknown host', () => {
    expect(() => renderQueueChart(queueOverflowRun(), 'mallory')).toThrow(/no host "mallory"/);
  });
});
