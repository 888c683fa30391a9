/**
 * The packetdrill runner's semantics, one rule per test: timing forms, outbound aggregation,
 * sequence and timestamp mapping, blocking calls, descriptors and options, shell lines, and the
 * CLI's exit codes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatFailure, runScript, type PdRunResult } from '../../pktdrill/run.ts';
import { DEFAULTS_SH, planShell } from '../../pktdrill/shell.ts';

const LISTEN = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 8) = 0
`;
/** A passive open from a peer with MSS 1000 and no other options; accept() gives fd 4 at 0.1 s. */
const ESTABLISHED = `${LISTEN}+0 < S 0:0(0) win 65535 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
+.1 < . 1:1(0) ack 1 win 65535
+0 accept(3, ..., ...) = 4
`;

function pass(text: string, opts = {}): PdRunResult {
  const r = runScript(text, opts);
  expect(r.status, r.failure ? formatFailure(r.failure) : '').toBe('pass');
  return r;
}

function failure(text: string, opts = {}) {
  const r = runScript(text, opts);
  expect(r.status).toBe('fail');
  return r.failure!;
}

describe('outbound segments', () => {
  it('segments split at the MSS match one scripted segment; --strict_segments turns that off', () => {
    const text = `${ESTABLISHED}+0 write(4, ..., 2500) = 2500\n+0 > P. 1:2501(2500) ack 1\n`;
    pass(text);
    const f = failure(`--strict_segments\n${text}`);
    expect(f.kind).toBe('packet');
    expect(f.message).toContain('flags expected P. vs actual .');
    expect(f.actual).toBe('0.100000 > . 1:1001(1000) ack 1 win 64240');
  });

  it('the pieces may also be scripted one by one', () => {
    // A 2-segment packet and the write's end: PSH on the last segment of each (KERNEL.md finding 58).
    pass(`${ESTABLISHED}+0 write(4, ..., 2500) = 2500\n+0 > . 1:1001(1000) ack 1\n+0 > P. 1001:2001(1000) ack 1\n+0 > P. 2001:2501(500) ack 1\n`);
  });

  it('no option list means no options; <...> means any', () => {
    pass(`${LISTEN}+0 < S 0:0(0) win 65535 <mss 1000>\n+0 > S. 0:0(0) ack 1 <...>\n`);
    const f = failure(`${LISTEN}+0 < S 0:0(0) win 65535 <mss 1000>\n+0 > S. 0:0(0) ack 1\n`);
    expect(f.message).toBe('the stack sent a different segment: tcp options expected (no options) vs actual <mss 1460>');
  });

  it('an outbound window is checked only when written', () => {
    pass(`${ESTABLISHED}+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1 win 64240\n`);
    expect(failure(`${ESTABLISHED}+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1 win 65535\n`).message).toContain('tcp_window expected 65535 vs actual 64240');
  });

  it("'*' matches at any time and the next relative time counts from when the segment left", () => {
    pass(`${ESTABLISHED}+0 close(4) = 0\n+0 > F. 1:1(0) ack 1\n* > F. 1:1(0) ack 1\n+.6 > F. 1:1(0) ack 1\n`);
  });

  it('a time range, relative or absolute, accepts any time inside it and nothing outside', () => {
    // RTO after a 100 ms RTT sample: 300 ms, so the first FIN retransmission is at 0.4 s.
    pass(`${ESTABLISHED}+0 close(4) = 0\n+0 > F. 1:1(0) ack 1\n+.2~+.3 > F. 1:1(0) ack 1\n`);
    pass(`${ESTABLISHED}+0 close(4) = 0\n+0 > F. 1:1(0) ack 1\n0.35~0.45 > F. 1:1(0) ack 1\n`);
    const f = failure(`${ESTABLISHED}+0 close(4) = 0\n+0 > F. 1:1(0) ack 1\n0.5~0.6 > F. 1:1(0) ack 1\n`);
    expect(f.message).toBe('timing error: expected this segment between 0.500000 and 0.600000 s, but it was sent at 0.400000 s');
  });

  it('--mss makes a longer injected segment a GSO packet: its segment size becomes rcv_mss', () => {
    const text = `${ESTABLISHED}+0 < . 1:10001(10000) ack 1 win 65535\n+0 > . 1:1(0) ack 10001\n`;
    pass(`--mss=1000\n${text}+0 %{ assert tcpi_rcv_mss == 1000, tcpi_rcv_mss }%\n`);
    pass(`${text}+0 %{ assert tcpi_rcv_mss == 1460, tcpi_rcv_mss }%\n`);
    // A segment no longer than the GSO size is not a GSO packet: its own length counts.
    pass(`--mss=1000\n${ESTABLISHED}+0 < . 1:801(800) ack 1 win 65535\n+0 %{ assert tcpi_rcv_mss == 800, tcpi_rcv_mss }%\n`);
    expect(failure(`--mss=lots\n${text}`).kind).toBe('syntax');
  });

  it('--tolerance_usecs in the header, overridden by the caller', () => {
    const late = `${ESTABLISHED}+0 close(4) = 0\n+0 > F. 1:1(0) ack 1\n+.302 > F. 1:1(0) ack 1\n`;
    expect(failure(late).kind).toBe('timing');
    pass(`--tolerance_usecs=2000\n${late}`);
    expect(failure(`--tolerance_usecs=2000\n${late}`, { toleranceUsecs: 0 }).kind).toBe('timing');
  });

  it('outbound SACK blocks are in the peer’s own sequence numbers', () => {
    const sack = ESTABLISHED.replace('<mss 1000>', '<mss 1000,nop,nop,sackOK>').replace('ack 1 <mss 1460>', 'ack 1 <mss 1460,nop,nop,sackOK>');
    const text = `${sack}+0 < P. 1001:2001(1000) ack 1 win 65535\n+0 > . 1:1(0) ack 1 <nop,nop,sack 1001:2001>\n+0 < P. 1:1001(1000) ack 1 win 65535\n+0 > . 1:1(0) ack 2001\n+0 read(4, ..., 5000) = 2000\n`;
    pass(text);
    expect(failure(text.replace('sack 1001:2001', 'sack 1001:2000')).message).toBe(
      'the stack sent a different segment: tcp options expected <nop,nop,sack 1001:2000> vs actual <nop,nop,sack 1001:2001>',
    );
  });

  it('a segment for another connection does not satisfy the line', () => {
    const f = failure(`${LISTEN}+0 < 40001>8080 S 0:0(0) win 65535 <mss 1000>\n+0 > 8080>40002 S. 0:0(0) ack 1 <mss 1460>\n`);
    expect(f.message).toBe('the stack sent a different segment: ports expected 8080>40002 vs actual 8080>40001');
  });
});

