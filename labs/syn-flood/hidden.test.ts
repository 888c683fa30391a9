/**
 * Hidden tests of the syn-flood lab (graded). Every expected value is computed here from Linux's
 * definitions (./support.ts), never by calling the learner's code. Within each task the direct
 * tests of the task's functions come first; the tests that run a whole handshake through the
 * listener follow, and those also need the earlier tasks (a cookie SYN-ACK needs the MSS index).
 */
import { labTest } from '../kit/scoring.ts';
import { withReferenceFor } from '../kit/side.ts';
import type { LabTestContext } from '../kit/context.ts';
import { COOKIE_BITS, MAX_COOKIE_AGE, decodeCookie, decodeTsOptions, encodeCookie, encodeTsOptions, mssIndex } from '../../stack/core/tcp/syncookies.ts';
import { SynFlooder } from '../../stack/core/sim/attacker.ts';
import { parseAddr } from '../../stack/core/wire/format.ts';
import type { PeerHarness } from '../../stack/testing/harness.ts';
import {
  LINUX_MSSTAB,
  TASK1_FUNCTIONS,
  TASK2_FUNCTIONS,
  TASK3_FUNCTIONS,
  clientSynOptions,
  connectionFor,
  cookieListener,
  describeTuple,
  expectCounter,
  expectReturn,
  explainCookie,
  hex,
  hostTsClock,
  hostTsOffset,
  linuxCookie,
  linuxCookieTs,
  minuteAt,
  minuteStartAfter,
  tsOption,
  tupleOf,
} from './support.ts';

const showIdx = (i: number | null) => (i === null ? 'null (rejected)' : `${i} (MSS ${LINUX_MSSTAB[i] ?? '?'})`);
const showOpts = (o: { wscale: number | null; sackOk: boolean }) => `{ wscale: ${o.wscale}, sackOk: ${o.sackOk} }`;

function checkMssIndex(h: PeerHarness, mss: number, idx: number, why: string): void {
  const got = h.act(`mssIndex(${mss})`, () => mssIndex(mss));
  expectReturn(h, `mssIndex(${mss})`, got, idx, why, showIdx);
}

// ── Task 1: the MSS index ─────────────────────────────────────────────────────────────────────

labTest('each MSS in Linux\'s table maps to its own index', { task: 1 }, (t) => {
  const h = t.harness();
  LINUX_MSSTAB.forEach((mss, i) => checkMssIndex(h, mss, i, `msstab[${i}] is ${mss}, so a client announcing exactly ${mss} can be promised ${mss}`));
});

labTest('an MSS one below a table entry rounds down to the entry below it', { task: 1 }, (t) => {
  const h = t.harness();
  checkMssIndex(h, 1299, 0, 'a client that can take 1299 bytes must not be sent 1300-byte segments: round down to 536');
  checkMssIndex(h, 1439, 1, 'round down to 1300: rounding to the nearest entry (1440) would promise more than the client can take');
  checkMssIndex(h, 1459, 2, 'round down to 1440, never up to 1460');
});

labTest('an MSS between two table entries rounds down', { task: 1 }, (t) => {
  const h = t.harness();
  checkMssIndex(h, 1000, 0, 'between 536 and 1300 the largest entry not above 1000 is 536');
  checkMssIndex(h, 1400, 1, 'between 1300 and 1440: 1300');
  checkMssIndex(h, 1452, 2, 'between 1440 and 1460: 1440');
});

labTest('an MSS above 1460 uses the largest entry', { task: 1 }, (t) => {
  const h = t.harness();
  checkMssIndex(h, 1461, 3, '1460 is the largest value a cookie can carry');
  checkMssIndex(h, 8960, 3, 'a jumbo-frame MSS still gets 1460');
  checkMssIndex(h, 65535, 3, 'the largest MSS the option can hold still gets 1460');
});

labTest('an MSS below 536 still gets index 0', { task: 1, guard: true }, (t) => {
  const h = t.harness();
  checkMssIndex(h, 535, 0, 'nothing in the table is that small; Linux falls back to msstab[0] = 536, the MSS every IPv4 host must accept');
  checkMssIndex(h, 88, 0, 'even a tiny MSS falls back to index 0');
});

