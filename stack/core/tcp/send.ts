/**
 * The sending half of a connection (RFC 9293 §3.8.6): segmenting queued data into the peer's
 * window and the congestion window, Nagle and sender silly-window avoidance, the zero-window
 * probe (persist) timer, and the tail loss probe (tcp_send_loss_probe). ACK processing is in
 * ack.ts, the RTO and resending in retransmit.ts, cwnd in congestion.ts, RACK-TLP in rack.ts.
 */
import { ACK, FIN, PSH } from '../wire/segment.ts';
import { seqGt, seqLeq, seqLt, seqMax } from '../seq.ts';
import type { Connection } from './connection.ts';
import { cancelTimer, destroy, setTimer, timerPending } from './lifecycle.ts';
import { sendSegment } from './output.ts';
import { clampProbe0ToUserTimeout, rtoMax } from './rto.ts';
import { armRetransmit, retransmitRange, tcpOrphanRetries } from './retransmit.ts';
import { scheduleLossProbe, xmitTimerPending } from './rack.ts';
import { pipe, recordSent, resendCarriesPsh } from './sack-scoreboard.ts';
import { canSend } from './state-classes.ts';
import { bytesToRecordEnd, noteSkbsSent, pushMarkIn, tsoSegs } from './send-buffer.ts';
import { cwndValidate, enterCwr } from './congestion.ts';
import { CHRONO_RWND_LIMITED, chronoStart, chronoStop } from './chrono.ts';

// Older import sites (socket.ts, stack/testing) take the RTO timer from here.
export { armRetransmit } from './retransmit.ts';

/**
 * The segment size for sending now (tcp_current_mss → tcp_bound_to_half_wnd): against a peer whose
 * largest window is small, segments are at most half that window (the whole window if it is
 * 536 bytes or less), so two can be in flight — window 1500 and MSS 1000 give 750-byte segments.
 */
export function sendMss(conn: Connection): number {
  const max = conn.maxSndWnd;
  const cutoff = max > 536 ? max >> 1 : max;
  if (cutoff > 0 && conn.mss > cutoff) return Math.max(cutoff, 68 - 20 - (conn.tsOk ? 12 : 0));
  return conn.mss;
}

/**
 * The nonagle a push runs with (tcp_push, __tcp_push_pending_frames): the socket's own (TCP_NODELAY,
 * TCP_CORK), TCP_NAGLE_CORK for the push that ends a sendmsg() with MSG_MORE whatever the socket
 * says, or TCP_NAGLE_PUSH (no Nagle, no cork) for the push before a writer sleeps on a full buffer.
 */
export type NagleMode = 0 | 1 | 2;
export const NAGLE_SOCKET = 0;
export const NAGLE_CORK = 1;
export const NAGLE_PUSH = 2;

/** pushData with TCP_NAGLE_CORK: the push at the end of a write with MSG_MORE. */
export function pushDataMore(conn: Connection): void {
  pushData(conn, NAGLE_CORK);
}

/**
 * Sends whatever the window, the congestion window and Nagle's rule allow, then the FIN if the
 * application has closed and every byte before it has gone out; then schedules a tail loss probe.
 */
export function pushData(conn: Connection, nagle: NagleMode = NAGLE_SOCKET): void {
  const sent = transmit(conn, false, nagle);
  if (sent === 0) return;
  // prr_out: what left during recovery, against which PRR weighs the deliveries.
  if (conn.caState === 'recovery' || conn.caState === 'cwr') conn.prrOut += sent;
  afterNewData(conn);
}

/**
 * tcp_write_xmit. `probe` is its push_one = 2 mode for a loss probe: one new segment at most,
 * past the congestion window and without Nagle. Returns the segments sent.
 *
 * New data leaves in packets as Linux hands them to a TSO device: each at most tcp_tso_segs
 * segments (about 1 ms at the pacing rate, at least two), never past the congestion window's
 * room or a MSG_EOR record's end. __tcp_transmit_skb puts PSH on every packet of more than one
 * segment, so that the receiver's GRO delivers it at once, and GSO leaves it on the packet's
 * last segment; a one-segment packet carries PSH only where tcp_mark_push marked its buffer (a
 * write's end without MSG_MORE, forced_push: send-buffer.ts). So a 20000-byte write with cwnd 10
 * and RTT 100 ms leaves as five 2-segment packets, each ending with PSH (KERNEL.md findings 16,
 * 44 and 58), a 3100-byte MSG_MORE write as `P. 1:2001` and `. 2001:3001`, and a loss probe of
 * new data without PSH.
 */
