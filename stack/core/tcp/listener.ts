/**
 * A listening socket at work: SYNs become request socks or cookie SYN-ACKs, request socks
 * retransmit their SYN-ACK, and a valid final ACK (or cookie) becomes a connection on the accept
 * queue (Linux tcp_v4_rcv → tcp_conn_request / tcp_check_req / cookie_v4_check).
 */
import { ACK, FIN, NO_PAYLOAD, RST, SYN, tsOption, type TcpSegment } from '../wire/segment.ts';
import { seqAdd } from '../seq.ts';
import { Connection, type HostContext, type Listener, type RequestSock, advMssFor, connKey, fmtAddr } from './connection.ts';
import { traceQueues } from './lifecycle.ts';
import { selectInitialWindow, sendResetFor, synOptions, tsClock } from './output.ts';
import {
  checkRequestSegment,
  establishFromRequest,
  newRequest,
  readSynOptions,
  synAckFor,
  synAckWindow,
  synAckTimeout,
  tsOffsetFor,
} from './handshake.ts';
import { acceptQueueIsFull, admitSyn, onAcceptQueueOverflow } from './listen-queues.ts';
import { COOKIE_VALID_MS, MSS_TABLE, decodeCookie, decodeTsOptions, encodeCookie, encodeTsOptions, mssIndex } from './syncookies.ts';
import { resetKeepaliveTimer } from './keepalive.ts';

/** A segment for a listener with no request sock for its 4-tuple (tcp_rcv_state_process, LISTEN). */
export function onSegmentAtListener(
  host: HostContext,
  listener: Listener,
  seg: TcpSegment,
  reopenIss: number | null,
  process: (conn: Connection, seg: TcpSegment) => void,
): void {
  if (seg.flags & RST) return; // RFC 9293 §3.10.7.2: never answer a RST
  if (seg.flags & ACK) {
    // A bare ACK may complete a cookie handshake (cookie_v4_check) before it earns a RST.
    if (!(seg.flags & SYN) && tryCookie(host, listener, seg, process)) return;
    sendResetFor(host, seg);
    return;
  }
  if (!(seg.flags & SYN)) return;
  // tcp_rcv_state_process (LISTEN): a SYN that also carries FIN is discarded.
  if (seg.flags & FIN) return;
  const decision = admitSyn(host, listener, reopenIss !== null);
  if (decision === 'drop') return;
  if (decision === 'cookie') {
    sendCookieSynAck(host, listener, seg);
    return;
  }
  const req = newRequest(host, listener, seg);
  if (reopenIss !== null) req.iss = reopenIss;
  (req as { key: string }).key = connKey(req.localAddr, req.localPort, req.remoteAddr, req.remotePort);
  listener.synQueue.set(req.key, req);
  host.requests.set(req.key, req);
  if (host.trace.enabled) host.trace.push({ kind: 'state', t: host.sched.now, host: host.name, conn: reqLabel(req), from: 'LISTEN', to: 'SYN_RECV', cause: 'SYN received' });
  traceQueues(listener, host);
  req.synAckSentAt = host.sched.now;
  host.output(synAckFor(host, req));
  armRequestTimer(host, req);
}

function reqLabel(req: RequestSock): string {
  return `${fmtAddr(req.localAddr)}:${req.localPort}>${fmtAddr(req.remoteAddr)}:${req.remotePort}`;
}

function armRequestTimer(host: HostContext, req: RequestSock): void {
  const delay = synAckTimeout(host, req);
  req.timer = host.sched.after(delay, () => host.guard('SYN-ACK timer', () => onRequestTimer(host, req)), `${host.name} synack`);
  if (host.trace.enabled) host.trace.push({ kind: 'timer', t: host.sched.now, host: host.name, conn: reqLabel(req), timer: 'synack', action: 'set', due: host.sched.now + delay });
}

/**
 * reqsk_timer_handler: resend the SYN-ACK, or give up after tcp_synack_retries. When the SYN queue
 * is more than half full, old requests get fewer retries (down to 2) to leave room for young ones:
 * "reserve half of room for young embrions; abort old ones without pity".
 */
