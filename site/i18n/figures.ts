/**
 * The words of the figures, the Experiment island and the "Which kernel are you on?" box, in both
 * editions. The renderers (site/lib/figures) are pure and run at build time and in the browser, so
 * they take a Locale and read their words here; nothing here touches the DOM or Astro.
 *
 * What stays in English on both editions, on purpose: segment labels in packetdrill's vocabulary
 * (`S. seq 0 ack 1 win 65535 <mss 1460,sackOK,TS,nop,wscale 7>`), Linux state names (`SYN_SENT`),
 * flags, sysctl and nstat counter names, system calls, errno names, addresses and scenario names:
 * they are what a reader types or greps for. Everything around them is translated; Chinese follows
 * content/terminology.yaml (半连接队列, 全连接队列, 报文段, 重传, 保活探测 …).
 *
 * Texts the stack writes into a trace (state-change causes, notes) and the scenario titles are
 * translated here by lookup; one the table does not know is shown as the stack wrote it.
 */
import type { SegmentFate, TcpStateName, TimerName } from '../../stack/core/observe/trace.ts';
import type { Locale } from './locale.ts';
import { TEXTBOOK_STATE_NAMES } from './state-names.ts';

export type TimerOutcome = 'fire' | 'cancel' | 'rearm' | 'pending' | 'unfired' | 'stopped';
export type FigureKindName = 'sequence' | 'states' | 'queues' | 'timers';

const CJK = '\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff';
const CJK_THEN_LATIN = new RegExp(`([${CJK}])([A-Za-z0-9])`, 'g');
const LATIN_THEN_CJK = new RegExp(`([A-Za-z0-9])([${CJK}])`, 'g');

/**
 * House rule for Chinese text: a space between Chinese and Latin letters or digits (`客户端 2 的`,
 * `60 秒`).
 */
export function spaceMixed(text: string): string {
  return text.replace(CJK_THEN_LATIN, '$1 $2').replace(LATIN_THEN_CJK, '$1 $2');
}

/** Full-width punctuation: no space on either side of it. */
const FULL_WIDTH = '，。：；？！、（）“”‘’《》【】';
const SPACE_BETWEEN_CJK = new RegExp(`([${CJK}]) +(?=[${CJK}])`, 'g');
const SPACE_BEFORE_PUNCT = new RegExp(` +(?=[${FULL_WIDTH}])`, 'g');
const SPACE_AFTER_PUNCT = new RegExp(`([${FULL_WIDTH}]) +`, 'g');

/**
 * Spacing of a Chinese sentence put together from parts: a space where Chinese meets Latin
 * letters or digits, none between two Chinese characters or around full-width punctuation. So a
 * template may write `${time} 到达` whether the time reads "5 ms" or "5 毫秒".
 */
export function tidyChinese(text: string): string {
  return spaceMixed(text).replace(SPACE_BETWEEN_CJK, '$1').replace(SPACE_BEFORE_PUNCT, '').replace(SPACE_AFTER_PUNCT, '$1');
}

/** The dictionary with every string it gives, and every string its functions return, tidied. */
function tidied<T>(value: T, exempt: ReadonlySet<string>): T {
  if (typeof value === 'string') return tidyChinese(value) as T;
  if (typeof value === 'function') {
    const fn = value as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => {
      const result = fn(...args);
      return typeof result === 'string' ? tidyChinese(result) : result;
    }) as T;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exempt.has(k) ? v : tidied(v, exempt)])) as T;
  }
  return value;
}

const plural = (n: number, word: string, many = `${word}s`): string => (n === 1 ? word : many);

