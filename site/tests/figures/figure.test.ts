import { describe, expect, it, vi } from 'vitest';
import { memoiseRunner, renderFigureBody, renderFigureHtml, defaultHost, type ScenarioRunner } from '../../lib/figures/figure.ts';
import { handshakeRun, lostSynAckRun, queueOverflowRun, timeWaitRun } from './fixtures.ts';

const fixtures: Record<string, () => ReturnType<typeof handshakeRun>> = {
  handshake: handshakeRun,
  teardown: timeWaitRun,
  'accept-queue-overflow': queueOverflowRun,
};
const runner: ScenarioRunner = (name) => {
  const make = fixtures[name];
  if (!make) throw new Error(`unknown scenario "${name}"`);
  return make();
};

describe('figure assembly', () => {
  it('every figure kind is an SVG with role=img and aria-label followed by the trace table', () => {
    for (const kind of ['sequence', 'states', 'queues', 'timers'] as const) {
      const body = renderFigureBody(kind, kind === 'queues' ? queueOverflowRun() : timeWaitRun());
      expect(body).toMatch(/^<div class="fig-scroll" role="group" aria-label="figure" data-pagefind-ignore="all"><svg [^>]*role="img" aria-label="[^"]+"/);
      expect(body).toMatch(/<\/svg><\/div><details class="fig-trace"><summary>Trace as a table<\/summary><div class="fig-scroll" role="group" aria-label="trace table" data-pagefind-ignore="all"><table /);
    }
  });

  it('wraps the figure in <figure> with the caption and where it came from', () => {
    const html = renderFigureHtml({ kind: 'sequence', scenario: 'handshake', caption: 'The <three> segments', seed: 1 }, runner);
    expect(html).toMatch(/^<figure class="fig-figure" data-figure="sequence" data-scenario="handshake">/);
    expect(html).toContain('<figcaption>The &lt;three&gt; segments <span class="fig-source">scenario handshake · seed 1</span></figcaption>');
  });

  it('passes seed, sysctls and faults to the runner', () => {
    const spy = vi.fn(runner);
    renderFigureHtml(
      { kind: 'timers', scenario: 'teardown', host: 'client', seed: 3, sysctls: { 'net.ipv4.tcp_fin_timeout': 30 }, faults: ['drop F from client'] },
      spy,
    );
    expect(spy).toHaveBeenCalledWith('teardown', { seed: 3, sysctls: { 'net.ipv4.tcp_fin_timeout': 30 }, faults: ['drop F from client'] });
  });

  it('turns an unknown scenario into a visible error box and reports it', () => {
    const report = vi.fn();
    const html = renderFigureHtml({ kind: 'sequence', scenario: 'no-such-thing' }, runner, report);
    expect(html).toContain('data-figure-error="no-such-thing"');
    expect(html).toContain('unknown scenario &quot;no-such-thing&quot;');
    expect(report).toHaveBeenCalledWith(expect.stringContaining('no-such-thing'));
  });

  it('turns an unknown host into an error box, not a crash', () => {
    const report = vi.fn();
    const html = renderFigureHtml({ kind: 'states', scenario: 'handshake', host: 'mallory' }, runner, report);
    expect(html).toContain('data-figure-error="handshake"');
    expect(html).toContain('no host &quot;mallory&quot;');
    expect(report).toHaveBeenCalledOnce();
  });

  it('memoises runs by scenario and options, whatever the sysctl order', () => {
    const spy = vi.fn(runner);
    const run = memoiseRunner(spy);
    const a = run('handshake', { seed: 1, sysctls: { a: 1, b: 2 } });
    const b = run('handshake', { seed: 1, sysctls: { b: 2, a: 1 } });
    expect(b).toBe(a);
    run('handshake', { seed: 2 });
    run('handshake', { seed: 1, faults: ['drop S from client'] });
    expect(spy).toHaveBeenCalledTimes(3);
    expect(() => run('nope')).toThrow(/unknown scenario/);
    expect(() => run('nope')).toThrow(/unknown scenario/);
    expect(spy).toHaveBeenCalledTimes(4);
  });

  it('defaults per-host figures to the listener for queues and the busier lane for timers', () => {
    expect(defaultHost(queueOverflowRun(), 'queues')).toBe('server');
    expect(defaultHost(handshakeRun(), 'sequence')).toBe('client');
    expect(defaultHost(handshakeRun(), 'states')).toBe('client'); // 2 each: the left lane wins the tie
    expect(defaultHost(lostSynAckRun(), 'timers')).toBe('server'); // only the server ran a timer
    expect(defaultHost(timeWaitRun(), 'timers')).toBe('client');
  });
});
