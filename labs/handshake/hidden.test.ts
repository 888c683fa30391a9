/**
 * Hidden tests of the handshake lab (graded). Each test starts from a fixture built with the
 * reference code (stack/testing), then drives the learner's code with hand-built segments at
 * exact virtual times. Timings are Linux v6.18's (see /work/shared/reference/tcp-facts.md):
 * SYNs at 0,1,2,3,4,5,7,11,19,35,67 s and ETIMEDOUT at 131 s; SYN-ACKs at 0,1,3,7,15,31 s and
 * the request dropped at 63 s.
 */
import { labTest } from '../kit/scoring.ts';
import { chooseIss } from '../../stack/core/tcp/handshake.ts';
import { parseAddr } from '../../stack/core/wire/format.ts';
import { sipKeyFromWords } from '../../stack/core/tcp/siphash.ts';
import { established, linuxSynOptions, listen, synReceived, synSent, type StateFixture } from '../../stack/testing/fixtures.ts';
import type { LabTestContext } from '../kit/context.ts';
import { expectCallResult, expectField, expectPending, expectSegmentsAt, expectState, expectSynQueue, linuxIsn, tsOf, tsVal } from './support.ts';

// ---------------------------------------------------------------------------------------------
// Task 1 — the initial sequence number
// ---------------------------------------------------------------------------------------------

labTest('the SYN carries the RFC 6528 ISN: SipHash of the 4-tuple plus the 64 ns clock', { task: 1 }, (t) => {
  const h = t.harness({ peerPort: 80 });
  const fd = h.act('socket()', () => h.host.api.socket());
  if (!fd.ok) return h.fail('socket() failed');
  h.act('bind(40000)', () => h.host.api.bind(fd.value, 0, 40000));
  h.advanceTo(1234);
  h.act('connect() to peer:80 at 1234 ms', () => h.host.api.connect(fd.value, h.peerAddr, 80));
  const want = linuxIsn(h.host, h.hostAddr, 40000, h.peerAddr, 80);
  h.expectSegment(1234, { flags: 'S', seq: want, test: (s) => (s.srcPort === 40000 ? null : `it came from port ${s.srcPort}, not the bound port 40000`) },
    `the SYN's sequence number is SipHash(10.0.0.2, 10.0.0.1, 40000 << 16 | 80) + clock = ${want}`);
});

labTest('the same 4-tuple later gets a larger ISN: the clock adds 15,625 per millisecond', { task: 1 }, (t) => {
  const h = t.harness();
  const host = h.host;
  const first = h.act('chooseIss(10.0.0.2:40000 → 10.0.0.1:80) at 0 ms', () => chooseIss(host, h.hostAddr, 40000, h.peerAddr, 80));
  h.advanceTo(2500);
  const second = h.act('the same 4-tuple at 2500 ms', () => chooseIss(host, h.hostAddr, 40000, h.peerAddr, 80));
  h.check('the ISN grew by 2500 × 15625 = 39,062,500 (mod 2^32)', () => {
    const grew = (second - first) >>> 0;
    return grew === 39_062_500 ? null : `expected the ISN 2.5 s later to be larger by 39,062,500 (one tick of 64 ns, 15,625 ticks per ms), but it changed by ${grew} — is the clock part of the ISN missing or scaled wrongly?`;
  });
  h.advanceTo(2500.5);
  const third = h.act('the same 4-tuple at 2500.5 ms', () => chooseIss(host, h.hostAddr, 40000, h.peerAddr, 80));
  h.check('half a millisecond later the clock has moved 7812 ticks', () => {
    const grew = (third - second) >>> 0;
    return grew === 7812 ? null : `expected the ISN 0.5 ms later to be larger by 7812 (the clock counts 64 ns ticks, not whole milliseconds), but it changed by ${grew}`;
  });
});

labTest('every part of the 4-tuple goes into the hash, in secure_tcp_seq() order', { task: 1 }, (t) => {
  const h = t.harness();
  const host = h.host;
  h.advanceTo(777);
  const a = parseAddr('192.168.1.10');
  const b = parseAddr('172.16.0.99');
  const tuples: Array<[number, number, number, number, string]> = [
    [a, 40000, b, 80, 'the base 4-tuple'],
    [a, 40001, b, 80, 'another local port'],
    [a, 40000, b, 443, 'another remote port'],
    [b, 40000, a, 80, 'the addresses swapped'],
    [a, 80, b, 40000, 'the ports swapped'],
    [parseAddr('192.168.1.11'), 40000, b, 80, 'another local address'],
    [a, 40000, parseAddr('172.16.0.98'), 80, 'another remote address'],
  ];
  for (const [la, lp, ra, rp, what] of tuples) {
    const got = h.act(`chooseIss for ${what}`, () => chooseIss(host, la, lp, ra, rp));
    const want = linuxIsn(host, la, lp, ra, rp);
    h.check(`ISN for ${what} = ${want}`, () =>
      got === want ? null : `expected the ISN for ${what} (local ${lp}, remote ${rp}) to be SipHash([localAddr, remoteAddr, localPort << 16 | remotePort]) + clock = ${want}, but it was ${got}`);
  }
});

labTest('the ISN depends on the boot-time secret: another secret, another ISN', { task: 1 }, (t) => {
  const h = t.harness();
  const host = h.host;
  const before = h.act('chooseIss with the boot secret', () => chooseIss(host, h.hostAddr, 40000, h.peerAddr, 80));
  const saved = host.secrets.isn;
  host.secrets.isn = sipKeyFromWords([saved.k0lo ^ 0x5a5a5a5a, saved.k0hi ^ 0x1234567, saved.k1lo, saved.k1hi]);
  const after = h.act('chooseIss with a different secret, same instant', () => chooseIss(host, h.hostAddr, 40000, h.peerAddr, 80));
  const want = linuxIsn(host, h.hostAddr, 40000, h.peerAddr, 80);
  host.secrets.isn = saved;
  h.check('the ISN follows the secret', () =>
    after === want && after !== before ? null : `expected the ISN under another secret to be ${want} (keyed by host.secrets.isn), but it was ${after}${after === before ? ' — the same as before: is the hash keyed with the host secret?' : ''}`);
});

