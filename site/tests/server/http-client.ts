/**
 * Raw HTTP for the attack suite: fetch() and URL would normalise `..`, `//` and percent escapes
 * before they reach the server, and could not send a malformed request at all. Each request
 * goes on its own connection, from a chosen loopback address (127.0.0.2 is "another learner").
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `request` bytes as they are and reads until the server closes; status 0 if it closed without a status line. */
export function rawRequest(port: number, request: string | Buffer, from = '127.0.0.1'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? finish() : reject(error)));
    socket.on('end', () => finish());
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
    };
    socket.write(request);
  });
}

export function parseResponse(text: string): RawResponse {
  const head = text.split('\r\n\r\n', 1)[0];
  const [statusLine, ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status, headers, body: text.slice(head.length + 4) };
}

/** A GET with the path sent byte for byte. */
export function rawGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', from?: string): Promise<RawResponse> {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return rawRequest(port, `${lines.join('\r\n')}\r\n\r\n`, from);
}

/** A JSON POST from a chosen address; `signal` aborts it (the learner closes the tab). */
export async function postFrom(port: number, path: string, body: unknown, from: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<RawResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const host = Object.keys(headers).some((k) => k.toLowerCase() === 'host') ? [] : [`Host: 127.0.0.1:${port}`];
  const request = [`POST ${path} HTTP/1.1`, ...host, 'Connection: close', 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(text)}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port, localAddress: from });
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks).toString('utf8'))));
    signal?.addEventListener('abort', () => socket.destroy(), { once: true });
    socket.write(`${request}\r\n\r\n${text}`);
  });
}

/** Opens a connection that sends part of a request and then nothing (slowloris). */
export function halfRequest(port: number, from = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from }, () => {
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
      // Reading, so a close by the server is noticed.
      socket.resume();
      resolve(socket);
    });
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}
