/**
 * LAB: the three-way handshake.
 *
 * Everything a connection does before it is ESTABLISHED: choosing the initial sequence number,
 * the SYN, what the client does with the segments that answer it, the server's SYN-ACK and its
 * check of the final ACK, and when SYNs and SYN-ACKs are sent again.
 *
 * Vocabulary (RFC 9293 §3.3.1): ISS our initial sequence number, IRS the peer's; SND.UNA oldest
 * unacknowledged, SND.NXT next to send; RCV.NXT next expected from the peer.
 */
import { initReceiveSpace } from './receive-window.ts';
import { ACK, RST, SYN, hasFlag, segmentLength, tsOption, type TcpSegment } from '../wire/segment.ts';
import { seqAdd, seqGt, seqLeq, seqSub } from '../seq.ts';
import { siphashU32 } from './siphash.ts';
import { ADV_MSS, advMssFor, clampPeerMss, type Connection, type HostContext, type Listener, type RequestSock } from './connection.ts';
import { cancelTimer, destroy, setState } from './lifecycle.ts';
import { tcpInWindow } from './acceptable.ts';
import { sendAck, selectInitialWindow, sendSegment, synOptions, tsClock } from './output.ts';
import { TIMEOUT_FALLBACK, TIMEOUT_INIT, modelTimeout, rtoMax, rttSample } from './rto.ts';

// ---------------------------------------------------------------------------------------------
// Task 1 — the initial sequence number.
// RFC 9293 §3.4.1 (from RFC 6528): ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
// where M is a clock and F a keyed hash nobody outside can compute. The clock keeps successive
// ISNs of one 4-tuple increasing (old duplicates fall behind); the hash stops off-path guessing.
// ---------------------------------------------------------------------------------------------

/** Linux's clock for ISNs: ktime_get_real_ns() >> 6, i.e. one tick every 64 ns (modulo 2^32). */
export function isnClock(host: HostContext): number {
  const ms = host.sched.now + host.secrets.clockOffsetMs;
  const whole = Math.floor(ms);
  // 1 ms = 1,000,000 ns = 15625 ticks of 64 ns; Math.imul keeps the product modulo 2^32.
  return (Math.imul(whole >>> 0, 15625) + Math.floor((ms - whole) * 15625)) >>> 0;
}

export function chooseIss(host: HostContext, localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
  // #region lab handshake/1 Choose the initial sequence number (RFC 6528)
  // secure_tcp_seq(): SipHash of (saddr, daddr, sport << 16 | dport) under the boot-time secret.
  // The ports are packed into one unsigned 32-bit word (hence >>> 0): a hash input, not a sequence number.
  const f = siphashU32(host.secrets.isn, [localAddr, remoteAddr, ((localPort << 16) | remotePort) >>> 0]);
  // M + F: a clock plus a hash, both unsigned 32-bit values, summed modulo 2^32 — no step in
  // anyone's sequence space yet, so the plain modular sum, not seqAdd.
  return (f + isnClock(host)) >>> 0;
  // #endregion
}

/** Per-connection timestamp offset (secure_tcp_ts_off): TSvals reveal no host uptime. */
export function tsOffsetFor(host: HostContext, localAddr: number, remoteAddr: number): number {
  if (host.sysctl.get('net.ipv4.tcp_timestamps') === 2) return 0;
  return siphashU32(host.secrets.ts, [localAddr, remoteAddr]);
}

// ---------------------------------------------------------------------------------------------
// The active open: connect() sends a SYN and waits in SYN-SENT.
// ---------------------------------------------------------------------------------------------