describe('sequence numbers and timestamps', () => {
  it('outbound numbers are relative to the ISN the stack chose, under any seed', () => {
    for (const seed of [1, 2, 3, 99]) {
      pass(`${ESTABLISHED}+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n+.1 < . 1:1(0) ack 11 win 65535\n+0 write(4, ..., 5) = 5\n+0 > P. 11:16(5) ack 1\n`, { seed });
    }
  });

  it('inbound TS ecr is mapped to the TSval the stack sent for that script value', () => {
    const base = `${LISTEN}+0 < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 700 ecr 5,nop,wscale 7>
`;
    // ecr 700 names the SYN-ACK's TSval: the handshake's RTT sample by timestamp is exact (0.25 s).
    const r = pass(`${base}+.25 < . 1:1(0) ack 1 win 500 <nop,nop,TS val 6 ecr 700>\n+0 accept(3, ..., ...) = 4\n+0 %{ assert tcpi_rtt == 250000 }%\n`);
    expect(r.eventsRun).toBe(8);
    // An outbound TS ecr must echo the script's last TS val.
    const f = failure(`${base}+.25 < . 1:1(0) ack 1 win 500 <nop,nop,TS val 6 ecr 700>\n+0 accept(3, ..., ...) = 4\n+0 write(4, ..., 1) = 1\n+0 > P. 1:2(1) ack 1 <nop,nop,TS val 800 ecr 5>\n`);
    expect(f.message).toBe('the stack sent a different segment: TS ecr expected 5 vs actual 6');
  });

  it('--tcp_ts_tick_usecs checks the outbound TS val: the first one is the base, later ones move with the clock', () => {
    // The SYN-ACK's TS val 100 is the base whatever the stack really sent; its clock ticks once a
    // millisecond, so 1.1 s later its FIN must say 1200, give or take the tolerance.
    const script = (finVal: number, header = '--tcp_ts_tick_usecs=1000\n') => `${header}${LISTEN}+0 < S 0:0(0) win 20000 <mss 1000,sackOK,TS val 5 ecr 0>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 5>
+.1 < . 1:1(0) ack 1 win 20000 <nop,nop,TS val 6 ecr 100>
+0 accept(3, ..., ...) = 4
+1 close(4) = 0
+0 > F. 1:1(0) ack 1 <nop,nop,TS val ${finVal} ecr 6>
`;
    for (const seed of [1, 2, 99]) pass(script(1200), { seed });
    const f = failure(script(1210));
    expect(f).toMatchObject({ kind: 'packet', line: 10, actual: '1.100000 > F. 1:1(0) ack 1 win 65160 <nop,nop,TS val 1200 ecr 6>' });
    expect(f.message).toBe('the stack sent a different segment: TS val expected 1210 vs actual 1200 (10 ticks of 1000 µs off, tolerance 0 µs)');
    // The tolerance counts from the start of the script (1.1 s here), not from the previous event.
    pass(script(1210), { toleranceUsecs: 10_000 });
    expect(failure(script(1210), { toleranceUsecs: 9_000 }).kind).toBe('packet');
    pass(`--tolerance_percent=1\n${script(1211)}`);
    expect(failure(`--tolerance_percent=1\n${script(1212)}`).kind).toBe('packet');
    // A coarser tick makes each unit count for more.
    expect(failure(script(1201, '--tcp_ts_tick_usecs=10000\n--tolerance_usecs=9999\n')).kind).toBe('packet');
    pass(script(1201, '--tcp_ts_tick_usecs=10000\n--tolerance_usecs=10000\n'));
    // Without a tick, or with TS val '*', nothing is checked (packetdrill's default).
    pass(script(9999, ''));
    pass(script(1, '--tcp_ts_tick_usecs=0\n'));
    pass(script(1200).replace('TS val 1200', 'TS val *'));
    expect(runScript(`--tcp_ts_tick_usecs=2000000\n${LISTEN}`).failure).toMatchObject({
      kind: 'syntax', line: 1, message: '--tcp_ts_tick_usecs takes microseconds per TS val tick, 0 to 1000000, got "2000000"',
    });
  });

  it('an inbound TS ecr before the stack sent any TSval cannot be mapped', () => {
    const f = failure(`${LISTEN}+0 < . 1:1(0) ack 1 win 500 <nop,nop,TS val 6 ecr 700>\n`);
    expect(f).toMatchObject({ kind: 'packet', line: 4 });
    expect(f.message).toBe('unable to map TS ecr 700: the stack has sent no segment with a TS val yet');
  });
});

