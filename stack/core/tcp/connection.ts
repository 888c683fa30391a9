/**
 * The transmission control block (RFC 9293 §3.3.1) and the host services TCP code uses.
 * Field names follow the RFC: SND.UNA is `sndUna`, RCV.NXT is `rcvNxt`, and so on.
 */
import type { Scheduler, TimerHandle } from '../sim/scheduler.ts';
import type { Trace } from '../observe/trace.ts';
import type { TcpStateName, TimerName } from './names.ts';
import type { SentSegment } from './sack-scoreboard.ts';
import type { TcpSegment } from '../wire/segment.ts';
import type { Sysctls } from './sysctl.ts';
import type { Mib } from './mib.ts';
import type { SipKey } from './siphash.ts';
import type { Errno } from './errno.ts';
import { ByteQueue } from './bytequeue.ts';
import { formatAddr } from '../wire/format.ts';

export type TcpState = TcpStateName;

/** What TCP code needs from the host it runs on. Implemented by Host (../host.ts). */
export interface HostContext {
  readonly name: string;
  readonly sched: Scheduler;
  readonly sysctl: Sysctls;
  readonly trace: Trace;
  readonly mib: Mib;
  readonly secrets: HostSecrets;
  readonly connections: Map<string, Connection>;
  readonly requests: Map<string, RequestSock>;
  readonly listeners: Map<string, Listener>;
  /** Number of connections in TIME_WAIT, for tcp_max_tw_buckets. */
  timeWaitCount: number;
  /** tcp_challenge_timestamp / tcp_challenge_count: the host-wide challenge-ACK budget of one second. */
  challengeAcks: { second: number; left: number };
  /** Encode and put a segment on the wire. */
  output(seg: TcpSegment): void;
  /**
   * The device's queueing discipline drops every packet handed to it (`tc qdisc add dev … root
   * pfifo limit 0`): dev_queue_xmit answers NET_XMIT_DROP, which TCP sees as local congestion.
   */
  egressDrops: boolean;
  /**
   * The GSO size the receiving device gives packets longer than it (virtio_net_hdr's gso_size, as
   * packetdrill's tun writes them with --mss); 0: none. tcp_measure_rcv_mss reads it as the
   * segment size.
   */
  rxGsoSize: number;
  note(text: string): void;
  /** Runs `fn`; an exception (a bug, or a lab's unfinished code) is recorded, never thrown out of the host. */
  guard(where: string, fn: () => void): void;
}

/** Boot-time random secrets, as Linux draws them (net_secret, ts_secret, syncookie_secret[2]). */
export interface HostSecrets {
  isn: SipKey;
  ts: SipKey;
  cookie: [SipKey, SipKey];
  /** The host's wall clock at virtual time 0, in ms; ISNs and timestamps run off it. */
  clockOffsetMs: number;
}

/** SO_LINGER. */
export interface Linger {
  onoff: boolean;
  linger: number; // seconds
}

