/**
 * "Which kernel are you on?": the behaviours the course describes that changed across Linux
 * releases, and the kernels common distributions ship. One data file, rendered by
 * site/components/KernelVersions.astro wherever a chapter uses <KernelVersions topics={[...]} />.
 *
 * Every `since` was checked against the kernel's history where `source` names a commit; where it
 * says `unsure`, the version is our best knowledge and the box says so. Distribution kernels are the
 * release's base version: vendors (Red Hat above all) backport changes, so the box always gives the
 * command that shows what the machine in front of you actually does.
 *
 * Each change carries its text in both editions: the English fields, and `zh` for the Chinese one
 * (content/terminology.yaml). Commands keep their command part identical in both, only the comment
 * after `#` is translated; version numbers and commit ids are the same.
 */
import type { Locale } from '../site/i18n/locale.ts';

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

/** The words of a change that a reader reads (versions, commit ids and commands stay as they are). */
export interface KernelChangeText {
  what: string;
  before: string;
  after: string;
  /** The same commands as the English `check`, with the comment after `#` translated. */
  check: string[];
  source: string;
  unsure?: string;
}

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
  /** The Chinese edition's text: required, with `unsure` exactly when the English has it. */
  zh: KernelChangeText;
}

export const KERNEL_CHANGES = {
  'syn-linear-timeouts': {
    what: 'Linux 6.5 added net.ipv4.tcp_syn_linear_timeouts (default 4): the SYN timeouts after the first stay at 1 s four more times before doubling.',
    since: '6.5',
    before: 'SYNs at 0, 1, 3, 7, 15, 31, 63 s; connect() fails at 127 s',
    after: 'SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s; connect() fails at 131 s',
    check: ['uname -r', 'sysctl net.ipv4.tcp_syn_linear_timeouts   # "unknown key" before 6.5'],
    source: 'commit ccce324dabfe ("tcp: make the first N SYN RTO backoffs linear"), 2023, first released in 6.5',
    zh: {
      what: 'Linux 6.5 新增了 net.ipv4.tcp_syn_linear_timeouts（默认 4）：第一次超时之后，SYN 的超时时间还会有四次保持在 1 秒，之后才开始翻倍。',
      before: 'SYN 在 0、1、3、7、15、31、63 秒发出；connect() 在 127 秒时失败',
      after: 'SYN 在 0、1、2、3、4、5、7、11、19、35、67 秒发出；connect() 在 131 秒时失败',
      check: ['uname -r', 'sysctl net.ipv4.tcp_syn_linear_timeouts   # 6.5 之前会报 "unknown key"'],
      source: '提交 ccce324dabfe（“tcp: make the first N SYN RTO backoffs linear”），2023 年，首次随 6.5 发布',
    },
  },
  somaxconn: {
    what: 'The default of net.core.somaxconn, the silent cap on every listen() backlog, rose from 128 to 4096 in Linux 5.4.',
    since: '5.4',
    before: 'somaxconn 128: listen(fd, 511) is cut to 128, the accept queue holds 129',
    after: 'somaxconn 4096: listen(fd, 511) keeps 511, the accept queue holds 512',
    check: ['sysctl net.core.somaxconn', 'ss -lnt   # Send-Q of a LISTEN line is the backlog that took effect'],
    source: 'commit 19f92a030ca6 ("net: increase SOMAXCONN to 4096"), merged for 5.4',
    zh: {
      what: 'net.core.somaxconn 是每个 listen() backlog 的隐性上限，它的默认值在 Linux 5.4 中从 128 提高到了 4096。',
      before: 'somaxconn 为 128：listen(fd, 511) 被截成 128，全连接队列最多容纳 129 个连接',
      after: 'somaxconn 为 4096：listen(fd, 511) 保持 511，全连接队列最多容纳 512 个连接',
      check: ['sysctl net.core.somaxconn', 'ss -lnt   # LISTEN 行的 Send-Q 就是实际生效的 backlog'],
      source: '提交 19f92a030ca6（“net: increase SOMAXCONN to 4096”），合入 5.4',
    },
  },
  'syn-queue-limit': {
    what: 'How the SYN (request) queue is bounded changed twice: first it became bounded by the listen backlog instead of a size derived from tcp_max_syn_backlog, and later its "full" test changed from >= to >.',
    since: '4.4',
    before: 'request queue sized from min(backlog, tcp_max_syn_backlog), rounded up to a power of two',
    after: 'full when the request count exceeds the listen backlog (>= before the later fix, so backlog rather than backlog + 1 requests)',
    check: ['uname -r', 'nstat -az TcpExtTCPReqQFullDoCookies TcpExtTCPReqQFullDrop   # overflows, on any kernel'],
    source: 'tcp-facts.md §1 (queue limits) and kernel source of v6.18; the older sizing code is from 2.6/3.x kernels',
    unsure: 'the release that dropped the power-of-two sizing (about 4.4) and the release of the >= to > fix (a 2025 fix, backported to some stable series) were not confirmed against release tags; on an older kernel expect the request limit to be backlog or a power of two near it, not backlog + 1',
    zh: {
      what: '半连接队列（请求队列）的上限改过两次：先是不再用由 tcp_max_syn_backlog 推算出的大小，而改由 listen() 的 backlog 限定；后来判断“已满”的条件又从 >= 改成了 >。',
      before: '请求队列的大小取 min(backlog, tcp_max_syn_backlog)，再向上取整到 2 的幂',
      after: '请求数超过 listen() 的 backlog 时即为满（在后来的修复之前用的是 >=，所以最多容纳 backlog 个请求，而不是 backlog + 1 个）',
      check: ['uname -r', 'nstat -az TcpExtTCPReqQFullDoCookies TcpExtTCPReqQFullDrop   # 溢出计数，任何内核上都有'],
      source: 'tcp-facts.md §1（队列上限）与 v6.18 的内核源码；较旧的大小计算代码来自 2.6/3.x 内核',
      unsure: '去掉 2 的幂取整的版本（约为 4.4）和把 >= 改为 > 的修复所在的版本（2025 年的修复，已反向移植到部分稳定版分支）都没有对照发布标签确认；在较旧的内核上，请求上限应是 backlog 或与之接近的 2 的幂，而不是 backlog + 1',
    },
  },
  'challenge-ack': {
    what: 'The host-wide limit on RFC 5961 challenge ACKs has changed three times.',
    since: '6.0',
    before: '3.6 to 4.6: 100 per second for the whole host; 4.7 to 5.19: 1000 per second, randomised (the CVE-2016-5696 fix)',
    after: 'per network namespace, default INT_MAX: effectively no global limit; the per-socket tcp_invalid_ratelimit (500 ms) remains',
    check: ['sysctl net.ipv4.tcp_challenge_ack_limit'],
    source: 'tcp-facts.md §1; commit 79e3602caa6f (per-netns, INT_MAX) in 6.0; the 4.7 change is the CVE-2016-5696 fix',
    zh: {
      what: '主机范围内 RFC 5961 挑战 ACK 的速率上限已经改过三次。',
      before: '3.6 到 4.6：整台主机每秒 100 个；4.7 到 5.19：每秒 1000 个，并加入随机化（CVE-2016-5696 的修复）',
      after: '按网络命名空间计，默认 INT_MAX：实际上不再有全局上限；每个套接字的 tcp_invalid_ratelimit（500 毫秒）仍然有效',
      check: ['sysctl net.ipv4.tcp_challenge_ack_limit'],
      source: 'tcp-facts.md §1；提交 79e3602caa6f（按网络命名空间计，INT_MAX）进入 6.0；4.7 的改动是 CVE-2016-5696 的修复',
    },
  },
  'tw-recycle': {
    what: 'net.ipv4.tcp_tw_recycle, which broke clients behind NAT, was removed in Linux 4.12.',
    since: '4.12',
    before: 'the sysctl exists (default 0); setting it to 1 drops SYNs from clients behind NAT',
    after: 'the sysctl does not exist; a sysctl.conf line setting it fails',
    check: ['sysctl net.ipv4.tcp_tw_recycle   # "cannot stat" or "unknown key" from 4.12 on'],
    source: 'commit 4396e46187ca ("tcp: remove tcp_tw_recycle"), first released in 4.12; tcp(7): "Linux 2.4 to Linux 4.11"',
    zh: {
      what: 'net.ipv4.tcp_tw_recycle 会让 NAT 之后的客户端连不上，它已在 Linux 4.12 中被移除。',
      before: '这个 sysctl 存在（默认 0）；设为 1 会丢弃来自 NAT 之后的客户端的 SYN',
      after: '这个 sysctl 不存在；sysctl.conf 中设置它的那一行会报错',
      check: ['sysctl net.ipv4.tcp_tw_recycle   # 从 4.12 起报 "cannot stat" 或 "unknown key"'],
      source: '提交 4396e46187ca（“tcp: remove tcp_tw_recycle”），首次随 4.12 发布；tcp(7)：“Linux 2.4 to Linux 4.11”',
    },
  },
  'tw-reuse': {
    what: 'net.ipv4.tcp_tw_reuse gained the value 2 (reuse for loopback connections only), which became the default.',
    since: '4.20',
    before: 'default 0: no TIME_WAIT reuse for outgoing connections unless set to 1',
    after: 'default 2: reuse on loopback only; 1 still enables it for every destination',
    check: ['sysctl net.ipv4.tcp_tw_reuse'],
    source: 'ip-sysctl.rst (tcp_tw_reuse: 0, 1, 2, "Default: 2"), present in v6.18',
    unsure: 'we place the change in 4.20 (late 2018) but could not confirm the commit or the release tag; some guides say 4.19, so on 4.19 or 4.20 check the value',
    zh: {
      what: 'net.ipv4.tcp_tw_reuse 新增了取值 2（只对回环连接复用），并把它作为默认值。',
      before: '默认 0：除非设为 1，出站连接不会复用 TIME_WAIT',
      after: '默认 2：只在回环上复用；设为 1 仍对所有目的地址启用',
      check: ['sysctl net.ipv4.tcp_tw_reuse'],
      source: 'ip-sysctl.rst（tcp_tw_reuse：0、1、2，“Default: 2”），v6.18 中如此',
      unsure: '我们把这一改动定在 4.20（2018 年底），但没能确认对应的提交或发布标签；有些资料说是 4.19，所以在 4.19 或 4.20 上请查看实际取值',
    },
  },
  'accept-full-drops-syn': {
    what: 'Since Linux 4.10 a SYN is dropped whenever the listener\'s accept queue is full, whether or not SYN cookies are on.',
    since: '4.10',
    before: 'with cookies on, a SYN could still be answered (with a cookie) while the accept queue was full',
    after: 'a full accept queue drops every new SYN (ListenOverflows, ListenDrops)',
    check: ['nstat -az TcpExtListenOverflows TcpExtListenDrops'],
    source: 'commit 5ea8ea2cb7f1 ("tcp/dccp: drop SYN packets if accept queue is full"), 4.10',
    zh: {
      what: '从 Linux 4.10 起，只要监听套接字的全连接队列已满，SYN 就会被丢弃，无论是否启用了 SYN Cookie。',
      before: '启用 SYN Cookie 时，即使全连接队列已满，SYN 仍可能得到应答（带 Cookie 的 SYN-ACK）',
      after: '全连接队列一满，每个新的 SYN 都被丢弃（计入 ListenOverflows、ListenDrops）',
      check: ['nstat -az TcpExtListenOverflows TcpExtListenDrops'],
      source: '提交 5ea8ea2cb7f1（“tcp/dccp: drop SYN packets if accept queue is full”），4.10',
    },
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

/** A change's readable text in the given edition. */
export function kernelChangeText(change: KernelChange, locale: Locale): KernelChangeText {
  if (locale === 'zh-cn') return change.zh;
  const { what, before, after, check, source, unsure } = change;
  return unsure === undefined ? { what, before, after, check, source } : { what, before, after, check, source, unsure };
}