labTest('a cookie SYN-ACK carries the client\'s MSS rounded down, and the connection uses it', { task: 1, guard: true }, (t) => withReferenceFor(TASK2_FUNCTIONS, () => {
  const { h, host, fd } = cookieListener(t);
  const tuple = tupleOf(h);
  const accept = h.act(`accept(${fd})`, () => host.api.accept(fd));
  h.send(0, { flags: 'S', options: clientSynOptions({ mss: 1400 }) });
  const synack = h.expectSegment(0, { flags: 'S.', ack: h.pSeq(1), test: (s) => explainCookie(host, tuple, h.peerIss, 1, s.seq) },
    'host answers with a cookie SYN-ACK whose MSS index is 1 (1400 rounded down to 1300)');
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: (synack.seq + 1) >>> 0 });
  h.check('accept() has returned the cookie connection at 10 ms', () => (accept.done && accept.result?.ok ? null : 'expected the final ACK to complete the cookie handshake and accept() to return, but it is still waiting'));
  const conn = connectionFor(h);
  h.check('the connection sends segments of at most 1300 bytes', () =>
    conn?.mss === 1300 ? null : `expected the connection built from the cookie to use MSS 1300 (the client's 1400 rounded down to a table entry), but it uses ${conn?.mss}`);
}));

// ── Task 2: encode and check a cookie ─────────────────────────────────────────────────────────

labTest('the cookie is H0 + client ISN + (minute << 24) + ((H1 + MSS index) mod 2^24)', { task: 2 }, (t) => {
  const h = t.harness();
  h.advanceTo(7_000);
  const tuple = tupleOf(h);
  for (const [isn, idx] of [[1000, 3], [0x7fffffff, 0], [0xfffffff0, 2], [0, 1]] as const) {
    const got = h.act(`encodeCookie(host, ${describeTuple(tuple)}, client ISN ${isn}, MSS index ${idx})`, () => encodeCookie(h.host, tuple, isn, idx));
    h.check(`the cookie is ${hex(linuxCookie(h.host, tuple, isn, idx))}`, () => explainCookie(h.host, tuple, isn, idx, got));
  }
});

labTest('the cookie\'s top 8 bits follow the host\'s minute counter', { task: 2 }, (t) => {
  const h = t.harness();
  const tuple = tupleOf(h);
  const next = minuteStartAfter(h.host, 0);
  for (const at of [next - 1, next, next + 60_000]) {
    h.advanceTo(at);
    const got = h.act(`encodeCookie(...) at ${at} ms (minute counter ${minuteAt(h.host)})`, () => encodeCookie(h.host, tuple, 1000, 3));
    h.check(`the cookie made at ${at} ms carries minute ${minuteAt(h.host)}`, () => explainCookie(h.host, tuple, 1000, 3, got));
  }
});

labTest('a cookie decodes back to the MSS index it was made with', { task: 2 }, (t) => {
  const h = t.harness();
  h.advanceTo(5_000);
  const tuple = tupleOf(h);
  for (let idx = 0; idx < 4; idx++) {
    const cookie = linuxCookie(h.host, tuple, 1000, idx);
    const got = h.act(`decodeCookie(host, ${describeTuple(tuple)}, cookie ${hex(cookie)}, client ISN 1000)`, () => decodeCookie(h.host, tuple, cookie, 1000));
    expectReturn(h, `decodeCookie(${hex(cookie)})`, got, idx, `this is the Linux cookie for MSS index ${idx}, made this minute`, showIdx);
  }
  const wrapped = linuxCookie(h.host, tuple, 0xffffffff, 2);
  const got = h.act(`decodeCookie(..., cookie ${hex(wrapped)}, client ISN 0xffffffff)`, () => decodeCookie(h.host, tuple, wrapped, 0xffffffff));
  expectReturn(h, `decodeCookie(${hex(wrapped)})`, got, 2, 'the sums wrap modulo 2^32, and the check must wrap the same way', showIdx);
});

labTest('a cookie made in the previous minute is still accepted', { task: 2 }, (t) => {
  const h = t.harness();
  h.advanceTo(5_000);
  const tuple = tupleOf(h);
  const minute = minuteAt(h.host);
  for (const idx of [1, 3]) {
    const cookie = linuxCookie(h.host, tuple, 1000, idx, minute - 1);
    const got = h.act(`decodeCookie(cookie ${hex(cookie)} made in minute ${minute - 1}) in minute ${minute}`, () => decodeCookie(h.host, tuple, cookie, 1000));
    expectReturn(h, `decodeCookie(${hex(cookie)})`, got, idx,
      `its age is 1 minute, below MAX_SYNCOOKIE_AGE = ${MAX_COOKIE_AGE}, and H1 must be computed for the minute the cookie was made (${minute - 1}), not the current one`, showIdx);
  }
});

labTest('a cookie two minutes old is rejected', { task: 2, guard: true }, (t) => {
  const h = t.harness();
  h.advanceTo(5_000);
  const tuple = tupleOf(h);
  const minute = minuteAt(h.host);
  for (const age of [2, 3, 100]) {
    const cookie = linuxCookie(h.host, tuple, 1000, 3, minute - age);
    const got = h.act(`decodeCookie(cookie made in minute ${minute - age}) in minute ${minute}`, () => decodeCookie(h.host, tuple, cookie, 1000));
    expectReturn(h, `decodeCookie(${hex(cookie)})`, got, null,
      `a cookie made ${age} minutes ago has expired: Linux accepts only an age below MAX_SYNCOOKIE_AGE = ${MAX_COOKIE_AGE} (the minute it was made and the next one)`, showIdx);
  }
});