describe('system calls', () => {
  it('script descriptors map to the host’s, errno results are compared, unknown descriptors give EBADF', () => {
    pass(`${ESTABLISHED}+0 close(9) = -1 EBADF (Bad file descriptor)\n+0 read(4, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)\n`.replace('+0 read(4', '+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n+0 fcntl(4, F_GETFL) = 0x802\n+0 read(4'));
  });

  it('SO_SNDBUF and SO_RCVBUF: clamped to wmem_max / rmem_max (a negative int is a huge u32), then doubled', () => {
    const opt = (name: string, set: number, read: number) =>
      `+0 setsockopt(3, SOL_SOCKET, ${name}, [${set}], 4) = 0\n+0 getsockopt(3, SOL_SOCKET, ${name}, [${read}], [4]) = 0\n`;
    const sock = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n';
    // Linux's default maxima, 212992 each.
    pass(sock + opt('SO_SNDBUF', 300000, 425984) + opt('SO_RCVBUF', -1, 425984) + opt('SO_RCVBUF', 212992, 425984));
    pass(`${sock}+0 \`sysctl -q net.core.wmem_max=10000 net.core.rmem_max=5000\`\n` + opt('SO_SNDBUF', 50000, 20000) + opt('SO_RCVBUF', 50000, 10000) + opt('SO_SNDBUF', 2000, 4608));
    expect(failure(sock + opt('SO_SNDBUF', 300000, 600000)).message).toMatch(/SO_SNDBUF: expected 600000 vs actual 425984/);
  });

  it('a call written without an end time must not block', () => {
    const f = failure(`${LISTEN}+0 accept(3, ..., ...) = 4\n`);
    expect(f).toMatchObject({ kind: 'syscall', line: 4 });
    expect(f.message).toMatch(/^accept\(\) blocked; the script expects it to return at once/);
  });

  it('a blocking call that never returns fails once its end time has passed', () => {
    const f = failure(`${LISTEN}+0...1.5 accept(3, ..., ...) = 4\n+1 < S 0:0(0) win 100 <mss 1000>\n`);
    expect(f).toMatchObject({ kind: 'syscall', line: 4, usecs: 1_500_000 });
    expect(f.message).toBe('the blocking call had not returned by 1.500000 s, when the script expects it to');
  });

  it('a blocking call returning the wrong value is reported when it returns', () => {
    const f = failure(`${LISTEN}0...0.2 accept(3, ..., ...) = -1 EAGAIN (Resource temporarily unavailable)
0.1 < S 0:0(0) win 100 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
0.2 < . 1:1(0) ack 1 win 100
`);
    expect(f).toMatchObject({ kind: 'syscall', line: 4, usecs: 200_000 });
    expect(f.message).toBe('accept() returned 4, the script expects -1 EAGAIN (Resource temporarily unavailable)');
  });

  it('getsockopt compares the value, SO_ERROR by errno name', () => {
    const f = failure(`${ESTABLISHED}+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0\n`);
    expect(f.message).toBe('getsockopt SO_ERROR: expected 104 (ECONNRESET) vs actual 0');
    pass(`${ESTABLISHED}+0 getsockopt(4, SOL_TCP, TCP_KEEPINTVL, [75], [4]) = 0\n+0 setsockopt(4, SOL_TCP, TCP_KEEPCNT, [200], 4) = -1 EINVAL (Invalid argument)\n`);
  });
});

