import { describe, expect, it } from 'vitest';
import { normaliseQuery, segmentedQuery } from '../lib/search-query.ts';

describe('search queries', () => {
  it('normalises whitespace', () => {
    expect(normaliseQuery(' TIME_WAIT\tstate  now ')).toBe('TIME_WAIT state now');
  });

  it('splits a Chinese run into words for the second attempt', () => {
    const segmented = segmentedQuery('为什么是三次握手');
    expect(segmented).not.toBeNull();
    expect(segmented!.split(' ').length).toBeGreaterThan(1);
    expect(segmented!.replace(/ /g, '')).toBe('为什么是三次握手');
  });

  it('leaves queries without Chinese alone', () => {
    expect(segmentedQuery('SYN queue')).toBeNull();
  });
});