labTest('a cookie stamped with a minute that has not begun yet is rejected', { task: 2, guard: true }, (t) => {
  const h = t.harness();
  h.advanceTo(5_000);
  const tuple = tupleOf(h);
  const minute = minuteAt(h.host);
  const cookie = linuxCookie(h.host, tuple, 1000, 3, minute + 1);
  const got = h.act(`decodeCookie(cookie stamped minute ${minute + 1}) in minute ${minute}`, () => decodeCookie(h.host, tuple, cookie, 1000));
  expectReturn(h, `decodeCookie(${hex(cookie)})`, got, null,
    'its age is (now − stamped minute) mod 256 = 255: the check must work on the 8-bit minute field, where "one minute in the future" is a very old cookie', showIdx);
});

labTest('the minute field wraps at 256: a cookie from minute …ff is fresh in minute …00', { task: 2 }, (t) => {
  const h = t.harness();
  const tuple = tupleOf(h);
  const m0 = minuteAt(h.host, 0);
  const ahead = (256 - (m0 & 0xff)) & 0xff || 256;
  const wrapAt = minuteStartAfter(h.host, 0) + (ahead - 1) * 60_000;
  h.advanceTo(wrapAt);
  const minute = minuteAt(h.host);
  if ((minute & 0xff) !== 0) throw new Error(`test setup: minute ${minute} at ${wrapAt} ms should end in 00`);
  const fresh = linuxCookie(h.host, tuple, 1000, 2, minute - 1);
  const got = h.act(`decodeCookie(cookie from minute ${minute - 1} = …${((minute - 1) & 0xff).toString(16)}) in minute ${minute} = …00`, () => decodeCookie(h.host, tuple, fresh, 1000));
  expectReturn(h, `decodeCookie(${hex(fresh)})`, got, 2, 'only 1 minute has passed; (0x00 − 0xff) mod 256 = 1', showIdx);
  const stale = linuxCookie(h.host, tuple, 1000, 2, minute - 2);
  const got2 = h.act(`decodeCookie(cookie from minute ${minute - 2} = …fe) in minute …00`, () => decodeCookie(h.host, tuple, stale, 1000));
  expectReturn(h, `decodeCookie(${hex(stale)})`, got2, null, '(0x00 − 0xfe) mod 256 = 2 minutes: expired', showIdx);
});

labTest('a cookie whose MSS index is 4 or more is rejected', { task: 2, guard: true }, (t) => {
  const h = t.harness();
  h.advanceTo(5_000);
  const tuple = tupleOf(h);
  for (const idx of [4, 5, 0xffffff]) {
    const cookie = linuxCookie(h.host, tuple, 1000, idx);
    const got = h.act(`decodeCookie(cookie with MSS index ${idx})`, () => decodeCookie(h.host, tuple, cookie, 1000));
    expectReturn(h, `decodeCookie(${hex(cookie)})`, got, null, `MSS index ${idx} is not in the 4-entry table: only a forged or corrupted cookie decodes to it`, showIdx);
  }
  const good = linuxCookie(h.host, tuple, 1000, 3);
  const bumped = (good + 1) >>> 0;
  const got = h.act(`decodeCookie(${hex(bumped)}) — a valid cookie for index 3, plus one`, () => decodeCookie(h.host, tuple, bumped, 1000));
  expectReturn(h, `decodeCookie(${hex(bumped)})`, got, null, 'adding 1 to a cookie with index 3 gives index 4, which is not in the table', showIdx);
});

labTest('a cookie made for another 4-tuple is rejected', { task: 2, guard: true }, (t) => {
  const h = t.harness();
  h.advanceTo(5_000);
  const tuple = tupleOf(h);
  const others = [
    { ...tuple, srcPort: tuple.srcPort + 1 },
    { ...tuple, srcAddr: (tuple.srcAddr + 1) >>> 0 },
    { ...tuple, dstPort: 8080 },
  ];
  for (const other of others) {
    const cookie = linuxCookie(h.host, other, 1000, 3);
    const got = h.act(`decodeCookie(cookie made for ${describeTuple(other)}) on ${describeTuple(tuple)}`, () => decodeCookie(h.host, tuple, cookie, 1000));
    expectReturn(h, `decodeCookie(${hex(cookie)})`, got, null, 'H0 and H1 hash the whole 4-tuple (addresses and ports), so a cookie is worthless for any other connection', showIdx);
  }
});

