/**
 * poll()/epoll event bits as Linux numbers them (include/uapi/asm-generic/poll.h,
 * include/uapi/linux/eventpoll.h), and the keys the socket's wake-ups carry to its waiters.
 */
export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
export const POLLRDNORM = 0x040;
export const POLLRDBAND = 0x080;
export const POLLWRNORM = 0x100;
export const POLLWRBAND = 0x200;
export const POLLRDHUP = 0x2000;
/** epoll only: report a change once (edge-triggered), and disarm after one report. */
export const EPOLLET = 0x80000000;
export const EPOLLONESHOT = 0x40000000;

/** sock_def_readable's key (sk_data_ready: data or a connection to accept arrived). */
export const WAKE_DATA_READY = POLLIN | POLLPRI | POLLRDNORM | POLLRDBAND;
/** sk_stream_write_space's key (tcp_check_space → tcp_new_space: room in the send buffer). */
export const WAKE_WRITE_SPACE = POLLOUT | POLLWRNORM | POLLWRBAND;
/** sock_def_error_report's key. */
export const WAKE_ERROR = POLLERR;
/** sock_def_wakeup (sk_state_change) passes no key: every waiter is woken. */
export const WAKE_ALL = 0;

/** Does a wake-up with `key` concern a waiter interested in `events` (ep_poll_callback, pollwake)? */
export function wakeMatches(key: number, events: number): boolean {
  return key === WAKE_ALL || (key & events) !== 0;
}
