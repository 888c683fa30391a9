/**
 * What the TUN bridge needs from the machine before it touches anything: Linux, root (creating
 * namespaces and TUN devices needs CAP_SYS_ADMIN and CAP_NET_ADMIN), the TUN driver, iproute2
 * and socat. Each missing piece is reported with what to do about it.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Machine {
  platform: string;
  uid: number | null;
  /** Whether a path exists and is readable and writable. */
  canOpen(path: string): boolean;
  which(command: string): string | null;
}

export function findExecutable(command: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export const thisMachine: Machine = {
  platform: process.platform,
  uid: typeof process.getuid === 'function' ? process.getuid() : null,
  canOpen(path) {
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  },
  which: (command) => findExecutable(command),
};

/** Why the bridge cannot run here, or null when it can. */
export function tunUnavailableReason(m: Machine = thisMachine): string | null {
  if (m.platform !== 'linux') return `the TUN bridge runs on Linux only (this is ${m.platform})`;
  if (m.uid !== 0) return 'the TUN bridge needs root: creating a network namespace and a TUN device needs CAP_SYS_ADMIN and CAP_NET_ADMIN';
  if (!m.canOpen('/dev/net/tun')) return 'no usable /dev/net/tun (load the tun module, or give the container the device: --device /dev/net/tun)';
  if (!m.which('ip')) return 'the ip command (iproute2) is not installed: apt-get install -y iproute2';
  if (!m.which('socat')) return 'socat is not installed: apt-get install -y socat';
  return null;
}

/**
 * Prefix that makes a command get `signal` when its parent dies (PR_SET_PDEATHSIG via util-linux
 * setpriv), so a killed parent leaves no bridge behind. Empty when setpriv is not installed.
 */
export function pdeathsigPrefix(signal: 'TERM' | 'KILL'): string[] {
  return findExecutable('setpriv') ? ['setpriv', `--pdeathsig=${signal}`] : [];
}
