/**
 * The receive window as Linux computes it when SO_RCVBUF fixed the buffer (SOCK_RCVBUF_LOCK):
 * each queued segment costs its sk_buff's truesize against sk_rcvbuf, the space is turned into a
 * window by tp->scaling_ratio (tcp_win_from_space), and __tcp_select_window keeps the window it
 * offered while that is within an MSS of the free space (KERNEL.md findings 29 and 59–62).
 *
 * Connections without SO_RCVBUF keep the simpler model in output.ts (half the default buffer less
 * the payload waiting): Linux's autotuning (tcp_rcv_space_adjust) is not modelled, and with it the
 * default path's windows would move everywhere the course shows them.
 */
import type { Connection } from './connection.ts';

/** TCP_RMEM_TO_WIN_SCALE: scaling_ratio is a fraction of 256. */
const RMEM_TO_WIN_SCALE = 8;
/** TCP_DEFAULT_SCALING_RATIO: a window of half the buffer until a segment's len/truesize is measured. */
export const DEFAULT_SCALING_RATIO = 1 << (RMEM_TO_WIN_SCALE - 1);
/** tcp_app_win's default: 31, i.e. no part of the buffer is reserved for the application. */
const TCP_APP_WIN = 31;
/** SOCK_MIN_RCVBUF / 2: the smallest window_clamp tcp_set_window_clamp sets. */
const MIN_WINDOW_CLAMP = 2304 >> 1;

// sk_buff sizes on x86-64 (4 KB pages, 64-byte cache lines), as the truesizes measured on 6.18 fit.
/** SKB_DATA_ALIGN(sizeof(struct sk_buff)). */
const SKB_STRUCT = 256;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)). */
const SKB_SHINFO = 320;
/** NET_SKB_PAD + NET_IP_ALIGN: the headroom tun reserves. */
const TUN_PAD = 64;
/** skb_small_head_cache's object size (SKB_HEAD_ALIGN(MAX_TCP_HEADER)). */
const SMALL_HEAD = 576;
const PAGE = 4096;
/** SKB_MAX_HEAD(NET_SKB_PAD): the most tun puts in the linear part of a packet of a page or more. */
const TUN_GOOD_LINEAR = PAGE - TUN_PAD - SKB_SHINFO;
/** PAGE_ALLOC_COSTLY_ORDER: tun's page fragments are at most 32 KB. */
const MAX_FRAG_ORDER = 3;

function dataAlign(n: number): number {
  return (n + 63) & ~63;
}

/** kmalloc's bucket for a head of `n` bytes (with the shared info), or the small-head cache. */
function headAlloc(n: number): number {
  if (n <= SMALL_HEAD) return SMALL_HEAD;
  let size = 1024;
  while (size < n) size *= 2;
  return size;
}

/**
 * The truesize of the sk_buff the receiving device builds for an IPv4 packet of `ipLen` bytes, as
 * the tun device packetdrill injects through does (tun_get_user, tun_alloc_skb,
 * alloc_skb_with_frags). Under a page with its headroom the packet is copied into one kmalloc'ed
 * head: 832 bytes for up to 140 bytes of payload (with timestamps), 1280 up to 588, 2304 up to 1612,
 * 4352 up to 3660. Larger, the head takes SKB_MAX_HEAD and the rest goes into page fragments of at
 * most 32 KB, each charged whole: 8448 for 4000 bytes, 12544 for 10000, 53504 for 50000. Measured
 * on 6.18 with `ss -m` for 25 payload sizes from 1 to 30000 bytes (KERNEL.md finding 59).
 */
export function tunTruesize(ipLen: number): number {
  if (TUN_PAD + ipLen < PAGE) return headAlloc(dataAlign(TUN_PAD + ipLen) + SKB_SHINFO) + SKB_STRUCT;
  let truesize = PAGE + SKB_STRUCT;
  let rest = ipLen - TUN_GOOD_LINEAR;
  let order = MAX_FRAG_ORDER;
  while (rest > 0) {
    const aligned = Math.ceil(rest / PAGE) * PAGE;
    while (order > 0 && aligned < PAGE << order) order--;
    const chunk = PAGE << order;
    truesize += chunk;
    rest -= chunk;
  }
  return truesize;
}

/** The room left after the data in a linear sk_buff of `ipLen` bytes (what tcp_try_coalesce can copy into). */
export function tunTailroom(ipLen: number): number {
  if (TUN_PAD + ipLen >= PAGE) return 0;
  return headAlloc(dataAlign(TUN_PAD + ipLen) + SKB_SHINFO) - SKB_SHINFO - TUN_PAD - ipLen;
}

