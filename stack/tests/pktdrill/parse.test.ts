import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseScript,
  PdSyntaxError,
  type PdAction,
  type PdEvent,
  type PdExpr,
  type PdPacket,
  type PdScript,
  type PdSyscall,
  type PdTcpOption,
  type PdTime,
} from '../../pktdrill/parse.ts';

// ---- builders for expected ASTs (plain literals, so a wrong parse shows as a readable diff) ----

const abs = (usecs: number): PdTime => ({ kind: 'absolute', usecs });
const rel = (usecs: number): PdTime => ({ kind: 'relative', usecs });
const num = (value: number): PdExpr => ({ kind: 'number', value });
const id = (name: string): PdExpr => ({ kind: 'ident', name });
const ell: PdExpr = { kind: 'ellipsis' };
const arr = (...items: PdExpr[]): PdExpr => ({ kind: 'array', items });

function sys(name: string, args: PdExpr[], result: PdExpr, extra: Partial<PdSyscall> = {}): PdSyscall {
  return { kind: 'syscall', name, args, result, ...extra };
}

function pkt(
  direction: 'in' | 'out',
  flags: string,
  seqStart: number,
  seqEnd: number,
  len: number,
  extra: Partial<PdPacket> = {},
): PdPacket {
  return { kind: 'packet', direction, protocol: 'tcp', flags, seqStart, seqEnd, len, options: undefined, ...extra };
}

function ev(line: number, text: string, time: PdTime, action: PdAction, end?: PdTime): PdEvent {
  return end ? { line, text, time, end, action } : { line, text, time, action };
}

const mss = (value: number): PdTcpOption => ({ kind: 'mss', value });
const nop: PdTcpOption = { kind: 'nop' };
const sackOK: PdTcpOption = { kind: 'sackOK' };
const wscale = (shift: number): PdTcpOption => ({ kind: 'wscale', shift });
const ts = (val: number | '*', ecr: number | '*'): PdTcpOption => ({ kind: 'ts', val, ecr });

function fixture(name: string): PdScript {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  return parseScript(text, name);
}

