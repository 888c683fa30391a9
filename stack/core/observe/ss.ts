/**
 * `ss -tan` and `tcp_info` views of a host. LISTEN rows show the accept queue as Recv-Q and the
 * backlog as Send-Q, exactly as tcp_diag_get_info reports them.
 */
import type { HostContext, Connection } from '../tcp/connection.ts';
import { fmtAddr } from '../tcp/connection.ts';
import type { SsRow } from '../scenarios/types.ts';
import type { TcpStateName } from './trace.ts';
import { retransOut, sackedCount } from '../tcp/sack-scoreboard.ts';
import { chronoStats } from '../tcp/chrono.ts';

export function ssRows(host: HostContext): SsRow[] {
  const rows: SsRow[] = [];
  for (const l of host.listeners.values()) {
    rows.push({ state: 'LISTEN', recvQ: l.acceptQueue.length, sendQ: l.backlog, local: `${l.localAddr ? fmtAddr(l.localAddr) : '0.0.0.0'}:${l.localPort}`, peer: '0.0.0.0:*' });
  }
  for (const r of host.requests.values()) {
    rows.push({ state: 'SYN_RECV', recvQ: 0, sendQ: 0, local: `${fmtAddr(r.localAddr)}:${r.localPort}`, peer: `${fmtAddr(r.remoteAddr)}:${r.remotePort}` });
  }
  for (const c of host.connections.values()) {
    rows.push({
      state: c.state,
      recvQ: c.recvQueue.length,
      sendQ: c.state === 'TIME_WAIT' ? 0 : c.sendQueue.length,
      local: `${fmtAddr(c.localAddr)}:${c.localPort}`,
      peer: `${fmtAddr(c.remoteAddr)}:${c.remotePort}`,
    });
  }
  return rows;
}

const SS_NAMES: Record<TcpStateName, string> = {
  CLOSED: 'UNCONN', LISTEN: 'LISTEN', SYN_SENT: 'SYN-SENT', SYN_RECV: 'SYN-RECV', ESTABLISHED: 'ESTAB',
  FIN_WAIT_1: 'FIN-WAIT-1', FIN_WAIT_2: 'FIN-WAIT-2', CLOSE_WAIT: 'CLOSE-WAIT', CLOSING: 'CLOSING',
  LAST_ACK: 'LAST-ACK', TIME_WAIT: 'TIME-WAIT',
};

