/**
 * Every named scenario runs without a fault inside a host and produces the figures its
 * description promises (stack/core/scenarios/catalog.ts); and runs are deterministic by seed.
 */
import { describe, expect, it } from 'vitest';
import { listScenarios, runScenario } from '../../core/scenarios/index.ts';
import { established } from '../../testing/index.ts';

type Metrics = Record<string, unknown>;
const run = (name: string, sysctls?: Record<string, number>) => runScenario(name, { sysctls }).metrics as Metrics;

const SYN_TIMES = [0, 1000, 2000, 3000, 4000, 5000, 7000, 11_000, 19_000, 35_000, 67_000];

const figures: Record<string, (m: Metrics) => void> = {
  handshake: (m) => expect(m).toMatchObject({ connectedAt: 10, acceptedAt: 15 }),
  'handshake-lost-synack': (m) => {
    expect((m.synAckTimes as number[]).slice(0, 2)).toEqual([5, 1005]);
    expect(m.synAckRetransmitAfter).toBe(1000);
    expect(m.connectedAt).toBe(1010);
  },
  'connect-refused': (m) => expect(m).toMatchObject({ errno: 'ECONNREFUSED', failedAt: 10 }),
  'connect-timeout': (m) => expect(m).toMatchObject({ errno: 'ETIMEDOUT', failedAt: 131_000, synTimes: SYN_TIMES }),
  'simultaneous-open': (m) => expect(m).toMatchObject({ clientResult: 'connected', serverResult: 'connected' }),
  teardown: (m) => expect(m).toMatchObject({ timeWaitDuration: 60_000, timeWaitEnteredAt: 2005, timeWaitLeftAt: 62_005 }),
  'teardown-delayed-ack': (m) => expect(m.teardownSegments).toBe(3),
  'simultaneous-close': (m) => {
    expect(m.clientClosingAt).toBeGreaterThan(0);
    expect(m.serverClosingAt).toBeGreaterThan(0);
    expect(m.clientTimeWaitAt).toBeGreaterThan(m.clientClosingAt as number);
    expect(m.serverTimeWaitAt).toBeGreaterThan(m.serverClosingAt as number);
  },
  'time-wait-lost-ack': (m) => {
    expect((m.serverFinTimes as number[]).length).toBe(2);
    expect(m.timeWaitLeftAt).toBe((m.timeWaitRearmedAt as number) + 60_000);
  },
  'fin-wait-2-timeout': (m) => expect(m.finWait2Duration).toBe(60_000),
  'last-ack-new-syn': (m) => {
    expect(m.reconnectedAt).toBeGreaterThan(2001);
    // The retried SYN goes out 2 ms after the RST, not 1 s later.
    expect(m.reconnectedAt).toBeLessThan(2100);
  },
  'close-with-unread-data': (m) => expect(m).toMatchObject({ clientRead: 'ECONNRESET', TCPAbortOnClose: 1, rstAt: 1000 }),
  'close-wait-write': (m) =>
    expect(m).toMatchObject({ serverCloseWaitAt: 1005, write1: 'ok', clientReadBytes: 40, clientSawEofAt: 2510, clientTimeWaitAt: 2510 }),
  'close-wait-write-after-close': (m) => expect(m).toMatchObject({ write1: 'ok', clientRstAt: 1510, write2: 'EPIPE' }),
  'syn-flood': (m) => expect(m).toMatchObject({ clientsConnectedDuringFlood: 3, floodSyns: 10_000 }),
  'syn-flood-no-cookies': (m) => expect(m.clientsConnectedDuringFlood).toBe(0),
  'accept-queue-overflow': (m) => {
    expect(m).toMatchObject({ acceptQueueMax: 5, backlog: 4 });
    expect(m.ListenOverflows as number).toBeGreaterThan(0);
  },
  'accept-queue-overflow-abort': (m) => expect(m).toMatchObject({ acceptQueueMax: 5, client6Write: 'ECONNRESET', client7Write: 'ECONNRESET', client5Write: 'ok' }),
  'keepalive-dead-peer': (m) => {
    expect(m).toMatchObject({ serverRead: 'ETIMEDOUT', serverErrorIdle: 7_875_000, probes: 9 });
    expect(m.probeIdleTimes).toEqual(Array.from({ length: 9 }, (_, k) => 7_200_000 + k * 75_000));
  },
  'keepalive-rebooted-peer': (m) => expect(m).toMatchObject({ serverRead: 'ECONNRESET', probes: 1, probeIdleTimes: [7_200_000] }),
  'keepalive-alive-peer': (m) => {
    expect(m.probes).toBe(3);
    expect(m.serverErrorIdle).toBe(-1);
  },
};

describe('scenarios', () => {
  const all = listScenarios();

  it('the catalog and this test cover the same scenarios', () => {
    expect(all.map((s) => s.name).sort()).toEqual(Object.keys(figures).sort());
  });

  it.each(all.map((s) => [s.name]))('%s runs cleanly and shows its documented figures', (name) => {
    const r = runScenario(name);
    const faults = Object.entries(r.metrics).filter(([k]) => k.endsWith('Faults'));
    expect(faults).toEqual([]);
    expect(r.trace.length).toBeGreaterThan(0);
    figures[name](r.metrics as Metrics);
  });

  it('connect-timeout with tcp_syn_linear_timeouts = 0: SYNs at 0,1,3,7,15,31,63 s, ETIMEDOUT at 127 s', () => {
    expect(run('connect-timeout', { 'net.ipv4.tcp_syn_linear_timeouts': 0 })).toMatchObject({
      failedAt: 127_000,
      synTimes: [0, 1000, 3000, 7000, 15_000, 31_000, 63_000],
    });
  });

  it('the scenario options reach the hosts: tcp_abort_on_overflow = 1 turns accept-queue-overflow into the abort variant', () => {
    expect(run('accept-queue-overflow', { 'net.ipv4.tcp_abort_on_overflow': 1 })).toMatchObject({ client6Write: 'ECONNRESET' });
  });
});

describe('determinism', () => {
  it('the same seed gives an identical trace', () => {
    const a = runScenario('time-wait-lost-ack', { seed: 7 });
    const b = runScenario('time-wait-lost-ack', { seed: 7 });
    expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
    expect(b.nstat).toEqual(a.nstat);
  });

  it('different seeds give different ISNs (and so different traces)', () => {
    const firstSyn = (seed: number) => {
      const ev = runScenario('handshake', { seed }).trace.find((e) => e.kind === 'segment' && e.flags === 'S');
      return ev && ev.kind === 'segment' ? ev.seq : -1;
    };
    const isns = new Set([1, 2, 3, 4].map(firstSyn));
    expect(isns.size).toBe(4);
  });

  it('the test kit is deterministic too: same seed, same wire', () => {
    const wire = (seed: number) => JSON.stringify(established({ seed }).h.wire.map((w) => [w.t, w.dir, w.seg]));
    expect(wire(5)).toBe(wire(5));
    expect(wire(5)).not.toBe(wire(6));
  });
});