/** `iss` is given when connect() takes over a TIME_WAIT 4-tuple (time-wait-reuse.ts). */
export function activeOpen(conn: Connection, iss?: number): void {
  const host = conn.host;
  conn.iss = iss ?? chooseIss(host, conn.localAddr, conn.localPort, conn.remoteAddr, conn.remotePort);
  conn.sndUna = conn.iss;
  conn.sndNxt = seqAdd(conn.iss, 1); // the SYN takes one sequence number
  conn.sndMax = conn.sndNxt;
  conn.sendQueueSeq = conn.sndNxt;
  conn.tsOffset = tsOffsetFor(host, conn.localAddr, conn.remoteAddr);
  // tcp_connect_init: our MSS (TCP_MAXSEG clamps it), the SYN's window and scale from the receive
  // buffer, and mss_cache as TCP_MAXSEG reads it in SYN-SENT (1460, less 12 for timestamps).
  conn.advMss = advMssFor(conn.opts);
  const win = ownSynWindow(conn);
  conn.rcvWscale = win.wscale;
  conn.rcvWndClamp = win.clamp;
  conn.mss = conn.advMss - (host.sysctl.get('net.ipv4.tcp_timestamps') !== 0 ? 12 : 0);
  conn.rto = TIMEOUT_INIT;
  host.mib.inc('TcpActiveOpens');
  setState(conn, 'SYN_SENT', 'connect()');
  conn.synSentAt = conn.now;
  // tcp_connect() stamps retrans_stamp: the SYN give-up time counts from the first SYN.
  conn.retransStamp = conn.now;
  sendSyn(conn, false);
}

/** Our SYN: `<mss 1460,sackOK,TS val X ecr 0,nop,wscale 7>` with Linux defaults. */
export function sendSyn(conn: Connection, retransmission: boolean): void {
  sendOwnSyn(conn, SYN, retransmission, 0);
}

/**
 * The window and scale a full socket's SYN offers (tcp_connect_init → tcp_select_initial_window),
 * for segments of our MSS: no timestamp allowance yet, since we do not know whether the peer uses them.
 */
function ownSynWindow(conn: Connection): { wnd: number; wscale: number; clamp: number } {
  return selectInitialWindow(conn.host, conn.opts, conn.advMss, conn.host.sysctl.get('net.ipv4.tcp_window_scaling') !== 0);
}

/** A SYN from a full socket carries every option this host offers (Linux tcp_syn_options). */
function sendOwnSyn(conn: Connection, flags: number, retransmission: boolean, tsEcr: number): void {
  const host = conn.host;
  const ts = host.sysctl.get('net.ipv4.tcp_timestamps') !== 0;
  sendSegment(conn, flags, conn.iss, undefined, retransmission,
    synOptions({
      mss: conn.advMss,
      sack: host.sysctl.get('net.ipv4.tcp_sack') !== 0,
      ts: ts ? { val: tsClock(host, conn.tsOffset), ecr: tsEcr } : null,
      wscale: host.sysctl.get('net.ipv4.tcp_window_scaling') ? ownSynWindow(conn).wscale : null,
    }));
}

/** Options a SYN or SYN-ACK announced, as this side will use them. */
export interface PeerSynOptions {
  mss: number;
  wscale: number | null;
  sackOk: boolean;
  ts: { val: number; ecr: number } | null;
}

export function readSynOptions(seg: TcpSegment): PeerSynOptions {
  // RFC 9293 §3.7.1: without an MSS option, assume 536.
  const out: PeerSynOptions = { mss: 536, wscale: null, sackOk: false, ts: null };
  for (const o of seg.options) {
    if (o.kind === 'mss') out.mss = o.value;
    else if (o.kind === 'wscale') out.wscale = Math.min(o.shift, 14); // RFC 7323 §2.3: cap at 14
    else if (o.kind === 'sackOK') out.sackOk = true;
    else if (o.kind === 'ts') out.ts = { val: o.val, ecr: o.ecr };
  }
  return out;
}