/** The table as `ss -tan` prints it. */
export function formatSs(rows: SsRow[]): string {
  const head = ['State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port'];
  const body = rows.map((r) => [SS_NAMES[r.state], String(r.recvQ), String(r.sendQ), r.local, r.peer]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((cols) => cols.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd()).join('\n');
}

/** icsk_ca_state's numbers (enum tcp_ca_state). */
const CA_STATE: Record<Connection['caState'], number> = { open: 0, disorder: 1, cwr: 2, recovery: 3, loss: 4 };

/** Linux's TCP_* state numbers as tcp_info reports them (include/net/tcp_states.h). */
export const TCPI_STATE: Record<TcpStateName, number> = {
  ESTABLISHED: 1, SYN_SENT: 2, SYN_RECV: 3, FIN_WAIT_1: 4, FIN_WAIT_2: 5, TIME_WAIT: 6,
  CLOSED: 7, CLOSE_WAIT: 8, LAST_ACK: 9, LISTEN: 10, CLOSING: 11,
};

export const TCPI_OPT_TIMESTAMPS = 1;
export const TCPI_OPT_SACK = 2;
export const TCPI_OPT_WSCALE = 4;

/** A `struct tcp_info` snapshot (the fields the course uses; times in microseconds like Linux). */
export interface TcpInfo {
  tcpi_state: number;
  tcpi_retransmits: number;
  tcpi_probes: number;
  tcpi_backoff: number;
  tcpi_options: number;
  tcpi_snd_wscale: number;
  tcpi_rcv_wscale: number;
  tcpi_rto: number;
  tcpi_ato: number;
  tcpi_snd_mss: number;
  tcpi_rcv_mss: number;
  /** tp->advmss: the MSS we announced, less the timestamp option when it is on (1448, or 1088 for TCP_MAXSEG 1100). */
  tcpi_advmss: number;
  tcpi_unacked: number;
  tcpi_last_data_recv: number;
  tcpi_rtt: number;
  tcpi_rttvar: number;
  tcpi_snd_cwnd: number;
  /** snd_ssthresh in segments (TCP_INFINITE_SSTHRESH, 0x7fffffff, until a loss sets it). */
  tcpi_snd_ssthresh: number;
  tcpi_total_retrans: number;
  /** icsk_ca_state: TCP_CA_Open 0, TCP_CA_Disorder 1, TCP_CA_CWR 2, TCP_CA_Recovery 3, TCP_CA_Loss 4. */
  tcpi_ca_state: number;
  /** tp->reordering: the connection's reordering degree in segments. */
  tcpi_reordering: number;
  /** Always 0 since Linux 4.15 (FACK's fackets_out is gone); kept because scripts still read it. */
  tcpi_fackets: number;
  /** retrans_out: resent segments not yet acknowledged, SACKed or marked lost again. */
  tcpi_retrans: number;
  /** sacked_out, lost_out: segments the peer SACKed (without SACK: duplicate ACKs counted as such), segments marked lost (resent since or not). */
  tcpi_sacked: number;
  tcpi_lost: number;
  /** write_seq − snd_nxt: bytes written and not yet sent (a queued FIN counts one), as SIOCOUTQNSD. */
  tcpi_notsent_bytes: number;
  /**
   * tcp_get_info_chrono_stats, µs in whole jiffies (4 ms at HZ 250): time with data to send or
   * unacknowledged, and the parts of it the peer's window and the send buffer held the sender back.
   */
  tcpi_busy_time: number;
  tcpi_rwnd_limited: number;
  tcpi_sndbuf_limited: number;
}

export function tcpInfo(conn: Connection): TcpInfo {
  const chrono = chronoStats(conn);
  return {
    tcpi_state: TCPI_STATE[conn.state],
    tcpi_retransmits: conn.retransmits,
    tcpi_probes: conn.probesOut,
    tcpi_backoff: conn.backoff,
    tcpi_options: (conn.tsOk ? TCPI_OPT_TIMESTAMPS : 0) | (conn.sackOk ? TCPI_OPT_SACK : 0) | (conn.wscaleOk ? TCPI_OPT_WSCALE : 0),
    tcpi_snd_wscale: conn.sndWscale,
    tcpi_rcv_wscale: conn.rcvWscale,
    tcpi_rto: Math.round(conn.rto * 1000),
    tcpi_ato: conn.ato * 1000,
    tcpi_snd_mss: conn.mss,
    tcpi_rcv_mss: conn.rcvMss,
    tcpi_advmss: conn.advMss - (conn.tsOk ? 12 : 0),
    tcpi_unacked: conn.inFlight > 0 ? Math.max(1, Math.ceil(conn.inFlight / conn.mss)) : 0,
    tcpi_last_data_recv: Math.round(conn.now - conn.lastRcvAt),
    tcpi_rtt: Math.round(conn.srtt * 1000),
    // mdev_us >> 2: a quarter of Linux's mdev, the smoothed mean deviation.
    tcpi_rttvar: Math.round(conn.mdev * 1000) >> 2,
    tcpi_snd_cwnd: Math.floor(conn.cwnd),
    tcpi_snd_ssthresh: conn.ssthresh,
    tcpi_total_retrans: conn.totalRetrans,
    tcpi_ca_state: CA_STATE[conn.caState],
    tcpi_reordering: conn.reordering,
    tcpi_fackets: 0,
    tcpi_retrans: retransOut(conn),
    tcpi_sacked: sackedCount(conn),
    tcpi_lost: conn.rtx.reduce((n, r) => n + (r.markedLost ? 1 : 0), 0),
    tcpi_notsent_bytes: Math.max(0, (conn.sendQueueSeq + conn.sendQueue.length + (conn.finQueued ? 1 : 0) - conn.sndNxt) | 0),
    tcpi_busy_time: chrono.busy,
    tcpi_rwnd_limited: chrono.rwndLimited,
    tcpi_sndbuf_limited: chrono.sndbufLimited,
  };
}