const EN = {
  /** Units of virtual time after a number ("40 ms", "7200 s"). */
  unitMs: 'ms',
  unitS: 's',
  /** Between the items of a list of numbers or phrases. */
  listSep: ', ',
  /** A host's name as the figures write it (the simulator's names: client, server, client2 …). */
  host: (name: string): string => name,
  /** A scenario's title; `title` is the stack's English one. */
  scenarioTitle: (_name: string, title: string): string => title,
  fate: {
    delivered: 'delivered',
    lost: 'lost',
    'dropped-by-rule': 'dropped by rule',
    'no-route': 'no route',
    'host-down': 'host down',
    corrupt: 'corrupt (bad checksum)',
  } as Record<SegmentFate, string>,
  /** Why a state changed, as the stack wrote it ("SYN received"). */
  cause: (cause: string): string => cause,
  /** A note in the trace ("host crashed"). */
  note: (text: string): string => text,
  /** A system call's result as the stack writes it: "0", or "-1 ECONNREFUSED (Connection refused)". */
  syscallResult: (result: string): string => result,
  /** A second line under a Linux state name in the state machine ('' draws none). */
  stateSubtitle: (_state: TcpStateName): string => '',
  /** A standard transition's label (RFC 9293 Figure 5's words); `key` is "FROM>TO". */
  transition: (_key: string, label: string): string => label,
  /** "retransmit timer". */
  timer: (name: TimerName): string => `${name} timer`,

  figure: {
    kindName: (kind: string): string => kind,
    drawingLabel: 'figure',
    tableLabel: 'trace table',
    tableSummary: 'Trace as a table',
    scenario: (name: string) => `scenario ${name}`,
    seed: (seed: number | string) => `seed ${seed}`,
    sysctlSep: ', ',
    faults: (faults: readonly string[]) => `faults: ${faults.join('; ')}`,
    /** The error box's text; every argument is already escaped markup. */
    errorBox: (kind: string, scenarioCode: string, message: string) =>
      `<strong>Figure failed:</strong> ${kind} of scenario ${scenarioCode}: ${message}`,
    unknownKind: (kind: string) => `unknown figure kind "${kind}"`,
    noScenario: 'no scenario named',
    noHost: (host: string, hosts: readonly string[]) => `no host "${host}" (hosts: ${hosts.join(', ')})`,
  },

  sequence: {
    /** One line of a band summarising other hosts' traffic. */
    bandLine: (count: number, flags: string, from: string, to: string | null, spoofed: number, fates: ReadonlyArray<[string, number]>) => {
      const spoof = spoofed > 0 ? (spoofed === count ? ', spoofed sources' : `, ${spoofed} spoofed`) : '';
      const lost = fates.map(([fate, c]) => `${c} ${fate}`);
      return `${count} × ${flags} from ${from} to ${to ?? 'unrouted addresses'}${spoof}${lost.length ? ` (${lost.join(', ')})` : ''}`;
    },
    bandTitle: (from: string, to: string, lines: readonly string[]) => `${from} to ${to}: ${lines.join('; ')}`,
    stateTitle: (t: string, host: string, from: string, to: string, cause: string) => `${t} ${host}: ${from} → ${to} (${cause})`,
    retransmission: 'retransmission',
    duplicate: 'duplicate',
    corrupt: 'corrupt',
    /** The notes under a segment's label: "(retransmission, duplicate)". */
    notes: (notes: readonly string[]) => `(${notes.join(', ')})`,
    segmentTitle: (id: number, t: string, from: string, to: string, segment: string, retx: boolean, arrivedAt: string | null, fate: string, highlight: boolean) =>
      `#${id} ${t} ${from} → ${to}: ${segment}${retx ? ' (retransmission)' : ''}; ${arrivedAt !== null ? `arrived ${arrivedAt}` : fate}${highlight ? '; first diverging segment' : ''}`,
    notDrawn: (id: number) => `segment #${id} is not drawn`,
    moreSegments: (n: number, a: string, b: string) => `… ${n} more segments between ${a} and ${b} not drawn`,
    otherStates: (n: number) => `${n} state changes of connections with other peers not drawn`,
    summary: (title: string, drawn: number, a: string, b: string, others: number, lost: number, from: string, to: string) =>
      `Sequence diagram, ${title}: ${drawn} ${plural(drawn, 'segment')} between ${a} and ${b}` +
      `${others ? `, ${others} to or from other hosts summarised` : ''}` +
      `${lost ? `, ${lost} never arrived` : ''}, ${from} to ${to}.`,
  },

  table: {
    segment: (from: string, to: string, segment: string, duplicate: boolean, outcome: string, raw: string) =>
      `${from} → ${to}: ${segment}${duplicate ? ' (duplicate)' : ''}; ${outcome}; ${raw}`,
    /** What became of a segment that arrived (`fate` is '' when it was simply delivered). */
    arrived: (fate: string, t: string) => `${fate || 'arrived'} at ${t}`,
    raw: (seq: number, ack: number | null) => (ack === null ? `raw seq ${seq}` : `raw seq ${seq} ack ${ack}`),
    state: (from: string, to: string, cause: string, conn: string) => `${from} → ${to} (${cause}) [${conn}]`,
    timer: (name: TimerName, action: 'set' | 'fire' | 'cancel', due: string | null, conn: string) =>
      `${name} ${action}${due !== null ? `, due ${due}` : ''} [${conn}]`,
    queue: (listener: string, syn: number, accept: number, backlog: number) =>
      `listener ${listener}: SYN queue ${syn}, accept queue ${accept}, backlog ${backlog}`,
    kind: { segment: 'segment', state: 'state', timer: 'timer', queue: 'queue', syscall: 'syscall', note: 'note' } as Record<string, string>,
    /** `command` is escaped markup (<code>…</code>). */
    moreRows: (n: number, command: string) => `${n} more events not shown (run ${command} for all)`,
    summarised: (n: number) => `${n} events of other hosts or spoofed peers left out; the figure summarises them`,
    caption: (title: string, seed: number | string, events: number) => `Trace of ${title} (seed ${seed}), ${events} events`,
    time: 'Time',
    host: 'Host',
    event: 'Event',
    details: 'Details',
  },

  divergence: {
    field: (field: string) => field,
    segment: (from: string, to: string, header: string, t: string) => `${from} → ${to} ${header} at ${t}`,
    differs: (n: number, fields: readonly string[], a: string, b: string) => `segment ${n} differs (${fields.join(', ')}): ${a} vs ${b}`,
    onlyIn: (n: number, first: boolean, segment: string) => `segment ${n} is only in the ${first ? 'first' : 'second'} run: ${segment}`,
  },

  states: {
    notInRfc: 'not in RFC 9293 Figure 5',
    edgeTitle: (from: string, to: string, label: string) => `${from} → ${to}: ${label}`,
    stepCause: (n: number, cause: string) => `${n}. ${cause}`,
    takenTitle: (from: string, to: string, label: string, steps: readonly string[]) => `${from} → ${to} (${label}), taken as step ${steps.join('; ')}`,
    end: 'end',
    heading: (host: string, n: number) => `${host}: ${n} ${plural(n, 'state change')}`,
    more: (n: number) => `… ${n} more`,
    hidden: (n: number) => `${n} state changes of connections with spoofed or unknown peers not shown`,
    noneRecorded: 'no state changes recorded for this host',
    nonePath: 'no state changes',
    label: (host: string, title: string, path: string) => `TCP state machine for ${host} in ${title}: ${path}.`,
  },

  queues: {
    nstatOn: (host: string) => `nstat on ${host}`,
    noEvents: (host: string) => `${host} recorded no queue events (no listener).`,
    noEventsLabel: (host: string, title: string) => `Queue chart for ${host} in ${title}: no queue events.`,
    peakSyn: 'peak SYN queue',
    peakAccept: 'peak accept queue',
    yAxis: 'entries',
    xAxis: 'virtual time',
    backlogLine: (backlog: number) => `backlog ${backlog}: full above this line`,
    backlogTitle: (backlog: number) =>
      `sk_max_ack_backlog = min(backlog, somaxconn) = ${backlog}; a queue is full when it holds more than that, so the accept queue holds up to ${backlog + 1}`,
    synTitle: (peak: number) => `SYN queue (request socks in SYN_RECV), peak ${peak}`,
    acceptTitle: (peak: number) => `accept queue (established, not yet accept()ed), peak ${peak}`,
    synLegend: (peak: number) => `SYN queue (peak ${peak})`,
    acceptLegend: (peak: number) => `accept queue (peak ${peak})`,
    listener: (listener: string) => `listener ${listener}`,
    counterSep: ', ',
    label: (host: string, listener: string, title: string, syn: number, accept: number, backlog: number, counters: string) =>
      `Queue chart for ${host} (listener ${listener}) in ${title}: SYN queue peaks at ${syn}, accept queue peaks at ${accept}, backlog ${backlog}; ${counters}.`,
  },

  timers: {
    listenerRow: (conn: string) => `listener ${conn}`,
    peerRow: (peer: string) => `peer ${peer}`,
    sentBy: (host: string) => `sent by ${host}`,
    stateRow: 'state',
    /** After a retransmitted segment's flags on the "sent" row. */
    retxMark: ' (R)',
    sentTitle: (t: string, segment: string, to: string, retx: boolean) => `${t}: ${segment} to ${to}${retx ? ' (retransmission)' : ''}`,
    keepaliveCaption: (probe: boolean, dur: string) => `${probe ? 'probe' : 'idle'} ${dur}`,
    unfiredCaption: (dur: string) => `due +${dur}, not fired`,
    spanTitle: (name: TimerName, start: string, due: string | null, outcome: TimerOutcome, end: string, dur: string) => {
      const ends: Record<TimerOutcome, string> = {
        fire: 'fired at',
        cancel: 'cancelled at',
        rearm: 're-armed at',
        pending: 'still pending when the run ended',
        unfired: 'stopped without firing before it was due at',
        stopped: 'stopped when its connection changed state at',
      };
      return `${name} timer set at ${start}${due !== null ? `, due ${due}` : ''}; ${ends[outcome]}${outcome === 'pending' ? '' : ` ${end}`} (${dur})`;
    },
    spoofedSentRow: 'sent to spoofed peers',
    spoofedFiredRow: (name: TimerName) => `${name} fired (spoofed)`,
    burstTitle: (what: TimerName | 'sent', count: number, from: string, to: string) =>
      `${count} ${what === 'sent' ? 'segments sent to spoofed addresses' : `${what} timers of spoofed peers' connections fired`} between ${from} and ${to}`,
    stateTitle: (state: string, from: string, to: string | null, dur: string) => `${state} from ${from} ${to === null ? 'until the run ended' : `to ${to}`} (${dur})`,
    heading: (host: string, spoofedConns: number) =>
      `${host}: timers and states on virtual time (idle stretches cut out)${spoofedConns > 0 ? `; ${spoofedConns} connections of spoofed peers shown in aggregate (×count per burst)` : ''}`,
    /** `count` fires, the first of them `after` their timer was set (at most 12 listed). */
    firedText: (name: TimerName, count: number, after: readonly string[]) =>
      `${name} timer fired ${count} ${plural(count, 'time')}${count ? ` after ${after.join(', ')}` : ''}`,
    stateText: (state: string, dur: string | null) => `${state} ${dur ?? 'until the end'}`,
    label: (host: string, title: string, sent: number, retx: number, timers: readonly string[], states: readonly string[]) =>
      `Timer timeline for ${host} in ${title}: ${sent} segments sent` +
      `${retx ? ` (${retx} retransmissions)` : ''}` +
      `${timers.length ? `; ${timers.join('; ')}` : ''}${states.length ? `; ${states.join(', ')}` : ''}.`,
  },

  experiment: {
    kicker: 'Experiment · scenario ',
    change: 'Change',
    seed: 'seed',
    run: 'Run',
    running: 'Running the scenario…',
    /** The line under the learner's figure; `described` is null when the experiment has no knobs. */
    source: (scenario: string, described: string | null) => `scenario ${scenario}${described !== null ? ` · ${described}` : ''} `,
    download: 'Download this run as .pcap',
    failed: (message: string) => `The run failed: ${message}`,
    knobFault: (fault: string) => `fault: ${fault}`,
    knobSeed: (seed: number | boolean) => `seed ${String(seed)}`,
    setTo: (name: string, value: string) => `set ${name} to ${value}`,
    tick: (on: boolean, label: string) => `${on ? 'tick' : 'untick'} “${label}”`,
    chooseSeed: (seed: string) => `choose seed ${seed}`,
    stepsJoin: ' and ',
    /** The verdicts; `facts` is the run's own description (observe). */
    shows: (facts: string) => `This run: ${facts}`,
    otherRun: (shows: string, fitting: string | null, steps: string) =>
      `${shows}${fitting !== null ? ` That is “${fitting}”, the answer for the settings you ran.` : ''} The question is about another run: ${steps}, then run again to check your prediction.`,
    notBorneOut: (shows: string, answer: string) => `${shows} The chapter expected “${answer}”, which this run does not show; the run is what the stack did.`,
    noPick: (shows: string, answer: string) => `${shows} You did not predict; the answer is “${answer}”.`,
    match: (shows: string, answer: string) => `Your prediction “${answer}” matches the run. ${shows}`,
    miss: (shows: string, picked: string, answer: string) => `You predicted “${picked}”; the run shows “${answer}”. ${shows}`,
  },

  /** What an Experiment's run shows (experiment-observe.ts); `times` are lists in seconds. */
  observe: {
    synsSent: (n: number, times: string) => `The client sent ${n} ${plural(n, 'SYN')} (at ${times} s)`,
    connectPending: (syns: string) => `${syns}; connect() had not returned when the run ended.`,
    connectFailedAt: (err: string, t: string) => `connect() failed with ${err} at ${t}`,
    connectReturnedAt: (t: string) => `connect() returned at ${t}`,
    connectOutcome: (syns: string, outcome: string) => `${syns}, and ${outcome}.`,
    noneLost: 'No segment was lost',
    lostList: (items: ReadonlyArray<{ host: string; flags: string; t: string }>) =>
      `Lost: ${items.map((s) => `${s.host}'s ${s.flags} at ${s.t}`).join(', ')}`,
    connectNotReturned: 'connect() had not returned when the run ended',
    connectAfterRtt: (t: string, late: string | null) => `connect() returned at ${t}${late !== null ? `, ${late} later than one round trip` : ', after one round trip'}`,
    handshake: (lost: string, connect: string, seed: number, client: string, server: string) =>
      `${lost}; ${connect}. ISNs with seed ${seed}: client ${client}, server ${server}.`,
    noFin: 'The client sent no FIN.',
    finArrived: 'arrived',
    finLost: (fate: SegmentFate) => `was lost (${fate})`,
    clientFinLeft: (t: string, fate: string) => `The client's FIN left at ${t} and ${fate}`,
    sentAgain: (t: string, fate: string) => `it was sent again at ${t} and ${fate}`,
    noRetransmission: 'nothing was retransmitted',
    clientStayedUntil: (state: string, t: string, next: string) => `the client stayed in ${state} until ${t} (then ${next})`,
    serverStayedEstablished: (t: string, next: string) => `the server stayed ESTABLISHED until ${t} (then ${next})`,
    timeWaitFor: (d: string) => `the client stayed in TIME_WAIT for ${d}`,
    timeWaitOpen: 'the client was still in TIME_WAIT when the run ended',
    serverFinLeft: (t: string, fate: string) => `the server's FIN left at ${t} and ${fate}`,
    clientPath: (path: readonly string[]) => `the client went ${path.join(' → ')}`,
    stayedFinWait2: (t: string, next: string) => `it stayed in FIN_WAIT_2 until ${t} (then ${next})`,
    teardown: (parts: readonly string[]) => `${parts.join('; ')}.`,
    neverFinWait2: 'The client never reached FIN_WAIT_2.',
    stillFinWait2: (t: string) => `The client entered FIN_WAIT_2 at ${t} and was still there when the run ended.`,
    finWait2Left: (acked: string, waited: string, to: TcpStateName, cause: string, rst: boolean) =>
      `The client's FIN was acknowledged at ${acked}; ${waited} later it left FIN_WAIT_2 for ${to} (${cause})${
        to === 'TIME_WAIT' ? '' : ', without entering TIME_WAIT'
      }; it sent ${rst ? 'a RST' : 'no RST'}.`,
    probesSent: (n: number, after: string | null) =>
      `The server sent ${n} keepalive ${plural(n, 'probe')}${after !== null ? ` (${after} s after the last segment it received)` : ''}`,
    probesPending: (probes: string) => `${probes} and had not given up when the run ended.`,
    probesGaveUp: (probes: string, after: string) => `${probes} and gave up at ${after}, resetting the connection.`,
    noServerRst: 'The server sent no RST',
    serverRsts: (n: number) => `The server answered with ${n} ${plural(n, 'RST')}`,
    clientsFine: 'every client’s connect() and write() succeeded',
    clientRefused: (host: string, err: string) => `${host}'s connect() failed with ${err}`,
    clientFailedLater: (host: string, call: string, err: string) => `${host}'s connect() returned 0, then ${call}() failed with ${err}`,
    clientsJoin: ', ',
    queues: (listenCall: string | null, backlog: number, held: number, outcome: string, clients: string) =>
      `${listenCall !== null ? `${listenCall} gave a backlog of ${backlog}` : `The backlog was ${backlog}`}; the accept queue held at most ${held} connections. ${outcome}; ${clients}.`,
    noSyn: 'The client sent no SYN.',
    floodAnswered: (flags: string, t: string) => `the server answered it with ${flags === 'S.' ? 'a SYN-ACK' : flags} at ${t}`,
    floodUnanswered: (n: number, times: string) => `the server sent nothing back; the client sent that SYN ${n} times (at ${times} s)`,
    connectFailed: (err: string) => `connect() failed with ${err}`,
    connectPendingShort: 'connect() had not returned',
    flood: (t: string, answer: string, connect: string, resent: number) =>
      `The client's first SYN left at ${t}; ${answer}; ${connect}. The server retransmitted ${resent === 0 ? 'no' : resent} ${plural(resent, 'SYN-ACK')} to forged sources.`,
    generic: (lost: number, failures: ReadonlyArray<{ host: string; call: string; err: string; t: string }>) =>
      `${lost} ${lost === 1 ? 'segment was' : 'segments were'} lost; ${
        failures.length ? failures.map((f) => `${f.host}: ${f.call}() failed with ${f.err} at ${f.t}`).join(', ') : 'no system call failed'
      }.`,
  },

  /** The "Which kernel are you on?" box (site/components/KernelVersions.astro). */
  kernel: {
    label: 'Which kernel are you on?',
    distribution: 'Distribution',
    kernel: 'Kernel',
    behavesLike: 'Behaves like',
    since: (since: string, behaviour: string) => `${since} and later: ${behaviour}`,
    before: (since: string, behaviour: string) => `before ${since}: ${behaviour}`,
    checkOnMachine: 'Check on your machine:',
    checkedAgainst: 'Version checked against: ',
    notConfirmed: 'Not confirmed:',
    /** Ends a sentence of the footnote, and separates its sentences. */
    stop: '.',
    gap: ' ',
    backports: 'Distribution kernels carry backported changes, so the command is the authority.',
  },
};

