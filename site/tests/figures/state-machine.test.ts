import { describe, expect, it } from 'vitest';
import { renderStateMachine, STANDARD_TRANSITIONS, TCP_STATES } from '../../lib/figures/state-machine.ts';
import { floodRun, handshakeRun, makeRun, state, timeWaitRun } from './fixtures.ts';
import { tagsWith, texts } from './svg-query.ts';

describe('renderStateMachine', () => {
  it('lays out all 11 states and every standard transition', () => {
    const svg = renderStateMachine(handshakeRun(), 'client');
    const states = new Set(tagsWith(svg, 'data-state').map((s) => s['data-state']));
    expect([...states].sort()).toEqual([...TCP_STATES].sort());
    expect(TCP_STATES).toHaveLength(11);
    const edges = tagsWith(svg, 'data-edge').map((e) => e['data-edge'].replace('&gt;', '>'));
    for (const tr of STANDARD_TRANSITIONS) expect(edges).toContain(`${tr.from}>${tr.to}`);
  });

  it('highlights and numbers exactly the transitions the host took', () => {
    const svg = renderStateMachine(timeWaitRun(), 'client');
    const taken = tagsWith(svg, 'data-edge')
      .filter((e) => e.class?.includes('taken-edge'))
      .map((e) => [e['data-edge'].replace('&gt;', '>'), e['data-steps']]);
    expect(taken).toEqual([
      ['ESTABLISHED>FIN_WAIT_1', '1'],
      ['FIN_WAIT_1>FIN_WAIT_2', '2'],
      ['FIN_WAIT_2>TIME_WAIT', '3'],
      ['TIME_WAIT>CLOSED', '4'],
    ]);
    const faint = tagsWith(svg, 'data-edge').filter((e) => !e.class?.includes('taken-edge'));
    expect(faint).toHaveLength(STANDARD_TRANSITIONS.length - 4);
    expect(tagsWith(svg, 'data-step').map((s) => s['data-step'])).toEqual(['1', '2', '3', '4']);
    expect(texts(svg)).toEqual(expect.arrayContaining(['close()', 'ACK of FIN received', 'FIN received', 'TIME_WAIT expired']));
  });

  it('shows only the chosen host: the server side of a handshake', () => {
    const svg = renderStateMachine(handshakeRun(), 'server');
    const taken = tagsWith(svg, 'data-edge').filter((e) => e.class?.includes('taken-edge'));
    expect(taken.map((e) => e['data-edge'].replace('&gt;', '>'))).toEqual(['LISTEN>SYN_RECV', 'SYN_RECV>ESTABLISHED']);
    expect(tagsWith(svg, 'data-final').map((f) => f['data-state'])).toEqual(['ESTABLISHED']);
  });

  it("leaves out request socks of spoofed SYNs and says how many", () => {
    const svg = renderStateMachine(floodRun(), 'server');
    expect(tagsWith(svg, 'data-step').map((s) => s['data-step'])).toEqual(['1', '2']);
    expect(texts(svg)).toContain('50 state changes of connections with spoofed or unknown peers not shown');
  });

  it('numbers a transition taken twice with both steps', () => {
    const run = makeRun('twice', [
      state('server', 0, 'LISTEN', 'SYN_RECV', 'SYN received'),
      state('server', 1, 'SYN_RECV', 'LISTEN', 'RST received'),
      state('server', 2, 'LISTEN', 'SYN_RECV', 'SYN received'),
    ]);
    const svg = renderStateMachine(run, 'server');
    const edge = tagsWith(svg, 'data-edge').find((e) => e['data-edge'] === 'LISTEN&gt;SYN_RECV')!;
    expect(edge['data-steps']).toBe('1,3');
  });

  it('draws a transition outside RFC 9293 Figure 5 when the host took one', () => {
    const run = makeRun('reset', [state('client', 5, 'CLOSE_WAIT', 'CLOSED', 'RST received')]);
    const svg = renderStateMachine(run, 'client');
    const taken = tagsWith(svg, 'data-edge').filter((e) => e.class?.includes('taken-edge'));
    expect(taken.map((e) => e['data-edge'])).toEqual(['CLOSE_WAIT&gt;CLOSED']);
  });

  it('escapes causes: a <script> cause comes out inert', () => {
    const run = makeRun('x', [state('client', 0, 'CLOSED', 'SYN_SENT', '<script>alert(1)</script>')]);
    const svg = renderStateMachine(run, 'client');
    expect(svg).not.toContain('<script>');
    expect(texts(svg)).toContain('<script>alert(1)</script>');
  });

  it('rejects an unknown host and an unknown state', () => {
    expect(() => renderStateMachine(handshakeRun(), 'mallory')).toThrow(/no host "mallory"/);
    const bad = makeRun('bad', [state('client', 0, 'CLOSED', 'SYN_RCVD' as never, 'typo')]);
    expect(() => renderStateMachine(bad, 'client')).toThrow(/unknown state/);
  });
});
