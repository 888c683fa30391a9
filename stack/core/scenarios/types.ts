/**
 * Named, seeded scenarios: the CLI (`npm run sim`), the chapters' figures and the tests all run
 * the same ones. `runScenario(name, options)` (in ./index.ts) returns a ScenarioRun.
 */
import type { TraceEvent, TcpStateName } from '../observe/trace.ts';

export type ChapterSlug = 'handshake' | 'teardown' | 'syn-flood' | 'queues' | 'keepalive';

export interface ScenarioInfo {
  name: string;
  chapter: ChapterSlug;
  title: string;
  /** One or two sentences: what happens and what to look at. */
  description: string;
  /** The two hosts a sequence diagram draws, left then right (e.g. ["client", "server"]). */
  lanes: [string, string];
  /** Virtual time the scenario runs to (ms). */
  duration: number;
}

export interface ScenarioOptions {
  seed?: number;
  /** Overrides of Linux sysctls on every host, e.g. {"net.ipv4.tcp_syn_linear_timeouts": 0}. */
  sysctls?: Record<string, number>;
  /** Keep at most this many segment events in the trace (floods). */
  maxTracedSegments?: number;
}

/** `ss -tan`-style row. For LISTEN rows Recv-Q is the accept-queue length and Send-Q the backlog. */
export interface SsRow {
  state: TcpStateName;
  recvQ: number;
  sendQ: number;
  local: string;
  peer: string;
}

export interface ScenarioRun {
  info: ScenarioInfo;
  seed: number;
  sysctls: Record<string, number>;
  hosts: Array<{ name: string; addr: string }>;
  trace: TraceEvent[];
  endTime: number;
  /** nstat-style counters per host, Linux names (ListenOverflows, SyncookiesSent, ...), non-zero only. */
  nstat: Record<string, Record<string, number>>;
  /** Socket table per host at the end of the run. */
  ss: Record<string, SsRow[]>;
  /** Scenario-specific figures the prose and tests quote (e.g. {connectFailedAt: 131000}). */
  metrics: Record<string, number | number[] | string>;
}