labTest('the ISN is an unsigned 32-bit number: clock + hash wraps around modulo 2^32', { task: 1 }, (t) => {
  const h = t.harness();
  const host = h.host;
  // Put the wall clock where the 64 ns counter is about to wrap, so clock + hash overflows.
  host.secrets.clockOffsetMs = 274_877 + 0.9; // 274,877.9 ms × 15625 ≈ 2^32 − 13,000
  const ports = Array.from({ length: 40 }, (_, i) => 50000 + i);
  const got = h.act('chooseIss for local ports 50000–50039 just before the clock wraps', () => ports.map((p) => chooseIss(host, h.hostAddr, p, h.peerAddr, 80)));
  let wrapped = 0;
  ports.forEach((port, i) => {
    const want = linuxIsn(host, h.hostAddr, port, h.peerAddr, 80);
    if (want < 0x80000000) wrapped++;
    h.check(`ISN for local port ${port} = ${want}`, () =>
      Number.isInteger(got[i]) && got[i] >= 0 && got[i] <= 0xffffffff && got[i] === want
        ? null
        : `expected the ISN for local port ${port} to be ${want}, a whole number in 0…4294967295 (sequence numbers wrap modulo 2^32 — keep the sum with >>> 0), but it was ${got[i]}`);
  });
  h.check('some of these sums wrapped past 2^32', () => (wrapped > 0 ? null : 'test setup: no sum wrapped'));
});

// ---------------------------------------------------------------------------------------------
// Task 2 — a segment arrives in SYN-SENT
// ---------------------------------------------------------------------------------------------

labTest('a SYN-ACK acknowledging ISN+1 completes the handshake: ESTABLISHED, the ACK, connect() returns 0', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT, SYN sent at 0 ms', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1, options: 'none' }, 'the third segment: <SEQ=ISN+1><ACK=peer ISN+1><CTL=ACK>');
  expectState(h, f.conn!, 'ESTABLISHED');
  expectCallResult(h, 'connect()', f.openCall!, 'ok', 10);
  h.expectNothingUntil(3000, 'no SYN is retransmitted once the SYN-ACK has arrived');
});

labTest('after the SYN-ACK the TCB holds IRS, RCV.NXT, SND.UNA and the send window from it', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  const conn = f.conn!;
  h.send(10, { flags: 'S.', seq: 777_000, ack: h.hSeq(1), window: 30000, options: [{ kind: 'mss', value: 1460 }] });
  h.discard();
  expectField(h, 'IRS', conn.irs, 777_000, 'the SYN-ACK\'s sequence number');
  expectField(h, 'RCV.NXT', conn.rcvNxt, 777_001, 'IRS + 1: the SYN takes one sequence number');
  expectField(h, 'SND.UNA', conn.sndUna, h.hSeq(1), 'ISS + 1: the SYN is acknowledged');
  expectField(h, 'SND.WND', conn.sndWnd, 30000, 'the SYN-ACK\'s window, never scaled (RFC 7323 §2.2)');
  expectField(h, 'SND.WL1', conn.sndWl1, 777_000, 'SEG.SEQ of the segment that set the window');
  expectField(h, 'SND.WL2', conn.sndWl2, h.hSeq(1), 'SEG.ACK of the segment that set the window');
  expectField(h, 'the largest window seen (max_window)', conn.maxSndWnd, 30000);
});

labTest('the window in the SYN-ACK limits the first data: 1000 bytes go out, no more', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S.', ack: h.hSeq(1), window: 1000, options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 });
  h.act('write 3000 bytes', () => h.host.api.write(f.fd, 'x'.repeat(3000)));
  // Linux bounds segments by half the peer's largest window (tcp_bound_to_half_wnd): 2 × 500.
  h.expectSegment(10, { flags: '.', rseq: 1, len: 500 }, 'a 500-byte segment: the peer offered a 1000-byte window, and segments are at most half of it');
  h.expectSegment(10, { flags: 'P.', rseq: 501, len: 500 }, 'the second half of the 1000-byte window, with PSH: it ends the burst (Linux 6.18, KERNEL.md finding 16)');
  h.expectNothingUntil(200, 'nothing more until the peer opens its window');
});

labTest('data that arrives right after the handshake is accepted at RCV.NXT = IRS+1', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 });
  h.send(20, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'hello' });
  h.advanceTo(300);
  h.discard();
  expectField(h, 'RCV.NXT', f.conn!.rcvNxt, h.pSeq(6), 'peer ISN + 1 + 5 bytes of "hello"');
  h.check('the 5 bytes wait in the receive queue', () => (f.conn!.recvQueue.length === 5 ? null : `expected the 5 bytes to be queued for read(), but the receive queue holds ${f.conn!.recvQueue.length}`));
});

labTest('the handshake gives the first RTT sample: SYN-ACK after 10 ms → RTO 210 ms for the first data', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 });
  h.act('write 100 bytes', () => h.host.api.write(f.fd, 'y'.repeat(100)));
  h.expectSegment(10, { flags: 'P.', rseq: 1, len: 100 });
  h.expectNothingUntil(219, 'no retransmission before SRTT + max(4·RTTVAR, 200 ms) = 10 + 200 = 210 ms');
  h.expectSegment(220, { flags: 'P.', rseq: 1, len: 100 }, 'the data is resent 210 ms after it was sent (RTO from the handshake RTT)');
});

labTest('after a retransmitted SYN there is no RTT sample (Karn): data starts with a 3 s RTO', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT; the first SYN is lost and resent at 1000 ms', (o) => {
    const s = synSent(o);
    s.h.expectSegment(1000, { flags: 'S', rseq: 0 });
    return s;
  });
  const { h } = f;
  h.send(1010, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(1010, { flags: '.', rseq: 1, rack: 1 });
  h.act('write 100 bytes', () => h.host.api.write(f.fd, 'z'.repeat(100)));
  h.expectSegment(1010, { flags: 'P.', rseq: 1, len: 100 });
  h.expectNothingUntil(4009, 'RFC 6298 §5.7: no sample from a handshake that needed a retransmission, so the RTO is 3 s');
  h.expectSegment(4010, { flags: 'P.', rseq: 1, len: 100 }, 'the data is resent after the 3 s fallback RTO');
});

