import { describe, expect, it } from 'vitest';
import type { NoteEvent, SegmentEvent } from '../../core/observe/trace.ts';
import { describeFaultRule, FAULT_RULE_GRAMMAR, parseFaultRule, type FaultRuleSpec } from '../../core/sim/network.ts';
import { decodeSegment, encodeSegment } from '../../core/wire/codec.ts';
import { ACK, FIN, PSH, RST, SYN } from '../../core/wire/segment.ts';
import { c2s, makeWorld, s2c, sendSeg, type World } from './fixtures.ts';

/** Sends from client to server, one per ms, tagging each with its index in seq. */
function sendFromClient(w: World, flagsList: number[], payloadEvery = 0): void {
  flagsList.forEach((flags, i) => {
    w.scheduler.at(i, () => {
      const payload = payloadEvery > 0 && i % payloadEvery === 0 ? new Uint8Array(5) : new Uint8Array(0);
      sendSeg(w.network, w.client, c2s({ flags, seq: i, payload }));
    });
  });
}

/** The indices (seq) of the segments the server received, in arrival order. */
function receivedSeqs(w: World): number[] {
  return w.server.received.map((r) => {
    const d = decodeSegment(r.bytes);
    if (!d.ok) throw new Error(d.error.detail);
    return d.segment.seq;
  });
}

function droppedSeqs(w: World, total: number): number[] {
  const got = new Set(receivedSeqs(w));
  return Array.from({ length: total }, (_, i) => i).filter((i) => !got.has(i));
}

const FA = FIN | ACK;
const A = ACK;
const PA = PSH | ACK;