export interface SocketOptions {
  reuseAddr: boolean;
  keepalive: boolean;
  /** 0 means "use the sysctl", as in Linux (TCP_KEEPIDLE etc. store 0 until set). */
  keepIdle: number; // s
  keepIntvl: number; // s
  keepCnt: number;
  userTimeout: number; // ms, 0 = off
  linger: Linger | null;
  /** TCP_LINGER2 in seconds: 0 = tcp_fin_timeout, < 0 = RST instead of waiting in FIN_WAIT_2. */
  linger2: number;
  nodelay: boolean;
  /**
   * TCP_CORK (TCP_NAGLE_CORK in tp->nonagle): a partial segment at the tail of the queue waits
   * for more data, whatever TCP_NODELAY says, until uncorked, a full segment fills, or the
   * zero-window probe timer sends it when nothing is in flight (send.ts).
   */
  cork: boolean;
  /** IP_TOS (inet->tos): the TOS byte of our IPv4 headers; its ECN bits stay ours (0 here). */
  ipTos: number;
  /** IP_MTU_DISCOVER (inet->pmtudisc): IP_PMTUDISC_WANT (1) by default; DF is set for WANT and DO. */
  pmtuDisc: number;
  /** TCP_SYNCNT: 0 = tcp_syn_retries (on a listener: tcp_synack_retries). */
  synCnt: number;
  /**
   * sk_sndbuf / sk_rcvbuf: tcp_wmem[1] / tcp_rmem[1] when the socket was created (tcp_init_sock),
   * twice the value an application set with SO_SNDBUF / SO_RCVBUF; 0 on a connection made without
   * socket() (read as the sysctl). sndBuf bounds the send queue and grows when the handshake
   * completes (send-buffer.ts); rcvBuf sizes the window once rcvBufLocked is set (output.ts
   * selectInitialWindow, KERNEL.md finding 29).
   */
  sndBuf: number;
  rcvBuf: number;
  /** SOCK_SNDBUF_LOCK: SO_SNDBUF was set, so tcp_sndbuf_expand leaves sndBuf alone (inherited by accept()). */
  sndBufLocked: boolean;
  /**
   * SOCK_RCVBUF_LOCK: the application set SO_RCVBUF, so the buffer is fixed and the window is
   * clamped to what it holds (tcp_connect_init, tcp_openreq_init_rwin; KERNEL.md finding 20).
   */
  rcvBufLocked: boolean;
  /** TCP_MAXSEG (tp->rx_opt.user_mss): 0 = not set. Clamps the MSS we announce and the one we use. */
  userMss: number;
  /**
   * TCP_NOTSENT_LOWAT (tp->notsent_lowat): 0 = net.ipv4.tcp_notsent_lowat. A write starts a new
   * buffer only while fewer unsent bytes wait, and poll() reports writable only below half of it.
   */
  notsentLowat: number;
  /** TCP_INQ (tp->recvmsg_inq): recvmsg() returns a TCP_CM_INQ control message with the bytes left. */
  recvInq: boolean;
}

/** IP_MTU_DISCOVER values (linux/in.h). */
export const IP_PMTUDISC_DONT = 0;
export const IP_PMTUDISC_WANT = 1;
export const IP_PMTUDISC_DO = 2;
export const IP_PMTUDISC_OMIT = 5;

export function defaultSocketOptions(): SocketOptions {
  return {
    reuseAddr: false,
    keepalive: false,
    keepIdle: 0,
    keepIntvl: 0,
    keepCnt: 0,
    userTimeout: 0,
    linger: null,
    linger2: 0,
    nodelay: false,
    cork: false,
    ipTos: 0,
    pmtuDisc: IP_PMTUDISC_WANT,
    synCnt: 0,
    sndBuf: 0,
    rcvBuf: 0,
    sndBufLocked: false,
    rcvBufLocked: false,
    userMss: 0,
    notsentLowat: 0,
    recvInq: false,
  };
}

/**
 * SOCK_MIN_SNDBUF and SOCK_MIN_RCVBUF on 64-bit Linux: 2 × and 1 × TCP_SKB_MIN_TRUESIZE (2048 +
 * an aligned struct sk_buff, 256). Measured on 6.18: SO_SNDBUF 1 reads back 4608, SO_RCVBUF 1 2304.
 */
export const SOCK_MIN_SNDBUF = 4608;
export const SOCK_MIN_RCVBUF = 2304;

/** Receive buffer space (tcp_rmem[1] = 131072): what the advertised window is carved from. */
export const RCV_BUF = 131072;
/** The receive-queue sk_buff lists of a connection outside the truesize model: never written (initReceiveSpace gives each modelled connection its own). */
const NO_SKBS: number[] = [];
/** Our MSS on a 1500-byte MTU link: 1500 − 20 (IP) − 20 (TCP). */
export const ADV_MSS = 1460;
/** TCP_MSS_DEFAULT: mss_cache of a socket that has not connected (what TCP_MAXSEG reads then). */
export const MSS_DEFAULT = 536;
/** TCP_MIN_MSS: TCP_MAXSEG refuses less (EINVAL); MAX_TCP_WINDOW (32767) is its upper bound. */
export const MIN_MSS = 88;
export const MAX_USER_MSS = 32767;

/** tcp_mss_clamp: the MSS a SYN or SYN-ACK announces — the route's 1460, or TCP_MAXSEG if smaller. */
export function advMssFor(opts: SocketOptions): number {
  return opts.userMss && opts.userMss < ADV_MSS ? opts.userMss : ADV_MSS;
}

/** The MSS we may send with (mss_clamp): the peer's, no larger than TCP_MAXSEG or the route's 1460. */
export function clampPeerMss(opts: SocketOptions, peerMss: number): number {
  return Math.min(opts.userMss && opts.userMss < peerMss ? opts.userMss : peerMss, ADV_MSS);
}
/** Window scale Linux advertises with the default tcp_rmem[2] of 6 MB (see windowScaleFor). */
export const OUR_WSCALE = 7;

