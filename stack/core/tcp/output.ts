/**
 * Building segments and putting them on the wire: option layouts as Linux writes them,
 * the advertised window, ACK scheduling (delayed ACK), and the RST rules of RFC 9293 §3.5.2.
 */
import { ACK, FIN, NO_PAYLOAD, RST, SYN, type TcpOption, type TcpSegment } from '../wire/segment.ts';
import { ADV_MSS, RCV_BUF, type Connection, type HostContext, type SocketOptions, IP_PMTUDISC_DO, IP_PMTUDISC_WANT } from './connection.ts';
import { cancelTimer, setTimer, timerDue, timerPending } from './lifecycle.ts';
import { seqLt } from '../seq.ts';
import { dsackSet } from './sack-blocks.ts';
import { siphashU32 } from './siphash.ts';
import { INT_MAX } from './sysctl.ts';
import { selectWindow, truesizeModel } from './receive-window.ts';

/**
 * TCP_DELACK_MIN / TCP_ATO_MIN: the delayed-ACK timeout (icsk_ack.ato) when data starts, and
 * again when quickack mode ends. It then follows the gaps between arriving segments
 * (input.ts, tcp_event_data_recv) and doubles each time the timer fires outside ping-pong mode
 * (KERNEL.md finding 23).
 */
export const DELACK_MS = 40;
/** TCP_DELACK_MAX: the longest an ACK waits in ping-pong mode or for a segment that ended a write. */
export const DELACK_MAX_MS = 200;
/** HZ / 2: the longest an ACK waits otherwise. */
const DELACK_MAX_BULK_MS = 500;

/**
 * tcp_send_delayed_ack: how long this ACK may wait. Above TCP_DELACK_MIN, ato is bounded by
 * TCP_DELACK_MAX in ping-pong mode or when a segment that ended a write waits (ICSK_ACK_PUSHED),
 * by HZ/2 otherwise, and by the smoothed RTT (never below TCP_DELACK_MIN): waiting longer than a
 * round trip would stall the sender.
 */
export function delayedAckTimeout(conn: Connection): number {
  const ato = conn.ato;
  if (ato <= DELACK_MS) return ato;
  let max = conn.pingpong || (conn.ackPushed & 1) !== 0 ? DELACK_MAX_MS : DELACK_MAX_BULK_MS;
  if (conn.srtt > 0) max = Math.min(max, Math.max(conn.srtt, DELACK_MS));
  return Math.min(ato, max);
}

/** The TSval clock: milliseconds on the host's clock plus the connection's random offset (RFC 7323 §5.4). */
export function tsClock(host: HostContext, offset: number): number {
  return tsClockAt(host, offset, host.sched.now);
}

/** The TS val a segment sent at virtual time `t` carried. */
export function tsClockAt(host: HostContext, offset: number, t: number): number {
  return (Math.floor(t + host.secrets.clockOffsetMs) + offset) >>> 0;
}

/**
 * Options of a SYN or SYN-ACK in Linux's layout (tcp_options_write):
 * `mss, sackOK, TS, nop, wscale` with timestamps; `mss, nop, nop, sackOK, nop, wscale` without.
 */
export function synOptions(p: { mss: number; sack: boolean; ts: { val: number; ecr: number } | null; wscale: number | null }): TcpOption[] {
  const o: TcpOption[] = [{ kind: 'mss', value: p.mss }];
  if (p.ts) {
    if (p.sack) o.push({ kind: 'sackOK' });
    else o.push({ kind: 'nop' }, { kind: 'nop' });
    o.push({ kind: 'ts', val: p.ts.val, ecr: p.ts.ecr });
  } else if (p.sack) {
    o.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' });
  }
  if (p.wscale !== null) o.push({ kind: 'nop' }, { kind: 'wscale', shift: p.wscale });
  return o;
}

/**
 * tcp_select_initial_window, for a socket with options `opts` expecting segments of `mss` bytes:
 * the window a SYN or SYN-ACK offers (before the 65535 cap of an unscaled window), the window
 * scale, and the clamp later windows keep to. The space is half the receive buffer
 * (tcp_full_space: tcp_win_from_space with the default scaling_ratio of 1/2), rounded down to a
 * multiple of the MSS when larger than one: 65536 gives 64240 = 44 × 1460, or 65160 = 45 × 1448
 * with timestamps. When SO_RCVBUF fixed the buffer (SOCK_RCVBUF_LOCK), window_clamp is that space,
 * and the scale is chosen for it rather than for tcp_rmem[2] / rmem_max: a 20000-byte buffer gives
 * win 8760 (or 8688 with timestamps) and wscale 0 (KERNEL.md finding 20). The stack takes the
 * default buffer as RCV_BUF (tcp_rmem[1]'s default), whatever the sysctl says.
 */
