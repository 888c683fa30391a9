/**
 * `npm run interop`: the simulated stack against the Linux kernel's TCP, over the TUN bridge of
 * `npm run tun`. Kernel client → stack server and stack client → kernel server; 1 MiB each way,
 * checked by sha256; graceful close in both orders; abortive close from each side; the states
 * `ss -tan` shows in the namespace; and the `npm run tun` command itself.
 *
 * Prints one line per check and a final "N passed, N failed"; exits 0 only when all pass. Where
 * the bridge cannot run (not Linux, not root, no /dev/net/tun, no socat), prints
 * "skipped: <reason>" and exits 0.
 *
 * Like `npm run tun`, the script runs twice: outside, it creates the namespace tcpc-<pid>, runs
 * itself inside it for the checks that need the namespace's sockets, then runs the command-line
 * checks and removes the namespace.
 */
import { readFileSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAddr } from '../core/wire/format.ts';
import { innerNetns, runInsideNetns } from './tun/session.ts';
import { tunUnavailableReason } from './tun/prerequisites.ts';
import { NetnsError } from './tun/netns.ts';
import { Report } from './interop/report.ts';

const RESULTS_ENV = 'TCPCOURSE_INTEROP_RESULTS';

interface InnerResults {
  passed: number;
  failed: number;
  timings: string[];
}

async function outer(): Promise<number> {
  const reason = tunUnavailableReason();
  if (reason) {
    process.stdout.write(`skipped: ${reason}\n`);
    return 0;
  }
  const base = `tcpc-${process.pid}`;
  const resultsFile = join(tmpdir(), `${base}-interop.json`);
  process.stdout.write(`interop: the stack (10.77.0.2) against Linux ${release()} TCP (10.77.0.1) in network namespace ${base}\n`);
  const report = new Report();
  let inner;
  try {
    inner = await runInsideNetns({ netns: base, env: { [RESULTS_ENV]: resultsFile } });
  } catch (err) {
    if (err instanceof NetnsError && /Operation not permitted|Permission denied/i.test(err.message)) {
      process.stdout.write(`skipped: cannot create a network namespace here (${err.message})\n`);
      return 0;
    }
    throw err;
  }
  let results: InnerResults | null = null;
  try {
    results = JSON.parse(readFileSync(resultsFile, 'utf8')) as InnerResults;
  } catch {
    results = null;
  } finally {
    rmSync(resultsFile, { force: true });
  }
  if (results) {
    report.passed += results.passed;
    report.failed += results.failed;
  } else {
    report.failed++;
    process.stdout.write(`FAIL in-namespace checks — they did not report (exit code ${inner.code})\n`);
  }
  const { runCliChecks } = await import('./interop/cli-checks.ts');
  await runCliChecks(report, base);
  if (results?.timings.length) {
    process.stdout.write(`transfer times (wall clock, first byte written to last byte read) and bridge counters:\n`);
    for (const t of results.timings) process.stdout.write(`  ${t}\n`);
  }
  process.stdout.write(`${report.summary()}\n`);
  return report.failed === 0 ? 0 : 1;
}

async function insideNamespace(ns: string): Promise<number> {
  const { TunBridge } = await import('./tun/bridge.ts');
  const { runInNamespaceChecks } = await import('./interop/checks.ts');
  const { netnsSnmp } = await import('./interop/kernel.ts');
  const { writeFileSync } = await import('node:fs');
  const report = new Report();
  const timings: string[] = [];
  // TCPCOURSE_INTEROP_TRACE=FILE: every packet and stack state change, for debugging a failure.
  const traceFile = process.env.TCPCOURSE_INTEROP_TRACE;
  const { TracePrinter } = await import('./tun/inner.ts');
  const { appendFileSync } = await import('node:fs');
  const printer = traceFile ? new TracePrinter((line) => appendFileSync(traceFile, `${line}\n`)) : null;
  const bridge = await TunBridge.open({
    onTrace: printer ? (ev) => printer.event(ev) : undefined,
    onPacket: printer ? (_dir, bytes, t) => printer.packet(bytes, t) : undefined,
    netns: ns,
    tunName: 'tcpi0',
    stackAddr: parseAddr('10.77.0.2'),
    kernelAddr: parseAddr('10.77.0.1'),
    prefixLen: 24,
    seed: 1,
  });
  const failed = bridge.failure.then((err) => {
    throw err;
  });
  try {
    await Promise.race([runInNamespaceChecks({ report, bridge, timings }), failed]);
  } catch (err) {
    report.failed++;
    process.stdout.write(`FAIL the bridge stopped — ${(err as Error).message}\n`);
  } finally {
    await bridge.close();
  }
  // Loss inside the bridge shows up as UDP buffer drops; TCP on both sides recovers from it.
  const snmp = netnsSnmp();
  timings.push(`bridge: ${bridge.counters.fromKernel} packets kernel → stack, ${bridge.counters.toKernel} stack → kernel; ` +
    `UDP buffer drops in the namespace: ${snmp['Udp.RcvbufErrors'] + snmp['Udp.SndbufErrors']}; ` +
    `segments retransmitted: kernel ${snmp['Tcp.RetransSegs']}, stack ${bridge.stack.mib.get('TcpRetransSegs')}`);
  const file = process.env[RESULTS_ENV];
  if (file) writeFileSync(file, JSON.stringify({ passed: report.passed, failed: report.failed, timings } satisfies InnerResults));
  return 0;
}

const ns = innerNetns();
process.exit(ns === null ? await outer() : await insideNamespace(ns));