/**
 * The window scale a SYN or SYN-ACK offers (tcp_select_initial_window): enough to describe the
 * largest receive buffer allowed, max(tcp_rmem[2], rmem_max) — ilog2(space) − 15, at most 14.
 * 0 when window scaling is off. Linux's defaults give 7; packetdrill's defaults.sh gives 8.
 */
export function windowScaleFor(host: HostContext): number {
  if (!host.sysctl.get('net.ipv4.tcp_window_scaling')) return 0;
  const space = Math.max(host.sysctl.getVector('net.ipv4.tcp_rmem')[2], host.sysctl.get('net.core.rmem_max'));
  // ilog2 of a positive int: 31 − count of leading zero bits (Math.log2 rounds through a double).
  return Math.min(14, Math.max(0, 31 - Math.clz32(space) - 15));
}

export class Connection {
  state: TcpState = 'CLOSED';
  readonly key: string;

  // Send sequence space (RFC 9293 §3.3.1).
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  /** Highest sequence number sent so far + 1 (snd_nxt before any go-back-N rewind). */
  sndMax = 0;
  /** End of the last sub-MSS segment sent (Linux snd_sml, for Minshall's Nagle); null before any. */
  sndSml: number | null = null;
  /**
   * TCP_NAGLE_PUSH in tp->nonagle: set by TCP_NODELAY (and by uncorking a TCP_NODELAY socket), it
   * lets even a corked partial segment go, until a write starts a new send buffer (skb_entail
   * clears it).
   */
  naglePush = false;
  /**
   * Where tcp_mark_push put PSH on a buffer (its end), oldest first, for data not yet acknowledged:
   * the end of each write without MSG_MORE, a write that stopped for room, and buffers forced_push
   * marked (send-buffer.ts). A segment ending at or past one of them carries PSH.
   */
  pushMarks: number[] = [];
  /** tp->pushed_seq: where PSH was last marked; null until then (ISS + 1). */
  pushedSeq: number | null = null;
  /** Sequence number of the first byte in sendQueue. */
  sendQueueSeq = 0;
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  maxSndWnd = 0;
  /** The peer's window scale (applied to windows it sends). */
  sndWscale = 0;
  // Receive sequence space.
  irs = 0;
  rcvNxt = 0;
  /** Our window scale (applied to windows we send). */
  rcvWscale = 0;
  /** Right edge we have advertised; Linux never shrinks the window below it. */
  rcvWup = 0;
  /**
   * tp->window_clamp when SO_RCVBUF fixed the buffer: the initial window, which later windows
   * never exceed. 0: no clamp of our own (the window follows the default buffer).
   */
  rcvWndClamp = 0;
  /** tp->advmss before the timestamp option is taken off: 1460, or TCP_MAXSEG if smaller. */
  advMss = 1460;

  // Negotiated options.
  mss = 536; // RFC 9293 §3.7.1 default until the peer says otherwise
  tsOk = false;
  sackOk = false;
  wscaleOk = false;
  /** The peer's last TSval kept (RFC 7323 ts_recent); 0: none kept. */
  tsRecent = 0;
  /**
   * When tsRecent was stored (virtual ms; Linux ts_recent_stamp, kept in seconds there). PAWS lets
   * a RST through once ts_recent is TCP_PAWS_MSL old (tcp_paws_reject), so every store sets both.
   */
  tsRecentStamp = 0;
  tsOffset = 0;