describe('fault rules on the network', () => {
  it('drops exactly the nth matching segment and no other', () => {
    const w = makeWorld();
    w.network.addFault({ from: 'client', flags: 'F', nth: 3, action: 'drop' });
    // FINs at 1, 3, 5, 7: the third FIN is index 5.
    sendFromClient(w, [A, FA, A, FA, A, FA, A, FA, A]);
    w.scheduler.runUntilIdle();
    expect(droppedSeqs(w, 9)).toEqual([5]);
    expect(w.network.stats.droppedByRule).toBe(1);
    const evs = w.trace.events.filter((e): e is SegmentEvent => e.kind === 'segment');
    expect(evs.filter((e) => e.fate === 'dropped-by-rule').map((e) => e.seq)).toEqual([5]);
  });

  it('defaults to the 1st match, once', () => {
    const w = makeWorld();
    w.network.addFault(parseFaultRule('drop F from client'));
    sendFromClient(w, [A, FA, FA, FA]);
    w.scheduler.runUntilIdle();
    expect(droppedSeqs(w, 4)).toEqual([1]);
  });

  it('applies to count segments from the nth on, and to every one with x*', () => {
    const w = makeWorld();
    w.network.addFault(parseFaultRule('drop . from client #2 x3'));
    sendFromClient(w, [A, A, A, A, A, A]);
    w.scheduler.runUntilIdle();
    expect(droppedSeqs(w, 6)).toEqual([1, 2, 3]);

    const all = makeWorld();
    all.network.addFault(parseFaultRule('drop . from client #4 x*'));
    sendFromClient(all, [A, A, A, A, A, A, A, A]);
    all.scheduler.runUntilIdle();
    expect(droppedSeqs(all, 8)).toEqual([3, 4, 5, 6, 7]);
  });

  it('matches only inside its time window, counting only segments inside it', () => {
    const w = makeWorld();
    // Segments leave at t = 0..9; the window [3, 7) holds 3, 4, 5, 6; #2 x2 is then 4 and 5.
    w.network.addFault(parseFaultRule('drop any from client after 3 before 7 #2 x2'));
    sendFromClient(w, Array(10).fill(A));
    w.scheduler.runUntilIdle();
    expect(droppedSeqs(w, 10)).toEqual([4, 5]);
  });

  it('treats flags as must-be-set, unless the rule asks for an exact match', () => {
    const loose = makeWorld();
    loose.network.addFault(parseFaultRule('drop . from client x*'));
    sendFromClient(loose, [SYN, A, FA, PA, RST]);
    loose.scheduler.runUntilIdle();
    expect(droppedSeqs(loose, 5)).toEqual([1, 2, 3]);

    const exact = makeWorld();
    exact.network.addFault(parseFaultRule('drop =. from client x*'));
    sendFromClient(exact, [SYN, A, FA, PA, RST]);
    exact.scheduler.runUntilIdle();
    expect(droppedSeqs(exact, 5)).toEqual([1]);
  });

  it('filters on payload with +data and -data', () => {
    const withData = makeWorld();
    withData.network.addFault(parseFaultRule('drop .+data from client x*'));
    sendFromClient(withData, Array(6).fill(A), 2);
    withData.scheduler.runUntilIdle();
    expect(droppedSeqs(withData, 6)).toEqual([0, 2, 4]);

    const without = makeWorld();
    without.network.addFault(parseFaultRule('drop . -data from client x*'));
    sendFromClient(without, Array(6).fill(A), 2);
    without.scheduler.runUntilIdle();
    expect(droppedSeqs(without, 6)).toEqual([1, 3, 5]);
  });

  it('matches on sender and receiver names', () => {
    const w = makeWorld();
    w.network.addFault(parseFaultRule('drop any from server x*'));
    w.network.addFault(parseFaultRule('drop any to client x*'));
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    sendSeg(w.network, w.server, s2c({ flags: SYN | ACK }));
    w.scheduler.runUntilIdle();
    expect(w.server.received).toHaveLength(1);
    expect(w.client.received).toHaveLength(0);
    const [fromServer, toClient] = w.network.faultRules();
    expect(fromServer.matched).toBe(1);
    expect(toClient.matched).toBe(1);
  });

  it('keeps a counter per rule: each rule counts every match, even one another rule dropped', () => {
    const w = makeWorld();
    w.network.addFault(parseFaultRule('drop . from client #1'));
    w.network.addFault(parseFaultRule('drop . from client #2'));
    sendFromClient(w, [A, A, A]);
    w.scheduler.runUntilIdle();
    expect(droppedSeqs(w, 3)).toEqual([0, 1]);
    expect(w.network.faultRules().map((r) => [r.matched, r.applied])).toEqual([
      [3, 1],
      [3, 1],
    ]);
  });

  it('never matches raw bytes sent without their decoded segment', () => {
    const w = makeWorld();
    w.network.addFault(parseFaultRule('drop any x*'));
    w.network.send(w.client, encodeSegment(c2s({ flags: SYN })));
    w.scheduler.runUntilIdle();
    expect(w.server.received).toHaveLength(1);
  });

  it('delays by the rule on top of the link delay', () => {
    const w = makeWorld();
    w.network.addFault(parseFaultRule('delay=300 . from client x*'));
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    sendSeg(w.network, w.client, c2s({ flags: ACK }));
    w.scheduler.runUntilIdle();
    expect(w.server.received.map((r) => r.t)).toEqual([5, 305]);
  });

  it('duplicates with dup: two deliveries and two trace events', () => {
    const w = makeWorld();
    w.network.addFault(parseFaultRule('dup S. from server'));
    sendSeg(w.network, w.server, s2c({ flags: SYN | ACK }));
    sendSeg(w.network, w.server, s2c({ flags: SYN | ACK }));
    w.scheduler.runUntilIdle();
    expect(w.client.received).toHaveLength(3);
    const evs = w.trace.events.filter((e): e is SegmentEvent => e.kind === 'segment');
    expect(evs.map((e) => e.duplicate === true)).toEqual([false, true, false]);
  });

  it('writes a note naming the rule (or its label) in the trace', () => {
    const w = makeWorld();
    w.network.addFault(parseFaultRule('drop F from client'));
    w.network.addFault({ from: 'client', flags: 'S', action: 'drop', label: 'lose the first SYN' });
    sendSeg(w.network, w.client, c2s({ flags: SYN }));
    sendSeg(w.network, w.client, c2s({ flags: FIN | ACK }));
    w.scheduler.runUntilIdle();
    const notes = w.trace.events.filter((e): e is NoteEvent => e.kind === 'note').map((n) => n.text);
    expect(notes).toEqual(['fault rule: lose the first SYN (segment #0)', 'fault rule: drop the 1st FIN from client (segment #1)']);
  });

  it('rejects a malformed spec given directly', () => {
    const w = makeWorld();
    expect(() => w.network.addFault({ flags: 'X', action: 'drop' })).toThrow(/"X" is not a packetdrill flag/);
    expect(() => w.network.addFault({ nth: 0, action: 'drop' })).toThrow(/nth must be an integer ≥ 1/);
    expect(() => w.network.addFault({ count: 0, action: 'drop' })).toThrow(/count must be/);
    expect(() => w.network.addFault({ action: { delay: -5 } })).toThrow(/delay must be/);
    expect(() => w.network.addFault({ action: 'explode' as never })).toThrow(/action must be/);
    expect(() => w.network.addFault({ after: 10, before: 10, action: 'drop' })).toThrow(/empty/);
  });
});

