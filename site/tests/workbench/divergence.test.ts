import { describe, expect, it } from 'vitest';
import { traceDivergence } from '../../lib/workbench/divergence.ts';
import type { SegmentEvent, TraceEvent } from '../../../stack/core/observe/trace.ts';

// The SYN of the handshake lab's ISN test as the grader traced it (seed 1), and its SYN-ACK.
function syn(over: Partial<SegmentEvent> = {}): SegmentEvent {
  return {
    kind: 'segment', id: 0, t: 0, arriveAt: 0, fate: 'delivered', from: 'host', to: 'peer', src: '10.0.0.2:40000', dst: '10.0.0.1:80',
    flags: 'S', seq: 1745377779, ack: 0, relSeq: 0, relAck: 0, len: 0, win: 64240,
    options: [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'ts', val: 3170709427, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }],
    ...over,
  };
}
function synAck(over: Partial<SegmentEvent> = {}): SegmentEvent {
  return { ...syn(), id: 1, t: 0.05, arriveAt: 0.1, from: 'peer', to: 'host', src: '10.0.0.1:80', dst: '10.0.0.2:40000', flags: 'S.', seq: 900, ack: 1745377780, relAck: 1, options: [], ...over };
}
const state: TraceEvent = { kind: 'state', t: 0, host: 'host', conn: '10.0.0.2:40000>10.0.0.1:80', from: 'CLOSED', to: 'SYN-SENT' } as unknown as TraceEvent;

describe('the first difference between the learner\'s run and the reference', () => {
  it('names the SYN and its seq when only the ISN is wrong (relative numbers are both 0)', () => {
    const d = traceDivergence([state, syn({ seq: 1745377780 })], [state, syn(), synAck()]);
    expect(d).toMatchObject({ position: 1, learnerId: 0, referenceId: 0, fields: ['seq'] });
    expect(d!.text).toBe('First difference: segment 1 (host→peer S at 0 ms), seq: 1745377780 in your run, 1745377779 in the reference.');
  });

  it('is null for the same segments, whatever the other events', () => {
    expect(traceDivergence([syn(), synAck()], [state, syn(), synAck()])).toBeNull();
  });

  it('names the first field and lists the others', () => {
    const d = traceDivergence([syn(), synAck({ flags: 'R.', win: 0, t: 3 })], [syn(), synAck()]);
    expect(d!.fields).toEqual(['flags', 'window', 'time']);
    expect(d!.text).toMatch(/segment 2 \(peer→host R\. at 3 ms\), flags: R\. in your run, S\. in the reference \(also differs: window, time\)\./);
  });

  it('says when the learner\'s run stops short, or sends nothing at all', () => {
    expect(traceDivergence([syn()], [syn(), synAck()])!.text).toBe('First difference: Your run stops after 1 segment; the reference goes on with segment 2 (peer→host S. at 0.05 ms).');
    const none = traceDivergence([state], [syn()]);
    expect(none).toMatchObject({ learnerId: null, referenceId: 0, fields: ['missing'] });
    expect(none!.text).toMatch(/^First difference: Your run sent no segment between the two hosts; the reference goes on with segment 1/);
  });

  it('says when the learner\'s run sends a segment the reference never sends', () => {
    const d = traceDivergence([syn(), synAck(), syn({ id: 2, t: 1000 })], [syn(), synAck()]);
    expect(d).toMatchObject({ position: 3, learnerId: 2, referenceId: null, fields: ['extra'] });
    expect(d!.text).toMatch(/your run sends segment 3 \(host→peer S at 1 s\), which the reference never sends \(the reference sends 2 segments in all\)/);
  });

  it('ignores the ack number of a segment without ACK, and link duplicates', () => {
    expect(traceDivergence([syn({ ack: 99 })], [syn()])).toBeNull();
    expect(traceDivergence([syn(), syn({ id: 5, duplicate: true })], [syn()])).toBeNull();
  });
});
