/**
 * stack/testing — the test kit for the TCP stack (pure TypeScript: no vitest, no Node APIs, so
 * the labs' hidden tests can run it in a browser worker too). Stable API; additions only.
 *
 * ── The peer harness (./harness.ts) ──────────────────────────────────────────────────────────
 *   const h = new PeerHarness({ seed?, sysctls?, delay? = 0, peerIss? = 1000, hostPort?, peerPort? })
 *   h.world, h.host (the stack host under test, 10.0.0.2), h.peer (a recording NetworkNode, 10.0.0.1)
 *   h.send(t, { flags: 'S', seq?, ack?, window?, options?, payload? })  peer → host at time t
 *       defaults: seq = peer ISN (SYN) or peer ISN + 1; ack = host ISN + 1 when '.' is set; window 64240
 *   h.sendBytes(t, bytes)                        raw (possibly garbage) bytes to the host
 *   h.expectSegment(t, { flags, seq|rseq, ack|rack, window, len, payload, options, test })
 *       the host sends exactly this at exactly t, and nothing before t since the last expectation;
 *       rseq is relative to the host's ISN, rack to the peer's (packetdrill numbers). Returns it.
 *   h.expectNothingUntil(t)                      nothing from now up to AND including t
 *   h.advanceTo(t)                               run the clock; what the host sends waits in h.pending()
 *   h.discard()                                  drop pending segments unchecked
 *   h.act(text, fn)                              a syscall or sysctl change as a numbered step
 *   h.check(text, () => problem | null), h.expectEqual(name, actual, expected), h.fail(message)
 *   h.expectState(conn, 'TIME_WAIT')             the connection's state now (CLOSED once destroyed)
 *   h.pSeq(n) = peer ISN + n, h.hSeq(n) = host ISN + n (mod 2^32); h.hostIss is learned from the
 *       host's first SYN/SYN-ACK; h.peerIss; h.now; h.seed; h.stepList()
 * Exact times: with the default zero delay, "nothing at t − 1, the segment at t" is
 *   h.expectNothingUntil(t - 1); h.expectSegment(t, ...).
 * An exception inside the host (a bug, or a lab's notImplemented) fails the current step at once;
 * so does one thrown by a syscall run through h.act (syscalls run outside the host's guard).
 * Fixtures run their syscalls through h.act, so an unfinished lab region fails as a numbered step.
 *
 * ── Failures (./steps.ts) ────────────────────────────────────────────────────────────────────
 * Every action and expectation is a numbered Step { n, kind: 'action' | 'expect', t, text, ok }.
 * A failed expectation throws TcpTestFailure whose message holds: the learner sentence ("expected
 * a SYN-ACK acknowledging peer ISN+1 = 1001 at 0 ms, but it acknowledged peer ISN+0 = 1000 ..."),
 * the numbered steps with the failing one starred, expected vs actual in packetdrill notation
 * (relative numbers), the seed and the last 12 segments. `.detail`, `.steps`, `.seed` for graders.
 *
 * ── Driven fixtures (./fixtures.ts): reached by really running the stack ─────────────────────
 *   listen()                 socket/bind/listen                       code: socket.ts, listen-queues effectiveBacklog
 *   synSent()                connect(); SYN at t=0                    + handshake activeOpen/chooseIss
 *   synReceived()            server: peer SYN → SYN-ACK, `req` is the request sock
 *                            (role 'client': simultaneous open, a full conn in SYN_RECV)
 *                                                                    + listener, listen-queues admitSyn, handshake newRequest/synAckFor
 *   established()            full handshake; role 'client' (default) or 'server' (accept())
 *                                                                    + onSegmentInSynSent / checkRequestSegment, establishFromRequest
 *   finWait1({ how })        close() (default) or shutdown(SHUT_WR); FIN sent      + teardown closeConnection/shutdownWrite
 *   finWait2({ how })        + peer ACKs the FIN                      + teardown onAckOfFin (and finWait2Orphaned if closed)
 *   finWait2Orphaned(), finWait2HalfClosed()   the two variants
 *   closing()                FIN_WAIT_1 + peer FIN (our FIN unacked); host ACKs at once   + teardown onFin
 *   timeWait({ via })        'fin-wait-2' (default): peer FIN, host ACK; 'closing': peer ACKs our FIN
 *                                                                    + teardown onFin/onAckOfFin, enterTimeWait
 *   closeWait()              established + peer FIN; ACK at once (no data yet)  + teardown onFin
 *   lastAck()                CLOSE_WAIT + close(); FIN sent           + teardown closeConnection
 * Options: { role, rtt = 10, peerOptions = <mss 1460>, backlog = 5, beforeOpen(host, fd), seed, sysctls, peerIss }.
 * Each returns { h, host, fd, conn, listenFd, req, hostIss, peerIss, now, openCall } (listen():
 * { h, host, fd, listener, now }). The peer answers one `rtt` after the host's segment, so the
 * handshake's RTT sample is 10 ms and the RTO 210 ms (SRTT + max(4·RTTVAR, 200 ms)).
 *
 * ── Placed fixtures (./placed.ts): constructed directly, for lab tests ───────────────────────
 *   placeConnection(state, { role, hostIss = 5000, peerIss = 1000, orphan = true, sockopts, peerWindow, mss, srtt = 10, tsRecent })
 *     state ∈ SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT.
 *     Builds the Connection with consistent ISS, IRS, SND.* and RCV.* fields, no SACK/wscale, MSS 1460,
 *     no timestamps unless tsRecent is given (then TS on, ts_recent = tsRecent stamped now, MSS 1448);
 *     SYN_SENT has no IRS yet, MSS 536 and our window scale offered, as after connect()
 *     (labs/tests/placed-fixtures.test.ts holds every placed state to the driven one). It
 *     puts it in host.connections, gives it a descriptor unless orphaned (fd = -1), and runs ONLY:
 *       lifecycle setState (all states); send armRetransmit (SYN_SENT, and states with our FIN
 *       unacknowledged: FIN_WAIT_1, CLOSING, LAST_ACK); teardown enterTimeWait (TIME_WAIT — the
 *       TIME_WAIT timer, teardown task 3); teardown finWait2Orphaned (orphaned FIN_WAIT_2 —
 *       teardown task 4); keepalive resetKeepaliveTimer (sockopts.keepalive).
 *     It never runs handshake code, close()/shutdown(), onFin or onAckOfFin.
 *   placeListener({ backlog }) a Listener with sk_max_ack_backlog = backlog exactly (no
 *     effectiveBacklog), on a descriptor.
 *   placeRequest(listenFixture, peerPort, { hostIss }) a request sock on the SYN queue (no SYN-ACK
 *     sent, no SYN-ACK timer: that lives in listener.ts); runs no admitSyn/newRequest.
 *   placeChild(listenFixture, peerPort, { hostIss }) an ESTABLISHED child in the accept queue,
 *     without the queue checks; accept() returns it.
 *   attachDescriptor(host, conn) gives any connection a descriptor, as accept() would.
 *
 * ── Invariants (./invariants.ts) ─────────────────────────────────────────────────────────────
 *   invariantViolations(host): string[] — SND.UNA ≤ SND.NXT ≤ SND.MAX, no closed connection in
 *   the table, valid states, TIME_WAIT count, accept queue ≤ backlog + 1, SYN queue ⇔ request table.
 *   h.steps.check = () => problem | null runs before every recorded step (the labs' authoring
 *   runs set it to invariantViolations), so a test fails at the first step after a violation.
 */
export { PeerHarness, PeerNode, parseFlags, describeFlags } from './harness.ts';
export type { CapturedSegment, HarnessOptions, SegmentFields, SegmentMatch } from './harness.ts';
export { StepRecorder, TcpTestFailure } from './steps.ts';
export type { Step, StepKind, FailureDetail } from './steps.ts';
export {
  PEER_MSS_ONLY,
  closeWait,
  closing,
  established,
  finWait1,
  finWait2,
  finWait2HalfClosed,
  finWait2Orphaned,
  lastAck,
  linuxSynOptions,
  listen,
  synReceived,
  synSent,
  timeWait,
} from './fixtures.ts';
export type { CloseOptions, FixtureOptions, ListenFixture, StateFixture } from './fixtures.ts';
export { attachDescriptor, placeChild, placeConnection, placeListener, placeRequest } from './placed.ts';
export type { PlacedOptions, PlacedState } from './placed.ts';
export { TCP_STATES, invariantViolations } from './invariants.ts';
