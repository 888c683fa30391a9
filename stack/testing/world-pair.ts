/**
 * Two real hosts on a World's link, for end-to-end tests through the socket API: a client, and a
 * server listening on port 80 (fd 3) that hands each accepted connection to `onAccept`.
 */
import { World } from '../core/world.ts';
import type { Host } from '../core/host.ts';
import type { Connection } from '../core/tcp/connection.ts';

export interface ServerPairOptions {
  seed?: number;
  clientAddr?: string;
  serverAddr?: string;
  /** Sysctls of each host, by Linux name. */
  client?: Record<string, number>;
  server?: Record<string, number>;
  onAccept?: (fd: number) => void;
}

export function serverPair(options: ServerPairOptions = {}): { w: World; client: Host; server: Host } {
  const w = new World({ seed: options.seed ?? 1 });
  const client = w.addHost('client', options.clientAddr ?? '10.0.0.1', options.client ?? {});
  const server = w.addHost('server', options.serverAddr ?? '10.0.0.2', options.server ?? {});
  server.api.socket();
  server.api.bind(3, 0, 80);
  server.api.listen(3, 8);
  const accept = (): void => {
    server.api.accept(3).then((r) => {
      if (!r.ok) return;
      accept();
      options.onAccept?.(r.value);
    });
  };
  accept();
  return { w, client, server };
}

/** Reads `fd` until end of file, handing each chunk to `onData`; `onEnd` runs at end of file. */
export function readToEnd(host: Host, fd: number, onData: (bytes: Uint8Array) => void = () => {}, onEnd: () => void = () => {}): void {
  host.api.read(fd).then((r) => {
    if (!r.ok) return;
    if (r.value.length === 0) onEnd();
    else {
      onData(r.value);
      readToEnd(host, fd, onData, onEnd);
    }
  });
}

/** socket() on the client with the options a test wants, before its connect(). */
export function clientSocket(client: Host, options: { nodelay?: boolean; reuseAddr?: boolean; bindPort?: number } = {}): number {
  const fd = client.api.socket();
  if (!fd.ok) throw new Error(`socket() failed: ${fd.errno}`);
  if (options.nodelay) client.api.setsockopt(fd.value, 'TCP_NODELAY', 1);
  if (options.reuseAddr) client.api.setsockopt(fd.value, 'SO_REUSEADDR', 1);
  if (options.bindPort !== undefined) {
    const bound = client.api.bind(fd.value, 0, options.bindPort);
    if (!bound.ok) throw new Error(`bind(${options.bindPort}) failed: ${bound.errno}`);
  }
  return fd.value;
}

/**
 * A client connected to a server that listens (port 80) but never accepts, with five 1000-byte
 * segments sent and not yet acknowledged (the caller checks conn.rtx): the sender's state for tests
 * of loss, recovery and idle restarts to adjust by hand. `sysctls` go to both hosts.
 */
export function clientWithFlight(options: { seed?: number; sysctls?: Record<string, number> } = {}): { w: World; conn: Connection } {
  const w = new World({ seed: options.seed ?? 1, sysctls: options.sysctls ?? {} });
  const client = w.addHost('client', '10.0.0.1');
  const server = w.addHost('server', '10.0.0.2');
  server.api.socket();
  server.api.bind(3, 0, 80);
  server.api.listen(3, 4);
  const fd = clientSocket(client);
  client.api.connect(fd, server.addr, 80);
  w.runUntil(100);
  const conn = client.api.connectionOf(fd)!;
  conn.mss = 1000;
  client.api.write(fd, new Uint8Array(5000));
  return { w, conn };
}
