import { describe, expect, it } from 'vitest';
import { firstDivergence } from '../../lib/figures/divergence.ts';
import type { SegmentEvent } from '../../../stack/core/observe/trace.ts';
import { handshakeRun, lostSynAckRun } from './fixtures.ts';

function withSegment(run: ReturnType<typeof handshakeRun>, index: number, change: Partial<SegmentEvent>): ReturnType<typeof handshakeRun> {
  let i = -1;
  return {
    ...run,
    trace: run.trace.map((e) => (e.kind === 'segment' && ++i === index ? { ...e, ...change } : e)),
  };
}

describe('firstDivergence', () => {
  it('returns null for equal runs', () => {
    expect(firstDivergence(handshakeRun(), handshakeRun())).toBeNull();
  });

  it('ignores differences that are not segments (state causes, ids)', () => {
    const a = handshakeRun();
    const b = handshakeRun(); // fresh ids from the fixture counter
    expect(a.trace.find((e) => e.kind === 'segment')!).not.toEqual(b.trace.find((e) => e.kind === 'segment'));
    expect(firstDivergence(a, b)).toBeNull();
  });

  it('finds the first segment whose flags differ', () => {
    const a = handshakeRun();
    const b = withSegment(a, 2, { flags: 'R', relAck: 0 });
    const d = firstDivergence(a, b)!;
    const segA = a.trace.filter((e) => e.kind === 'segment')[2] as SegmentEvent;
    expect(d.index).toBe(2);
    expect(d.aId).toBe(segA.id);
    expect(d.fields).toEqual(['flags', 'ack']);
    expect(d.description).toBe(
      'segment 3 differs (flags, ack): client → server . seq 1 ack 1 win 502 at 1 ms vs client → server R seq 1 win 502 at 1 ms',
    );
  });

  it('compares relative seq, len and send time', () => {
    const a = handshakeRun();
    expect(firstDivergence(a, withSegment(a, 1, { relSeq: 7 }))?.fields).toEqual(['seq']);
    expect(firstDivergence(a, withSegment(a, 0, { len: 10 }))?.fields).toEqual(['len']);
    expect(firstDivergence(a, withSegment(a, 1, { t: 3 }))).toMatchObject({ index: 1, fields: ['time'] });
  });

  it('reports a run that sent more segments', () => {
    const a = handshakeRun();
    const b = lostSynAckRun(); // first two segments match (S, S.), then the runs part
    const d = firstDivergence(a, b)!;
    expect(d.index).toBe(2);
    expect(d.fields).toContain('time');
    const shorter = { ...a, trace: a.trace.filter((e) => !(e.kind === 'segment' && e.flags === '.')) };
    const missing = firstDivergence(a, shorter)!;
    expect(missing).toMatchObject({ index: 2, bId: null, fields: ['missing'] });
    expect(missing.description).toMatch(/^segment 3 is only in the first run: client → server \. seq 1 ack 1/);
  });
});