  // Data queues. The send queue holds unacked and unsent bytes; its first byte is at sndUna
  // (or ISS+1 before the SYN is acked).
  readonly sendQueue = new ByteQueue();
  /**
   * The sk_buffs holding sendQueue, as their end sequence numbers from index skbHead on (the ones
   * before it are freed): sk_wmem_queued is counted per buffer (send-buffer.ts).
   */
  readonly skbEnds: number[] = [];
  skbHead = 0;
  /**
   * Ends of the buffers a write with MSG_EOR closed (TCP_SKB_CB(skb)->eor), ascending, until
   * acknowledged: nothing is appended to such a buffer and no segment crosses its end.
   */
  readonly eorEnds: number[] = [];
  /** SOCK_NOSPACE: a write found the send buffer full; the next ACK checks for room (tcp_check_space). */
  sndNoSpace = false;
  readonly recvQueue = new ByteQueue();
  /** Out-of-order segments waiting for the hole before them (RFC 9293 §3.10.7.4 step 7). */
  ooo: Array<{ seq: number; data: Uint8Array; fin: boolean; truesize: number; room: number }> = [];
  /** tp->selective_acks: the SACK blocks our ACKs carry, most recent first (sack-blocks.ts). */
  readonly selectiveAcks: Array<[number, number]> = [];
  /** tp->rx_opt.dsack: the next segment we send reports `dsackBlock` first (RFC 2883), once. */
  dsackPending = false;
  /** tp->duplicate_sack[0]: the duplicate received, [start, end). */
  readonly dsackBlock: [number, number] = [0, 0];
  /** The application asked for a FIN after the queued data. */
  finQueued = false;
  /** Sequence number our FIN occupies once sent. */
  finSeq = 0;
  finSent = false;
  /** The peer's FIN has been received in order (RCV.NXT is past it). */
  rcvFin = false;