export type FigureStrings = typeof EN;

const ZH_HOSTS: Record<string, string> = { client: '客户端', server: '服务器', attacker: '攻击者' };

/** Titles of the stack's scenarios (stack/core/scenarios/catalog.ts), by scenario name. */
const ZH_SCENARIO_TITLES: Record<string, string> = {
  handshake: '三次握手',
  'handshake-lost-synack': '丢失的 SYN-ACK',
  'connect-refused': '连接一个关闭的端口',
  'connect-timeout': '连接一台不应答的主机',
  'simultaneous-open': '同时打开',
  teardown: '四次挥手',
  'teardown-delayed-ack': '只有三个报文段的挥手',
  'simultaneous-close': '同时关闭',
  'time-wait-lost-ack': 'TIME_WAIT 与丢失的最后一个 ACK',
  'fin-wait-2-timeout': '对端消失后停在 FIN_WAIT_2 的孤儿连接',
  'last-ack-new-syn': '新的 SYN 遇上处于 LAST_ACK 的连接',
  'close-with-unread-data': '有未读数据时 close() 发送 RST',
  'close-wait-write': '半关闭之后在 CLOSE_WAIT 中写数据',
  'close-wait-write-after-close': '对端完全关闭之后在 CLOSE_WAIT 中写数据',
  'syn-flood': 'SYN 泛洪，以 SYN Cookie 应对',
  'syn-flood-no-cookies': '关闭 SYN Cookie 时的 SYN 泛洪',
  'accept-queue-overflow': '全连接队列溢出',
  'accept-queue-overflow-abort': 'tcp_abort_on_overflow=1 时的全连接队列溢出',
  'keepalive-dead-peer': '保活发现对端已失联',
  'keepalive-rebooted-peer': '保活发现对端已重启',
  'keepalive-alive-peer': '健康的空闲连接上的保活',
};