describe('parseFaultRule', () => {
  const cases: Array<[string, FaultRuleSpec]> = [
    ['drop F from client', { action: 'drop', flags: 'F', from: 'client' }],
    ['drop S. from server #1 x2', { action: 'drop', flags: 'S.', from: 'server', nth: 1, count: 2 }],
    ['delay=300 . from client x*', { action: { delay: 300 }, flags: '.', from: 'client', count: Infinity }],
    ['drop any from server after 1000 x*', { action: 'drop', from: 'server', after: 1000, count: Infinity }],
    ['dup R. from server to client', { action: 'duplicate', flags: 'R.', from: 'server', to: 'client' }],
    ['corrupt P.+data from client #3', { action: 'corrupt', flags: 'P.', data: true, from: 'client', nth: 3 }],
    ['drop =. -data from client before 1.5s', { action: 'drop', flags: '.', exact: true, data: false, from: 'client', before: 1500 }],
    ['drop - from attacker', { action: 'drop', flags: '-', from: 'attacker' }],
    ['  drop   F   from   client  ', { action: 'drop', flags: 'F', from: 'client' }],
  ];
  for (const [text, spec] of cases) {
    it(`reads "${text.trim()}"`, () => {
      expect(parseFaultRule(text)).toEqual(spec);
    });
  }

  const bad: Array<[string, RegExp]> = [
    ['', /the rule is empty/],
    ['zap F from client', /"zap" is not an action/],
    ['drop', /the flags are missing/],
    ['drop from client', /"from" where the flags belong/],
    ['drop Q from client', /"Q" is not a packetdrill flag/],
    ['drop SS from client', /"S" appears twice/],
    ['drop F from', /"from" must be followed by a host name/],
    ['drop F from #2', /"from" must be followed by a host name/],
    ['drop F from client #0', /"#0": the nth must be a whole number ≥ 1/],
    ['drop F from client #two', /"#two"/],
    ['drop F from client x0', /"x0": the count must be ≥ 1/],
    ['drop F from client x2 x3', /"x3": x<count> is given twice/],
    ['drop F from client after', /expected a time in ms after "after"/],
    ['drop F from client after soon', /"after soon"/],
    ['drop F from client after 10 before 5', /empty window/],
    ['delay= F from client', /"delay=": the delay must be a number/],
    ['drop F from client please', /unexpected "please"/],
  ];
  for (const [text, message] of bad) {
    it(`rejects "${text}" with the bad token and the grammar`, () => {
      let error: Error | undefined;
      try {
        parseFaultRule(text);
      } catch (e) {
        error = e as Error;
      }
      expect(error, 'should have thrown').toBeInstanceOf(Error);
      expect(error!.message).toMatch(message);
      expect(error!.message).toContain(FAULT_RULE_GRAMMAR);
    });
  }

  it('produces specs the network accepts and that mean what the text says', () => {
    const w = makeWorld();
    w.network.addFault(parseFaultRule('drop S. from server #1 x2'));
    for (let i = 0; i < 3; i++) sendSeg(w.network, w.server, s2c({ flags: SYN | ACK }));
    w.scheduler.runUntilIdle();
    expect(w.client.received).toHaveLength(1);
  });
});

describe('describeFaultRule', () => {
  const cases: Array<[string, string]> = [
    ['drop F from client', 'drop the 1st FIN from client'],
    ['drop S. from server #1 x2', 'drop the 1st and 2nd SYN-ACKs from server'],
    ['drop S. from server #2 x3', 'drop the 2nd to 4th SYN-ACKs from server'],
    ['delay=300 . from client x*', 'delay every ACK from client by 300 ms'],
    ['drop any from server after 1000 x*', 'drop every segment from server after 1000 ms'],
    ['dup R from server to client #3', 'duplicate the 3rd RST from server to client'],
    ['corrupt P.+data from client #11 x*', 'corrupt every PSH-ACK carrying data from client, starting with the 11th'],
    ['drop =. -data from client after 5 before 9', 'drop the 1st ACK (flags exactly .) without data from client between 5 and 9 ms'],
    ['drop - from attacker #22', 'drop the 22nd segment with no flags from attacker'],
  ];
  for (const [text, english] of cases) {
    it(`says "${english}"`, () => {
      expect(describeFaultRule(parseFaultRule(text))).toBe(english);
    });
  }
});