export function selectInitialWindow(host: HostContext, opts: SocketOptions, mss: number, wscaleOk: boolean): { wnd: number; wscale: number; clamp: number } {
  const fullSpace = (opts.rcvBufLocked ? opts.rcvBuf : RCV_BUF) >>> 1;
  const clamp = opts.rcvBufLocked ? fullSpace : 0;
  let wnd = fullSpace;
  if (wnd > mss) wnd = Math.floor(wnd / mss) * mss;
  let wscale = 0;
  if (wscaleOk) {
    let space = Math.max(wnd, host.sysctl.getVector('net.ipv4.tcp_rmem')[2], host.sysctl.get('net.core.rmem_max'));
    if (clamp) space = Math.min(space, clamp);
    // ilog2 of a positive int: 31 − leading zero bits; at most TCP_MAX_WSCALE (14).
    wscale = Math.min(14, Math.max(0, 31 - Math.clz32(space) - 15));
  }
  return { wnd, wscale, clamp: clamp ? wnd : 0 };
}

/** The default initial window (no SO_RCVBUF) for segments of `advMss` bytes, less 12 with timestamps. */
export function initialWindow(tsOk: boolean, advMss = ADV_MSS): number {
  const mss = tsOk ? advMss - 12 : advMss;
  return Math.floor((RCV_BUF >>> 1) / mss) * mss;
}

/** The most this connection ever offers: its clamp if SO_RCVBUF set one, else the default initial window. */
export function maxWindow(conn: Connection): number {
  if (truesizeModel(conn)) return conn.windowClamp;
  return conn.rcvWndClamp || initialWindow(conn.tsOk, conn.advMss);
}

function receiveBuffered(conn: Connection): number {
  return conn.recvQueue.length + conn.ooo.reduce((n, s) => n + s.data.length, 0);
}

function receiveSpace(conn: Connection): number {
  return conn.opts.rcvBufLocked ? conn.opts.rcvBuf >>> 1 : RCV_BUF;
}

/** tcp_try_rmem_schedule would fail: what waits to be read already fills the receive space. */
export function receiveBufferFull(conn: Connection): boolean {
  // With SO_RCVBUF: tcp_can_ingest, the truesize queued above sk_rcvbuf.
  if (truesizeModel(conn)) return conn.rmemAlloc > conn.opts.rcvBuf;
  return receiveBuffered(conn) >= receiveSpace(conn);
}

/**
 * Free receive space we can offer, never shrinking an edge already advertised (RFC 7323 §2.4).
 * A connection established with SO_RCVBUF set follows Linux's truesize accounting
 * (receive-window.ts). Otherwise the space is the default buffer, or half of an SO_RCVBUF set
 * later, less the payload waiting in it: without SO_RCVBUF Linux offers a little less after data
 * and then more as rcv_ssthresh grows (KERNEL.md finding 63, not modelled).
 */
export function receiveWindow(conn: Connection): number {
  if (truesizeModel(conn)) return Math.max(selectWindow(conn), promisedWindow(conn));
  const buffered = receiveBuffered(conn);
  const space = receiveSpace(conn);
  let wnd = Math.min(space - buffered, maxWindow(conn));
  const promised = (conn.rcvWup - conn.rcvNxt) | 0;
  if (wnd < promised) wnd = promised;
  if (wnd < 0) wnd = 0;
  return wnd;
}

/** What is left of the window last advertised (tcp_receive_window), rounded up to the scale unit. */
function promisedWindow(conn: Connection): number {
  const left = (conn.rcvWup - conn.rcvNxt) | 0;
  if (left <= 0) return 0;
  const unit = 2 ** conn.rcvWscale;
  return Math.ceil(left / unit) * unit;
}

/**
 * tcp_select_window for a connection in the truesize model: zero when the last segment could not
 * be charged (ICSK_ACK_NOMEM, which also pulls the right edge back to RCV.NXT), otherwise
 * __tcp_select_window's choice but never less than what is left of the window offered; the
 * choice becomes tp->rcv_wnd, which the next choice keeps while it fits.
 */
function offerWindow(conn: Connection): number {
  if (conn.ackNoMem) {
    conn.ackNoMem = false;
    conn.rcvWnd = 0;
    conn.rcvWup = conn.rcvNxt;
    return 0;
  }
  const wnd = receiveWindow(conn);
  conn.rcvWnd = wnd;
  return wnd;
}

