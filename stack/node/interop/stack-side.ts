/**
 * The simulated stack's side of the interop checks: socket calls made at wall-clock time on the
 * bridge's real-time clock, each returning a promise.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '../../core/tcp/connection.ts';
import type { Errno } from '../../core/tcp/errno.ts';
import type { TunBridge } from '../tun/bridge.ts';
import { atNow, completion, errnoText } from '../tun/sockets.ts';
import { CheckFailure } from './report.ts';

export interface StackRead {
  bytes: number;
  sha256: string;
  /** null: EOF; otherwise the errno read() failed with. */
  errno: Errno | null;
  endedAt: number;
}

export class StackSide {
  constructor(readonly bridge: TunBridge) {}

  private get api() {
    return this.bridge.stack.api;
  }

  private now<T>(fn: () => T): T {
    return atNow(this.bridge.driver, fn);
  }

  listen(port: number): number {
    return this.now(() => {
      const s = this.api.socket();
      if (!s.ok) throw new CheckFailure(`stack socket(): ${errnoText(s)}`);
      const b = this.api.bind(s.value, this.bridge.stack.addr, port);
      if (!b.ok) throw new CheckFailure(`stack bind(:${port}): ${errnoText(b)}`);
      const l = this.api.listen(s.value, 16);
      if (!l.ok) throw new CheckFailure(`stack listen(): ${errnoText(l)}`);
      return s.value;
    });
  }

  async accept(lfd: number): Promise<number> {
    const r = await completion(this.now(() => this.api.accept(lfd)));
    if (!r.ok) throw new CheckFailure(`stack accept(): ${errnoText(r)}`);
    return r.value;
  }

  /** connect(); resolves with the descriptor, or the errno the stack reported. */
  async connect(addr: number, port: number): Promise<{ fd: number; errno: Errno | null }> {
    const fd = this.now(() => {
      const s = this.api.socket();
      if (!s.ok) throw new CheckFailure(`stack socket(): ${errnoText(s)}`);
      return s.value;
    });
    const r = await completion(this.now(() => this.api.connect(fd, addr, port)));
    return { fd, errno: r.ok ? null : r.errno };
  }

  write(fd: number, bytes: Uint8Array): void {
    const r = this.now(() => this.api.write(fd, bytes));
    if (!r.ok) throw new CheckFailure(`stack write(): ${errnoText(r)}`);
  }

  shutdownWrite(fd: number): void {
    const r = this.now(() => this.api.shutdown(fd, 'SHUT_WR'));
    if (!r.ok) throw new CheckFailure(`stack shutdown(SHUT_WR): ${errnoText(r)}`);
  }

  close(fd: number): void {
    this.now(() => this.api.close(fd));
  }

  /** SO_LINGER {on, 0} then close(): the abortive close (RST, no TIME_WAIT). */
  abort(fd: number): void {
    this.now(() => {
      this.api.setsockopt(fd, 'SO_LINGER', { onoff: true, linger: 0 });
      this.api.close(fd);
    });
  }

  conn(fd: number): Connection {
    const c = this.api.connectionOf(fd);
    if (!c) throw new CheckFailure(`stack fd ${fd} has no connection`);
    return c;
  }

  /** Reads until EOF or an error, hashing what arrives. */
  async readAll(fd: number): Promise<StackRead> {
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      const r = await completion(this.now(() => this.api.read(fd)));
      if (!r.ok) return { bytes, sha256: hash.digest('hex'), errno: r.errno, endedAt: performance.now() };
      if (r.value.length === 0) return { bytes, sha256: hash.digest('hex'), errno: null, endedAt: performance.now() };
      bytes += r.value.length;
      hash.update(r.value);
    }
  }

  /** The state of a connection ('CLOSED' once it has left the host's tables). */
  state(conn: Connection): string {
    return conn.closed ? 'CLOSED' : conn.state;
  }

  /** Waits until the connection is in `want`; returns the state it ended up in. */
  async waitState(conn: Connection, want: string, timeoutMs = 5000): Promise<string> {
    await this.bridge.until(() => this.state(conn) === want, timeoutMs);
    return this.state(conn);
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
