/**
 * Found by the kernel interop test (1 MiB stack → Linux, a burst lost in the bridge): the
 * retransmission timeout rewinds SND.NXT behind a FIN that the peer already holds out of order.
 * When the retransmitted data fills the hole, the peer's cumulative ACK covers the data and the
 * FIN at once. That ACK must count as the ACK of our FIN (FIN_WAIT_1 → FIN_WAIT_2); sending a
 * second FIN one sequence number further left the connection stuck in FIN_WAIT_1.
 */
import { describe, expect, it } from 'vitest';
import { clientSocket, readToEnd, serverPair } from '../../testing/world-pair.ts';
import { parseFaultRule } from '../../core/sim/network.ts';

describe('an ACK covering data and a FIN sent before an RTO rewind', () => {
  it('acknowledges the FIN: FIN_WAIT_1 → FIN_WAIT_2, and no FIN beyond the data', () => {
    const { w, client, server } = serverPair({ seed: 3, onAccept: (fd) => readToEnd(server, fd) });
    const fd = clientSocket(client);
    const data = new Uint8Array(20 * 1448).fill(7);
    client.api.connect(fd, server.addr, 80).then(() => {
      client.api.write(fd, data);
      client.api.shutdown(fd, 'SHUT_WR');
    });
    // The segment before the last one (which carries the FIN) is lost: one duplicate ACK only,
    // so recovery waits for the retransmission timeout, which resends just that segment
    // (cwnd 1); the server then acknowledges it, the last segment and the FIN together.
    w.network.addFault(parseFaultRule('drop .+data from client #19'));
    w.runUntil(10_000);
    const conn = client.api.connectionOf(fd)!;
    expect(conn.state).toBe('FIN_WAIT_2');
    const fins = w.trace.events.filter((e) => e.kind === 'segment' && e.from === 'client' && e.flags.includes('F'));
    expect(fins.length).toBeGreaterThan(0);
    const finSeqs = new Set(fins.map((e) => (e.kind === 'segment' ? (e.seq + e.len) >>> 0 : 0)));
    expect([...finSeqs]).toEqual([(conn.iss + 1 + data.length) >>> 0]);
  });
});
