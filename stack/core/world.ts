/**
 * A simulated world: one virtual clock, one seeded random source, one network, named hosts.
 * Everything a scenario, a test or the packetdrill runner needs to set up a run.
 */
import { Scheduler } from './sim/scheduler.ts';
import { Random } from './sim/random.ts';
import { Network, type LinkParams } from './sim/network.ts';
import { Trace } from './observe/trace.ts';
import { Host } from './host.ts';
import { parseAddr } from './wire/format.ts';

export interface WorldOptions {
  seed?: number;
  /** Sysctl overrides applied to every host. */
  sysctls?: Record<string, number>;
  /** Default link parameters (one-way delay 5 ms unless told otherwise). */
  link?: Partial<LinkParams>;
  /** false: record nothing (benchmarks). */
  trace?: boolean;
  maxTracedSegments?: number;
}

export class World {
  readonly seed: number;
  readonly sched = new Scheduler();
  readonly random: Random;
  readonly trace: Trace;
  readonly network: Network;
  readonly hosts = new Map<string, Host>();
  private readonly sysctls: Record<string, number>;

  constructor(opts: WorldOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.random = new Random(this.seed);
    this.trace = new Trace(opts.trace ?? true, opts.maxTracedSegments ?? Infinity);
    this.network = new Network(this.sched, this.random.fork(), this.trace, opts.link ?? {});
    this.sysctls = opts.sysctls ?? {};
  }

  addHost(name: string, addr: string | number, sysctls: Record<string, number> = {}): Host {
    const host = new Host(this.sched, this.network, this.trace, this.random.fork(), {
      name,
      addr: typeof addr === 'string' ? parseAddr(addr) : addr,
      sysctls: { ...this.sysctls, ...sysctls },
    });
    this.hosts.set(name, host);
    return host;
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host named "${name}" (hosts: ${[...this.hosts.keys()].join(', ')})`);
    return h;
  }

  get now(): number {
    return this.sched.now;
  }

  /** Schedules `fn` at virtual time `t` (ms). */
  at(t: number, fn: () => void, label = ''): void {
    this.sched.at(t, fn, label);
  }

  /** Runs every event up to and including time `t`. */
  runUntil(t: number): void {
    this.sched.runUntil(t, 50_000_000);
  }
}
