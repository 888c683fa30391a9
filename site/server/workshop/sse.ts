/**
 * Server-sent events for the dashboard (HTML Living Standard, "Server-sent events"): each frame
 * is `event:` and one `data:` line per line of the payload, ended by a blank line; a comment line
 * (starting with ':') every HEARTBEAT_MS keeps proxies and idle timeouts from closing the stream.
 */
import type { ServerResponse } from 'node:http';

export const HEARTBEAT_MS = 15_000;

export function sseFrame(event: string, data: string): string {
  if (/[\r\n]/.test(event)) throw new Error('an SSE event name is one line');
  // A bare CR is a line break to the parser too: split on all three forms.
  return `event: ${event}\n${data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join('\n')}\n\n`;
}

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly heartbeatMs = HEARTBEAT_MS) {}

  get size(): number {
    return this.clients.size;
  }

  /** Takes over the response as an event stream; it leaves the hub when the client goes. */
  add(res: ServerResponse, first?: { event: string; data: string }): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\n\n${first ? sseFrame(first.event, first.data) : ''}`);
    this.clients.add(res);
    res.on('close', () => this.remove(res));
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const c of this.clients) c.write(': heartbeat\n\n');
      }, this.heartbeatMs);
      this.timer.unref();
    }
  }

  send(event: string, data: string): void {
    const frame = sseFrame(event, data);
    for (const c of this.clients) c.write(frame);
  }

  private remove(res: ServerResponse): void {
    this.clients.delete(res);
    if (this.clients.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Ends every stream (server shutdown: open streams would keep server.close() waiting). */
  close(): void {
    for (const c of [...this.clients]) c.end();
    this.clients.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
