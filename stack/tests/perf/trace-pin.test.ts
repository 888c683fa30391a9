/**
 * Speed work must not change behaviour: the same seed gives the same run. These digests pin, for
 * every named scenario and for small versions of the benchmark workloads, the JSON of the whole
 * trace and of everything else the run reports (see ./workloads.ts). They were first taken at
 * 3cd2a1a, before any speed work, and regenerated at 3f7df5e for that commit's deliberate changes
 * to TCP; at 3f2f8f7 the stack with every "perf:" commit reverse-applied still gives exactly them.
 * last-ack-new-syn was regenerated when a FIN on a connection that never received data got its
 * delayed-ACK timer due at once (Linux's ato is 0 until the first data): its timer's due time moved.
 * fin-wait-2-timeout and the workloads were regenerated when TcpExtTW moved from TIME_WAIT's expiry
 * to the moment a socket becomes a timewait sock (measured on 6.18): only that counter changed.
 * request/response and the bulk workloads were regenerated when a read that empties the receive
 * queue began sending the pending delayed ACK of a segment that ended a write (tcp_cleanup_rbuf),
 * data after a silence longer than the RTO began quickack mode again, and a reply sent within ato
 * of the request began ping-pong mode (all measured on 6.18): bare ACKs go out sooner, or not at
 * all when a reply carries them; no scenario changed.
 * Regenerated for RACK-TLP (issue 14): on SACK connections — every scenario negotiates SACK — a
 * loss-probe timer now stands where the RTO timer stood after data or a FIN is sent (Linux
 * tcp_schedule_loss_probe), so timer events name 'loss-probe'; in time-wait-lost-ack the FIN resent
 * at 2210 ms is a tail loss probe (TCPLossProbes, not TCPTimeouts) and the next RTO is due 210 ms
 * later, not 420; the workloads also move by the FIN held behind a zero window and the scoreboard.
 * close-wait-write and close-wait-write-after-close were pinned when they were added (writing in
 * CLOSE_WAIT after a half-close, and to a peer that closed completely); no other digest moved.
 * The bulk workloads were regenerated when PSH moved to the last segment of each burst (measured
 * on 6.18, KERNEL.md finding 16): the flags, and with them when a reading receiver sends its ACK
 * (a segment with PSH marks ICSK_ACK_PUSHED); no scenario moved. The lossy-link workloads moved
 * again when RACK's reordering timer began counting 4 ms jiffies plus two (KERNEL.md finding 22).
 * The bulk workloads moved when the send queue became bounded by the send buffer (KERNEL.md
 * finding 25): their 64 KB writes now wait for room (tcp_sndbuf_expand grows the buffer with cwnd)
 * and the write() syscall events come when each write has queued its last byte. Over the lossy
 * link cwnd never outgrows the buffer, so only the traced run moved (its syscall events); no
 * scenario moved.
 * Limited transmit and PRR (KERNEL.md finding 30) moved the bulk workloads once more: the lossless ones
 * only because a burst of one segment that does not end the queue no longer carries PSH (with
 * that rule reverted they give the earlier digests), the lossy ones also by the recovery itself
 * (cwnd counted as the pipe, PRR, Reno's ssthresh from cwnd, reordering seen) and because
 * TCPFastRetrans now counts every segment resent in recovery, as Linux does; no scenario moved.
 * The digests below are those of the bounded send queue and the recovery together (each was
 * regenerated on its own branch first).
 * The receiver's SACK blocks most recent first and D-SACK (KERNEL.md finding 31) moved the lossy
 * workloads (block order, D-SACKs of duplicated and spuriously resent data, and the sender's
 * reaction to them: TCPDSACKRecv, fewer fast retransmits) and "bulk, untraced" by counters only:
 * its one tail loss probe resends data already received, which the server now D-SACKs
 * (TCPDSACKOldSent 1, TCPDSACKRecv 1; segments, times and data unchanged); no scenario moved.
 * Slow start growing cwnd only while cwnd limits the sender (tcp_is_cwnd_limited, finding 32)
 * moved the traced bulk run: the bounded send buffer leaves the writer short of cwnd at times,
 * and the trace records cwnd. The digests below are of all of these together.
 * The reordering degree and the Disorder state (KERNEL.md finding 33) moved the lossy workloads
 * only: their link reorders, so holes below the highest SACK fill late (TCPSACKReorder), the
 * degree grows, cwnd then grows on SACK-only ACKs too (tcp_may_raise_cwnd), and an ACK that
 * SACKs without proving loss puts the sender in Disorder, where no tail loss probe is scheduled;
 * more recoveries follow from the larger cwnd (TCPSackRecovery 30 → 41); no scenario moved.
 * The send buffer growing at an ACK whose own transmissions then fill cwnd (tcp_new_space sees the
 * flight before them; measured on 6.18, KERNEL.md finding 40) moved the four bulk workloads: their
 * blocked 64 KB writes get room sooner. With the old test (flight after the push) they give the
 * earlier digests; poll/epoll and the ACK of multi-MSS segments moved nothing; no scenario moved.
 * The digests below are of the reordering degree and the send buffer's growth together (each was
 * regenerated on its own branch first; with both, the untraced lossy run happens to match the
 * reordering branch's).
 * request/response and the traced bulk run moved when a small segment Nagle holds began leaving
 * at once with the FIN when the application closes (tcp_nagle_test lets a segment carrying the
 * FIN go; measured on 6.18, teardown/close-after-small-write-nagle, KERNEL.md finding 41) instead
 * of waiting for the ACK or the loss probe; no scenario moved.
 * The digests below are of all three together.
 * RTT samples from every ACK (tcp_ack_update_rtt: timed from the oldest segment it newly
 * acknowledges, else from a newly SACKed one, else from TS ecr when all it covers was resent) and
 * Linux's estimator (mdev, the round trip's largest mdev as rttvar, RTO = SRTT + rttvar; measured on
 * 6.18, KERNEL.md finding 50) moved the traced bulk runs and "bulk, untraced": SRTT, and with it
 * the RTO and the loss probe's timeout, now follows every ACK instead of one timed segment per
 * round trip. The lossy untraced run and every scenario kept their digests.
 * Undo of spurious recoveries (issue 14, KERNEL.md findings 51–53) moved the lossy workloads only:
 * their link reorders, and ACKs that echo the timestamp of a delayed original now undo the fast
 * recovery the hole started (tcp_try_undo_partial, measured on 6.18 with teardown/
 * recovery-undo-partial; TCPPartialUndo 8 traced, 18 untraced, each with TCPTSReorder), one
 * recovery in the untraced run is undone at its end (TCPFullUndo 1) and two by D-SACKs
 * (TCPDSACKUndo 2); cwnd stays larger, so fewer recoveries follow (TCPSackRecovery 23 → 17 and
 * 41 → 38). Neither run has a retransmission timeout, so F-RTO plays no part (with tcp_frto=0
 * they give the same digests). The traced run moved once more, by its timer events only, when a
 * resend of the head began restarting the RTO (tcp_xmit_retransmit_queue, measured on 6.18 with
 * teardown/frto-off-after-recovery, KERNEL.md finding 54); no scenario moved.
 * SACK compression (KERNEL.md finding 55, measured on 6.18) moved the lossy workloads only: their
 * receiver sees runs of out-of-order segments, and from the fourth ACK at one RCV.NXT it holds
 * each ACK for min(5 % of the RTT, 1 ms) + 0.1 ms so that one ACK covers what arrives meanwhile
 * (untraced run: the server's segments 1309 → 1185, TCPAckCompressed 95; the sender sees fewer
 * duplicate ACKs, TCPSackRecovery 41 → 37, TCPFastRetrans 64 → 56); no scenario moved.
 * RACK's reordering window growing with D-SACKs (reo_wnd_steps, KERNEL.md finding 56, measured on
 * 6.18) moved the lossy workloads only: their link reorders, so resends turn out spurious, the
 * D-SACKs widen the window and later reordering is waited out (untraced run: TCPSackRecovery
 * 37 → 23, TCPFastRetrans 56 → 41, TCPDSACKRecv 29 → 13); no scenario moved.
 * Each of these was regenerated on its own branch first (the figures above are each branch's
 * own); the digests below are of all four together (finding 50 and findings 51–56).
 * PSH as 6.18 sets it (KERNEL.md finding 58: every packet of more than one segment ends with PSH,
 * __tcp_transmit_skb; a buffer forced_push marks keeps PSH; no burst-end rule) moved the traced
 * runs that send more than one segment at a time — flood (the client's 3000-byte write now leaves
 * as a 2-segment packet with PSH, then its end), bulk, and the lossy link, whose receiver sends its
 * ACKs at other times (a PSH segment sets ICSK_ACK_PUSHED), which moved the untraced lossy run
 * too. No scenario moved.
 *
 * A failure here after a change meant as an optimisation is a behaviour change: find it. A deliberate
 * change to the stack's behaviour moves these digests too; then regenerate them from the new code
 * and say in the commit which behaviour changed.
 */