describe('script structure', () => {
  it('a syntax error is a failure with its line, not an exception', () => {
    const r = runScript('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0) <mss 1000>\n', { file: 'bad.pkt' });
    expect(r.failure).toMatchObject({ kind: 'syntax', line: 2, message: "inbound packets must give a window ('win N')" });
    expect(r.file).toBe('bad.pkt');
  });

  it('a malformed header value is a syntax failure, not an exception', () => {
    expect(runScript('--tolerance_usecs=lots\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n').failure).toMatchObject({
      kind: 'syntax', line: 1, message: '--tolerance_usecs takes a non-negative integer, got "lots"',
    });
    expect(runScript('--remote_ip=2001:db8::1\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n').failure?.message).toMatch(/^--remote_ip: invalid IPv4 address/);
  });

  it('--local_ip, --remote_ip and --bind_port change the addresses the script talks to', () => {
    pass(`--local_ip=10.0.0.2\n--remote_ip=10.0.0.9\n--bind_port=80\n${ESTABLISHED}+0 close(4) = 0\n+0 > F. 1:1(0) ack 1\n`);
  });

  it('a sockaddr with sin_port in bind() moves the listener, and inbound packets follow it', () => {
    pass(ESTABLISHED.replace('bind(3, ..., ...)', 'bind(3, {sa_family=AF_INET, sin_port=htons(9090), sin_addr=inet_addr("192.168.0.1")}, 16)') + '+0 close(4) = 0\n+0 > 9090>49152 F. 1:1(0) ack 1\n');
  });

  it('the first event must be at time 0', () => {
    expect(failure('1 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n').message).toBe('the first event must be at time 0 (packetdrill starts every script at 0)');
  });

  it('defaults.sh applies the Linux settings the stack models and says what it left out', () => {
    const r = pass('`../common/defaults.sh`\n0 `sysctl -q net.ipv4.tcp_synack_retries=2`\n+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n');
    expect(r.log.join('\n')).toMatch(/^defaults\.sh: applied tcp_timestamps=1, tcp_syn_retries=5/);
    // With tcp_synack_retries=2 set after defaults.sh, the request is dropped at 7 s (1 + 2 + 4).
    pass(`\`./defaults.sh\`\n${LISTEN.replace('0 socket', '0 `sysctl -q net.ipv4.tcp_synack_retries=2`\n+0 socket')}+0 < S 0:0(0) win 100 <mss 1000>\n+0 > S. 0:0(0) ack 1 <mss 1460>\n1 > S. 0:0(0) ack 1 <mss 1460>\n3 > S. 0:0(0) ack 1 <mss 1460>\n7 %{ assert tcpi_state == TCPI_CLOSE }%\n+0 < . 1:1(0) ack 1 win 100\n+0 > R 1:1(0)\n`);
  });

  it('defaults.sh raises tcp_rmem to 15 MB, so the SYN-ACK offers wscale 8 as Linux selftests expect; without it, 7', () => {
    pass(`\`./defaults.sh\`\n${LISTEN}+0 < S 0:0(0) win 100 <mss 1000,nop,wscale 8>\n+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>\n`);
    const f = failure(`${LISTEN}+0 < S 0:0(0) win 100 <mss 1000,nop,wscale 8>\n+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>\n`);
    expect(f.message).toMatch(/wscale 7/);
  });
});