labTest('with timestamps, the SYN-ACK\'s echo times the retransmitted SYN exactly: RTO 210 ms', { task: 2 }, (t) => {
  let synTs = 0;
  const f = t.fixture('client in SYN_SENT; the first SYN is lost and resent at 1000 ms', (o) => {
    const s = synSent(o);
    const again = s.h.expectSegment(1000, { flags: 'S', rseq: 0 });
    synTs = tsOf(again)?.val ?? 0;
    return s;
  });
  const { h } = f;
  h.send(1010, { flags: 'S.', ack: h.hSeq(1), options: linuxSynOptions(5000, synTs) });
  const ack = h.expectSegment(1010, { flags: '.', rseq: 1, rack: 1 });
  h.check('the ACK echoes the peer\'s TSval 5000', () => (tsOf(ack)?.ecr === 5000 ? null : `expected the ACK to carry TS ecr 5000 (the peer's TSval), but it carried ${tsOf(ack) ? `ecr ${tsOf(ack)!.ecr}` : 'no timestamp option'}`));
  h.act('write 100 bytes', () => h.host.api.write(f.fd, 'w'.repeat(100)));
  h.expectSegment(1010, { flags: 'P.', rseq: 1, len: 100 });
  h.expectNothingUntil(1219, 'the echoed TSval measures 10 ms, so the RTO is 210 ms');
  h.expectSegment(1220, { flags: 'P.', rseq: 1, len: 100 });
});

labTest('the options both sides sent are used: MSS 1448 with timestamps, the peer\'s window scale, SACK', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  const conn = f.conn!;
  h.send(10, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1400 }, { kind: 'sackOK' }, { kind: 'ts', val: 99, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', shift: 5 }] });
  h.discard();
  expectField(h, 'the send MSS', conn.mss, 1388, 'min(peer MSS 1400, 1460) − 12 bytes of timestamp option');
  expectField(h, 'the peer\'s window scale', conn.sndWscale, 5);
  h.check('timestamps and SACK are on', () => (conn.tsOk && conn.sackOk && conn.wscaleOk ? null : `expected timestamps, SACK and window scaling to be agreed (both sides offered them), but tsOk=${conn.tsOk} sackOk=${conn.sackOk} wscaleOk=${conn.wscaleOk}`));
});

labTest('a SYN-ACK without options: MSS 536 (RFC 9293 §3.7.1), no timestamps, no window scaling', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  const conn = f.conn!;
  h.send(10, { flags: 'S.', ack: h.hSeq(1), options: [] });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1, options: 'none' }, 'the ACK carries no options: timestamps were not agreed');
  expectField(h, 'the send MSS', conn.mss, 536, 'no MSS option means 536');
  h.check('no window scaling', () => (!conn.wscaleOk && conn.sndWscale === 0 && conn.rcvWscale === 0 ? null : `expected window scaling off in both directions (the peer did not offer it), but wscaleOk=${conn.wscaleOk}, sndWscale=${conn.sndWscale}, rcvWscale=${conn.rcvWscale}`));
});

labTest('a SYN-ACK acknowledging ISN instead of ISN+1 draws RST <SEQ=SEG.ACK> and changes nothing', { task: 2, weight: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S.', ack: h.hSeq(0) });
  h.expectSegment(10, { flags: 'R', rseq: 0, options: 'none' }, 'RST with SEQ = the bad SEG.ACK (RFC 9293 §3.10.7.3)');
  expectState(h, f.conn!, 'SYN_SENT', 'an unacceptable ACK is not a connection');
  expectPending(h, 'connect()', f.openCall!);
});

labTest('an ACK beyond SND.NXT (ISN+2) draws RST <SEQ=ISN+2>', { task: 2, weight: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S.', ack: h.hSeq(2) });
  h.expectSegment(10, { flags: 'R', rseq: 2 }, 'RST with SEQ = SEG.ACK = ISN+2');
  expectState(h, f.conn!, 'SYN_SENT');
});

labTest('an old duplicate SYN-ACK (RFC 9293 Figure 8): RST, and Linux resends the SYN 2 ms later', { task: 2, weight: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  const old = h.hSeq(-400_000);
  h.send(10, { flags: 'S.', seq: 9000, ack: old });
  h.expectSegment(10, { flags: 'R', seq: old }, 'RST <SEQ=SEG.ACK> for the old connection\'s SYN-ACK');
  expectState(h, f.conn!, 'SYN_SENT');
  t.reference(h, 'the SYN retransmission timer (task 4) runs on the reference', () => {
    h.expectNothingUntil(11);
    h.expectSegment(12, { flags: 'S', rseq: 0 }, 'the SYN again at 12 ms (TCP_TIMEOUT_MIN): the RST may have cleared a stale connection at the peer');
  });
});

labTest('once the SYN has been retransmitted, a bad ACK gets its RST but no early retry', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT; SYN resent at 1000 ms', (o) => {
    const s = synSent(o);
    s.h.expectSegment(1000, { flags: 'S', rseq: 0 });
    return s;
  });
  const { h } = f;
  h.send(1500, { flags: 'S.', ack: h.hSeq(5) });
  h.expectSegment(1500, { flags: 'R', rseq: 5 });
  t.reference(h, 'the SYN retransmission timer (task 4) runs on the reference', () => {
    h.expectNothingUntil(1999, 'Linux retries at once only when no retransmission has happened yet');
    h.expectSegment(2000, { flags: 'S', rseq: 0 }, 'the next SYN when its timer fires, at 2000 ms');
  });
});

labTest('a RST with an unacceptable ACK is ignored: no reply, still SYN_SENT', { task: 2, guard: true }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'R.', seq: 0, ack: h.hSeq(0) });
  h.expectNothingUntil(500, 'never answer a RST (RFC 9293 §3.10.7.3: "if the RST bit is set, drop the segment")');
  expectState(h, f.conn!, 'SYN_SENT');
  expectPending(h, 'connect()', f.openCall!);
});

labTest('a RST acknowledging ISN+1 refuses the connection: connect() fails with ECONNREFUSED', { task: 2, weight: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'R.', seq: 0, ack: h.hSeq(1) });
  expectCallResult(h, 'connect()', f.openCall!, 'ECONNREFUSED', 10);
  h.check('the connection is gone', () => (f.conn!.closed && f.conn!.state === 'CLOSED' ? null : `expected the connection to be closed (CLOSED, removed), but it is in ${f.conn!.state}`));
  h.expectNothingUntil(5000, 'nothing is sent after a refusal, not even the SYN retransmission');
});

