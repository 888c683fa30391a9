/**
 * When a receiver ACKs small segments, measured on Linux 6.18 over a veth pair (KERNEL.md
 * finding 12): a client writes 100 bytes every 50 ms (or every 300 ms) and the server reads them,
 * or never reads. The first 16 are ACKed at once (quickack mode). After that a server that reads
 * still ACKs each one at once — the read that empties the queue sends the delayed ACK
 * (tcp_cleanup_rbuf) — while one that does not read waits the 40 ms delayed-ACK timeout; unless
 * the gaps are longer than the RTO, which starts quickack mode again (tcp_event_data_recv).
 * In a request/response exchange a server that replies within the 40 ms sends a bare ACK for the
 * first request only: its first reply makes the connection interactive (ping-pong,
 * tcp_event_data_sent with tcp_pingpong_thresh 1) and each reply carries the ACK; one that
 * replies after 60 ms ACKs every request on its own first.
 */
import { describe, expect, it } from 'vitest';
import { clientSocket, readToEnd, serverPair } from '../../testing/world-pair.ts';

const LINK_DELAY = 5; // the World's default one-way delay

/** The server's ACK delays after each client write, in ms, measured where the ACK leaves. */
function ackDelays(gap: number, writes: number, serverReads: boolean): number[] {
  const { w, client, server } = serverPair({ seed: 3, onAccept: (fd) => serverReads && readToEnd(server, fd) });
  const fd = clientSocket(client, { nodelay: true });
  client.api.connect(fd, server.addr, 80);
  w.runUntil(300);
  for (let i = 0; i < writes; i++) w.sched.at(300 + i * gap, () => void client.api.write(fd, 'q'.repeat(100)));
  w.runUntil(300 + writes * gap + 100);
  const delays: number[] = [];
  let sentAt = -1;
  for (const e of w.trace.events) {
    if (e.kind !== 'segment') continue;
    if (e.from === 'client' && e.len > 0) sentAt = e.t;
    else if (e.from === 'server' && e.flags === '.' && sentAt >= 0) {
      delays.push(e.t - sentAt - LINK_DELAY);
      sentAt = -1;
    }
  }
  return delays;
}

describe('ACKs for small segments (Linux 6.18 quickack, delayed ACK and tcp_cleanup_rbuf)', () => {
  it('a server that reads ACKs every write at once, also after the 16 quickacks', () => {
    expect(ackDelays(50, 24, true)).toEqual(Array(24).fill(0));
  });

  it('a server that does not read ACKs the first 16 at once, then after the 40 ms delayed-ACK timeout', () => {
    expect(ackDelays(50, 24, false)).toEqual([...Array(16).fill(0), ...Array(8).fill(40)]);
  });

  it('gaps longer than the RTO start quickack mode again: every write ACKed at once even unread', () => {
    expect(ackDelays(300, 20, false)).toEqual(Array(20).fill(0));
  });
});

/**
 * Request/response: the client writes 100 bytes, reads the 100-byte reply, waits 50 ms, again.
 * Returns the server's segments as "." (bare ACK) and "P." (reply) with the request they follow.
 */
function serverSegments(replyAfter: number, requests: number, sysctls: Record<string, number> = {}): string[] {
  const reply = (fd: number) => () => void server.api.write(fd, 'r'.repeat(100));
  const { w, client, server } = serverPair({ seed: 3, server: sysctls, onAccept: (fd) => readToEnd(server, fd, () => void w.sched.at(w.now + replyAfter, reply(fd))) });
  const fd = clientSocket(client, { nodelay: true });
  client.api.connect(fd, server.addr, 80);
  w.runUntil(300);
  let sent = 0;
  const ask = (): void => {
    if (sent++ >= requests) return;
    client.api.write(fd, 'q'.repeat(100));
    client.api.read(fd).then(() => void w.sched.at(w.now + 50, ask));
  };
  ask();
  w.runUntil(300 + requests * (replyAfter + 100) + 100);
  let request = 0;
  const out: string[] = [];
  for (const e of w.trace.events) {
    if (e.kind !== 'segment') continue;
    if (e.from === 'client' && e.len > 0) request++;
    else if (e.from === 'server' && request > 0) out.push(`${request}${e.flags}`);
  }
  return out;
}

describe('ACKs in a request/response exchange (ping-pong mode)', () => {
  it('replies within 40 ms: one bare ACK for the first request, then every reply carries the ACK', () => {
    const replies = Array.from({ length: 6 }, (_, i) => `${i + 1}P.`);
    expect(serverSegments(5, 6)).toEqual(['1.', ...replies]);
  });

  it('replies after 60 ms: every request is ACKed on its own before its reply', () => {
    expect(serverSegments(60, 6)).toEqual(Array.from({ length: 6 }, (_, i) => [`${i + 1}.`, `${i + 1}P.`]).flat());
  });

  it('tcp_pingpong_thresh = 3: three quick replies before the connection counts as interactive', () => {
    expect(serverSegments(5, 6, { 'net.ipv4.tcp_pingpong_thresh': 3 })).toEqual(['1.', '1P.', '2.', '2P.', '3.', '3P.', '4P.', '5P.', '6P.']);
  });
});
