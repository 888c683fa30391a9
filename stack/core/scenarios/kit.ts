/** Small building blocks the scenarios share: a listening server and connecting clients. */
import type { Host } from '../host.ts';
import type { World } from '../world.ts';
import type { SysResult } from '../tcp/errno.ts';

export const CLIENT_ADDR = '10.0.0.1';
export const SERVER_ADDR = '10.0.0.2';
export const PORT = 80;

export type Metrics = Record<string, number | number[] | string>;

export function mustOk<T>(r: SysResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what} failed: ${r.errno}`);
  return r.value;
}

export interface ServerOptions {
  backlog?: number;
  /** Accept connections as they come (false: never call accept()). */
  accept?: boolean;
  keepalive?: boolean;
  /** Called with each accepted descriptor. */
  onAccept?: (fd: number) => void;
}

/** socket/bind/listen on port 80; returns the listening descriptor. */
export function listenServer(host: Host, opts: ServerOptions = {}): number {
  const api = host.api;
  const fd = mustOk(api.socket(), 'socket');
  mustOk(api.setsockopt(fd, 'SO_REUSEADDR', 1), 'setsockopt');
  if (opts.keepalive) mustOk(api.setsockopt(fd, 'SO_KEEPALIVE', 1), 'setsockopt');
  mustOk(api.bind(fd, 0, PORT), 'bind');
  mustOk(api.listen(fd, opts.backlog ?? 128), 'listen');
  if (opts.accept !== false) {
    const loop = () => {
      api.accept(fd).then((r) => {
        if (!r.ok) return;
        opts.onAccept?.(r.value);
        loop();
      });
    };
    loop();
  }
  return fd;
}

export interface ClientResult {
  fd: number;
  connectedAt: number;
  error: string;
}

/** A client that connects at time `at` (optionally from a fixed port) and reports the outcome. */
export function connectClient(w: World, host: Host, at: number, opts: { port?: number; to?: string } = {}, done?: (r: ClientResult) => void): ClientResult {
  const result: ClientResult = { fd: -1, connectedAt: -1, error: '' };
  // Scheduled on the world, not the host's current life: a client may connect after a reboot.
  w.at(at, () => {
    if (!host.isUp()) return;
    const api = host.api;
    const fd = mustOk(api.socket(), 'socket');
    result.fd = fd;
    if (opts.port) mustOk(api.bind(fd, 0, opts.port), 'bind');
    const to = w.host(opts.to ?? 'server').addr;
    api.connect(fd, to, PORT).then((r) => {
      if (r.ok) result.connectedAt = w.now;
      else result.error = r.errno;
      done?.(result);
    });
  }, `${host.name} connect`);
  return result;
}

/** Reads until end of file, then calls `onEof`. */
export function readAll(host: Host, fd: number, onEof: () => void, onData?: (n: number) => void): void {
  const step = () => {
    host.api.read(fd).then((r) => {
      if (!r.ok) return;
      if (r.value.length === 0) return onEof();
      onData?.(r.value.length);
      step();
    });
  };
  step();
}

/** Times (ms) of the segments `from` sent with exactly these flags. */
export function sendTimes(w: World, from: string, flags: string): number[] {
  return w.trace.events.filter((e) => e.kind === 'segment' && e.from === from && e.flags === flags && !e.duplicate).map((e) => e.t);
}

export function stateTime(w: World, host: string, to: string, nth = 0): number {
  const ev = w.trace.events.filter((e) => e.kind === 'state' && e.host === host && e.to === to)[nth];
  return ev ? ev.t : -1;
}
