/** The MIB counters: Linux names, zero until counted, listed in the order they were first counted. */
import { describe, expect, it } from 'vitest';
import { MIB_NAMES, Mib, type MibName } from '../../core/tcp/mib.ts';

describe('Mib', () => {
  it('reads 0 for a counter never counted, and counts what inc adds', () => {
    const m = new Mib();
    for (const name of MIB_NAMES) expect(m.get(name)).toBe(0);
    m.inc('ListenOverflows');
    m.inc('ListenOverflows');
    m.inc('TcpInSegs', 5);
    expect(m.get('ListenOverflows')).toBe(2);
    expect(m.get('TcpInSegs')).toBe(5);
    expect(m.get('ListenDrops')).toBe(0);
  });

  it('lists counters in the order they were first counted, not in MIB_NAMES order', () => {
    const m = new Mib();
    m.inc('TcpOutSegs');
    m.inc('IpInReceives');
    m.inc('SyncookiesSent');
    m.inc('TcpOutSegs');
    expect(Object.entries(m.counts)).toEqual([['TcpOutSegs', 2], ['IpInReceives', 1], ['SyncookiesSent', 1]]);
  });

  it('prints nstat rows sorted, with TcpExt counters prefixed', () => {
    const m = new Mib();
    m.inc('TcpInSegs');
    m.inc('ListenDrops', 3);
    m.inc('IpInReceives');
    expect(m.nstat()).toEqual([['IpInReceives', 1], ['TcpExtListenDrops', 3], ['TcpInSegs', 1]]);
  });

  it('keeps hosts apart', () => {
    const a = new Mib();
    const b = new Mib();
    a.inc('TW');
    expect(b.get('TW')).toBe(0);
    expect(b.counts).toEqual({});
  });

  it('refuses a counter Linux does not have, naming it', () => {
    const m = new Mib();
    expect(() => m.inc('ListenOverflow' as MibName)).toThrow(/unknown MIB counter "ListenOverflow"/);
    expect(() => m.inc('toString' as MibName)).toThrow(RangeError);
    expect(m.counts).toEqual({});
  });
});