/** The causes the stack writes on state changes (setState, destroy, dropRequest, enterTimeWait …). */
const ZH_CAUSES: Record<string, string> = {
  'connect()': 'connect()',
  'listen()': 'listen()',
  'close()': 'close()',
  'shutdown(SHUT_WR)': 'shutdown(SHUT_WR)',
  'SYN received': '收到 SYN',
  'SYN-ACK received': '收到 SYN-ACK',
  'SYN-ACK received (simultaneous open)': '收到 SYN-ACK（同时打开）',
  'SYN received in SYN_SENT (simultaneous open)': '在 SYN_SENT 中收到 SYN（同时打开）',
  'final ACK received': '收到握手的最后一个 ACK',
  'ACK of SYN received': '收到对 SYN 的 ACK',
  'valid SYN cookie in ACK': 'ACK 中带有有效的 SYN Cookie',
  'FIN received': '收到 FIN',
  'FIN received in FIN_WAIT_1': '在 FIN_WAIT_1 中收到 FIN',
  'FIN received in FIN_WAIT_2': '在 FIN_WAIT_2 中收到 FIN',
  'ACK of FIN': '收到对 FIN 的 ACK',
  'ACK of FIN received': '收到对 FIN 的 ACK',
  'ACK of FIN in CLOSING': '在 CLOSING 中收到对 FIN 的 ACK',
  'ACK of FIN in LAST_ACK': '在 LAST_ACK 中收到对 FIN 的 ACK',
  'keepalive: peer did not answer': '保活：对端没有应答',
  'new SYN reopens the 4-tuple': '新的 SYN 重新启用这个四元组',
  'SYN-ACK retries exhausted': 'SYN-ACK 重试次数用尽',
  'SYN in window: reset': '窗口内收到 SYN：重置',
  'accept queue full, tcp_abort_on_overflow=1: RST': '全连接队列已满，tcp_abort_on_overflow=1：发送 RST',
  'connect() takes over the TIME_WAIT 4-tuple': 'connect() 接管处于 TIME_WAIT 的四元组',
  'SYN retransmissions exhausted': 'SYN 重传次数用尽',
  'retransmissions exhausted': '重传次数用尽',
  'probes unanswered': '探测始终无应答',
  'close() with unread data: RST': '有未读数据时 close()：发送 RST',
  'close() with SO_LINGER 0: RST': 'SO_LINGER 为 0 时 close()：发送 RST',
  'shutdown(SHUT_WR) in SYN_SENT': '在 SYN_SENT 中 shutdown(SHUT_WR)',
  'TIME_WAIT bucket table full: closed at once': 'TIME_WAIT 桶表已满：立即关闭',
  'TIME_WAIT expired': 'TIME_WAIT 到期',
  'RST in TIME_WAIT': '在 TIME_WAIT 中收到 RST',
  'TCP_LINGER2 < 0: the ACK of our FIN ends the orphan with a RST': 'TCP_LINGER2 < 0：对本端 FIN 的 ACK 一到，就以 RST 结束这个孤儿连接',
  'TCP_LINGER2 < 0: RST instead of FIN_WAIT_2': 'TCP_LINGER2 < 0：发送 RST，不进入 FIN_WAIT_2',
  'FIN_WAIT_2 timeout (orphaned): freed silently': 'FIN_WAIT_2 超时，孤儿连接被静默释放',
  'RST in FIN_WAIT_2': '在 FIN_WAIT_2 中收到 RST',
  'data after close(): RST': 'close() 之后收到数据：发送 RST',
  'data received after close(): RST': 'close() 之后收到数据：发送 RST',
  'listener closed': '监听套接字已关闭',
  'listener closed before accept(): RST': '监听套接字在 accept() 之前关闭：发送 RST',
  'placed by the test kit': '由测试工具放置',
};