/** What both sides agreed on: an option is on only if both sent it (RFC 7323, RFC 2018). */
export function applySynOptions(conn: Connection, peer: PeerSynOptions): void {
  const host = conn.host;
  // Our SYN offered a window scale whenever tcp_window_scaling is on, even a scale of 0 (a small
  // SO_RCVBUF): scaling is on if the peer offered one too.
  conn.wscaleOk = peer.wscale !== null && host.sysctl.get('net.ipv4.tcp_window_scaling') !== 0;
  conn.sndWscale = conn.wscaleOk ? peer.wscale! : 0;
  if (!conn.wscaleOk) conn.rcvWscale = 0;
  conn.sackOk = peer.sackOk && host.sysctl.get('net.ipv4.tcp_sack') !== 0;
  conn.tsOk = peer.ts !== null && host.sysctl.get('net.ipv4.tcp_timestamps') !== 0;
  if (conn.tsOk) {
    conn.tsRecent = peer.ts!.val;
    conn.tsRecentStamp = conn.now;
  }
  // The timestamp option takes 12 bytes of every segment (Linux mss_cache 1448); TCP_MAXSEG
  // clamps the peer's MSS (mss_clamp = min(peer's, user_mss)).
  conn.mss = clampPeerMss(conn.opts, peer.mss) - (conn.tsOk ? 12 : 0);
}

/** An RTT sample from a handshake segment: by timestamp echo, or Karn's rule without one. */
function handshakeRtt(conn: Connection, seg: TcpSegment, sentAt: number, retransmitted: boolean): void {
  const ts = tsOption(seg);
  if (conn.tsOk && ts && ts.ecr !== 0) {
    // TSvals wrap modulo 2^32 like sequence numbers: the RTT is their signed 32-bit difference.
    rttSample(conn, seqSub(tsClock(conn.host, conn.tsOffset), ts.ecr) || 0.001);
  } else if (!retransmitted) {
    rttSample(conn, conn.now - sentAt);
  }
  // RFC 6298 §5.7: no sample from a handshake that needed retransmission ⇒ start data at 3 s.
  if (conn.srtt === 0) conn.rto = TIMEOUT_FALLBACK;
}

// ---------------------------------------------------------------------------------------------
// Task 2 — a segment arrives in SYN-SENT (RFC 9293 §3.10.7.3, Linux tcp_rcv_synsent_state_process).
// ---------------------------------------------------------------------------------------------

/**
 * What input.ts does after a segment in SYN-SENT. Like tcp_rcv_synsent_state_process's return
 * value, the RST for an unacceptable ACK is the caller's to send (tcp_v4_do_rcv → tcp_v4_send_reset).
 */
export type SynSentVerdict =
  | 'reset' // an ACK of something we never sent: answer <SEQ=SEG.ACK><CTL=RST>
  | 'reset-and-retry' // the same, and send our SYN again at once (TCP_TIMEOUT_MIN): it was not retransmitted yet
  | 'done'; // handled here (ESTABLISHED, SYN_RECV, refused) or dropped

