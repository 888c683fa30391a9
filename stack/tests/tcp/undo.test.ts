/**
 * The undo of a needless reduction (undo.ts, KERNEL.md findings 51–54). The scripts
 * suite/teardown/frto-* and recovery-undo-* pin F-RTO and the full, partial and D-SACK undos on the
 * kernel; what they cannot reach without a second congestion signal or a misbehaving peer is
 * checked here on the functions directly: CWR forbids restoring ssthresh and cwnd, D-SACK
 * accounting ignores what cannot be a resend of this episode, and Reno holds the state at
 * SND.UNA = high_seq.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../core/world.ts';
import { clientWithFlight } from '../../testing/world-pair.ts';
import type { Connection } from '../../core/tcp/connection.ts';
import { enterCwr } from '../../core/tcp/congestion.ts';
import { Sysctls } from '../../core/tcp/sysctl.ts';
import { countDsack, initUndo, renoPreventsReopen, tryUndoDsack, undoCwndReduction } from '../../core/tcp/undo.ts';

/** An established client with five 1000-byte segments in flight that the server has not yet ACKed. */
function sender(sack = true): { w: World; conn: Connection } {
  const flight = clientWithFlight({ seed: 3, sysctls: { 'net.ipv4.tcp_sack': sack ? 1 : 0 } });
  expect(flight.conn.rtx.length).toBe(5);
  return flight;
}

describe('undo of a needless reduction', () => {
  it('undoes to prior_cwnd and prior_ssthresh, never below the current cwnd, and only once', () => {
    const { conn } = sender();
    conn.priorCwnd = 10;
    conn.priorSsthresh = 20;
    conn.cwnd = 5;
    conn.ssthresh = 5;
    initUndo(conn);
    undoCwndReduction(conn, false);
    expect([conn.cwnd, conn.ssthresh, conn.undoMarker]).toEqual([10, 20, null]);
    conn.cwnd = 14;
    conn.ssthresh = 30;
    conn.undoMarker = conn.sndUna;
    undoCwndReduction(conn, false);
    // max(cwnd, prior_cwnd); ssthresh only when prior_ssthresh is larger.
    expect([conn.cwnd, conn.ssthresh]).toEqual([14, 30]);
  });

  it('after CWR nothing is restored: a congestion signal that is no loss cannot prove spurious', () => {
    const { conn } = sender();
    conn.cwnd = 10;
    conn.priorSsthresh = 0x7fffffff;
    enterCwr(conn);
    expect([conn.caState, conn.ssthresh, conn.priorSsthresh, conn.undoMarker]).toEqual(['cwr', 5, 0, null]);
    conn.cwnd = 6;
    conn.undoMarker = conn.sndUna;
    conn.undoRetrans = 0;
    expect(tryUndoDsack(conn)).toBe(true);
    expect([conn.cwnd, conn.ssthresh]).toEqual([6, 5]);
  });

  it('a D-SACK counts only for data resent since undo_marker, by its size in segments, and not when larger than any window offered', () => {
    const { conn } = sender();
    const una = conn.sndUna;
    const at = (n: number): number => (una + n) >>> 0;
    conn.undoMarker = una;
    conn.undoRetrans = 3;
    // Below SND.UNA: two segments' worth.
    countDsack(conn, [at(0), at(2000)], at(3000));
    expect(conn.undoRetrans).toBe(1);
    // Ending at or before undo_marker: a duplicate from before this episode.
    conn.undoRetrans = 3;
    countDsack(conn, [(una - 1000) >>> 0, una], at(3000));
    expect(conn.undoRetrans).toBe(3);
    // Implausibly large: ignored (tcp_dsack_seen).
    countDsack(conn, [at(0), at(conn.maxSndWnd + 1000)], at(conn.maxSndWnd + 2000));
    expect(conn.undoRetrans).toBe(3);
    // Within the queue: only records that were resent count, one each.
    conn.rtx[1].retrans = true;
    countDsack(conn, [at(0), at(2000)], una);
    expect(conn.undoRetrans).toBe(2);
    // Never below 0, and nothing once it is 0 (or with no undo_marker).
    conn.undoRetrans = 1;
    countDsack(conn, [at(-3000), at(-1000)], at(3000));
    expect(conn.undoRetrans).toBe(1);
    countDsack(conn, [at(0), at(3000)], at(3000));
    expect(conn.undoRetrans).toBe(0);
    conn.undoMarker = null;
    conn.undoRetrans = 2;
    countDsack(conn, [at(0), at(1000)], at(3000));
    expect(conn.undoRetrans).toBe(2);
  });

  it('tcp_init_undo counts resends in flight, and −1 when there are none, so that 0 keeps meaning "all reported duplicate"', () => {
    const { conn } = sender();
    initUndo(conn);
    expect([conn.undoMarker, conn.undoRetrans]).toEqual([conn.sndUna, -1]);
    conn.rtx[0].retrans = true;
    conn.rtx[2].retrans = true;
    initUndo(conn);
    expect(conn.undoRetrans).toBe(2);
    // A loss probe's resend still out counts too.
    conn.tlpHighSeq = conn.sndNxt;
    conn.tlpRetrans = true;
    initUndo(conn);
    expect(conn.undoRetrans).toBe(3);
  });

  it('without SACK the state holds at SND.UNA = high_seq (RFC 6582), with SACK it may open', () => {
    const reno = sender(false).conn;
    reno.highSeq = reno.sndUna;
    reno.undoStamp = 50;
    expect(renoPreventsReopen(reno)).toBe(true);
    // Nothing was ever resent: the first-resend stamp is forgotten.
    expect(reno.undoStamp).toBe(null);
    reno.highSeq = (reno.sndUna + 1000) >>> 0;
    expect(renoPreventsReopen(reno)).toBe(false);
    const sack = sender(true).conn;
    sack.highSeq = sack.sndUna;
    expect(renoPreventsReopen(sack)).toBe(false);
  });

  it('net.ipv4.tcp_frto takes 0–255, as the kernel\'s u8 does', () => {
    expect(new Sysctls({ 'net.ipv4.tcp_frto': 255 }).get('net.ipv4.tcp_frto')).toBe(255);
    expect(new Sysctls().get('net.ipv4.tcp_frto')).toBe(2);
    expect(() => new Sysctls({ 'net.ipv4.tcp_frto': 256 })).toThrow(/\[0, 255\]/);
  });
});
