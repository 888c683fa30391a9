/**
 * poll() and epoll through the socket API (stack/core/poll.ts, epoll.ts; KERNEL.md finding 38):
 * tcp_poll's mask, level-triggered, edge-triggered and one-shot items, epoll_ctl's errors, and
 * blocking waits with a timeout. The write-space and TCP_NOTSENT_LOWAT numbers Linux gives are
 * pinned by queues/notsent-lowat-*.pkt, which also pass on the kernel.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../core/world.ts';
import { serverPair } from '../../testing/world-pair.ts';
import { EPOLLET, EPOLLONESHOT, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP } from '../../core/tcp/poll-events.ts';

function pair() {
  let serverFd = -1;
  const { w, client, server } = serverPair({
    seed: 5,
    onAccept: (fd) => {
      if (serverFd < 0) serverFd = fd;
    },
  });
  const fd = (client.api.socket() as { value: number }).value;
  client.api.connect(fd, server.addr, 80);
  w.runUntil(100);
  if (serverFd < 0) throw new Error('no connection');
  const ep = (server.api.epollCreate(1) as { value: number }).value;
  return { w, client, server, fd, sfd: serverFd, ep };
}

const IN_OUT = POLLIN | POLLOUT;

describe('poll and epoll', () => {
  it('a level-triggered item is reported while data is unread, an edge-triggered one once per arrival', () => {
    const { w, client, server, fd, sfd, ep } = pair();
    const lt = (server.api.epollCreate(1) as { value: number }).value;
    expect(server.api.epollCtl(lt, 'EPOLL_CTL_ADD', sfd, POLLIN, 11)).toEqual({ ok: true, value: 0 });
    expect(server.api.epollCtl(ep, 'EPOLL_CTL_ADD', sfd, IN_OUT | EPOLLET, 22)).toEqual({ ok: true, value: 0 });
    const now = (e: number) => server.api.epollWait(e, 4, 0).result;
    // Writeable from the start: the edge item reports EPOLLOUT once, the level item (EPOLLIN only) nothing.
    expect(now(ep)).toEqual({ ok: true, value: [{ events: POLLOUT, data: 22 }] });
    expect(now(ep)).toEqual({ ok: true, value: [] });
    expect(now(lt)).toEqual({ ok: true, value: [] });
    client.api.write(fd, 'hello');
    w.runUntil(200);
    expect(now(lt)).toEqual({ ok: true, value: [{ events: POLLIN, data: 11 }] });
    expect(now(lt)).toEqual({ ok: true, value: [{ events: POLLIN, data: 11 }] });
    expect(now(ep)).toEqual({ ok: true, value: [{ events: IN_OUT, data: 22 }] });
    expect(now(ep)).toEqual({ ok: true, value: [] });
    // Reading part of it is no event; reading all of it ends the level.
    server.api.read(sfd, 2);
    expect(now(ep)).toEqual({ ok: true, value: [] });
    expect(now(lt)).toEqual({ ok: true, value: [{ events: POLLIN, data: 11 }] });
    server.api.read(sfd, 10);
    expect(now(lt)).toEqual({ ok: true, value: [] });
  });

  it('EPOLLONESHOT reports once until EPOLL_CTL_MOD re-arms it', () => {
    const { w, client, server, fd, sfd, ep } = pair();
    server.api.epollCtl(ep, 'EPOLL_CTL_ADD', sfd, POLLIN | EPOLLONESHOT, 1);
    client.api.write(fd, 'a');
    w.runUntil(200);
    expect(server.api.epollWait(ep, 1, 0).result).toEqual({ ok: true, value: [{ events: POLLIN, data: 1 }] });
    client.api.write(fd, 'b');
    w.runUntil(300);
    expect(server.api.epollWait(ep, 1, 0).result).toEqual({ ok: true, value: [] });
    server.api.epollCtl(ep, 'EPOLL_CTL_MOD', sfd, POLLIN | EPOLLONESHOT, 2);
    expect(server.api.epollWait(ep, 1, 0).result).toEqual({ ok: true, value: [{ events: POLLIN, data: 2 }] });
  });

  it('epoll_ctl errors: EEXIST, ENOENT, EBADF, EINVAL; a closed socket leaves the set', () => {
    const { server, sfd, ep } = pair();
    expect(server.api.epollCtl(ep, 'EPOLL_CTL_MOD', sfd, POLLIN)).toEqual({ ok: false, errno: 'ENOENT' });
    expect(server.api.epollCtl(ep, 'EPOLL_CTL_ADD', sfd, POLLIN)).toEqual({ ok: true, value: 0 });
    expect(server.api.epollCtl(ep, 'EPOLL_CTL_ADD', sfd, POLLIN)).toEqual({ ok: false, errno: 'EEXIST' });
    expect(server.api.epollCtl(ep, 'EPOLL_CTL_ADD', 99, POLLIN)).toEqual({ ok: false, errno: 'EBADF' });
    expect(server.api.epollCtl(sfd, 'EPOLL_CTL_ADD', 3, POLLIN)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(server.api.epollCtl(ep, 'EPOLL_CTL_ADD', ep, POLLIN)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(server.api.epollCreate(0)).toEqual({ ok: false, errno: 'EINVAL' });
    server.api.close(sfd);
    expect(server.api.epollWait(ep, 1, 0).result).toEqual({ ok: true, value: [] });
    // The number is free again; a new socket there is not in the set.
    const again = server.api.socket() as { value: number };
    expect(again.value).toBe(sfd);
    expect(server.api.epollCtl(ep, 'EPOLL_CTL_DEL', sfd)).toEqual({ ok: false, errno: 'ENOENT' });
    // An epoll descriptor and a socket never share a number.
    expect(server.api.close(ep)).toEqual({ ok: true, value: 0 });
    expect(server.api.epollWait(ep, 1, 0).result).toEqual({ ok: false, errno: 'EBADF' });
  });

  it('a listener is readable when a connection waits to be accepted (edge-triggered too)', () => {
    const w = new World({ seed: 9 });
    const client = w.addHost('client', '10.0.0.1');
    const server = w.addHost('server', '10.0.0.2');
    server.api.socket();
    server.api.bind(3, 0, 80);
    server.api.listen(3, 4);
    const ep = (server.api.epollCreate(1) as { value: number }).value;
    server.api.epollCtl(ep, 'EPOLL_CTL_ADD', 3, POLLIN | EPOLLET, 3);
    expect(server.api.pollMask(3)).toBe(0);
    const wait = server.api.epollWait(ep, 1, 1000);
    const fd = (client.api.socket() as { value: number }).value;
    client.api.connect(fd, server.addr, 80);
    w.runUntil(100);
    expect(wait.result).toEqual({ ok: true, value: [{ events: POLLIN, data: 3 }] });
    expect(server.api.pollMask(3)! & POLLIN).toBe(POLLIN);
  });

  it("the peer's FIN gives EPOLLIN|EPOLLRDHUP without EPOLLHUP; a RST gives EPOLLERR|EPOLLHUP", () => {
    const { w, client, server, fd, sfd } = pair();
    client.api.shutdown(fd, 'SHUT_WR');
    w.runUntil(200);
    const afterFin = server.api.pollMask(sfd)!;
    expect(afterFin & (POLLIN | POLLRDHUP | POLLOUT)).toBe(POLLIN | POLLRDHUP | POLLOUT);
    expect(afterFin & POLLHUP).toBe(0);
    client.api.setsockopt(fd, 'SO_LINGER', { onoff: true, linger: 0 });
    client.api.close(fd);
    w.runUntil(300);
    const afterRst = server.api.pollMask(sfd)!;
    expect(afterRst & (POLLERR | POLLHUP)).toBe(POLLERR | POLLHUP);
  });

  it('a reboot ends a blocked epoll_wait with EBADF and forgets the epoll descriptor', () => {
    const { server, sfd, ep } = pair();
    server.api.epollCtl(ep, 'EPOLL_CTL_ADD', sfd, POLLIN, 1);
    const waiting = server.api.epollWait(ep, 1, -1);
    expect(waiting.done).toBe(false);
    server.crash();
    server.reboot();
    expect(waiting.result).toEqual({ ok: false, errno: 'EBADF' });
    expect(server.api.epollCtl(ep, 'EPOLL_CTL_ADD', sfd, POLLIN)).toEqual({ ok: false, errno: 'EBADF' });
  });

  it('a blocking poll() returns when data arrives, or with nothing at its timeout', () => {
    const { w, client, server, fd, sfd } = pair();
    const timed = server.api.pollCall([{ fd: sfd, events: POLLIN }], 50);
    w.runUntil(149);
    expect(timed.done).toBe(false);
    w.runUntil(151);
    expect(timed.result).toEqual({ ok: true, value: [0] });
    expect(timed.doneAt).toBe(150);
    const waiting = server.api.pollCall([{ fd: sfd, events: POLLIN }, { fd: -1, events: POLLIN }, { fd: 77, events: POLLIN }], -1);
    // A descriptor that is not open is POLLNVAL at once, as in Linux.
    expect(waiting.result).toEqual({ ok: true, value: [0, 0, 0x20] });
    const blocked = server.api.pollCall([{ fd: sfd, events: POLLIN }], -1);
    expect(blocked.done).toBe(false);
    client.api.write(fd, 'x');
    w.runUntil(400);
    expect(blocked.result).toEqual({ ok: true, value: [POLLIN] });
    // A fresh socket: TCP_CLOSE, nothing shut — writeable and hung up.
    const fresh = (server.api.socket() as { value: number }).value;
    expect(server.api.pollMask(fresh)).toBe(POLLOUT | 0x100 | POLLHUP);
  });
});