/** Causes with a part that varies ("RST received in ESTABLISHED"). */
const ZH_CAUSE_PATTERNS: Array<[RegExp, (m: RegExpExecArray) => string]> = [[/^RST received in (\w+)$/, (m) => `在 ${m[1]} 中收到 RST`]];

/** The notes the stack writes into a trace (host.note, the network's fault rules). */
const ZH_NOTE_PATTERNS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  // The kernel's own log line, kept verbatim so a reader can find it in dmesg.
  [/^Possible SYN flooding on port \d+\. (Dropping request|Sending cookies)\.$/, (m) => `内核日志：“${m[0]}”`],
  [/^accept queue full: final ACK from (\S+) dropped$/, (m) => `全连接队列已满：来自 ${m[1]} 的最后一个 ACK 被丢弃`],
  [/^fault rule: (.*) \(segment #(\d+)\)$/, (m) => `故障规则：${m[1]}（报文段 #${m[2]}）`],
  [/^dropped a malformed packet \(([^)]*)\): (.*)$/, (m) => `丢弃了一个格式错误的数据包（${m[1]}）：${m[2]}`],
  [/^undecodable packet: (.*)$/, (m) => `无法解码的数据包：${m[1]}`],
  [/^exception during (.*?): (.*)$/, (m) => `${m[1]} 期间发生异常：${m[2]}`],
  [/^host crashed$/, () => '主机崩溃'],
  [/^host rebooted: all TCP state lost$/, () => '主机重启：所有 TCP 状态丢失'],
];

/** The textbook Chinese names (content/terminology.yaml) shown under the Linux names. */
const ZH_STATES: Record<TcpStateName, string> = { CLOSED: '关闭', ...TEXTBOOK_STATE_NAMES };

/** RFC 9293 Figure 5's event / action labels, by "FROM>TO" (state-machine.ts STANDARD_TRANSITIONS). */
const ZH_TRANSITIONS: Record<string, string> = {
  'CLOSED>LISTEN': '被动打开',
  'LISTEN>CLOSED': '关闭',
  'CLOSED>SYN_SENT': '主动打开 / 发送 SYN',
  'SYN_SENT>CLOSED': '关闭或超时',
  'LISTEN>SYN_RECV': '收到 SYN / 发送 SYN,ACK',
  'SYN_RECV>LISTEN': '收到 RST',
  'LISTEN>SYN_SENT': '发送数据 / 发送 SYN',
  'SYN_SENT>SYN_RECV': '收到 SYN / 发送 SYN,ACK（同时打开）',
  'SYN_RECV>ESTABLISHED': '收到对 SYN 的 ACK',
  'SYN_SENT>ESTABLISHED': '收到 SYN,ACK / 发送 ACK',
  'SYN_RECV>FIN_WAIT_1': '关闭 / 发送 FIN',
  'ESTABLISHED>FIN_WAIT_1': '关闭 / 发送 FIN',
  'ESTABLISHED>CLOSE_WAIT': '收到 FIN / 发送 ACK',
  'FIN_WAIT_1>FIN_WAIT_2': '收到对 FIN 的 ACK',
  'FIN_WAIT_1>CLOSING': '收到 FIN / 发送 ACK（同时关闭）',
  'FIN_WAIT_1>TIME_WAIT': '收到 FIN 及对 FIN 的 ACK / 发送 ACK',
  'FIN_WAIT_2>TIME_WAIT': '收到 FIN / 发送 ACK',
  'CLOSING>TIME_WAIT': '收到对 FIN 的 ACK',
  'CLOSE_WAIT>LAST_ACK': '关闭 / 发送 FIN',
  'LAST_ACK>CLOSED': '收到对 FIN 的 ACK',
  'TIME_WAIT>CLOSED': '超时（Linux：60 秒；RFC：2 MSL）',
  'FIN_WAIT_2>CLOSED': '孤儿连接超时（Linux tcp_fin_timeout，60 秒）',
};

const ZH_TIMERS: Record<TimerName, string> = {
  retransmit: '重传定时器',
  'loss-probe': '尾部丢失探测定时器',
  reorder: '乱序定时器',
  'delayed-ack': '延迟确认定时器',
  'compressed-ack': 'SACK 压缩定时器',
  keepalive: '保活定时器',
  'time-wait': 'TIME_WAIT 定时器',
  'fin-wait-2': 'FIN_WAIT_2 定时器',
  synack: 'SYN-ACK 定时器',
  persist: '坚持定时器',
};