describe('shell lines', () => {
  it('reads sysctl, set_sysctls.py, echo > /proc and defaults.sh; rejects the rest', () => {
    expect(planShell('sysctl -q net.ipv4.tcp_syncookies=2; sysctl -w net.core.somaxconn=5 > /dev/null 2>&1')).toEqual({
      ok: true,
      settings: [{ name: 'net.ipv4.tcp_syncookies', value: '2' }, { name: 'net.core.somaxconn', value: '5' }],
      nstat: [],
      qdisc: [],
      notes: [],
    });
    expect(planShell('../common/set_sysctls.py /proc/sys/net/ipv4/tcp_fin_timeout=5')).toMatchObject({ ok: true, settings: [{ name: 'net.ipv4.tcp_fin_timeout', value: '5' }] });
    expect(planShell('echo 1 > /proc/sys/net/ipv4/tcp_rfc1337')).toMatchObject({ ok: true, settings: [{ name: 'net.ipv4.tcp_rfc1337', value: '1' }] });
    expect(planShell('./defaults.sh')).toMatchObject({ ok: true, settings: DEFAULTS_SH });
    // tc: only a device that drops everything, and going back to the default queue.
    expect(planShell('tc qdisc delete dev tun0 root 2>/dev/null ; tc qdisc add dev tun0 root pfifo limit 0')).toMatchObject({ ok: true, qdisc: ['default', 'drop-all'] });
    expect(planShell('tc qdisc replace dev tun0 root pfifo limit 0')).toMatchObject({ ok: true, qdisc: ['drop-all'] });
    expect(planShell('tc qdisc add dev tun0 root pfifo')).toMatchObject({ ok: false, unsupported: expect.stringContaining('tc is understood only as') });
    expect(planShell('tc qdisc add dev tun0 root netem delay 10ms')).toMatchObject({ ok: false });
    expect(planShell('sysctl net.ipv4.tcp_syncookies')).toMatchObject({ ok: false });
    // Quotes inside a word belong to that word, as in the shell.
    expect(planShell('sysctl -q net.ipv4.tcp_wmem="4096 20000 4194304" net.ipv4.tcp_rmem=\'4096 1 2\'')).toMatchObject({
      ok: true, settings: [{ name: 'net.ipv4.tcp_wmem', value: '4096 20000 4194304' }, { name: 'net.ipv4.tcp_rmem', value: '4096 1 2' }],
    });
  });

  /** A SACK connection whose FIN is resent by a tail loss probe after an nstat interval began. */
  const SACK_FIN_PROBE = `${LISTEN}+0 < S 0:0(0) win 65535 <mss 1460,sackOK,nop,nop>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK>
+.1 < . 1:1(0) ack 1 win 65535
+0 accept(3, ..., ...) = 4
+0 \`nstat -n\`
+0 close(4) = 0
+0 > F. 1:1(0) ack 1
+.3 > F. 1:1(0) ack 1
`;

  it('nstat: -n starts an interval; a grep pipeline checks the counters that changed since, and fails when no line is left', () => {
    expect(planShell('nstat -n')).toEqual({ ok: true, settings: [], nstat: [{ greps: [], update: true }], qdisc: [], notes: [] });
    expect(planShell('nstat | grep TcpExtTCPLossProbes | grep -q " 1 "')).toMatchObject({ ok: true, nstat: [{ greps: ['TcpExtTCPLossProbes', ' 1 '] }] });
    expect(planShell('nstat -n | sort')).toMatchObject({ ok: false });
    const sack = SACK_FIN_PROBE;
    pass(`${sack}+0 \`nstat | grep TcpExtTCPLossProbes | grep -q " 1 "\`\n`);
    const f = failure(`${sack}+0 \`nstat | grep TcpExtTCPLossProbes | grep -q " 2 "\`\n`);
    expect(f.kind).toBe('shell');
    expect(f.message).toMatch(/no counter line matches "TcpExtTCPLossProbes" and " 2 ".*\n.*TcpExtTCPLossProbes 1 0\.0/s);
    // The interval restarts: the probe is not counted again by the next nstat.
    expect(failure(`${sack}+0 \`nstat > /dev/null\`\n+0 \`nstat | grep -q TcpExtTCPLossProbes\`\n`).kind).toBe('shell');
  });

  it('nstat -s (--noupdate) checks without starting a new interval', () => {
    expect(planShell('nstat -s | grep TcpExtTCPLossProbes')).toMatchObject({ ok: true, nstat: [{ greps: ['TcpExtTCPLossProbes'], update: false }] });
    expect(planShell('nstat -sz')).toMatchObject({ ok: true, nstat: [{ greps: [], update: false }] });
    const sack = SACK_FIN_PROBE;
    // Twice, and the second still sees the probe; after a plain nstat it is gone.
    pass(`${sack}+0 \`nstat -s | grep TcpExtTCPLossProbes | grep -q " 1 "\`\n+0 \`nstat | grep TcpExtTCPLossProbes | grep -q " 1 "\`\n`);
    expect(failure(`${sack}+0 \`nstat -s | grep -q TcpExtTCPLossProbes\`\n+0 \`nstat > /dev/null\`\n+0 \`nstat -s | grep -q TcpExtTCPLossProbes\`\n`).kind).toBe('shell');
  });

  it("the Linux selftests' closing sysctl_restore line and backslash continuations are understood", () => {
    expect(planShell('/tmp/sysctl_restore_${PPID}.sh')).toMatchObject({ ok: true, settings: [] });
    expect(planShell('sysctl -q \\\n net.ipv4.tcp_syncookies=2')).toMatchObject({ ok: true, settings: [{ name: 'net.ipv4.tcp_syncookies', value: '2' }] });
  });
});