labTest('a RST without ACK is ignored in SYN_SENT', { task: 2, guard: true }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'R', seq: 0, ack: 0 });
  h.expectNothingUntil(500);
  expectState(h, f.conn!, 'SYN_SENT', 'a RST is honoured in SYN_SENT only if it acknowledges our SYN');
  expectPending(h, 'connect()', f.openCall!);
});

labTest('a segment with both SYN and RST (no ACK) is dropped: the RST check comes before the SYN', { task: 2, guard: true }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'SR', seq: h.pSeq(0), ack: 0 });
  h.expectNothingUntil(500, 'RFC 9293 §3.10.7.3: second, the RST bit — without an acceptable ACK, drop the segment');
  expectState(h, f.conn!, 'SYN_SENT');
});

labTest('a bare ACK (no SYN, no RST) is dropped in SYN_SENT, even with an acceptable ACK', { task: 2, guard: true }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.expectNothingUntil(500, 'RFC 9293 §3.10.7.3 fifth: neither SYN nor RST — drop the segment');
  expectState(h, f.conn!, 'SYN_SENT');
  expectPending(h, 'connect()', f.openCall!);
});

labTest('sequence numbers wrap: a SYN-ACK with SEQ 4294967295 makes RCV.NXT 0, and data at 0 is accepted', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S.', seq: 0xffffffff, ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: '.', rseq: 1, ack: 0 }, 'the ACK acknowledges (4294967295 + 1) mod 2^32 = 0');
  expectField(h, 'RCV.NXT', f.conn!.rcvNxt, 0, 'IRS + 1 modulo 2^32 — keep it with >>> 0');
  h.send(20, { flags: 'P.', seq: 0, ack: h.hSeq(1), payload: 'wrap' });
  h.advanceTo(300);
  h.discard();
  expectField(h, 'RCV.NXT after 4 bytes', f.conn!.rcvNxt, 4);
});

/** Moves the client's ISS, as if its SYN had carried `iss`: the TCB and the harness's notion of the host's ISN. */
function moveClientIss(t: LabTestContext, f: StateFixture, iss: number): void {
  t.reference(f.h, `the client's ISS is set to ${iss} (as if its SYN had carried it)`, () => {
    const c = f.conn!;
    c.iss = iss;
    c.sndUna = iss;
    c.sndNxt = (iss + 1) >>> 0;
    c.sndMax = (iss + 1) >>> 0;
    f.h.hostIss = iss;
  });
}

labTest('ISS 4294967295: a SYN-ACK acknowledging 0 (ISS + 1 mod 2^32) is acceptable — SND.UNA < SEG.ACK ≤ SND.NXT across the wrap', { task: 2, weight: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  moveClientIss(t, f, 0xffffffff);
  h.send(10, { flags: 'S.', ack: 0, options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: '.', seq: 0, rack: 1 },
    'the third segment, not a RST: 0 is ISS + 1 modulo 2^32, so SEG.ACK > ISS in sequence space (compare with seqGt/seqLeq, not < and <=)');
  expectState(h, f.conn!, 'ESTABLISHED');
  expectCallResult(h, 'connect()', f.openCall!, 'ok', 10);
});

labTest('ISS 4294967280: a SYN-ACK acknowledging 5 (ISS + 21, beyond SND.NXT across the wrap) draws RST <SEQ=5>', { task: 2, weight: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  moveClientIss(t, f, 0xfffffff0);
  h.send(10, { flags: 'S.', ack: 5, options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: 'R', seq: 5 },
    'RST <SEQ=SEG.ACK>: SND.NXT is 4294967281 and 5 lies 20 past it in sequence space (a plain 5 > 4294967281 says no; seqGt says yes)');
  expectState(h, f.conn!, 'SYN_SENT', 'an unacceptable ACK is not a connection');
});

labTest('sequence numbers past 2^31 work: right after a handshake with peer ISN 2147482648 the whole window is open', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT; the peer\'s ISN will be 2^31 − 1000', (o) => synSent({ ...o, peerIss: 2 ** 31 - 1000 }));
  const { h } = f;
  h.send(10, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 });
  h.send(20, { flags: 'P.', seq: h.pSeq(101), ack: h.hSeq(1), payload: 'b'.repeat(100) });
  h.send(30, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'a'.repeat(100) });
  h.advanceTo(300);
  h.discard();
  expectField(h, 'RCV.NXT', f.conn!.rcvNxt, h.pSeq(201),
    'both segments kept: the one that arrived early lay inside the window RCV.NXT … RCV.NXT + 64240 — the window starts at RCV.NXT (RCV.WUP too)');
});

labTest('simultaneous open: a SYN in SYN_SENT leads to SYN_RECV and a SYN-ACK from the same ISN', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: 'S.', rseq: 0, rack: 1 }, 'SYN-ACK <SEQ=ISS><ACK=peer ISN+1> (RFC 9293 Figure 7)');
  expectState(h, f.conn!, 'SYN_RECV');
  expectField(h, 'TcpRetransSegs', h.host.mib.get('TcpRetransSegs'), 0, 'this SYN-ACK is a first transmission, not a retransmission');
  expectPending(h, 'connect()', f.openCall!);
});

