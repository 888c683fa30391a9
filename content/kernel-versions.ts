/**
 * "Which kernel are you on?": the behaviours the course describes that changed across Linux
 * releases, and the kernels common distributions ship. One data file, rendered by
 * site/components/KernelVersions.astro wherever a chapter uses <KernelVersions topics={[...]} />.
 *
 * Every `since` was checked against the kernel's history where `source` names a commit; where it
 * says `unsure`, the version is our best knowledge and the box says so. Distribution kernels are the
 * release's base version: vendors (Red Hat above all) backport changes, so the box always gives the
 * command that shows what the machine in front of you actually does.
 */

export interface Distribution {
  name: string;
  /** Base kernel version as major.minor. */
  kernel: string;
}

export const DISTRIBUTIONS: readonly Distribution[] = [
  { name: 'CentOS 7', kernel: '3.10' },
  { name: 'RHEL 8 / Rocky 8 / Alma 8', kernel: '4.18' },
  { name: 'Ubuntu 20.04', kernel: '5.4' },
  { name: 'openEuler 22.03', kernel: '5.10' },
  { name: 'Alibaba Cloud Linux 3', kernel: '5.10' },
  { name: 'RHEL 9 / Rocky 9 / Alma 9', kernel: '5.14' },
  { name: 'Ubuntu 22.04', kernel: '5.15' },
  { name: 'Debian 12', kernel: '6.1' },
  { name: 'Ubuntu 24.04', kernel: '6.8' },
];

export interface KernelChange {
  /** What changed, in one sentence a reader can act on. */
  what: string;
  /** First mainline release with the new behaviour, major.minor. */
  since: string;
  /** Behaviour before `since` and from `since` on, each a short phrase for the table. */
  before: string;
  after: string;
  /** Commands that show the behaviour on a running machine. */
  check: string[];
  /** The commit or document the version was checked against. */
  source: string;
  /** Set when the version could not be confirmed from the kernel's history: what is uncertain. */
  unsure?: string;
}

