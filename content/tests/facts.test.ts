/**
 * The numbers in the prose (timeouts, retries, queue limits, defaults) must be what the stack
 * produces: every <Fact id="..."> is computed from the stack and compared number by number.
 */
import { describe, expect, it } from 'vitest';
import { FACTS, factValue } from '../facts.ts';
import { loadChapters, uses } from './chapters.ts';

const chapters = loadChapters();
const facts = chapters.flatMap((c) => uses(c.text, 'Fact').map((u) => ({ ...u, chapter: c.file })));

describe('facts quoted in the chapters agree with the stack', () => {
  it('the chapters quote facts', () => {
    expect(facts.length).toBeGreaterThan(20);
  });
  for (const f of facts) {
    it(`${f.chapter}:${f.line} <Fact id="${f.attrs.id}">${f.children}</Fact>`, () => {
      const expected = factValue(f.attrs.id);
      const written = [...f.children.replace(/(\d),(\d{3})/g, '$1$2').matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
      expect(written, `${f.chapter} line ${f.line}: the prose says "${f.children}", the stack gives ${expected.join(', ')} (${FACTS[f.attrs.id]?.about ?? f.attrs.id})`).toEqual(expected);
    });
  }
});

describe('the facts registry', () => {
  it('Linux v6.18 figures come out of the stack (a regression here is a stack bug, not a prose bug)', () => {
    expect(factValue('syn.sendTimes')).toEqual([0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67]);
    expect(factValue('syn.connectTimeout')).toEqual([131]);
    expect(factValue('syn.sendTimesLegacy')).toEqual([0, 1, 3, 7, 15, 31, 63]);
    expect(factValue('syn.connectTimeoutLegacy')).toEqual([127]);
    expect(factValue('synack.sendTimes')).toEqual([0, 1, 3, 7, 15, 31]);
    expect(factValue('synack.dropAt')).toEqual([63]);
    expect(factValue('timewait.duration')).toEqual([60]);
    expect(factValue('keepalive.deadAt')).toEqual([7875]);
    expect(factValue('queues.acceptQueueHolds')).toEqual([5]);
  });
  it('an unknown id is an error naming it', () => {
    expect(() => factValue('no.such.fact')).toThrow(/unknown fact id "no.such.fact"/);
    expect(() => factValue('sysctl:net.ipv4.nope')).toThrow(/unknown sysctl/);
  });
});