export function onSegmentInSynSent(conn: Connection, seg: TcpSegment): SynSentVerdict {
  // #region lab handshake/2 Process a segment in SYN-SENT
  // First, the ACK: it must acknowledge our SYN and nothing we never sent (ISS < SEG.ACK =< SND.NXT).
  if (hasFlag(seg, ACK) && (seqLeq(seg.ack, conn.iss) || seqGt(seg.ack, conn.sndMax))) {
    if (hasFlag(seg, RST)) return 'done'; // a RST is never answered with a RST
    // Linux retries the SYN almost at once if it has not yet: the RST may have cleared a stale
    // connection at the peer ("Previous FIN/ACK or RST/ACK might be ignored").
    return conn.retransmits === 0 ? 'reset-and-retry' : 'reset';
  }
  // Second, RST: honoured only with an acceptable ACK; then the connection was refused.
  if (hasFlag(seg, RST)) {
    if (hasFlag(seg, ACK)) destroy(conn, 'RST received in SYN_SENT', 'ECONNREFUSED');
    return 'done';
  }
  // Fourth, SYN.
  if (hasFlag(seg, SYN)) {
    conn.irs = seg.seq;
    conn.rcvNxt = seqAdd(seg.seq, 1); // the peer's SYN takes one sequence number
    conn.rcvWup = conn.rcvNxt;
    applySynOptions(conn, readSynOptions(seg));
    if (hasFlag(seg, ACK)) {
      // Our SYN is acknowledged: ESTABLISHED, and the third segment of the handshake.
      conn.sndUna = seg.ack;
      conn.sndWnd = seg.window; // never scaled in a SYN-ACK (RFC 7323 §2.2)
      conn.maxSndWnd = seg.window;
      conn.sndWl1 = seg.seq;
      conn.sndWl2 = seg.ack;
      handshakeRtt(conn, seg, conn.synSentAt, conn.retransmits > 0);
      synAcknowledged(conn);
      // tcp_init_buffer_space, with the SYN's window as tp->rcv_wnd.
      if (conn.opts.rcvBufLocked && conn.rcvWndClamp) initReceiveSpace(conn, conn.rcvWndClamp);
      setState(conn, 'ESTABLISHED', 'SYN-ACK received');
      sendAck(conn);
    } else {
      // Simultaneous open (RFC 9293 Figure 7): answer with SYN-ACK from the same ISS.
      setState(conn, 'SYN_RECV', 'SYN received in SYN_SENT (simultaneous open)');
      sendSynAckFromConnection(conn, false);
    }
  }
  // Neither SYN nor RST: dropped.
  return 'done';
  // #endregion
}

/** Our SYN is acknowledged: the handshake's retransmission state is over. */
function synAcknowledged(conn: Connection): void {
  cancelTimer(conn, 'retransmit');
  conn.retransmits = 0;
  conn.backoff = 0;
  conn.retransStamp = 0;
}

/**
 * A full socket in SYN_RECV (simultaneous open) sends SYN-ACK = its SYN again, now with an ACK.
 * Unlike a request sock's SYN-ACK it does not mirror the peer's options: Linux (tcp_send_synack
 * → tcp_syn_options) offers everything its SYN offered, with TS ecr = the peer's TSval or 0.
 */
export function sendSynAckFromConnection(conn: Connection, retransmission: boolean): void {
  sendOwnSyn(conn, SYN | ACK, retransmission, conn.tsOk ? conn.tsRecent : 0);
}

// ---------------------------------------------------------------------------------------------
// Task 3 — the passive side: a SYN reaches a listener that admits it (the queues lab decides
// whether it does), the request sock answers with a SYN-ACK, and the final ACK is checked.
// ---------------------------------------------------------------------------------------------

export function newRequest(host: HostContext, listener: Listener, seg: TcpSegment): RequestSock {
  const peer = readSynOptions(seg);
  const wscaleOk = peer.wscale !== null && host.sysctl.get('net.ipv4.tcp_window_scaling') !== 0;
  const tsOk = peer.ts !== null && host.sysctl.get('net.ipv4.tcp_timestamps') !== 0;
  // tcp_openreq_init_rwin: the SYN-ACK's window and scale from the listener's receive buffer, for
  // segments of our MSS less the timestamp option if it is on.
  const advMss = advMssFor(listener.opts);
  const win = selectInitialWindow(host, listener.opts, advMss - (tsOk ? 12 : 0), wscaleOk);
  const req: RequestSock = {
    rcvWnd: win.wnd,
    rcvWscale: win.wscale,
    advMss,
    key: '',
    listener,
    localAddr: seg.dstAddr,
    localPort: seg.dstPort,
    remoteAddr: seg.srcAddr,
    remotePort: seg.srcPort,
    iss: 0,
    irs: 0,
    // tcp_parse_options: the listener's TCP_MAXSEG caps the MSS we will send with.
    mss: listener.opts.userMss && listener.opts.userMss < peer.mss ? listener.opts.userMss : peer.mss,
    wscaleOk,
    sndWscale: wscaleOk ? peer.wscale! : 0,
    sackOk: peer.sackOk && host.sysctl.get('net.ipv4.tcp_sack') !== 0,
    tsOk,
    tsRecent: tsOk ? peer.ts!.val : 0,
    tsOffset: tsOk ? tsOffsetFor(host, seg.dstAddr, seg.srcAddr) : 0,
    peerWindow: seg.window,
    numTimeout: 0,
    acked: false,
    timer: null,
    createdAt: host.sched.now,
    synAckSentAt: host.sched.now,
  };
  // #region lab handshake/3 Remember the peer's ISN and choose ours
  req.irs = seg.seq;
  req.iss = chooseIss(host, seg.dstAddr, seg.dstPort, seg.srcAddr, seg.srcPort);
  // #endregion
  return req;
}

