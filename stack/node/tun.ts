/**
 * `npm run tun -- serve|connect ...`: the simulated stack on a TUN device inside a network
 * namespace, with the Linux kernel's own TCP as its peer. See tun/README.md for how the bridge
 * works and why it is built this way; `npm run tun -- --help` for the options.
 *
 * The same script runs twice: started by the user it is the outer process (checks, namespace,
 * cleanup: tun/session.ts); started again by itself under `ip netns exec` it is the inner one
 * (bridge, server or client: tun/inner.ts).
 */
import { innerNetns, runInsideNetns } from './tun/session.ts';
import { tunUnavailableReason } from './tun/prerequisites.ts';
import { NetnsError } from './tun/netns.ts';
import { TUN_USAGE, UsageError, parseTunArgs, type TunCommand } from './tun/options.ts';
import { UnknownSysctlError, Sysctls } from '../core/tcp/sysctl.ts';

function exitWith(code: number, message?: string): never {
  if (message) process.stderr.write(`tun: ${message}\n`);
  process.exit(code);
}

let cmd: TunCommand;
try {
  cmd = parseTunArgs(process.argv.slice(2));
  if (cmd.mode !== 'help') new Sysctls(cmd.common.sysctls);
} catch (err) {
  if (err instanceof UsageError || err instanceof UnknownSysctlError || err instanceof RangeError) {
    exitWith(2, `${err.message}\n${TUN_USAGE}`);
  }
  throw err;
}
if (cmd.mode === 'help') {
  process.stdout.write(`${TUN_USAGE}\n`);
  process.exit(0);
}

const inside = innerNetns();
if (inside === null) {
  const reason = tunUnavailableReason();
  if (reason) exitWith(2, reason);
  try {
    const r = await runInsideNetns({ netns: cmd.common.netns, log: (l) => process.stderr.write(`tun: ${l}\n`) });
    process.exit(r.code);
  } catch (err) {
    if (err instanceof NetnsError) exitWith(1, err.message);
    throw err;
  }
} else {
  if (inside !== cmd.common.netns) exitWith(1, `started for namespace ${inside} but asked for ${cmd.common.netns}`);
  const { runInner } = await import('./tun/inner.ts');
  try {
    process.exit(await runInner(cmd));
  } catch (err) {
    exitWith(1, (err as Error).message);
  }
}