import { describe, expect, it } from 'vitest';
import { WORKLOADS, digest, scenarioDigest, scenarioNames } from './workloads.ts';

const SCENARIO_DIGESTS: Record<string, string> = {
  'handshake': '4621816c5f86a7321197d7a043719dc6',
  'handshake-lost-synack': '7199615f24f186c3437c5cba058d89a4',
  'connect-refused': '92fc79325ed881196b3b1fe69ee1b3ef',
  'connect-timeout': '584ae7d4f7662edf85018f70786c23ae',
  'simultaneous-open': 'aa8df323d7e648e41a5dbbd53783081c',
  'teardown': 'd541374a6cb6cba3b7b2a663c9aa748c',
  'teardown-delayed-ack': '8a38cc961dfc79b38ae7c3cfb97580e2',
  'simultaneous-close': '4418c60d6c062a68f165fd4cbb81297d',
  'time-wait-lost-ack': 'd7c2ee1e4259edccad39a7df283bd8d0',
  'fin-wait-2-timeout': '3c1cb6c16052ec3b3c57b9bd6f9d32c7',
  'last-ack-new-syn': '49c8633795f28d7be31ac5b19085f28e',
  'close-with-unread-data': '67e83bb5cdb415f4c7c470bea3a7ed04',
  'close-wait-write': 'ed821d27c328d93717835f97c686ae8c',
  'close-wait-write-after-close': '9ce06f1b48eb2bdef6ff9713c7141683',
  'syn-flood': '0064838d1d266e2f7fbf01120c62eff1',
  'syn-flood-no-cookies': '9e70cf8ae6177c9c48e03622aec7b92d',
  'accept-queue-overflow': '5eed7e44f85ca12a1046f753135000e5',
  'accept-queue-overflow-abort': '6197db2c81328778e870322e4d0b29c6',
  'keepalive-dead-peer': '04d1ec547351face0e913350066bd8eb',
  'keepalive-rebooted-peer': '2f52b421265a396735da83acde8384b5',
  'keepalive-alive-peer': '21bb6bf1e8bf83087880873fc3601d32',
};

