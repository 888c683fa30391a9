/**
 * Network namespaces through iproute2 (`ip netns ...`), and the checks that keep the bridge
 * inside one. Every command here names its namespace explicitly (`ip -n NS`, `ip netns exec NS`):
 * nothing is ever configured in the namespace this process was started in.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

/** Where `ip netns add` bind-mounts a namespace (iproute2's NETNS_RUN_DIR). */
export const NETNS_RUN_DIR = '/run/netns';

export class NetnsError extends Error {
  override name = 'NetnsError';
}

/**
 * A name `ip netns` accepts and that cannot escape /run/netns: letters, digits, '.', '_', '-',
 * at most 64 characters, not "." or "..". Returns why it is not acceptable, or null.
 */
export function netnsNameProblem(name: string): string | null {
  if (name === '') return 'the namespace name is empty';
  if (name.length > 64) return `the namespace name "${name.slice(0, 20)}…" is longer than 64 characters`;
  if (name === '.' || name === '..') return `"${name}" cannot be a namespace name`;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return `the namespace name "${name}" may only hold letters, digits, '.', '_' and '-'`;
  return null;
}

function run(args: string[], what: string): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const detail = (e.stderr ?? '').trim() || e.message;
    throw new NetnsError(`${what} failed (ip ${args.join(' ')}): ${detail}`);
  }
}

export function netnsExists(name: string): boolean {
  return existsSync(`${NETNS_RUN_DIR}/${name}`);
}

/** Creates the namespace and brings its loopback up (a new namespace's `lo` starts down). */
export function createNetns(name: string): void {
  run(['netns', 'add', name], `creating network namespace ${name}`);
  try {
    run(['-n', name, 'link', 'set', 'lo', 'up'], `bringing up lo in ${name}`);
  } catch (err) {
    deleteNetns(name);
    throw err;
  }
}

export function deleteNetns(name: string): void {
  run(['netns', 'del', name], `deleting network namespace ${name}`);
}

/** Processes whose network namespace is this one. */
export function netnsPids(name: string): number[] {
  return run(['netns', 'pids', name], `listing processes in ${name}`)
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map(Number);
}

/** Interface names in the namespace (`ip -n NS -o link show`). */
export function netnsLinks(name: string): string[] {
  return run(['-n', name, '-o', 'link', 'show'], `listing interfaces in ${name}`)
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

/** Whether this process's network namespace is the named one (same nsfs inode). */
export function insideNetns(name: string): boolean {
  try {
    const mine = statSync('/proc/self/ns/net');
    const theirs = statSync(`${NETNS_RUN_DIR}/${name}`);
    return mine.dev === theirs.dev && mine.ino === theirs.ino;
  } catch {
    return false;
  }
}
