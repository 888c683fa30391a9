/**
 * Counters under the names Linux gives them. TcpExt counters (/proc/net/netstat) are kept bare
 * ("ListenOverflows"); SNMP counters carry their group ("TcpActiveOpens", "IpInHdrErrors"),
 * which is also how `nstat` prints them apart from the TcpExt prefix.
 */
export type MibName =
  // TcpExt
  | 'ListenOverflows'
  | 'ListenDrops'
  | 'SyncookiesSent'
  | 'SyncookiesRecv'
  | 'SyncookiesFailed'
  | 'TCPReqQFullDoCookies'
  | 'TCPReqQFullDrop'
  | 'TCPTimeouts'
  | 'TCPSynRetrans'
  | 'TCPKeepAlive'
  | 'TCPAbortOnClose'
  | 'TCPAbortOnData'
  | 'TCPAbortOnLinger'
  | 'TCPAbortOnTimeout'
  | 'TCPAbortOnMemory'
  | 'TCPChallengeACK'
  | 'TCPSYNChallenge'
  | 'TCPTimeWaitOverflow'
  | 'TW'
  | 'TWRecycled'
  | 'PAWSEstab'
  | 'PAWSActive'
  | 'TCPACKSkippedSynRecv'
  | 'TCPACKSkippedTimeWait'
  | 'TCPACKSkippedFinWait2'
  | 'TCPACKSkippedChallenge'
  | 'TCPACKSkippedSeq'
  | 'EmbryonicRsts'
  | 'TCPOFOQueue'
  | 'DelayedACKs'
  | 'TCPLossProbes'
  // Tcp (SNMP)
  | 'TcpActiveOpens'
  | 'TcpPassiveOpens'
  | 'TcpAttemptFails'
  | 'TcpEstabResets'
  | 'TcpInSegs'
  | 'TcpOutSegs'
  | 'TcpRetransSegs'
  | 'TcpInErrs'
  | 'TcpOutRsts'
  | 'TcpInCsumErrors'
  // Ip (SNMP)
  | 'IpInReceives'
  | 'IpInHdrErrors'
  | 'IpInAddrErrors'
  | 'IpInUnknownProtos'
  | 'IpReasmFails';

export class Mib {
  readonly counts: Partial<Record<MibName, number>> = {};

  inc(name: MibName, n = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + n;
  }

  get(name: MibName): number {
    return this.counts[name] ?? 0;
  }

  /** Non-zero counters, as `nstat` prints them: TcpExt names get their prefix back. */
  nstat(): Array<[string, number]> {
    return Object.entries(this.counts)
      .filter(([, v]) => v)
      .map(([k, v]) => [k.startsWith('Tcp') || k.startsWith('Ip') ? k : `TcpExt${k}`, v as number] as [string, number])
      .sort((a, b) => a[0].localeCompare(b[0]));
  }
}
