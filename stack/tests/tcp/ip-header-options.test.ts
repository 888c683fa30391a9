/**
 * IP_TOS and IP_MTU_DISCOVER on the wire (ip_queue_xmit): the connection's IPv4 headers carry the
 * socket's TOS byte, and DF unless IP_MTU_DISCOVER says otherwise (ip_dont_fragment: DF for
 * IP_PMTUDISC_WANT, the default, and IP_PMTUDISC_DO only). The packetdrill runner does not check
 * the TOS byte, so this is checked on the encoded packets.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../core/world.ts';
import { decodeSegment, encodeSegment } from '../../core/wire/codec.ts';
import type { TcpSegment } from '../../core/wire/segment.ts';
import type { SocketApi } from '../../core/socket.ts';

interface Sent { tos: number; df: boolean; seg: TcpSegment }

function connectedPair(setup: (api: SocketApi, fd: number) => void): Sent[] {
  const w = new World({ seed: 1 });
  const client = w.addHost('client', '10.0.0.1');
  const server = w.addHost('server', '10.0.0.2');
  const sent: Sent[] = [];
  const send = w.network.send.bind(w.network);
  w.network.send = (from, packet, seg) => {
    const d = decodeSegment(packet);
    if (d.ok) sent.push({ tos: packet[1], df: (packet[6] & 0x40) !== 0, seg: d.segment });
    send(from, packet, seg);
  };
  server.api.socket();
  server.api.bind(3, 0, 80);
  server.api.listen(3, 4);
  const fd = client.api.socket();
  if (!fd.ok) throw new Error('socket');
  setup(client.api, fd.value);
  client.api.connect(fd.value, server.addr, 80).then(() => client.api.write(fd.value, 'hello'));
  w.runUntil(1000);
  return sent;
}

describe('IP_TOS and IP_MTU_DISCOVER', () => {
  it('by default every segment has TOS 0 and DF set, and decode leaves tos and df out', () => {
    const sent = connectedPair(() => {});
    expect(sent.length).toBeGreaterThan(3);
    for (const p of sent) {
      expect(p.tos).toBe(0);
      expect(p.df).toBe(true);
      expect('tos' in p.seg || 'df' in p.seg).toBe(false);
    }
  });

  it('IP_TOS sets the TOS byte of the connection (ECN bits cleared), IP_PMTUDISC_DONT clears DF; the peer is unaffected', () => {
    const sent = connectedPair((api, fd) => {
      expect(api.setsockopt(fd, 'IP_TOS', 0x13)).toEqual({ ok: true, value: 0 });
      expect(api.getsockopt(fd, 'IP_TOS')).toEqual({ ok: true, value: 0x10 });
      expect(api.setsockopt(fd, 'IP_MTU_DISCOVER', 0)).toEqual({ ok: true, value: 0 });
    });
    const mine = sent.filter((p) => p.seg.srcAddr === 0x0a000001);
    const theirs = sent.filter((p) => p.seg.srcAddr === 0x0a000002);
    expect(mine.length).toBeGreaterThan(1);
    expect(mine.some((p) => p.seg.payload.length === 5)).toBe(true);
    for (const p of mine) {
      expect(p.tos).toBe(0x10);
      expect(p.df).toBe(false);
      expect(p.seg.tos).toBe(0x10);
      expect(p.seg.df).toBe(false);
    }
    for (const p of theirs) expect([p.tos, p.df]).toEqual([0, true]);
  });

  it('IP_PMTUDISC_DO keeps DF; values outside 0..5 are EINVAL and change nothing', () => {
    const sent = connectedPair((api, fd) => {
      expect(api.setsockopt(fd, 'IP_MTU_DISCOVER', 2)).toEqual({ ok: true, value: 0 });
      expect(api.setsockopt(fd, 'IP_MTU_DISCOVER', 6)).toEqual({ ok: false, errno: 'EINVAL' });
      expect(api.setsockopt(fd, 'IP_MTU_DISCOVER', -1)).toEqual({ ok: false, errno: 'EINVAL' });
      expect(api.getsockopt(fd, 'IP_MTU_DISCOVER')).toEqual({ ok: true, value: 2 });
    });
    for (const p of sent) expect(p.df).toBe(true);
  });

  it('encode and decode carry tos and a clear DF with a valid header checksum', () => {
    const seg: TcpSegment = { srcAddr: 1, dstAddr: 2, srcPort: 3, dstPort: 4, seq: 5, ack: 6, flags: 0x10, window: 7, urgent: 0, options: [], payload: new Uint8Array(3), tos: 0xb8, df: false };
    const bytes = encodeSegment(seg);
    expect(bytes[1]).toBe(0xb8);
    expect(bytes[6] & 0x40).toBe(0);
    const d = decodeSegment(bytes);
    expect(d.ok && [d.segment.tos, d.segment.df]).toEqual([0xb8, false]);
    expect(() => encodeSegment({ ...seg, tos: 256 })).toThrow(/tos/);
  });
});