function transmit(conn: Connection, probe: boolean, nagle: NagleMode = NAGLE_SOCKET): number {
  if (!canSend(conn.state) || conn.closed) return 0;
  // The device drops whatever it is handed (NET_XMIT_DROP): tcp_write_xmit stops at the first
  // segment and, with nothing in flight, tcp_check_probe_timer starts the probe timer.
  if (conn.host.egressDrops) {
    if (unsentQueued(conn)) {
      enterCwr(conn);
      if (conn.sndUna === conn.sndMax) armPersist(conn);
    }
    return 0;
  }
  const mss = sendMss(conn);
  const maxBefore = conn.sndMax;
  let sent = 0;
  // tcp_snd_wnd_test failed with cwnd room to spare: the peer's window holds the sender back.
  let rwndLimited = false;
  // Each data segment waits here until the next one is decided, so a packet's last one can
  // carry PSH; both leave at the same instant. Go-back-N resends after an RTO are sent as packets
  // of one segment (`. 1001:3001` in the kernel run of upstream fr-4pkt-fack-last-byte).
  // (Plain locals, not an object or a closure per call: this is the hot path of every send.)
  let heldPayload: Uint8Array | null = null;
  let heldFlags = 0;
  let heldSeq = 0;
  let heldRetrans = false;
  // The packet being filled: where it ends and how many segments it has so far (0: none open).
  // A go-back-N resend counts as no packet, so it takes no packet's PSH.
  let packetEnd = 0;
  let packetSegs = 0;
  // tcp_tso_segs for this call: the pacing rate changes only when an ACK comes.
  let segsPerPacket = 0;
  for (;;) {
    if (probe && sent > 0) break;
    const offset = (conn.sndNxt - conn.sendQueueSeq) | 0;
    const avail = conn.sendQueue.length - offset;
    if (avail > 0) {
      const wndEdge = (conn.sndUna + conn.sndWnd) >>> 0;
      // tcp_cwnd_test: cwnd counts segments in the network (the pipe), not bytes past SND.UNA,
      // so a duplicate ACK or a SACK that shrinks the pipe lets a new segment go (RFC 3042
      // limited transmit) and PRR's cwnd in recovery means what it says. A loss probe may go
      // past it (tcp_write_xmit: "force out a loss probe pkt").
      const wndRoom = (wndEdge - conn.sndNxt) | 0;
      const usable = probe ? wndRoom : Math.min(wndRoom, (Math.floor(conn.cwnd) - pipe(conn)) * mss);
      // A buffer closed by MSG_EOR is never merged with the next one: its end ends a segment.
      const toRecordEnd = bytesToRecordEnd(conn, conn.sndNxt);
      const chunk = Math.min(avail, toRecordEnd);
      let len = Math.min(mss, chunk, usable);
      if (len < Math.min(mss, chunk) && wndRoom < Math.min(mss, chunk) && (probe || Math.floor(conn.cwnd) > pipe(conn))) rwndLimited = true;
      if (len <= 0) {
        // Zero window with nothing in flight: probe it, or we would wait forever (RFC 9293 §3.8.6.1).
        if (conn.sndWnd === 0 && conn.sndUna === conn.sndMax) armPersist(conn);
        break;
      }
      // Sender silly-window avoidance (RFC 9293 §3.8.6.2.1), Linux's way (tcp_snd_wnd_test): a
      // transmission starts only if the window has room for a full segment, or for all that is
      // left. Once one has started, its tail may be cut at the window's edge (tcp_mss_split_point).
      // With nothing in flight no ACK would open the window further: the piece leaves from the
      // zero-window probe timer (tcp_write_wakeup), not at once, so a window that opens before the
      // timer fires gets a full segment (upstream tcp-info-rwnd-limited).
      if (sent === 0 && len < Math.min(mss, chunk)) {
        if (conn.sndUna === conn.sndMax) armPersist(conn);
        break;
      }
      const recordEnd = len === toRecordEnd;
      // Nagle judges only the last buffer; one closed by MSG_EOR before it goes (TCP_NAGLE_PUSH).
      if (!probe && len < mss && !(recordEnd && len < avail) && (len === avail || sent > 0) && nagleHolds(conn, nagle, len === avail)) break;
      if (len > avail) len = avail;
      const payload = conn.sendQueue.peek(offset, len);
      const last = offset + len === conn.sendQueue.length;
      const segEnd = (conn.sndNxt + len) >>> 0;
      // The buffer's own PSH (tcp_mark_push: a write's end, forced_push), which stays with it.
      const marked = pushMarkIn(conn, conn.sndNxt, segEnd);
      const withFin = last && conn.finQueued && !conn.finSent;
      const retrans = seqLt(conn.sndNxt, conn.sndMax);
      const newPacket = retrans || packetSegs === 0 || !seqLt(conn.sndNxt, packetEnd);
      if (heldPayload !== null) heldPayload = sendHeld(conn, heldFlags, heldSeq, heldPayload, heldRetrans, newPacket && packetSegs > 1);
      if (retrans) packetSegs = 0;
      else if (newPacket) {
        // tcp_write_xmit: at most tcp_tso_segs segments, and no more than cwnd still has room for
        // (cwnd_quota); tcp_grow_skb lets a packet take bytes from the next buffer, so buffer ends
        // do not cut it (a MSG_EOR end does, above). The window and Nagle end a packet by ending
        // the transmission.
        // A packet that cannot hold a second segment needs no TSO size (a few float operations
        // per small write otherwise).
        if (probe || len >= avail) packetEnd = segEnd;
        else {
          if (segsPerPacket === 0) segsPerPacket = tsoSegs(conn, mss);
          const quota = Math.max(1, Math.floor(conn.cwnd) - pipe(conn));
          packetEnd = (conn.sndNxt + Math.min(segsPerPacket, quota) * mss) >>> 0;
        }
        packetSegs = 1;
      } else packetSegs++;
      heldPayload = payload;
      // A marked buffer keeps its PSH when resent, while a packet's own PSH is decided afresh
      // each time: `. 1:1001` then `P. 1001:2001` after an RTO for two 2000-byte writes
      // (KERNEL.md finding 27).
      const psh = marked || (retrans && resendCarriesPsh(conn, conn.sndNxt, segEnd));
      heldFlags = ACK | (psh ? PSH : 0) | (withFin ? FIN : 0);
      heldSeq = conn.sndNxt;
      heldRetrans = retrans;
      sent++;
      if (len < mss) conn.sndSml = segEnd; // tcp_minshall_update
      noteSent(conn, len + (withFin ? 1 : 0), retrans, marked);
      if (withFin) {
        conn.finSeq = (conn.sndNxt - 1) >>> 0;
        conn.finSent = true;
      }
      continue;
    }
    if (conn.finQueued && !conn.finSent) {
      // The FIN takes a sequence number, so it waits behind a closed window like data
      // (tcp_snd_wnd_test on the FIN's skb); the zero-window probe timer runs meanwhile. Not
      // while our SYN is unacknowledged (a simultaneous open closed in SYN_RECV): the stack learns
      // SND.WND only from the ACK of our SYN there (handshake.ts leaves it 0 for a crossed SYN),
      // and Linux sends that FIN.
      if (conn.sndUna !== conn.iss && seqGt((conn.sndNxt + 1) >>> 0, (conn.sndUna + conn.sndWnd) >>> 0)) {
        if (conn.sndWnd === 0 && conn.sndUna === conn.sndMax) armPersist(conn);
        rwndLimited = true;
        break;
      }
      if (heldPayload !== null) heldPayload = sendHeld(conn, heldFlags, heldSeq, heldPayload, heldRetrans, packetSegs > 1);
      const retrans = seqLt(conn.sndNxt, conn.sndMax);
      sendSegment(conn, FIN | ACK, conn.sndNxt, undefined, retrans);
      sent++;
      conn.finSeq = conn.sndNxt;
      conn.finSent = true;
      noteSent(conn, 1, retrans);
    }
    break;
  }
  // One segment sent alone — RFC 3042 limited transmit, a PRR send, a loss probe — is a packet of
  // one: no PSH unless a write ended there (kernel runs of limited-transmit-*.pkt, finding 30).
  if (heldPayload !== null) sendHeld(conn, heldFlags, heldSeq, heldPayload, heldRetrans, packetSegs > 1);
  if (conn.sndMax !== maxBefore) noteSkbsSent(conn, maxBefore, mss, segsPerPacket);
  if (rwndLimited) chronoStart(conn, CHRONO_RWND_LIMITED);
  else chronoStop(conn, CHRONO_RWND_LIMITED);
  // tcp_write_xmit's end: cwnd-limited if the pipe fills cwnd, remembered for the window.
  const cwndLimited = pipe(conn) >= Math.floor(conn.cwnd);
  if (sent > 0 || cwndLimited) cwndValidate(conn, cwndLimited);
  // tcp_check_probe_timer: data left unsent (corked) with nothing in flight, so no ACK will come
  // to push it: the zero-window probe timer sends it after an RTO (tcp_write_wakeup). This, not a
  // 200 ms cork limit, is what releases a forgotten cork (KERNEL.md finding 41).
  if (!probe && conn.rtx.length === 0 && ((conn.sendQueueSeq + conn.sendQueue.length - conn.sndNxt) | 0) > 0) armPersist(conn);
  return sent;
}

