/** Hosts and segments for the network tests: a recording host and a two-host network. */
import { Trace } from '../../core/observe/trace.ts';
import { Network, type LinkParams } from '../../core/sim/network.ts';
import { Random } from '../../core/sim/random.ts';
import { Scheduler } from '../../core/sim/scheduler.ts';
import { encodeSegment } from '../../core/wire/codec.ts';
import { parseAddr } from '../../core/wire/format.ts';
import type { TcpSegment } from '../../core/wire/segment.ts';

export const CLIENT_ADDR = parseAddr('10.0.0.1');
export const SERVER_ADDR = parseAddr('10.0.0.2');

/** A host that records what reaches it and when; `up` plays crash and recovery. */
export class RecordingHost {
  readonly received: Array<{ t: number; bytes: Uint8Array }> = [];
  up = true;
  onReceive?: (bytes: Uint8Array) => void;
  constructor(
    readonly name: string,
    readonly addrs: readonly number[],
    private readonly scheduler: Scheduler,
  ) {}
  isUp(): boolean {
    return this.up;
  }
  receive(bytes: Uint8Array): void {
    this.received.push({ t: this.scheduler.now, bytes });
    this.onReceive?.(bytes);
  }
}

export interface World {
  scheduler: Scheduler;
  trace: Trace;
  network: Network;
  client: RecordingHost;
  server: RecordingHost;
}

export function makeWorld(opts: { seed?: number; trace?: boolean; defaults?: Partial<LinkParams> } = {}): World {
  const scheduler = new Scheduler();
  const trace = new Trace(opts.trace ?? true);
  const network = new Network(scheduler, new Random(opts.seed ?? 1), trace, opts.defaults);
  const client = new RecordingHost('client', [CLIENT_ADDR], scheduler);
  const server = new RecordingHost('server', [SERVER_ADDR], scheduler);
  network.attach(client);
  network.attach(server);
  return { scheduler, trace, network, client, server };
}

export function segment(fields: Partial<TcpSegment> = {}): TcpSegment {
  return {
    srcAddr: CLIENT_ADDR,
    dstAddr: SERVER_ADDR,
    srcPort: 40000,
    dstPort: 80,
    seq: 1000,
    ack: 0,
    flags: 0,
    window: 64240,
    urgent: 0,
    options: [],
    payload: new Uint8Array(0),
    ...fields,
  };
}

/** Segment from client to server. */
export function c2s(fields: Partial<TcpSegment> = {}): TcpSegment {
  return segment(fields);
}

/** Segment from server to client. */
export function s2c(fields: Partial<TcpSegment> = {}): TcpSegment {
  return segment({ srcAddr: SERVER_ADDR, dstAddr: CLIENT_ADDR, srcPort: 80, dstPort: 40000, ...fields });
}

/** Encodes and sends `seg` from `host`, as a TCP host would. */
export function sendSeg(network: Network, host: RecordingHost, seg: TcpSegment): void {
  network.send(host, encodeSegment(seg), seg);
}