labTest('simultaneous open completes when the peer\'s SYN-ACK arrives: ESTABLISHED, connect() returns 0', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT', (o) => synSent(o));
  const { h } = f;
  h.send(10, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(10, { flags: 'S.', rseq: 0, rack: 1 });
  h.send(20, { flags: 'S.', seq: h.pSeq(0), ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
  expectState(h, f.conn!, 'ESTABLISHED', 'the crossed SYN-ACK acknowledges our SYN');
  expectCallResult(h, 'connect()', f.openCall!, 'ok', 20);
  expectField(h, 'RCV.NXT', f.conn!.rcvNxt, h.pSeq(1));
});

labTest('the handshake\'s retransmission state ends with the SYN-ACK', { task: 2 }, (t) => {
  const f = t.fixture('client in SYN_SENT; SYN resent at 1000 ms', (o) => {
    const s = synSent(o);
    s.h.expectSegment(1000, { flags: 'S', rseq: 0 });
    return s;
  });
  const { h } = f;
  const conn = f.conn!;
  h.send(1010, { flags: 'S.', ack: h.hSeq(1), options: [{ kind: 'mss', value: 1460 }] });
  h.discard();
  h.check('the SYN retransmission timer is stopped and its counters are reset', () =>
    conn.timers.retransmit === undefined && conn.retransmits === 0 && conn.backoff === 0 && conn.retransStamp === 0
      ? null
      : `expected no retransmission timer and zero retransmits/backoff/retrans_stamp once the SYN is acknowledged, but timer ${conn.timers.retransmit ? 'pending' : 'stopped'}, retransmits=${conn.retransmits}, backoff=${conn.backoff}, retransStamp=${conn.retransStamp}`);
});

// ---------------------------------------------------------------------------------------------
// Task 3 — the passive side: SYN-ACK and the final ACK
// ---------------------------------------------------------------------------------------------

labTest('the SYN-ACK acknowledges the client\'s ISN + 1', { task: 3 }, (t) => {
  const f = t.fixture('server listening on port 80', (o) => listen(o));
  const { h } = f;
  h.send(0, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(0, { flags: 'S.', rack: 1, len: 0, test: (s) => (s.urgent === 0 ? null : `its urgent pointer was ${s.urgent}, not 0`) }, 'SYN-ACK acknowledging peer ISN+1 = 1001, no data');
  expectSynQueue(h, f.fd, 1, 'the request waits for the final ACK');
});

labTest('the SYN-ACK\'s sequence number is the server\'s RFC 6528 ISN for its own 4-tuple', { task: 3 }, (t) => {
  const f = t.fixture('server listening on port 80; the client\'s ISN will be 42', (o) => listen({ ...o, peerIss: 42 }));
  const { h } = f;
  h.advanceTo(321);
  h.send(321, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
  const want = linuxIsn(h.host, h.hostAddr, 80, h.peerAddr, h.peerPort);
  h.expectSegment(321, { flags: 'S.', seq: want, rack: 1 }, `SYN-ACK with ISS = SipHash(10.0.0.2, 10.0.0.1, 80 << 16 | ${h.peerPort}) + clock = ${want}`);
});

labTest('the SYN-ACK to a Linux client: <mss 1460,sackOK,TS val … ecr …,nop,wscale 7>, window 65160', { task: 3 }, (t) => {
  const f = t.fixture('server listening on port 80', (o) => listen(o));
  const { h } = f;
  h.advanceTo(50);
  h.send(50, { flags: 'S', options: linuxSynOptions(123456, 0, 7) });
  const host = h.host;
  const synAck = h.expectSegment(50, { flags: 'S.', rack: 1, window: 65160 });
  const req = [...host.api.listenerOf(f.fd)!.synQueue.values()][0];
  const want = [{ kind: 'mss' as const, value: 1460 }, { kind: 'sackOK' as const }, { kind: 'ts' as const, val: tsVal(host, req.tsOffset), ecr: 123456 }, { kind: 'nop' as const }, { kind: 'wscale' as const, shift: 7 }];
  h.check('options <mss 1460,sackOK,TS val <our clock> ecr 123456,nop,wscale 7>', () => {
    const got = JSON.stringify(synAck.options);
    return got === JSON.stringify(want) ? null : `expected the SYN-ACK's options to be ${JSON.stringify(want)} (Linux's layout; TS ecr echoes the client's TSval, TS val is our clock), but they were ${got}`;
  });
});

labTest('the SYN-ACK to a client offering only MSS: <mss 1460>, window 64240, from port 80 back to the client\'s port', { task: 3 }, (t) => {
  const f = t.fixture('server listening on port 80', (o) => listen(o));
  const { h } = f;
  h.send(0, { flags: 'S', srcPort: 41234, options: [{ kind: 'mss', value: 536 }] });
  h.expectSegment(0, {
    flags: 'S.', rack: 1, window: 64240, options: [{ kind: 'mss', value: 1460 }], dstPort: 41234,
    test: (s) => (s.srcPort === 80 && s.srcAddr === h.hostAddr ? null : `it came from ${s.srcPort} instead of the listening port 80`),
  });
});

labTest('a listener whose SO_RCVBUF is 10000 offers window 8688 and window scale 0 (tcp_openreq_init_rwin)', { task: 3 }, (t) => {
  const f = t.fixture('server listening on port 80 after setsockopt(SO_RCVBUF, 10000): a 20000-byte buffer', (o) =>
    listen({ ...o, beforeOpen: (host, fd) => { host.api.setsockopt(fd, 'SO_RCVBUF', 10000); } }));
  const { h } = f;
  h.send(0, { flags: 'S', options: linuxSynOptions(123456, 0, 7) });
  h.expectSegment(0, {
    flags: 'S.', rack: 1, window: 8688,
    test: (s) => {
      const ws = s.options.find((o) => o.kind === 'wscale');
      return ws && ws.kind === 'wscale' && ws.shift === 0 ? null : `it offered ${ws && ws.kind === 'wscale' ? `window scale ${ws.shift}` : 'no window scale'}; newRequest chose scale 0 for the locked 10000-byte space (req.rcvWscale), and the client did offer scaling`;
    },
  }, 'SYN-ACK with window 6 × 1448 = 8688 (half the buffer, in whole segments less the timestamp option) and wscale 0: the window and scale newRequest chose (req.rcvWnd, req.rcvWscale), not the defaults');
});

labTest('a listener with TCP_MAXSEG 1100 announces mss 1100 and offers 59 × 1100 = 64900', { task: 3 }, (t) => {
  const f = t.fixture('server listening on port 80 after setsockopt(TCP_MAXSEG, 1100)', (o) =>
    listen({ ...o, beforeOpen: (host, fd) => { host.api.setsockopt(fd, 'TCP_MAXSEG', 1100); } }));
  const { h } = f;
  h.send(0, { flags: 'S', options: [{ kind: 'mss', value: 1300 }] });
  h.expectSegment(0, { flags: 'S.', rack: 1, window: 64900, options: [{ kind: 'mss', value: 1100 }] },
    'SYN-ACK announcing req.advMss = 1100 (tcp_mss_clamp), whatever the client\'s 1300, with the window rounded to it');
});

labTest('the SYN-ACK layout without timestamps: <mss 1460,nop,nop,sackOK,nop,wscale 7>', { task: 3 }, (t) => {
  const f = t.fixture('server listening on port 80', (o) => listen(o));
  const { h } = f;
  h.send(0, { flags: 'S', options: [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'wscale', shift: 2 }] });
  h.expectSegment(0, { flags: 'S.', rack: 1, window: 64240, options: [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }] });
});

labTest('a retransmitted SYN (same sequence number) makes the server resend its SYN-ACK at once', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV: SYN received and SYN-ACK sent at 0 ms', (o) => synReceived(o));
  const { h } = f;
  h.send(300, { flags: 'S', seq: h.pSeq(0), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(300, { flags: 'S.', rseq: 0, rack: 1 }, 'the same SYN-ACK again: our first one was probably lost');
  expectSynQueue(h, f.listenFd!, 1, 'still the one request');
});

labTest('a retransmitted ECN-setup SYN (SYN|ECE|CWR, same sequence number) also gets the SYN-ACK again', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV: SYN received and SYN-ACK sent at 0 ms', (o) => synReceived(o));
  const { h } = f;
  h.send(500, { flags: 'SEW', seq: h.pSeq(0), options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(500, { flags: 'S.', rseq: 0, rack: 1 }, 'tcp_check_req looks only at SYN, ACK and RST: this is the same SYN again');
  expectSynQueue(h, f.listenFd!, 1, 'still the one request');
});

labTest('the final ACK of ISN+1 completes the handshake: ESTABLISHED and accept() returns, nothing sent', { task: 3, guard: true }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h, host } = f;
  const accept = h.act('accept()', () => host.api.accept(f.listenFd!));
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  expectCallResult(h, 'accept()', accept, 'ok', 10);
  const conn = accept.result?.ok ? host.api.connectionOf(accept.result.value) : null;
  h.check('the accepted connection is ESTABLISHED', () => (conn?.state === 'ESTABLISHED' ? null : `expected the accepted connection in ESTABLISHED, but it is ${conn ? conn.state : 'missing'}`));
  expectSynQueue(h, f.listenFd!, 0, 'the request became a connection');
  h.expectNothingUntil(2000, 'a valid final ACK needs no answer');
});

labTest('a final ACK of ISN (not ISN+1) draws RST <SEQ=SEG.ACK>; the request stays', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h, host } = f;
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(0) });
  h.expectSegment(10, { flags: 'R', rseq: 0 }, 'RST <SEQ=SEG.ACK> for an ACK of something never sent (tcp_check_req)');
  expectSynQueue(h, f.listenFd!, 1, 'a bad ACK does not end the request');
  const accept = h.act('accept()', () => host.api.accept(f.listenFd!));
  h.send(20, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  expectCallResult(h, 'accept()', accept, 'ok', 20);
});

