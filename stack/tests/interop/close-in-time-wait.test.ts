/**
 * Found by the kernel interop test: an application that half-closes (shutdown SHUT_WR), reads the
 * peer's FIN and only then calls close() must leave its connection in TIME_WAIT. In Linux the
 * FIN moved the 4-tuple to a timewait sock and the socket itself to TCP_CLOSE (tcp_time_wait →
 * tcp_done), so close() has nothing left to tear down.
 */
import { describe, expect, it } from 'vitest';
import { clientSocket, readToEnd, serverPair } from '../../testing/world-pair.ts';

function halfClosedPair() {
  const { w, client, server } = serverPair({ seed: 7, onAccept: (fd) => readToEnd(server, fd, undefined, () => server.api.close(fd)) });
  const fd = clientSocket(client);
  client.api.connect(fd, server.addr, 80).then(() => client.api.shutdown(fd, 'SHUT_WR'));
  return { w, client, fd };
}

describe('close() after the connection reached TIME_WAIT', () => {
  it('keeps the 4-tuple in TIME_WAIT for its 60 s', () => {
    const { w, client, fd } = halfClosedPair();
    w.runUntil(1000);
    const conn = client.api.connectionOf(fd)!;
    expect(conn.state).toBe('TIME_WAIT');
    const enteredAt = conn.waitStartedAt;
    expect(client.api.close(fd).ok).toBe(true);
    expect(conn.state).toBe('TIME_WAIT');
    expect(client.connections.get(conn.key)).toBe(conn);
    w.runUntil(enteredAt + 59_999);
    expect(conn.state).toBe('TIME_WAIT');
    w.runUntil(enteredAt + 60_001);
    expect(conn.closed).toBe(true);
  });

  it('sends nothing when closed in TIME_WAIT', () => {
    const { w, client, fd } = halfClosedPair();
    w.runUntil(1000);
    const before = client.mib.get('TcpOutSegs');
    client.api.close(fd);
    w.runUntil(2000);
    expect(client.mib.get('TcpOutSegs')).toBe(before);
  });
});