/** strerror's texts (stack/core/tcp/errno.ts ERRNO_TEXT) as a Chinese-language Linux words them. */
const ZH_ERRNO: Record<string, string> = {
  ECONNREFUSED: '拒绝连接',
  ECONNRESET: '连接被对方重置',
  ETIMEDOUT: '连接超时',
  EPIPE: '断开的管道',
  EAGAIN: '资源暂时不可用',
  EINPROGRESS: '操作正在进行',
  EALREADY: '操作已在进行',
  EISCONN: '传输端点已连接',
  ENOTCONN: '传输端点尚未连接',
  EADDRINUSE: '地址已在使用',
  EADDRNOTAVAIL: '无法分配请求的地址',
  EINVAL: '无效的参数',
  EBADF: '错误的文件描述符',
  ENOPROTOOPT: '协议不可用',
  EOPNOTSUPP: '不支持的操作',
  EHOSTUNREACH: '没有到主机的路由',
  EEXIST: '文件已存在',
  ENOENT: '没有那个文件或目录',
};

const ZH_FIELDS: Record<string, string> = { from: '发送方', flags: '标志位', seq: 'seq', ack: 'ack', len: 'len', time: '发送时间' };

function zhHost(name: string): string {
  const numbered = /^client(\d+)$/.exec(name);
  if (numbered) return `客户端 ${numbered[1]}`;
  return ZH_HOSTS[name] ?? name;
}

function byPatterns(text: string, patterns: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string]>): string | undefined {
  for (const [re, make] of patterns) {
    const m = re.exec(text);
    if (m) return make(m);
  }
  return undefined;
}

/**
 * The Chinese edition. Its strings go through tidyChinese (tidied below), except the textbook
 * state names, which terminology.yaml spells without a space (终止等待1).
 */
