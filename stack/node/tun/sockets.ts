/**
 * The stack's socket API seen from async Node code: a blocking call becomes a promise that
 * settles when the call completes on the (real-time) virtual clock.
 */
import type { Call, SocketApi } from '../../core/socket.ts';
import type { SysResult } from '../../core/tcp/errno.ts';
import { ERRNO_TEXT } from '../../core/tcp/errno.ts';
import type { RealtimeDriver } from '../realtime.ts';

export function completion<T>(call: Call<T>): Promise<SysResult<T>> {
  return new Promise((resolve) => call.then(resolve));
}

/** "ECONNRESET (Connection reset by peer)". */
export function errnoText(r: SysResult<unknown>): string {
  return r.ok ? 'ok' : `${r.errno} (${ERRNO_TEXT[r.errno]})`;
}

export interface ReadOutcome {
  /** Bytes read before EOF or the error. */
  bytes: number;
  /** null: EOF reached; otherwise the failed read's result. */
  error: SysResult<never> | null;
}

/**
 * Reads until end of file, handing every chunk to `onData` (which may wait, e.g. for an output
 * stream to drain: while it does, nothing is read and the stack's receive window closes).
 */
export async function readUntilEof(api: SocketApi, fd: number, onData: (chunk: Uint8Array) => void | Promise<void>): Promise<ReadOutcome> {
  let bytes = 0;
  for (;;) {
    const r = await completion(api.read(fd));
    if (!r.ok) return { bytes, error: r };
    if (r.value.length === 0) return { bytes, error: null };
    bytes += r.value.length;
    await onData(r.value);
  }
}

/**
 * Runs `fn` on the stack at the current wall-clock time (RealtimeDriver.inject) and returns its
 * result: socket calls made from outside a tick (a stdin chunk, a timer) see the right clock.
 */
export function atNow<T>(driver: RealtimeDriver, fn: () => T): T {
  let out: { value: T } | null = null;
  driver.inject(() => {
    out = { value: fn() };
  });
  const done = out as { value: T } | null;
  if (done === null) throw new Error('the stack stopped before the call could run');
  return done.value;
}