/** tcp_synack_window: the window a SYN-ACK carries, never scaled (RFC 7323 §2.2), so at most 65535. */
export function synAckWindow(req: RequestSock): number {
  return Math.min(req.rcvWnd, 65535);
}

/** The SYN-ACK a request sock sends (and resends): our ISS, acknowledging the peer's SYN. */
export function synAckFor(host: HostContext, req: RequestSock): TcpSegment {
  // #region lab handshake/3 Build the SYN-ACK
  return {
    srcAddr: req.localAddr,
    dstAddr: req.remoteAddr,
    srcPort: req.localPort,
    dstPort: req.remotePort,
    seq: req.iss,
    ack: seqAdd(req.irs, 1), // the SYN consumed one sequence number
    flags: SYN | ACK,
    window: synAckWindow(req),
    urgent: 0,
    options: synOptions({
      mss: req.advMss,
      sack: req.sackOk,
      ts: req.tsOk ? { val: tsClock(host, req.tsOffset), ecr: req.tsRecent } : null,
      wscale: req.wscaleOk ? req.rcvWscale : null,
    }),
    payload: new Uint8Array(0),
  };
  // #endregion
}

/** What a segment for a request sock (SYN_RECV) means (Linux tcp_check_req). */
export type RequestVerdict =
  | 'establish' // a valid final ACK: create the connection
  | 'resend-synack' // the SYN again: our SYN-ACK was lost
  | 'reset' // ACK of something we never sent: the listener answers with RST
  | 'ack' // out of window: remind the peer where we are
  | 'embryonic-reset' // RST (or an in-window SYN): drop the request
  | 'drop';

export function checkRequestSegment(req: RequestSock, seg: TcpSegment): RequestVerdict {
  // #region lab handshake/3 Check a segment that arrives for a request in SYN_RECV
  const rcvNxt = seqAdd(req.irs, 1);
  // tcp_check_req compares only RST, SYN and ACK: a retransmitted ECN-setup SYN (SYN|ECE|CWR) counts.
  if (seg.seq === req.irs && (seg.flags & (SYN | ACK | RST)) === SYN) return 'resend-synack';
  if (hasFlag(seg, ACK) && seg.ack !== seqAdd(req.iss, 1)) return 'reset';
  // tcp_in_window over [SEG.SEQ, SEG.SEQ + SEG.LEN) against the window our SYN-ACK offered.
  const end = seqAdd(seg.seq, segmentLength(seg));
  if (!tcpInWindow(seg.seq, end, rcvNxt, seqAdd(rcvNxt, synAckWindow(req)))) {
    return hasFlag(seg, RST) ? 'drop' : 'ack';
  }
  if (hasFlag(seg, RST | SYN)) return 'embryonic-reset';
  if (!hasFlag(seg, ACK)) return 'drop';
  return 'establish';
  // #endregion
}