const WORKLOAD_DIGESTS: Record<string, string> = {
  'flood, traced': '6fc6c0fa9b27242dcfa5fd650d8ed54c',
  'flood, untraced': 'de7a60d19eb184cd1898b1ad03423016',
  'request/response, traced': 'c9d4578fa645c851c8b98d50d5633a85',
  'request/response, untraced': '14d3237d1706f92cb52e2b1101e224a8',
  'bulk, traced': '794917d4ad5d1e9b72a1bb0b1d885d56',
  'bulk, untraced': 'bbc1aeb3b294cbc3febc2bd9580b45c6',
  'bulk over a lossy link, traced': '668f2ca542ccb4150c9fffca73f70540',
  'bulk over a lossy link, untraced': 'b6716c967cbb3221962fe2e7d1bad66d',
};

describe('same seed, same run: scenarios', () => {
  it('pins every named scenario, and nothing else', () => {
    expect(scenarioNames().sort()).toEqual(Object.keys(SCENARIO_DIGESTS).sort());
  });
  it.each(Object.keys(SCENARIO_DIGESTS))('%s', (name) => {
    expect(scenarioDigest(name), `scenario "${name}": its trace or results differ from the pinned run`).toBe(SCENARIO_DIGESTS[name]);
  });
});

describe('same seed, same run: benchmark workloads, traced and untraced', () => {
  it('pins every workload', () => {
    expect(Object.keys(WORKLOADS).sort()).toEqual(Object.keys(WORKLOAD_DIGESTS).sort());
  });
  it.each(Object.keys(WORKLOAD_DIGESTS))('%s', (name) => {
    expect(digest(WORKLOADS[name]()), `workload "${name}": its trace or results differ from the pinned run`).toBe(WORKLOAD_DIGESTS[name]);
  });
});