labTest('a cookie checked against another client ISN is rejected', { task: 2, guard: true }, (t) => {
  const h = t.harness();
  h.advanceTo(5_000);
  const tuple = tupleOf(h);
  const cookie = linuxCookie(h.host, tuple, 1000, 3);
  for (const isn of [(1000 ^ 0x5a5a5a5a) >>> 0, 1000 + (1 << COOKIE_BITS)]) {
    const got = h.act(`decodeCookie(cookie for client ISN 1000, checked with client ISN ${isn})`, () => decodeCookie(h.host, tuple, cookie, isn));
    expectReturn(h, `decodeCookie(${hex(cookie)}, ISN ${isn})`, got, null, 'the client ISN is added into the cookie, so the ACK\'s SEQ − 1 must be the ISN of the SYN it answers', showIdx);
  }
});

labTest('with tcp_syncookies=2 a SYN is answered at once with a cookie and no state is kept', { task: 2 }, (t) => withReferenceFor(TASK1_FUNCTIONS, () => {
  const { h, host, listener } = cookieListener(t, { peerIss: 0xfffffff0 });
  const tuple = tupleOf(h);
  h.send(0, { flags: 'S', options: clientSynOptions({}) });
  h.expectSegment(0, { flags: 'S.', ack: h.pSeq(1), options: clientSynOptions({}), test: (s) => explainCookie(host, tuple, h.peerIss, 3, s.seq) },
    'host answers with a cookie SYN-ACK at once (client ISN 0xfffffff0, MSS 1460 → index 3)');
  h.check('the SYN queue is empty', () => (listener.synQueue.size === 0 ? null : `a cookie SYN-ACK keeps no request sock, but the SYN queue holds ${listener.synQueue.size}`));
  expectCounter(h, 'SyncookiesSent', 1, 'one cookie SYN-ACK went out');
  h.expectNothingUntil(70_000, 'no SYN-ACK retransmission ever: the server remembers nothing it could resend');
}));

labTest('the final ACK carrying a valid cookie creates the connection', { task: 2 }, (t) => withReferenceFor(TASK1_FUNCTIONS, () => {
  const { h, host, fd, listener } = cookieListener(t);
  const tuple = tupleOf(h);
  const accept = h.act(`accept(${fd})`, () => host.api.accept(fd));
  h.send(0, { flags: 'S', options: clientSynOptions({}) });
  const synack = h.expectSegment(0, { flags: 'S.', ack: h.pSeq(1), test: (s) => explainCookie(host, tuple, h.peerIss, 3, s.seq) });
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: (synack.seq + 1) >>> 0 });
  h.check('accept() returned at 10 ms', () => (accept.done && accept.result?.ok && accept.doneAt === 10 ? null
    : `expected the ACK acknowledging cookie + 1 to be accepted and accept() to return at 10 ms, but accept() ${accept.done ? `finished at ${accept.doneAt} ms with ${accept.result?.ok ? 'a descriptor' : 'an error'}` : 'is still waiting'}`));
  const conn = connectionFor(h);
  h.check('the connection is ESTABLISHED with ISS = the cookie and IRS = the client ISN', () => {
    if (!conn) return 'expected a connection for the client after its ACK, but the host has none';
    if (conn.state !== 'ESTABLISHED') return `expected the connection to be ESTABLISHED, but it is in ${conn.state}`;
    if (conn.iss !== synack.seq || conn.irs !== h.peerIss) return `expected ISS ${synack.seq} (the cookie) and IRS ${h.peerIss}, but got ISS ${conn.iss} and IRS ${conn.irs}`;
    return conn.mss === 1460 ? null : `expected MSS 1460 (index 3 from the cookie), but the connection uses ${conn.mss}`;
  });
  expectCounter(h, 'SyncookiesRecv', 1, 'one valid cookie came back');
  expectCounter(h, 'SyncookiesFailed', 0, 'no cookie was rejected');
  h.check('the accept queue is empty again after accept()', () => (listener.acceptQueue.length === 0 ? null : `expected accept() to have taken the child, but ${listener.acceptQueue.length} wait`));
}));