  // Retransmission (RFC 6298, Linux bounds).
  srtt = 0; // ms, 0 = no sample yet
  /** tp->mdev_us (ms): four times the mean deviation, smoothed with gain 1/4; tcpi_rttvar is a quarter of it. */
  mdev = 0;
  /** tp->mdev_max_us (ms): the largest mdev this round trip, starting from rto_min. */
  mdevMax = 0;
  /** tp->rttvar_us (ms): the RTO's variance term, at least rto_min (RTO = SRTT + rttvar). */
  rttvar = 0;
  rto = 1000;
  /** icsk_backoff: how many times the RTO has doubled. */
  backoff = 0;
  /** icsk_retransmits: consecutive timeouts without progress. */
  retransmits = 0;
  totalRetrans = 0;
  /** The retransmission queue as a SACK scoreboard: one record per segment in flight (sack-scoreboard.ts). */
  rtx: SentSegment[] = [];
  /** sacked_out and lost_out of the scoreboard, kept as records change (sack-scoreboard.ts). */
  sackedOut = 0;
  /** Records marked lost and not yet resent. */
  lostOut = 0;
  /** Without SACK: duplicate ACKs standing for segments that left the network (tcp_add_reno_sack). */
  renoSackedOut = 0;
  /**
   * Linux icsk_ca_state: Open; Disorder (something is SACKed, marked lost or resent, but no loss
   * is proven: tcp_try_keep_open); CWR (cwnd being reduced without a loss: here only after the
   * local device dropped a segment, tcp_enter_cwr — ECN is not modelled, and a loss probe's
   * repair enters and leaves CWR within one ACK); Recovery (fast); Loss (after an RTO).
   */
  caState: 'open' | 'disorder' | 'cwr' | 'recovery' | 'loss' = 'open';
  /** tp->high_seq: SND.MAX when recovery began; the episode ends when SND.UNA reaches it. */
  highSeq = 0;
  /**
   * RACK (RFC 8985): send time and end of the most recently sent segment known delivered, and its
   * RTT; the reordering window in steps of min_RTT/4 grown by D-SACKs (rack.ts rackUpdateReoWnd:
   * reo_wnd_steps, reo_wnd_persist, dsack_seen, last_delivered), and this ACK's
   * rs->prior_delivered (0: it delivered nothing that was sent).
   */
  rack = { xmitAt: -1, endSeq: 0, rtt: 0, advanced: false, reoWndSteps: 1, reoWndPersist: 0, dsackSeen: false, lastDelivered: 0, priorDelivered: 0 };
  /**
   * tp->delivered: segments delivered so far, cumulatively or by SACK, D-SACKed duplicates
   * included; the handshake counts one (Linux counts the SYN or SYN-ACK's delivery).
   */
  delivered = 1;
  /** tp->dsack_dups: segments reported by D-SACK; more than were ever resent makes a D-SACK dubious. */
  dsackDups = 0;
  /** tcp_min_rtt: the smallest RTT seen (ms); RACK's reordering window is a quarter of it. */
  minRtt = Infinity;
  /** tp->reord_seen: reordering observed, so RACK keeps its reordering window even after 3 SACKs. */
  reordSeen = false;
  /**
   * tp->reordering, in segments: how far out of order the peer's deliveries have been seen to
   * arrive, from net.ipv4.tcp_reordering up to tcp_max_reordering (tcp_check_sack_reordering).
   */
  reordering: number;
  /** tp->tlp_high_seq: SND.NXT when a loss probe went out and its outcome is unknown; null when none. */
  tlpHighSeq: number | null = null;
  /** tp->tlp_retrans: that probe was a retransmission (not new data). */
  tlpRetrans = false;
  /** Time the head segment was first sent, once it has been retransmitted (tp->retrans_stamp). */
  retransStamp = 0;
  /**
   * tp->retrans_stamp as tcp_packet_delayed reads it: when our first resend of the loss episode
   * left (null: nothing resent since the sender was last Open). An ACK echoing a TS val older
   * than that resend's was sent for the original, so the resend was not needed (undo.ts). Kept
   * apart from retransStamp, which the give-up timer reads and which restarts whenever SND.UNA moves.
   */
  undoStamp: number | null = null;
  /** tp->undo_marker: SND.UNA when the reduction that may still be undone began; null: none to undo. */
  undoMarker: number | null = null;
  /**
   * tp->undo_retrans: segments resent since undoMarker and not yet reported duplicate by a D-SACK;
   * 0 means every resend was needless, so the reduction may be undone; −1 nothing resent yet.
   */
  undoRetrans = -1;
  /** tp->prior_ssthresh: ssthresh before the reduction, for the undo; 0 when undo must not restore it (CWR). */
  priorSsthresh = 0;
  /** tp->frto: F-RTO (RFC 5682) runs in this Loss episode (net.ipv4.tcp_frto, tcp_enter_loss). */
  frto = false;
  /** tp->bytes_acked: sequence space acknowledged so far (RFC 4898 tcpEStatsAppHCThruOctetsAcked), our SYN included on an active open. */
  bytesAcked = 0;
  /** tp->rtt_seq: SND.NXT when rttvar last decayed; an ACK past it ends that round trip. */
  rttSeq = 0;
  /** When the SYN (or SYN-ACK) was first sent, for the handshake RTT sample. */
  synSentAt = 0;
  cwnd = 10; // segments, RFC 6928 initial window
  /** snd_cwnd_cnt: segments delivered toward the next +1 in congestion avoidance. */
  cwndCnt = 0;
  ssthresh = 0x7fffffff;
  /**
   * tcp_cwnd_validate's memory of how much of cwnd the sender used (is_cwnd_limited,
   * max_packets_out, cwnd_usage_seq): whether the current window was cwnd-limited, the most
   * segments out in it, and where the window ends.
   */
  isCwndLimited = false;
  maxPacketsOut = 0;
  cwndUsageSeq = 0;
  /** tp->lsndtime: when data (not a bare ACK or probe) last left; idleness for the cwnd restart counts from here. */
  lastDataSentAt = 0;
  /**
   * RFC 2861's memory for tcp_cwnd_application_limited: when cwnd was last found full or changed
   * (snd_cwnd_stamp), and the most segments out since (snd_cwnd_used).
   */
  cwndStamp = 0;
  cwndUsed = 0;
  /**
   * tcp_chrono_*: what the sender is doing now (0 nothing to send, 1 busy, 2 limited by the
   * peer's window, 3 by the send buffer), since when (jiffies), and the jiffies spent in each
   * (chrono_stat) — tcp_info's tcpi_busy_time, tcpi_rwnd_limited and tcpi_sndbuf_limited.
   */
  chronoType: 0 | 1 | 2 | 3 = 0;
  chronoStart = 0;
  chronoBusy = 0;
  chronoRwnd = 0;
  chronoSndbuf = 0;
  /** RFC 6937 PRR: cwnd when the reduction began, segments delivered and sent since (prior_cwnd, prr_delivered, prr_out). */
  priorCwnd = 0;
  prrDelivered = 0;
  prrOut = 0;

