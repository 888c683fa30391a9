/**
 * The send buffer as Linux 6.18 accounts it (tcp_sendmsg_locked, tcp_stream_alloc_skb,
 * tcp_fragment, tcp_sndbuf_expand, tcp_check_space, sk_stream_write_space). The queue is counted
 * per sk_buff, not per byte: sk_wmem_queued is every buffer's truesize, a fixed overhead plus its
 * bytes. A write may start a new buffer only while sk_wmem_queued < sk_sndbuf, and then fills it up
 * to the size goal whatever the limit, so a write can take far more than the buffer's size
 * (KERNEL.md findings 20 and 25). Only the accounting is modelled here: which bytes leave in which segment
 * is still send.ts's business, so the wire is unchanged.
 *
 * The buffers are kept as their end sequence numbers (`Connection.skbEnds`, oldest first from
 * `skbHead`); they are contiguous from SND.UNA's buffer, so sk_wmem_queued is
 * skbs × SKB_TRUESIZE_EMPTY + the bytes in sendQueue.
 */
import { seqGt, seqLeq } from '../seq.ts';
import type { Connection } from './connection.ts';
import { CHRONO_BUSY, CHRONO_SNDBUF_LIMITED, chronoStart, chronoStop } from './chrono.ts';
import { restartAfterIdle } from './congestion.ts';
import { WAKE_WRITE_SPACE } from './poll-events.ts';

/**
 * truesize of an empty buffer from tcp_stream_alloc_skb (alloc_skb_fclone(MAX_TCP_HEADER) from the
 * small-head cache, plus struct sk_buff and skb_shared_info). Measured with `ss -m` on the 6.18
 * kernel: one 1000-byte write on an idle connection gives w1832; a write of 20000 of which 5 MSS
 * left (one split) gives 3 buffers over their bytes, 3 × 832.
 */
export const SKB_TRUESIZE_EMPTY = 832;
/**
 * MAX_TCP_HEADER + SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on the kernel measured: the
 * per-segment head room tcp_sndbuf_expand assumes (roundup_pow_of_two(MSS + 512): 46080 for
 * MSS 1000 with Reno, 38400 / 130560 for MSS 500 / 3000 under BBR's factor 3).
 */
const SKB_HEAD_ROOM = 512;
/** SKB_DATA_ALIGN(sizeof(struct sk_buff)). */
const SKB_STRUCT = 256;
/** sk_gso_max_size after sk_setup_caps removes MAX_TCP_HEADER + 1 (65536 − 193): 65 × MSS 1000. */
const GSO_MAX_SIZE = 65343;
const TCP_INIT_CWND = 10;

/** sk_wmem_queued: the truesize of every buffer in the write and retransmission queues. */
export function wmemQueued(conn: Connection): number {
  return (conn.skbEnds.length - conn.skbHead) * SKB_TRUESIZE_EMPTY + conn.sendQueue.length;
}

/** sk_sndbuf as it stands: what SO_SNDBUF set, or tcp_wmem[1] grown by tcp_sndbuf_expand. */
export function sndBuf(conn: Connection): number {
  return conn.opts.sndBuf || conn.host.sysctl.getVector('net.ipv4.tcp_wmem')[1];
}

/** tcp_notsent_lowat: TCP_NOTSENT_LOWAT, or net.ipv4.tcp_notsent_lowat when unset (default UINT_MAX). */
export function notsentLowat(conn: Connection): number {
  return conn.opts.notsentLowat || conn.host.sysctl.get('net.ipv4.tcp_notsent_lowat');
}

/** write_seq − snd_nxt: bytes written and not yet sent (a sent FIN does not count). */
export function notsentBytes(conn: Connection): number {
  return Math.max(0, ((conn.sendQueueSeq + conn.sendQueue.length) - conn.sndNxt) | 0);
}

/**
 * __sk_stream_memory_free: below sk_sndbuf, and tcp_stream_memory_free's
 * `(notsent_bytes << wake) < tcp_notsent_lowat`. A write asks with wake 0; poll() and the
 * write-space wake-up ask with wake 1, so a writer woken by them finds room for as many unsent
 * bytes again as are still waiting.
 */
