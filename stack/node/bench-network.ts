/**
 * Measures the simulated network on its own: packets per second through Network.send → scheduled
 * delivery → receive, with tracing off, no fault rules and a default link (the path a SYN flood
 * and a bulk transfer take), and a million-SYN spoofed flood answered by a minimal server that
 * decodes each SYN and sends a SYN-ACK to its (unroutable) source.
 *
 *   npx tsx stack/node/bench-network.ts [packets]
 *
 * The figures exclude the TCP input path; they bound what the whole stack can reach.
 */
import { Trace } from '../core/observe/trace.ts';
import { SynFlooder } from '../core/sim/attacker.ts';
import { Network, type NetworkNode } from '../core/sim/network.ts';
import { Random } from '../core/sim/random.ts';
import { Scheduler } from '../core/sim/scheduler.ts';
import { decodeSegment, encodeSegment } from '../core/wire/codec.ts';
import { parseAddr } from '../core/wire/format.ts';
import { ACK, SYN, type TcpSegment } from '../core/wire/segment.ts';

const N = Number(process.argv[2] ?? 2_000_000);
if (!Number.isInteger(N) || N <= 0) {
  console.error(`usage: npx tsx stack/node/bench-network.ts [packets]  (got "${process.argv[2]}")`);
  process.exit(2);
}

const EMPTY = new Uint8Array(0);
const A = parseAddr('10.0.0.1');
const B = parseAddr('10.0.0.2');

function packetTo(dst: number): Uint8Array {
  const seg: TcpSegment = { srcAddr: A, dstAddr: dst, srcPort: 40000, dstPort: 80, seq: 1, ack: 1, flags: ACK, window: 502, urgent: 0, options: [], payload: new Uint8Array(0) };
  return encodeSegment(seg);
}

/** Ping-pong with `inFlight` packets bouncing between two hosts until `total` have been delivered. */
function benchDelivery(total: number, inFlight: number): number {
  const scheduler = new Scheduler();
  const network = new Network(scheduler, new Random(1), new Trace(false));
  const toA = packetTo(A);
  const toB = packetTo(B);
  let delivered = 0;
  const a: NetworkNode = { name: 'a', addrs: [A], isUp: () => true, receive: () => { if (++delivered < total) network.send(a, toB); } };
  const b: NetworkNode = { name: 'b', addrs: [B], isUp: () => true, receive: () => { if (++delivered < total) network.send(b, toA); } };
  network.attach(a);
  network.attach(b);
  const t0 = performance.now();
  for (let i = 0; i < inFlight; i++) network.send(a, toB);
  scheduler.runUntilIdle();
  const seconds = (performance.now() - t0) / 1000;
  if (network.stats.delivered < total) throw new Error(`only ${network.stats.delivered} of ${total} delivered`);
  return network.stats.delivered / seconds;
}

function benchNoRoute(total: number): number {
  const scheduler = new Scheduler();
  const network = new Network(scheduler, new Random(1), new Trace(false));
  const a: NetworkNode = { name: 'a', addrs: [A], isUp: () => true, receive: () => {} };
  network.attach(a);
  const nowhere = packetTo(parseAddr('198.18.0.1'));
  const t0 = performance.now();
  for (let i = 0; i < total; i++) network.send(a, nowhere);
  const seconds = (performance.now() - t0) / 1000;
  if (network.stats.noRoute !== total) throw new Error('no-route count is off');
  return total / seconds;
}

/** A flood of `total` spoofed SYNs; the server decodes each and answers with a SYN-ACK nobody gets. */
function benchFlood(total: number, answer: boolean, rate: number): { seconds: number; noRoute: number } {
  const scheduler = new Scheduler();
  const network = new Network(scheduler, new Random(1), new Trace(false));
  const server: NetworkNode = {
    name: 'server',
    addrs: [B],
    isUp: () => true,
    receive(bytes) {
      if (!answer) return;
      const d = decodeSegment(bytes);
      if (!d.ok) throw new Error(d.error.detail);
      const syn = d.segment;
      const synAck: TcpSegment = {
        srcAddr: syn.dstAddr,
        dstAddr: syn.srcAddr,
        srcPort: syn.dstPort,
        dstPort: syn.srcPort,
        seq: 7,
        ack: (syn.seq + 1) >>> 0,
        flags: SYN | ACK,
        window: 65160,
        urgent: 0,
        options: [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'ts', val: 1, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }],
        payload: EMPTY,
      };
      network.send(server, encodeSegment(synAck), synAck);
    },
  };
  network.attach(server);
  const flooder = new SynFlooder(network, scheduler, new Random(2), {
    target: B,
    port: 80,
    rate,
    count: total,
    sourceBase: parseAddr('198.18.0.0'),
    sourceCount: 1 << 17,
    withOptions: true,
  });
  const t0 = performance.now();
  flooder.start(0);
  scheduler.runUntilIdle();
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, noRoute: network.stats.noRoute };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

// One warm-up round each so the figures are for optimised code.
benchDelivery(200_000, 64);
benchNoRoute(200_000);
benchFlood(50_000, true, 1_000_000);

const delivery = benchDelivery(N, 64);
console.log(`send → delivery (tracing off, no rules, default link, 64 in flight): ${fmt(delivery)} packets/s over ${fmt(N)} packets`);
const noRoute = benchNoRoute(N);
console.log(`send → no-route (spoofed destination):                              ${fmt(noRoute)} packets/s over ${fmt(N)} packets`);
// The flood's cost grows with the packets in flight (rate × link delay), which all sit in the
// scheduler's heap: 10,000 SYN/s keeps 50 in flight on the 5 ms link, 1,000,000 SYN/s keeps 5,000.
for (const rate of [10_000, 1_000_000]) {
  const silent = benchFlood(1_000_000, false, rate);
  console.log(`1,000,000 spoofed SYNs at ${fmt(rate)}/s, server ignores them (flooder, encode, link): ${silent.seconds.toFixed(2)} s`);
  const flood = benchFlood(1_000_000, true, rate);
  console.log(`1,000,000 spoofed SYNs at ${fmt(rate)}/s, server decodes and answers (SYN-ACK → no-route): ${flood.seconds.toFixed(2)} s, ${fmt(flood.noRoute)} SYN-ACKs unrouted`);
}