labTest('a final ACK beyond ISN+1 draws RST <SEQ=SEG.ACK>', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h } = f;
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(100) });
  h.expectSegment(10, { flags: 'R', rseq: 100 });
  expectSynQueue(h, f.listenFd!, 1, 'the request stays');
});

labTest('a segment far outside the window gets an ACK <SEQ=ISS+1><ACK=IRS+1> and completes nothing', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h, host } = f;
  const accept = h.act('accept()', () => host.api.accept(f.listenFd!));
  h.send(10, { flags: '.', seq: h.pSeq(200_000), ack: h.hSeq(1) });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 }, 'an ACK reminding the peer where we are');
  expectPending(h, 'accept()', accept);
  expectSynQueue(h, f.listenFd!, 1, 'an out-of-window segment is no final ACK');
});

labTest('a RST outside the window is dropped silently; the request stays', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h, host } = f;
  h.send(10, { flags: 'R', seq: h.pSeq(300_000), ack: 0 });
  h.expectNothingUntil(500);
  expectSynQueue(h, f.listenFd!, 1, 'a blind RST must not kill the request');
  const accept = h.act('accept()', () => host.api.accept(f.listenFd!));
  h.send(600, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  expectCallResult(h, 'accept()', accept, 'ok', 600);
});

labTest('a RST in the window removes the request; a later ACK then gets RST from the listener', { task: 3, guard: true }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h } = f;
  h.send(10, { flags: 'R', seq: h.pSeq(1), ack: 0 });
  h.expectNothingUntil(100, 'never answer a RST');
  expectSynQueue(h, f.listenFd!, 0, 'RFC 9293 §3.10.7.4: a RST in SYN-RECEIVED from a passive open returns to LISTEN');
  h.send(200, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.expectSegment(200, { flags: 'R', rseq: 1 }, 'the listener knows no such request: RST <SEQ=SEG.ACK>');
});

labTest('an old duplicate SYN with another sequence number in the window resets the request', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h } = f;
  h.send(10, { flags: 'S', seq: h.pSeq(5) });
  h.expectSegment(10, { flags: 'R.', seq: 0, ack: h.pSeq(6) }, 'RST-ACK <SEQ=0><ACK=SEG.SEQ+1>: the SYN had no ACK');
  expectSynQueue(h, f.listenFd!, 0, 'tcp_check_req: an in-window SYN is an embryonic reset');
});

labTest('a segment that ends at RCV.NXT (entirely old) gets an ACK and completes nothing', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h } = f;
  h.send(10, { flags: 'P.', seq: h.pSeq(0), ack: h.hSeq(1), payload: 'z' });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 }, 'the byte at the SYN\'s own sequence number lies left of RCV.NXT = IRS+1: out of window');
  expectSynQueue(h, f.listenFd!, 1, 'an old segment is no final ACK');
});

labTest('an ACK whose SEQ is the client\'s ISN (left of RCV.NXT) gets an ACK and completes nothing', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h } = f;
  h.send(10, { flags: '.', seq: h.pSeq(0), ack: h.hSeq(1) });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 }, 'RCV.NXT is IRS+1: a segment at IRS is outside the window');
  expectSynQueue(h, f.listenFd!, 1, 'still waiting for the real final ACK');
});

labTest('a SYN-ACK at the client\'s ISN acknowledging ISS+1 lies left of the window: an ACK, the request stays', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h } = f;
  h.send(10, { flags: 'S.', seq: h.pSeq(0), ack: h.hSeq(1) });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 },
    'the SYN occupies one sequence number, so this segment is [IRS, IRS+1) and ends at RCV.NXT = IRS+1: entirely old, out of window (tcp_in_window) — re-state <SEQ=ISS+1><ACK=IRS+1>; only an in-window SYN resets the request');
  expectSynQueue(h, f.listenFd!, 1, 'an old segment neither completes nor resets the request');
});

