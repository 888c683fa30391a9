/**
 * Visible tests of the syn-flood lab: a few friendly checks the learner can read and run while
 * working. The graded hidden tests go further (boundaries, stale and forged cookies, a flood).
 */
import { labTest } from '../kit/scoring.ts';
import { withReferenceFor } from '../kit/side.ts';
import { decodeCookie, decodeTsOptions, encodeCookie, encodeTsOptions, mssIndex } from '../../stack/core/tcp/syncookies.ts';
import { TASK1_FUNCTIONS, clientSynOptions, connectionFor, cookieListener, expectReturn, explainCookie, hex, linuxCookie, minuteAt, tupleOf } from './support.ts';

labTest('mssIndex: 1460 is index 3, and 1000 rounds down to index 0 (536)', { task: 1 }, (t) => {
  const h = t.harness();
  expectReturn(h, 'mssIndex(1460)', h.act('mssIndex(1460)', () => mssIndex(1460)), 3, 'msstab = [536, 1300, 1440, 1460]');
  expectReturn(h, 'mssIndex(1000)', h.act('mssIndex(1000)', () => mssIndex(1000)), 0, 'round down: 536 is the largest entry not above 1000');
});

labTest('encodeCookie gives the Linux cookie, and decodeCookie gets the MSS index back', { task: 2 }, (t) => {
  const h = t.harness();
  const tuple = tupleOf(h);
  const cookie = h.act('encodeCookie(host, 10.0.0.1:40000 → 10.0.0.2:80, client ISN 1000, MSS index 2)', () => encodeCookie(h.host, tuple, 1000, 2));
  h.check(`the cookie is ${hex(linuxCookie(h.host, tuple, 1000, 2))}`, () => explainCookie(h.host, tuple, 1000, 2, cookie));
  const idx = h.act(`decodeCookie(host, same 4-tuple, ${hex(cookie)}, client ISN 1000)`, () => decodeCookie(h.host, tuple, cookie, 1000));
  expectReturn(h, 'decodeCookie', idx, 2, 'the cookie was made this minute with MSS index 2');
});

labTest('a client completes a handshake with a cookie (tcp_syncookies=2)', { task: 2 }, (t) => withReferenceFor(TASK1_FUNCTIONS, () => {
  const { h, host, fd } = cookieListener(t);
  const tuple = tupleOf(h);
  const accept = h.act(`accept(${fd})`, () => host.api.accept(fd));
  h.send(0, { flags: 'S', options: clientSynOptions({}) });
  const synack = h.expectSegment(0, { flags: 'S.', ack: h.pSeq(1), test: (s) => explainCookie(host, tuple, h.peerIss, 3, s.seq) }, 'host answers with a cookie SYN-ACK');
  h.send(10, { flags: '.', seq: h.pSeq(1), ack: (synack.seq + 1) >>> 0 });
  h.check('accept() returned the connection', () => (accept.done && accept.result?.ok ? null : 'expected the ACK of cookie + 1 to complete the handshake, but accept() is still waiting'));
  h.check('the connection is ESTABLISHED', () => (connectionFor(h)?.state === 'ESTABLISHED' ? null : `expected ESTABLISHED, but the connection is ${connectionFor(h)?.state ?? 'missing'}`));
}));

labTest('wscale 7 and SACK survive a trip through the TSval', { task: 3 }, (t) => {
  const h = t.harness();
  const ts = h.act('encodeTsOptions(0x1234567f, 7, true)', () => encodeTsOptions(0x1234567f, 7, true));
  expectReturn(h, 'encodeTsOptions(0x1234567f, 7, true)', ts, 0x12345657, 'the low 6 bits become 0x17 = wscale 7 | SACK 0x10', hex);
  // On the wire the SYN-ACK's TSval is that plus the connection's timestamp offset; the ACK echoes it.
  const offset = 0x01020325;
  const ecr = (ts + offset) >>> 0;
  const back = h.act(`decodeTsOptions(${hex(ecr)}, offset ${hex(offset)})`, () => decodeTsOptions(ecr, offset));
  h.check('decodeTsOptions gives { wscale: 7, sackOk: true }', () =>
    back.wscale === 7 && back.sackOk === true ? null : `expected { wscale: 7, sackOk: true } back from TSecr ${hex(ecr)} once the offset ${hex(offset)} is removed, but got { wscale: ${back.wscale}, sackOk: ${back.sackOk} }`);
});

labTest('a cookie from the previous minute is accepted; one two minutes old is rejected', { task: 2 }, (t) => {
  const h = t.harness();
  h.advanceTo(5_000);
  const tuple = tupleOf(h);
  const minute = minuteAt(h.host);
  const fresh = linuxCookie(h.host, tuple, 1000, 3, minute - 1);
  const got = h.act(`decodeCookie(cookie ${hex(fresh)} made in minute ${minute - 1}) in minute ${minute}`, () => decodeCookie(h.host, tuple, fresh, 1000));
  expectReturn(h, `decodeCookie(${hex(fresh)})`, got, 3, 'its age is 1 minute, below MAX_SYNCOOKIE_AGE = 2: compute H1 for the minute the cookie was made, not the current one');
  const stale = linuxCookie(h.host, tuple, 1000, 3, minute - 2);
  const old = h.act(`decodeCookie(cookie ${hex(stale)} made in minute ${minute - 2}) in minute ${minute}`, () => decodeCookie(h.host, tuple, stale, 1000));
  expectReturn(h, `decodeCookie(${hex(stale)})`, old, null, 'a cookie 2 minutes old has expired');
});

labTest('a window scale of 0 is a real scale, not "none": it survives the TSval as 0', { task: 3 }, (t) => {
  const h = t.harness();
  const got = h.act('decodeTsOptions(encodeTsOptions(0x12345678, 0, true), 0)', () => decodeTsOptions(encodeTsOptions(0x12345678, 0, true), 0));
  h.check('wscale 0 and SACK come back', () => (got.wscale === 0 && got.sackOk === true ? null : `expected { wscale: 0, sackOk: true } (only 0xf in the low bits means no window scaling), but got { wscale: ${got.wscale}, sackOk: ${got.sackOk} }`));
});
