/**
 * Checks of the `npm run tun` command itself, run from outside any namespace the way a user runs
 * it: the echo server answering socat, Ctrl-C removing what the command created, the client
 * leaving a namespace it did not create in place, and exit code 2 when it cannot run.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, deleteNetns, netnsExists, netnsLinks, netnsPids } from '../tun/netns.ts';
import { findExecutable } from '../tun/prerequisites.ts';
import { expectThat, runScenario, type Report } from './report.ts';

const TUN_SCRIPT = fileURLToPath(new URL('../tun.ts', import.meta.url));

/** One-connection echo server on port 9000; half-close passes through (EOF in → FIN out). */
const ECHO_SERVER = `const s = require('net').createServer({ allowHalfOpen: true }, (c) => { c.pipe(c); s.close(); }); s.listen(9000);`;

function tunCommand(args: string[]): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, TUN_SCRIPT, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Everything a child writes to stderr so far. */
function collectStderr(proc: ChildProcess): () => string {
  let text = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (text += d));
  return () => text;
}

/** Resolves once the child's stderr matches; rejects if it exits first or takes too long. */
function waitForStderr(proc: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  const text = collectStderr(proc);
  return new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (!pattern.test(text())) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve();
    }, 20);
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`no "${pattern.source}" within ${timeoutMs} ms; output:\n${text()}`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      if (!pattern.test(text())) reject(new Error(`exited with ${code}; output:\n${text()}`));
    });
  });
}

function exited(proc: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (proc.exitCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve(null);
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Running, not merely a zombie waiting for whoever inherited it to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Runs `cmd` in a namespace with `input` on stdin; resolves with its exit code and stdout. */
function inNetns(ns: string, cmd: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(input);
  });
}

