/**
 * The kernel's side of the interop checks: real Linux TCP sockets (node:net) opened by the inner
 * process, which lives in the test's namespace, and `ss -tan` run in that same namespace.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';

export interface KernelRead {
  bytes: number;
  sha256: string;
  /** How the stream ended: 'end' = the peer's FIN, otherwise the socket error's code. */
  ending: string;
  endedAt: number;
}

/** Reads a kernel socket until the peer's FIN or an error. */
export function kernelReadAll(sock: net.Socket): Promise<KernelRead> {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Promise((resolve) => {
    const finish = (ending: string) => resolve({ bytes, sha256: hash.digest('hex'), ending, endedAt: performance.now() });
    sock.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    sock.once('end', () => finish('end'));
    sock.once('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
  });
}

/** A kernel client socket from `localAddress` to the stack; half-close allowed. */
export function kernelConnect(host: string, port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port, localAddress, allowHalfOpen: true });
    sock.once('connect', () => {
      sock.off('error', reject);
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

/** A kernel server that hands each connection to `onConnection`; half-close allowed. */
export function kernelListen(host: string, port: number, onConnection: (sock: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true }, onConnection);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export interface SsRow {
  state: string;
  local: string;
  peer: string;
}

/** `ss -tan` in this namespace: every TCP socket, TIME-WAIT included. */
export function kernelSs(): Promise<SsRow[]> {
  return new Promise((resolve, reject) => {
    execFile('ss', ['-tanH'], (err, stdout) => {
      if (err) return reject(err);
      resolve(
        stdout
          .split('\n')
          .map((l) => l.trim().split(/\s+/))
          .filter((f) => f.length >= 5)
          .map((f) => ({ state: f[0], local: f[3], peer: f[4] })),
      );
    });
  });
}

/** The kernel's state for one connection, seen from the kernel's end ("-" when it has none). */
export async function kernelState(local: string, peer: string): Promise<string> {
  const row = (await kernelSs()).find((r) => r.local === local && r.peer === peer);
  return row ? row.state : '-';
}

/**
 * Polls `ss` until the kernel's side of a connection is in `want` ('-' = gone), or times out. The
 * limit is generous (it returns as soon as the state is reached): on a loaded CI machine the TUN
 * bridge in this process can take seconds to carry the last FIN.
 */
export async function waitKernelState(local: string, peer: string, want: string, timeoutMs = 15_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const state = await kernelState(local, peer);
    if (state === want || performance.now() > deadline) return state;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** This namespace's SNMP counters (/proc/net/snmp), as "Udp.RcvbufErrors" → value. */
export function netnsSnmp(): Record<string, number> {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n');
  const out: Record<string, number> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i].split(/\s+/);
    const values = lines[i + 1].split(/\s+/);
    const proto = names[0].replace(/:$/, '');
    for (let j = 1; j < names.length; j++) out[`${proto}.${names[j]}`] = Number(values[j]);
  }
  return out;
}