function onRequestTimer(host: HostContext, req: RequestSock): void {
  req.timer = null;
  const listener = req.listener;
  if (listener.closed || listener.synQueue.get(req.key) !== req) return;
  if (host.trace.enabled) host.trace.push({ kind: 'timer', t: host.sched.now, host: host.name, conn: reqLabel(req), timer: 'synack', action: 'fire' });
  let thresh = listener.opts.synCnt || host.sysctl.get('net.ipv4.tcp_synack_retries');
  const qlen = listener.synQueue.size;
  if (qlen << 1 > Math.max(8, listener.backlog)) {
    let young = 0;
    for (const r of listener.synQueue.values()) if (r.numTimeout === 0) young++;
    young <<= 1;
    while (thresh > 2) {
      if (qlen < young) break;
      thresh--;
      young <<= 1;
    }
  }
  if (req.numTimeout >= thresh) {
    dropRequest(host, req, 'SYN-ACK retries exhausted');
    return;
  }
  host.mib.inc('TcpRetransSegs');
  host.mib.inc('TCPSynRetrans');
  host.output(synAckFor(host, req));
  req.numTimeout++;
  armRequestTimer(host, req);
}

export function dropRequest(host: HostContext, req: RequestSock, cause: string): void {
  if (req.timer) req.timer.cancelled = true;
  req.timer = null;
  req.listener.synQueue.delete(req.key);
  if (host.requests.get(req.key) === req) host.requests.delete(req.key);
  if (host.trace.enabled) host.trace.push({ kind: 'state', t: host.sched.now, host: host.name, conn: reqLabel(req), from: 'SYN_RECV', to: 'CLOSED', cause });
  traceQueues(req.listener, host);
}

/**
 * tcp_oow_rate_limited for a request sock: a reply to a segment without data (or with SYN) at most
 * once per tcp_invalid_ratelimit, so a peer retransmitting its SYN quickly cannot make us answer
 * each copy. Counted as TCPACKSkippedSynRecv.
 */
function requestOowRateLimited(host: HostContext, req: RequestSock, seg: TcpSegment): boolean {
  if (seg.payload.length > 0 && !(seg.flags & SYN)) return false;
  const now = host.sched.now;
  if (req.lastOowAckAt !== undefined && now - req.lastOowAckAt < host.sysctl.get('net.ipv4.tcp_invalid_ratelimit')) {
    host.mib.inc('TCPACKSkippedSynRecv');
    return true;
  }
  req.lastOowAckAt = now;
  return false;
}

/** A segment for a request sock (tcp_check_req). */
export function onSegmentForRequest(host: HostContext, req: RequestSock, seg: TcpSegment, process: (conn: Connection, seg: TcpSegment) => void): void {
  const verdict = checkRequestSegment(req, seg);
  switch (verdict) {
    case 'resend-synack':
      // tcp_check_req: the SYN again means our SYN-ACK was lost. Answer at once unless the last
      // such answer was under tcp_invalid_ratelimit ago, and restart the timer from now with the
      // current backoff (mod_timer_pending), so the next timed SYN-ACK moves back too.
      if (requestOowRateLimited(host, req, seg)) return;
      host.output(synAckFor(host, req));
      if (req.timer) {
        req.timer.cancelled = true;
        armRequestTimer(host, req);
      }
      return;
    case 'reset':
      sendResetFor(host, seg);
      return;
    case 'ack':
      if (requestOowRateLimited(host, req, seg)) return;
      host.output({
        srcAddr: req.localAddr, dstAddr: req.remoteAddr, srcPort: req.localPort, dstPort: req.remotePort,
        seq: (req.iss + 1) >>> 0, ack: (req.irs + 1) >>> 0, flags: ACK, window: synAckWindow(req), urgent: 0,
        options: req.tsOk ? [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: tsClock(host, req.tsOffset), ecr: req.tsRecent }] : [],
        payload: NO_PAYLOAD,
      });
      return;
    case 'embryonic-reset':
      host.mib.inc('TcpAttemptFails');
      host.mib.inc('EmbryonicRsts');
      if (!(seg.flags & RST)) sendResetFor(host, seg);
      dropRequest(host, req, seg.flags & RST ? 'RST received in SYN_RECV' : 'SYN in window: reset');
      return;
    case 'drop':
      return;
    case 'establish': {
      const listener = req.listener;
      if (acceptQueueIsFull(listener)) {
        if (onAcceptQueueOverflow(host) === 'reset') {
          // tcp_check_req's embryonic_reset path, which counts the dropped request.
          host.mib.inc('EmbryonicRsts');
          sendResetFor(host, seg);
          dropRequest(host, req, 'accept queue full, tcp_abort_on_overflow=1: RST');
        } else {
          req.acked = true;
          host.note(`accept queue full: final ACK from ${reqLabel(req).split('>')[1]} dropped`);
        }
        return;
      }
      if (req.timer) req.timer.cancelled = true;
      listener.synQueue.delete(req.key);
      host.requests.delete(req.key);
      const conn = createChild(host, listener, req, seg);
      process(conn, seg);
      return;
    }
  }
}

