/**
 * The receive window with SO_RCVBUF (receive-window.ts): the truesize charged per injected
 * segment, against what 6.18 reported with `ss -m` (KERNEL.md finding 59). The window rules
 * themselves are checked end to end by the handshake/rcvbuf-* scripts, which pass on the kernel.
 */
import { describe, expect, it } from 'vitest';
import { tunTruesize } from '../../core/tcp/receive-window.ts';
import { established } from '../../testing/index.ts';

const bytes = (n: number) => new Uint8Array(n).fill(0x61);

describe('tunTruesize', () => {
  it('matches sk_rmem_alloc measured on 6.18 for one segment with timestamps (52 bytes of headers)', () => {
    // payload bytes → skmem r, one unread segment at a time (probe of 2026-12-08).
    const measured: Array<[number, number]> = [
      [1, 832], [50, 832], [100, 832], [200, 1280], [250, 1280], [300, 1280], [400, 1280],
      [500, 1280], [536, 1280], [600, 2304], [700, 2304], [900, 2304], [1000, 2304],
      [1200, 2304], [1448, 2304], [1460, 2304], [2000, 4352], [2500, 4352], [3000, 4352],
      [4000, 8448], [6000, 8448], [8000, 12544], [10000, 12544], [16000, 20736], [30000, 33024],
    ];
    for (const [payload, r] of measured) expect(tunTruesize(52 + payload), `${payload} bytes`).toBe(r);
  });

  it('matches the GSO packets of tcp_rcv_big_endseq (no timestamps, --mss=1000)', () => {
    expect(tunTruesize(40 + 4000)).toBe(8448);
    expect(tunTruesize(40 + 50000)).toBe(53504);
  });

  it('steps where the head outgrows a slab size or a page', () => {
    // 64 bytes of headroom + the packet, rounded up to 64, + 320 of shared info must fit.
    expect(tunTruesize(192)).toBe(832); // 256 + 320 = 576, the small-head cache
    expect(tunTruesize(193)).toBe(1280);
    expect(tunTruesize(3712)).toBe(4352); // 3776 + 320 = 4096
    expect(tunTruesize(3713)).toBe(8448); // an 8 KB head
    expect(tunTruesize(4032)).toBe(4352 + 4096); // a page or more: a page head and one page fragment, the same cost
    expect(tunTruesize(3712 + 4096)).toBe(4352 + 4096);
    expect(tunTruesize(3712 + 4097)).toBe(4352 + 8192); // the fragment is one order-1 allocation
  });
});

describe('sk_rmem_alloc with SO_RCVBUF', () => {
  it('out-of-order data is charged when queued, and a segment continuing it goes into its spare room (6.18: 2304, 4608, 4608, 6912)', () => {
    const f = established({
      peerOptions: [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }],
      beforeOpen: (host, fd) => {
        host.api.setsockopt(fd, 'SO_RCVBUF', 10000);
      },
    });
    const { h, host, fd } = f;
    const conn = f.conn!;
    h.send(20, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1), payload: bytes(1000) });
    expect(conn.rmemAlloc).toBe(2304);
    h.send(30, { flags: '.', seq: h.pSeq(2001), ack: h.hSeq(1), payload: bytes(1448) });
    expect(conn.rmemAlloc).toBe(4608);
    h.send(40, { flags: '.', seq: h.pSeq(3449), ack: h.hSeq(1), payload: bytes(100) });
    expect(conn.rmemAlloc).toBe(4608);
    // The hole filled: the out-of-order data joins the receive queue, still charged.
    h.send(50, { flags: '.', seq: h.pSeq(1001), ack: h.hSeq(1), payload: bytes(1000) });
    expect(conn.rcvNxt).toBe(h.pSeq(3549));
    expect(conn.rmemAlloc).toBe(6912);
    // A partial read frees nothing; reading everything frees it all.
    host.api.read(fd, 500);
    expect(conn.rmemAlloc).toBe(6912);
    host.api.read(fd, 1 << 20);
    expect(conn.rmemAlloc).toBe(0);
  });
});
