/**
 * `tun connect`: the stack as the client of a kernel server. It sends a stream (a file or stdin),
 * shuts down its sending side at the end of it, writes what it receives to a stream until the
 * server closes, then closes and waits for its side of the teardown to finish.
 */
import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { fmtAddr } from '../../core/tcp/connection.ts';
import type { TunBridge } from './bridge.ts';
import { atNow, completion, errnoText, readUntilEof } from './sockets.ts';

export interface ConnectOptions {
  host: number;
  port: number;
  /** What to send; null sends nothing and never shuts down the sending side before EOF. */
  input: Readable | null;
  output: Writable;
  log: (line: string) => void;
}

export async function runClient(bridge: TunBridge, opts: ConnectOptions): Promise<boolean> {
  const api = bridge.stack.api;
  const log = opts.log;
  const target = `${fmtAddr(opts.host)}:${opts.port}`;
  const s = atNow(bridge.driver, () => api.socket());
  if (!s.ok) throw new Error(`socket(): ${errnoText(s)}`);
  const fd = s.value;
  const c = await completion(atNow(bridge.driver, () => api.connect(fd, opts.host, opts.port)));
  if (!c.ok) {
    log(`connect(${target}): ${errnoText(c)}`);
    api.close(fd);
    return false;
  }
  const conn = api.connectionOf(fd)!;
  log(`connected ${fmtAddr(conn.localAddr)}:${conn.localPort} -> ${target}`);

  let sent = 0;
  const sentHash = createHash('sha256');
  let sendError: string | null = null;
  const sending = opts.input ? sendAll(opts.input) : Promise.resolve();

  async function sendAll(input: Readable): Promise<void> {
    for await (const chunk of input) {
      const bytes = chunk as Buffer;
      // A blocking write: the input is read no faster than the send buffer drains.
      const w = await completion(atNow(bridge.driver, () => api.writeCall(fd, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length))));
      if (!w.ok) {
        sendError = `write(): ${errnoText(w)}`;
        return;
      }
      sent += bytes.length;
      sentHash.update(bytes);
    }
    atNow(bridge.driver, () => api.shutdown(fd, 'SHUT_WR'));
  }

  const recvHash = createHash('sha256');
  const got = await readUntilEof(api, fd, async (chunk) => {
    recvHash.update(chunk);
    if (!opts.output.write(chunk)) await new Promise((resolve) => opts.output.once('drain', resolve));
  });
  if (got.error) {
    log(`read(): ${errnoText(got.error)}`);
    // The connection is gone: nothing more of the input can be sent.
    opts.input?.destroy();
  }
  await sending.catch((err: Error) => {
    sendError ??= `reading the input: ${err.message}`;
  });
  if (sendError) log(sendError);
  atNow(bridge.driver, () => api.close(fd));
  const settled = await bridge.until(() => conn.closed || conn.state === 'TIME_WAIT', 30_000);
  log(`sent ${sent} bytes (sha256 ${sentHash.digest('hex')}), received ${got.bytes} bytes (sha256 ${recvHash.digest('hex')}); the stack's side is ${conn.state}${settled ? '' : ' (not settled after 30 s)'}`);
  return !got.error && !sendError && settled;
}