function createChild(host: HostContext, listener: Listener, req: RequestSock, seg: TcpSegment): Connection {
  const conn = new Connection(host, req.localAddr, req.localPort, req.remoteAddr, req.remotePort, listener.opts);
  conn.state = 'SYN_RECV';
  establishFromRequest(conn, req, seg);
  conn.listener = listener;
  host.connections.set(conn.key, conn);
  host.mib.inc('TcpPassiveOpens');
  listener.acceptQueue.push(conn);
  traceQueues(listener, host);
  // Accepted sockets inherit SO_KEEPALIVE; the clock starts with the connection (tcp_create_openreq_child).
  if (conn.opts.keepalive) resetKeepaliveTimer(conn);
  return conn;
}

// --- SYN cookies -------------------------------------------------------------------------------

function sendCookieSynAck(host: HostContext, listener: Listener, seg: TcpSegment): void {
  const peer = readSynOptions(seg);
  // The SYN names the 4-tuple as the cookie sees it: the client as source, us as destination.
  // The MSS it keeps is the client's, capped by our TCP_MAXSEG (tcp_parse_options' user_mss).
  const userMss = listener.opts.userMss;
  const iss = encodeCookie(host, seg, seg.seq, mssIndex(userMss && userMss < peer.mss ? userMss : peer.mss));
  // tcp_synq_overflow(): cookies sent recently make cookie ACKs worth checking.
  listener.lastOverflowAt = host.sched.now;
  host.mib.inc('SyncookiesSent');
  const tsOn = peer.ts !== null && host.sysctl.get('net.ipv4.tcp_timestamps') !== 0;
  const wscaleOk = peer.wscale !== null && host.sysctl.get('net.ipv4.tcp_window_scaling') !== 0;
  const sackOk = peer.sackOk && host.sysctl.get('net.ipv4.tcp_sack') !== 0;
  // Without timestamps there is nowhere to keep wscale and SACK-permitted: Linux clears them.
  // The options replace the low bits of the bare clock (cookie_init_timestamp); the TSval on the
  // wire adds this 4-tuple's offset (tcp_synack_options), so with tcp_timestamps=1 the bits look
  // random to an observer and only tcp_timestamps=2 (no offset) shows them (KERNEL.md finding 26).
  const tsOffset = tsOffsetFor(host, seg.dstAddr, seg.srcAddr);
  const advMss = advMssFor(listener.opts);
  const win = selectInitialWindow(host, listener.opts, advMss - (tsOn ? 12 : 0), tsOn && wscaleOk);
  const options = tsOn
    ? synOptions({
        mss: advMss,
        sack: sackOk,
        ts: { val: (encodeTsOptions(tsClock(host, 0), wscaleOk ? peer.wscale : null, sackOk) + tsOffset) >>> 0, ecr: peer.ts!.val },
        wscale: wscaleOk ? win.wscale : null,
      })
    : synOptions({ mss: advMss, sack: false, ts: null, wscale: null });
  host.output({
    srcAddr: seg.dstAddr, dstAddr: seg.srcAddr, srcPort: seg.dstPort, dstPort: seg.srcPort,
    seq: iss, ack: (seg.seq + 1) >>> 0, flags: SYN | ACK, window: Math.min(win.wnd, 65535), urgent: 0,
    options, payload: NO_PAYLOAD,
  });
}