export function streamMemoryFree(conn: Connection, wake: 0 | 1): boolean {
  if (wmemQueued(conn) >= sndBuf(conn)) return false;
  return notsentBytes(conn) * (wake + 1) < notsentLowat(conn);
}

/**
 * __sk_stream_is_writeable(sk, 1), tcp_poll's EPOLLOUT test: the free space is at least half of
 * what is queued (sk_stream_wspace ≥ sk_stream_min_wspace, i.e. sk_wmem_queued ≤ 2/3 of the
 * buffer) and stream memory is free under the notsent limit.
 */
export function streamWriteable(conn: Connection): boolean {
  const queued = wmemQueued(conn);
  return sndBuf(conn) - queued >= queued >> 1 && streamMemoryFree(conn, 1);
}

/** sk_stream_memory_free: a new buffer may be started. */
function memoryFree(conn: Connection): boolean {
  return streamMemoryFree(conn, 0);
}

/**
 * tcp_xmit_size_goal: how large a buffer a write fills — the GSO size bounded to half the largest
 * window the peer offered (tcp_bound_to_half_wnd), in whole segments, at least one.
 */
export function sizeGoal(conn: Connection, mss: number): number {
  const max = conn.maxSndWnd;
  const cutoff = max > 536 ? max >> 1 : max;
  const hdr = 20 + (conn.tsOk ? 12 : 0);
  const bound = cutoff > 0 && GSO_MAX_SIZE > cutoff ? Math.max(cutoff, 68 - hdr) : GSO_MAX_SIZE;
  return Math.max(Math.floor(bound / mss) * mss, mss);
}

/**
 * tcp_tso_segs → tcp_tso_autosize: the segments one transmitted buffer may hold — about 1 ms of
 * the pacing rate (tcp_update_pacing_rate: 200 % of cwnd × MSS per SRTT in slow start, 120 % after),
 * plus GSO_MAX_SIZE >> (min RTT in µs >> tcp_tso_rtt_log) on short paths, never fewer than
 * net.ipv4.tcp_min_tso_segs. A buffer longer than that is split when it is sent (tcp_fragment),
 * and each split costs a new buffer's overhead.
 */
export function tsoSegs(conn: Connection, mss: number): number {
  let bytes = GSO_MAX_SIZE;
  if (conn.srtt > 0) {
    const ratio = conn.cwnd < conn.ssthresh / 2 ? 2 : 1.2;
    const inFlight = conn.rtx.length;
    const rate = (mss * Math.max(Math.floor(conn.cwnd), inFlight) * ratio * 1000) / conn.srtt; // bytes/s
    bytes = rate / 1024; // sk_pacing_shift 10
    // tcp_min_rtt is ~0U until a sample: then nothing is added.
    const r = Number.isFinite(conn.minRtt) ? Math.floor((conn.minRtt * 1000) / 512) : 32; // tcp_tso_rtt_log 9
    if (r < 32) bytes += GSO_MAX_SIZE >>> r;
    bytes = Math.min(bytes, GSO_MAX_SIZE);
  }
  return Math.max(Math.floor(bytes / mss), conn.host.sysctl.get('net.ipv4.tcp_min_tso_segs'));
}

/** The newest buffer was closed by MSG_EOR (tcp_skb_can_collapse_to is false for it). */
function tailIsEor(conn: Connection): boolean {
  const e = conn.eorEnds;
  return e.length > 0 && e[e.length - 1] === conn.skbEnds[conn.skbEnds.length - 1];
}

/**
 * MSG_EOR (tcp_sendmsg_locked, once the whole write is queued): the tail buffer is a record's
 * end — later writes start a new buffer, and segments and resends stop at its end.
 */
export function markEor(conn: Connection): void {
  const n = conn.skbEnds.length;
  if (n <= conn.skbHead || tailIsEor(conn)) return;
  conn.eorEnds.push(conn.skbEnds[n - 1]);
}