/**
 * After the application has read: if the window we can offer is now at least twice what is left
 * of the one we advertised, announce it at once (Linux tcp_cleanup_rbuf). Otherwise a peer that
 * saw a zero window would learn of the space only from its next window probe.
 */
/**
 * tcp_cleanup_rbuf, after the application read `copied` bytes. If that read emptied the receive
 * queue of a segment that ended a write (ackPushed) and its ACK is still delayed, ACK now unless
 * the connection is interactive (ping-pong: the reply will carry the ACK) — the sender may be
 * waiting for it. Otherwise, if the read reopened a (nearly) closed window, say so.
 */
export function ackAfterRead(conn: Connection, copied: number): void {
  if (conn.closed || conn.state === 'SYN_SENT') return;
  const pushed = (conn.ackPushed & 2) !== 0 || ((conn.ackPushed & 1) !== 0 && !conn.pingpong);
  if (conn.ackPending && copied > 0 && pushed && conn.recvQueue.length === 0) {
    sendAck(conn);
    return;
  }
  if (conn.rcvFin) return;
  const left = Math.max(0, (conn.rcvWup - conn.rcvNxt) | 0);
  if (2 * left > maxWindow(conn)) return;
  const wnd = receiveWindow(conn);
  if (wnd > 0 && wnd >= 2 * left) sendAck(conn);
}

function establishedOptions(conn: Connection): TcpOption[] {
  const o: TcpOption[] = [];
  if (conn.tsOk) o.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: tsClock(conn.host, conn.tsOffset), ecr: conn.tsRecent });
  // tcp_options_write: a pending D-SACK block goes first and only once; the SACK blocks follow,
  // as many as fit (4, or 3 beside timestamps).
  if (conn.sackOk && (conn.dsackPending || conn.selectiveAcks.length)) {
    const room = conn.tsOk ? 3 : 4;
    const blocks: Array<[number, number]> = [];
    if (conn.dsackPending) {
      blocks.push([conn.dsackBlock[0], conn.dsackBlock[1]]);
      conn.dsackPending = false;
    }
    for (const b of conn.selectiveAcks) {
      if (blocks.length === room) break;
      blocks.push([b[0], b[1]]);
    }
    o.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks });
  }
  return o;
}

/** Sends one segment of this connection. ACK segments carry RCV.NXT and our window. */
export function sendSegment(
  conn: Connection,
  flags: number,
  seq: number,
  payload: Uint8Array = NO_PAYLOAD,
  retransmission = false,
  synOpts?: TcpOption[],
): TcpSegment {
  const host = conn.host;
  const isSyn = (flags & SYN) !== 0;
  // RFC 7323 §2.2: a SYN's window is never scaled; later windows go out in units of 2^wscale.
  // Linux rounds the free space up to a whole unit (__tcp_select_window: ALIGN), so the window
  // is never "scaled away": 64240 bytes with wscale 7 go out as 502, not 501.
  const window = isSyn
    ? Math.min(receiveWindow(conn), 65535)
    : Math.ceil((truesizeModel(conn) ? offerWindow(conn) : receiveWindow(conn)) / 2 ** conn.rcvWscale);
  const seg: TcpSegment = {
    srcAddr: conn.localAddr,
    dstAddr: conn.remoteAddr,
    srcPort: conn.localPort,
    dstPort: conn.remotePort,
    seq: seq >>> 0,
    ack: flags & ACK ? conn.rcvNxt : 0,
    flags,
    // RFC 7323 §2.2: the window in a SYN or SYN-ACK is never scaled.
    window: Math.min(window, 65535),
    urgent: 0,
    options: isSyn ? (synOpts ?? []) : establishedOptions(conn),
    payload,
  };
  // IP_TOS and IP_MTU_DISCOVER (ip_queue_xmit: inet->tos; DF unless ip_dont_fragment says no,
  // which is for IP_PMTUDISC_WANT and _DO only). Set only when not the default, so the common
  // segment keeps one shape.
  const o = conn.opts;
  if (o.ipTos !== 0) seg.tos = o.ipTos;
  if (o.pmtuDisc !== IP_PMTUDISC_WANT && o.pmtuDisc !== IP_PMTUDISC_DO) seg.df = false;
  // tcp_event_data_sent: data sent within ato of the last data received is a reply, and
  // tcp_pingpong_thresh replies make the connection interactive (ping-pong): its ACKs then wait
  // for the next reply to carry them instead of going out on their own.
  // It also stamps lsndtime, from which slow start after idle measures idleness.
  if (payload.length > 0) conn.lastDataSentAt = host.sched.now;
  if (payload.length > 0 && conn.ato > 0 && conn.lastDataAt >= 0 && conn.now - conn.lastDataAt < conn.ato) {
    conn.pingpongCount = Math.min(conn.pingpongCount + 1, 255);
    if (conn.pingpongCount >= host.sysctl.get('net.ipv4.tcp_pingpong_thresh')) conn.pingpong = true;
  }
  if (flags & ACK) {
    // tcp_dec_quickack_mode: each segment that carries a pending ACK uses up one quick ACK;
    // leaving quickack mode deflates ato to TCP_ATO_MIN.
    if (conn.ackPending && conn.quickAcks > 0 && --conn.quickAcks === 0) conn.ato = DELACK_MS;
    // Whatever ACK we send covers the pending one (RFC 9293 §3.10.7.4: piggyback).
    conn.ackPending = false;
    conn.ackPushed = 0;
    conn.unackedSegs = 0;
    cancelTimer(conn, 'delayed-ack');
    // tcp_event_ack_sent: this ACK covers those SACK compression held back (sack-compress.ts).
    if (conn.compressedAck > 0) {
      host.mib.inc('TCPAckCompressed', conn.compressedAck);
      conn.compressedAck = 0;
      cancelTimer(conn, 'compressed-ack');
    }
    // The right edge we have now promised; never shrunk afterwards.
    const edge = (conn.rcvNxt + (seg.window << (isSyn ? 0 : conn.rcvWscale))) >>> 0;
    if (((edge - conn.rcvWup) | 0) > 0) conn.rcvWup = edge;
  }
  conn.lastSendAt = host.sched.now;
  if (retransmission) host.mib.inc('TcpRetransSegs');
  host.output(seg);
  return seg;
}