describe('upstream forms', () => {
  it('ioctl SIOCINQ counts unread bytes, SIOCOUTQ unacknowledged ones, SIOCOUTQNSD unsent ones; EINVAL on a listener', () => {
    pass(`${ESTABLISHED}+0 < P. 1:1001(1000) ack 1 win 65535
+0 > . 1:1(0) ack 1001
+0 ioctl(4, SIOCINQ, [1000]) = 0
+0 read(4, ..., 600) = 600
+0 ioctl(4, SIOCINQ, [400]) = 0
+0 ioctl(3, SIOCINQ, [0]) = -1 EINVAL (Invalid argument)
+0 write(4, ..., 3000) = 3000
+0 > P. 1:3001(3000) ack 1001
+0 ioctl(4, SIOCOUTQ, [3000]) = 0
+0 ioctl(4, SIOCOUTQNSD, [0]) = 0
+.1 < . 1001:1001(0) ack 2001 win 65535
+0 ioctl(4, SIOCOUTQ, [1000]) = 0
`);
    expect(failure(`${ESTABLISHED}+0 < P. 1:1001(1000) ack 1 win 65535
+0 > . 1:1(0) ack 1001
+0 ioctl(4, SIOCINQ, [999]) = 0
`).message).toMatch(/SIOCINQ: expected 999 vs actual 1000/);
  });

  it('SIOCOUTQ and SIOCOUTQNSD count a queued FIN as one byte, and data a closed window holds back (values measured on 6.18)', () => {
    const text = `${LISTEN}+0 < S 0:0(0) win 2000 <mss 1000>
+0 > S. 0:0(0) ack 1 <mss 1460>
+.1 < . 1:1(0) ack 1 win 2000
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 2000) = 2000
+0 > P. 1:2001(2000) ack 1
+0 write(4, ..., 1000) = 1000
+0 ioctl(4, SIOCOUTQ, [3000]) = 0
+0 ioctl(4, SIOCOUTQNSD, [1000]) = 0
+0 shutdown(4, SHUT_WR) = 0
+0 ioctl(4, SIOCOUTQ, [3001]) = 0
+0 ioctl(4, SIOCOUTQNSD, [1001]) = 0
+.1 < . 1:1(0) ack 2001 win 2000
+0 > FP. 2001:3001(1000) ack 1
+0 ioctl(4, SIOCOUTQ, [1001]) = 0
+0 ioctl(4, SIOCOUTQNSD, [0]) = 0
+.1 < . 1:1(0) ack 3002 win 2000
+0 ioctl(4, SIOCOUTQ, [0]) = 0
`;
    pass(text);
    expect(failure(text.replace('SIOCOUTQ, [3001]', 'SIOCOUTQ, [3000]')).message).toMatch(/SIOCOUTQ: expected 3000 vs actual 3001/);
  });

  it('sendmsg() writes the sum of its msg_iov; MSG_MORE (sendmsg, send, sendto) corks that call, a write without it sends all with PSH', () => {
    const text = `${ESTABLISHED}+0 setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0
+0 sendmsg(4, {msg_name(...)=..., msg_iov(2)=[{..., 30}, {..., 20}], msg_flags=0}, MSG_MORE) = 50
+0 send(4, ..., 5, MSG_MORE) = 5
+0 sendto(4, ..., 5, MSG_MORE, ..., ...) = 5
+.05 send(4, ..., 10, 0) = 10
+0 > P. 1:71(70) ack 1
`;
    pass(text);
    // Without MSG_MORE the first call's 50 bytes leave at once (TCP_NODELAY).
    expect(failure(text.replace('msg_flags=0}, MSG_MORE)', 'msg_flags=0}, 0)')).actual).toMatch(/1:51\(50\)/);
  });

  it('a corked tail with nothing in flight leaves one RTO later with PSH (the probe timer), not before', () => {
    const text = `${ESTABLISHED}+0 setsockopt(4, SOL_TCP, TCP_CORK, [1], 4) = 0
+0 getsockopt(4, SOL_TCP, TCP_CORK, [1], [4]) = 0
+0 write(4, ..., 10) = 10
+.3 > P. 1:11(10) ack 1
`;
    pass(text.replace('+.3 >', '+.2~+.4 >'));
    expect(failure(text.replace('+.3 >', '+.1 >')).kind).toBe('timing');
  });

  it('(tos 0x..) checks the TOS byte an outbound packet carries (IP_TOS, ECN bits TCP\'s own) and sets it on an inbound one', () => {
    const text = `${ESTABLISHED}+0 setsockopt(4, SOL_IP, IP_TOS, [0x13], 1) = 0
+0 getsockopt(4, SOL_IP, IP_TOS, [0x10], [4]) = 0
+0 write(4, ..., 10) = 10
+0 > (tos 0x10) P. 1:11(10) ack 1
+0 < [tos 0xb8] . 1:1(0) ack 11 win 65535
+0 setsockopt(4, SOL_IP, IP_MTU_DISCOVER, [IP_PMTUDISC_DONT], 1) = 0
+0 getsockopt(4, SOL_IP, IP_MTU_DISCOVER, [IP_PMTUDISC_DONT], [4]) = 0
`;
    pass(text);
    const f = failure(text.replace('(tos 0x10)', '(tos 0x0)'));
    expect(f.message).toMatch(/tos expected 0x0 vs actual 0x10/);
    expect(f.actual).toMatch(/^.*\(tos 0x10\) P\. 1:11\(10\)/);
  });

  it('a NULL buffer: EFAULT once there is something to copy, and nothing is consumed', () => {
    pass(`${ESTABLISHED}+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 recv(4, NULL, 100, 0) = -1 EAGAIN (Resource temporarily unavailable)
+0 send(4, NULL, 100, 0) = -1 EFAULT (Bad address)
+0 write(4, NULL, 0) = 0
+0 < P. 1:101(100) ack 1 win 65535
+0 recvfrom(4, NULL, 100, 0, ..., ...) = -1 EFAULT (Bad address)
+0 read(4, ..., 1000) = 100
`);
    expect(failure(`${ESTABLISHED}+0 write(4, NULL, 10) = 10
`).message).toMatch(/EFAULT \(Bad address\)/);
  });

  it('MSG_EOR closes a record: later data starts a new segment even with room in the last one', () => {
    const r = runScript(`${ESTABLISHED}+0 setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0
+0 send(4, ..., 300, MSG_EOR) = 300
+0 > P. 1:301(300) ack 1
+.010 < . 1:1(0) ack 1 win 0
+0 send(4, ..., 200, MSG_EOR) = 200
+0 write(4, ..., 200) = 200
+.010 < . 1:1(0) ack 301 win 65535
+0 > P. 301:501(200) ack 1
+0 > P. 501:701(200) ack 1
`);
    expect(r.status, r.failure?.message).toBe('pass');
  });

  it('send flags other than MSG_MORE and MSG_EOR, sendto() with an address and sendmsg() with msg_control are unsupported, before anything runs', () => {
    for (const call of [
      'send(4, ..., 10, MSG_DONTWAIT) = 10',
      'send(4, ..., 10, MSG_EOR|MSG_DONTWAIT) = 10',
      'sendto(4, ..., 10, 0, {sa_family=AF_INET, sin_port=htons(8080)}, 16) = 10',
      'sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 10}], msg_control(16)=[], msg_flags=0}, 0) = 10',
      'recvfrom(4, ..., 10, MSG_PEEK, ..., ...) = 10',
    ]) {
      const r = runScript(`${ESTABLISHED}+0 ${call}\n`);
      expect(r.failure?.kind, call).toBe('unsupported');
      expect(r.eventsRun, call).toBe(0);
    }
  });

  it('a backquoted block over several lines runs each command, and the closing sysctl_restore line is a no-op', () => {
    // Upstream's form: defaults.sh and set_sysctls.py in one block before the first event.
    const text = `\`../common/defaults.sh
 ../common/set_sysctls.py /proc/sys/net/ipv4/tcp_synack_retries=1
\`
${LISTEN}+0 < S 0:0(0) win 100 <mss 1000>
+0 > S. 0:0(0) ack 1 <...>
+1 > S. 0:0(0) ack 1 <...>
+2 %{ assert tcpi_state == TCPI_CLOSE }%
\`/tmp/sysctl_restore_\${PPID}.sh\`
`;
    const r = pass(text);
    expect(r.log.join('\n')).toMatch(/^defaults\.sh: applied/);
    // With the default tcp_synack_retries (5) the request would still be there at 3 s.
    expect(failure(text.replace(' ../common/set_sysctls.py /proc/sys/net/ipv4/tcp_synack_retries=1\n', '')).kind).toBe('assert');
  });

  it('--tolerance_percent takes a fraction; --upstream gives 4 ms or 12.5 % unless the script sets its own', () => {
    const late = `${ESTABLISHED}+0 close(4) = 0
+0 > F. 1:1(0) ack 1
+.27 > F. 1:1(0) ack 1
`; // sent at +0.3
    expect(failure(late).kind).toBe('timing');
    pass(`--tolerance_percent=12.5
${late}`);
    expect(failure(`--tolerance_percent=10.5
${late}`).kind).toBe('timing');
    pass(late, { upstreamTolerance: true });
    // Each default applies only where the script sets nothing, as in upstream's config.c.
    expect(failure(`--tolerance_percent=10\n${late}`, { upstreamTolerance: true }).kind).toBe('timing');
    pass(`--tolerance_usecs=1000\n${late}`, { upstreamTolerance: true });
    expect(failure(`--tolerance_percent=101
${late}`).kind).toBe('syntax');
  });

  it('tcpi_options flags, several asserts in one block, tcpi_ca_state', () => {
    const sack = `${LISTEN}+0 < S 0:0(0) win 65535 <mss 1460,sackOK,nop,nop>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK>
+.1 < . 1:1(0) ack 1 win 65535
+0 accept(3, ..., ...) = 4
`;
    pass(`${sack}+0 %{ assert (tcpi_options & TCPI_OPT_SACK) != 0, tcpi_options; \\
  assert (tcpi_options & TCPI_OPT_TIMESTAMPS) == 0
assert tcpi_ca_state == TCP_CA_Open }%
`);
    expect(failure(`${sack}+0 %{ assert tcpi_ca_state == TCP_CA_Open
assert (tcpi_options & TCPI_OPT_SACK) == 0 }%
`).message).toMatch(/\(tcpi_options & TCPI_OPT_SACK\) is 2/);
  });
});