  // Delayed ACK (Linux icsk_ack).
  ackPending = false;
  quickAcks = 0;
  pingpong = false;
  /** icsk_ack.pingpong: replies sent within ato of the data they answer (tcp_pingpong_thresh). */
  pingpongCount = 0;
  /** Full-sized segments received since we last sent an ACK. */
  unackedSegs = 0;
  /**
   * icsk_ack.ato, the delayed-ACK timeout in ms: 0 until the first data (which starts quickack
   * mode), then 40 ms, following the gaps between arriving segments (input.ts) and doubling
   * when the timer fires outside ping-pong mode (output.ts).
   */
  ato = 0;
  /**
   * icsk_ack.pending's ICSK_ACK_PUSHED (1) and ICSK_ACK_PUSHED2 (2): a small or pushed segment
   * is waiting for the delayed ACK, which a read that empties the receive queue sends at once.
   */
  ackPushed = 0;
  /** icsk_ack.rcv_mss: the peer's segment size as we see it, from TCP_MSS_DEFAULT up. */
  rcvMss = 536;
  /** icsk_ack.last_seg_size. */
  lastSegSize = 0;
  /** icsk_ack.lrcvtime: when the last in-order data arrived (−1: none yet). */
  lastDataAt = -1;
  /** tp->compressed_ack: ACKs for out-of-order segments held back by SACK compression (sack-compress.ts). */
  compressedAck = 0;
  /** tp->compressed_ack_rcv_nxt and tp->dup_ack_counter: ACKs sent at once at this RCV.NXT. */
  compressedAckRcvNxt = 0;
  dupAckCounter = 0;
  /**
   * tp->rcv_rtt_est in ms (0: no sample): the receiver's RTT, from the TS ecr of full-sized
   * segments or, without timestamps, the time a window of data takes to arrive (input.ts).
   */
  rcvRtt = 0;
  /** tp->rcv_rtt_last_tsecr: the TS ecr last sampled. */
  rcvRttLastTsecr = 0;
  /** tp->rcv_rtt_est.seq and .time: the window being timed without timestamps (time −1: none). */
  rcvRttSeq = 0;
  rcvRttTime = -1;

  // Keepalive and liveness.
  /** icsk_probes_out: keepalive or zero-window probes sent since the peer last answered. */
  probesOut = 0;
  /** icsk_probes_tstamp: when the zero-window probe timer first ran in this stall (null: not running); TCP_USER_TIMEOUT counts from it. */
  probesTstamp: number | null = null;
  /** Time we last received a segment that was processed (rcv_tstamp). */
  lastRcvAt = 0;
  lastSendAt = 0;
  /** Per-socket rate limit for ACKs to invalid segments (tcp_oow_rate_limited). */
  lastOowAckAt = -Infinity;

  readonly timers: Partial<Record<TimerName, TimerHandle>> = {};

  opts: SocketOptions;
  /** close() was called: the socket belongs to no process (SOCK_DEAD). */
  orphan = false;
  /**
   * Linux has handed this socket over to a timewait sock (tcp_time_wait): TIME_WAIT, or an
   * orphaned FIN_WAIT_2 whose lifetime fits in 60 s. Counted once as TW when it happens.
   */
  twSock = false;
  /** shutdown(SHUT_RD) / SHUT_WR by the application. */
  shutRd = false;
  shutWr = false;
  /** Pending error reported to the next syscall (sk_err). */
  error: Errno | null = null;
  /** The connection is gone from the host's tables. */
  closed = false;
  /** Listener this passive connection belongs to until accept()ed. */
  listener: Listener | null = null;
  /**
   * Called whenever something the application may be waiting for changes. `key` is the wake-up's
   * poll key as Linux passes it to the socket's wait queue (poll.ts): POLL_DATA_READY for
   * sk_data_ready, POLL_WRITE_SPACE for sk_write_space; none (0) for sk_state_change, which wakes
   * every waiter.
   */
  wake: ((key?: number) => void) | null = null;
  readonly createdAt: number;
  /** Time TIME_WAIT (or the orphaned FIN_WAIT_2 wait) began. */
  waitStartedAt = 0;

  // The receive window with SO_RCVBUF set (receive-window.ts; zero / empty otherwise).
  /** tp->window_clamp once established with SO_RCVBUF; 0: the truesize model is off for this connection. */
  windowClamp = 0;
  /** tp->rcv_ssthresh: the window may grow no faster than this (tcp_grow_window raises it). */
  rcvSsthresh = 0;
  /** tp->rcv_wnd: the window last offered, in bytes (__tcp_select_window keeps it while it fits). */
  rcvWnd = 0;
  /** tp->scaling_ratio: the window per byte of buffer, in 1/256 (payload over truesize, measured). */
  scalingRatio = 128;
  /** sk_rmem_alloc: the truesize of every sk_buff queued, in order or not. */
  rmemAlloc = 0;
  /** Bytes left unread in each sk_buff of the receive queue, oldest first (parallel to rcvSkbTruesize). */
  rcvSkbLen: number[] = NO_SKBS;
  /** The truesize charged for each sk_buff of the receive queue. */
  rcvSkbTruesize: number[] = NO_SKBS;
  /** Room after the data of the receive queue's tail sk_buff, where tcp_try_coalesce copies a small segment. */
  rcvTailroom = 0;
  /** icsk_ack.pending's ICSK_ACK_NOMEM: the next ACK offers a zero window (tcp_select_window). */
  ackNoMem = false;

