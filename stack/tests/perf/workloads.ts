/**
 * Runs whose every observable result is pinned by trace-pin.test.ts: the named scenarios, plus
 * small versions of the benchmark workloads (stack/node/bench.ts), each with the trace on and off.
 * Speed work must leave all of them byte-identical. The trace-off runs matter because the network
 * and the host take shortcuts when nothing is recorded: what they pin there is the counters, the
 * network's statistics, the clock and what the applications saw.
 */
import { createHash } from 'node:crypto';
import { listScenarios, runScenario } from '../../core/scenarios/index.ts';
import { World } from '../../core/world.ts';
import type { Host } from '../../core/host.ts';
import { SynFlooder } from '../../core/sim/attacker.ts';
import type { LinkParams } from '../../core/sim/network.ts';
import { parseAddr } from '../../core/wire/format.ts';

export function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

/** The JSON of everything a scenario run reports: trace, figures, counters, socket tables. */
export function scenarioDigest(name: string): string {
  const r = runScenario(name);
  return digest({ trace: r.trace, metrics: r.metrics, nstat: r.nstat, ss: r.ss, endTime: r.endTime });
}

export function scenarioNames(): string[] {
  return listScenarios().map((s) => s.name);
}

function outcome(w: World, extra: Record<string, unknown>) {
  const counters: Record<string, unknown> = {};
  for (const [name, h] of w.hosts) counters[name] = { mib: h.mib.nstat(), faults: h.faults.map((f) => f.message) };
  return { trace: w.trace.events, counters, network: w.network.stats, now: w.now, ...extra };
}

function listen(server: Host, backlog: number): number {
  const lfd = server.api.socket();
  if (!lfd.ok) throw new Error('socket() failed');
  server.api.bind(lfd.value, 0, 80);
  server.api.listen(lfd.value, backlog);
  return lfd.value;
}

/** bench.ts's flood, smaller, with a real client connecting through the cookies and sending data. */
export function floodRun(trace: boolean): unknown {
  const w = new World({ seed: 7, trace });
  const client = w.addHost('client', '10.0.0.1');
  const server = w.addHost('server', '10.0.0.2');
  const lfd = listen(server, 16);
  const got: number[] = [];
  const acceptLoop = () => server.api.accept(lfd).then((r) => {
    if (!r.ok) return;
    const fd = r.value;
    const drain = () => server.api.read(fd).then((d) => {
      if (d.ok && d.value.length) {
        got.push(d.value.length);
        drain();
      }
    });
    drain();
    acceptLoop();
  });
  acceptLoop();
  const flooder = new SynFlooder(w.network, w.sched, w.random.fork(), {
    target: server.addr, port: 80, rate: 100_000, count: 4000,
    sourceBase: parseAddr('198.18.0.0'), sourceCount: 1 << 17, withOptions: true,
  });
  flooder.start(0);
  const results: string[] = [];
  for (const t of [3, 17, 29]) {
    w.at(t, () => {
      const fd = client.api.socket();
      if (!fd.ok) return;
      client.api.connect(fd.value, server.addr, 80).then((r) => {
        results.push(`${t}: ${r.ok ? 'connected' : r.errno} at ${w.now}`);
        if (r.ok) {
          client.api.write(fd.value, new Uint8Array(3000).fill(t));
          client.api.close(fd.value);
        }
      });
    });
  }
  w.runUntil(70_000);
  return outcome(w, { results, got, sent: flooder.sent });
}