labTest('the window is [RCV.NXT, RCV.NXT + 64240]: an empty ACK at the right edge is accepted, one past it is not', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h, host } = f;
  h.send(10, { flags: '.', seq: h.pSeq(1 + 64240 + 1), ack: h.hSeq(1) });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 }, 'one past the right edge (RCV.NXT + 64241): out of window');
  expectSynQueue(h, f.listenFd!, 1, 'nothing completed');
  const accept = h.act('accept()', () => host.api.accept(f.listenFd!));
  h.send(20, { flags: '.', seq: h.pSeq(1 + 64240), ack: h.hSeq(1) });
  expectCallResult(h, 'accept()', accept, 'ok', 20);
});

labTest('a FIN at the right edge lies outside the window: SEG.LEN counts the FIN, so the final ACK carrying it is answered with an ACK', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h } = f;
  h.send(10, { flags: 'F.', seq: h.pSeq(1 + 64240), ack: h.hSeq(1) });
  h.expectSegment(10, { flags: '.', rseq: 1, rack: 1 },
    'the FIN takes one sequence number, so this segment is [RCV.NXT + 64240, RCV.NXT + 64241) and starts at the right edge: out of window (tcp_check_req measures SEG.SEQ to SEG.SEQ + SEG.LEN, FIN included — segmentLength) — re-state <SEQ=ISS+1><ACK=IRS+1>');
  expectSynQueue(h, f.listenFd!, 1, 'an out-of-window segment completes nothing');
});

labTest('sequence numbers wrap: client ISN 4294967295 — the SYN-ACK acknowledges 0 and the final ACK at SEQ 0 completes', { task: 3 }, (t) => {
  const f = t.fixture('server listening; the client\'s ISN will be 2^32 − 1', (o) => listen({ ...o, peerIss: 0xffffffff }));
  const { h, host } = f;
  h.send(0, { flags: 'S', options: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment(0, { flags: 'S.', ack: 0 }, 'SYN-ACK acknowledging (4294967295 + 1) mod 2^32 = 0');
  const accept = h.act('accept()', () => host.api.accept(f.fd));
  h.send(10, { flags: '.', seq: 0, ack: h.hSeq(1) });
  expectCallResult(h, 'accept()', accept, 'ok', 10);
});

labTest('the window wraps too: with client ISN 2^32 − 100 an empty ACK at the right edge still completes', { task: 3, guard: true }, (t) => {
  const f = t.fixture('server in SYN_RECV; the client\'s ISN is 2^32 − 100', (o) => synReceived({ ...o, peerIss: 2 ** 32 - 100 }));
  const { h, host } = f;
  const accept = h.act('accept()', () => host.api.accept(f.listenFd!));
  h.send(10, { flags: '.', seq: h.pSeq(1 + 64240), ack: h.hSeq(1) });
  expectCallResult(h, 'accept()', accept, 'ok', 10);
});

labTest('server ISS 4294967295: a final ACK of 0 (ISS + 1 mod 2^32) is the right one', { task: 3, guard: true }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h, host } = f;
  t.reference(h, 'the request\'s ISS is set to 4294967295 (as if the SYN-ACK had carried it)', () => {
    f.req!.iss = 0xffffffff;
  });
  const accept = h.act('accept()', () => host.api.accept(f.listenFd!));
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: 0 });
  h.expectNothingUntil(10, 'no RST: 0 is ISS + 1 modulo 2^32');
  expectCallResult(h, 'accept()', accept, 'ok', 10);
});

labTest('a segment with neither ACK, SYN nor RST is dropped; the request waits for the real ACK', { task: 3 }, (t) => {
  const f = t.fixture('server in SYN_RECV', (o) => synReceived(o));
  const { h, host } = f;
  h.send(10, { flags: 'P', seq: h.pSeq(1), ack: 0, payload: 'early' });
  h.expectNothingUntil(100);
  expectSynQueue(h, f.listenFd!, 1, 'a segment without ACK completes nothing');
  const accept = h.act('accept()', () => host.api.accept(f.listenFd!));
  h.send(200, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  expectCallResult(h, 'accept()', accept, 'ok', 200);
});

// ---------------------------------------------------------------------------------------------
// Task 4 — retransmitting the handshake
// ---------------------------------------------------------------------------------------------

const SYN_TIMES = [1000, 2000, 3000, 4000, 5000, 7000, 11000, 19000, 35000, 67000];

labTest('SYNs go out at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35 and 67 s (tcp_syn_linear_timeouts = 4)', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT, SYN at 0 ms; the peer never answers', (o) => synSent(o));
  expectSegmentsAt(f.h, SYN_TIMES, { flags: 'S', rseq: 0 }, 130_000, 'SYN retransmission');
});

labTest('connect() fails with ETIMEDOUT at 131 s, 64 s after the last SYN', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT; the peer never answers', (o) => synSent(o));
  const { h } = f;
  h.advanceTo(130_999);
  h.discard();
  expectPending(h, 'connect()', f.openCall!);
  h.advanceTo(131_000);
  expectCallResult(h, 'connect()', f.openCall!, 'ETIMEDOUT', 131_000);
  h.expectNothingUntil(200_000, 'no SYN after giving up');
});

labTest('older kernels (tcp_syn_linear_timeouts = 0): SYNs at 0, 1, 3, 7, 15, 31, 63 s and ETIMEDOUT at 127 s', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT with tcp_syn_linear_timeouts = 0', (o) => synSent({ ...o, sysctls: { 'net.ipv4.tcp_syn_linear_timeouts': 0 } }));
  const { h } = f;
  expectSegmentsAt(h, [1000, 3000, 7000, 15000, 31000, 63000], { flags: 'S', rseq: 0 }, 126_999, 'SYN retransmission');
  expectPending(h, 'connect()', f.openCall!);
  h.advanceTo(127_000);
  expectCallResult(h, 'connect()', f.openCall!, 'ETIMEDOUT', 127_000);
});