/** Sends a held data segment, with PSH too if it ends a packet of more than one segment. */
function sendHeld(conn: Connection, flags: number, seq: number, payload: Uint8Array, retrans: boolean, endsMultiSegmentPacket: boolean): null {
  sendSegment(conn, flags | (endsMultiSegmentPacket ? PSH : 0), seq, payload, retrans);
  return null;
}

/**
 * tcp_nagle_test for a partial segment (`tail`: it ends the queued data, so a queued FIN rides on
 * it). TCP_NAGLE_PUSH sends it, and so does the FIN on it (close() after a small write sends
 * `FP.` at once, KERNEL.md finding 41); TCP_NAGLE_CORK (TCP_CORK, or this push ends a write with
 * MSG_MORE) holds it; otherwise Nagle in Linux's Minshall form (RFC 896, RFC 9293 §3.7.4,
 * tcp_nagle_check, tcp_minshall_check) holds it only while an earlier small segment is
 * unacknowledged, and TCP_NODELAY never.
 */
function nagleHolds(conn: Connection, nagle: NagleMode, tail: boolean): boolean {
  if (nagle === NAGLE_PUSH || (tail && conn.finQueued && !conn.finSent)) return false;
  if (nagle === NAGLE_CORK || conn.opts.cork) return nagle === NAGLE_CORK || !conn.naglePush;
  return !conn.naglePush && !conn.opts.nodelay && conn.sndSml !== null && seqGt(conn.sndSml, conn.sndUna) && seqLeq(conn.sndSml, conn.sndNxt);
}

