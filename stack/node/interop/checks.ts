/**
 * The interop checks that run inside the test's namespace: the stack on one end of each
 * connection (through the TUN bridge), the kernel's TCP on the other (node:net sockets opened by
 * this same process, which lives in the namespace), and `ss -tan` for the kernel's view.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { formatAddr } from '../../core/wire/format.ts';
import type { TunBridge } from '../tun/bridge.ts';
import { startServer } from '../tun/serve.ts';
import { kernelConnect, kernelListen, kernelReadAll, kernelSs, kernelState, waitKernelState, type KernelRead } from './kernel.ts';
import type { Connection } from '../../core/tcp/connection.ts';
import { expectThat, runScenario, type Report } from './report.ts';
import { StackSide, sha256, type StackRead } from './stack-side.ts';

const MiB = 1 << 20;

/** "1048576 bytes in 312 ms (3.4 MB/s)". */
function rate(bytes: number, ms: number): string {
  return `${bytes} bytes in ${ms.toFixed(0)} ms (${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s)`;
}

function expectSameBytes(what: string, got: { bytes: number; sha256: string }, sent: Uint8Array): void {
  expectThat(got.bytes === sent.length, `${what}: received ${got.bytes} bytes, sent ${sent.length}`);
  expectThat(got.sha256 === sha256(sent), `${what}: sha256 ${got.sha256} differs from the sent data's ${sha256(sent)}`);
}

export interface InteropContext {
  report: Report;
  bridge: TunBridge;
  /** Measured transfer times, for the summary. */
  timings: string[];
}

