/**
 * Counters under the names Linux gives them. TcpExt counters (/proc/net/netstat) are kept bare
 * ("ListenOverflows"); SNMP counters carry their group ("TcpActiveOpens", "IpInHdrErrors"),
 * which is also how `nstat` prints them apart from the TcpExt prefix.
 */
/** Every counter this stack keeps. */
export const MIB_NAMES = [
  // TcpExt
  'ListenOverflows',
  'ListenDrops',
  'SyncookiesSent',
  'SyncookiesRecv',
  'SyncookiesFailed',
  'TCPReqQFullDoCookies',
  'TCPReqQFullDrop',
  'TCPTimeouts',
  'TCPSynRetrans',
  'TCPKeepAlive',
  'TCPAbortOnClose',
  'TCPAbortOnData',
  'TCPAbortOnLinger',
  'TCPAbortOnTimeout',
  'TCPAbortOnMemory',
  'TCPChallengeACK',
  'TCPSYNChallenge',
  'TCPTimeWaitOverflow',
  'TW',
  'TWRecycled',
  'PAWSEstab',
  'PAWSActive',
  'PAWSTimewait',
  'TCPACKSkippedSynRecv',
  'TCPACKSkippedTimeWait',
  'TCPACKSkippedFinWait2',
  'TCPACKSkippedChallenge',
  'TCPACKSkippedSeq',
  'EmbryonicRsts',
  'TCPOFOQueue',
  'BeyondWindow',
  'TCPZeroWindowDrop',
  'TCPRcvQDrop',
  'TCPOFODrop',
  'DelayedACKs',
  'TCPAckCompressed',
  'TCPLossProbes',
  'TCPLossProbeRecovery',
  'TCPSackRecovery',
  'TCPRenoRecovery',
  'TCPFastRetrans',
  'TCPDSACKRecv',
  'TCPDSACKOldSent',
  'TCPDSACKOfoSent',
  'TCPSACKReorder',
  'TCPRenoReorder',
  'TCPTSReorder',
  'TCPFullUndo',
  'TCPPartialUndo',
  'TCPDSACKUndo',
  'TCPLossUndo',
  'TCPSpuriousRTOs',
  // Tcp (SNMP)
  'TcpActiveOpens',
  'TcpPassiveOpens',
  'TcpAttemptFails',
  'TcpEstabResets',
  'TcpInSegs',
  'TcpOutSegs',
  'TcpRetransSegs',
  'TcpInErrs',
  'TcpOutRsts',
  'TcpInCsumErrors',
  // Ip (SNMP)
  'IpInReceives',
  'IpInHdrErrors',
  'IpInAddrErrors',
  'IpInUnknownProtos',
  'IpReasmFails',
] as const;

export type MibName = (typeof MIB_NAMES)[number];

export class Mib {
  /**
   * Every counter from the start, zero until counted: all hosts' counters share one hidden class
   * and `inc` is a plain field update. (Adding each name on first use gave every host its own
   * shape, and every segment bumps several counters.)
   */
  private readonly values: Record<MibName, number> = zeroCounters();
  /** Names in the order they were first counted, which is the order `counts` lists them in. */
  private readonly counted: MibName[] = [];

  /** The counters counted so far, in the order they were first counted. */
  get counts(): Partial<Record<MibName, number>> {
    const out: Partial<Record<MibName, number>> = {};
    for (const name of this.counted) out[name] = this.values[name];
    return out;
  }

  inc(name: MibName, n = 1): void {
    const before = this.values[name];
    if (typeof before !== 'number') throw new RangeError(`unknown MIB counter "${name}" (see MIB_NAMES in stack/core/tcp/mib.ts)`);
    this.values[name] = before + n;
    if (before === 0 && !this.counted.includes(name)) this.counted.push(name);
  }

  get(name: MibName): number {
    return this.values[name] ?? 0;
  }

  /** Non-zero counters, as `nstat` prints them: TcpExt names get their prefix back. */
  nstat(): Array<[string, number]> {
    return Object.entries(this.counts)
      .filter(([, v]) => v)
      .map(([k, v]) => [k.startsWith('Tcp') || k.startsWith('Ip') ? k : `TcpExt${k}`, v as number] as [string, number])
      .sort((a, b) => a[0].localeCompare(b[0]));
  }
}

function zeroCounters(): Record<MibName, number> {
  const values = {} as Record<MibName, number>;
  for (const name of MIB_NAMES) values[name] = 0;
  return values;
}