  constructor(
    readonly host: HostContext,
    readonly localAddr: number,
    readonly localPort: number,
    readonly remoteAddr: number,
    readonly remotePort: number,
    opts: SocketOptions,
  ) {
    this.key = connKey(localAddr, localPort, remoteAddr, remotePort);
    this.opts = { ...opts };
    this.createdAt = host.sched.now;
    this.lastRcvAt = host.sched.now;
    this.lastDataSentAt = host.sched.now;
    this.cwndStamp = host.sched.now;
    // tcp_init_sock: every connection starts from the sysctl of its creation.
    this.reordering = host.sysctl.get('net.ipv4.tcp_reordering');
  }

  get now(): number {
    return this.host.sched.now;
  }

  /** Bytes sent but not yet acknowledged (data only). */
  get inFlight(): number {
    return (this.sndNxt - this.sndUna) >>> 0;
  }

  /** "10.0.0.1:40000>10.0.0.2:80", as trace events name connections. */
  get label(): string {
    return `${fmtAddr(this.localAddr)}:${this.localPort}>${fmtAddr(this.remoteAddr)}:${this.remotePort}`;
  }
}

/** A request sock: a SYN_RECV "mini socket" on a listener's SYN queue (Linux TCP_NEW_SYN_RECV). */
export interface RequestSock {
  /** The window our SYN-ACK offers before the 65535 cap (req->rsk_rcv_wnd, tcp_select_initial_window). */
  rcvWnd: number;
  /** The window scale our SYN-ACK offers (chosen with rcvWnd; used only if wscaleOk). */
  rcvWscale: number;
  /** The MSS our SYN-ACK announces (tcp_mss_clamp of the listener). */
  advMss: number;
  readonly key: string;
  listener: Listener;
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  iss: number;
  irs: number;
  /** MSS the peer announced (536 if none), no larger than the listener's TCP_MAXSEG. */
  mss: number;
  wscaleOk: boolean;
  sndWscale: number;
  sackOk: boolean;
  tsOk: boolean;
  tsRecent: number;
  tsOffset: number;
  peerWindow: number;
  /** SYN-ACK retransmissions so far (req->num_timeout). */
  numTimeout: number;
  /**
   * When a retransmitted SYN (or another out-of-window segment) last drew a reply
   * (tcp_rsk(req)->last_oow_ack_time); unset until the first one.
   */
  lastOowAckAt?: number;
  /** The final ACK arrived but the accept queue was full (tcp_abort_on_overflow = 0). */
  acked: boolean;
  timer: TimerHandle | null;
  createdAt: number;
  synAckSentAt: number;
}

export interface Listener {
  readonly key: string;
  localAddr: number; // 0 = INADDR_ANY
  localPort: number;
  /** sk_max_ack_backlog = min(backlog, somaxconn). */
  backlog: number;
  /** Request socks (SYN_RECV), in arrival order. */
  synQueue: Map<string, RequestSock>;
  /** Established children waiting for accept(). */
  acceptQueue: Connection[];
  /** Last time the SYN queue overflowed (for cookie validity: TCP_SYNCOOKIE_VALID = 2 min). */
  lastOverflowAt: number;
  /** Linux logs "Possible SYN flooding" once per listener. */
  warnedSynFlood: boolean;
  opts: SocketOptions;
  /** sk_data_ready of the listener: a connection reached the accept queue. */
  wake: ((key?: number) => void) | null;
  closed: boolean;
}

/**
 * The 4-tuple as a map key: six UTF-16 code units rather than decimal text, because every
 * arriving segment builds one (a SYN flood builds millions). Not for display: use `label`.
 */
export function connKey(la: number, lp: number, ra: number, rp: number): string {
  return String.fromCharCode(la >>> 16, la & 0xffff, lp, ra >>> 16, ra & 0xffff, rp);
}

/** A listener's key: its bound address (0 = any) and port. */
export function listenerKey(addr: number, port: number): string {
  return String.fromCharCode(addr >>> 16, addr & 0xffff, port);
}

/** Dotted-quad text of an address (the wire layer's formatAddr). */
export const fmtAddr = formatAddr;
