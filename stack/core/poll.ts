/**
 * What poll() and epoll see on a socket: the event mask tcp_poll computes (net/ipv4/tcp.c), and
 * inet_csk_listen_poll's for a listener. Computing it has one side effect, as in Linux: a socket
 * found not writeable sets SOCK_NOSPACE, so the next ACK that frees room wakes the waiters
 * (tcp_check_space → sk_stream_write_space, send-buffer.ts checkWriteSpace).
 */
import type { Connection, Listener } from './tcp/connection.ts';
import { streamWriteable } from './tcp/send-buffer.ts';
import { POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRNORM } from './tcp/poll-events.ts';

/** tcp_poll on a socket with a connection behind it. */
export function tcpPoll(conn: Connection): number {
  let mask = 0;
  // tcp_done and tcp_reset set SHUTDOWN_MASK; the socket is then TCP_CLOSE.
  const closed = conn.closed || conn.state === 'CLOSED';
  const rcvShutdown = closed || conn.rcvFin || conn.shutRd;
  const sendShutdown = closed || conn.shutWr;
  // EPOLLHUP only when both directions are shut (or the socket is closed): a half-close is not a
  // hang-up.
  if ((rcvShutdown && sendShutdown) || closed) mask |= POLLHUP;
  if (rcvShutdown) mask |= POLLIN | POLLRDNORM | POLLRDHUP;
  // A connection still in its handshake reports nothing but errors (no TFO here).
  if (closed || (conn.state !== 'SYN_SENT' && conn.state !== 'SYN_RECV')) {
    // tcp_stream_is_readable with sk_rcvlowat 1.
    if (conn.recvQueue.length > 0) mask |= POLLIN | POLLRDNORM;
    if (sendShutdown) mask |= POLLOUT | POLLWRNORM;
    else if (streamWriteable(conn)) mask |= POLLOUT | POLLWRNORM;
    else conn.sndNoSpace = true; // set_bit(SOCK_NOSPACE): ask the next ACK to wake us
  }
  if (conn.error) mask |= POLLERR;
  return mask;
}

/** inet_csk_listen_poll: readable while an established connection waits to be accepted. */
export function listenPoll(listener: Listener): number {
  return listener.acceptQueue.some((c) => c.state !== 'SYN_RECV') ? POLLIN | POLLRDNORM : 0;
}

/** A socket with neither connection nor listener is TCP_CLOSE with nothing shut: writable, hung up. */
export const UNCONNECTED_POLL = POLLOUT | POLLWRNORM | POLLHUP;