const ZH: FigureStrings = tidied<FigureStrings>({
  unitMs: '毫秒',
  unitS: '秒',
  listSep: '、',
  host: zhHost,
  scenarioTitle: (name, title) => ZH_SCENARIO_TITLES[name] ?? title,
  fate: {
    delivered: '已送达',
    lost: '丢失',
    'dropped-by-rule': '被故障规则丢弃',
    'no-route': '无路由',
    'host-down': '主机宕机',
    corrupt: '损坏（校验和错误）',
  },
  cause: (cause) => ZH_CAUSES[cause] ?? byPatterns(cause, ZH_CAUSE_PATTERNS) ?? cause,
  note: (text) => byPatterns(text, ZH_NOTE_PATTERNS) ?? text,
  syscallResult: (result) => {
    const m = /^-1 (E[A-Z]+) \((.*)\)$/.exec(result);
    return m ? `-1 ${m[1]}（${ZH_ERRNO[m[1]!] ?? m[2]}）` : result;
  },
  stateSubtitle: (state) => ZH_STATES[state] ?? '',
  transition: (key, label) => ZH_TRANSITIONS[key] ?? label,
  timer: (name) => ZH_TIMERS[name] ?? `${name} 定时器`,

  figure: {
    kindName: (kind) => ({ sequence: '时序图', states: '状态机', queues: '队列图', timers: '定时器时间线', Experiment: '实验' })[kind] ?? kind,
    drawingLabel: '图',
    tableLabel: '跟踪记录表',
    tableSummary: '以表格查看跟踪记录',
    scenario: (name) => `场景 ${name}`,
    seed: (seed) => `种子 ${seed}`,
    sysctlSep: '，',
    faults: (faults) => `故障：${faults.join('；')}`,
    errorBox: (kind, scenarioCode, message) => `<strong>图未能生成：</strong>场景 ${scenarioCode} 的${kind}：${message}`,
    unknownKind: (kind) => `未知的图类型“${kind}”`,
    noScenario: '没有指定场景',
    noHost: (host, hosts) => `没有名为“${host}”的主机（现有主机：${hosts.join('、')}）`,
  },

  sequence: {
    bandLine: (count, flags, from, to, spoofed, fates) => {
      const spoof = spoofed > 0 ? (spoofed === count ? '，源地址均为伪造' : `，其中 ${spoofed} 个源地址为伪造`) : '';
      const lost = fates.map(([fate, c]) => `${c} 个${fate}`);
      return `${count} × ${flags}，${from} → ${to ?? '无路由的地址'}${spoof}${lost.length ? `（${lost.join('，')}）` : ''}`;
    },
    bandTitle: (from, to, lines) => `${from} 至 ${to}：${lines.join('；')}`,
    stateTitle: (t, host, from, to, cause) => `${t}，${host}：${from} → ${to}（${cause}）`,
    retransmission: '重传',
    duplicate: '重复',
    corrupt: '损坏',
    notes: (notes) => `（${notes.join('，')}）`,
    segmentTitle: (id, t, from, to, segment, retx, arrivedAt, fate, highlight) =>
      `#${id}，${t}，${from} → ${to}：${segment}${retx ? '（重传）' : ''}；${arrivedAt !== null ? `${arrivedAt} 到达` : fate}${highlight ? '；第一个出现分歧的报文段' : ''}`,
    notDrawn: (id) => `报文段 #${id} 未画出`,
    moreSegments: (n, a, b) => `… ${a}与${b}之间还有 ${n} 个报文段未画出`,
    otherStates: (n) => `与其他对端之间的连接还有 ${n} 次状态变化未画出`,
    summary: (title, drawn, a, b, others, lost, from, to) =>
      `时序图，${title}：${a}与${b}之间的 ${drawn} 个报文段` +
      `${others ? `，另有 ${others} 个与其他主机往来的报文段以汇总显示` : ''}` +
      `${lost ? `，其中 ${lost} 个未能到达` : ''}，${from} 至 ${to}。`,
  },

  table: {
    segment: (from, to, segment, duplicate, outcome, raw) => `${from} → ${to}：${segment}${duplicate ? '（重复）' : ''}；${outcome}；${raw}`,
    arrived: (fate, t) => (fate ? `${fate}，${t} 到达` : `${t} 到达`),
    raw: (seq, ack) => (ack === null ? `原始 seq ${seq}` : `原始 seq ${seq} ack ${ack}`),
    state: (from, to, cause, conn) => `${from} → ${to}（${cause}）[${conn}]`,
    timer: (name, action, due, conn) => {
      const label = ZH.timer(name);
      const what = action === 'set' ? `设置${label}` : action === 'fire' ? `${label}触发` : `取消${label}`;
      return `${what}${due !== null ? `，${due} 到期` : ''} [${conn}]`;
    },
    queue: (listener, syn, accept, backlog) => `监听套接字 ${listener}：半连接队列 ${syn}，全连接队列 ${accept}，backlog ${backlog}`,
    kind: { segment: '报文段', state: '状态', timer: '定时器', queue: '队列', syscall: '系统调用', note: '备注' },
    moreRows: (n, command) => `还有 ${n} 个事件未显示（运行 ${command} 查看全部）`,
    summarised: (n) => `省略了其他主机或伪造对端的 ${n} 个事件，图中对它们作了汇总`,
    caption: (title, seed, events) => `“${title}”的跟踪记录（种子 ${seed}），共 ${events} 个事件`,
    time: '时间',
    host: '主机',
    event: '事件',
    details: '详情',
  },

  divergence: {
    field: (field) => ZH_FIELDS[field] ?? field,
    segment: (from, to, header, t) => `${from} → ${to} ${header}，${t}`,
    differs: (n, fields, a, b) => `第 ${n} 个报文段不同（${fields.join('、')}）：${a}；对比：${b}`,
    onlyIn: (n, first, segment) => `第 ${n} 个报文段只出现在${first ? '第一次' : '第二次'}运行中：${segment}`,
  },

  states: {
    notInRfc: '不在 RFC 9293 图 5 中',
    edgeTitle: (from, to, label) => `${from} → ${to}：${label}`,
    stepCause: (n, cause) => `${n}. ${cause}`,
    takenTitle: (from, to, label, steps) => `${from} → ${to}（${label}），经过这一转换的步骤：${steps.join('；')}`,
    end: '终点',
    heading: (host, n) => `${host}：${n} 次状态变化`,
    more: (n) => `… 另有 ${n} 次`,
    hidden: (n) => `与伪造或未知对端之间的连接还有 ${n} 次状态变化未显示`,
    noneRecorded: '这台主机没有记录到状态变化',
    nonePath: '没有状态变化',
    label: (host, title, path) => `“${title}”中${host}的 TCP 状态机：${path}。`,
  },

  queues: {
    nstatOn: (host) => `${host}上的 nstat`,
    noEvents: (host) => `${host}没有记录到队列事件（没有监听套接字）。`,
    noEventsLabel: (host, title) => `“${title}”中${host}的队列图：没有队列事件。`,
    peakSyn: '半连接队列峰值',
    peakAccept: '全连接队列峰值',
    yAxis: '条目数',
    xAxis: '虚拟时间',
    backlogLine: (backlog) => `backlog ${backlog}：超过这条线即为满`,
    backlogTitle: (backlog) =>
      `sk_max_ack_backlog = min(backlog, somaxconn) = ${backlog}；队列中的数量超过它才算满，所以全连接队列最多容纳 ${backlog + 1} 个连接`,
    synTitle: (peak) => `半连接队列（处于 SYN_RECV 的请求套接字），峰值 ${peak}`,
    acceptTitle: (peak) => `全连接队列（已建立、尚未被 accept() 取走的连接），峰值 ${peak}`,
    synLegend: (peak) => `半连接队列（峰值 ${peak}）`,
    acceptLegend: (peak) => `全连接队列（峰值 ${peak}）`,
    listener: (listener) => `监听套接字 ${listener}`,
    counterSep: '，',
    label: (host, listener, title, syn, accept, backlog, counters) =>
      `“${title}”中${host}（监听套接字 ${listener}）的队列图：半连接队列峰值 ${syn}，全连接队列峰值 ${accept}，backlog ${backlog}；${counters}。`,
  },

  timers: {
    listenerRow: (conn) => `监听 ${conn}`,
    peerRow: (peer) => `对端 ${peer}`,
    sentBy: (host) => `${host}发送`,
    stateRow: '状态',
    retxMark: ' 重传',
    sentTitle: (t, segment, to, retx) => `${t}：${segment}，发往${to}${retx ? '（重传）' : ''}`,
    keepaliveCaption: (probe, dur) => `${probe ? '探测' : '空闲'} ${dur}`,
    unfiredCaption: (dur) => `+${dur} 到期，未触发`,
    spanTitle: (name, start, due, outcome, end, dur) => {
      const ends: Record<TimerOutcome, string> = {
        fire: `${end} 触发`,
        cancel: `${end} 取消`,
        rearm: `${end} 重新设置`,
        pending: '运行结束时仍未到期',
        unfired: `没有触发就停止了，原定 ${end} 到期`,
        stopped: `${end} 时连接离开了相应状态，定时器随之停止`,
      };
      return `${ZH.timer(name)}：${start} 设置${due !== null ? `，${due} 到期` : ''}；${ends[outcome]}（${dur}）`;
    },
    spoofedSentRow: '发往伪造对端',
    spoofedFiredRow: (name) => `${ZH.timer(name)}触发（伪造对端）`,
    burstTitle: (what, count, from, to) =>
      what === 'sent'
        ? `${from} 至 ${to} 之间向伪造地址发送了 ${count} 个报文段`
        : `${from} 至 ${to} 之间，伪造对端的连接上有 ${count} 个${ZH.timer(what)}触发`,
    stateTitle: (state, from, to, dur) => `${state}：从 ${from} ${to === null ? '直到运行结束' : `到 ${to}`}（${dur}）`,
    heading: (host, spoofedConns) =>
      `${host}：虚拟时间上的定时器与状态（空闲时段已省略）${spoofedConns > 0 ? `；伪造对端的 ${spoofedConns} 个连接以汇总显示（每批标出 ×数量）` : ''}`,
    firedText: (name, count, after) => `${ZH.timer(name)}触发 ${count} 次${count ? `，分别在设置后 ${after.join('、')}` : ''}`,
    stateText: (state, dur) => `${state} ${dur ?? '直到结束'}`,
    label: (host, title, sent, retx, timers, states) =>
      `“${title}”中${host}的定时器时间线：发送了 ${sent} 个报文段` +
      `${retx ? `（其中 ${retx} 个为重传）` : ''}` +
      `${timers.length ? `；${timers.join('；')}` : ''}${states.length ? `；${states.join('，')}` : ''}。`,
  },

  experiment: {
    kicker: '实验 · 场景 ',
    change: '调整',
    seed: '随机种子',
    run: '运行',
    running: '正在运行场景…',
    source: (scenario, described) => `场景 ${scenario}${described ? ` · ${described}` : ''} `,
    download: '下载这次运行的 .pcap 文件',
    failed: (message) => `运行失败：${message}`,
    knobFault: (fault) => `故障：${fault}`,
    knobSeed: (seed) => `种子 ${String(seed)}`,
    setTo: (name, value) => `把 ${name} 设为 ${value}`,
    tick: (on, label) => `${on ? '勾选' : '取消勾选'}“${label}”`,
    chooseSeed: (seed) => `选择种子 ${seed}`,
    stepsJoin: '，并',
    shows: (facts) => `这次运行：${facts}`,
    otherRun: (shows, fitting, steps) =>
      `${shows}${fitting !== null ? `这正是“${fitting}”，也就是你所用设置下的答案。` : ''}这道题问的是另一次运行：请${steps}，然后再运行一次，检验你的预测。`,
    notBorneOut: (shows, answer) => `${shows}本章给出的答案是“${answer}”，但这次运行没有表现出来；以协议栈实际的运行为准。`,
    noPick: (shows, answer) => `${shows}你没有作出预测；答案是“${answer}”。`,
    match: (shows, answer) => `你的预测“${answer}”与运行结果一致。${shows}`,
    miss: (shows, picked, answer) => `你预测的是“${picked}”；运行结果是“${answer}”。${shows}`,
  },

  observe: {
    synsSent: (n, times) => `客户端共发出 ${n} 个 SYN（在 ${times} 秒）`,
    connectPending: (syns) => `${syns}；运行结束时 connect() 还没有返回。`,
    connectFailedAt: (err, t) => `connect() 在 ${t} 时以 ${err} 失败`,
    connectReturnedAt: (t) => `connect() 在 ${t} 时返回`,
    connectOutcome: (syns, outcome) => `${syns}，${outcome}。`,
    noneLost: '没有报文段丢失',
    lostList: (items) => `丢失的报文段：${items.map((s) => `${s.host}在 ${s.t} 发出的 ${s.flags}`).join('，')}`,
    connectNotReturned: '运行结束时 connect() 还没有返回',
    connectAfterRtt: (t, late) => `connect() 在 ${t} 时返回${late !== null ? `，比一个往返时间晚了 ${late}` : '，用时一个往返时间'}`,
    handshake: (lost, connect, seed, client, server) => `${lost}；${connect}。种子 ${seed} 下的初始序列号：客户端 ${client}，服务器 ${server}。`,
    noFin: '客户端没有发出 FIN。',
    finArrived: '到达了',
    finLost: (fate) => `丢失了（${ZH.fate[fate] ?? fate}）`,
    clientFinLeft: (t, fate) => `客户端的 FIN 在 ${t} 发出，${fate}`,
    sentAgain: (t, fate) => `它在 ${t} 被重发，${fate}`,
    noRetransmission: '没有发生重传',
    clientStayedUntil: (state, t, next) => `客户端一直处于 ${state}，直到 ${t}（随后进入 ${next}）`,
    serverStayedEstablished: (t, next) => `服务器一直处于 ESTABLISHED，直到 ${t}（随后进入 ${next}）`,
    timeWaitFor: (d) => `客户端在 TIME_WAIT 中停留了 ${d}`,
    timeWaitOpen: '运行结束时客户端仍处于 TIME_WAIT',
    serverFinLeft: (t, fate) => `服务器的 FIN 在 ${t} 发出，${fate}`,
    clientPath: (path) => `客户端依次经过 ${path.join(' → ')}`,
    stayedFinWait2: (t, next) => `它一直处于 FIN_WAIT_2，直到 ${t}（随后进入 ${next}）`,
    teardown: (parts) => `${parts.join('；')}。`,
    neverFinWait2: '客户端始终没有进入 FIN_WAIT_2。',
    stillFinWait2: (t) => `客户端在 ${t} 进入 FIN_WAIT_2，运行结束时仍停留在那里。`,
    finWait2Left: (acked, waited, to, cause, rst) =>
      `客户端的 FIN 在 ${acked} 得到确认；${waited}之后，它离开 FIN_WAIT_2，进入 ${to}（${cause}）${
        to === 'TIME_WAIT' ? '' : '，没有经过 TIME_WAIT'
      }；它${rst ? '发送了 RST' : '没有发送 RST'}。`,
    probesSent: (n, after) => `服务器发出了 ${n} 个保活探测${after !== null ? `（在收到最后一个报文段之后的 ${after} 秒）` : ''}`,
    probesPending: (probes) => `${probes}，运行结束时还没有放弃。`,
    probesGaveUp: (probes, after) => `${probes}，在收到最后一个报文段之后 ${after} 时放弃，并重置了连接。`,
    noServerRst: '服务器没有发送 RST',
    serverRsts: (n) => `服务器回应了 ${n} 个 RST`,
    clientsFine: '每个客户端的 connect() 和 write() 都成功了',
    clientRefused: (host, err) => `${host}的 connect() 以 ${err} 失败`,
    clientFailedLater: (host, call, err) => `${host}的 connect() 返回 0，随后 ${call}() 以 ${err} 失败`,
    clientsJoin: '；',
    queues: (listenCall, backlog, held, outcome, clients) =>
      `${listenCall !== null ? `${listenCall} 给出的 backlog 为 ${backlog}` : `backlog 为 ${backlog}`}；全连接队列最多容纳了 ${held} 个连接。${outcome}；${clients}。`,
    noSyn: '客户端没有发出 SYN。',
    floodAnswered: (flags, t) => `服务器在 ${t} 以 ${flags === 'S.' ? 'SYN-ACK' : flags} 作了应答`,
    floodUnanswered: (n, times) => `服务器没有任何回应；客户端把这个 SYN 发了 ${n} 次（在 ${times} 秒）`,
    connectFailed: (err) => `connect() 以 ${err} 失败`,
    connectPendingShort: 'connect() 还没有返回',
    flood: (t, answer, connect, resent) =>
      `客户端的第一个 SYN 在 ${t} 发出；${answer}；${connect}。服务器${resent === 0 ? '没有向伪造的源地址重传 SYN-ACK' : `向伪造的源地址重传了 ${resent} 个 SYN-ACK`}。`,
    generic: (lost, failures) =>
      `丢失了 ${lost} 个报文段；${
        failures.length ? failures.map((f) => `${f.host}：${f.call}() 在 ${f.t} 时以 ${f.err} 失败`).join('；') : '没有系统调用失败'
      }。`,
  },

  kernel: {
    label: '你的内核是哪个版本？',
    distribution: '发行版',
    kernel: '内核',
    behavesLike: '行为',
    since: (since, behaviour) => `${since} 及以后：${behaviour}`,
    before: (since, behaviour) => `${since} 之前：${behaviour}`,
    checkOnMachine: '在你的机器上检查：',
    checkedAgainst: '版本核对依据：',
    notConfirmed: '尚未确认：',
    stop: '。',
    gap: '',
    backports: '发行版内核会反向移植新的改动，所以一切以命令的输出为准。',
  },
}, new Set(['stateSubtitle']));

const DICTIONARIES: Record<Locale, FigureStrings> = { en: EN, 'zh-cn': ZH };

export function figureStrings(locale: Locale = 'en'): FigureStrings {
  return DICTIONARIES[locale] ?? EN;
}

/** For tests: the lookup tables, to check they cover what the stack writes. */
export const ZH_TABLES = { causes: ZH_CAUSES, errno: ZH_ERRNO, scenarioTitles: ZH_SCENARIO_TITLES, transitions: ZH_TRANSITIONS, states: ZH_STATES };