/** Whether this connection's window follows the truesize model (SO_RCVBUF was set before it was established). */
export function truesizeModel(conn: Connection): boolean {
  return conn.windowClamp !== 0;
}

/** tcp_win_from_space: the window `space` bytes of buffer hold at the measured len/truesize ratio. */
export function winFromSpace(conn: Connection, space: number): number {
  return Math.floor((space * conn.scalingRatio) / 256);
}

/** tcp_space: the window the unused part of the buffer holds (negative when overcommitted). */
export function freeSpace(conn: Connection): number {
  return winFromSpace(conn, conn.opts.rcvBuf - conn.rmemAlloc);
}

/**
 * tcp_init_buffer_space for a connection with SO_RCVBUF, when it is established with `rcvWnd`
 * offered in its SYN or SYN-ACK: window_clamp is the whole space less one segment kept in reserve
 * (tcp_app_win): 8552 for a 20000-byte buffer and 1448-byte segments, and rcv_ssthresh starts there.
 */
export function initReceiveSpace(conn: Connection, rcvWnd: number): void {
  const advmss = conn.advMss - (conn.tsOk ? 12 : 0);
  conn.scalingRatio = DEFAULT_SCALING_RATIO;
  const maxwin = winFromSpace(conn, conn.opts.rcvBuf);
  let clamp = maxwin;
  if (maxwin > 4 * advmss) clamp = Math.max(maxwin - (maxwin >>> TCP_APP_WIN), 4 * advmss);
  if (clamp > 2 * advmss && clamp + advmss > maxwin) clamp = Math.max(2 * advmss, maxwin - advmss);
  conn.windowClamp = Math.max(clamp, 1);
  conn.rcvSkbLen = [];
  conn.rcvSkbTruesize = [];
  conn.rmemAlloc = 0;
  conn.rcvWnd = rcvWnd;
  conn.rcvSsthresh = Math.min(rcvWnd, conn.windowClamp);
  conn.rcvWup = (conn.rcvNxt + rcvWnd) >>> 0;
}

/** tcp_set_window_clamp: a smaller clamp pulls rcv_ssthresh down; a larger one lets it rise to what was offered. */
function setWindowClamp(conn: Connection, val: number): void {
  const clamp = Math.max(val, MIN_WINDOW_CLAMP);
  const old = conn.windowClamp;
  if (clamp === old) return;
  conn.windowClamp = clamp;
  if (clamp < old) conn.rcvSsthresh = Math.min(conn.rcvSsthresh, clamp);
  else conn.rcvSsthresh = Math.max(Math.min(conn.rcvWnd, clamp), conn.rcvSsthresh);
}

/**
 * tcp_measure_rcv_mss's scaling_ratio part: when a segment of `len` bytes (the GSO size for a GSO
 * packet) at least rcv_mss and not equal to it arrives, the ratio becomes its payload over its
 * truesize, and window_clamp follows it. Call before rcv_mss is updated.
 */
export function measureScalingRatio(conn: Connection, len: number, payload: number, truesize: number): void {
  if (len < conn.rcvMss || len === conn.rcvMss) return;
  const old = conn.scalingRatio;
  conn.scalingRatio = Math.floor((payload * 256) / truesize) || 1;
  if (conn.scalingRatio !== old) setWindowClamp(conn, winFromSpace(conn, conn.opts.rcvBuf));
}

/**
 * tcp_grow_window: rcv_ssthresh rises towards what the buffer can hold, by two segments (or twice
 * this one) when a segment of this overhead would fit (check #2), never past the room left; and
 * quickack mode lasts at least one more segment (icsk_ack.quick |= 1).
 */
export function growWindow(conn: Connection, payload: number, truesize: number): void {
  const room = Math.min(conn.windowClamp, freeSpace(conn)) - conn.rcvSsthresh;
  if (room <= 0) return;
  let incr = 0;
  if (winFromSpace(conn, truesize) <= payload) incr = 2 * (conn.advMss - (conn.tsOk ? 12 : 0));
  else {
    // __tcp_grow_window: halve both until the segment's share fits.
    let t = winFromSpace(conn, truesize) >> 1;
    let window = winFromSpace(conn, conn.host.sysctl.getVector('net.ipv4.tcp_rmem')[2]) >> 1;
    while (conn.rcvSsthresh <= window) {
      if (t <= payload) {
        incr = 2 * conn.rcvMss;
        break;
      }
      t >>= 1;
      window >>= 1;
    }
  }
  if (incr) {
    incr = Math.max(incr, 2 * payload);
    conn.rcvSsthresh += Math.min(room, incr);
    // The window is opening: ACK the next segment at once too, so the sender learns of it.
    conn.quickAcks |= 1;
  }
}