/** A bare ACK, now. */
export function sendAck(conn: Connection): void {
  sendSegment(conn, ACK, conn.sndNxt);
}

/**
 * An ACK for received data or FIN: immediately in quickack mode or once two full segments wait
 * unacknowledged (RFC 9293 §3.8.6.3 / RFC 1122 "every second full-sized segment"), otherwise
 * after the delayed-ACK timer (Linux __tcp_ack_snd_check).
 */
export function scheduleAck(conn: Connection, now = false): void {
  conn.ackPending = true;
  // __tcp_ack_snd_check: more than one full segment unacknowledged, and (with SO_RCVBUF's window
  // model) the window would not shrink — asked first, as Linux does, since __tcp_select_window
  // ends quickack mode when the buffer is more than half full (the ACK of 50000 bytes that
  // overfill a 20000-byte buffer waits for the delayed-ACK timer, measured).
  let full = conn.unackedSegs >= 2;
  if (full && truesizeModel(conn)) full = selectWindow(conn) >= conn.rcvWnd;
  const quick = conn.quickAcks > 0 && !conn.pingpong;
  if (now || quick || full || conn.ackNoMem) {
    sendAck(conn);
    return;
  }
  const timeout = delayedAckTimeout(conn);
  const due = timerDue(conn, 'delayed-ack');
  if (due !== null) {
    // tcp_send_delayed_ack with the timer already running: if it is due within a quarter of the
    // new timeout, ACK now; otherwise keep the earlier of the two deadlines (measured on 6.18: a
    // second small segment 35 ms into a 40 ms wait is ACKed at once, one 20 ms in waits for the
    // first deadline; KERNEL.md finding 48).
    if (due <= conn.now + timeout / 4) sendAck(conn);
    else if (conn.now + timeout < due) armDelayedAck(conn, timeout);
    return;
  }
  // tcp_send_delayed_ack waits icsk_ack.ato, which stays 0 until the first data arrives
  // (tcp_event_data_recv): a FIN on a connection that never carried data is ACKed at once
  // (measured on 6.18 within a jiffy), not 40 ms later.
  armDelayedAck(conn, timeout);
}

function armDelayedAck(conn: Connection, timeout: number): void {
  setTimer(conn, 'delayed-ack', timeout, onDelayedAckTimer);
}

/**
 * tcp_delack_timer_handler: the ACK had to go out on its own. Outside ping-pong mode the timeout
 * was too short for the sender's pace: double ato (at most the RTO). In ping-pong mode no reply
 * came to carry it, so the exchange is not interactive after all: leave ping-pong mode and start
 * again from TCP_ATO_MIN.
 */
