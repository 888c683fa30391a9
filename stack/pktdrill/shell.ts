/**
 * Backquoted shell lines in packetdrill scripts. Real scripts use them for one thing that matters
 * to a TCP stack: setting sysctls (`sysctl -q net.ipv4.X=V`, `set_sysctls.py /proc/sys/...=V`, or
 * the `defaults.sh` every Linux selftest starts with). Those become sysctl settings on the host
 * under test; anything else (tc, nstat, ip, ethtool, sockstat) cannot be reproduced on the
 * simulator and is reported as unsupported, never skipped.
 */

export interface SysctlSetting {
  name: string;
  /** The value as written; the host decides whether it is in range. */
  value: string;
}

/**
 * `nstat` as the Linux selftests use it to check counters: `nstat -n` (or `nstat > /dev/null`)
 * starts a new interval; `nstat | grep TcpExtTCPLossProbes | grep -q " 1 "` prints the counters
 * that changed since the last run, keeps the lines every grep matches, and fails when none is left.
 * `-s` (--noupdate) leaves the interval running, so that a second check sees the same changes.
 */
export interface NstatCommand {
  /** Each `grep PATTERN` of the pipeline, in order (fixed strings, as these scripts write them). */
  greps: string[];
  /** The run starts a new interval (nstat's history file is rewritten); false with `-s`. */
  update: boolean;
}

/**
 * `tc qdisc add dev <dev> root pfifo limit 0` (the device drops every packet TCP hands it: local
 * congestion, NET_XMIT_DROP) or `tc qdisc del dev <dev> root` (back to the default queue).
 */
export type QdiscChange = 'drop-all' | 'default';

export type ShellPlan =
  | { ok: true; settings: SysctlSetting[]; nstat: NstatCommand[]; qdisc: QdiscChange[]; notes: string[] }
  | { ok: false; unsupported: string };

/**
 * What `defaults.sh` (google/packetdrill gtests/net/common, and the Linux selftests' copy) sets,
 * restricted to the knobs this stack models (slow start after idle off, as there). The file also
 * sets fack, congestion control, TSO deferral, pacing,
 * notsent_lowat and the TFO key, flushes tcp_metrics and installs a pfifo qdisc: none of those
 * change the connection-lifecycle behaviour this stack reproduces, so they are noted, not applied.
 */
export const DEFAULTS_SH: readonly SysctlSetting[] = [
  { name: 'net.ipv4.tcp_timestamps', value: '1' },
  { name: 'net.ipv4.tcp_reordering', value: '3' },
  { name: 'net.ipv4.tcp_syn_retries', value: '5' },
  { name: 'net.ipv4.tcp_synack_retries', value: '5' },
  { name: 'net.ipv4.tcp_sack', value: '1' },
  { name: 'net.ipv4.tcp_ecn', value: '0' },
  { name: 'net.ipv4.tcp_fastopen', value: '3' },
  { name: 'net.ipv4.tcp_syncookies', value: '1' },
  { name: 'net.ipv4.tcp_dsack', value: '1' },
  { name: 'net.ipv4.tcp_early_retrans', value: '4' },
  { name: 'net.ipv4.tcp_recovery', value: '1' },
  { name: 'net.ipv4.tcp_frto', value: '2' },
  // A 15 MB tcp_rmem[2] is why Linux selftests expect `wscale 8` in SYNs and SYN-ACKs.
  { name: 'net.ipv4.tcp_rmem', value: '4096 540000 15728640' },
  { name: 'net.ipv4.tcp_wmem', value: '4096 262144 4194304' },
  { name: 'net.ipv4.tcp_slow_start_after_idle', value: '0' },
];

const DEFAULTS_NOTE =
  'defaults.sh: applied tcp_timestamps=1, tcp_syn_retries=5, tcp_synack_retries=5, tcp_sack=1, tcp_ecn=0, ' +
  'tcp_fastopen=3, tcp_syncookies=1, tcp_dsack=1, tcp_early_retrans=4, tcp_recovery=1, tcp_frto=2, tcp_reordering=3, tcp_rmem="4096 540000 15728640" (wscale 8), ' +
  'tcp_wmem, tcp_slow_start_after_idle=0; congestion control (cubic), pacing and the qdisc are not modelled';

/** Splits a shell command into simple commands (newlines, ';' and '&&' separate them). */
function simpleCommands(command: string): string[] {
  return command
    .split(/\n|;|&&/)
    .map((c) => c.trim())
    .filter((c) => c !== '' && !c.startsWith('#'));
}

/**
 * Shell words: whitespace-separated, with single or double quotes removed — also inside a word,
 * as in `sysctl -q net.ipv4.tcp_wmem="4096 20000 4194304"`, which is one word to the shell.
 */
function words(command: string): string[] {
  const out: string[] = [];
  const re = /(?:"[^"]*"|'[^']*'|[^\s"']+)+/g;
  for (const m of command.match(re) ?? []) out.push(m.replace(/"([^"]*)"|'([^']*)'/g, (_, d, q) => d ?? q));
  return out;
}

