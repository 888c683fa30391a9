/**
 * The send queue bounded by SO_SNDBUF (send-buffer.ts, KERNEL.md finding 25) through the socket
 * API: blocking and non-blocking write(), the early-returning write() of callers that do not
 * wait, and tcp_sndbuf_expand. The exact counts Linux gives are pinned by the packetdrill scripts
 * queues/send-buffer-*.pkt, which also pass on the kernel.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../core/world.ts';
import type { Host } from '../../core/host.ts';
import { wmemQueued } from '../../core/tcp/send-buffer.ts';

function pair(opts: { sndbuf?: number; serverReads?: boolean } = {}) {
  const w = new World({ seed: 3 });
  const client = w.addHost('client', '10.0.0.1');
  const server = w.addHost('server', '10.0.0.2');
  server.api.socket();
  server.api.bind(3, 0, 80);
  server.api.listen(3, 4);
  const got: number[] = [];
  let eof = false;
  let serverFd = -1;
  server.api.accept(3).then((r) => {
    if (!r.ok) return;
    serverFd = r.value;
    if (opts.serverReads === false) return;
    const loop = () => server.api.read(r.value).then((d) => {
      if (!d.ok) return;
      if (d.value.length === 0) eof = true;
      else {
        for (const b of d.value) got.push(b);
        loop();
      }
    });
    loop();
  });
  const sock = client.api.socket();
  if (!sock.ok) throw new Error('socket() failed');
  const fd = sock.value;
  if (opts.sndbuf !== undefined) client.api.setsockopt(fd, 'SO_SNDBUF', opts.sndbuf);
  client.api.connect(fd, server.addr, 80);
  w.runUntil(100);
  return { w, client, server, fd, got, isEof: () => eof, serverFd: () => serverFd };
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

const conn = (h: Host, fd: number) => h.api.connectionOf(fd)!;

describe('send buffer (SO_SNDBUF)', () => {
  it('an unset send buffer grows at the handshake (tcp_sndbuf_expand: 2 × 10 × (2048 + 256) for MSS 1460); a set one does not', () => {
    const a = pair();
    expect(a.client.api.getsockopt(a.fd, 'SO_SNDBUF')).toEqual({ ok: true, value: 46080 });
    const b = pair({ sndbuf: 5000 });
    expect(b.client.api.getsockopt(b.fd, 'SO_SNDBUF')).toEqual({ ok: true, value: 10000 });
  });

  it('a blocking write larger than the buffer returns once its last byte is queued, and every byte arrives in order', () => {
    const { w, client, fd, got } = pair({ sndbuf: 5000 });
    const data = pattern(200_000);
    const call = client.api.writeCall(fd, data);
    // The first buffer is filled to the size goal whatever the limit; nothing more fits.
    expect(call.done).toBe(false);
    expect(conn(client, fd).sendQueue.length).toBeLessThan(70_000);
    let most = 0;
    for (let t = 110; !call.done && t < 20_000; t += 5) {
      w.runUntil(t);
      most = Math.max(most, wmemQueued(conn(client, fd)));
    }
    expect(call.result).toEqual({ ok: true, value: 200_000 });
    // Never more than one size goal (65343 at most) past the 10000-byte limit.
    expect(most).toBeLessThan(10_000 + 65_343 + 2 * 832);
    w.runUntil(call.doneAt + 2000);
    expect(got.length).toBe(200_000);
    expect(Uint8Array.from(got)).toEqual(data);
  });

  it('a non-blocking write takes what fits and then fails with EAGAIN; an emptied queue takes more', () => {
    const { w, client, fd } = pair({ sndbuf: 3000, serverReads: false });
    client.api.setNonBlocking(fd, true);
    const first = client.api.write(fd, pattern(200_000));
    expect(first.ok && first.value > 0 && first.value < 200_000).toBe(true);
    expect(client.api.write(fd, pattern(1000))).toEqual({ ok: false, errno: 'EAGAIN' });
    w.runUntil(5000);
    expect(conn(client, fd).sendQueue.length).toBe(0);
    expect(client.api.write(fd, pattern(1000))).toEqual({ ok: true, value: 1000 });
  });

  it('write() that returns early keeps its bytes (the caller may reuse its array) and a following shutdown() sends the FIN after them', () => {
    const { w, client, fd, got, isEof } = pair({ sndbuf: 3000 });
    const data = pattern(150_000);
    const buf = data.slice();
    expect(client.api.write(fd, buf)).toEqual({ ok: true, value: 150_000 });
    buf.fill(0);
    expect(client.api.shutdown(fd, 'SHUT_WR')).toEqual({ ok: true, value: 0 });
    expect(conn(client, fd).finQueued).toBe(false);
    w.runUntil(20_000);
    expect(got.length).toBe(150_000);
    expect(Uint8Array.from(got)).toEqual(data);
    expect(isEof()).toBe(true);
  });

  it('a larger SO_SNDBUF wakes a blocked writer at once (sk_write_space)', () => {
    const { w, client, fd } = pair({ sndbuf: 3000, serverReads: false });
    const call = client.api.writeCall(fd, pattern(400_000));
    w.runUntil(3000);
    // The peer does not read: its window closes after about 128 KB, and our buffer is full.
    expect(call.done).toBe(false);
    const before = conn(client, fd).sendQueue.length;
    client.api.setsockopt(fd, 'SO_SNDBUF', 200_000);
    w.runUntil(3001);
    expect(call.result).toEqual({ ok: true, value: 400_000 });
    expect(conn(client, fd).sendQueue.length).toBeGreaterThan(before);
  });

  it('a connection reset while a write waits ends it with the count taken so far', () => {
    const { w, client, server, fd, serverFd } = pair({ sndbuf: 3000, serverReads: false });
    const call = client.api.writeCall(fd, pattern(300_000));
    w.runUntil(3000);
    expect(call.done).toBe(false);
    server.api.setsockopt(serverFd(), 'SO_LINGER', { onoff: true, linger: 0 });
    server.api.close(serverFd());
    w.runUntil(4000);
    expect(call.result?.ok).toBe(true);
    const n = call.result!.ok ? call.result!.value : 0;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(300_000);
  });
});