/** Bytes from `seq` to the end of the record it lies in (the next MSG_EOR buffer end), or Infinity. */
export function bytesToRecordEnd(conn: Connection, seq: number): number {
  const e = conn.eorEnds;
  for (let i = 0; i < e.length; i++) if (seqGt(e[i], seq)) return (e[i] - seq) >>> 0;
  return Infinity;
}

/** Where the newest buffer starts: the end of the one before it, or SND.UNA's byte if it is the only one. */
function tailBufferStart(conn: Connection): number {
  const n = conn.skbEnds.length;
  return n - 1 > conn.skbHead ? conn.skbEnds[n - 2] : conn.sendQueueSeq;
}

/**
 * tcp_mark_push: the buffer ending at `end` carries PSH (TCP_SKB_CB's flag, kept through splits by
 * the part that ends there), and pushed_seq moves to it.
 */
function markPush(conn: Connection, end: number): void {
  const m = conn.pushMarks;
  if (m.length === 0 || m[m.length - 1] !== end) m.push(end);
  conn.pushedSeq = end;
}

/**
 * forced_push: more than half the largest window the peer offered has been written since the last
 * PSH, so the buffer just filled is marked too — against a small window, every other buffer.
 * pushed_seq starts at ISS + 1 (tcp_connect, tcp_create_openreq_child).
 */
function forcedPush(conn: Connection, writeSeq: number): boolean {
  const pushed = conn.pushedSeq ?? ((conn.iss + 1) >>> 0);
  return seqGt(writeSeq, (pushed + (conn.maxSndWnd >>> 1)) >>> 0);
}

/** Is a PSH mark in (start, end]? A segment ending past one carries its PSH. */
export function pushMarkIn(conn: Connection, start: number, end: number): boolean {
  const m = conn.pushMarks;
  for (let i = m.length - 1; i >= 0; i--) {
    if (!seqGt(m[i], start)) return false;
    if (seqLeq(m[i], end)) return true;
  }
  return false;
}

/**
 * Takes as much of `bytes` (from `from` on) as tcp_sendmsg_locked would (`mss`: tcp_current_mss):
 * into the tail buffer while it is below the size goal, into a new one while the queue is below
 * sk_sndbuf. Each buffer that reaches the size goal is pushed at once (tcp_push_one), so a buffer
 * cut by the window or cwnd leaves a shorter unsent tail that the same write fills again
 * (cutAtSendable); `push` then sends what may leave, once. PSH marks follow tcp_sendmsg_locked:
 * a full buffer while more of the write remains when forced_push says so, the tail at the end of
 * the write unless MSG_MORE (`more`) and forced_push both say no, and the tail whenever the write
 * stops for room (tcp_push without MSG_MORE before sk_stream_wait_memory); the first bytes a write
 * adds to a marked tail take its mark away. Returns the bytes taken; fewer than offered sets
 * SOCK_NOSPACE (sndNoSpace).
 */
