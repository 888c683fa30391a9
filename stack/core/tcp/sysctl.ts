/**
 * Per-host kernel knobs under their Linux names with Linux v6.18 defaults
 * (../shared/reference/tcp-facts.md §1). A host starts with these; scenarios, the CLI's
 * `--sysctl name=value` and packetdrill's `sysctl -q` lines override them.
 */
export interface SysctlSpec {
  name: string;
  /** A number, or for vector knobs such as tcp_rmem ("min default max") a list. */
  default: number | readonly number[];
  min: number;
  max: number;
  unit: 's' | 'ms' | 'us' | 'ns' | 'count' | 'bool' | 'mode' | 'bytes' | 'port';
  doc: string;
}

export const INT_MAX = 2147483647;

export const SYSCTLS: readonly SysctlSpec[] = [
  { name: 'net.ipv4.tcp_syn_retries', default: 6, min: 1, max: 127, unit: 'count', doc: 'SYN retransmissions for an active open (plus tcp_syn_linear_timeouts in v6.18).' },
  { name: 'net.ipv4.tcp_syn_linear_timeouts', default: 4, min: 0, max: INT_MAX, unit: 'count', doc: 'The first N SYN timeouts are not doubled: SYNs at 0,1,2,3,4,5,7,11,19,35,67 s.' },
  { name: 'net.ipv4.tcp_synack_retries', default: 5, min: 0, max: 255, unit: 'count', doc: 'SYN-ACK retransmissions for a passive open: SYN-ACKs at 0,1,3,7,15,31 s, request dropped at 63 s.' },
  { name: 'net.ipv4.tcp_retries1', default: 3, min: 0, max: 255, unit: 'count', doc: 'Retransmissions before routing advice (RFC 1122 R1). Accepted; no effect here: the simulated hosts have no routes to re-check.' },
  { name: 'net.ipv4.tcp_retries2', default: 15, min: 0, max: 255, unit: 'count', doc: 'An established connection gives up after the model time of 15 backoffs from 200 ms (924.6 s).' },
  { name: 'net.ipv4.tcp_orphan_retries', default: 0, min: 0, max: 255, unit: 'count', doc: 'Retry limit for orphaned sockets; 0 means 8 while the RTO is below rto_max.' },
  // max(128, ehash_entries/128) on Linux; 128 is the floor, what a small host gets.
  { name: 'net.ipv4.tcp_max_syn_backlog', default: 128, min: 1, max: INT_MAX, unit: 'count', doc: 'Only with tcp_syncookies=0: drop SYNs from unproven peers once the SYN queue is ¾ of this.' },
  { name: 'net.core.somaxconn', default: 4096, min: 0, max: INT_MAX, unit: 'count', doc: 'Silent cap on the listen() backlog.' },
  { name: 'net.ipv4.tcp_abort_on_overflow', default: 0, min: 0, max: 1, unit: 'bool', doc: '0: drop the final ACK that finds the accept queue full; 1: answer it with RST.' },
  { name: 'net.ipv4.tcp_syncookies', default: 1, min: 0, max: 2, unit: 'mode', doc: '0 never, 1 when the SYN queue overflows, 2 always.' },
  { name: 'net.ipv4.tcp_fin_timeout', default: 60, min: 0, max: INT_MAX, unit: 's', doc: 'Lifetime of an orphaned FIN_WAIT_2 socket. Does not change TIME_WAIT.' },
  // ehash_entries/2 on Linux; a fixed figure keeps runs independent of the machine.
  { name: 'net.ipv4.tcp_max_tw_buckets', default: 262144, min: 0, max: INT_MAX, unit: 'count', doc: 'Maximum TIME_WAIT sockets; beyond it a closing socket skips TIME_WAIT (TCPTimeWaitOverflow).' },
  { name: 'net.ipv4.ip_local_port_range', default: [32768, 60999], min: 1, max: 65535, unit: 'port', doc: 'The local ports connect() and bind() to port 0 choose from ("low high", inclusive); when all are taken connect() fails with EADDRNOTAVAIL.' },
  { name: 'net.ipv4.tcp_tw_reuse', default: 2, min: 0, max: 2, unit: 'mode', doc: 'Outgoing connect() may take over a TIME_WAIT 4-tuple: 0 off, 1 on, 2 loopback only.' },
  { name: 'net.ipv4.tcp_tw_reuse_delay', default: 1000, min: 1, max: 60000, unit: 'ms', doc: 'Minimum TIME_WAIT age before tcp_tw_reuse applies.' },
  { name: 'net.ipv4.tcp_keepalive_time', default: 7200, min: 1, max: 32767, unit: 's', doc: 'Idle time before the first keepalive probe (only with SO_KEEPALIVE).' },
  { name: 'net.ipv4.tcp_keepalive_intvl', default: 75, min: 1, max: 32767, unit: 's', doc: 'Interval between keepalive probes.' },
  { name: 'net.ipv4.tcp_keepalive_probes', default: 9, min: 1, max: 127, unit: 'count', doc: 'Unanswered probes before the connection is reset: dead at 7200 + 9×75 = 7875 s.' },
  { name: 'net.ipv4.tcp_challenge_ack_limit', default: INT_MAX, min: 0, max: INT_MAX, unit: 'count', doc: 'Host-wide RFC 5961 challenge ACKs per second (no limit by default); below INT_MAX each second gets a random budget in [limit/2, 1.5·limit).' },
  { name: 'net.ipv4.tcp_pingpong_thresh', default: 1, min: 1, max: 255, unit: 'count', doc: 'Replies sent within the delayed-ACK timeout of the data they answer before a connection counts as interactive (ping-pong) and stops sending ACKs on their own.' },
  { name: 'net.ipv4.tcp_invalid_ratelimit', default: 500, min: 0, max: INT_MAX, unit: 'ms', doc: 'Per-socket minimum gap between ACKs sent in reply to invalid segments.' },
  { name: 'net.ipv4.tcp_rfc1337', default: 0, min: 0, max: 1, unit: 'bool', doc: '0: an in-window RST kills a TIME_WAIT socket; 1: ignore it (RFC 1337).' },
  { name: 'net.ipv4.tcp_timestamps', default: 1, min: 0, max: 2, unit: 'mode', doc: 'RFC 7323 timestamps, with a per-connection random offset (2: no offset).' },
  { name: 'net.ipv4.tcp_sack', default: 1, min: 0, max: 1, unit: 'bool', doc: 'Offer and accept SACK (RFC 2018).' },
  { name: 'net.ipv4.tcp_dsack', default: 1, min: 0, max: 1, unit: 'bool', doc: 'Report duplicate segments received with a D-SACK block (RFC 2883).' },
  { name: 'net.ipv4.tcp_slow_start_after_idle', default: 1, min: 0, max: 1, unit: 'bool', doc: 'RFC 2861: a connection idle (nothing in flight, no data sent) for longer than the RTO restarts from min(cwnd, initial window), cwnd halved once per RTO of idleness; while application-limited for an RTO, cwnd decays halfway to what was used.' },
  { name: 'net.ipv4.tcp_recovery', default: 1, min: 0, max: 7, unit: 'mode', doc: 'Loss recovery: bit 0 RACK loss detection (RFC 8985) — in v6.18 RACK is the only loss detection with SACK, so clearing it changes nothing (measured); bit 1 static reordering window (the RACK window stays min_RTT/4 instead of growing by that much for each round trip with a D-SACK, KERNEL.md finding 56); bit 2 no duplicate-ACK threshold (RACK keeps its reordering window however many segments are SACKed).' },
  { name: 'net.ipv4.tcp_reordering', default: 3, min: 1, max: INT_MAX, unit: 'count', doc: 'A new connection\'s reordering degree (tp->reordering): the SACKed segments or duplicate ACKs after which a loss is assumed without RACK, and the count RACK waits for before it drops its reordering window. It grows when reordering is seen.' },
  { name: 'net.ipv4.tcp_max_reordering', default: 300, min: 1, max: INT_MAX, unit: 'count', doc: 'The highest a connection\'s reordering degree may grow to when it sees segments delivered out of order.' },
  { name: 'net.ipv4.tcp_frto', default: 2, min: 0, max: 255, unit: 'mode', doc: 'F-RTO (RFC 5682) after a retransmission timeout: when the ACK of the resent head advances SND.UNA, send new data rather than more resends, and undo the timeout\'s reduction if data sent only once is then acknowledged (TCPSpuriousRTOs). 0 off (go back N); any other value (a u8: 0–255 accepted, measured) turns it on, 1 and 2 alike in v6.18 — tcp_enter_loss only tests for non-zero, and with SACK it is the SACK-enhanced variant.' },
  { name: 'net.ipv4.tcp_early_retrans', default: 3, min: 0, max: 4, unit: 'mode', doc: 'Tail loss probes (RFC 8985 TLP) on SACK connections when 3 or 4 (default 3); other values turn them off.' },
  { name: 'net.ipv4.tcp_comp_sack_delay_ns', default: 1000000, min: 0, max: Number.MAX_SAFE_INTEGER, unit: 'ns', doc: 'SACK compression: after three ACKs at one RCV.NXT, an ACK for a further out-of-order segment waits 5 % of the RTT, at most this long, so that one ACK reports several arrivals.' },
  { name: 'net.ipv4.tcp_comp_sack_slack_ns', default: 100000, min: 0, max: Number.MAX_SAFE_INTEGER, unit: 'ns', doc: 'How much later than its delay the SACK compression timer may fire (hrtimer slack); with nothing else due meanwhile it fires at the end of that range, as here.' },
  { name: 'net.ipv4.tcp_comp_sack_nr', default: 44, min: 0, max: 255, unit: 'count', doc: 'Most ACKs SACK compression holds back in a row; 0 turns it off.' },
  { name: 'net.ipv4.tcp_window_scaling', default: 1, min: 0, max: 1, unit: 'bool', doc: 'Offer and accept window scaling (RFC 7323).' },
  { name: 'net.ipv4.tcp_rto_min_us', default: 200000, min: 1, max: INT_MAX, unit: 'us', doc: 'Lower bound of the RTO (RFC 6298 says 1 s; Linux uses 200 ms).' },
  { name: 'net.ipv4.tcp_rto_max_ms', default: 120000, min: 1000, max: 120000, unit: 'ms', doc: 'Upper bound of the RTO.' },
  { name: 'net.ipv4.tcp_fastopen', default: 1, min: 0, max: 0xfff, unit: 'mode', doc: 'TCP Fast Open flags (client on). This stack does not implement TFO; the knob is accepted for scripts.' },
  { name: 'net.ipv4.tcp_ecn', default: 2, min: 0, max: 2, unit: 'mode', doc: 'ECN (2: accept when asked). This stack does not negotiate ECN; the knob is accepted for scripts.' },
  { name: 'net.ipv4.tcp_rmem', default: [4096, 131072, 6291456], min: 1, max: INT_MAX, unit: 'bytes', doc: 'Receive buffer min, default and max. The max (with net.core.rmem_max) sets the window scale a SYN offers: ilog2(space) − 15, i.e. 7 by default.' },
  { name: 'net.ipv4.tcp_wmem', default: [4096, 16384, 4194304], min: 1, max: INT_MAX, unit: 'bytes', doc: 'Send buffer min, default and max: a socket starts with the default, grown up to the max once connected unless SO_SNDBUF is set.' },
  { name: 'net.ipv4.tcp_min_tso_segs', default: 2, min: 1, max: 255, unit: 'count', doc: 'Fewest segments in one TSO packet; on a long path each sent buffer holds this many, so it sets how much overhead the send buffer counts (the wire is not shaped by it here).' },
  { name: 'net.ipv4.tcp_notsent_lowat', default: 0xffffffff, min: 0, max: 0xffffffff, unit: 'bytes', doc: 'Unsent bytes above which a write takes no new buffer and poll() stops reporting writable (at half of it); a socket may set its own with TCP_NOTSENT_LOWAT. The default, UINT_MAX, is no limit.' },
  { name: 'net.core.wmem_max', default: 212992, min: 1, max: INT_MAX, unit: 'bytes', doc: 'Largest send buffer an application may set with SO_SNDBUF (which Linux then doubles).' },
  { name: 'net.core.rmem_max', default: 212992, min: 1, max: INT_MAX, unit: 'bytes', doc: 'Largest receive buffer an application may set; also bounds the offered window scale.' },
  { name: 'net.core.netdev_max_backlog', default: 1000, min: 1, max: INT_MAX, unit: 'count', doc: 'Per-CPU input packet queue below TCP; unrelated to the SYN and accept queues. Accepted; no effect here: segments reach TCP straight from the link.' },
];

