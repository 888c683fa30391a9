/**
 * RFC 2861 as Linux runs it under net.ipv4.tcp_slow_start_after_idle (congestion.ts, KERNEL.md
 * finding 36). The restart after idle is pinned by keepalive/cwnd-restart-after-idle.pkt, which
 * also passes on the kernel; the application-limited decay (tcp_cwnd_application_limited) is not
 * reachable by a script under Reno — every ACK of new data restarts its clock (tcp_cong_avoid) and
 * an RTO would fire first — so it is checked here on tcp_cwnd_validate directly.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../core/world.ts';
import { clientWithFlight } from '../../testing/world-pair.ts';
import { cwndValidate, restartAfterIdle } from '../../core/tcp/congestion.ts';
import type { Connection } from '../../core/tcp/connection.ts';

/** An established client with five 1000-byte segments in flight that the server has not yet ACKed. */
function sender(sysctl = 1): { w: World; conn: Connection } {
  const flight = clientWithFlight({ seed: 5, sysctls: { 'net.ipv4.tcp_slow_start_after_idle': sysctl } });
  expect(flight.conn.rtx.length).toBe(5);
  return flight;
}

describe('cwnd after idle (tcp_slow_start_after_idle)', () => {
  it('an RTO of sending without filling cwnd halves the gap to what was used, counting at least the initial window', () => {
    const { conn } = sender();
    conn.cwnd = 40;
    conn.cwndStamp = conn.now - conn.rto;
    cwndValidate(conn, false);
    expect(conn.cwnd).toBe(25); // (40 + max(5 used, 10)) / 2
    expect(conn.cwndStamp).toBe(conn.now);
    // The clock started again: not another decay at once.
    cwndValidate(conn, false);
    expect(conn.cwnd).toBe(25);
  });

  it('less than an RTO, a full cwnd, the knob off, a writer waiting for space or recovery leave cwnd alone', () => {
    const cases: Array<(c: Connection) => void> = [
      (c) => { c.cwndStamp = c.now - c.rto + 1; },
      (c) => { c.cwnd = 5; },
      (c) => { c.sndNoSpace = true; },
      (c) => { c.caState = 'recovery'; },
    ];
    for (const setUp of cases) {
      const { conn } = sender();
      conn.cwnd = 40;
      conn.cwndStamp = conn.now - conn.rto;
      setUp(conn);
      const before = conn.cwnd;
      cwndValidate(conn, conn.cwnd <= conn.rtx.length);
      expect(conn.cwnd).toBe(before);
    }
    const off = sender(0).conn;
    off.cwnd = 40;
    off.cwndStamp = off.now - off.rto;
    cwndValidate(off, false);
    expect(off.cwnd).toBe(40);
  });

  it('the restart needs nothing in flight, and stops halving at min(cwnd, 10)', () => {
    const { w, conn } = sender();
    conn.cwnd = 80;
    conn.lastDataSentAt = conn.now - 10 * conn.rto;
    restartAfterIdle(conn);
    expect(conn.cwnd).toBe(80); // five segments are still out
    w.runUntil(w.sched.now + 500); // the server's ACKs arrive
    expect(conn.rtx.length).toBe(0);
    conn.cwnd = 80;
    conn.lastDataSentAt = conn.now - 2.5 * conn.rto; // two halvings
    restartAfterIdle(conn);
    expect(conn.cwnd).toBe(20);
    conn.cwnd = 7;
    conn.lastDataSentAt = conn.now - 10 * conn.rto;
    restartAfterIdle(conn);
    expect(conn.cwnd).toBe(7); // below the initial window already: kept
  });
});
