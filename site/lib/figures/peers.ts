/**
 * Which connections a per-host figure draws. A flooded listener creates a request sock (with its
 * state changes and SYN-ACK timer) for every spoofed SYN; drawn one by one they would bury the
 * connection the chapter is about. Connections whose peer address belongs to no host in the run
 * (spoofed sources) are counted instead of drawn.
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';

/** "10.0.0.2:80>10.0.0.1:40000" → "10.0.0.1"; a listener's "10.0.0.2:80" has no peer. */
export function peerAddress(conn: string): string | null {
  const arrow = conn.indexOf('>');
  if (arrow < 0) return null;
  const remote = conn.slice(arrow + 1);
  const colon = remote.lastIndexOf(':');
  return colon < 0 ? remote : remote.slice(0, colon);
}

/** True for listeners and for connections whose peer is one of `hosts` (default: every host in the run). */
export function connWithKnownPeer(run: ScenarioRun, conn: string, hosts?: readonly string[]): boolean {
  const peer = peerAddress(conn);
  if (peer === null) return true;
  const names = hosts ?? run.hosts.map((h) => h.name);
  return run.hosts.some((h) => names.includes(h.name) && h.addr === peer);
}

/** Address part of "10.0.0.1:40000". */
export function addressPart(endpoint: string): string {
  const colon = endpoint.lastIndexOf(':');
  return colon < 0 ? endpoint : endpoint.slice(0, colon);
}
