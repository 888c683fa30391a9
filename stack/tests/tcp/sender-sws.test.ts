/**
 * The sender's side of silly-window avoidance, as Linux 6.18 does it (checked with upstream
 * packetdrill against the kernel, stack/pktdrill/KERNEL.md): segments are bounded by half the
 * peer's largest window (tcp_bound_to_half_wnd), and a transmission starts only when the window has
 * room for a full segment (tcp_snd_wnd_test); once started, its tail may end at the window's edge.
 * Segment sizes are what these tests check. PSH follows KERNEL.md finding 58: a packet of more than
 * one segment ends with it, and forced_push marks a buffer once more than half the peer's largest
 * window has been written since the last PSH (every other 1000-byte buffer against window 3000).
 */
import { describe, expect, it } from 'vitest';
import { formatFailure, runScript } from '../../pktdrill/run.ts';

const LISTEN = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 8) = 0
`;

function pass(text: string): void {
  const r = runScript(text, { file: 'sws.pkt' });
  expect(r.status, r.failure ? formatFailure(r.failure) : '').toBe('pass');
}

function fails(text: string): string {
  const r = runScript(text, { file: 'sws.pkt' });
  expect(r.status).toBe('fail');
  return formatFailure(r.failure!);
}

describe('sender silly-window avoidance', () => {
  const smallWindow = `${LISTEN}+0 < S 0:0(0) win 1500 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
+.1 < . 1:1(0) ack 1 win 1500
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 3000) = 3000
`;

  it('a peer whose window is 1500 bytes gets 750-byte segments (half its largest window), not 1000 + 500', () => {
    pass(`${smallWindow}+0 > . 1:751(750) ack 1\n+0 > P. 751:1501(750) ack 1\n`);
    expect(fails(`${smallWindow}+0 > . 1:1001(1000) ack 1\n`)).toContain('1:751(750)');
  });

  const shrinking = `${LISTEN}+0 < S 0:0(0) win 3000 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
+.1 < . 1:1(0) ack 1 win 3000
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 5000) = 5000
+0 > . 1:1001(1000) ack 1
+0 > P. 1001:2001(1000) ack 1
+0 > . 2001:3001(1000) ack 1
`;

  it('no room for a full segment while data is in flight: wait for the ACK instead of sending a sliver', () => {
    // ACK 2001 with window 1500 ends the window at 3501: room for 500 bytes past SND.NXT 3001,
    // less than a segment, while 1000 bytes are in flight. Linux waits for the next ACK.
    pass(`${shrinking}+.1 < . 1:1(0) ack 2001 win 1500
+.1 < . 1:1(0) ack 3001 win 3000
+0 > P. 3001:5001(2000) ack 1
`);
    expect(fails(`${shrinking}+.1 < . 1:1(0) ack 2001 win 1500
+0 > . 3001:3501(500) ack 1
`)).toMatch(/missing|sent nothing|never sent/i);
  });

  it('room for a full segment: it goes, and the rest of that transmission is cut at the window edge', () => {
    // ACK 2001 with window 2500 ends the window at 4501: 1000 + 500 leave together (one TSO
    // packet on Linux), and the last 500 bytes wait (Nagle: a small segment is unacknowledged).
    pass(`${shrinking}+.1 < . 1:1(0) ack 2001 win 2500
+0 > P. 3001:4501(1500) ack 1
+.1 < . 1:1(0) ack 3001 win 3000
+.1 < . 1:1(0) ack 4501 win 3000
+0 > P. 4501:5001(500) ack 1
`);
  });
});