const BY_NAME = new Map(SYSCTLS.map((s) => [s.name, s]));

export class UnknownSysctlError extends Error {
  constructor(readonly sysctl: string) {
    const near = SYSCTLS.filter((s) => s.name.includes(sysctl.split('.').pop() ?? sysctl)).map((s) => s.name);
    super(`unknown sysctl "${sysctl}"${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
  }
}

export type SysctlValue = number | readonly number[];

export class Sysctls {
  private values = new Map<string, SysctlValue>();
  /**
   * The scalar knobs again, as properties of one object with every name from the start: TCP reads
   * several knobs per segment, and a property read is cheaper than hashing the name for the Map.
   */
  private readonly scalars: Record<string, number> = {};

  constructor(overrides: Record<string, SysctlValue> = {}) {
    for (const s of SYSCTLS) {
      this.values.set(s.name, s.default);
      if (typeof s.default === 'number') this.scalars[s.name] = s.default;
    }
    for (const [k, v] of Object.entries(overrides)) this.set(k, v);
  }

  /** A scalar knob. */
  get(name: string): number {
    const v = this.scalars[name];
    if (typeof v === 'number') return v;
    // Not a scalar knob (a vector, a typo, or "toString" finding Object.prototype's): the Map
    // path gives the error.
    return this.slowGet(name);
  }

  private slowGet(name: string): number {
    const v = this.values.get(name);
    if (v === undefined) throw new UnknownSysctlError(name);
    if (typeof v !== 'number') throw new TypeError(`sysctl ${name} is a vector (${v.join(' ')}); read it with getVector`);
    return v;
  }

  /** A vector knob such as net.ipv4.tcp_rmem. */
  getVector(name: string): readonly number[] {
    const v = this.values.get(name);
    if (v === undefined) throw new UnknownSysctlError(name);
    return typeof v === 'number' ? [v] : v;
  }

  set(name: string, value: SysctlValue): void {
    const spec = BY_NAME.get(name);
    if (!spec) throw new UnknownSysctlError(name);
    const vector = typeof spec.default !== 'number';
    const list = typeof value === 'number' ? [value] : value;
    const want = vector ? (spec.default as readonly number[]).length : 1;
    if (list.length !== want) {
      throw new RangeError(`sysctl ${name} takes ${want === 1 ? 'one integer' : `${want} integers ("${(spec.default as readonly number[]).join(' ')}")`}, got ${list.length}`);
    }
    for (const v of list) {
      if (!Number.isInteger(v) || v < spec.min || v > spec.max) {
        throw new RangeError(`sysctl ${name} must be an integer in [${spec.min}, ${spec.max}], got ${v}`);
      }
    }
    this.values.set(name, vector ? [...list] : list[0]);
    if (!vector) this.scalars[name] = list[0];
  }

  /** The values that differ from the defaults. */
  changed(): Record<string, SysctlValue> {
    const out: Record<string, SysctlValue> = {};
    for (const s of SYSCTLS) {
      const v = this.values.get(s.name)!;
      if (String(v) !== String(s.default)) out[s.name] = v;
    }
    return out;
  }

  all(): Record<string, SysctlValue> {
    return Object.fromEntries(this.values);
  }
}

export function sysctlSpec(name: string): SysctlSpec | undefined {
  return BY_NAME.get(name);
}