function noteSent(conn: Connection, len: number, retrans: boolean, psh = false): void {
  const end = (conn.sndNxt + len) >>> 0;
  recordSent(conn, conn.sndNxt, end, retrans, psh);
  conn.sndNxt = end;
  conn.sndMax = seqMax(conn.sndMax, end);
}

/**
 * After tcp_write_xmit sent something: a tail loss probe replaces the RTO timer when RACK-TLP
 * applies (tcp_schedule_loss_probe, never later than the RTO measured from the oldest segment).
 */
function afterNewData(conn: Connection): void {
  // One timer slot in Linux (icsk_pending): the RTO or loss probe replaces the probe timer.
  if (timerPending(conn, 'persist')) cancelTimer(conn, 'persist');
  const head = conn.rtx.length ? conn.rtx[0].xmitAt : conn.now;
  if (scheduleLossProbe(conn, head + conn.rto, sendLossProbe)) return;
  // RFC 6298 §5.1: start the timer when sending data if it is not running.
  if (!xmitTimerPending(conn)) armRetransmit(conn);
}

/**
 * tcp_send_loss_probe: new data if the window allows, else the last segment again; either way
 * one segment, remembered in tlpHighSeq so that its ACK can tell whether it repaired a loss.
 * Then the RTO, in full from now (a probe is not a timeout: no backoff).
 */
export function sendLossProbe(conn: Connection): void {
  if (!canSend(conn.state) || conn.rtx.length === 0) return;
  if (conn.tlpHighSeq === null) {
    let probed = transmit(conn, true) > 0;
    conn.tlpRetrans = false;
    if (!probed) {
      const last = conn.rtx[conn.rtx.length - 1];
      probed = retransmitRange(conn, last.seq, (last.end - last.seq) >>> 0) > 0;
      conn.tlpRetrans = probed;
    }
    if (probed) {
      conn.tlpHighSeq = conn.sndNxt;
      conn.host.mib.inc('TCPLossProbes');
    }
  }
  armRetransmit(conn);
}

/** TCP_RESOURCE_PROBE_INTERVAL: the next try after the local device dropped a probe. */
const RESOURCE_PROBE_INTERVAL_MS = 500;

/** Written data or a FIN not yet sent (tcp_write_queue_empty is false, tcp_send_head is set). */
function unsentQueued(conn: Connection): boolean {
  return conn.sendQueue.length > ((conn.sndNxt - conn.sendQueueSeq) | 0) || (conn.finQueued && !conn.finSent);
}

/**
 * tcp_check_probe_timer: nothing in flight, something queued that could not go — behind a zero
 * window, or because the device dropped it — so the probe timer (ICSK_TIME_PROBE0) runs.
 */
function armPersist(conn: Connection): void {
  if (timerPending(conn, 'persist') || xmitTimerPending(conn)) return;
  setTimer(conn, 'persist', probe0When(conn), onProbeTimer);
}

