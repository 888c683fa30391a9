/**
 * Our packetdrill suite: every script under suite/<chapter>/ runs through the runner against the
 * simulated stack and must pass — under two seeds, so ISNs, timestamp offsets and clocks differ
 * and only the relative numbers the scripts are written in stay the same. Then the runner itself
 * must fail scripts that are wrong: a bad ack number, a segment 1 ms early, a missing segment, an
 * unexpected segment before an expected one, and features the simulator cannot reproduce.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatFailure, runScript, type PdRunResult } from '../../pktdrill/run.ts';

const SUITE = fileURLToPath(new URL('./suite', import.meta.url));
const CHAPTERS = ['handshake', 'teardown', 'syn-flood', 'queues', 'keepalive'];

function scripts(chapter: string): string[] {
  return readdirSync(join(SUITE, chapter)).filter((f) => f.endsWith('.pkt')).sort();
}

function read(rel: string): string {
  return readFileSync(join(SUITE, rel), 'utf8');
}

function explain(r: PdRunResult): string {
  return r.failure ? `${r.file}\n${formatFailure(r.failure)}` : `${r.file} passed`;
}

describe('our packetdrill suite passes on the stack', () => {
  it('has at least 40 scripts covering all five chapters', () => {
    const counts = CHAPTERS.map((c) => scripts(c).length);
    expect(counts.every((n) => n >= 5), `scripts per chapter: ${counts.join(', ')}`).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40);
    expect(readdirSync(SUITE).sort()).toEqual([...CHAPTERS].sort());
  });

  for (const chapter of CHAPTERS) {
    describe(chapter, () => {
      for (const name of scripts(chapter)) {
        it(name, () => {
          const text = read(`${chapter}/${name}`);
          for (const seed of [1, 7]) {
            const r = runScript(text, { file: `${chapter}/${name}`, seed });
            expect(r.status, `seed ${seed}: ${explain(r)}`).toBe('pass');
            expect(r.eventsRun).toBeGreaterThan(0);
          }
        });
      }
    });
  }
});

/** A suite script with one line replaced (the line must occur exactly once). */
function edited(rel: string, from: string, to: string): string {
  const text = read(rel);
  expect(text.split(from).length - 1, `"${from}" should occur once in ${rel}`).toBe(1);
  return text.replace(from, to);
}

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('the runner fails scripts that are wrong', () => {
  it('a wrong ack number: the packet line fails with expected vs actual in packetdrill notation', () => {
    const text = edited('teardown/active-close.pkt', '   +0 > . 2:2(0) ack 2', '   +0 > . 2:2(0) ack 3');
    const r = runScript(text, { file: 'wrong-ack.pkt' });
    expect(r.status).toBe('fail');
    expect(r.failure).toMatchObject({
      kind: 'packet',
      line: lineOf(text, '> . 2:2(0) ack 3'),
      usecs: 620_000,
      expected: '+0 > . 2:2(0) ack 3',
      actual: '0.620000 > . 2:2(0) ack 2 win 64240',
    });
    expect(r.failure!.message).toContain('tcp_ack_seq expected 3 vs actual 2');
    expect(formatFailure(r.failure!)).toMatch(/^line \d+ at 0\.620000 s: .*\n {2}script: \+0 > \. 2:2\(0\) ack 3\n {2}actual: 0\.620000 > \. 2:2/);
  });

  it('a segment 1 ms early: the delayed ACK of a FIN is due 40 ms after it, not 41', () => {
    const text = edited('teardown/passive-close.pkt', ' +.04 > . 1:1(0) ack 12', '+.041 > . 1:1(0) ack 12');
    const r = runScript(text);
    expect(r.failure).toMatchObject({ kind: 'timing', line: lineOf(text, '+.041 >'), usecs: 250_000 });
    expect(r.failure!.message).toBe('timing error: expected this segment at 0.251000 s, but it was sent at 0.250000 s');
    // The same script passes once the tolerance covers the millisecond.
    expect(runScript(text, { toleranceUsecs: 1000 }).status).toBe('pass');
  });

  it('a segment 1 ms late is a timing error too, found by looking ahead', () => {
    const text = edited('teardown/passive-close.pkt', ' +.04 > . 1:1(0) ack 12', '+.039 > . 1:1(0) ack 12');
    const r = runScript(text);
    expect(r.failure).toMatchObject({ kind: 'timing', usecs: 250_000 });
    expect(r.failure!.message).toContain('expected this segment at 0.249000 s, but it was sent at 0.250000 s');
  });

  it('a missing segment: nothing is sent, the line fails as missing', () => {
    // shutdown(SHUT_RD) sends nothing; a script claiming it sends a FIN is wrong.
    const text = edited('teardown/half-close.pkt', '  +.1 shutdown(4, SHUT_WR) = 0', '  +.1 shutdown(4, SHUT_RD) = 0');
    const r = runScript(text);
    expect(r.failure).toMatchObject({ kind: 'missing', line: lineOf(text, '> F. 1:1(0) ack 1'), usecs: 110_000 });
    expect(r.failure!.message).toBe('expected the stack to send this segment at 0.110000 s, but it sent nothing by 0.110000 s');
  });

  it('an unexpected segment before an expected one fails that expected line', () => {
    // Without the line for the FIN that close() sends, the FIN is the next segment when the
    // script expects the ACK of the peer's FIN.
    const text = edited('teardown/active-close.pkt', '   +0 > F. 1:1(0) ack 1\n', '');
    const r = runScript(text);
    expect(r.failure).toMatchObject({ kind: 'packet', line: lineOf(text, '> . 2:2(0) ack 2') });
    expect(r.failure!.message).toContain('flags expected . vs actual F.');
    expect(r.failure!.actual).toBe('0.110000 > F. 1:1(0) ack 1 win 64240');
  });

  it('a segment the stack never sends, after one it does: extra segments at the end are allowed, missing ones are not', () => {
    const base = read('teardown/active-close.pkt');
    // Trailing output the script does not mention is fine (packetdrill's rule)...
    const trimmed = base.replace(/\s*\+0 %\{ assert tcpi_state == TCPI_TIME_WAIT \}%\s*$/, '\n').replace('   +0 > . 2:2(0) ack 2\n', '');
    expect(runScript(trimmed).status, explain(runScript(trimmed))).toBe('pass');
    // ...but a scripted segment that never comes is not.
    const r = runScript(`${base}   +1 > . 2:2(0) ack 2\n`);
    expect(r.failure?.kind).toBe('missing');
  });

  it('a wrong system call result and a wrong tcp_info assert fail with what actually happened', () => {
    const wrongErrno = edited('handshake/synsent-rst-refused.pkt', '= -1 ECONNREFUSED (Connection refused)', '= -1 ETIMEDOUT (Connection timed out)');
    const r1 = runScript(wrongErrno);
    expect(r1.failure).toMatchObject({ kind: 'syscall', line: lineOf(wrongErrno, '...0.300 connect(') });
    expect(r1.failure!.message).toBe('connect() returned -1 ECONNREFUSED (Connection refused), the script expects -1 ETIMEDOUT (Connection timed out)');
    const wrongState = edited('teardown/simultaneous-close.pkt', 'assert tcpi_state == TCPI_CLOSING', 'assert tcpi_state == TCPI_FIN_WAIT2');
    expect(runScript(wrongState).failure?.message).toBe('assert tcpi_state == TCPI_FIN_WAIT2 failed: tcpi_state is 11 (CLOSING)');
  });

  it('recovery scripts fail when they claim a send PRR or limited transmit does not make', () => {
    // PRR's proportional phase: the SACK of 4001:5001 releases nothing (pipe 6 > ssthresh 5).
    const eager = edited('teardown/prr-sack-recovery.pkt', '+.01 < . 1:1(0) ack 1 win 320 <sack 1001:5001,nop,nop>\n', '+.01 < . 1:1(0) ack 1 win 320 <sack 1001:5001,nop,nop>\n+0 > . 10001:11001(1000) ack 1\n');
    expect(runScript(eager).failure?.line).toBe(lineOf(eager, '<sack 1001:5001') + 1);
    // The second duplicate ACK's limited-transmit segment goes without PSH.
    const pushed = edited('teardown/limited-transmit-no-sack.pkt', '+0 > . 11001:12001(1000) ack 1', '+0 > P. 11001:12001(1000) ack 1');
    expect(runScript(pushed).failure?.line).toBe(lineOf(pushed, '> P. 11001:12001'));
    // Without SACK recovery is held at SND.UNA = high_seq; with SACK it ends there.
    const open = edited('teardown/limited-transmit-no-sack.pkt', 'assert tcpi_ca_state == TCP_CA_Recovery, tcpi_ca_state\nassert tcpi_snd_cwnd == 5', 'assert tcpi_ca_state == TCP_CA_Open, tcpi_ca_state\nassert tcpi_snd_cwnd == 5');
    expect(runScript(open).failure?.message).toBe('assert tcpi_ca_state == TCP_CA_Open failed: tcpi_ca_state is 3');
  });

  it('a blocking call that returns at the wrong time fails with the time it returned', () => {
    const text = edited('handshake/active-open-blocking.pkt', '+0...0.100 connect', '+0...0.150 connect');
    const r = runScript(text);
    expect(r.failure).toMatchObject({ kind: 'timing', usecs: 100_000, line: lineOf(text, '...0.150 connect(') });
    expect(r.failure!.message).toBe('timing error: expected the blocking call to return at 0.150000 s, but it returned at 0.100000 s');
  });

  describe('unsupported features fail loudly, before anything runs', () => {
    const base = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n';
    const cases: Array<[string, string, RegExp]> = [
      ['TCP Fast Open', '+0 < S 0:0(0) win 65535 <mss 1460,nop,nop,FO abcd1234,nop,nop>\n', /unsupported: TCP Fast Open option \(FO\)/],
      ['ECN flags', '+0 < SEW 0:0(0) win 65535 <mss 1460>\n', /unsupported: ECN flags/],
      ['MD5 signatures', '+0 < S 0:0(0) win 65535 <md5 000102030405060708090a0b0c0d0e0f>\n', /unsupported: TCP MD5 signature option/],
      ['a tc shell command other than a drop-everything qdisc', '+0 `tc qdisc add dev tun0 root netem delay 10ms`\n', /unsupported: shell command `tc qdisc add dev tun0 root netem delay 10ms`/],
      ['arbitrary Python', '+0 %{ print(tcpi_rtt) }%\n', /unsupported: Python code in %\{ \}%/],
      ['a system call the simulator lacks', '+0 sendfile(4, 5, ..., 1000) = 1000\n', /unsupported: system call sendfile\(\)/],
      ['an unmodelled socket option', '+0 setsockopt(3, SOL_TCP, TCP_CONGESTION, "bbr", 3) = 0\n', /unsupported: setsockopt option TCP_CONGESTION/],
      ['IPv6', '', /unsupported: --ip_version=ipv6/],
    ];
    for (const [what, line, message] of cases) {
      it(what, () => {
        const text = what === 'IPv6' ? `--ip_version=ipv6\n${base}` : `${base}${line}+0 < S 0:0(0) win 100 <mss 1460>\n+0 > S. 0:0(0) ack 1 <mss 1460>\n`;
        const r = runScript(text);
        expect(r.status).toBe('fail');
        expect(r.failure!.kind).toBe('unsupported');
        expect(r.failure!.message).toMatch(message);
        expect(r.eventsRun).toBe(0);
      });
    }

    it('lists every unsupported line, not just the first', () => {
      const r = runScript(`${base}+0 \`tc qdisc show\`\n+0 %{ import os }%\n`);
      expect(r.unsupported.map((u) => u.line)).toEqual([4, 5]);
      expect(r.failure!.message).toMatch(/\(and 1 more\)$/);
    });

    it('an unknown sysctl is unsupported, a known one out of range is an error', () => {
      const unknown = runScript('`sysctl -q net.ipv4.tcp_mtu_probing=1`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n');
      expect(unknown.failure).toMatchObject({ kind: 'shell', line: 1 });
      expect(unknown.failure!.message).toMatch(/^unsupported: unknown sysctl "net.ipv4.tcp_mtu_probing"/);
      const range = runScript('0 `sysctl -q net.ipv4.tcp_syncookies=3`\n');
      expect(range.failure!.message).toBe('sysctl net.ipv4.tcp_syncookies must be an integer in [0, 2], got 3');
    });
  });
});