labTest('a cookie ACK is accepted until the minute after next begins, then answered with RST', { task: 2 }, (t) => withReferenceFor(TASK1_FUNCTIONS, () => {
  const { h, host, fd } = cookieListener(t);
  const b1 = minuteStartAfter(host, 1_000);
  const b2 = b1 + 60_000;
  const t0 = b1 - 10;
  const ports = [40000, 40001];
  const cookies = ports.map((port) => {
    h.send(t0, { flags: 'S', srcPort: port, options: clientSynOptions({}) });
    const tuple = tupleOf(h, port);
    return h.expectSegment(t0, { flags: 'S.', dstPort: port, test: (s) => explainCookie(host, tuple, h.peerIss, 3, s.seq) }, `host sends a cookie SYN-ACK to port ${port} at ${t0} ms, 10 ms before its minute counter ticks`).seq;
  });
  const accept = h.act(`accept(${fd})`, () => host.api.accept(fd));
  h.send(b2 - 1, { flags: '.', srcPort: 40000, seq: h.pSeq(1), ack: (cookies[0] + 1) >>> 0 });
  h.check(`port 40000's ACK at ${b2 - 1} ms (cookie age 1 minute) completes the handshake`, () => (accept.done && accept.result?.ok ? null
    : `expected the cookie made at ${t0} ms to be accepted at ${b2 - 1} ms — one minute counter tick later, age 1 — but accept() is still waiting`));
  h.expectNothingUntil(b2 - 1, 'the accepted ACK needs no answer');
  h.send(b2, { flags: '.', srcPort: 40001, seq: h.pSeq(1), ack: (cookies[1] + 1) >>> 0 });
  h.expectSegment(b2, { flags: 'R', seq: (cookies[1] + 1) >>> 0, dstPort: 40001 },
    `port 40001's ACK at ${b2} ms carries a cookie 2 minute ticks old: rejected, so the listener answers the ACK with <SEQ=SEG.ACK><CTL=RST>`);
  expectCounter(h, 'SyncookiesRecv', 1, 'the cookie 1 minute old was accepted');
  expectCounter(h, 'SyncookiesFailed', 1, 'the cookie 2 minutes old was rejected');
}));

labTest('a forged ACK gets a RST and no connection', { task: 2 }, (t) => withReferenceFor(TASK1_FUNCTIONS, () => {
  const { h, host, listener } = cookieListener(t);
  const tuple = tupleOf(h);
  h.send(0, { flags: 'S', options: clientSynOptions({}) });
  const synack = h.expectSegment(0, { flags: 'S.', test: (s) => explainCookie(host, tuple, h.peerIss, 3, s.seq) });
  const forged = (synack.seq + 2) >>> 0; // cookie + 1 is right; cookie + 2 decodes to MSS index 4
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: forged });
  h.expectSegment(10, { flags: 'R', seq: forged }, 'host answers the ACK of cookie + 2 with RST: it decodes to MSS index 4, which is not in the table');
  h.send(20, { flags: '.', srcPort: 40999, seq: 777_001, ack: 0x31337 });
  h.expectSegment(20, { flags: 'R', seq: 0x31337, dstPort: 40999 }, 'host answers a blind ACK from a port that never sent a SYN with RST');
  h.check('no connection was created', () => (host.connections.size === 0 && listener.acceptQueue.length === 0 ? null
    : `a forged cookie must not create a connection, but the host has ${host.connections.size} connection(s) and ${listener.acceptQueue.length} waiting in the accept queue`));
  expectCounter(h, 'SyncookiesFailed', 2, 'both ACKs carried invalid cookies');
  expectCounter(h, 'SyncookiesRecv', 0, 'no valid cookie came back');
}));

labTest('when the final ACK is lost, the client\'s first data segment completes the cookie handshake', { task: 2 }, (t) => withReferenceFor(TASK1_FUNCTIONS, () => {
  const { h, host, fd } = cookieListener(t);
  const tuple = tupleOf(h);
  h.send(0, { flags: 'S', options: clientSynOptions({}) });
  const synack = h.expectSegment(0, { flags: 'S.', test: (s) => explainCookie(host, tuple, h.peerIss, 3, s.seq) });
  h.send(30, { flags: 'P.', seq: h.pSeq(1), ack: (synack.seq + 1) >>> 0, payload: 'GET / HTTP/1.0\r\n\r\n' });
  const accept = h.act(`accept(${fd})`, () => host.api.accept(fd));
  h.check('accept() returns the connection', () => (accept.done && accept.result?.ok ? null : 'expected the data segment (which acknowledges cookie + 1 too) to complete the handshake, but accept() is waiting'));
  const read = h.act('read() on the accepted socket', () => host.api.read(accept.result!.ok ? accept.result!.value : -1));
  const text = read.done && read.result?.ok ? String.fromCharCode(...read.result.value) : null;
  h.check('read() returns the client\'s request', () => (text === 'GET / HTTP/1.0\r\n\r\n' ? null : `expected read() to return the 18 bytes the client sent with its first data segment, but got ${text === null ? 'nothing' : JSON.stringify(text)}`));
}));

