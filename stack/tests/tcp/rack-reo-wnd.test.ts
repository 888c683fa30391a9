/**
 * RACK's reordering window steps (rack.ts; Linux tcp_dsack_seen, tcp_rack_update_reo_wnd; KERNEL.md
 * finding 56) on the parts the packetdrill scripts (teardown/rack-reo-wnd-dsack, -static) cannot
 * reach in a few round trips: which D-SACKs count, at most one step per round trip, and the
 * window shrinking back after 16 recoveries without a D-SACK.
 */
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../core/tcp/connection.ts';
import { Sysctls } from '../../core/tcp/sysctl.ts';
import { rackDsackSeen, rackRecoveryEnded, rackUpdateReoWnd } from '../../core/tcp/rack.ts';

/** The fields the three functions read, as a connection after some data: 10 segments delivered, 2 resent. */
function conn(sysctls: Record<string, number> = {}) {
  const c = {
    host: { sysctl: new Sysctls(sysctls) },
    rack: { xmitAt: 0, endSeq: 0, rtt: 100, advanced: false, reoWndSteps: 1, reoWndPersist: 0, dsackSeen: false, lastDelivered: 0, priorDelivered: 0 },
    delivered: 10,
    dsackDups: 0,
    totalRetrans: 2,
    reordSeen: true,
    mss: 1000,
    maxSndWnd: 65535,
    tlpHighSeq: null as number | null,
  };
  return c as typeof c & Connection;
}

/** An ACK that D-SACKs [start, end) and delivers a segment that left when `txDelivered` had been delivered. */
function dsackAck(c: Connection, start: number, end: number, txDelivered: number): void {
  rackDsackSeen(c, start, end);
  c.rack.priorDelivered = txDelivered;
  c.delivered += 1;
  rackUpdateReoWnd(c);
}

describe("RACK's reordering window steps", () => {
  it('a D-SACK after reordering adds one step; one about a segment sent before that step does not', () => {
    const c = conn();
    dsackAck(c, 1001, 2001, 9);
    expect(c.rack.reoWndSteps).toBe(2);
    expect(c.rack.reoWndPersist).toBe(16);
    expect(c.rack.lastDelivered).toBe(12); // 10, the D-SACKed segment, the one delivered
    // The segment this ACK delivers left before the window grew: less than a round trip ago.
    dsackAck(c, 2001, 3001, 11);
    expect(c.rack.reoWndSteps).toBe(2);
    expect(c.rack.dsackSeen).toBe(false);
  });

  it('no step without reordering seen, for more D-SACKed segments than were resent, or for a loss probe', () => {
    const noReord = conn();
    noReord.reordSeen = false;
    dsackAck(noReord, 1001, 2001, 9);
    expect(noReord.rack.reoWndSteps).toBe(1);

    const dubious = conn();
    dubious.totalRetrans = 1;
    dsackAck(dubious, 1001, 3001, 9); // two segments D-SACKed, one ever resent
    expect(dubious.dsackDups).toBe(2);
    expect(dubious.rack.reoWndSteps).toBe(1);

    const probe = conn();
    probe.tlpHighSeq = 2001;
    dsackAck(probe, 1001, 2001, 9);
    expect(probe.rack.reoWndSteps).toBe(1);
  });

  it('an ACK that delivers nothing leaves the D-SACK pending for the next one', () => {
    const c = conn();
    rackDsackSeen(c, 1001, 2001);
    rackUpdateReoWnd(c); // prior_delivered 0: a pure D-SACK
    expect(c.rack.reoWndSteps).toBe(1);
    expect(c.rack.dsackSeen).toBe(true);
    c.rack.priorDelivered = 9;
    rackUpdateReoWnd(c);
    expect(c.rack.reoWndSteps).toBe(2);
  });

  it('holds the width for 16 recoveries, then one step again', () => {
    const c = conn();
    dsackAck(c, 1001, 2001, 9);
    for (let i = 0; i < 15; i++) rackRecoveryEnded(c);
    c.rack.priorDelivered = 20;
    rackUpdateReoWnd(c);
    expect(c.rack.reoWndSteps).toBe(2);
    rackRecoveryEnded(c);
    c.rack.priorDelivered = 21;
    rackUpdateReoWnd(c);
    expect(c.rack.reoWndSteps).toBe(1);
  });

  it('tcp_recovery bit 1 (TCP_RACK_STATIC_REO_WND) keeps one step', () => {
    const c = conn({ 'net.ipv4.tcp_recovery': 3 });
    dsackAck(c, 1001, 2001, 9);
    expect(c.rack.reoWndSteps).toBe(1);
  });
});