export function queueData(conn: Connection, bytes: Uint8Array, from: number, mss: number, more: boolean, push: (conn: Connection) => void, copy: (b: Uint8Array) => Uint8Array): number {
  const goal = sizeGoal(conn, mss);
  let at = from;
  while (at < bytes.length) {
    let room = 0;
    const n = conn.skbEnds.length;
    // The tail buffer can grow only while unsent (tcp_write_queue_tail); sent ones are split off
    // where each transmission ended (noteSkbsSent), so an unsent tail starts at or after SND.MAX.
    const tailStart = tailBufferStart(conn);
    if (n > conn.skbHead && !seqGt(conn.sndMax, tailStart) && !tailIsEor(conn)) room = goal - ((conn.skbEnds[n - 1] - tailStart) | 0);
    if (room > 0) {
      // tcp_sendmsg_locked: `if (!copied) flags &= ~TCPHDR_PSH` on the buffer the write grows.
      const marks = conn.pushMarks;
      if (marks.length > 0 && marks[marks.length - 1] === conn.skbEnds[n - 1]) marks.pop();
    } else {
      if (!memoryFree(conn)) {
        conn.sndNoSpace = true;
        break;
      }
      const end = (conn.sendQueueSeq + conn.sendQueue.length) >>> 0;
      conn.skbEnds.push(end);
      skbEntail(conn, end);
      conn.naglePush = false; // skb_entail: TCP_NAGLE_PUSH lasts until a new buffer starts
      room = goal;
    }
    const take = Math.min(room, bytes.length - at);
    conn.sendQueue.push(copy(bytes.subarray(at, at + take)));
    const end = (conn.sendQueueSeq + conn.sendQueue.length) >>> 0;
    conn.skbEnds[conn.skbEnds.length - 1] = end;
    at += take;
    if (take === room) {
      if (at < bytes.length && forcedPush(conn, end)) markPush(conn, end);
      cutAtSendable(conn, mss);
    }
  }
  const queueEnd = (conn.sendQueueSeq + conn.sendQueue.length) >>> 0;
  if (at === bytes.length ? at > from && (!more || forcedPush(conn, queueEnd)) : at > from || from > 0) markPush(conn, queueEnd);
  if (at > from) push(conn);
  return at - from;
}

/**
 * tcp_skb_entail of a new buffer starting at `start`: the first unsent one starts the busy
 * chronograph (tcp_add_write_queue_tail), and a connection idle for an RTO restarts cwnd
 * (tcp_slow_start_after_idle_check).
 */
function skbEntail(conn: Connection, start: number): void {
  if (!seqGt(conn.sndMax, start)) chronoStart(conn, CHRONO_BUSY);
  restartAfterIdle(conn);
}

/**
 * tcp_push_one of a full buffer at the send head, in its effect on the accounting: the part cwnd
 * and the window let out now becomes a buffer of its own (tcp_fragment), the rest stays the unsent
 * tail. The bytes themselves leave with the write's final push.
 */
function cutAtSendable(conn: Connection, mss: number): void {
  const ends = conn.skbEnds;
  const n = ends.length;
  const start = tailBufferStart(conn);
  // Only the send head goes out (tcp_push_one); one behind unsent data waits.
  if (start !== conn.sndNxt) return;
  const wndRoom = (conn.sndUna + conn.sndWnd - conn.sndNxt) | 0;
  const cwndRoom = (conn.sndUna + Math.floor(conn.cwnd) * mss - conn.sndNxt) | 0;
  const room = Math.floor(Math.min(wndRoom, cwndRoom) / mss) * mss;
  const len = (ends[n - 1] - start) | 0;
  if (room > 0 && room < len) ends.splice(n - 1, 0, (start + room) >>> 0);
}

/**
 * The end of the buffer that holds byte `seq` (the first buffer end past it): a resend never spans
 * two sent buffers, as tcp_retransmit_skb sends one skb or a piece of it. (New data may: see
 * send.ts, tcp_grow_skb.) Unknown bytes (past the queue) answer `seq` itself.
 */
export function bufferEndAfter(conn: Connection, seq: number): number {
  const ends = conn.skbEnds;
  let i = ends.length - 1;
  if (i < conn.skbHead || !seqGt(ends[i], seq)) return seq;
  while (i > conn.skbHead && seqGt(ends[i - 1], seq)) i--;
  return ends[i];
}

/**
 * After a transmission of new data up to SND.MAX: tcp_write_xmit sends each buffer in pieces of at
 * most tcp_tso_segs segments (`segs`, as transmit used them; 0: work them out) and cuts the last
 * one where the window or cwnd stopped it (tcp_fragment), each piece a buffer of its own.
 */
