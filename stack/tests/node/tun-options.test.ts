import { describe, expect, it } from 'vitest';
import { UsageError, parseTunArgs } from '../../node/tun/options.ts';
import { netnsNameProblem } from '../../node/tun/netns.ts';
import { tunUnavailableReason, type Machine } from '../../node/tun/prerequisites.ts';
import { parseAddr } from '../../core/wire/format.ts';

function usage(argv: string[]): string {
  try {
    parseTunArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('npm run tun -- arguments', () => {
  it('the issue example: serve --netns tcpcourse --addr 10.77.0.2/24 --port 7 --echo', () => {
    const cmd = parseTunArgs(['serve', '--netns', 'tcpcourse', '--addr', '10.77.0.2/24', '--port', '7', '--echo']);
    expect(cmd.mode).toBe('serve');
    if (cmd.mode !== 'serve') return;
    expect(cmd.port).toBe(7);
    expect(cmd.echo).toBe(true);
    expect(cmd.common.netns).toBe('tcpcourse');
    expect(cmd.common.stackAddr).toBe(parseAddr('10.77.0.2'));
    expect(cmd.common.kernelAddr).toBe(parseAddr('10.77.0.1'));
    expect(cmd.common.prefixLen).toBe(24);
    expect(cmd.common.tunName).toBe('tcpc0');
  });

  it('connect defaults --host to the kernel address and keeps --send/--out', () => {
    const cmd = parseTunArgs(['connect', '--port', '9000', '--send', 'a.bin', '--out', 'b.bin']);
    expect(cmd.mode).toBe('connect');
    if (cmd.mode !== 'connect') return;
    expect(cmd.host).toBe(parseAddr('10.77.0.1'));
    expect(cmd.send).toBe('a.bin');
    expect(cmd.out).toBe('b.bin');
  });

  it('the kernel takes the next address when the stack holds the first one', () => {
    const cmd = parseTunArgs(['serve', '--port', '7', '--addr', '192.168.5.1/28']);
    if (cmd.mode === 'help') throw new Error('help');
    expect(cmd.common.kernelAddr).toBe(parseAddr('192.168.5.2'));
  });

  it('--sysctl values are collected by name', () => {
    const cmd = parseTunArgs(['serve', '--port', '7', '--sysctl', 'net.ipv4.tcp_timestamps=0', '--sysctl', 'net.ipv4.tcp_sack=0']);
    if (cmd.mode === 'help') throw new Error('help');
    expect(cmd.common.sysctls).toEqual({ 'net.ipv4.tcp_timestamps': 0, 'net.ipv4.tcp_sack': 0 });
  });

  it('help in any position', () => {
    expect(parseTunArgs([]).mode).toBe('help');
    expect(parseTunArgs(['--help']).mode).toBe('help');
    expect(parseTunArgs(['serve', '--help']).mode).toBe('help');
  });

  it.each([
    [['listen', '--port', '7'], /unknown command "listen"/],
    [['serve'], /serve needs --port/],
    [['serve', '--port', '0'], /port 1-65535/],
    [['serve', '--port', '70000'], /port 1-65535/],
    [['serve', '--port'], /--port needs a value/],
    [['serve', '--port', '7', '--addr', '10.77.0.2'], /ADDRESS\/PREFIX/],
    [['serve', '--port', '7', '--addr', '10.77.0.0/24'], /network or broadcast/],
    [['serve', '--port', '7', '--addr', '10.77.0.255/24'], /network or broadcast/],
    [['serve', '--port', '7', '--addr', '10.77.0.2/31'], /between \/8 and \/30/],
    [['serve', '--port', '7', '--addr', '127.0.0.2/24'], /loopback/],
    [['serve', '--port', '7', '--addr', '10.77.0.2/24', '--kernel-addr', '10.78.0.1'], /inside 10\.77\.0\.2\/24/],
    [['serve', '--port', '7', '--kernel-addr', '10.77.0.2'], /cannot both be 10\.77\.0\.2/],
    [['serve', '--port', '7', '--netns', '../etc'], /may only hold/],
    [['serve', '--port', '7', '--tun', 'a-very-long-device-name'], /not a usable interface name/],
    [['serve', '--port', '7', '--echo', '--send', 'f'], /alternatives/],
    [['serve', '--port', '7', '--out', 'f'], /option of "connect"/],
    [['connect', '--port', '7', '--echo'], /option of "serve"/],
    [['connect', '--port', '7', '--host', '10.77.0.2'], /stack's own address/],
    [['connect', '--port', '7', '--host', '8.8.8.8'], /not reachable through the TUN device/],
    [['serve', '--port', '7', '--sysctl', 'tcp_syncookies'], /NAME=VALUE/],
    [['serve', '--port', '7', 'extra'], /unexpected argument "extra"/],
  ])('%j is a usage error', (argv, message) => {
    expect(usage(argv)).toMatch(message);
  });
});

describe('namespace names', () => {
  it('accepts what ip netns accepts and rejects what could leave /run/netns', () => {
    expect(netnsNameProblem('tcpc-1234')).toBeNull();
    expect(netnsNameProblem('tcp.course_2')).toBeNull();
    expect(netnsNameProblem('')).toMatch(/empty/);
    expect(netnsNameProblem('..')).toMatch(/cannot be/);
    expect(netnsNameProblem('a/b')).toMatch(/may only hold/);
    expect(netnsNameProblem('x'.repeat(65))).toMatch(/longer than 64/);
  });
});

describe('what the bridge needs from the machine', () => {
  const linuxRoot: Machine = { platform: 'linux', uid: 0, canOpen: () => true, which: (c) => `/usr/bin/${c}` };

  it('runs on Linux as root with /dev/net/tun, ip and socat', () => {
    expect(tunUnavailableReason(linuxRoot)).toBeNull();
  });

  it.each([
    [{ platform: 'darwin' }, /Linux only \(this is darwin\)/],
    [{ uid: 1000 }, /needs root/],
    [{ uid: null }, /needs root/],
    [{ canOpen: () => false }, /\/dev\/net\/tun/],
    [{ which: (c: string) => (c === 'socat' ? null : `/usr/bin/${c}`) }, /socat is not installed: apt-get install -y socat/],
    [{ which: (c: string) => (c === 'ip' ? null : `/usr/bin/${c}`) }, /iproute2/],
  ] as Array<[Partial<Machine>, RegExp]>)('%# reports what is missing', (patch, message) => {
    expect(tunUnavailableReason({ ...linuxRoot, ...patch })).toMatch(message);
  });
});
