/**
 * Running a script inside a network namespace, from outside it.
 *
 * Node cannot enter a namespace itself (no setns), and the bridge's UDP socket must live in the
 * namespace to reach socat on the namespace's loopback. So the command the user typed becomes
 * two processes: this outer one creates the namespace if it is missing, starts the same script
 * again under `ip netns exec NS` (the inner one, which does the work), forwards signals to it,
 * waits, and then removes what it created. Namespace removal must happen out here: `ip netns
 * exec` gives the inner process its own mount namespace, where /run/netns cannot be unmounted
 * for everyone.
 *
 * What is cleaned up: the namespace, only if this session created it, after killing anything
 * left running in it. The inner process and the socat it starts are killed by the kernel if
 * their parent dies (PR_SET_PDEATHSIG through setpriv, when installed), so even a SIGKILLed
 * outer process leaves no bridge running — only, at worst, an empty namespace.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { createNetns, deleteNetns, netnsExists, netnsPids } from './netns.ts';
import { pdeathsigPrefix } from './prerequisites.ts';

/** Set in the inner process's environment to the namespace it was started in. */
export const INNER_ENV = 'TCPCOURSE_NETNS_INNER';

export interface NetnsSessionOptions {
  netns: string;
  /** Extra environment for the inner process. */
  env?: Record<string, string>;
  /** Arguments after the script (default: this process's own). */
  args?: string[];
  /** Script to run inside (default: this process's own script, under the same loader flags). */
  script?: string;
  /** Progress messages (namespace created / deleted). */
  log?: (line: string) => void;
  /** How long the inner process gets to exit after a forwarded signal before it is killed. */
  killAfterMs?: number;
}

export interface NetnsSessionResult {
  /** The inner process's exit code (128 + signal number if a signal ended it). */
  code: number;
  /** The signal this (outer) process received and forwarded, if any. */
  interruptedBy: NodeJS.Signals | null;
  createdNetns: boolean;
}

/** The namespace this process was started in by runInsideNetns, or null in an outer process. */
export function innerNetns(): string | null {
  return process.env[INNER_ENV] || null;
}

export async function runInsideNetns(opts: NetnsSessionOptions): Promise<NetnsSessionResult> {
  const log = opts.log ?? (() => {});
  const ns = opts.netns;
  let created = false;
  let cleaned = false;
  let interruptedBy: NodeJS.Signals | null = null;
  let child: ReturnType<typeof spawn> | null = null;
  let killTimer: ReturnType<typeof setTimeout> | null = null;

  const cleanUp = () => {
    if (cleaned) return;
    cleaned = true;
    if (!created) return;
    try {
      // Our namespace: whatever is still in it (normally nothing by now) was started by us.
      for (const pid of netnsPids(ns)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      deleteNetns(ns);
      log(`deleted network namespace ${ns}`);
    } catch (err) {
      process.stderr.write(`warning: could not delete network namespace ${ns}: ${(err as Error).message}\n`);
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    interruptedBy ??= sig;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill(sig);
      killTimer ??= setTimeout(() => child?.kill('SIGKILL'), opts.killAfterMs ?? 5000);
    }
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  // Last resort for an exception on the way out: synchronous, so it runs inside 'exit'.
  process.on('exit', cleanUp);

  try {
    if (!netnsExists(ns)) {
      createNetns(ns);
      created = true;
      log(`created network namespace ${ns}`);
    }
    if (interruptedBy) return { code: 128 + constants.signals[interruptedBy as keyof typeof constants.signals], interruptedBy, createdNetns: created };
    const script = opts.script ?? process.argv[1];
    const args = opts.args ?? process.argv.slice(2);
    const argv = ['netns', 'exec', ns, ...pdeathsigPrefix('TERM'), process.execPath, ...process.execArgv, script, ...args];
    const proc = spawn('ip', argv, { stdio: 'inherit', env: { ...process.env, ...opts.env, [INNER_ENV]: ns } });
    child = proc;
    const code = await new Promise<number>((resolve, reject) => {
      proc.on('error', reject);
      proc.on('exit', (c, sig) => resolve(c ?? 128 + (sig ? constants.signals[sig] : 0)));
    });
    return { code, interruptedBy, createdNetns: created };
  } finally {
    if (killTimer) clearTimeout(killTimer);
    cleanUp();
    for (const s of signals) process.off(s, onSignal);
    process.off('exit', cleanUp);
  }
}
