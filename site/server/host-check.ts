/**
 * The Host header allow-list. A page on another site can make a browser send requests to
 * 127.0.0.1 under its own name (DNS rebinding: evil.example first resolves to the attacker, then
 * to 127.0.0.1); the Host header still says evil.example, so answering only to the names this
 * server is really reached by stops it.
 */
import { networkInterfaces } from 'node:os';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];

/** The host names (no port) a server listening on `listenHost` answers to. */
export function allowedHostNames(listenHost: string): string[] {
  const names = new Set(LOOPBACK_NAMES);
  names.add(bare(listenHost));
  if (listenHost === '0.0.0.0' || listenHost === '::') {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(bare(a.address));
  }
  return [...names];
}

function bare(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
}

/** The host name of a Host header value (`[::1]:4321` → `::1`, `LOCALHOST.:80` → `localhost`), or null when malformed. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const value = header.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (v6) return v6[1];
  const named = /^([a-z0-9.-]+?)\.?(?::\d{1,5})?$/.exec(value);
  return named ? named[1] : null;
}

export function hostAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  const name = hostName(header);
  return name !== null && allowed.includes(name);
}
