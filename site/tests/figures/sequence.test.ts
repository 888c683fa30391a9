import { describe, expect, it } from 'vitest';
import { renderSequence } from '../../lib/figures/sequence.ts';
import type { SegmentEvent } from '../../../stack/core/observe/trace.ts';
import { floodRun, handshakeRun, keepaliveRun, lostSynAckRun, makeRun, seg, state, timeWaitRun } from './fixtures.ts';
import { groupWith, tagsWith, texts } from './svg-query.ts';

const segmentsOf = (run: ReturnType<typeof handshakeRun>): SegmentEvent[] =>
  run.trace.filter((e): e is SegmentEvent => e.kind === 'segment');

describe('renderSequence', () => {
  it('draws one arrow per segment with its packetdrill-style label', () => {
    const run = handshakeRun();
    const svg = renderSequence(run);
    const arrows = tagsWith(svg, 'data-seg-id');
    expect(arrows.map((a) => Number(a['data-seg-id']))).toEqual(segmentsOf(run).map((s) => s.id));
    const [syn, synAck, ack] = segmentsOf(run);
    expect(texts(groupWith(svg, 'data-seg-id', String(syn.id)))).toContain('S seq 0 win 65535');
    const synAckTexts = texts(groupWith(svg, 'data-seg-id', String(synAck.id)));
    expect(synAckTexts).toContain('S. seq 0 ack 1 win 65160');
    expect(synAckTexts).toContain('<mss 1460,sackOK,TS,wscale 7>');
    expect(texts(groupWith(svg, 'data-seg-id', String(ack.id)))).toContain('. seq 1 ack 1 win 502');
    expect(svg).toMatch(/^<svg[^>]*role="img"[^>]*aria-label="Sequence diagram, Fixture handshake: 3 segments between client and server/);
  });

  it("shows each side's ISN, the number the relative seq/ack hide", () => {
    const run = handshakeRun();
    const [syn, synAck] = segmentsOf(run);
    syn.seq = 3_000_000_000;
    synAck.seq = 7;
    synAck.relSeq = 0;
    const svg = renderSequence(run);
    expect(texts(svg)).toEqual(expect.arrayContaining(['ISN 3000000000', 'ISN 7']));
  });

  it('writes len only for segments that carry data', () => {
    const run = makeRun('data', [seg({ from: 'client', t: 0, flags: 'P.', relSeq: 1, relAck: 1, len: 100 })]);
    expect(texts(renderSequence(run))).toContain('P. seq 1 ack 1 len 100 win 65535');
  });

  it('arrows go from sender lane to receiver lane, downwards in time', () => {
    const run = handshakeRun();
    const svg = renderSequence(run);
    const [syn, synAck] = segmentsOf(run);
    const path = (id: number): number[] => {
      const m = groupWith(svg, 'data-seg-id', String(id)).match(/class="seg" d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)"/);
      if (!m) throw new Error('no arrow path');
      return m.slice(1).map(Number);
    };
    const [x0, y0, x1, y1] = path(syn.id);
    expect(x1).toBeGreaterThan(x0); // client (left) → server (right)
    expect(y1).toBeGreaterThan(y0);
    const [sx0, sy0, sx1] = path(synAck.id);
    expect(sx0).toBe(x1); // the SYN-ACK leaves the lane the SYN arrived on
    expect(sy0).toBeCloseTo(y1, 5); // ...at the moment it arrived (same virtual time)
    expect(sx1).toBe(x0);
  });

  it('keeps segments sent together parallel, so one label is not crossed by the next arrow', () => {
    const run = makeRun('pair', [
      seg({ from: 'server', t: 5, flags: 'S.', relAck: 1 }),
      seg({ from: 'server', t: 5, flags: 'S.', relAck: 1 }),
    ]);
    const svg = renderSequence(run);
    const ends = [...svg.matchAll(/class="seg" d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)"/g)].map((m) => m.slice(1).map(Number));
    expect(ends).toHaveLength(2);
    expect(ends[1][1] - ends[0][1]).toBeGreaterThanOrEqual(30); // stacked at the sender
    expect(ends[1][3] - ends[0][3]).toBeCloseTo(ends[1][1] - ends[0][1], 5); // and by as much at the receiver
  });

  it('ends a lost segment in a cross halfway, labelled with its fate', () => {
    const run = lostSynAckRun();
    const svg = renderSequence(run);
    const lost = segmentsOf(run).find((s) => s.arriveAt === null)!;
    const g = groupWith(svg, 'data-seg-id', String(lost.id));
    expect(g).toContain('class="segment lost"');
    expect(g).toContain('class="cross"');
    expect(texts(g)).toContain('dropped by rule');
    // The delivered ones carry an arrowhead instead of a cross.
    const delivered = segmentsOf(run).filter((s) => s.arriveAt !== null);
    for (const s of delivered) expect(groupWith(svg, 'data-seg-id', String(s.id))).not.toContain('class="cross"');
  });

  it('marks the resent SYN-ACK as a retransmission', () => {
    const run = lostSynAckRun();
    const svg = renderSequence(run);
    const synAcks = segmentsOf(run).filter((s) => s.flags === 'S.');
    expect(groupWith(svg, 'data-seg-id', String(synAcks[0].id))).not.toContain('data-retransmission');
    const resent = groupWith(svg, 'data-seg-id', String(synAcks[1].id));
    expect(resent).toContain('data-retransmission="true"');
    expect(texts(resent).join(' ')).toContain('(retransmission)');
  });

  it('cuts long idle gaps and labels the skipped duration', () => {
    const svg = renderSequence(keepaliveRun());
    expect(tagsWith(svg, 'data-break').map((b) => b['data-break'])).toEqual(['7200 s']);
    expect(texts(svg)).toContain('… 7200 s …');
    // Without the cut the figure would be ~7200 s of drawing; with it the page stays short.
    const height = Number(svg.match(/height="(\d+)"/)![1]);
    expect(height).toBeLessThan(600);
  });

  it('does not cut gaps shorter than the threshold', () => {
    const svg = renderSequence(lostSynAckRun()); // its longest gap is 1 s
    expect(tagsWith(svg, 'data-break')).toEqual([]);
    const cut = renderSequence(lostSynAckRun(), { breakAfterMs: 500 });
    expect(tagsWith(cut, 'data-break').map((b) => b['data-break'])).toEqual(['1 s']);
  });

  it('writes state changes beside the lane with their cause', () => {
    const svg = renderSequence(handshakeRun());
    const states = tagsWith(svg, 'data-state').map((s) => `${s['data-host']}:${s['data-state']}`);
    expect(states).toEqual(['client:SYN_SENT', 'server:SYN_RECV', 'client:ESTABLISHED', 'server:ESTABLISHED']);
    expect(texts(svg)).toContain('SYN-ACK received');
  });

  it('emphasises the highlighted segment only', () => {
    const run = handshakeRun();
    const target = segmentsOf(run)[1].id;
    const svg = renderSequence(run, { highlightSegmentId: target });
    const highlighted = tagsWith(svg, 'data-highlight');
    expect(highlighted.map((h) => Number(h['data-seg-id']))).toEqual([target]);
    expect(texts(groupWith(svg, 'data-seg-id', String(target)))[0]).toMatch(/^▶ /);
  });

  it('summarises traffic with other hosts as a band instead of arrows', () => {
    const svg = renderSequence(floodRun());
    expect(tagsWith(svg, 'data-seg-id')).toHaveLength(3); // only the client's handshake
    expect(texts(svg)).toContain('2000 × S from attacker to server, spoofed sources');
    // The request socks of spoofed SYNs are counted, not written on the server's lane.
    const states = tagsWith(svg, 'data-state').map((s) => `${s['data-host']}:${s['data-state']}`);
    expect(states).toEqual(['client:SYN_SENT', 'server:SYN_RECV', 'client:ESTABLISHED', 'server:ESTABLISHED']);
    expect(texts(svg)).toContain('50 state changes of connections with other peers not drawn');
  });

  it('says spoofed only when the source address is not the sender\'s', () => {
    const run = floodRun();
    run.hosts.push({ name: 'attacker', addr: '198.18.0.7' });
    const svg = renderSequence(run);
    expect(texts(svg)).toContain('2000 × S from attacker to server, 1999 spoofed');
  });

  it('honours maxSegments and says how many were left out', () => {
    const svg = renderSequence(handshakeRun(), { maxSegments: 2 });
    expect(tagsWith(svg, 'data-seg-id')).toHaveLength(2);
    expect(texts(svg)).toContain('… 1 more segments between client and server not drawn');
  });

  it('escapes text from the run', () => {
    const run = makeRun('x', [state('client', 0, 'CLOSED', 'SYN_SENT', '<script>alert(1)</script>')]);
    run.info.title = 'A & <b>';
    const svg = renderSequence(run);
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;script&gt;');
  });

  it('rejects lanes that are not two different hosts', () => {
    expect(() => renderSequence(handshakeRun(), { lanes: ['client', 'client'] })).toThrow(/two different lanes/);
  });

  it('draws the teardown with a TIME_WAIT break of about 60 s', () => {
    const svg = renderSequence(timeWaitRun());
    expect(tagsWith(svg, 'data-seg-id')).toHaveLength(4);
    const [brk] = tagsWith(svg, 'data-break');
    expect(brk['data-break']).toBe('59.9995 s'); // from the last ACK (10.5 ms + 0.5 ms) to expiry at 60010.5 ms
  });
});