labTest('during a SYN flood a legitimate client still connects', { task: 2 }, (t) => withReferenceFor([...TASK1_FUNCTIONS, ...TASK3_FUNCTIONS], () => {
  const { h, host, fd, listener } = cookieListener(t, { syncookies: 1, backlog: 8 });
  const flooder = new SynFlooder(h.world.network, h.world.sched, h.world.random.fork(), {
    target: h.hostAddr, port: 80, rate: 1000, count: 3000, sourceBase: parseAddr('198.18.0.0'), sourceCount: 65536, withOptions: true,
  });
  h.act('attacker: 1000 spoofed SYNs per second from 198.18.0.0/16 for 3 s', () => flooder.start(0));
  h.advanceTo(1_499);
  h.check('the flood has filled the SYN queue (backlog + 1 = 9 requests)', () => (listener.synQueue.size === 9 ? null : `expected the flood to hold 9 requests in the SYN queue, but it holds ${listener.synQueue.size}`));
  const accept = h.act(`accept(${fd})`, () => host.api.accept(fd));
  const tuple = tupleOf(h);
  h.send(1_500, { flags: 'S', options: clientSynOptions({}) });
  const synack = h.expectSegment(1_500, { flags: 'S.', ack: h.pSeq(1), options: clientSynOptions({}), test: (s) => explainCookie(host, tuple, h.peerIss, 3, s.seq) },
    'the real client\'s SYN gets a cookie SYN-ACK at once, although the SYN queue is full');
  h.send(1_510, { flags: '.', seq: h.pSeq(1), ack: (synack.seq + 1) >>> 0 });
  h.check('accept() returns the real client at 1510 ms, while the flood goes on', () => (accept.done && accept.result?.ok && accept.doneAt === 1_510 ? null
    : `expected the client's ACK at 1510 ms to pass the cookie check and accept() to return then, but accept() ${accept.done ? `finished at ${accept.doneAt} ms` : 'is still waiting'}`));
  expectCounter(h, 'SyncookiesRecv', 1, 'exactly one cookie came back: the real client\'s (the spoofed sources never answer)');
  expectCounter(h, 'SyncookiesFailed', 0, 'the real client\'s cookie must not be rejected');
  h.check('the spoofed SYNs got cookies too', () => (host.mib.get('SyncookiesSent') > 1000 ? null : `expected well over 1000 cookie SYN-ACKs by 1.5 s into the flood, but SyncookiesSent is ${host.mib.get('SyncookiesSent')}`));
}));

// ── Task 3: options in the timestamp ──────────────────────────────────────────────────────────

function checkTs(h: PeerHarness, tsNow: number, wscale: number | null, sack: boolean, expected: number, why: string): void {
  const got = h.act(`encodeTsOptions(${hex(tsNow)}, ${wscale}, ${sack})`, () => encodeTsOptions(tsNow, wscale, sack));
  expectReturn(h, `encodeTsOptions(${hex(tsNow)}, ${wscale}, ${sack})`, got, expected, why, hex);
}

function checkDecode(h: PeerHarness, ecr: number, wscale: number | null, sackOk: boolean, why: string, tsOffset = 0): void {
  const call = `decodeTsOptions(${hex(ecr)}, ${hex(tsOffset)})`;
  const got = h.act(call, () => decodeTsOptions(ecr, tsOffset));
  h.check(`${call} = ${showOpts({ wscale, sackOk })}`, () =>
    got && got.wscale === wscale && got.sackOk === sackOk ? null : `${call} should return ${showOpts({ wscale, sackOk })} (${why}), but it returned ${got ? showOpts(got) : String(got)}`);
}

labTest('wscale and SACK-permitted replace the low 6 bits of the clock', { task: 3 }, (t) => {
  const h = t.harness();
  const now = 0x1234567f; // low 6 bits 0x3f: any options fit without running ahead
  checkTs(h, now, 7, true, 0x12345657, 'low 6 bits = wscale 7 | SACK bit 0x10 = 0x17; the upper 26 bits are the clock\'s');
  checkTs(h, now, 7, false, 0x12345647, 'without SACK bit 4 stays clear: 0x07');
  checkTs(h, now, 0, true, 0x12345650, 'a window scale of 0 is stored as 0: 0x10');
  checkTs(h, now, 14, false, 0x1234564e, 'the largest window scale, 14, is stored as 0x0e');
});

labTest('no window scaling is stored as 15', { task: 3 }, (t) => {
  const h = t.harness();
  checkTs(h, 0x1234567f, null, true, 0x1234565f, 'no wscale option from the client: the 4 wscale bits are 0xf (TS_OPT_WSCALE_MASK), plus SACK 0x10');
  checkTs(h, 0x1234567f, null, false, 0x1234564f, 'no wscale and no SACK: 0x0f');
});

labTest('a TSval never runs ahead of the clock: it steps back one 64-unit slot', { task: 3 }, (t) => {
  const h = t.harness();
  checkTs(h, 0x12345645, 7, true, 0x12345617, 'the clock\'s low bits are 0x05 < 0x17, so 0x12345657 would be ahead of the clock; Linux uses the slot before: 0x12345617');
  checkTs(h, 0x12345600, null, false, 0x123455cf, 'low bits 0x00: 0x1234560f would run ahead, so 0x123455cf');
});

