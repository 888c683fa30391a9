/**
 * Command line of `npm run tun -- serve|connect ...`: parsing and every check that can be made
 * before touching the machine. Errors are UsageErrors with a message that says what to type.
 */
import { formatAddr, parseAddr } from '../../core/wire/format.ts';
import { netnsNameProblem } from './netns.ts';

export const TUN_USAGE = `usage: npm run tun -- serve   --port N [--echo | --send FILE] [--once] [common options]
       npm run tun -- connect --port N [--host ADDR] [--send FILE|-] [--out FILE] [common options]

  serve     the stack listens on --addr:--port; the kernel in the namespace is its client
            (--echo: send back what arrives; --send FILE: send FILE to each client, then close;
             default: read and report byte count and sha256; --once: exit after one connection)
  connect   the stack connects to a kernel server at --host:--port (default host: the kernel's
            address), sends --send FILE ('-' = stdin) then shuts down its sending side, and
            writes what it receives to --out FILE (default: stdout) until the kernel closes

common options:
  --netns NAME         network namespace (default tcpcourse; created if missing, and then
                       deleted on exit)
  --addr A.B.C.D/LEN   the stack's address and prefix (default 10.77.0.2/24); the kernel's TUN
                       device gets the first other host address of the prefix (10.77.0.1)
  --kernel-addr ADDR   the kernel's address instead
  --tun NAME           TUN device name inside the namespace (default tcpc0)
  --sysctl NAME=VALUE  a sysctl of the stack (repeatable), e.g. net.ipv4.tcp_timestamps=0
  --trace              print every segment and state change of the stack
  --pcap FILE          write every packet crossing the bridge to a pcap file on exit
  --seed N             seed of the stack's secrets and ephemeral ports (default: random)

Linux and root only: exits with code 2 (and says why) otherwise.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface TunCommon {
  netns: string;
  tunName: string;
  stackAddr: number;
  kernelAddr: number;
  prefixLen: number;
  sysctls: Record<string, number>;
  trace: boolean;
  pcap: string | null;
  seed: number | null;
}

export type TunCommand =
  | { mode: 'serve'; common: TunCommon; port: number; echo: boolean; send: string | null; once: boolean }
  | { mode: 'connect'; common: TunCommon; host: number; port: number; send: string | null; out: string | null }
  | { mode: 'help' };

/** Linux interface names: at most IFNAMSIZ − 1 = 15 bytes, no '/', ':' or whitespace. */
function tunNameProblem(name: string): string | null {
  if (!/^[A-Za-z0-9._-]{1,15}$/.test(name) || name === '.' || name === '..') {
    return `--tun "${name}" is not a usable interface name (1-15 letters, digits, '.', '_', '-')`;
  }
  return null;
}

function parsePort(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new UsageError(`${what} takes a port 1-65535, got "${text}"`);
  return Number(text);
}

function parseIp(text: string, what: string): number {
  try {
    return parseAddr(text);
  } catch (err) {
    throw new UsageError(`${what}: ${(err as Error).message}`);
  }
}

function mask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

export function inPrefix(addr: number, net: number, prefixLen: number): boolean {
  return ((addr & mask(prefixLen)) >>> 0) === ((net & mask(prefixLen)) >>> 0);
}

/** Address `a` is the network or broadcast address of the prefix (unusable for a host). */
function isNetworkOrBroadcast(a: number, prefixLen: number): boolean {
  const host = (a & ~mask(prefixLen)) >>> 0;
  return host === 0 || host === (~mask(prefixLen) >>> 0);
}

export function parseTunArgs(argv: string[]): TunCommand {
  const mode = argv[0];
  if (mode === undefined || mode === '--help' || mode === '-h' || mode === 'help') return { mode: 'help' };
  if (mode !== 'serve' && mode !== 'connect') throw new UsageError(`unknown command "${mode}" (serve or connect)`);
  let netns = 'tcpcourse';
  let addr = '10.77.0.2/24';
  let kernelAddrText: string | null = null;
  let tunName = 'tcpc0';
  const sysctls: Record<string, number> = {};
  let trace = false;
  let pcap: string | null = null;
  let seed: number | null = null;
  let port: number | null = null;
  let host: string | null = null;
  let echo = false;
  let once = false;
  let send: string | null = null;
  let out: string | null = null;
  const onlyFor = (flag: string, m: 'serve' | 'connect') => {
    if (mode !== m) throw new UsageError(`${flag} is an option of "${m}", not "${mode}"`);
  };

  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--netns': netns = value(); break;
      case '--addr': addr = value(); break;
      case '--kernel-addr': kernelAddrText = value(); break;
      case '--tun': tunName = value(); break;
      case '--sysctl': {
        const v = value();
        const m = /^([\w.]+)=(-?\d+)$/.exec(v);
        if (!m) throw new UsageError(`--sysctl takes NAME=VALUE with an integer value, got "${v}"`);
        sysctls[m[1]] = Number(m[2]);
        break;
      }
      case '--trace': trace = true; break;
      case '--pcap': pcap = value(); break;
      case '--seed': {
        const v = value();
        if (!/^\d+$/.test(v)) throw new UsageError(`--seed takes a non-negative integer, got "${v}"`);
        seed = Number(v);
        break;
      }
      case '--port': port = parsePort(value(), '--port'); break;
      case '--host': onlyFor(a, 'connect'); host = value(); break;
      case '--echo': onlyFor(a, 'serve'); echo = true; break;
      case '--once': onlyFor(a, 'serve'); once = true; break;
      case '--send': send = value(); break;
      case '--out': onlyFor(a, 'connect'); out = value(); break;
      case '--help': case '-h': return { mode: 'help' };
      default:
        throw new UsageError(a.startsWith('-') ? `unknown option ${a}` : `unexpected argument "${a}"`);
    }
  }

  const nsProblem = netnsNameProblem(netns);
  if (nsProblem) throw new UsageError(`--netns: ${nsProblem}`);
  const tunProblem = tunNameProblem(tunName);
  if (tunProblem) throw new UsageError(tunProblem);
  const m = /^([^/]+)\/(\d{1,2})$/.exec(addr);
  if (!m) throw new UsageError(`--addr takes ADDRESS/PREFIX, like 10.77.0.2/24, got "${addr}"`);
  const stackAddr = parseIp(m[1], '--addr');
  const prefixLen = Number(m[2]);
  if (prefixLen < 8 || prefixLen > 30) throw new UsageError(`--addr: prefix /${prefixLen} must be between /8 and /30`);
  if (isNetworkOrBroadcast(stackAddr, prefixLen)) throw new UsageError(`--addr: ${m[1]} is the network or broadcast address of /${prefixLen}`);
  if (stackAddr >>> 24 === 127 || stackAddr >>> 28 >= 14 || stackAddr >>> 24 === 0) {
    throw new UsageError(`--addr: ${m[1]} is a loopback, multicast, reserved or "this network" address`);
  }
  let kernelAddr: number;
  if (kernelAddrText !== null) {
    kernelAddr = parseIp(kernelAddrText, '--kernel-addr');
    if (!inPrefix(kernelAddr, stackAddr, prefixLen) || isNetworkOrBroadcast(kernelAddr, prefixLen)) {
      throw new UsageError(`--kernel-addr ${kernelAddrText} must be a host address inside ${addr}`);
    }
  } else {
    const first = ((stackAddr & mask(prefixLen)) + 1) >>> 0;
    kernelAddr = first === stackAddr ? (first + 1) >>> 0 : first;
  }
  if (kernelAddr === stackAddr) throw new UsageError(`the kernel and the stack cannot both be ${formatAddr(stackAddr)}`);
  if (port === null) throw new UsageError(`${mode} needs --port`);
  const common: TunCommon = { netns, tunName, stackAddr, kernelAddr, prefixLen, sysctls, trace, pcap, seed };

  if (mode === 'serve') {
    if (echo && send !== null) throw new UsageError('--echo and --send are alternatives: an echo server sends back what it receives');
    if (send === '-') throw new UsageError('serve --send needs a file (stdin cannot be sent to every client)');
    return { mode, common, port, echo, send, once };
  }
  const hostAddr = host === null ? kernelAddr : parseIp(host, '--host');
  if (hostAddr === stackAddr) throw new UsageError(`--host ${formatAddr(hostAddr)} is the stack's own address; the kernel is ${formatAddr(kernelAddr)}`);
  if (!inPrefix(hostAddr, stackAddr, prefixLen) || isNetworkOrBroadcast(hostAddr, prefixLen)) {
    throw new UsageError(`--host ${formatAddr(hostAddr)} is not reachable through the TUN device: only host addresses inside ${addr} are (the kernel is ${formatAddr(kernelAddr)})`);
  }
  return { mode, common, host: hostAddr, port, send, out };
}