labTest('TCP_SYNCNT = 2: SYNs at 0–5 s, then connect() gives up at 7 s (the time model of 2 retries: 7 s)', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT with TCP_SYNCNT 2', (o) => synSent({ ...o, beforeOpen: (host, fd) => void host.api.setsockopt(fd, 'TCP_SYNCNT', 2) }));
  const { h } = f;
  expectSegmentsAt(h, [1000, 2000, 3000, 4000, 5000], { flags: 'S', rseq: 0 }, 6999, 'SYN retransmission');
  h.advanceTo(7000);
  expectCallResult(h, 'connect()', f.openCall!, 'ETIMEDOUT', 7000);
  h.expectNothingUntil(20_000);
});

labTest('tcp_syn_retries = 2 limits connect() like TCP_SYNCNT = 2: ETIMEDOUT at 7 s', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT with net.ipv4.tcp_syn_retries = 2', (o) => synSent({ ...o, sysctls: { 'net.ipv4.tcp_syn_retries': 2 } }));
  const { h } = f;
  expectSegmentsAt(h, [1000, 2000, 3000, 4000, 5000], { flags: 'S', rseq: 0 }, 6999, 'SYN retransmission');
  h.advanceTo(7000);
  expectCallResult(h, 'connect()', f.openCall!, 'ETIMEDOUT', 7000);
});

labTest('TCP_USER_TIMEOUT = 2500 ms: SYNs at 0, 1, 2 s and ETIMEDOUT at 2.5 s', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT with TCP_USER_TIMEOUT 2500 ms', (o) => synSent({ ...o, beforeOpen: (host, fd) => void host.api.setsockopt(fd, 'TCP_USER_TIMEOUT', 2500) }));
  const { h } = f;
  expectSegmentsAt(h, [1000, 2000], { flags: 'S', rseq: 0 }, 2499, 'SYN retransmission');
  h.advanceTo(2500);
  expectCallResult(h, 'connect()', f.openCall!, 'ETIMEDOUT', 2500);
});

labTest('a TCP_USER_TIMEOUT shorter than the first RTO still lets one SYN retransmission go out', { task: 4 }, (t) => {
  const f = t.fixture('client connects at 100 ms with TCP_USER_TIMEOUT 500 ms', (o) =>
    synSent({ ...o, beforeOpen: (host, fd) => {
      void host.api.setsockopt(fd, 'TCP_USER_TIMEOUT', 500);
      host.sched.runUntil(100);
    } }));
  const { h } = f;
  h.expectNothingUntil(1099, 'the first SYN timer runs its full 1 s: connect() arms it unclamped');
  h.expectSegment(1100, { flags: 'S', rseq: 0 }, 'one SYN retransmission at 1100 ms: no give-up before the first retransmission (retransmits_timed_out)');
  h.advanceTo(1110);
  expectCallResult(h, 'connect()', f.openCall!, 'ETIMEDOUT');
  h.check('it gave up right after that retransmission', () => (f.openCall!.doneAt > 1100 && f.openCall!.doneAt <= 1110 ? null : `expected connect() to fail just after 1100 ms (the user timeout had passed), but it failed at ${f.openCall!.doneAt} ms`));
});

labTest('the SYN RTO is capped at tcp_rto_max_ms (3000): SYNs at 0,1,2,3,4,5,7,10,13,16 s, ETIMEDOUT at 19 s', { task: 4 }, (t) => {
  const f = t.fixture('client in SYN_SENT with net.ipv4.tcp_rto_max_ms = 3000', (o) => synSent({ ...o, sysctls: { 'net.ipv4.tcp_rto_max_ms': 3000 } }));
  const { h } = f;
  expectSegmentsAt(h, [1000, 2000, 3000, 4000, 5000, 7000, 10000, 13000, 16000], { flags: 'S', rseq: 0 }, 18_999, 'SYN retransmission');
  h.advanceTo(19_000);
  expectCallResult(h, 'connect()', f.openCall!, 'ETIMEDOUT', 19_000);
});

labTest('SYN-ACKs go out at 0, 1, 3, 7, 15 and 31 s; the request is dropped at 63 s', { task: 4 }, (t) => {
  const f = t.fixture('server in SYN_RECV, SYN-ACK at 0 ms; the client never answers', (o) => synReceived(o));
  const { h } = f;
  expectSegmentsAt(h, [1000, 3000, 7000, 15000, 31000], { flags: 'S.', rseq: 0, rack: 1 }, 62_999, 'SYN-ACK retransmission');
  expectSynQueue(h, f.listenFd!, 1, 'the request lives until its last timer at 63 s');
  h.advanceTo(63_000);
  expectSynQueue(h, f.listenFd!, 0, 'tcp_synack_retries = 5 exhausted at 63 s');
  h.send(64_000, { flags: '.', seq: h.pSeq(1), ack: h.hSeq(1) });
  h.expectSegment(64_000, { flags: 'R', rseq: 1 }, 'a late final ACK finds no request: RST');
});

labTest('SYN-ACK backoff is capped at tcp_rto_max_ms (3000): SYN-ACKs at 0, 1, 3, 6, 9, 12 s, dropped at 15 s', { task: 4 }, (t) => {
  const f = t.fixture('server in SYN_RECV with net.ipv4.tcp_rto_max_ms = 3000', (o) => synReceived({ ...o, sysctls: { 'net.ipv4.tcp_rto_max_ms': 3000 } }));
  const { h } = f;
  expectSegmentsAt(h, [1000, 3000, 6000, 9000, 12000], { flags: 'S.', rseq: 0, rack: 1 }, 14_999, 'SYN-ACK retransmission');
  h.advanceTo(15_000);
  expectSynQueue(h, f.listenFd!, 0, 'dropped when the sixth timer fires');
});

labTest('simultaneous open: the SYN-ACK from SYN_RECV is resent with plain doubling limits (no linear extra)', { task: 4 }, (t) => {
  const f = t.fixture('simultaneous open: client in SYN_RECV at 10 ms, SYN-ACK sent', (o) => synReceived({ ...o, role: 'client' }));
  const { h } = f;
  expectSegmentsAt(h, [1000, 2000, 3000, 4000, 5000, 7000], { flags: 'S.', rseq: 0, rack: 1 }, 130_000, 'SYN-ACK retransmission');
  h.check('the connection gave up after tcp_syn_retries = 6 retransmissions', () => (f.conn!.closed ? null : `expected the SYN_RECV connection to give up after 6 retransmissions (tcp_syn_linear_timeouts only extends SYN_SENT), but it is still in ${f.conn!.state}`));
});

// Keeps `established` referenced for authors adding tests that start in ESTABLISHED.
void established;
