/**
 * connect() onto a 4-tuple that is in TIME_WAIT (Linux __inet_check_established → tcp_twsk_unique).
 *
 * A client that picks the same local port towards the same server while its last connection on
 * it is still in TIME_WAIT may take that 4-tuple over, because timestamps (PAWS) tell the old
 * connection's stray segments apart from the new one's, and the new ISN starts beyond anything
 * the old connection sent.
 */
import { seqAdd } from '../seq.ts';
import { destroy } from './lifecycle.ts';
import type { Connection, HostContext } from './connection.ts';

function isLoopback(addr: number): boolean {
  return addr >>> 24 === 127;
}

/**
 * tcp_twsk_unique: whether connect() may take over `tw`. Never a FIN_WAIT_2 that lingers after
 * close(), and never without timestamps (no ts_recent was kept, so PAWS cannot protect the new
 * connection). A socket bound to its port beforehand (`explicitPort`) takes it over whatever
 * tcp_tw_reuse says — Linux checks that sysctl only while searching for an ephemeral port — and
 * there tcp_tw_reuse = 2 means loopback only, and the TIME_WAIT must be older than
 * tcp_tw_reuse_delay (v6.13+, 1000 ms).
 */
export function timeWaitReusable(host: HostContext, tw: Connection, explicitPort: boolean): boolean {
  if (tw.state !== 'TIME_WAIT') return false;
  if (!tw.tsOk || tw.tsRecent === 0) return false;
  if (explicitPort) return true;
  let reuse = host.sysctl.get('net.ipv4.tcp_tw_reuse');
  if (reuse === 2 && !isLoopback(tw.localAddr) && !isLoopback(tw.remoteAddr)) reuse = 0;
  return reuse !== 0 && host.sched.now > tw.waitStartedAt + host.sysctl.get('net.ipv4.tcp_tw_reuse_delay');
}

/**
 * Ends the TIME_WAIT connection and returns the new connection's ISN: the old SND.NXT + 65535 + 2,
 * so the new sequence space starts above the old one (0 is avoided, as Linux does). Counted as
 * TWRecycled, the one place Linux counts it.
 */
export function takeOverTimeWait(tw: Connection): number {
  const iss = seqAdd(tw.sndNxt, 65535 + 2) || 1;
  tw.host.mib.inc('TWRecycled');
  destroy(tw, 'connect() takes over the TIME_WAIT 4-tuple');
  return iss;
}