/** Turns a request sock into an ESTABLISHED connection (tcp_create_openreq_child). */
export function establishFromRequest(conn: Connection, req: RequestSock, seg: TcpSegment): void {
  // The child starts in SYN_RECV with our SYN unacknowledged; the final ACK then takes it to
  // ESTABLISHED through the ordinary segment-arrival steps (tcp_child_process).
  conn.iss = req.iss;
  conn.irs = req.irs;
  conn.sndUna = req.iss;
  conn.sndNxt = seqAdd(req.iss, 1);
  conn.sndMax = conn.sndNxt;
  conn.sendQueueSeq = conn.sndNxt;
  conn.rcvNxt = seqAdd(req.irs, 1);
  conn.rcvWscale = req.wscaleOk ? req.rcvWscale : 0;
  conn.advMss = req.advMss;
  // The child inherits the listener's SO_RCVBUF lock, and with it the window clamp.
  conn.rcvWndClamp = conn.opts.rcvBufLocked ? req.rcvWnd : 0;
  conn.wscaleOk = req.wscaleOk;
  conn.sndWscale = req.sndWscale;
  conn.sackOk = req.sackOk;
  conn.tsOk = req.tsOk;
  conn.tsRecent = req.tsRecent;
  conn.tsRecentStamp = conn.now; // tcp_create_openreq_child stamps it as the child is made
  conn.tsOffset = req.tsOffset;
  conn.mss = Math.min(req.mss, ADV_MSS) - (req.tsOk ? 12 : 0);
  conn.rcvWup = seqAdd(conn.rcvNxt, synAckWindow(req));
  // tcp_init_buffer_space (run when the child is established; nothing it sets is read before).
  if (conn.opts.rcvBufLocked) initReceiveSpace(conn, req.rcvWnd);
  conn.sndWnd = seg.window << conn.sndWscale;
  conn.maxSndWnd = conn.sndWnd;
  conn.sndWl1 = seg.seq;
  conn.sndWl2 = seg.ack;
  conn.rto = TIMEOUT_INIT;
  handshakeRtt(conn, seg, req.synAckSentAt, req.numTimeout > 0);
}

// ---------------------------------------------------------------------------------------------
// Task 4 — retransmitting the handshake. Linux: SYN RTOs 1,1,1,1,1,2,4,... (tcp_syn_linear_timeouts
// = 4 keeps the first timeouts at 1 s), SYN-ACKs at 0,1,3,7,15,31 s (doubling from 1 s).
// ---------------------------------------------------------------------------------------------

/** The RTO after the n-th SYN timeout (n = conn.retransmits, already counted). */
export function nextSynRto(conn: Connection): number {
  // #region lab handshake/4 SYN retransmission backoff
  const linear = conn.host.sysctl.get('net.ipv4.tcp_syn_linear_timeouts');
  if (conn.retransmits > linear) return Math.min(conn.rto * 2, rtoMax(conn.host));
  return conn.rto;
  // #endregion
}

/**
 * Has connect() run out of time (tcp_write_timeout for SYN-SENT)? After tcp_syn_retries +
 * tcp_syn_linear_timeouts retransmissions, or the model time of tcp_syn_retries doublings from
 * 1 s, or TCP_USER_TIMEOUT — whichever comes first. Default: fails at 131 s.
 */
export function synSentExpired(conn: Connection): boolean {
  // #region lab handshake/4 When connect() gives up
  const host = conn.host;
  const retries = conn.opts.synCnt || host.sysctl.get('net.ipv4.tcp_syn_retries');
  const linear = conn.state === 'SYN_SENT' ? host.sysctl.get('net.ipv4.tcp_syn_linear_timeouts') : 0;
  if (conn.retransmits >= retries + linear) return true;
  if (conn.retransmits === 0) return false;
  const timeout = conn.opts.userTimeout || modelTimeout(retries, TIMEOUT_INIT, rtoMax(host));
  return conn.now - conn.retransStamp >= timeout;
  // #endregion
}

/** Delay before a request sock's next SYN-ACK: 1 s doubling per retransmission (reqsk_timer_handler). */
export function synAckTimeout(host: HostContext, req: RequestSock): number {
  // #region lab handshake/4 SYN-ACK retransmission backoff
  return Math.min(TIMEOUT_INIT * 2 ** req.numTimeout, rtoMax(host));
  // #endregion
}