labTest('a TSval equal to the clock is not stepped back', { task: 3, guard: true }, (t) => {
  const h = t.harness();
  checkTs(h, 0x12345657, 7, true, 0x12345657, 'the options 0x17 equal the clock\'s low bits: the result is the clock itself, which is not ahead of it');
  checkTs(h, 0x1234564f, null, false, 0x1234564f, 'options 0x0f equal the clock\'s low bits: keep the clock');
});

labTest('a clock value above 2^31 gives an unsigned TSval', { task: 3 }, (t) => {
  const h = t.harness();
  checkTs(h, 0x9234567f, 7, true, 0x92345657, 'TSvals are unsigned 32-bit numbers: 0x9234567f & ~63 is negative in JavaScript, so read it back with >>> 0');
  checkTs(h, 0xfffffff0, null, false, 0xffffffcf, 'options 0x0f are below the clock\'s low bits 0x30: no step back, and the result stays unsigned');
});

labTest('stepping back wraps around 2^32', { task: 3 }, (t) => {
  const h = t.harness();
  checkTs(h, 0x00000005, 7, true, 0xffffffd7, 'timestamps are 32-bit and wrap: 0x17 is ahead of 5, and one slot back from 0 is 0xffffffc0, so 0xffffffd7 (unsigned)');
});

labTest('decoding reads wscale and SACK from the low 6 bits', { task: 3 }, (t) => {
  const h = t.harness();
  checkDecode(h, 0x12345657, 7, true, 'low bits 0x17: wscale 7, SACK bit set');
  checkDecode(h, 0x12345647, 7, false, 'low bits 0x07: wscale 7, no SACK');
  checkDecode(h, 0x1234565f, null, true, 'wscale bits 0xf mean the client sent no window scale');
  checkDecode(h, 0x1234564e, 14, false, 'wscale 14');
});

labTest('a window scale of 0 is a real scale, not "none"', { task: 3 }, (t) => {
  const h = t.harness();
  checkDecode(h, 0x12345650, 0, true, 'wscale bits 0x0 mean the client asked for scale 0 (scaling on, factor 1); only 0xf means none');
  checkDecode(h, 0xffffffc0, 0, false, 'low bits 0x00: wscale 0, no SACK');
});

labTest('the connection\'s timestamp offset comes off TSecr before the bits are read', { task: 3 }, (t) => {
  const h = t.harness();
  checkDecode(h, 0x9abcdefb, 7, true, 'TSecr echoes clock + ts_off: 0x9abcdefb − 0x888888a4 = 0x12345657, low bits 0x17: wscale 7 and SACK (read before removing the offset, the low bits 0x3b would say wscale 11 with SACK)', 0x888888a4);
  checkDecode(h, 0x00000013, null, false, 'the subtraction wraps modulo 2^32: 0x00000013 − 0x00000024 = 0xffffffef, low bits 0x2f: no window scale, no SACK (ECN bit 0x20 aside)', 0x00000024);
  checkDecode(h, 0x12345650, 0, true, 'an offset of 0 (net.ipv4.tcp_timestamps=2) leaves TSecr as it is', 0);
});

labTest('the ECN bit and the bits above the low 6 do not change the decoded options', { task: 3 }, (t) => {
  const h = t.harness();
  checkDecode(h, 0x00000027, 7, false, 'bit 5 (0x20) is ECN, which this stack does not negotiate: low bits 0x27 still mean wscale 7 and no SACK');
  checkDecode(h, 0xffffff9a, 10, true, 'only the low 6 bits carry options: 0x1a is wscale 10 with SACK, whatever the clock bits above');
});

function tsClient(t: LabTestContext, syn: { sack: boolean; wscale: number | null }) {
  const f = cookieListener(t);
  const { h, host, fd } = f;
  const tuple = tupleOf(h);
  const accept = h.act(`accept(${fd})`, () => host.api.accept(fd));
  const tsval = 4242;
  h.send(0, { flags: 'S', options: clientSynOptions({ ts: tsval, sack: syn.sack, wscale: syn.wscale }) });
  // cookie_init_timestamp works on the bare clock; tcp_synack_options adds ts_off on the wire.
  const clock = hostTsClock(host);
  const offset = hostTsOffset(host, h.peerAddr);
  const want = (linuxCookieTs(clock, syn.wscale, syn.sack) + offset) >>> 0;
  const synack = h.expectSegment(0, {
    flags: 'S.',
    test: (s) => {
      const bad = explainCookie(host, tuple, h.peerIss, 3, s.seq);
      if (bad) return bad;
      const ts = tsOption(s);
      if (!ts) return 'it carried no timestamp option, although the client sent one';
      if (ts.ecr !== tsval) return `its TSecr was ${ts.ecr} instead of the client's TSval ${tsval}`;
      if (ts.val !== want) {
        return `its TSval was ${hex(ts.val)}, but the clock reads ${hex(clock)} and this connection's timestamp offset is ${hex(offset)}, so it should be ${hex(want)}: the clock with low 6 bits ${hex((want - offset) & 63)} (wscale ${syn.wscale ?? 'none = 0xf'}${syn.sack ? ' | SACK 0x10' : ''}), never ahead of the clock, plus the offset`;
      }
      return null;
    },
  }, `host sends a cookie SYN-ACK whose TSval hides ${syn.wscale === null ? 'no window scale' : `window scale ${syn.wscale}`}${syn.sack ? ' and SACK-permitted' : ''}`);
  return { ...f, accept, synack, tsval, want, offset };
}