/** tcp_probe0_when: the RTO backed off once per unanswered probe, at most TCP_RTO_MAX. */
function probe0When(conn: Connection): number {
  return Math.min(conn.rto * 2 ** conn.backoff, rtoMax(conn.host));
}

/**
 * tcp_probe_timer. RFC 1122 §4.2.2.17 keeps a sender probing a zero window as long as the peer
 * answers (each ACK resets probesOut); unanswered, Linux gives up after tcp_retries2 probes
 * (tcp_orphan_retries for an orphan whose RTO backoff has reached TCP_RTO_MAX) or, with
 * TCP_USER_TIMEOUT, once that long has passed since the timer first ran — without a RST
 * (tcp_write_err).
 */
function onProbeTimer(c: Connection): void {
  if (c.sndUna !== c.sndMax || !unsentQueued(c)) {
    c.probesOut = 0;
    c.probesTstamp = null;
    return;
  }
  if (c.probesTstamp === null) c.probesTstamp = c.now;
  else if (c.opts.userTimeout && c.now - c.probesTstamp >= c.opts.userTimeout) return probeGiveUp(c);
  let maxProbes = c.host.sysctl.get('net.ipv4.tcp_retries2');
  if (c.orphan) {
    const alive = probe0When(c) < rtoMax(c.host);
    maxProbes = tcpOrphanRetries(c, alive);
    if (!alive && c.backoff >= maxProbes) return probeGiveUp(c);
  }
  if (c.probesOut >= maxProbes) return probeGiveUp(c);
  sendProbe0(c);
}

function probeGiveUp(c: Connection): void {
  destroy(c, 'probes unanswered', 'ETIMEDOUT');
}

/**
 * tcp_send_probe0: send what the window allows (tcp_write_wakeup), or a zero-window probe — a
 * segment just left of the window that the peer must ACK. If that left data in flight, probing is
 * over. Otherwise the next probe backs off like the RTO, unless the local device dropped this one:
 * then it is tried again in 500 ms with no backoff ("let senders fight for local resources
 * conservatively"). Either way never past the user timeout (tcp_clamp_probe0_to_user_timeout).
 */
function sendProbe0(c: Connection): void {
  const localDrop = c.host.egressDrops;
  if (c.sndWnd === 0) sendSegment(c, ACK, (c.sndUna - 1) >>> 0);
  else if (!localDrop && !sendWakeup(c)) pushData(c);
  if (c.sndUna !== c.sndMax || !unsentQueued(c)) {
    c.probesOut = 0;
    c.backoff = 0;
    c.probesTstamp = null;
    return;
  }
  c.probesOut++;
  let timeout: number;
  if (!localDrop) {
    if (c.backoff < c.host.sysctl.get('net.ipv4.tcp_retries2')) c.backoff++;
    timeout = probe0When(c);
  } else timeout = RESOURCE_PROBE_INTERVAL_MS;
  setTimer(c, 'persist', clampProbe0ToUserTimeout(c, timeout), onProbeTimer);
}

/**
 * tcp_write_wakeup with the window open and nothing in flight (data held by TCP_CORK or MSG_MORE,
 * or a window too small for the next segment): the head of the unsent data goes, one segment at
 * most, with PSH, whatever Nagle or the cork say; then the RTO runs (tcp_event_new_data_sent),
 * not a loss probe, and the probe count and backoff start again (tcp_send_probe0 seeing packets
 * out). False if there was nothing to send so.
 */
function sendWakeup(conn: Connection): boolean {
  const offset = (conn.sndNxt - conn.sendQueueSeq) | 0;
  const avail = conn.sendQueue.length - offset;
  const wndRoom = (conn.sndUna + conn.sndWnd - conn.sndNxt) | 0;
  if (!canSend(conn.state) || conn.closed || conn.rtx.length > 0 || avail <= 0 || wndRoom <= 0) return false;
  const mss = sendMss(conn);
  const len = Math.min(mss, avail, wndRoom, bytesToRecordEnd(conn, conn.sndNxt));
  const last = len === avail;
  const withFin = last && conn.finQueued && !conn.finSent;
  const maxBefore = conn.sndMax;
  sendSegment(conn, ACK | PSH | (withFin ? FIN : 0), conn.sndNxt, conn.sendQueue.peek(offset, len), false);
  noteSent(conn, len + (withFin ? 1 : 0), false, true);
  if (withFin) {
    conn.finSeq = (conn.sndNxt - 1) >>> 0;
    conn.finSent = true;
  }
  noteSkbsSent(conn, maxBefore, mss);
  conn.probesOut = 0;
  conn.backoff = 0;
  armRetransmit(conn);
  return true;
}

