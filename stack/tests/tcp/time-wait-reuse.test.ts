/**
 * connect() onto a 4-tuple still in TIME_WAIT (Linux __inet_hash_connect, tcp_twsk_unique): a
 * socket bound to its port takes the TIME_WAIT over whenever the old connection used timestamps;
 * an ephemeral-port search does so only as tcp_tw_reuse allows (2: loopback only) and only after
 * tcp_tw_reuse_delay (1 s). The new ISN is the old SND.NXT + 65537; TWRecycled counts it.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../core/world.ts';
import { clientSocket, readToEnd, serverPair } from '../../testing/world-pair.ts';
import type { Host } from '../../core/host.ts';

const PORT = 40000;

/** A client that connects to server:80, and closes first once the server has read its request. */
function world(opts: { client?: Record<string, number>; loopback?: boolean; onePort?: boolean } = {}) {
  const pair = serverPair({
    seed: 11,
    clientAddr: opts.loopback ? '127.0.0.1' : '10.0.0.1',
    serverAddr: opts.loopback ? '127.0.0.2' : '10.0.0.2',
    client: opts.client,
    onAccept: (fd) => readToEnd(pair.server, fd, undefined, () => pair.server.api.close(fd)),
  });
  if (opts.onePort) pair.client.sysctl.set('net.ipv4.ip_local_port_range', [PORT, PORT]);
  return pair;
}

/** socket(), SO_REUSEADDR, optionally bind(PORT), connect(); the call's result once it is known. */
function open(w: World, client: Host, server: Host, bind: boolean) {
  const fd = clientSocket(client, { reuseAddr: true, bindPort: bind ? PORT : undefined });
  const call = client.api.connect(fd, server.addr, 80);
  w.runUntil(w.now + 50);
  return { fd, result: call.result };
}

/** One connection that the client closes first: its 4-tuple is left in TIME_WAIT on the client. */
function firstConnection(w: World, client: Host, server: Host, bind: boolean) {
  const first = open(w, client, server, bind);
  expect(first.result).toMatchObject({ ok: true });
  client.api.write(first.fd, 'GET /');
  w.runUntil(w.now + 50);
  client.api.close(first.fd);
  w.runUntil(w.now + 100);
  const tw = [...client.connections.values()].find((c) => c.state === 'TIME_WAIT');
  expect(tw).toBeDefined();
  expect(tw!.localPort).toBe(PORT);
  return tw!;
}

describe('connect() from a bound port onto its own TIME_WAIT', () => {
  it('takes the TIME_WAIT over when the old connection used timestamps, whatever tcp_tw_reuse says', () => {
    const { w, client, server } = world({ client: { 'net.ipv4.tcp_tw_reuse': 0 } });
    const tw = firstConnection(w, client, server, true);
    const oldSndNxt = tw.sndNxt;
    const second = open(w, client, server, true);
    expect(second.result).toMatchObject({ ok: true });
    expect(tw.closed).toBe(true);
    const conn = client.api.connectionOf(second.fd)!;
    expect(conn.iss).toBe((oldSndNxt + 65537) >>> 0);
    expect(conn.state).toBe('ESTABLISHED');
    expect(client.mib.get('TWRecycled')).toBe(1);
    expect(client.timeWaitCount).toBe(0);
  });

  it('fails with EADDRNOTAVAIL without timestamps: nothing would protect the new connection from old segments', () => {
    const { w, client, server } = world({ client: { 'net.ipv4.tcp_timestamps': 0 } });
    const tw = firstConnection(w, client, server, true);
    const second = open(w, client, server, true);
    expect(second.result).toMatchObject({ ok: false, errno: 'EADDRNOTAVAIL' });
    expect(tw.state).toBe('TIME_WAIT');
    expect(client.mib.get('TWRecycled')).toBe(0);
  });
});

describe('connect() searching ip_local_port_range (one port wide here)', () => {
  it('tcp_tw_reuse = 2 (the default) does not take over a TIME_WAIT between non-loopback addresses', () => {
    const { w, client, server } = world({ onePort: true });
    const tw = firstConnection(w, client, server, false);
    w.runUntil(tw.waitStartedAt + 5000);
    expect(open(w, client, server, false).result).toMatchObject({ ok: false, errno: 'EADDRNOTAVAIL' });
    expect(tw.state).toBe('TIME_WAIT');
  });

  it('tcp_tw_reuse = 2 takes it over on loopback, once it is older than tcp_tw_reuse_delay (1 s: not at 1.000 s, at 1.001 s)', () => {
    const { w, client, server } = world({ onePort: true, loopback: true });
    const tw = firstConnection(w, client, server, false);
    w.runUntil(tw.waitStartedAt + 1000);
    expect(open(w, client, server, false).result).toMatchObject({ ok: false, errno: 'EADDRNOTAVAIL' });
    w.runUntil(tw.waitStartedAt + 1001);
    const second = open(w, client, server, false);
    expect(second.result).toMatchObject({ ok: true });
    expect(client.api.connectionOf(second.fd)!.localPort).toBe(PORT);
    expect(client.mib.get('TWRecycled')).toBe(1);
  });

  it('tcp_tw_reuse = 1 takes it over between any addresses; tcp_tw_reuse_delay moves the wait', () => {
    const { w, client, server } = world({ onePort: true, client: { 'net.ipv4.tcp_tw_reuse': 1, 'net.ipv4.tcp_tw_reuse_delay': 3000 } });
    const tw = firstConnection(w, client, server, false);
    w.runUntil(tw.waitStartedAt + 2000);
    expect(open(w, client, server, false).result).toMatchObject({ ok: false, errno: 'EADDRNOTAVAIL' });
    w.runUntil(tw.waitStartedAt + 3001);
    expect(open(w, client, server, false).result).toMatchObject({ ok: true });
  });

  it('a full range is EADDRNOTAVAIL for connect() and EADDRINUSE for bind(port 0), never an exception', () => {
    const { w, client, server } = world({ onePort: true });
    const busy = open(w, client, server, false);
    expect(busy.result).toMatchObject({ ok: true });
    expect(open(w, client, server, false).result).toMatchObject({ ok: false, errno: 'EADDRNOTAVAIL' });
    const fd = client.api.socket();
    expect(client.api.bind(fd.ok ? fd.value : -1, 0, 0)).toMatchObject({ ok: false, errno: 'EADDRINUSE' });
  });
});