export function noteSkbsSent(conn: Connection, maxBefore: number, mss: number, segs = 0): void {
  const ends = conn.skbEnds;
  const dataEnd = (conn.sendQueueSeq + conn.sendQueue.length) >>> 0;
  const to = seqGt(conn.sndMax, dataEnd) ? dataEnd : conn.sndMax;
  if (!seqGt(to, maxBefore)) return;
  let i = ends.length - 1;
  while (i > conn.skbHead && seqGt(ends[i - 1], maxBefore)) i--;
  if (i < conn.skbHead || !seqGt(ends[i], maxBefore)) return;
  // A piece of one segment or less is never split: the TSO size (a few float operations) is only
  // needed for longer ones.
  let step = 0;
  let p = maxBefore;
  while (i < ends.length && seqGt(to, p)) {
    const end = ends[i];
    if (step === 0 && ((end - p) | 0) > mss) step = (segs || tsoSegs(conn, mss)) * mss;
    let next = (p + (step || mss)) >>> 0;
    if (seqGt(next, to)) next = to;
    if (seqGt(end, next)) {
      ends.splice(i, 0, next);
    } else next = end;
    p = next;
    i++;
  }
}

/** Frees the buffers SND.UNA has passed; a partly acknowledged one only loses its bytes (tcp_trim_head). */
export function freeAckedSkbs(conn: Connection): void {
  dropAckedEnds(conn.pushMarks, conn.sendQueueSeq);
  const ends = conn.skbEnds;
  let h = conn.skbHead;
  while (h < ends.length && seqLeq(ends[h], conn.sendQueueSeq)) h++;
  if (h === ends.length) {
    ends.length = 0;
    h = 0;
  } else if (h > 64 && h * 2 > ends.length) {
    ends.splice(0, h);
    h = 0;
  }
  conn.skbHead = h;
  dropAckedEnds(conn.eorEnds, conn.sendQueueSeq);
}

/**
 * Drops the sequence numbers at or below `una` from the front of an ordered list (PSH marks,
 * record ends). shift, not splice: no array allocated per ACK — the lists are a write or two long.
 */
function dropAckedEnds(ends: number[], una: number): void {
  while (ends.length > 0 && seqLeq(ends[0], una)) ends.shift();
}

/**
 * tcp_sndbuf_expand: at least 2 × max(TCP_INIT_CWND, cwnd, reordering + 1) worst-case buffers of
 * one segment each (factor 2 is Reno's and CUBIC's; BBR asks 3), at most tcp_wmem[2]. Never for a
 * buffer the application sized with SO_SNDBUF (SOCK_SNDBUF_LOCK).
 */
export function expandSndBuf(conn: Connection): void {
  if (conn.opts.sndBufLocked) return;
  const mssClamp = conn.mss + (conn.tsOk ? 12 : 0);
  const perMss = roundUpPow2(mssClamp + SKB_HEAD_ROOM) + SKB_STRUCT;
  const segs = Math.max(TCP_INIT_CWND, Math.floor(conn.cwnd), conn.reordering + 1);
  const want = 2 * segs * perMss;
  if (sndBuf(conn) < want) conn.opts.sndBuf = Math.min(want, conn.host.sysctl.getVector('net.ipv4.tcp_wmem')[2]);
}

/**
 * tcp_check_space after an ACK was processed and whatever it allowed was sent: if a writer (or a
 * poll that found no room) set SOCK_NOSPACE, grow the buffer when cwnd had room (`cwndRoom`:
 * tcp_should_expand_sndbuf's packets in flight below cwnd, as they stood before the ACK's own
 * transmissions), and wake the waiters once the socket is writeable
 * (sk_stream_write_space: streamWriteable, which includes the TCP_NOTSENT_LOWAT limit).
 */
export function checkWriteSpace(conn: Connection, cwndRoom: boolean): void {
  if (!conn.sndNoSpace) return;
  if (cwndRoom) {
    expandSndBuf(conn);
    // tcp_new_space: growing the buffer restarts RFC 2861's application-limited clock.
    if (!conn.opts.sndBufLocked) conn.cwndStamp = conn.now;
  }
  if (streamWriteable(conn)) {
    conn.sndNoSpace = false;
    chronoStop(conn, CHRONO_SNDBUF_LIMITED);
    conn.wake?.(WAKE_WRITE_SPACE);
  }
}

function roundUpPow2(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}