labTest('a cookie SYN-ACK to a Linux client hides wscale 7 and SACK in its TSval', { task: 3 }, (t) => withReferenceFor([...TASK1_FUNCTIONS, ...TASK2_FUNCTIONS], () => {
  const { h, synack } = tsClient(t, { sack: true, wscale: 7 });
  h.check('the SYN-ACK offers SACK and window scaling back', () => {
    const kinds = synack.options.map((o) => o.kind).join(',');
    return kinds === 'mss,sackOK,ts,nop,wscale' ? null : `expected the options <mss,sackOK,TS,nop,wscale>, but the SYN-ACK carried <${kinds}>`;
  });
}));

labTest('the final ACK\'s TSecr brings wscale 7 and SACK back into the connection', { task: 3 }, (t) => withReferenceFor([...TASK1_FUNCTIONS, ...TASK2_FUNCTIONS], () => {
  const { h, accept, synack, tsval, want, offset } = tsClient(t, { sack: true, wscale: 7 });
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: (synack.seq + 1) >>> 0, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: tsval + 10, ecr: want }] });
  h.check('accept() returned', () => (accept.done && accept.result?.ok ? null : 'expected the cookie ACK to be accepted, but accept() is still waiting'));
  const conn = connectionFor(h);
  h.check('the connection has window scale 7, SACK and timestamps', () => {
    if (!conn) return 'expected a connection after the cookie ACK, but there is none';
    const problems: string[] = [];
    if (!conn.wscaleOk || conn.sndWscale !== 7) problems.push(`window scaling ${conn.wscaleOk ? `with shift ${conn.sndWscale}` : 'off'} instead of shift 7`);
    if (!conn.sackOk) problems.push('SACK off');
    if (!conn.tsOk) problems.push('timestamps off');
    return problems.length ? `expected the options read back from TSecr ${hex(want)} (minus the offset, low bits ${hex((want - offset) & 63)}) to give wscale 7 and SACK, but the connection has ${problems.join(', ')}` : null;
  });
}));

labTest('a client without SACK or window scaling gets neither in its cookie connection', { task: 3 }, (t) => withReferenceFor([...TASK1_FUNCTIONS, ...TASK2_FUNCTIONS], () => {
  const { h, accept, synack, tsval, want, offset } = tsClient(t, { sack: false, wscale: null });
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: (synack.seq + 1) >>> 0, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: tsval + 10, ecr: want }] });
  h.check('accept() returned', () => (accept.done && accept.result?.ok ? null : 'expected the cookie ACK to be accepted, but accept() is still waiting'));
  const conn = connectionFor(h);
  h.check('the connection has timestamps but no window scaling and no SACK', () => {
    if (!conn) return 'expected a connection after the cookie ACK, but there is none';
    if (conn.wscaleOk) return `the client sent no window scale (TSecr − offset, low bits ${hex((want - offset) & 63)}), yet the connection scales windows by ${conn.sndWscale}`;
    if (conn.sackOk) return 'the client did not offer SACK, yet the connection uses it';
    return conn.tsOk ? null : 'expected timestamps to be on';
  });
}));

labTest('a client with window scale 2 and no SACK gets exactly that back', { task: 3 }, (t) => withReferenceFor([...TASK1_FUNCTIONS, ...TASK2_FUNCTIONS], () => {
  const { h, accept, synack, tsval, want, offset } = tsClient(t, { sack: false, wscale: 2 });
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: (synack.seq + 1) >>> 0, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: tsval + 10, ecr: want }] });
  h.check('accept() returned', () => (accept.done && accept.result?.ok ? null : 'expected the cookie ACK to be accepted, but accept() is still waiting'));
  const conn = connectionFor(h);
  h.check('the connection scales the client\'s windows by 2^2 and has no SACK', () => {
    if (!conn) return 'expected a connection after the cookie ACK, but there is none';
    if (!conn.wscaleOk || conn.sndWscale !== 2) return `expected window scaling with shift 2 (TSecr − offset, low bits ${hex((want - offset) & 63)}), but the connection has ${conn.wscaleOk ? `shift ${conn.sndWscale}` : 'no scaling'}`;
    return conn.sackOk ? 'the client did not offer SACK, yet the connection uses it' : null;
  });
}));