/** "net.ipv4.tcp_syncookies=2" or "/proc/sys/net/ipv4/tcp_syncookies=2". */
function assignment(word: string): SysctlSetting | null {
  const eq = word.indexOf('=');
  if (eq <= 0) return null;
  let name = word.slice(0, eq);
  const value = word.slice(eq + 1);
  if (name.startsWith('/proc/sys/')) name = name.slice('/proc/sys/'.length).replace(/\//g, '.');
  return { name, value };
}

/** Reads a shell line into the sysctl settings it makes, or says why it cannot be reproduced. */
export function planShell(command: string): ShellPlan {
  const settings: SysctlSetting[] = [];
  const nstat: NstatCommand[] = [];
  const qdisc: QdiscChange[] = [];
  const notes: string[] = [];
  // A backslash at the end of a line continues it.
  for (const simple of simpleCommands(command.replace(/\\\n/g, ' '))) {
    // The Linux selftests end with `/tmp/sysctl_restore_${PPID}.sh`, which puts back the sysctls
    // their defaults.sh changed; the simulated host ends with the script, so nothing to restore.
    if (/^\/tmp\/sysctl_restore_\$\{?PPID\}?\.sh$/.test(simple)) {
      notes.push('sysctl_restore: nothing to restore (the simulated host ends with the script)');
      continue;
    }
    if (/^nstat\b/.test(simple)) {
      const n = planNstat(simple);
      if (!n) return { ok: false, unsupported: `shell command \`${simple}\` (nstat is understood as \`nstat [-n]\` or \`nstat | grep NAME | grep -q " N "\`)` };
      nstat.push(n);
      continue;
    }
    // Output redirection of sysctl -q ... > /dev/null changes nothing we model.
    const w = words(simple.replace(/\s*[12]?>\s*\/dev\/null(\s+2>&1)?\s*$/, ''));
    const program = w[0] ?? '';
    if (program === 'tc') {
      const change = planQdisc(w);
      if (!change) return { ok: false, unsupported: `shell command \`${simple}\` (tc is understood only as \`tc qdisc add|replace dev DEV root pfifo limit 0\`, a device that drops everything, and \`tc qdisc del dev DEV root\`)` };
      qdisc.push(change);
      continue;
    }
    if (/(^|\/)defaults\.sh$/.test(program) && w.length === 1) {
      settings.push(...DEFAULTS_SH);
      notes.push(DEFAULTS_NOTE);
      continue;
    }
    if (program === 'sysctl' || /(^|\/)set_sysctls\.py$/.test(program)) {
      const args = w.slice(1).filter((a) => !/^-[qwe]+$/.test(a));
      if (args.length === 0) return { ok: false, unsupported: `shell command \`${simple}\` (a sysctl read, not a setting)` };
      for (const a of args) {
        const s = assignment(a);
        if (!s) return { ok: false, unsupported: `shell command \`${simple}\` (only sysctl name=value settings are understood)` };
        settings.push(s);
      }
      continue;
    }
    // echo V > /proc/sys/net/ipv4/X
    const echo = /^echo\s+(\S+)\s*>\s*(\/proc\/sys\/\S+)$/.exec(simple);
    if (echo) {
      settings.push(assignment(`${echo[2]}=${echo[1].replace(/^["']|["']$/g, '')}`)!);
      continue;
    }
    return { ok: false, unsupported: `shell command \`${simple}\` (only sysctl settings and defaults.sh can be reproduced on the simulator)` };
  }
  return { ok: true, settings, nstat, qdisc, notes };
}

/** The two qdisc changes a script can make that TCP notices: drop everything, or the default. */
function planQdisc(w: string[]): QdiscChange | null {
  if (w[1] !== 'qdisc' || w[3] !== 'dev' || !w[4] || w[5] !== 'root') return null;
  if ((w[2] === 'del' || w[2] === 'delete') && w.length === 6) return 'default';
  if ((w[2] === 'add' || w[2] === 'replace') && w.slice(6).join(' ') === 'pfifo limit 0') return 'drop-all';
  return null;
}

/** `nstat [-n|-a…] [> /dev/null]` followed by `| grep [-q] PATTERN` stages. */
function planNstat(simple: string): NstatCommand | null {
  const stages = simple.split('|').map((x) => x.trim());
  const head = words(stages[0].replace(/\s*[12]?>\s*\/dev\/null(\s+2>&1)?\s*$/, ''));
  if (head[0] !== 'nstat' || head.slice(1).some((a) => !/^-[nsz]+$/.test(a))) return null;
  const greps: string[] = [];
  for (const stage of stages.slice(1)) {
    const w = words(stage.replace(/\s*[12]?>\s*\/dev\/null(\s+2>&1)?\s*$/, ''));
    const args = w.slice(1).filter((a) => !/^-[qF]+$/.test(a));
    if (w[0] !== 'grep' || args.length !== 1) return null;
    greps.push(args[0]);
  }
  // Only a pipeline that ends in grep is a check; `nstat -n` or `nstat > /dev/null` just resets.
  return { greps, update: !head.slice(1).some((a) => a.includes('s')) };
}