describe('poll, epoll and recvmsg', () => {
  it('epoll_wait compares the first event (events exactly, and the data written); {events=0, ptr=0} when none', () => {
    const base = `${ESTABLISHED}+0 epoll_create(1) = 5
+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN|EPOLLOUT|EPOLLET, fd=4}) = 0
`;
    pass(`${base}+0 epoll_wait(5, {events=EPOLLOUT, fd=4}, 1, 0) = 1\n+0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0\n`);
    expect(failure(`${base}+0 epoll_wait(5, {events=EPOLLOUT|EPOLLIN, fd=4}, 1, 0) = 1\n`).message).toBe('epoll_event events: expected 0x5 vs actual 0x4');
    expect(failure(`${base}+0 epoll_wait(5, {events=EPOLLOUT, fd=7}, 1, 0) = 1\n`).message).toBe('epoll_event data: expected 7 vs actual 4');
    expect(failure(`${base}+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN, fd=4}) = 0\n`).message).toMatch(/returned -1 EEXIST/);
    // EPOLLET is bit 31: the runner must not turn it into a negative number.
    pass(`${base}+0 epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=EPOLLIN|EPOLLET, fd=4}) = 0\n+0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0\n`);
  });

  it('a blocking epoll_wait returns when data arrives, and is checked when it returns', () => {
    const base = `${ESTABLISHED}+0 epoll_create(1) = 5
+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN, fd=4}) = 0
`;
    pass(`${base}+0...0.1 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 1000) = 1\n+.1 < P. 1:11(10) ack 1 win 65535\n`);
    const f = failure(`${base}+0...0.1 epoll_wait(5, {events=EPOLLIN|EPOLLRDHUP, fd=4}, 1, 1000) = 1\n+.1 < P. 1:11(10) ack 1 win 65535\n+.1 read(4, ..., 10) = 10\n`);
    expect(f.message).toBe('epoll_event events: expected 0x2001 vs actual 0x1');
    expect(f.usecs).toBe(200000);
  });

  it('poll compares each revents; a timed-out poll returns 0 at its timeout', () => {
    pass(`${ESTABLISHED}+0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1\n+0...0.05 poll([{fd=4, events=POLLIN, revents=0}], 1, 50) = 0\n`);
    expect(failure(`${ESTABLISHED}+0 poll([{fd=4, events=POLLOUT, revents=POLLIN}], 1, 0) = 1\n`).message).toBe('poll revents of entry 0: expected 0x1 vs actual 0x4');
  });

  it('recvmsg reads msg_iov bytes and checks TCP_CM_INQ, which only a TCP_INQ socket returns', () => {
    const msg = (n: number, inq: number) => `{msg_name(...)=..., msg_iov(1)=[{..., ${n}}], msg_flags=0, msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=${inq}}]}`;
    const data = '+0 < P. 1:3001(3000) ack 1 win 65535\n';
    pass(`${ESTABLISHED}+0 setsockopt(4, SOL_TCP, TCP_INQ, [1], 4) = 0\n${data}+0 recvmsg(4, ${msg(1000, 2000)}, 0) = 1000\n`);
    expect(failure(`${ESTABLISHED}${data}+0 recvmsg(4, ${msg(1000, 2000)}, 0) = 1000\n`).message).toMatch(/TCP_INQ is off/);
    expect(failure(`${ESTABLISHED}+0 setsockopt(4, SOL_TCP, TCP_INQ, [1], 4) = 0\n${data}+0 recvmsg(4, ${msg(1000, 3000)}, 0) = 1000\n`).message).toBe('recvmsg TCP_CM_INQ: expected 3000 vs actual 2000');
    const other = failure(`${ESTABLISHED}+0 recvmsg(4, {msg_iov(1)=[{..., 10}], msg_control=[{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, cmsg_data=0}]}, 0) = 10\n`);
    expect(other.kind).toBe('unsupported');
    expect(other.message).toMatch(/control message SCM_TIMESTAMPING/);
  });

  it('TCP_NOTSENT_LOWAT reads back as set (a u32: -1 is 0xffffffff) and 0 while unset; sysctl tcp_notsent_lowat is separate', () => {
    pass(`\`sysctl -q net.ipv4.tcp_notsent_lowat=4000\`\n${ESTABLISHED}+0 getsockopt(4, SOL_TCP, TCP_NOTSENT_LOWAT, [0], [4]) = 0
+0 setsockopt(4, SOL_TCP, TCP_NOTSENT_LOWAT, [-1], 4) = 0
+0 getsockopt(4, SOL_TCP, TCP_NOTSENT_LOWAT, [0xffffffff], [4]) = 0
`);
  });
});

