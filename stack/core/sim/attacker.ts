/**
 * A SYN flood from spoofed sources (RFC 4987 §2). Each SYN claims a random address from a pool the
 * network does not route, so the victim's SYN-ACKs go nowhere, no final ACK ever comes back, and
 * every SYN pins a request in the listener's SYN queue until it times out, unless SYN cookies let
 * the listener answer without keeping state.
 *
 * The flooder owns no address: nothing it sends can be answered to it. It schedules one SYN at a
 * time, so a million-SYN flood keeps a single pending event on the clock.
 */
import { encodeSegment } from '../wire/codec.ts';
import { NO_PAYLOAD, SYN, type TcpOption, type TcpSegment } from '../wire/segment.ts';
import type { Network, NetworkNode } from './network.ts';
import type { Random } from './random.ts';
import type { Scheduler, TimerHandle } from './scheduler.ts';

export interface SynFloodParams {
  /** The victim's address and listening port. */
  target: number;
  port: number;
  /** SYNs per second of virtual time. */
  rate: number;
  /** Total SYNs. */
  count: number;
  /** First spoofed address, e.g. parseAddr("198.18.0.0") (RFC 2544's benchmarking range). */
  sourceBase: number;
  /** Size of the spoofed pool; each SYN draws its source from it with the seeded Random. */
  sourceCount: number;
  /** true: Linux's SYN options (mss 1460, sackOK, TS, nop, wscale 7); false: none. */
  withOptions?: boolean;
}

/** The window a Linux client's SYN carries over Ethernet: 64240 = 44 × 1460, whole MSS-sized segments under 65535. */
const SYN_WINDOW = 64240;
const FIRST_EPHEMERAL_PORT = 1024;
const PORT_SPAN = 65536 - FIRST_EPHEMERAL_PORT;

export class SynFlooder implements NetworkNode {
  readonly name = 'attacker';
  readonly addrs: readonly number[] = [];
  /** Packets addressed to the flooder; it owns no address, so this stays 0 unless a test routes to it. */
  received = 0;

  private readonly network: Network;
  private readonly scheduler: Scheduler;
  private readonly random: Random;
  private readonly params: Required<SynFloodParams>;
  private sentCount = 0;
  private startAt = -1;
  private pending: TimerHandle | null = null;

  constructor(network: Network, scheduler: Scheduler, random: Random, params: SynFloodParams) {
    const where = 'SYN flood';
    if (!isU32(params.target)) throw new RangeError(`${where}: target ${params.target} is not an unsigned 32-bit IPv4 address`);
    if (!Number.isInteger(params.port) || params.port < 1 || params.port > 65535) throw new RangeError(`${where}: port must be 1..65535, got ${params.port}`);
    if (!(Number.isFinite(params.rate) && params.rate > 0)) throw new RangeError(`${where}: rate must be a positive number of SYNs per second, got ${params.rate}`);
    if (!Number.isInteger(params.count) || params.count < 0) throw new RangeError(`${where}: count must be a whole number ≥ 0, got ${params.count}`);
    if (!isU32(params.sourceBase)) throw new RangeError(`${where}: sourceBase ${params.sourceBase} is not an unsigned 32-bit IPv4 address`);
    if (!Number.isInteger(params.sourceCount) || params.sourceCount < 1 || params.sourceBase + params.sourceCount > 2 ** 32) {
      throw new RangeError(`${where}: sourceCount must be ≥ 1 and keep the pool inside the IPv4 space, got ${params.sourceCount} from ${params.sourceBase}`);
    }
    this.network = network;
    this.scheduler = scheduler;
    this.random = random;
    this.params = { withOptions: false, ...params };
    network.attach(this);
  }

  get sent(): number {
    return this.sentCount;
  }

  isUp(): boolean {
    return true;
  }

  receive(): void {
    this.received++;
  }

  /** SYN i leaves at `at + i / rate` seconds, so N SYNs span (N − 1) / rate seconds. */
  start(at: number): void {
    if (this.startAt >= 0) throw new Error('SYN flood: start() was already called');
    if (!(at >= this.scheduler.now)) throw new RangeError(`SYN flood: cannot start at ${at} ms, the clock is already at ${this.scheduler.now} ms`);
    this.startAt = at;
    this.scheduleNext();
  }

  /** Stops the flood; SYNs already sent stay in flight. */
  stop(): void {
    this.scheduler.cancel(this.pending);
    this.pending = null;
  }

  /** Sends any forged segment now (blind RST / SYN injection experiments, RFC 5961). */
  inject(seg: TcpSegment): void {
    this.network.send(this, encodeSegment(seg), seg);
  }

  private scheduleNext(): void {
    if (this.sentCount >= this.params.count) {
      this.pending = null;
      return;
    }
    // Computed from the start rather than accumulated, so rounding never drifts over a long flood.
    const due = this.startAt + (this.sentCount * 1000) / this.params.rate;
    this.pending = this.scheduler.at(due, this.fire, 'syn-flood');
  }

  private readonly fire = (): void => {
    this.sendSyn();
    this.scheduleNext();
  };

  private sendSyn(): void {
    const p = this.params;
    const srcAddr = (p.sourceBase + this.random.int(p.sourceCount)) >>> 0;
    const srcPort = FIRST_EPHEMERAL_PORT + this.random.int(PORT_SPAN);
    const seq = this.random.u32();
    // tcp_syn_options order: MSS, SACK-permitted + timestamps, NOP, window scale. Only TSval
    // changes per SYN, so the other options are shared (segments are never modified once built).
    const options: TcpOption[] = p.withOptions ? [SYN_MSS, SYN_SACK_OK, { kind: 'ts', val: this.random.u32(), ecr: 0 }, SYN_NOP, SYN_WSCALE] : NO_OPTIONS;
    const seg: TcpSegment = {
      srcAddr,
      dstAddr: p.target,
      srcPort,
      dstPort: p.port,
      seq,
      ack: 0,
      flags: SYN,
      window: SYN_WINDOW,
      urgent: 0,
      options,
      payload: NO_PAYLOAD,
    };
    this.sentCount++;
    this.network.send(this, encodeSegment(seg), seg);
  }
}

const NO_OPTIONS = Object.freeze([]) as unknown as TcpOption[];
const SYN_MSS: TcpOption = Object.freeze({ kind: 'mss', value: 1460 });
const SYN_SACK_OK: TcpOption = Object.freeze({ kind: 'sackOK' });
const SYN_NOP: TcpOption = Object.freeze({ kind: 'nop' });
const SYN_WSCALE: TcpOption = Object.freeze({ kind: 'wscale', shift: 7 });

function isU32(x: number): boolean {
  return x >>> 0 === x;
}