function onDelayedAckTimer(c: Connection): void {
  if (!c.ackPending) return;
  if (!c.pingpong) c.ato = Math.min(c.ato * 2, c.rto);
  else c.ato = DELACK_MS;
  c.pingpong = false;
  c.pingpongCount = 0;
  c.host.mib.inc('DelayedACKs');
  sendAck(c);
}

/**
 * tcp_oow_rate_limited: at most one ACK per tcp_invalid_ratelimit ms in reply to out-of-window
 * segments that occupy no sequence space (or carry SYN), so two confused hosts cannot ACK each
 * other forever. Data and FINs (SEG.SEQ ≠ end_seq) are always answered.
 */
export function oowRateLimited(conn: Connection, seg: TcpSegment | null): boolean {
  if (seg && (seg.payload.length > 0 || seg.flags & FIN) && !(seg.flags & SYN)) return false;
  const limit = conn.host.sysctl.get('net.ipv4.tcp_invalid_ratelimit');
  const now = conn.now;
  if (now - conn.lastOowAckAt < limit) return true;
  conn.lastOowAckAt = now;
  return false;
}

/** Reply to an unacceptable segment (RFC 9293 §3.10.7.4 step 1): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
export function sendDupAck(conn: Connection, seg: TcpSegment): void {
  if (oowRateLimited(conn, seg)) {
    conn.host.mib.inc('TCPACKSkippedSeq');
    return;
  }
  // tcp_send_dupack: data (or a FIN) starting below RCV.NXT was received before: D-SACK the part
  // below RCV.NXT (RFC 2883 §4.1.1).
  const end = (seg.seq + seg.payload.length + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0)) >>> 0;
  if (end !== seg.seq && seqLt(seg.seq, conn.rcvNxt)) dsackSet(conn, seg.seq, seqLt(end, conn.rcvNxt) ? end : conn.rcvNxt);
  sendAck(conn);
}

/** RFC 5961 challenge ACK, rate-limited per socket, then host-wide (tcp_send_challenge_ack). */
export function sendChallengeAck(conn: Connection): void {
  const host = conn.host;
  if (oowRateLimited(conn, null)) {
    host.mib.inc('TCPACKSkippedChallenge');
    return;
  }
  if (!challengeAckBudget(host)) return;
  host.mib.inc('TCPChallengeACK');
  sendAck(conn);
}

/**
 * tcp_challenge_ack_limit: no limit by default (INT_MAX since Linux 6.0). Below that, each second
 * gets a budget drawn at random from [limit/2, 1.5·limit): a fixed count let an off-path attacker
 * count the challenge ACKs he provoked and infer a connection's sequence numbers (CVE-2016-5696).
 * An ACK over budget is neither sent nor counted. The draw uses the host's boot secret, so a seed
 * replays the same budgets.
 */
function challengeAckBudget(host: HostContext): boolean {
  const limit = host.sysctl.get('net.ipv4.tcp_challenge_ack_limit');
  if (limit === INT_MAX) return true;
  const second = Math.floor(host.sched.now / 1000);
  const budget = host.challengeAcks;
  if (budget.second !== second) {
    const half = (limit + 1) >>> 1;
    const span = ((limit + half - 1) >>> 0) - half + 1;
    budget.second = second;
    budget.left = half + (siphashU32(host.secrets.ts, [0x43484c47, second >>> 0]) % span);
  }
  if (budget.left === 0) return false;
  budget.left--;
  return true;
}

/** tcp_send_active_reset: RST|ACK from a connection we abort. */
export function sendActiveReset(conn: Connection): void {
  conn.host.mib.inc('TcpOutRsts');
  sendSegment(conn, RST | ACK, conn.sndNxt);
}

/**
 * The reply to a segment no connection wants (RFC 9293 §3.10.7.1, Linux tcp_v4_send_reset):
 * never to a RST; if it carried an ACK, <SEQ=SEG.ACK><CTL=RST>; otherwise
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 */
export function sendResetFor(host: HostContext, seg: TcpSegment): void {
  if (seg.flags & RST) return;
  const len = seg.payload.length + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0);
  const hasAck = (seg.flags & ACK) !== 0;
  host.mib.inc('TcpOutRsts');
  host.output({
    srcAddr: seg.dstAddr,
    dstAddr: seg.srcAddr,
    srcPort: seg.dstPort,
    dstPort: seg.srcPort,
    seq: hasAck ? seg.ack : 0,
    ack: hasAck ? 0 : (seg.seq + len) >>> 0,
    flags: hasAck ? RST : RST | ACK,
    window: 0,
    urgent: 0,
    options: [],
    payload: NO_PAYLOAD,
  });
}