function ssIn(ns: string): string[] {
  return execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

export async function runCliChecks(report: Report, base: string): Promise<void> {
  // L. serve --echo, reached with socat from the kernel's side, stopped with SIGINT.
  {
    const ns = `${base}-s`;
    let serve: ChildProcess | null = null;
    let bridgePids: number[] = [];
    try {
      await runScenario(report, [
        {
          name: `L1 npm run tun -- serve --echo creates namespace ${ns} and listens`,
          run: async () => {
            expectThat(!netnsExists(ns), `namespace ${ns} exists before the test`);
            serve = tunCommand(['serve', '--netns', ns, '--addr', '10.77.0.2/24', '--port', '7', '--echo']);
            await waitForStderr(serve, /listening on 10\.77\.0\.2:7/, 20_000);
            expectThat(netnsExists(ns), `namespace ${ns} was not created`);
            bridgePids = netnsPids(ns);
            expectThat(netnsLinks(ns).includes('tcpc0'), `no tcpc0 device in ${ns}: ${netnsLinks(ns).join(', ')}`);
            return `namespace created; tcpc0 up; ${bridgePids.length} processes in it (bridge and socat)`;
          },
        },
        {
          name: 'L2 ip netns exec NS socat - TCP:10.77.0.2:7 connects, echoes, closes cleanly',
          run: async () => {
            const input = 'ping over TUN\n'.repeat(20);
            const r = await inNetns(ns, ['socat', '-', 'TCP:10.77.0.2:7'], input);
            expectThat(r.code === 0, `socat exited with ${r.code}: ${r.stderr.trim()}`);
            expectThat(r.stdout === input, `socat printed ${JSON.stringify(r.stdout.slice(0, 60))}…, expected the echo of its input`);
            const deadline = performance.now() + 5000;
            let rows = ssIn(ns);
            while (!rows.some((l) => /^TIME-WAIT\s.*10\.77\.0\.2:7\s*$/.test(l)) && performance.now() < deadline) {
              await new Promise((res) => setTimeout(res, 20));
              rows = ssIn(ns);
            }
            expectThat(rows.some((l) => /^TIME-WAIT\s.*10\.77\.0\.2:7\s*$/.test(l)), `kernel ss -tan shows no TIME-WAIT to 10.77.0.2:7: ${rows.join(' | ')}`);
            return `${input.length} bytes echoed; socat exit 0; kernel ss: TIME-WAIT`;
          },
        },
        {
          name: 'L3 SIGINT (Ctrl-C): exit 0, namespace deleted, bridge and socat gone',
          run: async () => {
            const p = serve!;
            p.kill('SIGINT');
            const code = await exited(p, 10_000);
            expectThat(code === 0, `serve exited with ${code}, expected 0`);
            expectThat(!netnsExists(ns), `namespace ${ns} still exists`);
            await new Promise((res) => setTimeout(res, 100));
            const left = bridgePids.filter(alive);
            expectThat(left.length === 0, `processes still running: ${left.join(', ')}`);
            return 'exit 0; namespace gone; no process left';
          },
        },
      ]);
    } finally {
      const p = serve as ChildProcess | null;
      if (p && p.exitCode === null) {
        p.kill('SIGKILL');
        await exited(p, 2000);
      }
      if (netnsExists(ns)) deleteNetns(ns);
    }
  }

  // M. connect to a kernel server in a namespace that existed before (and must survive).
  {
    const ns = `${base}-c`;
    const dir = mkdtempSync(join(tmpdir(), 'tcpc-interop-'));
    let kernelServer: ChildProcess | null = null;
    try {
      await runScenario(report, [
        {
          name: `M1 npm run tun -- connect --send/--out through a kernel echo server in existing namespace ${ns}`,
          run: async () => {
            createNetns(ns);
            // A kernel echo server with flow control (socat's PIPE deadlocks once its pipe fills).
            kernelServer = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', ECHO_SERVER], { stdio: 'ignore' });
            const deadline = performance.now() + 5000;
            while (!ssIn(ns).some((l) => /^LISTEN\s.*:9000\s/.test(l)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
            const data = randomBytes(256 * 1024);
            writeFileSync(join(dir, 'in.bin'), data);
            const client = tunCommand(['connect', '--netns', ns, '--port', '9000', '--send', join(dir, 'in.bin'), '--out', join(dir, 'out.bin'), '--trace']);
            const stderr = collectStderr(client);
            const code = await exited(client, 25_000);
            const tail = () => stderr().trimEnd().split('\n').slice(-20).join('\n');
            expectThat(code !== null, `connect did not finish within 25 s (killed); the last lines of its --trace:\n${tail()}`);
            expectThat(code === 0, `connect exited with ${code}; the last lines of its --trace:\n${tail()}`);
            const got = readFileSync(join(dir, 'out.bin'));
            const want = createHash('sha256').update(data).digest('hex');
            const have = createHash('sha256').update(got).digest('hex');
            expectThat(got.length === data.length && have === want, `--out holds ${got.length} bytes (sha256 ${have}), sent ${data.length} (sha256 ${want})`);
            return `${data.length} bytes sent and echoed back, sha256 match; exit 0`;
          },
        },
        {
          name: 'M2 the namespace it did not create is left in place, without its TUN device',
          run: async () => {
            expectThat(netnsExists(ns), `namespace ${ns} was deleted`);
            const links = netnsLinks(ns);
            expectThat(!links.includes('tcpc0'), `tcpc0 is still in ${ns}`);
            return `links left: ${links.join(', ')}`;
          },
        },
      ]);
    } finally {
      const k = kernelServer as ChildProcess | null;
      if (k && k.exitCode === null) {
        k.kill('SIGKILL');
        await exited(k, 2000);
      }
      if (netnsExists(ns)) deleteNetns(ns);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // N. Exit code 2: a user without root, and a usage error.
  const steps = [
    {
      name: 'N1 usage error (--addr on a network address): exit 2 with the reason',
      run: async () => {
        const r = spawnSync(process.execPath, [...process.execArgv, TUN_SCRIPT, 'serve', '--port', '7', '--addr', '10.77.0.0/24'], { encoding: 'utf8' });
        expectThat(r.status === 2, `exit ${r.status}, expected 2`);
        expectThat(/network or broadcast address/.test(r.stderr), `stderr: ${r.stderr.split('\n')[0]}`);
        return r.stderr.split('\n')[0];
      },
    },
  ];
  if (findExecutable('setpriv')) {
    steps.push({
      name: 'N2 not root (setpriv to uid 65534): exit 2 with the reason, nothing created',
      run: async () => {
        const ns = `${base}-n`;
        const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...process.execArgv, TUN_SCRIPT, 'serve', '--netns', ns, '--port', '7'], { encoding: 'utf8', env: { ...process.env, HOME: tmpdir() } });
        expectThat(r.status === 2, `exit ${r.status}, expected 2; stderr: ${r.stderr}`);
        expectThat(/needs root/.test(r.stderr), `stderr: ${r.stderr.split('\n')[0]}`);
        expectThat(!netnsExists(ns), `namespace ${ns} was created`);
        return r.stderr.split('\n')[0];
      },
    });
  }
  for (const s of steps) await report.check(s.name, s.run);
}
