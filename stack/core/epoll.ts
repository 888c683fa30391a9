/**
 * An epoll instance (fs/eventpoll.c) over the host's sockets: the interest list, the ready list,
 * and what epoll_wait() hands out. A socket's wake-up (poll-events.ts keys) puts an item whose
 * events it concerns on the ready list (ep_poll_callback); epoll_wait polls each ready item again
 * and reports the events it has now (ep_send_events). A level-triggered item goes back on the list
 * after each report, an edge-triggered one (EPOLLET) only at its next wake-up, so it reports "a
 * change happened", not "the state is so". A EPOLLONESHOT item is disarmed after one report.
 */
import { EPOLLET, EPOLLONESHOT, POLLERR, POLLHUP, wakeMatches } from './tcp/poll-events.ts';

/** What an epoll instance needs from the socket layer. */
export interface PollSource {
  /** tcp_poll's mask for the descriptor, or null when it is not a socket. */
  pollMask(fd: number): number | null;
}

export interface EpollEvent {
  events: number;
  /** epoll_data as registered (packetdrill's `fd=` or `ptr=`). */
  data: number;
}

export interface EpollItem {
  fd: number;
  /** Requested events, EPOLLET/EPOLLONESHOT included; EPOLLERR and EPOLLHUP are always added. */
  events: number;
  data: number;
  /** On the ready list. */
  ready: boolean;
  /** The socket's wake-up hook for this item (ep_poll_callback). */
  onWake: (key: number) => void;
}

/** The bits epoll_ctl may not keep (a disarmed EPOLLONESHOT item keeps only these). */
const EP_PRIVATE_BITS = EPOLLET | EPOLLONESHOT;

export class Epoll {
  readonly items = new Map<number, EpollItem>();
  private readyList: EpollItem[] = [];
  /** Called when an item becomes ready: a blocked epoll_wait() may return. */
  onReady: (() => void) | null = null;

  constructor(private readonly source: PollSource) {}

  /** EPOLL_CTL_ADD: registered, and ready at once if the socket already has one of its events (ep_insert). */
  add(fd: number, events: number, data: number): EpollItem {
    const item: EpollItem = { fd, events: (events | POLLERR | POLLHUP) >>> 0, data, ready: false, onWake: (key) => this.wake(item, key) };
    this.items.set(fd, item);
    this.checkNow(item);
    return item;
  }

  /** EPOLL_CTL_MOD: new events, and ready if one of them is there now (ep_modify). */
  modify(item: EpollItem, events: number, data: number): void {
    item.events = (events | POLLERR | POLLHUP) >>> 0;
    item.data = data;
    this.checkNow(item);
  }

  /** EPOLL_CTL_DEL, or the socket closed (eventpoll_release). */
  remove(item: EpollItem): void {
    this.items.delete(item.fd);
    if (item.ready) {
      item.ready = false;
      this.readyList.splice(this.readyList.indexOf(item), 1);
    }
  }

  private checkNow(item: EpollItem): void {
    const mask = this.source.pollMask(item.fd) ?? 0;
    if ((mask & item.events) !== 0) this.markReady(item);
  }

  /** ep_poll_callback: a wake-up whose key concerns the item puts it on the ready list. */
  private wake(item: EpollItem, key: number): void {
    if ((item.events & ~EP_PRIVATE_BITS) === 0) return; // a disarmed EPOLLONESHOT item
    if (!wakeMatches(key, item.events)) return;
    this.markReady(item);
  }

  private markReady(item: EpollItem): void {
    if (item.ready) return;
    item.ready = true;
    this.readyList.push(item);
    this.onReady?.();
  }

  /** Some item is on the ready list (it may still report nothing when polled). */
  hasReady(): boolean {
    return this.readyList.length > 0;
  }

  /**
   * ep_send_events: up to `max` events from the ready list, each polled now; items with nothing
   * to report leave the list, level-triggered ones that reported go back to its tail.
   */
  collect(max: number): EpollEvent[] {
    const out: EpollEvent[] = [];
    const list = this.readyList;
    this.readyList = [];
    const again: EpollItem[] = [];
    let i = 0;
    for (; i < list.length && out.length < max; i++) {
      const item = list[i];
      item.ready = false;
      const revents = (this.source.pollMask(item.fd) ?? 0) & item.events & ~EP_PRIVATE_BITS;
      if (revents === 0) continue;
      out.push({ events: revents >>> 0, data: item.data });
      if (item.events & EPOLLONESHOT) item.events &= EP_PRIVATE_BITS;
      else if (!(item.events & EPOLLET)) again.push(item);
    }
    // Items not reached stay first; those re-armed by a wake-up meanwhile are already queued.
    const rest = list.slice(i);
    for (const item of again) if (!item.ready) {
      item.ready = true;
      rest.push(item);
    }
    this.readyList = rest.concat(this.readyList);
    return out;
  }
}
