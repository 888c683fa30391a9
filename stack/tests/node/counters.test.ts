/** nstat counters the queues chapter quotes, under their Linux names, from the named scenarios. */
import { expect, it } from 'vitest';
import { runScenario } from '../../core/scenarios/index.ts';

it('tcp_abort_on_overflow=1: each reset final ACK counts ListenOverflows, ListenDrops and EmbryonicRsts', () => {
  const r = runScenario('accept-queue-overflow-abort');
  const s = r.nstat.server;
  // Clients 6 and 7 are reset; client 8's SYNs are dropped while the accept queue stays full.
  expect(s.EmbryonicRsts).toBe(2);
  expect(s.TcpOutRsts).toBe(2);
  expect(s.ListenOverflows).toBe(s.ListenDrops);
  expect(s.ListenOverflows).toBeGreaterThan(2);
});