/**
 * An in-order segment of `payload` bytes in an IPv4 packet of `ipLen` bytes joins the receive
 * queue: tcp_queue_rcv copies it into the tail sk_buff when it fits there (tcp_try_coalesce, no
 * new memory: 100 bytes after a 1000-byte segment cost nothing, measured), else it is queued with
 * its own truesize (`truesize`, tunTruesize of `ipLen`).
 */
export function chargeInOrder(conn: Connection, payload: number, ipLen: number, truesize: number): void {
  if (!queueRcv(conn, payload, truesize, tunTailroom(ipLen))) conn.rmemAlloc += truesize;
}

/**
 * Data from the out-of-order queue reaching the receive queue (tcp_ofo_queue → tcp_queue_rcv). It
 * was charged when queued; copied into the tail sk_buff's spare room it is freed, else it becomes
 * the tail with the spare room `room` it came with.
 */
export function moveFromOfo(conn: Connection, payload: number, truesize: number, room: number): void {
  if (queueRcv(conn, payload, truesize, room)) conn.rmemAlloc -= truesize;
}

/**
 * tcp_queue_rcv: `payload` bytes join the receive queue, copied into the tail sk_buff's spare room
 * when they fit (tcp_try_coalesce; returns true), else as a new tail of `truesize` with `room` to
 * spare. The caller settles what that costs.
 */
function queueRcv(conn: Connection, payload: number, truesize: number, room: number): boolean {
  const lens = conn.rcvSkbLen;
  if (lens.length > 0 && payload <= conn.rcvTailroom) {
    lens[lens.length - 1] += payload;
    conn.rcvTailroom -= payload;
    return true;
  }
  lens.push(payload);
  conn.rcvSkbTruesize.push(truesize);
  conn.rcvTailroom = room;
  return false;
}

/** The application read `n` bytes: each sk_buff read to its end is freed (tcp_eat_recv_skb), and its truesize with it. */
export function releaseRead(conn: Connection, n: number): void {
  const lens = conn.rcvSkbLen;
  let freed = 0;
  while (n > 0 && freed < lens.length) {
    if (lens[freed] > n) {
      lens[freed] -= n;
      break;
    }
    n -= lens[freed];
    conn.rmemAlloc -= conn.rcvSkbTruesize[freed];
    freed++;
  }
  if (freed > 0) {
    lens.splice(0, freed);
    conn.rcvSkbTruesize.splice(0, freed);
    if (lens.length === 0) conn.rcvTailroom = 0;
  }
}

/**
 * __tcp_select_window: the window to offer now, before the rule that never shrinks an offered
 * edge. The free space, capped by rcv_ssthresh; under half the clamp it is rounded down to the
 * scale unit and offered as zero below an MSS (or 1/16 of the space), and quickack mode ends.
 * Without window scaling the window already offered is kept while it is within one rcv_mss of the
 * free space, otherwise the free space rounded down to whole rcv_mss: with a 20000-byte buffer
 * the 8688 offered drops to 7688 after 1000 unread bytes (free space 7672, rounded 7000, but the
 * 7688 still promised stands), and comes back as 8688 after a 1448-byte segment moves the ratio.
 */
export function selectWindow(conn: Connection): number {
  let mss = conn.rcvMss;
  let free = freeSpace(conn);
  const allowed = winFromSpace(conn, conn.opts.rcvBuf);
  const full = Math.min(conn.windowClamp, allowed);
  if (mss > full) {
    mss = full;
    if (mss <= 0) return 0;
  }
  const unit = 1 << conn.rcvWscale;
  if (free < full >> 1) {
    conn.quickAcks = 0;
    free = Math.floor(free / unit) * unit;
    if (free < allowed >> 4 || free < mss) return 0;
  }
  if (free > conn.rcvSsthresh) free = conn.rcvSsthresh;
  if (conn.rcvWscale) return Math.ceil(free / unit) * unit;
  let window = conn.rcvWnd;
  if (window <= free - mss || window > free) window = Math.floor(free / mss) * mss;
  else if (mss === full && free > window + (full >> 1)) window = free;
  return window;
}