/** bench.ts's request/response workload, smaller: TCP_NODELAY, 100-byte requests, 200-byte answers. */
export function requestResponseRun(trace: boolean, connections = 6, rounds = 12): unknown {
  const w = new World({ seed: 7, trace });
  const client = w.addHost('client', '10.0.0.1');
  const server = w.addHost('server', '10.0.0.2');
  const lfd = listen(server, 1024);
  const response = new Uint8Array(200).fill(2);
  const request = new Uint8Array(100).fill(1);
  const log: string[] = [];
  const acceptLoop = () => server.api.accept(lfd).then((r) => {
    if (!r.ok) return;
    server.api.setsockopt(r.value, 'TCP_NODELAY', 1);
    const serve = () => server.api.read(r.value).then((d) => {
      if (d.ok && d.value.length) {
        server.api.write(r.value, response);
        serve();
      } else {
        log.push(`server fd ${r.value} eof at ${w.now}`);
        server.api.close(r.value);
      }
    });
    serve();
    acceptLoop();
  });
  acceptLoop();
  for (let i = 0; i < connections; i++) {
    const fd = client.api.socket();
    if (!fd.ok) throw new Error('socket() failed');
    // Half the clients leave Nagle on, so both sides of tcp_nagle_check run.
    if (i % 2 === 0) client.api.setsockopt(fd.value, 'TCP_NODELAY', 1);
    let left = rounds;
    client.api.connect(fd.value, server.addr, 80).then(() => {
      const ask = () => {
        if (left-- <= 0) return void client.api.close(fd.value);
        client.api.write(fd.value, request);
        client.api.write(fd.value, request.subarray(0, 7));
        client.api.read(fd.value, 150).then((r) => {
          log.push(`client fd ${fd.value} read ${r.ok ? r.value.length : r.errno} at ${w.now}`);
          ask();
        });
      };
      ask();
    });
  }
  w.sched.runUntilIdle(3_600_000);
  return outcome(w, { log });
}

/** bench.ts's bulk transfer, smaller; `link` makes it lossy, jittery, duplicating and reordering. */
export function bulkRun(trace: boolean, megabytes = 1, link: Partial<LinkParams> = {}): unknown {
  const w = new World({ seed: 7, trace, link });
  const client = w.addHost('client', '10.0.0.1');
  const server = w.addHost('server', '10.0.0.2');
  const lfd = listen(server, 128);
  let received = 0;
  let checksum = 0;
  server.api.accept(lfd).then((r) => {
    if (!r.ok) return;
    const drain = () => server.api.read(r.value, 40_000).then((d) => {
      if (d.ok && d.value.length) {
        received += d.value.length;
        for (let i = 0; i < d.value.length; i += 97) checksum = (checksum * 31 + d.value[i]) >>> 0;
        drain();
      }
    });
    drain();
  });
  const total = megabytes * 1024 * 1024;
  const chunk = new Uint8Array(64 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7 + 3) & 0xff;
  const cfd = client.api.socket();
  if (!cfd.ok) throw new Error('socket() failed');
  client.api.connect(cfd.value, server.addr, 80).then(() => {
    let queued = 0;
    const feed = () => {
      while (queued < total && (client.api.connectionOf(cfd.value)?.sendQueue.length ?? 0) < 256 * 1024) {
        client.api.write(cfd.value, chunk);
        queued += chunk.length;
      }
      if (queued < total) w.sched.after(1, feed);
      else client.api.close(cfd.value);
    };
    feed();
  });
  w.sched.runUntilIdle(3_600_000);
  return outcome(w, { received, checksum });
}

export const LOSSY_LINK: Partial<LinkParams> = { delay: 3, jitter: 2, loss: 0.02, duplicate: 0.01, reorder: 0.02 };

/** Every pinned workload by name (scenarios come separately, one per scenario). */
export const WORKLOADS: Record<string, () => unknown> = {
  'flood, traced': () => floodRun(true),
  'flood, untraced': () => floodRun(false),
  'request/response, traced': () => requestResponseRun(true),
  'request/response, untraced': () => requestResponseRun(false),
  'bulk, traced': () => bulkRun(true),
  'bulk, untraced': () => bulkRun(false, 4),
  'bulk over a lossy link, traced': () => bulkRun(true, 1, LOSSY_LINK),
  'bulk over a lossy link, untraced': () => bulkRun(false, 2, LOSSY_LINK),
};