export const KERNEL_CHANGES = {
  'syn-linear-timeouts': {
    what: 'Linux 6.5 added net.ipv4.tcp_syn_linear_timeouts (default 4): the SYN timeouts after the first stay at 1 s four more times before doubling.',
    since: '6.5',
    before: 'SYNs at 0, 1, 3, 7, 15, 31, 63 s; connect() fails at 127 s',
    after: 'SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s; connect() fails at 131 s',
    check: ['uname -r', 'sysctl net.ipv4.tcp_syn_linear_timeouts   # "unknown key" before 6.5'],
    source: 'commit ccce324dabfe ("tcp: make the first N SYN RTO backoffs linear"), 2023, first released in 6.5',
  },
  somaxconn: {
    what: 'The default of net.core.somaxconn, the silent cap on every listen() backlog, rose from 128 to 4096 in Linux 5.4.',
    since: '5.4',
    before: 'somaxconn 128: listen(fd, 511) is cut to 128, the accept queue holds 129',
    after: 'somaxconn 4096: listen(fd, 511) keeps 511, the accept queue holds 512',
    check: ['sysctl net.core.somaxconn', 'ss -lnt   # Send-Q of a LISTEN line is the backlog that took effect'],
    source: 'commit 19f92a030ca6 ("net: increase SOMAXCONN to 4096"), merged for 5.4',
  },
  'syn-queue-limit': {
    what: 'How the SYN (request) queue is bounded changed twice: first it became bounded by the listen backlog instead of a size derived from tcp_max_syn_backlog, and later its "full" test changed from >= to >.',
    since: '4.4',
    before: 'request queue sized from min(backlog, tcp_max_syn_backlog), rounded up to a power of two',
    after: 'full when the request count exceeds the listen backlog (>= before the later fix, so backlog rather than backlog + 1 requests)',
    check: ['uname -r', 'nstat -az TcpExtTCPReqQFullDoCookies TcpExtTCPReqQFullDrop   # overflows, on any kernel'],
    source: 'tcp-facts.md §1 (queue limits) and kernel source of v6.18; the older sizing code is from 2.6/3.x kernels',
    unsure: 'the release that dropped the power-of-two sizing (about 4.4) and the release of the >= to > fix (a 2025 fix, backported to some stable series) were not confirmed against release tags; on an older kernel expect the request limit to be backlog or a power of two near it, not backlog + 1',
  },
  'challenge-ack': {
    what: 'The host-wide limit on RFC 5961 challenge ACKs has changed three times.',
    since: '6.0',
    before: '3.6 to 4.6: 100 per second for the whole host; 4.7 to 5.19: 1000 per second, randomised (the CVE-2016-5696 fix)',
    after: 'per network namespace, default INT_MAX: effectively no global limit; the per-socket tcp_invalid_ratelimit (500 ms) remains',
    check: ['sysctl net.ipv4.tcp_challenge_ack_limit'],
    source: 'tcp-facts.md §1; commit 79e3602caa6f (per-netns, INT_MAX) in 6.0; the 4.7 change is the CVE-2016-5696 fix',
  },
  'tw-recycle': {
    what: 'net.ipv4.tcp_tw_recycle, which broke clients behind NAT, was removed in Linux 4.12.',
    since: '4.12',
    before: 'the sysctl exists (default 0); setting it to 1 drops SYNs from clients behind NAT',
    after: 'the sysctl does not exist; a sysctl.conf line setting it fails',
    check: ['sysctl net.ipv4.tcp_tw_recycle   # "cannot stat" or "unknown key" from 4.12 on'],
    source: 'commit 4396e46187ca ("tcp: remove tcp_tw_recycle"), first released in 4.12; tcp(7): "Linux 2.4 to Linux 4.11"',
  },
  'tw-reuse': {
    what: 'net.ipv4.tcp_tw_reuse gained the value 2 (reuse for loopback connections only), which became the default.',
    since: '4.20',
    before: 'default 0: no TIME_WAIT reuse for outgoing connections unless set to 1',
    after: 'default 2: reuse on loopback only; 1 still enables it for every destination',
    check: ['sysctl net.ipv4.tcp_tw_reuse'],
    source: 'ip-sysctl.rst (tcp_tw_reuse: 0, 1, 2, "Default: 2"), present in v6.18',
    unsure: 'we place the change in 4.20 (late 2018) but could not confirm the commit or the release tag; some guides say 4.19, so on 4.19 or 4.20 check the value',
  },
  'accept-full-drops-syn': {
    what: 'Since Linux 4.10 a SYN is dropped whenever the listener\'s accept queue is full, whether or not SYN cookies are on.',
    since: '4.10',
    before: 'with cookies on, a SYN could still be answered (with a cookie) while the accept queue was full',
    after: 'a full accept queue drops every new SYN (ListenOverflows, ListenDrops)',
    check: ['nstat -az TcpExtListenOverflows TcpExtListenDrops'],
    source: 'commit 5ea8ea2cb7f1 ("tcp/dccp: drop SYN packets if accept queue is full"), 4.10',
  },
} as const satisfies Record<string, KernelChange>;

export type KernelTopic = keyof typeof KERNEL_CHANGES;

/** Parses "6.8" or "4.18" into comparable numbers; anything else is an error naming the value. */
export function parseKernelVersion(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)$/.exec(v);
  if (!m) throw new Error(`kernel version "${v}" is not major.minor`);
  return [Number(m[1]), Number(m[2])];
}

/** True when `kernel` is `since` or later. */
export function atLeast(kernel: string, since: string): boolean {
  const [a, b] = parseKernelVersion(kernel);
  const [c, d] = parseKernelVersion(since);
  return a > c || (a === c && b >= d);
}

export function kernelChange(topic: string): KernelChange {
  const change = (KERNEL_CHANGES as Record<string, KernelChange>)[topic];
  if (!change) throw new Error(`unknown kernel topic "${topic}" (known: ${Object.keys(KERNEL_CHANGES).join(', ')})`);
  return change;
}
