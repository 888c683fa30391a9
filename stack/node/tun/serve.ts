/**
 * `tun serve`: the stack as a server for clients in the kernel. Each accepted connection is
 * handled on its own: echo, send a file, or read and report what arrived.
 */
import { createHash } from 'node:crypto';
import { fmtAddr } from '../../core/tcp/connection.ts';
import type { TunBridge } from './bridge.ts';
import { completion, errnoText, readUntilEof } from './sockets.ts';

export interface ServeOptions {
  port: number;
  echo: boolean;
  /** Bytes to send to every client before shutting down our sending side. */
  send: Uint8Array | null;
  once: boolean;
  log: (line: string) => void;
}

export interface StackServer {
  /** Settles when --once is done (true if that connection ended without an error). */
  done: Promise<boolean>;
  /** Open connections' descriptors. */
  open: Set<number>;
}

export function startServer(bridge: TunBridge, opts: ServeOptions): StackServer {
  const api = bridge.stack.api;
  const log = opts.log;
  const open = new Set<number>();
  let settle!: (ok: boolean) => void;
  const done = new Promise<boolean>((resolve) => (settle = resolve));

  bridge.driver.inject(() => {
    const lfd = api.socket();
    if (!lfd.ok) throw new Error(`socket(): ${errnoText(lfd)}`);
    const fd = lfd.value;
    api.setsockopt(fd, 'SO_REUSEADDR', 1);
    const b = api.bind(fd, bridge.stack.addr, opts.port);
    if (!b.ok) throw new Error(`bind(${fmtAddr(bridge.stack.addr)}:${opts.port}): ${errnoText(b)}`);
    const l = api.listen(fd, 128);
    if (!l.ok) throw new Error(`listen(): ${errnoText(l)}`);
    void acceptLoop(fd);
  });

  async function acceptLoop(lfd: number): Promise<void> {
    for (;;) {
      const r = await completion(api.accept(lfd));
      if (!r.ok) {
        log(`accept(): ${errnoText(r)}`);
        return;
      }
      open.add(r.value);
      void handle(r.value).then((ok) => {
        open.delete(r.value);
        if (opts.once) settle(ok);
      });
      if (opts.once) return;
    }
  }

  async function handle(fd: number): Promise<boolean> {
    const conn = api.connectionOf(fd)!;
    const peer = `${fmtAddr(conn.remoteAddr)}:${conn.remotePort}`;
    log(`${peer} connected (fd ${fd})`);
    const hash = createHash('sha256');
    let sent = 0;
    if (opts.send) {
      const w = api.write(fd, opts.send);
      if (w.ok) sent += w.value;
      api.shutdown(fd, 'SHUT_WR');
    }
    const got = await readUntilEof(api, fd, (chunk) => {
      hash.update(chunk);
      if (opts.echo) {
        const w = api.write(fd, chunk);
        if (w.ok) sent += w.value;
      }
    });
    const summary = `received ${got.bytes} bytes (sha256 ${hash.digest('hex')}), sent ${sent}`;
    if (got.error) {
      log(`${peer} failed: read(): ${errnoText(got.error)}; ${summary}`);
      api.close(fd);
      return false;
    }
    // The client closed its sending side: we are in CLOSE_WAIT, and our close() sends our FIN
    // after any echo still queued.
    api.close(fd);
    const settled = await bridge.until(() => conn.closed || conn.state === 'TIME_WAIT', 30_000);
    log(`${peer} closed: ${summary}; the stack's side is ${conn.state}${settled ? '' : ' (not settled after 30 s)'}`);
    return settled;
  }

  return { done, open };
}