/** cookie_v4_check: a bare ACK that carries a valid cookie becomes a connection. */
function tryCookie(host: HostContext, listener: Listener, seg: TcpSegment, process: (conn: Connection, seg: TcpSegment) => void): boolean {
  const syncookies = host.sysctl.get('net.ipv4.tcp_syncookies');
  if (!syncookies) return false;
  // tcp_synq_no_recent_overflow(): only a listener that sent cookies lately checks ACKs for them.
  if (host.sched.now - listener.lastOverflowAt >= COOKIE_VALID_MS) return false;
  const idx = decodeCookie(host, seg, seqAdd(seg.ack, -1), seqAdd(seg.seq, -1));
  if (idx === null) {
    host.mib.inc('SyncookiesFailed');
    return false;
  }
  host.mib.inc('SyncookiesRecv');
  const ts = tsOption(seg);
  const tsOk = ts !== undefined && host.sysctl.get('net.ipv4.tcp_timestamps') !== 0;
  const tsOffset = tsOk ? tsOffsetFor(host, seg.dstAddr, seg.srcAddr) : 0;
  const carried = tsOk && ts ? decodeTsOptions(ts.ecr, tsOffset) : { wscale: null, sackOk: false };
  const advMss = advMssFor(listener.opts);
  // cookie_v4_check sizes the window again, for the MSS the cookie carried (req->mss, a table
  // entry, with no allowance for timestamps): 64240 for 1460, where the SYN-ACK had offered 65160
  // (KERNEL.md finding 29: such a connection advertises 502 with wscale 7, not 510).
  const win = selectInitialWindow(host, listener.opts, MSS_TABLE[idx], carried.wscale !== null);
  const req: RequestSock = {
    rcvWnd: win.wnd,
    rcvWscale: win.wscale,
    advMss,
    key: connKey(seg.dstAddr, seg.dstPort, seg.srcAddr, seg.srcPort),
    listener,
    localAddr: seg.dstAddr, localPort: seg.dstPort, remoteAddr: seg.srcAddr, remotePort: seg.srcPort,
    iss: seqAdd(seg.ack, -1),
    irs: seqAdd(seg.seq, -1),
    mss: MSS_TABLE[idx],
    wscaleOk: carried.wscale !== null,
    sndWscale: carried.wscale ?? 0,
    sackOk: carried.sackOk,
    tsOk,
    tsRecent: tsOk && ts ? ts.val : 0,
    tsOffset,
    peerWindow: seg.window,
    numTimeout: 1, // no RTT sample from a cookie handshake: we never timed the SYN-ACK
    acked: false,
    timer: null,
    createdAt: host.sched.now,
    synAckSentAt: host.sched.now,
  };
  if (acceptQueueIsFull(listener)) {
    // tcp_get_cookie_sock finds no room: the ACK is dropped (tcp_abort_on_overflow is not consulted).
    host.mib.inc('ListenOverflows');
    host.mib.inc('ListenDrops');
    return true;
  }
  if (host.trace.enabled) host.trace.push({ kind: 'state', t: host.sched.now, host: host.name, conn: reqLabel(req), from: 'LISTEN', to: 'SYN_RECV', cause: 'valid SYN cookie in ACK' });
  const conn = createChild(host, listener, req, seg);
  conn.rcvWndClamp = req.rcvWnd;
  process(conn, seg);
  return true;
}