describe('npm run pktdrill (the CLI)', () => {
  const cli = fileURLToPath(new URL('../../node/pktdrill.ts', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'pktdrill-'));
  const good = join(dir, 'good.pkt');
  const bad = join(dir, 'bad.pkt');
  writeFileSync(good, `${ESTABLISHED}+0 close(4) = 0\n+0 > F. 1:1(0) ack 1\n`);
  writeFileSync(bad, `${ESTABLISHED}+0 close(4) = 0\n+0 > F. 1:1(0) ack 2\n`);
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });

  it('exit 0 when every script passes, 1 with the first mismatch when one fails', () => {
    const ok = run(good);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^PASS .*good\.pkt \(9 events, 0\.100000 s virtual\)\n$/);
    const r = run(good, bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAIL');
    expect(r.stdout).toContain('line 9 at 0.100000 s: the stack sent a different segment: tcp_ack_seq expected 2 vs actual 1');
    expect(r.stdout).toContain('    script: +0 > F. 1:1(0) ack 2\n    actual: 0.100000 > F. 1:1(0) ack 1 win 64240');
    expect(r.stdout).toMatch(/1 passed, 1 failed\n$/);
  });

  it('exit 2 for a usage error or an unreadable file', () => {
    expect(run().status).toBe(2);
    expect(run('--bogus', good).status).toBe(2);
    const missing = run(join(dir, 'nope.pkt'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.pkt/);
  });
});