/** Parses and returns the error, failing the test if there is none. */
function syntaxError(text: string, file = 'bad.pkt'): PdSyntaxError {
  try {
    parseScript(text, file);
  } catch (e) {
    if (e instanceof PdSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected a PdSyntaxError for:\n${text}`);
}

/** The action of a one-event script. */
function only(eventLine: string): PdAction {
  const script = parseScript(eventLine);
  expect(script.events).toHaveLength(1);
  return script.events[0].action;
}

const SOCKET = sys('socket', [ell, id('SOCK_STREAM'), id('IPPROTO_TCP')], num(3));

/** The first seven actions of the fixtures that open a plain passive connection (MSS option only). */
const LISTEN_AND_ACCEPT: PdAction[] = [
  SOCKET,
  sys('bind', [num(3), ell, ell], num(0)),
  sys('listen', [num(3), num(1)], num(0)),
  pkt('in', 'S', 0, 0, 0, { win: 65535, options: [mss(1460)] }),
  pkt('out', 'S.', 0, 0, 0, { ack: 1, options: [mss(1460)] }),
  pkt('in', '.', 1, 1, 0, { ack: 1, win: 65535 }),
  sys('accept', [num(3), ell, ell], num(4)),
];

// ---- whole scripts ------------------------------------------------------------------------

describe('parseScript: whole scripts', () => {
  it('passive open, data, and a close initiated by the peer', () => {
    expect(fixture('passive-open-close.pkt')).toEqual({
      file: 'passive-open-close.pkt',
      options: {},
      optionList: [],
      events: [
        ev(3, '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', abs(0), SOCKET),
        ev(
          4,
          '+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0',
          rel(0),
          sys('setsockopt', [num(3), id('SOL_SOCKET'), id('SO_REUSEADDR'), arr(num(1)), num(4)], num(0)),
        ),
        ev(5, '+0 bind(3, ..., ...) = 0', rel(0), sys('bind', [num(3), ell, ell], num(0))),
        ev(6, '+0 listen(3, 5) = 0', rel(0), sys('listen', [num(3), num(5)], num(0))),
        ev(
          8,
          '+0 < S 0:0(0) win 32000 <mss 1400,sackOK,nop,nop,nop,wscale 7>',
          rel(0),
          pkt('in', 'S', 0, 0, 0, { win: 32000, options: [mss(1400), sackOK, nop, nop, nop, wscale(7)] }),
        ),
        ev(
          9,
          '+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>',
          rel(0),
          pkt('out', 'S.', 0, 0, 0, { ack: 1, options: [mss(1460), nop, nop, sackOK, nop, wscale(8)] }),
        ),
        ev(10, '+.05 < . 1:1(0) ack 1 win 250', rel(50_000), pkt('in', '.', 1, 1, 0, { ack: 1, win: 250 })),
        ev(11, '+0 accept(3, ..., ...) = 4', rel(0), sys('accept', [num(3), ell, ell], num(4))),
        ev(
          13,
          '+.01 < P. 1:201(200) ack 1 win 250',
          rel(10_000),
          pkt('in', 'P.', 1, 201, 200, { ack: 1, win: 250 }),
        ),
        ev(14, '+0 > . 1:1(0) ack 201', rel(0), pkt('out', '.', 1, 1, 0, { ack: 201 })),
        ev(15, '+0 read(4, ..., 500) = 200', rel(0), sys('read', [num(4), ell, num(500)], num(200))),
        ev(
          17,
          '+.04 < F. 201:201(0) ack 1 win 250',
          rel(40_000),
          pkt('in', 'F.', 201, 201, 0, { ack: 1, win: 250 }),
        ),
        ev(18, '+0 read(4, ..., 500) = 0', rel(0), sys('read', [num(4), ell, num(500)], num(0))),
        ev(19, '+0 close(4) = 0', rel(0), sys('close', [num(4)], num(0))),
        ev(20, '+0 > F. 1:1(0) ack 202', rel(0), pkt('out', 'F.', 1, 1, 0, { ack: 202 })),
        ev(
          21,
          '+.05 < . 202:202(0) ack 2 win 250',
          rel(50_000),
          pkt('in', '.', 202, 202, 0, { ack: 2, win: 250 }),
        ),
      ],
    });
  });

  it('active open with a blocking connect: the end time is relative like its start', () => {
    expect(fixture('active-open-blocking.pkt').events).toEqual([
      ev(3, '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', abs(0), SOCKET),
      ev(
        4,
        '+.1...0.250 connect(3, ..., ...) = 0',
        rel(100_000),
        sys('connect', [num(3), ell, ell], num(0)),
        rel(250_000),
      ),
      ev(
        5,
        '+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>',
        rel(0),
        pkt('out', 'S', 0, 0, 0, { options: [mss(1460), sackOK, ts(100, 0), nop, wscale(8)] }),
      ),
      ev(
        6,
        '+.15 < S. 0:0(0) ack 1 win 28960 <mss 1400,sackOK,TS val 7000 ecr 100,nop,wscale 6>',
        rel(150_000),
        pkt('in', 'S.', 0, 0, 0, {
          ack: 1,
          win: 28960,
          options: [mss(1400), sackOK, ts(7000, 100), nop, wscale(6)],
        }),
      ),
      ev(
        7,
        '+0 > . 1:1(0) ack 1 <nop,nop,TS val 250 ecr 7000>',
        rel(0),
        pkt('out', '.', 1, 1, 0, { ack: 1, options: [nop, nop, ts(250, 7000)] }),
      ),
      ev(8, '+0 write(3, ..., 100) = 100', rel(0), sys('write', [num(3), ell, num(100)], num(100))),
      ev(
        9,
        '+0 > P. 1:101(100) ack 1 <nop,nop,TS val 250 ecr 7000>',
        rel(0),
        pkt('out', 'P.', 1, 101, 100, { ack: 1, options: [nop, nop, ts(250, 7000)] }),
      ),
    ]);
  });

  it('SO_LINGER in both struct spellings, SO_KEEPALIVE, and a call split over two lines', () => {
    const { events } = fixture('linger-keepalive.pkt');
    expect(events.map((e) => e.time)).toEqual([abs(0), ...Array<PdTime>(13).fill(rel(0))]);
    expect(events.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 16, 17]);
    expect(events.map((e) => e.action)).toEqual([
      SOCKET,
      sys(
        'setsockopt',
        [
          num(3),
          id('SOL_SOCKET'),
          id('SO_LINGER'),
          { kind: 'struct', fields: { l_onoff: num(1), l_linger: num(0) } },
          num(8),
        ],
        num(0),
      ),
      sys('bind', [num(3), ell, ell], num(0)),
      sys('listen', [num(3), num(1)], num(0)),
      pkt('in', 'S', 0, 0, 0, { win: 65535, options: [mss(1460)] }),
      pkt('out', 'S.', 0, 0, 0, { ack: 1, options: [mss(1460)] }),
      pkt('in', '.', 1, 1, 0, { ack: 1, win: 65535 }),
      sys('accept', [num(3), ell, ell], num(4)),
      sys('setsockopt', [num(4), id('SOL_SOCKET'), id('SO_KEEPALIVE'), arr(num(1)), num(4)], num(0)),
      sys('setsockopt', [num(4), id('IPPROTO_TCP'), id('TCP_KEEPIDLE'), arr(num(60)), num(4)], num(0)),
      sys('getsockopt', [num(4), id('SOL_SOCKET'), id('SO_KEEPALIVE'), arr(num(1)), arr(num(4))], num(0)),
      sys(
        'setsockopt',
        [num(4), id('SOL_SOCKET'), id('SO_LINGER'), { kind: 'struct', fields: { onoff: num(1), linger: num(0) } }, num(8)],
        num(0),
      ),
      sys('close', [num(4)], num(0)),
      pkt('out', 'R.', 1, 1, 0, { ack: 1 }),
    ]);
    const split = events[11];
    expect(split.line).toBe(14);
    expect(split.text).toBe('+0 setsockopt(4, SOL_SOCKET, SO_LINGER,\n                 {onoff=1, linger=0}, 8) = 0');
    expect(events[12].line).toBe(16);
  });

  it('a multi-line init command, a timed sysctl, a tcpi assert, <...> and a cleanup command', () => {
    expect(fixture('syncookies.pkt')).toEqual({
      file: 'syncookies.pkt',
      options: {},
      optionList: [],
      init: {
        line: 3,
        text: '`sysctl -q net.ipv4.tcp_syncookies=2;\n sysctl -q net.ipv4.tcp_synack_retries=5`',
        command: 'sysctl -q net.ipv4.tcp_syncookies=2;\n sysctl -q net.ipv4.tcp_synack_retries=5',
      },
      events: [
        ev(6, '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', abs(0), SOCKET),
        ev(7, '+0 bind(3, ..., ...) = 0', rel(0), sys('bind', [num(3), ell, ell], num(0))),
        ev(8, '+0 listen(3, 1) = 0', rel(0), sys('listen', [num(3), num(1)], num(0))),
        ev(
          9,
          '+0 < S 0:0(0) win 65535 <mss 1000,nop,nop,sackOK>',
          rel(0),
          pkt('in', 'S', 0, 0, 0, { win: 65535, options: [mss(1000), nop, nop, sackOK] }),
        ),
        ev(10, '+0 > S. 0:0(0) ack 1 <...>', rel(0), pkt('out', 'S.', 0, 0, 0, { ack: 1, options: 'any' })),
        ev(11, '+.1 < . 1:1(0) ack 1 win 257', rel(100_000), pkt('in', '.', 1, 1, 0, { ack: 1, win: 257 })),
        ev(12, '+0 accept(3, ..., ...) = 4', rel(0), sys('accept', [num(3), ell, ell], num(4))),
        ev(13, '+0 %{ assert tcpi_state == TCPI_ESTABLISHED }%', rel(0), {
          kind: 'code',
          text: 'assert tcpi_state == TCPI_ESTABLISHED',
          asserts: [{ field: 'tcpi_state', op: '==', value: 'TCPI_ESTABLISHED' }],
        }),
        ev(14, '+0 `sysctl -q net.ipv4.tcp_syncookies=1`', rel(0), {
          kind: 'shell',
          command: 'sysctl -q net.ipv4.tcp_syncookies=1',
        }),
      ],
      cleanup: {
        line: 16,
        text: '`sysctl -q net.ipv4.tcp_syncookies=1`',
        command: 'sysctl -q net.ipv4.tcp_syncookies=1',
      },
    });
  });

  it('simultaneous close: CLOSING asserts, one-line and multi-line, and a /* */ comment after a packet', () => {
    const { events } = fixture('simultaneous-close.pkt');
    expect(events).toHaveLength(13);
    expect(events.slice(0, 7).map((e) => [e.line, e.time, e.action])).toEqual(
      LISTEN_AND_ACCEPT.map((action, i) => [i + 2, i === 0 ? abs(0) : rel(0), action]),
    );
    expect(events.slice(7)).toEqual([
      ev(10, '+0 shutdown(4, SHUT_WR) = 0', rel(0), sys('shutdown', [num(4), id('SHUT_WR')], num(0))),
      ev(11, '+0 > F. 1:1(0) ack 1', rel(0), pkt('out', 'F.', 1, 1, 0, { ack: 1 })),
      ev(12, '+0 < F. 1:1(0) ack 1 win 65535', rel(0), pkt('in', 'F.', 1, 1, 0, { ack: 1, win: 65535 })),
      ev(13, '+0 > . 2:2(0) ack 2', rel(0), pkt('out', '.', 2, 2, 0, { ack: 2 })),
      ev(14, '+0 %{ assert tcpi_state == TCPI_CLOSING }%', rel(0), {
        kind: 'code',
        text: 'assert tcpi_state == TCPI_CLOSING',
        asserts: [{ field: 'tcpi_state', op: '==', value: 'TCPI_CLOSING' }],
      }),
      ev(
        15,
        "+0 %{\nassert tcpi_state == TCPI_CLOSING, 'crossing FINs'\n# no timer has fired yet\nassert tcpi_retransmits == 0\n}%",
        rel(0),
        {
          kind: 'code',
          text: "assert tcpi_state == TCPI_CLOSING, 'crossing FINs'\n# no timer has fired yet\nassert tcpi_retransmits == 0",
          asserts: [
            { field: 'tcpi_state', op: '==', value: 'TCPI_CLOSING', message: 'crossing FINs' },
            { field: 'tcpi_retransmits', op: '==', value: 0 },
          ],
        },
      ),
    ]);
  });

  it('non-blocking connect: fcntl flags, EINPROGRESS with its text, a sockaddr struct, SO_ERROR', () => {
    const { events } = fixture('nonblocking-connect.pkt');
    expect(events.map((e) => e.action)).toEqual([
      SOCKET,
      sys('fcntl', [num(3), id('F_GETFL')], num(2), { note: 'flags O_RDWR' }),
      sys(
        'fcntl',
        [num(3), id('F_SETFL'), { kind: 'binary', op: '|', left: id('O_RDWR'), right: id('O_NONBLOCK') }],
        num(0),
      ),
      sys(
        'connect',
        [
          num(3),
          {
            kind: 'struct',
            fields: {
              sa_family: id('AF_INET'),
              sin_port: { kind: 'call', name: 'htons', args: [num(8080)] },
              sin_addr: { kind: 'call', name: 'inet_addr', args: [{ kind: 'string', value: '192.0.2.1' }] },
            },
          },
          num(16),
        ],
        num(-1),
        { errno: { name: 'EINPROGRESS', text: 'Operation now in progress' } },
      ),
      pkt('out', 'S', 0, 0, 0, { options: [mss(1460), sackOK, ts(100, 0), nop, wscale(8)] }),
      pkt('in', 'S.', 0, 0, 0, { ack: 1, win: 5000, options: [mss(1200), nop, nop, sackOK, nop, wscale(4)] }),
      pkt('out', '.', 1, 1, 0, { ack: 1 }),
      sys('getsockopt', [num(3), id('SOL_SOCKET'), id('SO_ERROR'), arr(num(0)), arr(num(4))], num(0)),
    ]);
    expect(events.map((e) => e.time)).toEqual([abs(0), rel(0), rel(0), rel(0), rel(0), rel(200_000), rel(0), rel(0)]);
    expect(events.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(events.every((e) => e.end === undefined)).toBe(true);
  });

  it('FIN retransmissions: relative ranges, * and <...>', () => {
    const { events } = fixture('fin-retransmit.pkt');
    expect(events).toHaveLength(15);
    expect(events.slice(0, 7).map((e) => [e.line, e.time, e.action])).toEqual(
      LISTEN_AND_ACCEPT.map((action, i) => [i + 2, i === 0 ? abs(0) : i === 5 ? rel(100_000) : rel(0), action]),
    );
    expect(events.slice(7)).toEqual([
      ev(10, '+0 close(4) = 0', rel(0), sys('close', [num(4)], num(0))),
      ev(11, '+0 > F. 1:1(0) ack 1', rel(0), pkt('out', 'F.', 1, 1, 0, { ack: 1 })),
      ev(
        12,
        '+.3~+.350 > F. 1:1(0) ack 1',
        { kind: 'range', lo: rel(300_000), hi: rel(350_000) },
        pkt('out', 'F.', 1, 1, 0, { ack: 1 }),
      ),
      ev(
        13,
        '+.6~+.650 > F. 1:1(0) ack 1 <...>',
        { kind: 'range', lo: rel(600_000), hi: rel(650_000) },
        pkt('out', 'F.', 1, 1, 0, { ack: 1, options: 'any' }),
      ),
      ev(14, '* > F. 1:1(0) ack 1 <...>', { kind: 'any' }, pkt('out', 'F.', 1, 1, 0, { ack: 1, options: 'any' })),
      ev(15, '+0 < . 1:1(0) ack 2 win 65535', rel(0), pkt('in', '.', 1, 1, 0, { ack: 2, win: 65535 })),
      ev(16, '+.01 < F. 1:1(0) ack 2 win 65535', rel(10_000), pkt('in', 'F.', 1, 1, 0, { ack: 2, win: 65535 })),
      ev(17, '+0 > . 2:2(0) ack 2', rel(0), pkt('out', '.', 2, 2, 0, { ack: 2 })),
    ]);
  });

  it('header options, absolute times and an absolute range', () => {
    const script = fixture('header-options.pkt');
    expect(script.options).toEqual({
      tolerance_usecs: '10000',
      ip_version: 'ipv4',
      mss: '1000',
      strict_segments: '',
    });
    expect(script.optionList).toEqual([
      { line: 1, name: 'tolerance_usecs', value: '10000' },
      { line: 2, name: 'ip_version', value: 'ipv4' },
      { line: 3, name: 'mss', value: '1000' },
      { line: 4, name: 'strict_segments' },
    ]);
    expect(script.events.map((e) => [e.line, e.time])).toEqual([
      [6, abs(0)],
      [7, abs(0)],
      [8, abs(10_000)],
      [9, abs(100_000)],
      [10, abs(100_000)],
      [11, abs(200_000)],
      [12, abs(200_000)],
      [13, abs(1_200_000)],
      [14, abs(1_200_000)],
      [15, abs(1_200_000)],
      [16, abs(1_300_000)],
      [17, abs(1_400_000)],
      [18, { kind: 'range', lo: abs(1_400_000), hi: abs(1_500_000) }],
    ]);
    expect(script.events.map((e) => e.action)).toEqual([
      SOCKET,
      sys('bind', [num(3), ell, ell], num(0)),
      sys('listen', [num(3), num(10)], num(0)),
      pkt('in', 'S', 0, 0, 0, { win: 20000, options: [mss(1000)] }),
      pkt('out', 'S.', 0, 0, 0, { ack: 1, options: 'any' }),
      pkt('in', '.', 1, 1, 0, { ack: 1, win: 20000 }),
      sys('accept', [num(3), ell, ell], num(4)),
      sys('write', [num(4), ell, num(2000)], num(2000)),
      pkt('out', '.', 1, 1001, 1000, { ack: 1 }),
      pkt('out', 'P.', 1001, 2001, 1000, { ack: 1 }),
      pkt('in', '.', 1, 1, 0, { ack: 2001, win: 20000 }),
      sys('close', [num(4)], num(0)),
      pkt('out', 'F.', 2001, 2001, 0, { ack: 1 }),
    ]);
    expect(script.events[12].text).toBe('1.4~1.5 > F. 2001:2001(0) ack 1');
  });
});

// ---- pieces of the language ---------------------------------------------------------------

describe('times', () => {
  const timeOf = (t: string): PdTime => parseScript(`${t} > . 1:1(0) ack 1`).events[0].time;

  it.each([
    ['0', abs(0)],
    ['0.100', abs(100_000)],
    ['1.2', abs(1_200_000)],
    ['4.35', abs(4_350_000)], // 4.35 * 1e6 is 4349999.999... as a double
    ['.04', abs(40_000)],
    ['+0', rel(0)],
    ['+.1', rel(100_000)],
    ['+1.5', rel(1_500_000)],
    ['+.000001', rel(1)],
    ['+1.0000009', rel(1_000_000)], // beyond the microsecond: truncated, as packetdrill does
    ['*', { kind: 'any' } as PdTime],
    ['0.1~0.2', { kind: 'range', lo: abs(100_000), hi: abs(200_000) } as PdTime],
    ['+.3~+.400', { kind: 'range', lo: rel(300_000), hi: rel(400_000) } as PdTime],
    ['+0~+.04', { kind: 'range', lo: rel(0), hi: rel(40_000) } as PdTime],
  ])('%s', (written, expected) => {
    expect(timeOf(written)).toEqual(expected);
  });

  it('an absolute blocking call ends at an absolute time', () => {
    const e = parseScript('0...0.1 accept(3, ..., ...) = 4').events[0];
    expect(e.time).toEqual(abs(0));
    expect(e.end).toEqual(abs(100_000));
    expect(e.action).toEqual(sys('accept', [num(3), ell, ell], num(4)));
  });

  it('the blocking end time may span several seconds', () => {
    const e = parseScript('1.00...6.00 connect(3, ..., ...) = -1 ETIMEDOUT (Connection timed out)').events[0];
    expect([e.time, e.end]).toEqual([abs(1_000_000), abs(6_000_000)]);
    expect(e.action).toEqual(
      sys('connect', [num(3), ell, ell], num(-1), { errno: { name: 'ETIMEDOUT', text: 'Connection timed out' } }),
    );
  });
});

describe('packets', () => {
  it.each(['S', 'S.', '.', 'P.', 'F.', 'F', 'R', 'R.', 'SR', 'FP.', 'U.'])('flags %s are kept as written', (flags) => {
    expect(only(`0 > ${flags} 0:0(0)`)).toEqual(pkt('out', flags, 0, 0, 0));
  });

  it("'-' means no flags", () => {
    expect(only('0 < - 1:1(0) win 0')).toEqual(pkt('in', '-', 1, 1, 0, { win: 0 }));
  });

  it('urg, an explicit port pair, eol and a SACK option with two blocks', () => {
    expect(only('0 < 40000>8080 UP. 1:11(10) ack 1 win 100 urg 5 <nop,nop,sack 1:2 3:4>')).toEqual(
      pkt('in', 'UP.', 1, 11, 10, {
        srcPort: 40000,
        dstPort: 8080,
        ack: 1,
        win: 100,
        urg: 5,
        options: [nop, nop, { kind: 'sack', blocks: [[1, 2], [3, 4]] }],
      }),
    );
    expect(only('0 > . 1:1(0) <mss 536,eol,eol,eol,eol>')).toEqual(
      pkt('out', '.', 1, 1, 0, { options: [mss(536), { kind: 'eol' }, { kind: 'eol' }, { kind: 'eol' }, { kind: 'eol' }] }),
    );
  });

  it("accepts '*' for a timestamp field", () => {
    expect(only('0 > . 1:1(0) ack 1 <nop,nop,TS val * ecr 0>')).toEqual(
      pkt('out', '.', 1, 1, 0, { ack: 1, options: [nop, nop, ts('*', 0)] }),
    );
  });

  it('a window of 0 on an outbound packet is a value, not an omission', () => {
    expect(only('0 > . 1:1(0) ack 1 win 0')).toEqual(pkt('out', '.', 1, 1, 0, { ack: 1, win: 0 }));
  });

  it('sequence numbers use the full 32-bit range', () => {
    expect(only('0 < . 4294967295:4294967295(0) ack 4294967295 win 65535')).toEqual(
      pkt('in', '.', 4294967295, 4294967295, 0, { ack: 4294967295, win: 65535 }),
    );
  });
});

describe('unsupported features parse and are flagged', () => {
  it('a TFO option (FO) keeps its text', () => {
    expect(only('0 < S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO 0123456789abcdef,nop,nop>')).toEqual(
      pkt('in', 'S', 0, 0, 0, {
        win: 65535,
        options: [
          mss(1460),
          nop,
          nop,
          sackOK,
          nop,
          wscale(7),
          { kind: 'unsupported', text: 'FO 0123456789abcdef' },
          nop,
          nop,
        ],
        unsupported: 'TCP Fast Open option (FO)',
      }),
    );
    expect(only('0 > S. 0:0(0) ack 1 <mss 1460,FO,nop,nop>')).toMatchObject({
      options: [mss(1460), { kind: 'unsupported', text: 'FO' }, nop, nop],
      unsupported: 'TCP Fast Open option (FO)',
    });
  });

  it('an ECN codepoint [ect0] and ECN flags', () => {
    expect(only('0 < [ect0] SEW 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>')).toEqual(
      pkt('in', 'SEW', 0, 0, 0, {
        win: 32792,
        options: [mss(1000), sackOK, nop, nop, nop, wscale(7)],
        unsupported: "ECN codepoint [ect0]; ECN flags (E, W) in 'SEW'",
      }),
    );
    expect((only('0 > [noecn] . 1:1(0) ack 1') as PdPacket).unsupported).toBe('ECN codepoint [noecn]');
    // The TOS byte is checked (IP_TOS); other IP header fields are not.
    expect(only('0 > (tos 0x10) . 1:1(0) ack 1')).toMatchObject({ tos: 0x10 });
    expect((only('0 > (tos 0x10) . 1:1(0) ack 1') as PdPacket).unsupported).toBeUndefined();
    expect(only('0 < [tos 0xb8] . 1:1(0) ack 1 win 100')).toMatchObject({ tos: 0xb8 });
    expect((only('0 > (flowlabel 0x1) . 1:1(0) ack 1') as PdPacket).unsupported).toBe('IP header field check (flowlabel 0x1)');
    expect((only('0 > (tos 0x100) . 1:1(0) ack 1') as PdPacket).unsupported).toBe('IP header field check (tos 0x100)');
    expect((only('0 > S.2 0:0(0) ack 1') as PdPacket).unsupported).toBe("AccECN flags in 'S.2'");
  });

  it('an MD5 option', () => {
    expect((only('0 < . 1:1(0) ack 1 win 100 <md5 000102030405060708090a0b0c0d0e0f>') as PdPacket).unsupported).toBe(
      'TCP MD5 signature option (md5)',
    );
  });

  it('udp and icmp packets', () => {
    expect(only('0 < udp (100)')).toEqual({
      kind: 'packet',
      direction: 'in',
      protocol: 'udp',
      flags: '',
      seqStart: 0,
      seqEnd: 0,
      len: 100,
      options: undefined,
      unsupported: 'UDP packet',
    });
    expect(only('0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]')).toMatchObject({
      protocol: 'icmp',
      unsupported: 'ICMP packet (icmp unreachable frag_needed mtu 1200 [1:1461(1460)])',
    });
  });

  it('GRE, MPLS and IP-in-IP encapsulations', () => {
    expect((only('0 < gre: S 0:0(0) win 1000') as PdPacket).unsupported).toBe('GRE encapsulation (gre:)');
    expect(
      (only('0 > mpls (label 123, tc 1, [S], ttl 255): S. 0:0(0) ack 1') as PdPacket).unsupported,
    ).toBe('MPLS encapsulation (mpls (label 123, tc 1, [S], ttl 255):)');
    const inIp6 = only('0 < ipv6 2001:db8::1 > 2001:db8::2: S 0:0(0) win 1000') as PdPacket;
    expect(inIp6).toMatchObject({ flags: 'S', win: 1000, unsupported: 'IPv6 encapsulation (ipv6 2001:db8::1 > 2001:db8::2:)' });
    const inIp4 = only('0 < ipv4 192.0.2.2 > 192.168.0.1: S 0:0(0) win 1000') as PdPacket;
    expect(inIp4.unsupported).toBe('IPv4 encapsulation (ipv4 192.0.2.2 > 192.168.0.1:)');
  });

  it('a Python block is kept and flagged, with no partial asserts', () => {
    const code = only("+0 %{\nassert tcpi_state == TCPI_ESTABLISHED\nprint('rto', tcpi_rto)\n}%");
    expect(code).toEqual({
      kind: 'code',
      text: "assert tcpi_state == TCPI_ESTABLISHED\nprint('rto', tcpi_rto)",
      asserts: [],
      unsupported: 'Python code',
    });
  });

  it.each([
    'assert tcpi_snd_cwnd == tcpi_snd_ssthresh', // two fields compared
    'assert 200000 <= tcpi_rto <= tcpi_rtt', // a chained comparison with a field at its end
    'assert tcpi_options & TCPI_OPT_SACK', // no comparison
    'assert tcpi_probes == 6, probes', // a message that is neither a string nor a tcpi_ field
    "assert tcpi_snd_cwnd == 10, 'cwnd=%d' % (tcpi_snd_cwnd + 1)", // a message computed in Python
    'if tcpi_state == 1: assert tcpi_probes == 0',
  ])('%s is Python, not an assert we check', (python) => {
    expect(only(`0 %{ ${python} }%`)).toMatchObject({ asserts: [], unsupported: 'Python code' });
  });

  it("Python's chained comparison is a range: two asserts on the one field", () => {
    expect(only('0 %{ assert 990 <= tcpi_last_data_recv <= 1010, tcpi_last_data_recv }%')).toEqual({
      kind: 'code',
      text: 'assert 990 <= tcpi_last_data_recv <= 1010, tcpi_last_data_recv',
      asserts: [
        { field: 'tcpi_last_data_recv', op: '>=', value: 990, show: 'tcpi_last_data_recv' },
        { field: 'tcpi_last_data_recv', op: '<=', value: 1010, show: 'tcpi_last_data_recv' },
      ],
    });
    expect(only("0 %{ assert 0x10 < tcpi_rto < 300000, 'rto' }%")).toMatchObject({
      asserts: [
        { field: 'tcpi_rto', op: '>', value: 16, message: 'rto' },
        { field: 'tcpi_rto', op: '<', value: 300_000, message: 'rto' },
      ],
    });
  });

  it('a constant on the left is read from the field\'s side (upstream tcp-info-sndbuf-limited)', () => {
    expect(only('0 %{ assert 0 == tcpi_rwnd_limited, tcpi_rwnd_limited }%')).toMatchObject({
      asserts: [{ field: 'tcpi_rwnd_limited', op: '==', value: 0, show: 'tcpi_rwnd_limited' }],
    });
    expect(only('0 %{ assert 5000 < tcpi_busy_time }%')).toMatchObject({ asserts: [{ field: 'tcpi_busy_time', op: '>', value: 5000 }] });
    expect(only('0 %{ assert 2 != tcpi_snd_cwnd }%')).toMatchObject({ asserts: [{ field: 'tcpi_snd_cwnd', op: '!=', value: 2 }] });
  });

  it('a backslash that ends the block continues into nothing (upstream tcp-info-rwnd-limited)', () => {
    const code = only('0 %{ assert 298000 <= tcpi_rwnd_limited <= 310000, tcpi_rwnd_limited;\\\n   assert tcpi_busy_time > 0;\\\n}%');
    expect(code).toMatchObject({
      asserts: [
        { field: 'tcpi_rwnd_limited', op: '>=', value: 298000 },
        { field: 'tcpi_rwnd_limited', op: '<=', value: 310000 },
        { field: 'tcpi_busy_time', op: '>', value: 0 },
      ],
    });
    expect(code).not.toHaveProperty('unsupported');
  });

  it("a %-formatted message shows the field it formats", () => {
    expect(only("0 %{ assert tcpi_snd_cwnd == 10, 'cwnd=%d' % tcpi_snd_cwnd }%")).toMatchObject({
      asserts: [{ field: 'tcpi_snd_cwnd', op: '==', value: 10, show: 'tcpi_snd_cwnd' }],
    });
    // A string that merely contains "% tcpi_x" is a message, not a format.
    expect(only("0 %{ assert tcpi_snd_cwnd == 10, 'about 10 % tcpi_snd_cwnd' }%")).toMatchObject({
      asserts: [{ field: 'tcpi_snd_cwnd', op: '==', value: 10, message: 'about 10 % tcpi_snd_cwnd' }],
    });
  });

  it('asserts that name a tcpi_ field to print on failure', () => {
    expect(only('0 %{ assert tcpi_ca_state == TCP_CA_Open, tcpi_ca_state }%')).toEqual({
      kind: 'code',
      text: 'assert tcpi_ca_state == TCP_CA_Open, tcpi_ca_state',
      asserts: [{ field: 'tcpi_ca_state', op: '==', value: 'TCP_CA_Open', show: 'tcpi_ca_state' }],
    });
  });

  it('asserts: every operator, negative and hex numbers, ";" separators and both quote styles', () => {
    expect(
      only(
        `0 %{ assert tcpi_backoff >= 1; assert tcpi_rto < 0x3d090, "below 250 ms"
              assert tcpi_probes != -1
              assert tcpi_snd_wscale <= 14, 'max shift'; assert tcpi_retransmits > 0 }%`,
      ),
    ).toEqual({
      kind: 'code',
      text: `assert tcpi_backoff >= 1; assert tcpi_rto < 0x3d090, "below 250 ms"
              assert tcpi_probes != -1
              assert tcpi_snd_wscale <= 14, 'max shift'; assert tcpi_retransmits > 0`,
      asserts: [
        { field: 'tcpi_backoff', op: '>=', value: 1 },
        { field: 'tcpi_rto', op: '<', value: 250_000, message: 'below 250 ms' },
        { field: 'tcpi_probes', op: '!=', value: -1 },
        { field: 'tcpi_snd_wscale', op: '<=', value: 14, message: 'max shift' },
        { field: 'tcpi_retransmits', op: '>', value: 0 },
      ],
    });
  });
});

describe('expressions', () => {
  const arg = (text: string): PdExpr => (only(`0 f(${text}) = 0`) as PdSyscall).args[0];

  it.each<[string, PdExpr]>([
    ['0x10', num(16)],
    ['-1', num(-1)],
    ['[]', arr()],
    ['[ETIMEDOUT]', arr(id('ETIMEDOUT'))],
    ['"a" "b"', { kind: 'string', value: 'ab' }],
    ['"abc"...', { kind: 'string', value: 'abc', ellipsis: true }],
    ['"x\\"y"', { kind: 'string', value: 'x\\"y' }],
    ['{..., 1000}', arr(ell, num(1000))],
    [
      'A|B|C',
      { kind: 'binary', op: '|', left: { kind: 'binary', op: '|', left: id('A'), right: id('B') }, right: id('C') },
    ],
    ['inet6_addr("fd3d::1")', { kind: 'call', name: 'inet6_addr', args: [{ kind: 'string', value: 'fd3d::1' }] }],
    [
      '{fd=3, events=POLLIN|POLLOUT}',
      {
        kind: 'struct',
        fields: { fd: num(3), events: { kind: 'binary', op: '|', left: id('POLLIN'), right: id('POLLOUT') } },
      },
    ],
    [
      '{msg_name(...)=..., msg_iov(1)=[{..., 10}], msg_flags=0}',
      {
        kind: 'struct',
        fields: { 'msg_name(...)': ell, 'msg_iov(1)': arr(arr(ell, num(10))), msg_flags: num(0) },
      },
    ],
  ])('%s', (text, expected) => {
    expect(arg(text)).toEqual(expected);
  });

  it('an empty argument list and an errno without its text', () => {
    expect(only('0 f() = -1 EAGAIN')).toEqual(sys('f', [], num(-1), { errno: { name: 'EAGAIN' } }));
  });

  it('a name followed by a spaced parenthesis is a result and its note, not a call', () => {
    expect(only('0 fcntl(3, F_GETFL) = O_RDWR (flags O_RDWR)')).toEqual(
      sys('fcntl', [num(3), id('F_GETFL')], id('O_RDWR'), { note: 'flags O_RDWR' }),
    );
  });

  it('an errno text that spans lines is folded to one line', () => {
    expect(only('0 write(4, ..., 10) = -1 EPIPE (Broken\n   pipe)')).toEqual(
      sys('write', [num(4), ell, num(10)], num(-1), { errno: { name: 'EPIPE', text: 'Broken pipe' } }),
    );
  });
});

describe('comments, whitespace and options', () => {
  it('CRLF line ends leave no carriage return in shell commands or code blocks', () => {
    const script = parseScript('`a\r\nb`\r\n0 `c\r\nd`\r\n+0 %{ assert tcpi_state == 1\r\n}%\r\n');
    expect(script.init?.command).toBe('a\nb');
    expect(script.events.map((e) => e.action)).toEqual([
      { kind: 'shell', command: 'c\nd' },
      { kind: 'code', text: 'assert tcpi_state == 1', asserts: [{ field: 'tcpi_state', op: '==', value: 1 }] },
    ]);
  });

  it('ignores // and /* */ comments, CRLF line ends, and keeps comments out of event text', () => {
    const script = parseScript(
      '// header\r\n/* a\r\n block */ 0 close(3) = 0 // trailing\r\n+0 /* inline */ close(4) = 0\r\n',
    );
    expect(script.events).toEqual([
      ev(3, '0 close(3) = 0', abs(0), sys('close', [num(3)], num(0))),
      ev(4, '+0 /* inline */ close(4) = 0', rel(0), sys('close', [num(4)], num(0))),
    ]);
  });

  it('option values: quoted, addresses, defines; a repeated option keeps every occurrence', () => {
    const script = parseScript(
      '--local_ip=192.168.0.1 --define=CC="new reno" --remote_ip=fd3d::2\n--define=X=1\n0 close(3) = 0',
    );
    expect(script.optionList).toEqual([
      { line: 1, name: 'local_ip', value: '192.168.0.1' },
      { line: 1, name: 'define', value: 'CC="new reno"' },
      { line: 1, name: 'remote_ip', value: 'fd3d::2' },
      { line: 2, name: 'define', value: 'X=1' },
    ]);
    expect(script.options).toEqual({ local_ip: '192.168.0.1', define: 'X=1', remote_ip: 'fd3d::2' });
  });

  it('uses <script> as the file name when none is given', () => {
    expect(parseScript('0 close(3) = 0').file).toBe('<script>');
  });
});

// ---- errors -------------------------------------------------------------------------------

describe('syntax errors carry file, line, column and quote the token', () => {
  it('an unknown word where a packet or call should be', () => {
    const e = syntaxError('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n  +0 frobnicate 3\n');
    expect(e).toBeInstanceOf(Error);
    expect([e.file, e.line, e.column]).toEqual(['bad.pkt', 2, 17]);
    expect(e.reason).toBe(
      "expected '(' after 'frobnicate': a system call needs an argument list, and a packet starts with '<' or '>'",
    );
    expect(e.message).toBe(`bad.pkt:2:17: ${e.reason}`);
  });

  it.each<[string, string, number, number, string]>([
    ['missing window on an inbound packet', '0 < S 0:0(0) <mss 1000>', 1, 3, "inbound packets must give a window ('win N')"],
    [
      'inconsistent seq:end(len)',
      '0 > P. 1:101(10) ack 1',
      1,
      8,
      'inconsistent sequence numbers: 1:101 spans 100 but the payload length is 10',
    ],
    [
      'an unknown TCP option',
      '0 < S 0:0(0) win 1000 <mms 1000>',
      1,
      24,
      "unknown TCP option 'mms' (known: mss, nop, eol, wscale, sackOK, sack, TS val/ecr, FO, FOEXP, md5)",
    ],
    [
      'an invalid flag',
      '0 > SX 0:0(0)',
      1,
      5,
      "invalid TCP flag 'X' in 'SX' (valid: . S F R P U E W A, and 0-7 for AccECN)",
    ],
    [
      'unpadded options',
      '0 > S 0:0(0) <mss 1460,sackOK>',
      1,
      14,
      'TCP options add up to 6 bytes, not a multiple of 4: pad them with nop',
    ],
    [
      'too many options',
      '0 > S 0:0(0) <sack 1:2 3:4 5:6 7:8 9:10,nop,nop>',
      1,
      14,
      'TCP options add up to 44 bytes, more than the 40 a TCP header can hold',
    ],
    [
      '<...> on an inbound packet',
      '0 < . 1:1(0) ack 1 win 10 <...>',
      1,
      27,
      "'<...>' (options not checked) can only be used on outbound packets: an injected packet needs definite options",
    ],
    ['* on an inbound packet', '* < . 1:1(0) ack 1 win 10', 1, 1, "the time '*' can only be used on outbound packets ('>')"],
    [
      'a range on a system call',
      '+0~+.1 close(3) = 0',
      1,
      1,
      "a time range (a~b) can only be used on outbound packets ('>')",
    ],
    [
      'a mixed range',
      '+.1~0.2 > . 1:1(0)',
      1,
      5,
      "both ends of a time range must be relative ('+.3~+.4') or both absolute ('0.3~0.4')",
    ],
    ['a backwards range', '0.2~0.1 > . 1:1(0)', 1, 4, 'time range is backwards: it ends (100000 us) before it starts (200000 us)'],
    [
      "a '+' in a blocking end time",
      '+.1...+.2 connect(3, ..., ...) = 0',
      1,
      7,
      "write the end time of a blocking call without '+' (as in +.1...0.200): packetdrill measures it from the same point as the start time",
    ],
    [
      'a blocking call that ends before it starts',
      '+.3...0.2 accept(3, ..., ...) = 4',
      1,
      7,
      'a blocking call cannot return (200000 us) before it starts (300000 us)',
    ],
    ['a negative time', '-1 close(3) = 0', 1, 1, "negative time '-1'"],
    ['a window out of range', '0 < . 1:1(0) ack 1 win 65536', 1, 24, "a window '65536' is out of range (0 to 65535)"],
    ['ack after win', '0 < . 1:1(0) win 10 ack 1', 1, 21, "'ack' is out of place: write ack, then win, then urg, then <options>"],
    ['a missing result', '0 close(3)\n+0 close(4) = 0', 2, 1, "expected '= <result>' after close(...), found '+'"],
    ['a bad errno', '0 close(3) = -1 oops', 1, 17, "expected an errno name such as EINPROGRESS after the result of close(), found 'oops'"],
    [
      'a preprocessor line',
      '#ifdef FreeBSD\n0 close(3) = 0',
      1,
      1,
      "preprocessor lines such as '#ifdef' are not part of the packetdrill language: expand them before parsing",
    ],
    ['a stray token where a time should be', '0 close(3) = 0\n) 0 close(4) = 0', 2, 1, "expected an event time (such as 0, 0.100, +.1, * or +.3~+.4), found ')'"],
    ['an unterminated shell command', '0 `sysctl -q x=1\n+0 close(3) = 0', 1, 3, "unterminated shell command: no closing '`'"],
    ['an unterminated code block', '0 %{ assert tcpi_state == 1', 1, 3, "unterminated code block: no closing '}%'"],
    ['an unterminated comment', '0 close(3) = 0 /* oops', 1, 16, "unterminated /* comment: no closing '*/'"],
    ['an unterminated string', '0 connect(3, "abc) = 0', 1, 14, 'unterminated string: no closing \'"\''],
    ['an unclosed list', '0 setsockopt(3, SOL_SOCKET, SO_LINGER, [1, 4) = 0', 1, 45, "expected ',' or ']' in a [list], found ')'"],
    [
      'named and unnamed values mixed in braces',
      '0 f({a=1, 2}) = 0',
      1,
      5,
      'mix of named (name=value) and unnamed values in { }: write all fields as name=value, or none',
    ],
    ['a field given twice', '0 f({a=1, a=2}) = 0', 1, 11, "field 'a' appears twice in { }"],
    ['a fractional argument', '0 f(1.5) = 0', 1, 5, "a fractional number '1.5' is not a valid value in the arguments of f()"],
    [
      'an option after the first event',
      '0 close(3) = 0\n--mss=1000',
      2,
      1,
      "header option '--mss=1000' must come before the first event and before any shell command",
    ],
    ['an option with spaces', '--mss = 1000\n0 close(3) = 0', 1, 6, 'write header options as --mss=value, without spaces around \'=\''],
    [
      'an untimed shell command between events',
      '0 close(3) = 0\n`echo hi`\n+0 close(4) = 0',
      2,
      1,
      'a shell command without a time may only be the first or the last statement of a script; give it a time, e.g. +0 `...`',
    ],
    ['a script with no events', '--mss=1000\n`./defaults.sh`\n', 3, 1, 'a script needs at least one event (a line starting with a time such as 0 or +0)'],
    ['a TS option without ecr', '0 > S 0:0(0) <TS val 1>', 1, 23, "expected 'ecr' after the TS val (TS val N ecr N), found '>'"],
  ])('%s', (_name, text, line, column, reason) => {
    const e = syntaxError(text);
    expect({ line: e.line, column: e.column, reason: e.reason }).toEqual({ line, column, reason });
  });

  it('the message names the file given to parseScript', () => {
    expect(syntaxError('0 > S 0:0(0) <mss 1460,sackOK>', 'tests/x.pkt').message).toBe(
      'tests/x.pkt:1:14: TCP options add up to 6 bytes, not a multiple of 4: pad them with nop',
    );
  });
});
