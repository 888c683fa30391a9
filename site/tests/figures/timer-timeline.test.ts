import { describe, expect, it } from 'vitest';
import { clusterTimes, renderTimerTimeline, stateSpans, timerSpans } from '../../lib/figures/timer-timeline.ts';
import type { StateEvent, TimerEvent } from '../../../stack/core/observe/trace.ts';
import { floodRun, keepaliveRun, lostSynAckRun, makeRun, seg, timeWaitRun } from './fixtures.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';
import { tagsWith, texts } from './svg-query.ts';

describe('renderTimerTimeline', () => {
  it('shows TIME_WAIT lasting 60 s and the time-wait timer firing after 60 s', () => {
    const run = timeWaitRun();
    const svg = renderTimerTimeline(run, 'client');
    const tw = tagsWith(svg, 'data-state').find((s) => s['data-state'] === 'TIME_WAIT')!;
    expect(Number(tw['data-duration'])).toBe(60000);
    expect(texts(svg)).toContain('TIME_WAIT 60 s');
    const timer = tagsWith(svg, 'data-timer').find((t) => t['data-timer'] === 'time-wait')!;
    expect(timer['data-outcome']).toBe('fire');
    expect(Number(timer['data-duration'])).toBe(60000);
    // The FIN's retransmission timer was cancelled by the ACK of the FIN.
    expect(tagsWith(svg, 'data-timer').find((t) => t['data-timer'] === 'retransmit')!['data-outcome']).toBe('cancel');
  });

  it('marks retransmitted segments among those the host sent', () => {
    const run = lostSynAckRun();
    const svg = renderTimerTimeline(run, 'server');
    const sent = tagsWith(svg, 'data-seg-id');
    expect(sent).toHaveLength(2);
    expect(sent.map((s) => s['data-retransmission'] ?? 'no')).toEqual(['no', 'true']);
    expect(texts(svg)).toContain('S. (R)');
    const synack = tagsWith(svg, 'data-timer').find((t) => t['data-timer'] === 'synack')!;
    expect(Number(synack['data-duration'])).toBe(1000); // TCP_TIMEOUT_INIT
  });

  it('labels the keepalive idle time and cuts the gap', () => {
    const svg = renderTimerTimeline(keepaliveRun(), 'client');
    expect(texts(svg)).toContain('idle 7200 s');
    expect(tagsWith(svg, 'data-break').map((b) => b['data-break'])).toEqual(['7200 s']);
    expect(Number(svg.match(/width="(\d+)"/)![1])).toBeLessThan(1200);
  });

  it("draws a flooded listener's spoofed requests in aggregate, its real connection in full", () => {
    const run = floodRun();
    // The 50 request socks' SYN-ACK timers fire together 1 s after they were armed, then 40 more 3 s later.
    for (let i = 0; i < 50; i++) run.trace.push({ kind: 'timer', t: 1000.5 + i * 0.05, host: 'server', conn: `10.0.0.2:80>198.18.0.${i}:1234`, timer: 'synack', action: 'fire' });
    for (let i = 0; i < 40; i++) run.trace.push({ kind: 'timer', t: 4000.5 + i * 0.05, host: 'server', conn: `10.0.0.2:80>198.18.0.${i}:1234`, timer: 'synack', action: 'fire' });
    run.trace.sort((a, b) => a.t - b.t);
    const svg = renderTimerTimeline(run, 'server');
    expect(tagsWith(svg, 'data-timer')).toHaveLength(0); // no span per spoofed request
    expect(tagsWith(svg, 'data-seg-id')).toHaveLength(1); // the SYN-ACK to the client
    expect(tagsWith(svg, 'data-burst').map((b) => [b['data-burst'], b['data-count']])).toEqual([
      ['synack', '50'],
      ['synack', '40'],
    ]);
    expect(texts(svg)).toEqual(expect.arrayContaining(['×50', '×40', 'synack fired (spoofed)']));
    expect(texts(svg)).toContain(
      'server: timers and states on virtual time (idle stretches cut out); 50 connections of spoofed peers shown in aggregate (×count per burst)',
    );
  });

  it('groups times into bursts split by silences', () => {
    expect(clusterTimes([5, 0, 50, 300, 310, 1000])).toEqual([
      { start: 0, end: 50, count: 3 },
      { start: 300, end: 310, count: 2 },
      { start: 1000, end: 1000, count: 1 },
    ]);
  });

  it('keeps a busy host to a bounded width', () => {
    const trace: TraceEvent[] = [];
    for (let i = 0; i < 3000; i++) trace.push(seg({ from: 'server', to: 'client', t: i * 3, flags: 'S.' }));
    const svg = renderTimerTimeline(makeRun('busy', trace), 'server');
    expect(tagsWith(svg, 'data-seg-id')).toHaveLength(3000);
    expect(Number(svg.match(/width="(\d+)"/)![1])).toBeLessThanOrEqual(2400 + 130);
  });

  it('pairs timer events into spans, including re-arming and pending timers', () => {
    const ev = (t: number, action: TimerEvent['action'], due?: number): TimerEvent => ({
      kind: 'timer',
      t,
      host: 'client',
      conn: 'c',
      timer: 'retransmit',
      action,
      ...(due === undefined ? {} : { due }),
    });
    const spans = timerSpans([ev(0, 'set', 1000), ev(500, 'set', 1500), ev(1500, 'fire'), ev(1500, 'set', 3500)], 2000);
    expect(spans.map((s) => [s.start, s.end, s.outcome, s.continuation])).toEqual([
      [0, 500, 'rearm', false],
      [500, 1500, 'fire', false],
      [1500, 2000, 'pending', true],
    ]);
  });

  it('ends a timer that was stopped without a traced cancel at its due time, not at the next set', () => {
    const ev = (t: number, action: TimerEvent['action'], due?: number): TimerEvent => ({
      kind: 'timer',
      t,
      host: 'client',
      conn: 'c',
      timer: 'retransmit',
      action,
      ...(due === undefined ? {} : { due }),
    });
    // Armed at 10 ms for 210 ms, silently stopped by an ACK, armed again at 1 s; then one left over.
    const spans = timerSpans([ev(10, 'set', 220), ev(1000, 'set', 1210), ev(3000, 'set', 4000)], 5000);
    expect(spans.map((s) => [s.start, s.end, s.outcome])).toEqual([
      [10, 220, 'unfired'],
      [1000, 1210, 'unfired'],
      [3000, 4000, 'unfired'],
    ]);
    expect(timerSpans([ev(3000, 'set', 9000)], 5000).map((s) => [s.end, s.outcome])).toEqual([[5000, 'pending']]);
  });

  it('ends a SYN-ACK timer when its request leaves SYN_RECV, and any timer when the connection closes', () => {
    const t = (at: number, timer: TimerEvent['timer'], action: TimerEvent['action'], due?: number): TimerEvent => ({
      kind: 'timer',
      t: at,
      host: 'server',
      conn: 'c',
      timer,
      action,
      ...(due === undefined ? {} : { due }),
    });
    const st = (at: number, from: StateEvent['from'], to: StateEvent['to']): StateEvent => ({ kind: 'state', t: at, host: 'server', conn: 'c', from, to, cause: '' });
    const spans = timerSpans(
      [t(5, 'synack', 'set', 1005), t(1005, 'synack', 'fire'), t(1005, 'synack', 'set', 3005), t(1010, 'keepalive', 'set', 9000)],
      10000,
      [st(1015, 'SYN_RECV', 'ESTABLISHED'), st(2000, 'ESTABLISHED', 'CLOSED')],
    );
    expect(spans.map((s) => [s.timer, s.start, s.end, s.outcome])).toEqual([
      ['synack', 5, 1005, 'fire'],
      ['synack', 1005, 1015, 'stopped'],
      ['keepalive', 1010, 2000, 'stopped'],
    ]);
  });

  it('computes state spans per connection, open at the end of the run', () => {
    const ev = (t: number, from: StateEvent['from'], to: StateEvent['to']): StateEvent => ({ kind: 'state', t, host: 'h', conn: 'c', from, to, cause: '' });
    const spans = stateSpans([ev(0, 'CLOSED', 'SYN_SENT'), ev(3, 'SYN_SENT', 'ESTABLISHED')], 10);
    expect(spans.map((s) => [s.state, s.start, s.end, s.open])).toEqual([
      ['SYN_SENT', 0, 3, false],
      ['ESTABLISHED', 3, 10, true],
    ]);
  });

  it('rejects an unknown host', () => {
    expect(() => renderTimerTimeline(timeWaitRun(), 'mallory')).toThrow(/no host "mallory"/);
  });
});