export async function runInNamespaceChecks(ctx: InteropContext): Promise<void> {
  const { report, bridge } = ctx;
  const stack = new StackSide(bridge);
  const S = formatAddr(bridge.stack.addr);
  const K = formatAddr(bridge.opts.kernelAddr);
  const kernelAddr = bridge.opts.kernelAddr;

  // A. The kernel is the client, the stack the server; data both ways; the kernel closes first.
  {
    const upload = randomBytes(MiB);
    const download = randomBytes(MiB);
    let ksock!: net.Socket;
    let fd = -1;
    let conn!: Connection;
    let kLocal = '';
    const kPeer = `${S}:7001`;
    let stackGot!: Promise<StackRead>;
    await runScenario(report, [
      {
        name: 'A1 kernel client connects to the stack listener (handshake)',
        run: async () => {
          const lfd = stack.listen(7001);
          const accepted = stack.accept(lfd);
          ksock = await kernelConnect(S, 7001, K);
          fd = await accepted;
          stack.close(lfd);
          kLocal = `${K}:${ksock.localPort}`;
          conn = stack.conn(fd);
          expectThat(conn.state === 'ESTABLISHED', `stack is ${conn.state}, expected ESTABLISHED`);
          const ks = await waitKernelState(kLocal, kPeer, 'ESTAB');
          expectThat(ks === 'ESTAB', `kernel ss shows ${ks}, expected ESTAB`);
          expectThat(conn.tsOk && conn.sackOk && conn.wscaleOk, `options not all negotiated: ts ${conn.tsOk}, sack ${conn.sackOk}, wscale ${conn.wscaleOk}`);
          return `ss: ESTAB; negotiated MSS ${conn.mss}, timestamps, SACK, wscale ${conn.sndWscale} (kernel) / ${conn.rcvWscale} (stack)`;
        },
      },
      {
        name: 'A2 1 MiB kernel → stack, byte-exact (sha256)',
        run: async () => {
          stackGot = stack.readAll(fd);
          const t0 = performance.now();
          ksock.write(upload);
          ksock.end();
          const got = await stackGot;
          expectThat(got.errno === null, `stack read() failed: ${got.errno}`);
          expectSameBytes('stack', got, upload);
          const r = rate(got.bytes, got.endedAt - t0);
          ctx.timings.push(`kernel → stack (stack server): ${r}`);
          return r;
        },
      },
      {
        name: 'A3 kernel closed first: kernel FIN-WAIT-2, stack CLOSE_WAIT',
        run: async () => {
          expectThat(conn.state === 'CLOSE_WAIT', `stack is ${conn.state}, expected CLOSE_WAIT after the kernel's FIN`);
          const ks = await waitKernelState(kLocal, kPeer, 'FIN-WAIT-2');
          expectThat(ks === 'FIN-WAIT-2', `kernel ss shows ${ks}, expected FIN-WAIT-2`);
          return 'ss: FIN-WAIT-2';
        },
      },
      {
        name: 'A4 1 MiB stack → kernel on the half-closed connection, byte-exact (sha256)',
        run: async () => {
          const kernelGot = kernelReadAll(ksock);
          const t0 = performance.now();
          stack.write(fd, download);
          stack.close(fd);
          const got = await kernelGot;
          expectThat(got.ending === 'end', `kernel's read ended with ${got.ending}, expected the stack's FIN`);
          expectSameBytes('kernel', got, download);
          const r = rate(got.bytes, got.endedAt - t0);
          ctx.timings.push(`stack → kernel (stack server): ${r}`);
          return r;
        },
      },
      {
        name: 'A5 teardown: the kernel (first to close) is in TIME-WAIT, the stack CLOSED',
        run: async () => {
          const st = await stack.waitState(conn, 'CLOSED');
          expectThat(st === 'CLOSED', `stack is ${st}, expected CLOSED (LAST_ACK answered)`);
          const ks = await waitKernelState(kLocal, kPeer, 'TIME-WAIT');
          expectThat(ks === 'TIME-WAIT', `kernel ss shows ${ks}, expected TIME-WAIT`);
          ksock.destroy();
          return 'ss: TIME-WAIT';
        },
      },
    ]);
  }

  // B. The stack is the client, the kernel the server; data both ways; the stack closes first.
  {
    const upload = randomBytes(MiB);
    const download = randomBytes(MiB);
    let fd = -1;
    let kernelSock!: Promise<net.Socket>;
    let server: net.Server | null = null;
    let kLocal = `${K}:7002`;
    let kPeer = '';
    let kernelGot!: Promise<KernelRead>;
    try {
      await runScenario(report, [
        {
          name: 'B1 stack client connects to a kernel listener (handshake)',
          run: async () => {
            let accepted!: (s: net.Socket) => void;
            kernelSock = new Promise((r) => (accepted = r));
            server = await kernelListen(K, 7002, (s) => {
              kernelGot = kernelReadAll(s);
              accepted(s);
            });
            const c = await stack.connect(kernelAddr, 7002);
            expectThat(c.errno === null, `stack connect(): ${c.errno}`);
            fd = c.fd;
            const conn = stack.conn(fd);
            kPeer = `${S}:${conn.localPort}`;
            await kernelSock;
            expectThat(conn.state === 'ESTABLISHED', `stack is ${conn.state}, expected ESTABLISHED`);
            const ks = await waitKernelState(kLocal, kPeer, 'ESTAB');
            expectThat(ks === 'ESTAB', `kernel ss shows ${ks}, expected ESTAB`);
            return `ss: ESTAB; negotiated MSS ${conn.mss}`;
          },
        },
        {
          name: 'B2 1 MiB stack → kernel, byte-exact (sha256)',
          run: async () => {
            const t0 = performance.now();
            stack.write(fd, upload);
            stack.shutdownWrite(fd);
            const got = await kernelGot;
            expectThat(got.ending === 'end', `kernel's read ended with ${got.ending}, expected the stack's FIN`);
            expectSameBytes('kernel', got, upload);
            const r = rate(got.bytes, got.endedAt - t0);
            ctx.timings.push(`stack → kernel (stack client): ${r}`);
            return r;
          },
        },
        {
          name: 'B3 stack closed first: stack FIN_WAIT_2, kernel CLOSE-WAIT',
          run: async () => {
            const st = await stack.waitState(stack.conn(fd), 'FIN_WAIT_2');
            expectThat(st === 'FIN_WAIT_2', `stack is ${st}, expected FIN_WAIT_2`);
            const ks = await waitKernelState(kLocal, kPeer, 'CLOSE-WAIT');
            expectThat(ks === 'CLOSE-WAIT', `kernel ss shows ${ks}, expected CLOSE-WAIT`);
            return 'ss: CLOSE-WAIT';
          },
        },
        {
          name: 'B4 1 MiB kernel → stack on the half-closed connection, byte-exact (sha256)',
          run: async () => {
            const s = await kernelSock;
            const stackGot = stack.readAll(fd);
            const t0 = performance.now();
            s.write(download);
            s.end();
            const got = await stackGot;
            expectThat(got.errno === null, `stack read() failed: ${got.errno}`);
            expectSameBytes('stack', got, download);
            const r = rate(got.bytes, got.endedAt - t0);
            ctx.timings.push(`kernel → stack (stack client): ${r}`);
            return r;
          },
        },
        {
          name: 'B5 teardown: the stack (first to close) is in TIME_WAIT, the kernel socket gone',
          run: async () => {
            const conn = stack.conn(fd);
            stack.close(fd);
            expectThat(stack.state(conn) === 'TIME_WAIT', `stack is ${stack.state(conn)} after close(), expected TIME_WAIT`);
            const ks = await waitKernelState(kLocal, kPeer, '-');
            expectThat(ks === '-', `kernel ss still shows ${ks}, expected no socket (LAST-ACK answered)`);
            return 'stack TIME_WAIT; ss: no socket';
          },
        },
      ]);
    } finally {
      (server as net.Server | null)?.close();
    }
  }

  // C. Stack server closes first.
  {
    let ksock!: net.Socket;
    let kLocal = '';
    const kPeer = `${S}:7003`;
    let conn!: Connection;
    await runScenario(report, [
      {
        name: 'C1 stack server closes first: kernel CLOSE-WAIT, stack FIN_WAIT_2',
        run: async () => {
          const lfd = stack.listen(7003);
          const accepted = stack.accept(lfd);
          ksock = await kernelConnect(S, 7003, K);
          kLocal = `${K}:${ksock.localPort}`;
          const kernelGot = kernelReadAll(ksock);
          const fd = await accepted;
          stack.close(lfd);
          conn = stack.conn(fd);
          stack.write(fd, new TextEncoder().encode('goodbye\n'));
          stack.close(fd);
          const got = await kernelGot;
          expectThat(got.ending === 'end' && got.bytes === 8, `kernel read ${got.bytes} bytes ending with ${got.ending}, expected 8 bytes then the FIN`);
          const st = await stack.waitState(conn, 'FIN_WAIT_2');
          expectThat(st === 'FIN_WAIT_2', `stack is ${st}, expected FIN_WAIT_2`);
          const ks = await waitKernelState(kLocal, kPeer, 'CLOSE-WAIT');
          expectThat(ks === 'CLOSE-WAIT', `kernel ss shows ${ks}, expected CLOSE-WAIT`);
          return 'ss: CLOSE-WAIT';
        },
      },
      {
        name: 'C2 kernel closes second: stack TIME_WAIT, kernel socket gone',
        run: async () => {
          ksock.end();
          const st = await stack.waitState(conn, 'TIME_WAIT');
          expectThat(st === 'TIME_WAIT', `stack is ${st}, expected TIME_WAIT`);
          const ks = await waitKernelState(kLocal, kPeer, '-');
          expectThat(ks === '-', `kernel ss still shows ${ks}, expected no socket`);
          ksock.destroy();
          return 'stack TIME_WAIT; ss: no socket';
        },
      },
    ]);
  }

  // D. Kernel server closes first.
  {
    let server: net.Server | null = null;
    let fd = -1;
    let kPeer = '';
    const kLocal = `${K}:7004`;
    try {
      await runScenario(report, [
        {
          name: 'D1 kernel server closes first: stack CLOSE_WAIT, kernel FIN-WAIT-2',
          run: async () => {
            server = await kernelListen(K, 7004, (s) => s.end('goodbye\n'));
            const c = await stack.connect(kernelAddr, 7004);
            expectThat(c.errno === null, `stack connect(): ${c.errno}`);
            fd = c.fd;
            kPeer = `${S}:${stack.conn(fd).localPort}`;
            const got = await stack.readAll(fd);
            expectThat(got.errno === null && got.bytes === 8, `stack read ${got.bytes} bytes ending with ${got.errno ?? 'EOF'}, expected 8 bytes then EOF`);
            const st = stack.state(stack.conn(fd));
            expectThat(st === 'CLOSE_WAIT', `stack is ${st}, expected CLOSE_WAIT`);
            const ks = await waitKernelState(kLocal, kPeer, 'FIN-WAIT-2');
            expectThat(ks === 'FIN-WAIT-2', `kernel ss shows ${ks}, expected FIN-WAIT-2`);
            return 'ss: FIN-WAIT-2';
          },
        },
        {
          name: 'D2 stack closes second: stack LAST_ACK → CLOSED, kernel TIME-WAIT',
          run: async () => {
            const conn = stack.conn(fd);
            stack.close(fd);
            const st = await stack.waitState(conn, 'CLOSED');
            expectThat(st === 'CLOSED', `stack is ${st}, expected CLOSED`);
            const ks = await waitKernelState(kLocal, kPeer, 'TIME-WAIT');
            expectThat(ks === 'TIME-WAIT', `kernel ss shows ${ks}, expected TIME-WAIT`);
            return 'ss: TIME-WAIT';
          },
        },
      ]);
    } finally {
      (server as net.Server | null)?.close();
    }
  }

  // E. The kernel aborts: SO_LINGER {1, 0} + close() (Node's resetAndDestroy) sends a RST.
  await runScenario(report, [
    {
      name: 'E1 kernel abortive close (SO_LINGER 0): stack read() fails with ECONNRESET, no TIME-WAIT anywhere',
      run: async () => {
        const lfd = stack.listen(7005);
        const accepted = stack.accept(lfd);
        const ksock = await kernelConnect(S, 7005, K);
        const kLocal = `${K}:${ksock.localPort}`;
        const fd = await accepted;
        stack.close(lfd);
        const conn = stack.conn(fd);
        const reading = stack.readAll(fd);
        ksock.write('some data first\n');
        await bridge.until(() => conn.rcvNxt !== (conn.irs + 1) >>> 0, 5000);
        ksock.resetAndDestroy();
        const got = await reading;
        expectThat(got.errno === 'ECONNRESET', `stack read() ended with ${got.errno ?? 'EOF'}, expected ECONNRESET`);
        expectThat(got.bytes === 16, `stack read ${got.bytes} bytes before the reset, expected 16`);
        expectThat(stack.state(conn) === 'CLOSED', `stack is ${stack.state(conn)}, expected CLOSED`);
        const ks = await kernelState(kLocal, `${S}:7005`);
        expectThat(ks === '-', `kernel ss shows ${ks}, expected no socket`);
        stack.close(fd);
        return 'read() → ECONNRESET; ss: no socket';
      },
    },
  ]);

  // F. The stack aborts.
  {
    let server: net.Server | null = null;
    try {
      await runScenario(report, [
        {
          name: 'F1 stack abortive close (SO_LINGER 0): kernel gets ECONNRESET, no TIME-WAIT anywhere',
          run: async () => {
            let kernelGot!: Promise<KernelRead>;
            let accepted!: () => void;
            const ready = new Promise<void>((r) => (accepted = r));
            server = await kernelListen(K, 7006, (s) => {
              kernelGot = kernelReadAll(s);
              accepted();
            });
            const c = await stack.connect(kernelAddr, 7006);
            expectThat(c.errno === null, `stack connect(): ${c.errno}`);
            const conn = stack.conn(c.fd);
            await ready;
            stack.write(c.fd, new TextEncoder().encode('some data first\n'));
            await bridge.until(() => conn.sndUna === conn.sndNxt, 5000);
            stack.abort(c.fd);
            const got = await kernelGot;
            expectThat(got.ending === 'ECONNRESET', `kernel's read ended with ${got.ending}, expected ECONNRESET`);
            expectThat(got.bytes === 16, `kernel read ${got.bytes} bytes before the reset, expected 16`);
            expectThat(conn.closed, `stack connection is ${conn.state}, expected gone`);
            const ks = await kernelState(`${K}:7006`, `${S}:${conn.localPort}`);
            expectThat(ks === '-', `kernel ss shows ${ks}, expected no socket`);
            return 'kernel: ECONNRESET; ss: no socket';
          },
        },
      ]);
    } finally {
      (server as net.Server | null)?.close();
    }
  }

  // G. RFC 2525 §2.17 / RFC 9293 §3.6.1: close() with unread data resets instead of a FIN.
  await runScenario(report, [
    {
      name: 'G1 stack close() with unread data sends RST: kernel gets ECONNRESET',
      run: async () => {
        const lfd = stack.listen(7007);
        const accepted = stack.accept(lfd);
        const ksock = await kernelConnect(S, 7007, K);
        const kernelGot = kernelReadAll(ksock);
        const fd = await accepted;
        stack.close(lfd);
        const conn = stack.conn(fd);
        ksock.write('never read\n');
        const arrived = await bridge.until(() => conn.recvQueue.length === 11, 5000);
        expectThat(arrived, `the stack's receive queue holds ${conn.recvQueue.length} bytes, expected 11`);
        stack.close(fd);
        ksock.write('more\n');
        const got = await kernelGot;
        expectThat(got.ending === 'ECONNRESET', `kernel's read ended with ${got.ending}, expected ECONNRESET`);
        return 'kernel: ECONNRESET';
      },
    },
  ]);

  // H. Nobody listening: RST answers the SYN both ways.
  await runScenario(report, [
    {
      name: 'H1 kernel connect() to a stack port nobody listens on: ECONNREFUSED',
      run: async () => {
        const err = await kernelConnect(S, 7999, K).then(
          (s) => {
            s.destroy();
            return 'connected';
          },
          (e: NodeJS.ErrnoException) => e.code ?? e.message,
        );
        expectThat(err === 'ECONNREFUSED', `kernel connect() gave ${err}, expected ECONNREFUSED`);
        return 'ECONNREFUSED';
      },
    },
    {
      name: 'H2 stack connect() to a kernel port nobody listens on: ECONNREFUSED',
      run: async () => {
        const c = await stack.connect(kernelAddr, 7998);
        expectThat(c.errno === 'ECONNREFUSED', `stack connect() gave ${c.errno ?? 'success'}, expected ECONNREFUSED`);
        stack.close(c.fd);
        return 'ECONNREFUSED';
      },
    },
  ]);

  // K. Both TCPs recovering from loss: 2% of packets dropped each way inside the bridge.
  {
    const upload = randomBytes(MiB);
    const download = randomBytes(MiB);
    let server: net.Server | null = null;
    try {
      await runScenario(report, [
        {
          name: 'K1 1 MiB each way through 2% random loss in both directions, byte-exact, graceful close',
          run: async () => {
            let accepted!: (done: Promise<KernelRead>) => void;
            const kernelAccepted = new Promise<Promise<KernelRead>>((r) => (accepted = r));
            server = await kernelListen(K, 7008, (s) => {
              accepted(kernelReadAll(s).then((r) => {
                s.end(download);
                return r;
              }));
            });
            const dropsBefore = bridge.counters.dropped;
            bridge.setLoss({ fromKernel: 0.02, toKernel: 0.02 });
            const t0 = performance.now();
            const c = await stack.connect(kernelAddr, 7008);
            expectThat(c.errno === null, `stack connect(): ${c.errno}`);
            const conn = stack.conn(c.fd);
            const stackGot = stack.readAll(c.fd);
            stack.write(c.fd, upload);
            stack.shutdownWrite(c.fd);
            const up = await (await kernelAccepted);
            expectThat(up.ending === 'end', `kernel's read ended with ${up.ending}`);
            expectSameBytes('kernel', up, upload);
            const down = await stackGot;
            expectThat(down.errno === null, `stack read() failed: ${down.errno}`);
            expectSameBytes('stack', down, download);
            stack.close(c.fd);
            const st = await stack.waitState(conn, 'TIME_WAIT', 10_000);
            expectThat(st === 'TIME_WAIT', `stack is ${st}, expected TIME_WAIT`);
            const ms = performance.now() - t0;
            const dropped = bridge.counters.dropped - dropsBefore;
            ctx.timings.push(`2 MiB (1 MiB each way) with 2% loss: ${ms.toFixed(0)} ms, ${dropped} packets dropped`);
            return `${dropped} packets dropped; ${ms.toFixed(0)} ms; stack retransmitted ${conn.totalRetrans} segments`;
          },
        },
      ]);
    } finally {
      bridge.setLoss({ fromKernel: 0, toKernel: 0 });
      (server as net.Server | null)?.close();
    }
  }

  // J. The acceptance check: socat in the namespace against the stack's echo server.
  await runScenario(report, [
    {
      name: 'J1 socat - TCP:<stack>:7 against the stack echo server: echoes, closes cleanly',
      run: async () => {
        const server = startServer(bridge, { port: 7, echo: true, send: null, once: true, log: () => {} });
        const input = 'hello, stack\nsecond line\n'.repeat(50);
        // -t 5: once its stdin ends, socat waits up to 5 s (0.5 s by default) for the echo server's
        // close before it closes itself. With the default the check failed now and then on a
        // loaded machine (no TIME-WAIT: socat had closed before the stack's FIN came).
        const proc = spawn('socat', ['-t', '5', '-', `TCP:${S}:7`], { stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        proc.stdin.end(input);
        const code = await new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
        expectThat(code === 0, `socat exited with ${code}: ${err.trim()}`);
        expectThat(out === input, `socat printed ${out.length} bytes, expected the ${input.length} it sent`);
        const ok = await server.done;
        expectThat(ok, 'the stack server did not finish its connection cleanly');
        const tw = await waitKernelTimeWaitTo(`${S}:7`);
        expectThat(tw, 'kernel ss shows no TIME-WAIT towards the echo server (socat closed first)');
        return `${input.length} bytes echoed; socat exit 0; ss: TIME-WAIT`;
      },
    },
  ]);
}

async function waitKernelTimeWaitTo(peer: string): Promise<boolean> {
  const deadline = performance.now() + 5000;
  while (performance.now() < deadline) {
    if ((await kernelSs()).some((r) => r.peer === peer && r.state === 'TIME-WAIT')) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
