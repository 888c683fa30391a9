/**
 * Lab isolation, as the labs use the kit: with teardown tasks 1 (close()) and 2 (the FIN and
 * ACK-of-FIN transitions) unfinished, a placed TIME_WAIT still works (it runs only task 3's
 * timer), while a driven fixture stops with a sentence that names the unfinished task.
 */
import { describe, expect, it, vi } from 'vitest';
import { notImplemented } from '../../core/tcp/not-implemented.ts';

vi.mock('../../core/tcp/teardown.ts', async (importActual) => {
  const actual = await importActual<typeof import('../../core/tcp/teardown.ts')>();
  return {
    ...actual,
    onAckOfFin: () => notImplemented('teardown/2: The ACK of our FIN'),
    closeConnection: () => notImplemented('teardown/1: close(): FIN, or RST when data would be lost'),
    onFin: () => notImplemented('teardown/2: The peer\'s FIN'),
  };
});

const { placeConnection, timeWait, established } = await import('../../testing/index.ts');

describe('fixtures with teardown tasks 1 and 2 unfinished', () => {
  it('a placed TIME_WAIT still lasts exactly 60 s', () => {
    const f = placeConnection('TIME_WAIT');
    f.h.advanceTo(59_999);
    expect(f.conn!.state).toBe('TIME_WAIT');
    f.h.advanceTo(60_000);
    expect(f.conn!.closed).toBe(true);
    expect(f.host.faults).toEqual([]);
  });

  it('established() does not need the teardown code at all', () => {
    expect(established().conn!.state).toBe('ESTABLISHED');
  });

  it('the driven timeWait() stops at close(), naming the unfinished task as a failed step', () => {
    let msg = '';
    try {
      timeWait();
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/failed \(t=10 ms\): the stack stopped in unfinished code \(not implemented yet: teardown\/1: close\(\): FIN, or RST when data would be lost\) during close\(3\)/);
  });

  it('with close() working, the driven fixture stops when the ACK of our FIN arrives (teardown task 2)', () => {
    const f = placeConnection('FIN_WAIT_1');
    expect(() => f.h.send(100, { flags: '.', seq: 1001, ack: 5002 })).toThrow(
      /the stack stopped in unfinished code \(not implemented yet: teardown\/2: The ACK of our FIN\) during segment arrival at 100 ms/,
    );
  });
});
