/**
 * The Chinese page's reading of what the runners say. A results document stays English and
 * structured as the harness writes it — the grading server, the CLI and the CSV read it, and a
 * score must not depend on the page — so the fixed phrases the harness puts into it (stack/testing,
 * labs/kit, the sandbox, the page's own runners) are recognised here, at display time, and said in
 * Chinese. What a test's author wrote into a test (its name, its own check sentences, the words
 * after "wanted:") is not a harness phrase and stays as written.
 *
 * Each phrase names the source templates it covers (`${}` for every placeholder, as the source
 * writes them): site/tests/workbench/harness-phrases.test.ts reads labs/kit/*.ts and
 * stack/testing/*.ts and fails on a template no phrase covers, so a new harness sentence cannot
 * reach the Chinese page untranslated unnoticed.
 */
import { TEXTBOOK_STATE_NAMES } from '../../i18n/state-names.ts';

export interface Phrase {
  /** The source templates this phrase covers, each placeholder written `${}`. */
  en: readonly string[];
  /** The whole text, anchored. */
  re: RegExp;
  zh(groups: string[], tr: (text: string) => string): string;
  /** A text the source really produces (tests check it matches `re` and leaves no English). */
  example: string;
}

const HAN = /\p{Script=Han}/u;

/** A space between Chinese and Latin letters or digits (the course's house style), added where the parts meet. */
export function spaced(text: string): string {
  return text
    .replace(/(\p{Script=Han})(?=[A-Za-z0-9<\[])/gu, '$1 ')
    .replace(/([A-Za-z0-9>\]%)])(?=\p{Script=Han})/gu, '$1 ')
    // The terminology's state names are written as it gives them (终止等待1, not 终止等待 1).
    .replace(/终止等待 ([12])/g, '终止等待$1');
}

/** Textbook names beside Linux's (content/terminology.yaml), the first time a sentence names a state. */
const STATE_ZH: Record<string, string> = TEXTBOOK_STATE_NAMES;

export function stateZh(state: string): string {
  return STATE_ZH[state] ? `${state}（${STATE_ZH[state]}）` : state;
}

/** The connection timers (stack/core/tcp/names.ts TimerName) in Chinese. */
const TIMER_ZH: Record<string, string> = {
  retransmit: '重传',
  'loss-probe': '尾部丢失探测',
  reorder: '乱序',
  'delayed-ack': '延迟确认',
  'compressed-ack': 'SACK 压缩',
  keepalive: '保活',
  'time-wait': 'TIME_WAIT',
  'fin-wait-2': 'FIN_WAIT_2',
  synack: 'SYN-ACK',
  persist: '坚持',
};

const SUITE_ZH: Record<string, string> = { visible: '可见', hidden: '隐藏' };

const NUM = '(-?[\\d.,]+)';

function p(en: readonly string[], re: RegExp, zh: Phrase['zh'], example: string): Phrase {
  return { en, re, zh, example };
}

/** "a SYN-ACK", "an ACK", "a segment with no flags" → "一个 SYN-ACK", "一个不带任何标志的报文段". */
function segmentName(text: string): string {
  const bare = text.replace(/^an? /, '');
  if (bare === 'segment') return '一个报文段';
  if (bare === 'segment with no flags') return '一个不带任何标志的报文段';
  const flags = /^segment with flags (\S+)$/.exec(bare);
  if (flags) return `一个带 ${flags[1]} 标志的报文段`;
  return `一个 ${bare}`;
}

/** "peer ISN+1 = 1001" → "对端 ISN+1 = 1001"; "host ISN+0 = 5000" → "主机 ISN+0 = 5000". */
function isnText(text: string): string {
  return text.replace(/^peer ISN/, '对端 ISN').replace(/^host ISN/, '主机 ISN');
}

/** How the harness describes an expected segment (PeerHarness.describeMatch). */
const DESCRIBE_MATCH = /^(a segment|an? (?:segment with no flags|segment with flags \S+|[A-Z]+(?:-[A-Z]+)?))(?: acknowledging (.+?))?(?: with seq (.+?))?(?: carrying (\d+) bytes)?(?: with window (\d+))?$/;

function describeMatchZh(m: string[]): string {
  const details: string[] = [];
  if (m[2] !== undefined) details.push(`确认号为${isnText(m[2])}`);
  if (m[3] !== undefined) details.push(`序列号为${isnText(m[3])}`);
  if (m[4] !== undefined) details.push(`携带 ${m[4]} 字节数据`);
  if (m[5] !== undefined) details.push(`窗口为 ${m[5]}`);
  return `${segmentName(m[1])}${details.length ? `（${details.join('，')}）` : ''}`;
}

/** " (wanted: the test's own words)" at the end of a segment expectation's message. */
function wantedZh(suffix: string, tr: (text: string) => string): string {
  const m = /^ \(wanted: ([\s\S]*)\)$/.exec(suffix);
  return m ? `（期望的是：${tr(m[1])}）` : '';
}

const where = (text: string): string => {
  if (text === 'segment arrival') return '报文段到达';
  if (text === 'SYN-ACK timer') return 'SYN-ACK 定时器';
  if (text === 'scheduled action') return '预定的动作';
  const timer = /^([\w-]+) timer$/.exec(text);
  if (timer && TIMER_ZH[timer[1]]) return `${TIMER_ZH[timer[1]]}定时器`;
  return text;
};

/** The harness's `"label" timer` / `"label" event` inside a runaway message. */
function eventZh(text: string): string {
  const m = /^"([^"]*)" (timer|event)$/.exec(text);
  if (!m) return text;
  return m[2] === 'timer' ? `“${m[1]}”定时器` : `“${m[1]}”事件`;
}

/** The reasons resultsProblems (labs/kit/results.ts) gives for a malformed results document. */
const DOCUMENT_RULES: Record<string, string> = {
  'be a string': '必须是字符串',
  'be a number': '必须是数字',
  'be a list': '必须是列表',
  'be an object': '必须是对象',
  'be a mapping': '必须是映射',
  'be 1': '必须是 1',
  'be visible or hidden': '必须是 visible 或 hidden',
  'be pass, fail or error': '必须是 pass、fail 或 error',
  'be {points, max}': '必须是 {points, max}',
  'be null or a string': '必须是 null 或字符串',
  'say why it failed': '必须说明失败的原因',
  'name an entry of traces': '必须指向 traces 中的一项',
};

const IN_THE_TEST = / \((?:it was running|in) the test "([^"]*)"\)/;

function inTestZh(text: string): { body: string; test: string } {
  const m = IN_THE_TEST.exec(text);
  if (!m) return { body: text, test: '' };
  return { body: text.replace(m[0], ''), test: `（当时在运行测试“${m[1]}”）` };
}

export const PHRASES: readonly Phrase[] = [
  // ----------------------------------------------------------------- steps (stack/testing/steps.ts)
  p(['${}  ${}'], /^(t=-?[\d.]+ ms)  ([\s\S]*)$/, (m, tr) => `${m[1]}  ${tr(m[2])}`, 't=10 ms  host sends nothing until 999 ms'),

  p(
    ["recent segments (packetdrill notation, numbers relative to each side's ISN):"],
    /^recent segments \(packetdrill notation, numbers relative to each side's ISN\):$/,
    () => '最近的报文段（packetdrill 记法，序列号相对于各自一方的 ISN）：',
    "recent segments (packetdrill notation, numbers relative to each side's ISN):",
  ),

  // ----------------------------------------------------------------- what the learner's code did (labs/kit/runner.ts)
  p(['not implemented yet: ${}'], /^not implemented yet: ([\s\S]+)$/, (m) => `尚未实现：${m[1]}`, 'not implemented yet: handshake/1: Choose the initial sequence number (RFC 6528)'),
  p(
    ['your code threw ${}: ${}${}', ' (${})', 'at ${}:${}', 'an error'],
    /^your code threw (an error|[\w$.]+): ([\s\S]*?)(?: \(at ([\w.-]+:\d+)\))?$/,
    (m, tr) => `你的代码抛出了${m[1] === 'an error' ? '一个错误' : ` ${m[1]}`}：${tr(m[2])}${m[3] ? `（位于 ${m[3]}）` : ''}`,
    "your code threw TypeError: Cannot read properties of undefined (reading 'seq') (at handshake.ts:151)",
  ),
  p(['your code threw something that cannot be described (reading it threw again)'], /^your code threw something that cannot be described \(reading it threw again\)$/, () => '你的代码抛出了一个无法描述的值（读取它时又抛出了异常）', 'your code threw something that cannot be described (reading it threw again)'),
  p(['your code threw ${}'], /^your code threw ([\s\S]+)$/, (m) => `你的代码抛出了 ${m[1]}`, 'your code threw 42'),
  p(['suite "${}" of lab ${} registered no tests'], /^suite "(\w+)" of lab ([\w-]+) registered no tests$/, (m) => `实验 ${m[2]} 的${SUITE_ZH[m[1]] ?? ` ${m[1]} `}测试集没有注册任何测试`, 'suite "hidden" of lab handshake registered no tests'),
  p(
    ['your ${}.ts no longer exports the function ${}() — the rest of the stack calls it; put it back with its original signature'],
    /^your ([\w.-]+)\.ts no longer exports the function (\w+)\(\) — the rest of the stack calls it; put it back with its original signature$/,
    (m) => `你的 ${m[1]}.ts 不再导出函数 ${m[2]}()——协议栈的其余部分要调用它；请按原来的签名把它加回去`,
    'your handshake.ts no longer exports the function chooseIss() — the rest of the stack calls it; put it back with its original signature',
  ),

  // ----------------------------------------------------------------- runaway tests (labs/kit/context.ts)
  p(
    ['your code ran ${} events in a row at t=${} without the virtual clock moving${} — does a timer re-arm itself with no delay (a delay of 0, or a condition that stays true at the boundary)?', ', the last of them the ${}', '"${}" ${}', '${} s'],
    /^your code ran ([\d,]+) events in a row at t=([\d.]+ s) without the virtual clock moving(?:, the last of them the (.+?))? — does a timer re-arm itself with no delay \(a delay of 0, or a condition that stays true at the boundary\)\?$/,
    (m) => `你的代码在 t=${m[2]} 连续运行了 ${m[1]} 个事件，虚拟时钟却一直没有前进${m[3] ? `，最后一个是${eventZh(m[3])}` : ''}——是不是有定时器以零延迟重新启动了自己（延迟为 0，或者某个条件在边界上一直成立）？`,
    'your code ran 2,000 events in a row at t=1.000 s without the virtual clock moving, the last of them the "retransmit" timer — does a timer re-arm itself with no delay (a delay of 0, or a condition that stays true at the boundary)?',
  ),
  p(
    ['your code ran more than ${} events in one test (stopped at t=${}${}) — does a timer re-arm itself too soon, or a segment trigger itself forever?', ', at the ${}'],
    /^your code ran more than ([\d,]+) events in one test \(stopped at t=([\d.]+ s)(?:, at the (.+?))?\) — does a timer re-arm itself too soon, or a segment trigger itself forever\?$/,
    (m) => `你的代码在一个测试里运行了超过 ${m[1]} 个事件（停在 t=${m[2]}${m[3] ? `，${eventZh(m[3])}处` : ''}）——是不是有定时器过早地重新启动了自己，或者某个报文段在不停地触发自己？`,
    'your code ran more than 200,000 events in one test (stopped at t=12.000 s, at the "syn-flood" event) — does a timer re-arm itself too soon, or a segment trigger itself forever?',
  ),
  p(
    ['fixture ready: ${} (the steps above ran the reference code; from here on your code runs)'],
    /^fixture ready: ([\s\S]+) \(the steps above ran the reference code; from here on your code runs\)$/,
    (m) => `夹具就绪：${m[1]}（以上步骤运行的是参考代码；从这里开始运行你的代码）`,
    'fixture ready: client in SYN_SENT (the steps above ran the reference code; from here on your code runs)',
  ),
  p(['${} (reference code)'], /^([\s\S]+) \(reference code\)$/, (m) => `${m[1]}（参考代码）`, 'arm the keepalive timer (reference code)'),

  // ----------------------------------------------------------------- the peer harness (stack/testing/harness.ts)
  p(['peer → host: ${}', '${} raw bytes'], /^peer → host: ([\s\S]*)$/, (m) => `对端 → 主机：${m[1].replace(/^(\d+) raw bytes$/, '$1 字节原始数据')}`, 'peer → host: 20 raw bytes'),
  p(['host → peer: ${}'], /^host → peer: ([\s\S]*)$/, (m) => `主机 → 对端：${m[1]}`, 'host → peer: S. 0:0(0) ack 1 win 64240 <mss 1460>'),
  p(['host sends ${}'], /^host sends (?!nothing until)(.+)$/, (m, tr) => `主机发送${tr(m[1])}`, 'host sends a SYN-ACK acknowledging peer ISN+1 = 1001'),
  p(
    ['a segment', 'acknowledging ${}', 'with seq ${}', 'carrying ${} bytes', 'with window ${}', 'peer ISN${}${} = ${}', 'host ISN${}${} = ${}'],
    DESCRIBE_MATCH,
    (m) => describeMatchZh(m),
    'a SYN-ACK acknowledging peer ISN+1 = 1001 with seq host ISN+0 = 5000 carrying 0 bytes with window 65535',
  ),
  p(['segment with no flags'], /^segment with no flags$/, () => '不带任何标志的报文段', 'segment with no flags'),
  p(['segment with flags ${}'], /^segment with flags (\S+)$/, (m) => `带 ${m[1]} 标志的报文段`, 'segment with flags FP'),
  p(
    ['expected ${} at ${} ms, but the host sent ${} earlier, at ${} ms${}', ' (wanted: ${})', '${} (${})'],
    /^expected (.+?) at ([\d.]+) ms, but the host sent (an? [\s\S]+?|an undecodable packet) earlier, at ([\d.]+) ms((?: \(wanted: [\s\S]*\))?)$/,
    (m, tr) => `期望主机在 ${m[2]} ms 发送${tr(m[1])}，但它更早（${m[4]} ms）就发送了${tr(m[3])}${wantedZh(m[5], tr)}`,
    'expected a SYN-ACK acknowledging peer ISN+1 = 1001 at 1000 ms, but the host sent a RST (R 0:0(0) win 0) earlier, at 10 ms (wanted: SYN-ACK retransmission at 1000 ms)',
  ),
  p(
    ['expected ${} at ${} ms, but the host sent nothing${}'],
    /^expected (.+?) at ([\d.]+) ms, but the host sent nothing((?: \(wanted: [\s\S]*\))?)$/,
    (m, tr) => `期望主机在 ${m[2]} ms 发送${tr(m[1])}，但它什么也没有发送${wantedZh(m[3], tr)}`,
    'expected an ACK acknowledging peer ISN+1 = 1001 with seq host ISN+1 = 5001 at 10 ms, but the host sent nothing (wanted: the third segment of the handshake)',
  ),
  p(
    ['expected ${} at ${} ms, but the host sent ${} bytes that do not decode as IPv4+TCP'],
    /^expected (.+?) at ([\d.]+) ms, but the host sent (\d+) bytes that do not decode as IPv4\+TCP$/,
    (m, tr) => `期望主机在 ${m[2]} ms 发送${tr(m[1])}，但它发送的 ${m[3]} 字节无法解码为 IPv4+TCP`,
    'expected a SYN at 0 ms, but the host sent 12 bytes that do not decode as IPv4+TCP',
  ),
  p(
    ['expected ${} at ${} ms, but ${}${}'],
    /^expected (.+?) at ([\d.]+) ms, but (it [\s\S]+?|its [\s\S]+?)((?: \(wanted: [\s\S]*\))?)$/,
    (m, tr) => `期望主机在 ${m[2]} ms 发送${tr(m[1])}，但${m[3].split('; and ').map(tr).join('；并且')}${wantedZh(m[4], tr)}`,
    'expected a RST with seq host ISN+0 = 5000 at 10 ms, but it was an ACK (.), not R; and its sequence number was host ISN+1 = 5001 (wanted: RST <SEQ=SEG.ACK>)',
  ),
  p(['an undecodable packet'], /^an undecodable packet$/, () => '一个无法解码的数据包', 'an undecodable packet'),
  p(['${} undecodable bytes'], /^(\d+) undecodable bytes$/, (m) => `${m[1]} 字节无法解码的数据`, '12 undecodable bytes'),
  // describeCaptured: "a RST (R 0:0(0) win 0)"
  p(['${} (${})'], /^(an? (?:segment with no flags|segment with flags \S+|[A-Z]+(?:-[A-Z]+)?)) \(([\s\S]*)\)$/, (m) => `${segmentName(m[1])}（${m[2]}）`, 'a FIN-ACK (F. 1:1(0) ack 1 win 502)'),
  p(['it was ${} (${}), not ${}'], /^it was (an? .+?) \(([^()]*)\), not (\S+)$/, (m) => `它是${segmentName(m[1])}（${m[2]}），而不是 ${m[3]}`, 'it was an ACK (.), not S.'),
  p(['it carried no ACK flag, so it acknowledged nothing'], /^it carried no ACK flag, so it acknowledged nothing$/, () => '它没有带 ACK 标志，所以什么也没有确认', 'it carried no ACK flag, so it acknowledged nothing'),
  p(['it acknowledged ${}'], /^it acknowledged (.+)$/, (m) => `它确认的是${isnText(m[1])}`, 'it acknowledged peer ISN+0 = 1000'),
  p(['its sequence number was ${}'], /^its sequence number was (.+)$/, (m) => `它的序列号是${isnText(m[1])}`, 'its sequence number was host ISN+1 = 5001'),
  p(['it advertised window ${} instead of ${}'], /^it advertised window (\d+) instead of (\d+)$/, (m) => `它通告的窗口是 ${m[1]}，而不是 ${m[2]}`, 'it advertised window 0 instead of 64240'),
  p(['it carried ${} bytes of data instead of ${}'], /^it carried (\d+) bytes of data instead of (\d+)$/, (m) => `它携带了 ${m[1]} 字节数据，而不是 ${m[2]} 字节`, 'it carried 0 bytes of data instead of 5'),
  p(['its data differs from what was expected'], /^its data differs from what was expected$/, () => '它携带的数据和期望的不一样', 'its data differs from what was expected'),
  p(['it went to port ${} instead of ${}'], /^it went to port (\d+) instead of (\d+)$/, (m) => `它发往端口 ${m[1]}，而不是 ${m[2]}`, 'it went to port 81 instead of 80'),
  p(
    ['its options were ${} instead of ${}', 'no options'],
    /^its options were ([\s\S]+?) instead of ([\s\S]+)$/,
    (m) => `它的选项是 ${m[1] === 'no options' ? '（无选项）' : m[1]}，而不是 ${m[2] === 'no options' ? '（无选项）' : m[2]}`,
    'its options were <mss 1460> instead of no options',
  ),
  p(['no segment'], /^no segment$/, () => '没有报文段', 'no segment'),
  p(['host sends nothing until ${} ms'], /^host sends nothing until ([\d.]+) ms$/, (m) => `主机在 ${m[1]} ms 之前什么也不发送`, 'host sends nothing until 999 ms'),
  p(
    ['expected the host to send nothing until ${} ms, but it sent ${} at ${} ms'],
    /^expected the host to send nothing until ([\d.]+) ms, but it sent ([\s\S]+) at ([\d.]+) ms$/,
    (m, tr) => `期望主机在 ${m[1]} ms 之前什么也不发送，但它在 ${m[3]} ms 发送了${tr(m[2])}`,
    'expected the host to send nothing until 999 ms, but it sent a SYN (S 0:0(0) win 64240 <mss 1460>) at 500 ms',
  ),
  p(['nothing until ${}'], /^nothing until (t=[\d.]+ ms)$/, (m) => `直到 ${m[1]} 都没有报文段`, 'nothing until t=999 ms'),
  p(['the connection is in ${}'], /^the connection is in ([A-Z_0-9]+)$/, (m) => `连接处于${stateZh(m[1])}`, 'the connection is in ESTABLISHED'),
  p(['${} is in ${}'], /^(\S+>\S+) is in ([A-Z_0-9]+)$/, (m) => `${m[1]} 处于${stateZh(m[2])}`, '10.0.0.2:40000>10.0.0.1:80 is in SYN_SENT'),
  p(
    ['expected the connection to be in ${}, but it is in ${}'],
    /^expected the connection to be in ([A-Z_0-9]+), but it is in ([A-Z_0-9]+)$/,
    (m) => `期望连接处于${stateZh(m[1])}，但它处于${stateZh(m[2])}`,
    'expected the connection to be in ESTABLISHED, but it is in SYN_SENT',
  ),
  p(['expected ${} to be ${}, but it was ${}'], /^expected (.+?) to be (.+?), but it was (.+)$/, (m) => `期望 ${m[1]} 为 ${m[2]}，但实际是 ${m[3]}`, 'expected RCV.NXT to be 1001, but it was 1000'),
  p(['the stack runs without exceptions'], /^the stack runs without exceptions$/, () => '协议栈运行时不抛出异常', 'the stack runs without exceptions'),
  p(
    ['the stack stopped in unfinished code (${}) during ${} at ${} ms'],
    /^the stack stopped in unfinished code \(([\s\S]+)\) during (segment arrival|SYN-ACK timer|[\w-]+ timer|scheduled action) at ([\d.]+) ms$/,
    (m, tr) => `协议栈在 ${m[3]} ms 处理${where(m[2])}时停在了尚未完成的代码里（${tr(m[1])}）`,
    'the stack stopped in unfinished code (not implemented yet: handshake/2: Process a segment in SYN-SENT) during segment arrival at 10 ms',
  ),
  p(
    ['the stack threw "${}" during ${} at ${} ms', 'segment arrival', 'SYN-ACK timer', '${} timer', 'scheduled action'],
    /^the stack threw "([\s\S]*)" during (segment arrival|SYN-ACK timer|[\w-]+ timer|scheduled action|.+?) at ([\d.]+) ms$/,
    (m) => `协议栈在 ${m[3]} ms 处理${where(m[2])}时抛出了异常“${m[1]}”`,
    'the stack threw "conn.tcb is undefined" during retransmit timer at 1000 ms',
  ),
  p(
    ['the stack stopped in unfinished code (${}) during ${}'],
    /^the stack stopped in unfinished code \(([\s\S]+)\) during ([\s\S]+)$/,
    (m, tr) => `协议栈在执行 ${m[2]} 时停在了尚未完成的代码里（${tr(m[1])}）`,
    'the stack stopped in unfinished code (not implemented yet: handshake/1: Choose the initial sequence number (RFC 6528)) during connect() to peer:80',
  ),
  p(['${} threw "${}"'], /^([\s\S]+?) threw "([\s\S]*)"$/, (m, tr) => `${m[1]} 抛出了异常“${tr(m[2])}”`, 'close(4) threw "fd 4 is not open"'),
  // A whole failure report, quoted when a step's action failed an expectation of its own: its
  // first line says what failed; its steps are the ones the panel lists already.
  p(
    ['step ${} failed (${}): ${}'],
    /^step (\d+) failed \((t=[\d.]+ ms)\): ([^\n]*)\n[\s\S]*$/,
    (m, tr) => `第 ${m[1]} 步失败（${m[2]}）：${tr(m[3])}`,
    "step 7 failed (t=0 ms): the stack runs without exceptions\n\nSteps that ran:\n   1. do:     t=0 ms  socket()\n\nseed: 1",
  ),

  // ----------------------------------------------------------------- fixtures and placed states (stack/testing/fixtures.ts, placed.ts)
  p(
    ['host ACKs the FIN at once (no data received yet, so no delayed ACK)'],
    /^host ACKs the FIN at once \(no data received yet, so no delayed ACK\)$/,
    () => '主机立即用 ACK 确认 FIN（还没有收到数据，所以不做延迟确认）',
    'host ACKs the FIN at once (no data received yet, so no delayed ACK)',
  ),
  p(['${} failed with ${}'], /^(\S+\(\)) failed with (\w+)$/, (m) => `${m[1]} 失败，错误为 ${m[2]}`, 'bind() failed with EADDRINUSE'),
  p(['connect() has returned 0'], /^connect\(\) has returned 0$/, () => 'connect() 已返回 0', 'connect() has returned 0'),
  p(
    ['expected connect() to return 0 when the SYN-ACK arrived, but it ${}', 'failed with ${}', 'is still blocked'],
    /^expected connect\(\) to return 0 when the SYN-ACK arrived, but it (failed with (\S+)|is still blocked)$/,
    (m) => `期望 SYN-ACK 到达时 connect() 返回 0，但它${m[2] !== undefined ? `失败了，错误为 ${m[2]}` : '仍然阻塞着'}`,
    'expected connect() to return 0 when the SYN-ACK arrived, but it is still blocked',
  ),
  p(['accept() has returned a descriptor'], /^accept\(\) has returned a descriptor$/, () => 'accept() 已返回一个描述符', 'accept() has returned a descriptor'),
  p(
    ['expected accept() to return once the final ACK arrived, but it ${}', 'failed'],
    /^expected accept\(\) to return once the final ACK arrived, but it (failed|is still blocked)$/,
    (m) => `期望最后一个 ACK 到达后 accept() 返回，但它${m[1] === 'failed' ? '失败了' : '仍然阻塞着'}`,
    'expected accept() to return once the final ACK arrived, but it failed',
  ),
  p(['a request sock is on the SYN queue'], /^a request sock is on the SYN queue$/, () => '半连接队列里有一个请求套接字', 'a request sock is on the SYN queue'),
  p(
    ['expected a request sock in SYN_RECV after the SYN-ACK, but the host keeps none'],
    /^expected a request sock in SYN_RECV after the SYN-ACK, but the host keeps none$/,
    () => `期望发出 SYN-ACK 之后有一个处于${stateZh('SYN_RECV')}的请求套接字，但主机一个也没有保留`,
    'expected a request sock in SYN_RECV after the SYN-ACK, but the host keeps none',
  ),
  p(
    ['placed a listener on port ${} (backlog ${}) as fd ${}'],
    /^placed a listener on port (\d+) \(backlog (\d+)\) as fd (\d+)$/,
    (m) => `直接放置了一个监听套接字：端口 ${m[1]}，backlog ${m[2]}，描述符 ${m[3]}`,
    'placed a listener on port 80 (backlog 4) as fd 3',
  ),
  p(
    ['placed a request sock (SYN_RECV) for peer port ${}: host ISS ${}'],
    /^placed a request sock \(SYN_RECV\) for peer port (\d+): host ISS (\d+)$/,
    (m) => `为对端端口 ${m[1]} 直接放置了一个请求套接字（SYN_RECV）：主机 ISS ${m[2]}`,
    'placed a request sock (SYN_RECV) for peer port 40001: host ISS 5000',
  ),
  p(
    ['placed an ESTABLISHED child for peer port ${} in the accept queue'],
    /^placed an ESTABLISHED child for peer port (\d+) in the accept queue$/,
    (m) => `在全连接队列里为对端端口 ${m[1]} 直接放置了一个 ESTABLISHED 的子连接`,
    'placed an ESTABLISHED child for peer port 40002 in the accept queue',
  ),
  p(
    ['placed a connection in ${}: host ISS ${}, peer ISS ${}${}', ', fd ${}', ' (orphaned: no descriptor)'],
    /^placed a connection in ([A-Z_0-9]+): host ISS (\d+), peer ISS (\d+)(?:, fd (\d+)| \(orphaned: no descriptor\))$/,
    (m) => `直接放置了一个处于${stateZh(m[1])}的连接：主机 ISS ${m[2]}，对端 ISS ${m[3]}${m[4] !== undefined ? `，描述符 ${m[4]}` : '（孤儿连接：没有描述符）'}`,
    'placed a connection in FIN_WAIT_2: host ISS 5000, peer ISS 1000 (orphaned: no descriptor)',
  ),

  // ----------------------------------------------------------------- scoring and document checks (labs/kit/results.ts)
  p(
    ['${} behaviour tests earn their share when they pass; the ${} guard tests (something must be rejected or stay silent) earn theirs only as far as the behaviour tests pass — ${}% here — because doing nothing passes them too.'],
    /^(\d+) behaviour tests earn their share when they pass; the (\d+) guard tests \(something must be rejected or stay silent\) earn theirs only as far as the behaviour tests pass — (\d+)% here — because doing nothing passes them too\.$/,
    (m) => `${m[1]} 个行为测试各自通过即得分；${m[2]} 个守卫测试（检查某些东西必须被拒绝或保持沉默）只按行为测试的通过比例得分——这里是 ${m[3]}%——因为什么都不做也能通过它们。`,
    '4 behaviour tests earn their share when they pass; the 2 guard tests (something must be rejected or stay silent) earn theirs only as far as the behaviour tests pass — 50% here — because doing nothing passes them too.',
  ),
  p(['the runner did not return a JSON object'], /^the runner did not return a JSON object$/, () => '运行器返回的不是 JSON 对象', 'the runner did not return a JSON object'),
  p(
    [
      'version must be 1', 'lab must be a string', 'suite must be visible or hidden', 'status must be pass, fail or error', 'seed must be a number', 'score must be {points, max}',
      'tasks must be a list', 'tests must be a list', 'tests[${}] must be an object', 'tests[${}].name must be a string', 'tests[${}].task_id must be a number',
      'tests[${}].status must be pass, fail or error', 'tests[${}].message must say why it failed', 'tests[${}].steps must be a list', 'tests[${}].trace_ref must name an entry of traces',
      'traces must be a mapping', 'message must be null or a string',
    ],
    new RegExp(`^([\\w\\[\\].]+) must (${Object.keys(DOCUMENT_RULES).map((k) => k.replace(/[{}]/g, '\\$&')).join('|')})$`),
    (m) => `${m[1]} ${DOCUMENT_RULES[m[2]]}`,
    'tests[3].message must say why it failed',
  ),

  // ----------------------------------------------------------------- lab regions damaged in the learner's file (labs/kit/regions.ts)
  p(
    ['${}:${}: ${}', 'malformed lab region "${}": write "// #region lab <slug>/<task> <title>", e.g. "// #region lab handshake/1 Choose the ISN"'],
    /^(\S+:\d+): malformed lab region "([\s\S]*)": write "\/\/ #region lab <slug>\/<task> <title>", e\.g\. "\/\/ #region lab handshake\/1 Choose the ISN"$/,
    (m) => `${m[1]}：实验区域标记“${m[2]}”格式不对，应写作“// #region lab <slug>/<task> <title>”，例如“// #region lab handshake/1 Choose the ISN”`,
    'stack/core/tcp/handshake.ts:36: malformed lab region "// #region lab handshake": write "// #region lab <slug>/<task> <title>", e.g. "// #region lab handshake/1 Choose the ISN"',
  ),
  p(
    ['a region opens inside lab region ${}/${} (line ${}); close that one first with "// #endregion"'],
    /^(\S+:\d+): a region opens inside lab region ([\w-]+\/\d+) \(line (\d+)\); close that one first with "\/\/ #endregion"$/,
    (m) => `${m[1]}：在实验区域 ${m[2]}（第 ${m[3]} 行）里面又开了一个区域；请先用“// #endregion”把前一个关上`,
    'stack/core/tcp/handshake.ts:50: a region opens inside lab region handshake/1 (line 36); close that one first with "// #endregion"',
  ),
  p(
    ['"// #endregion" without a "// #region" before it'],
    /^(\S+:\d+): "\/\/ #endregion" without a "\/\/ #region" before it$/,
    (m) => `${m[1]}：“// #endregion”前面没有对应的“// #region”`,
    'stack/core/tcp/handshake.ts:60: "// #endregion" without a "// #region" before it',
  ),
  p(
    ['lab region ${}/${} "${}" is never closed with "// #endregion"'],
    /^(\S+:\d+): lab region ([\w-]+\/\d+) "([\s\S]*)" is never closed with "\/\/ #endregion"$/,
    (m) => `${m[1]}：实验区域 ${m[2]}“${m[3]}”一直没有用“// #endregion”关上`,
    'stack/core/tcp/handshake.ts:36: lab region handshake/1 "Choose the ISN" is never closed with "// #endregion"',
  ),

  // ----------------------------------------------------------------- the course server's sandbox (labs/kit/node)
  p(["grading was cancelled: the learner's page went away before the result"], /^grading was cancelled: the learner's page went away before the result$/, () => '评分已取消：结果出来之前学习者的页面就关闭了', "grading was cancelled: the learner's page went away before the result"),
  p(['no learner copy of ${} was given'], /^no learner copy of (\S+) was given$/, (m) => `没有收到 ${m[1]} 的学习者副本`, 'no learner copy of stack/core/tcp/handshake.ts was given'),
  p(
    ['your code imports something it may not: ${}', '"${}" is not a module of the stack core: your file may import only files under stack/core/ that exist', '"import … = require()" is not available: use an ES import', 'dynamic import() is not allowed in lab code: import what you need at the top of the file', '… and ${} more'],
    /^your code imports something it may not: ([\s\S]+)$/,
    (m) => `你的代码导入了不允许导入的东西：${m[1].split('; ').map((item) => item
      .replace(/"([^"]+)" is not a module of the stack core: your file may import only files under stack\/core\/ that exist$/, '“$1”不是协议栈核心的模块：你的文件只能导入 stack/core/ 下确实存在的文件')
      .replace(/"import … = require\(\)" is not available: use an ES import$/, '不能使用“import … = require()”：请用 ES import')
      .replace(/dynamic import\(\) is not allowed in lab code: import what you need at the top of the file$/, '实验代码里不允许动态 import()：请在文件开头导入需要的东西')
      .replace(/^… and (\d+) more$/, '……另有 $1 处')).join('；')}`,
    'your code imports something it may not: handshake.ts:3:1 "node:fs" is not a module of the stack core: your file may import only files under stack/core/ that exist',
  ),
  p(['your code does not compile: ${}'], /^your code does not compile: ([\s\S]+)$/, (m) => `你的代码无法编译：${m[1]}`, "your code does not compile: handshake.ts:40:3 Cannot find name 'isnClok'."),
  p(
    ['the sandbox did not start within ${} s — the machine may be overloaded; try again'],
    /^the sandbox did not start within (\d+) s — the machine may be overloaded; try again$/,
    (m) => `沙箱在 ${m[1]} 秒内没有启动——机器可能负载过高，请再试一次`,
    'the sandbox did not start within 30 s — the machine may be overloaded; try again',
  ),
  p(['the sandbox could not start: ${}', 'no reason given'], /^the sandbox could not start: ([\s\S]+)$/, (m) => `沙箱无法启动：${m[1] === 'no reason given' ? '没有给出原因' : m[1]}`, 'the sandbox could not start: no reason given'),
  p(
    ['your code ran for more than ${} s — is there an infinite loop?${}', ' (it was running the test "${}")'],
    /^your code ran for more than ([\d.]+) s — is there an infinite loop\?((?: \(it was running the test "[^"]*"\))?)$/,
    (m) => `你的代码运行了超过 ${m[1]} 秒——是不是有死循环？${inTestZh(m[2]).test}`,
    'your code ran for more than 10 s — is there an infinite loop? (it was running the test "the SYN is retransmitted after 1 s")',
  ),
  p(['your code could not be loaded: ${}'], /^your code could not be loaded: ([\s\S]+)$/, (m, tr) => `你的代码无法加载：${tr(m[1])}`, 'your code could not be loaded: the run could not start: out of memory'),
  p(['the test suite could not be loaded: ${}'], /^the test suite could not be loaded: ([\s\S]+)$/, (m, tr) => `测试集无法加载：${tr(m[1])}`, 'the test suite could not be loaded: not implemented yet: handshake/1: Choose the ISN'),
  p(['the run could not start: ${}'], /^the run could not start: ([\s\S]+)$/, (m, tr) => `这次运行无法开始：${tr(m[1])}`, 'the run could not start: out of memory'),
  p(
    ['your code tried to change a built-in JavaScript object (${}); built-ins are frozen while grading, because the grader uses them too — lab code may read them but not replace or extend them (${})'],
    /^your code tried to change a built-in JavaScript object \(([^)]*)\); built-ins are frozen while grading, because the grader uses them too — lab code may read them but not replace or extend them \(([\s\S]*)\)$/,
    (m) => `你的代码试图修改 JavaScript 的内置对象（${m[1]}）；评分时内置对象是冻结的，因为评分程序自己也要用它们——实验代码可以读取它们，但不能替换或扩展（${m[2]}）`,
    "your code tried to change a built-in JavaScript object (Math.random); built-ins are frozen while grading, because the grader uses them too — lab code may read them but not replace or extend them (Cannot assign to read only property 'random' of object '[object Math]')",
  ),
  p(
    ['your code contains something the grader does not run: ${} — lab code may not use import(), eval() or "<!--"/"-->"'],
    /^your code contains something the grader does not run: ([\s\S]*) — lab code may not use import\(\), eval\(\) or "<!--"\/"-->"$/,
    (m) => `你的代码里有评分程序不会运行的内容：${m[1]}——实验代码不能使用 import()、eval() 或“<!--”/“-->”`,
    'your code contains something the grader does not run: Possible direct eval expression rejected — lab code may not use import(), eval() or "<!--"/"-->"',
  ),
  p(['lab code may not import "${}": the stack core runs without Node APIs'], /^lab code may not import "([^"]+)": the stack core runs without Node APIs$/, (m) => `实验代码不能导入“${m[1]}”：协议栈核心在没有 Node API 的环境里运行`, 'lab code may not import "node:fs": the stack core runs without Node APIs'),
  p(
    ['lab code may read what ${} exports but not change it (it tried to change "${}")'],
    /^lab code may read what (\S+) exports but not change it \(it tried to change "([^"]*)"\)$/,
    (m) => `实验代码可以读取 ${m[1]} 导出的内容，但不能修改（它试图修改“${m[2]}”）`,
    'lab code may read what stack/core/tcp/connection.ts exports but not change it (it tried to change "ADV_MSS")',
  ),
  p(['lab code may not import "${}": only modules of the stack core'], /^lab code may not import "([^"]+)": only modules of the stack core$/, (m) => `实验代码不能导入“${m[1]}”：只能导入协议栈核心的模块`, 'lab code may not import "../../../labs/kit/index.ts": only modules of the stack core'),
  p(['${} is not a file of this lab'], /^(\S+) is not a file of this lab$/, (m) => `${m[1]} 不是这个实验的文件`, 'stack/core/tcp/input.ts is not a file of this lab'),
  p(
    ['your code used more memory than it may (${} MB of objects, ${} MB in all)${} — is something growing without bound?', ' (in the test "${}")'],
    /^your code used more memory than it may \((\d+) MB of objects, (\d+) MB in all\)((?: \(in the test "[^"]*"\))?) — is something growing without bound\?$/,
    (m) => `你的代码用的内存超出了上限（对象 ${m[1]} MB，总共 ${m[2]} MB）${inTestZh(m[3]).test}——是不是有什么东西在无限增长？`,
    'your code used more memory than it may (256 MB of objects, 4096 MB in all) (in the test "a SYN flood fills the SYN queue") — is something growing without bound?',
  ),
  p(
    ['your code ${}${} — is console.log in a loop?', 'it printed more than ${} MB'],
    /^your code printed more than ([\d.]+) MB((?: \(in the test "[^"]*"\))?) — is console\.log in a loop\?$/,
    (m) => `你的代码输出了超过 ${m[1]} MB 的内容${inTestZh(m[2]).test}——是不是在循环里调用了 console.log？`,
    'your code printed more than 1 MB — is console.log in a loop?',
  ),
  p(
    ['the grading process ran out of CPU time${} — try again'],
    /^the grading process ran out of CPU time((?: \(in the test "[^"]*"\))?) — try again$/,
    (m) => `评分进程的 CPU 时间用完了${inTestZh(m[1]).test}——请再试一次`,
    'the grading process ran out of CPU time (in the test "keepalive probes stop after tcp_keepalive_probes") — try again',
  ),
  p(
    ['the test run stopped without a result (${})${}${}', ' during the test "${}"', ': ${}', 'no result'],
    /^the test run stopped without a result \(([^)]*)\)(?: during the test "([^"]*)")?(?:: ([\s\S]*))?$/,
    (m) => `测试运行没有给出结果就停止了（${m[1] === 'no result' ? '没有结果' : m[1]}）${m[2] !== undefined ? `，当时在运行测试“${m[2]}”` : ''}${m[3] !== undefined ? `：${m[3]}` : ''}`,
    'the test run stopped without a result (no result) during the test "the final ACK completes the passive open"',
  ),
  p(['the test run returned a malformed result (${})'], /^the test run returned a malformed result \(([\s\S]*)\)$/, (m, tr) => `测试运行返回的结果格式不对（${m[1].split('; ').map(tr).join('；')}）`, 'the test run returned a malformed result (version must be 1)'),
  p(['the test run returned a result for another run'], /^the test run returned a result for another run$/, () => '测试运行返回的是另一次运行的结果', 'the test run returned a result for another run'),
  p(
    ['the type check of your code took more than ${} s — are some types very deeply nested or recursive?'],
    /^the type check of your code took more than (\d+) s — are some types very deeply nested or recursive\?$/,
    (m) => `对你的代码做类型检查用了超过 ${m[1]} 秒——是不是有些类型嵌套得很深或者是递归的？`,
    'the type check of your code took more than 20 s — are some types very deeply nested or recursive?',
  ),
  p(['the type check of your code ran out of memory — are some types very large?'], /^the type check of your code ran out of memory — are some types very large\?$/, () => '对你的代码做类型检查时内存耗尽了——是不是有些类型非常大？', 'the type check of your code ran out of memory — are some types very large?'),
  p(['the type checker stopped: ${}'], /^the type checker stopped: ([\s\S]+)$/, (m) => `类型检查器停止了：${m[1]}`, 'the type checker stopped: worker exited'),

  // ----------------------------------------------------------------- the course server's refusals (site/server), as the page passes them on
  p(
    ['the solution opens once Submit passes every hidden test; your files score ${}/${}'],
    /^the solution opens once Submit passes every hidden test; your files score ([\d.]+)\/(\d+)$/,
    (m) => `提交通过全部隐藏测试后才能查看参考答案；你的文件得分 ${m[1]}/${m[2]}`,
    'the solution opens once Submit passes every hidden test; your files score 40/100',
  ),
  p(['this server was started with grading off'], /^this server was started with grading off$/, () => '这个服务器启动时关闭了评分', 'this server was started with grading off'),
  p(["this workshop server needs the join token the instructor's terminal shows"], /^this workshop server needs the join token the instructor's terminal shows$/, () => '这个工作坊服务器需要讲师终端上显示的加入口令', "this workshop server needs the join token the instructor's terminal shows"),
  p(['too many wrong join tokens from this machine; try again in ${} s'], /^too many wrong join tokens from this machine; try again in (\d+) s$/, (m) => `这台机器输错加入口令的次数太多了；请 ${m[1]} 秒后再试`, 'too many wrong join tokens from this machine; try again in 60 s'),

  // ----------------------------------------------------------------- the page's own runners (site/lib/workbench)
  p(['The runner failed: ${}'], /^The runner failed: ([\s\S]+)$/, (m, tr) => `运行器出错了：${tr(m[1])}`, 'The runner failed: Failed to fetch'),
  p(
    ['The runner returned something that is not a results document: ${}.'],
    /^The runner returned something that is not a results document: ([\s\S]+)\.$/,
    (m, tr) => `运行器返回的不是结果文档：${m[1].split('; ').map(tr).join('；')}。`,
    'The runner returned something that is not a results document: version must be 1; tests must be a list.',
  ),
  p(['${} did not finish within ${} s'], /^(the course server|the course server check|WebContainer boot|the test run) did not finish within (\d+) s$/, (m) => `${({ 'the course server': '课程服务器', 'the course server check': '检查课程服务器', 'WebContainer boot': 'WebContainer 启动', 'the test run': '测试运行' } as Record<string, string>)[m[1]]}没有在 ${m[2]} 秒内完成`, 'WebContainer boot did not finish within 20 s'),
  p(
    ['your tests run in this browser as practice, not grading: a score here is not checked by anyone, and the hidden tests and solutions are readable from this site'],
    /^your tests run in this browser as practice, not grading: a score here is not checked by anyone, and the hidden tests and solutions are readable from this site$/,
    () => '你的测试在这个浏览器里作为练习运行，而不是评分：这里的分数没有人核对，隐藏测试和参考答案也都能从这个网站读到',
    'your tests run in this browser as practice, not grading: a score here is not checked by anyone, and the hidden tests and solutions are readable from this site',
  ),
  p(['no course server answered (${})'], /^no course server answered \(([\s\S]*)\)$/, (m, tr) => `没有课程服务器应答（${tr(m[1])}）`, 'no course server answered (Failed to fetch)'),
  p(['${} answered HTTP ${}'], /^(\S+) answered HTTP (\d+)$/, (m) => `${m[1]} 返回了 HTTP ${m[2]}`, '/lab-data/runtime.json answered HTTP 404'),
  p(['${} is not JSON', '${} is not JSON.'], /^(\S+) is not JSON(\.?)$/, (m) => `${m[1]} 不是 JSON${m[2] ? '。' : ''}`, '/lab-data/runtime.json is not JSON'),
  p(['${} belongs to another application'], /^(\S+) belongs to another application$/, (m) => `${m[1]} 属于另一个应用`, '/lab-data/runtime.json belongs to another application'),
  p(
    ['this site is served without the course server (a static host or astro dev), so ${}'],
    /^this site is served without the course server \(a static host or astro dev\), so ([\s\S]+)$/,
    (m, tr) => `这个网站没有通过课程服务器提供（是静态托管或 astro dev），所以${tr(m[1])}`,
    'this site is served without the course server (a static host or astro dev), so your tests run in this browser as practice, not grading: a score here is not checked by anyone, and the hidden tests and solutions are readable from this site',
  ),
  p(
    ['the course server was started with grading off, so ${}'],
    /^the course server was started with grading off, so ([\s\S]+)$/,
    (m, tr) => `课程服务器启动时关闭了评分，所以${tr(m[1])}`,
    'the course server was started with grading off, so your tests run in this browser as practice, not grading: a score here is not checked by anyone, and the hidden tests and solutions are readable from this site',
  ),
  p(["Workshop mode: hidden tests stay on the instructor's machine."], /^Workshop mode: hidden tests stay on the instructor's machine\.$/, () => '工作坊模式：隐藏测试留在讲师的机器上。', "Workshop mode: hidden tests stay on the instructor's machine."),
  p(["Hidden tests stay on this machine's server."], /^Hidden tests stay on this machine's server\.$/, () => '隐藏测试留在这台机器的服务器上。', "Hidden tests stay on this machine's server."),
  p(['The course server needs the workshop join token your instructor printed.'], /^The course server needs the workshop join token your instructor printed\.$/, () => '课程服务器需要讲师打印出来的工作坊加入口令。', 'The course server needs the workshop join token your instructor printed.'),
  p(['The course server did not answer: ${}'], /^The course server did not answer: ([\s\S]+)$/, (m, tr) => `课程服务器没有应答：${tr(m[1])}`, 'The course server did not answer: the course server did not finish within 60 s'),
  p(
    ['The course server did not accept that join token; check it with your instructor — the next Run asks again.'],
    /^The course server did not accept that join token; check it with your instructor — the next Run asks again\.$/,
    () => '课程服务器不接受这个加入口令；请找讲师核对——下次运行时会再问一次。',
    'The course server did not accept that join token; check it with your instructor — the next Run asks again.',
  ),
  p(['The course server answered HTTP ${} without a results document.'], /^The course server answered HTTP (\d+) without a results document\.$/, (m) => `课程服务器返回了 HTTP ${m[1]}，但没有结果文档。`, 'The course server answered HTTP 502 without a results document.'),
  p(['The course server refused the run: ${}', 'HTTP ${}'], /^The course server refused the run: ([\s\S]+)$/, (m, tr) => `课程服务器拒绝了这次运行：${tr(m[1])}`, 'The course server refused the run: HTTP 500'),
  p(['the course server did not answer: ${}'], /^the course server did not answer: ([\s\S]+)$/, (m, tr) => `课程服务器没有应答：${tr(m[1])}`, 'the course server did not answer: Failed to fetch'),
  p(['the course server answered HTTP ${}'], /^the course server answered HTTP (\d+)$/, (m) => `课程服务器返回了 HTTP ${m[1]}`, 'the course server answered HTTP 500'),
  // ----------------------------------------------------------------- the terminal's sim on the course server
  // (labs/kit/sim.ts checks what crosses the sandbox's boundary; server-runner.ts says what the server answered)
  p(['the sim returned a malformed answer'], /^the sim returned a malformed answer$/, () => 'sim 返回的应答格式不对', 'the sim returned a malformed answer'),
  p(['the sim returned a malformed error'], /^the sim returned a malformed error$/, () => 'sim 返回的错误格式不对', 'the sim returned a malformed error'),
  p(['the sim returned malformed tables or trace'], /^the sim returned malformed tables or trace$/, () => 'sim 返回的表格或轨迹格式不对', 'the sim returned malformed tables or trace'),
  p(["the sim's capture is malformed"], /^the sim's capture is malformed$/, () => 'sim 的抓包数据格式不对', "the sim's capture is malformed"),
  p(['the pcap is not valid base64'], /^the pcap is not valid base64$/, () => 'pcap 数据不是有效的 base64', 'the pcap is not valid base64'),
  p(
    ["this sim's capture is larger than ${} MB; try a shorter run", "this sim's answer is larger than ${} MB; try a shorter run"],
    /^this sim's (capture|answer) is larger than ([\d.]+) MB; try a shorter run$/,
    (m) => `这次 sim 的${m[1] === 'capture' ? '抓包数据' : '应答'}超过了 ${m[2]} MB；换一个更短的运行试试`,
    "this sim's answer is larger than 16 MB; try a shorter run",
  ),
  p(['the course server refused the sim: ${}'], /^the course server refused the sim: ([\s\S]+)$/, (m, tr) => `课程服务器拒绝了这次 sim：${tr(m[1])}`, 'the course server refused the sim: HTTP 500'),
  p(["the course server's answer: ${}"], /^the course server's answer: ([\s\S]+)$/, (m, tr) => `课程服务器的应答：${tr(m[1])}`, "the course server's answer: the sim returned a malformed answer"),
  p(['the course server answered HTTP ${} without a sim'], /^the course server answered HTTP (\d+) without a sim$/, (m) => `课程服务器返回了 HTTP ${m[1]}，但没有 sim 的结果`, 'the course server answered HTTP 502 without a sim'),
  p(['the course server needs the workshop join token your instructor printed'], /^the course server needs the workshop join token your instructor printed$/, () => '课程服务器需要讲师打印出来的工作坊加入口令', 'the course server needs the workshop join token your instructor printed'),
  p(
    ['the course server did not accept that join token; check it with your instructor — the next command asks again'],
    /^the course server did not accept that join token; check it with your instructor — the next command asks again$/,
    () => '课程服务器不接受这个加入口令；请找讲师核对——下一条命令会再问一次',
    'the course server did not accept that join token; check it with your instructor — the next command asks again',
  ),
  p(['the worker stopped unexpectedly'], /^the worker stopped unexpectedly$/, () => 'worker 意外停止了', 'the worker stopped unexpectedly'),
  p(['the worker could not load the lab'], /^the worker could not load the lab$/, () => 'worker 无法加载这个实验', 'the worker could not load the lab'),
  p(
    ["The run took longer than ${} s and was stopped. Look for a loop that never ends in your code (the simulator's own clock cannot run away: the kit stops a test after too many events)."],
    /^The run took longer than ([\d.]+) s and was stopped\. Look for a loop that never ends in your code \(the simulator's own clock cannot run away: the kit stops a test after too many events\)\.$/,
    (m) => `这次运行超过了 ${m[1]} 秒，已被停止。请在你的代码里找一找永远不会结束的循环（模拟器自己的时钟不会失控：事件太多时测试工具会停止测试）。`,
    "The run took longer than 10 s and was stopped. Look for a loop that never ends in your code (the simulator's own clock cannot run away: the kit stops a test after too many events).",
  ),
  p(
    ['the run took longer than ${} s and was stopped — look for a loop that never ends in your code'],
    /^the run took longer than ([\d.]+) s and was stopped — look for a loop that never ends in your code$/,
    (m) => `这次运行超过了 ${m[1]} 秒，已被停止——请在你的代码里找一找永远不会结束的循环`,
    'the run took longer than 10 s and was stopped — look for a loop that never ends in your code',
  ),
  p(['the worker answered something else'], /^the worker answered something else$/, () => 'worker 的应答不是预期的内容', 'the worker answered something else'),
  p(['this browser has no Web Workers'], /^this browser has no Web Workers$/, () => '这个浏览器不支持 Web Worker', 'this browser has no Web Workers'),
  p(['this page is not cross-origin isolated (the server must send COOP/COEP headers)'], /^this page is not cross-origin isolated \(the server must send COOP\/COEP headers\)$/, () => '这个页面没有跨源隔离（服务器必须发送 COOP/COEP 响应头）', 'this page is not cross-origin isolated (the server must send COOP/COEP headers)'),
  p(['WebContainers are not used on iPhone and iPad (tabs run out of memory)'], /^WebContainers are not used on iPhone and iPad \(tabs run out of memory\)$/, () => '在 iPhone 和 iPad 上不使用 WebContainer（标签页会耗尽内存）', 'WebContainers are not used on iPhone and iPad (tabs run out of memory)'),
  p(["the browser is offline, and a WebContainer boots from StackBlitz's servers"], /^the browser is offline, and a WebContainer boots from StackBlitz's servers$/, () => '浏览器处于离线状态，而 WebContainer 要从 StackBlitz 的服务器启动', "the browser is offline, and a WebContainer boots from StackBlitz's servers"),
  p(['this build has no in-container test toolchain (node_modules snapshot)'], /^this build has no in-container test toolchain \(node_modules snapshot\)$/, () => '这次构建没有容器内的测试工具链（node_modules 快照）', 'this build has no in-container test toolchain (node_modules snapshot)'),
  p(['could not tell whether this build has an in-container toolchain: ${}'], /^could not tell whether this build has an in-container toolchain: ([\s\S]+)$/, (m, tr) => `无法判断这次构建有没有容器内的工具链：${tr(m[1])}`, 'could not tell whether this build has an in-container toolchain: Failed to fetch'),
  p(
    ["${} (it needs StackBlitz's servers; blocked third-party cookies also stop it)"],
    /^([\s\S]+) \(it needs StackBlitz's servers; blocked third-party cookies also stop it\)$/,
    (m, tr) => `${tr(m[1])}（它需要 StackBlitz 的服务器；屏蔽第三方 Cookie 也会让它无法启动）`,
    "WebContainer boot did not finish within 20 s (it needs StackBlitz's servers; blocked third-party cookies also stop it)",
  ),
  p(['the in-container toolchain could not be loaded: ${}', 'HTTP ${} for ${}'], /^the in-container toolchain could not be loaded: ([\s\S]+)$/, (m) => `容器内的工具链无法加载：${m[1].replace(/^HTTP (\d+) for (\S+)$/, '$2 返回了 HTTP $1')}`, 'the in-container toolchain could not be loaded: HTTP 404 for /lab-data/webcontainer-toolchain.bin.gz'),
  p(['the lab could not be mounted: ${}'], /^the lab could not be mounted: ([\s\S]+)$/, (m) => `这个实验无法挂载：${m[1]}`, 'the lab could not be mounted: EIO'),
  p(['A real Node runs the lab in this tab; the terminal is its shell.'], /^A real Node runs the lab in this tab; the terminal is its shell\.$/, () => '一个真正的 Node 在这个标签页里运行这个实验；终端就是它的 shell。', 'A real Node runs the lab in this tab; the terminal is its shell.'),
  p(['The WebContainer is not running.'], /^The WebContainer is not running\.$/, () => 'WebContainer 没有在运行。', 'The WebContainer is not running.'),
  p(['The WebContainer reported an error: ${}'], /^The WebContainer reported an error: ([\s\S]+)$/, (m) => `WebContainer 报告了一个错误：${m[1]}`, 'The WebContainer reported an error: out of memory'),
  p(['${}; it was stopped. Look for a loop that never ends.'], /^([\s\S]+); it was stopped\. Look for a loop that never ends\.$/, (m, tr) => `${tr(m[1])}，已被停止。请找一找永远不会结束的循环。`, 'the test run did not finish within 60 s; it was stopped. Look for a loop that never ends.'),
  p(
    ['The test run ended without writing its results (see the terminal for what it printed).'],
    /^The test run ended without writing its results \(see the terminal for what it printed\)\.$/,
    () => '测试运行结束了，却没有写出结果（它输出了什么，请看终端）。',
    'The test run ended without writing its results (see the terminal for what it printed).',
  ),
  p(['The WebContainer run failed: ${}'], /^The WebContainer run failed: ([\s\S]+)$/, (m) => `WebContainer 里的运行失败了：${m[1]}`, 'The WebContainer run failed: EIO'),
  p(['No copy of ${} was sent to the runner.'], /^No copy of (\S+) was sent to the runner\.$/, (m) => `没有把 ${m[1]} 的副本发给运行器。`, 'No copy of stack/core/tcp/handshake.ts was sent to the runner.'),
  p(
    ['${} did not compile: ${}', 'line ${}, column ${}: ${}'],
    /^(\S+) did not compile: (?:line (\d+), column (\d+): )?([\s\S]+)$/,
    (m) => `${m[1]} 无法编译：${m[2] !== undefined ? `第 ${m[2]} 行第 ${m[3]} 列：` : ''}${m[4]}`,
    'stack/core/tcp/handshake.ts did not compile: line 380, column 17: Unexpected token',
  ),
  p(['The ${} tests of this lab are not available to this runner.'], /^The (visible|hidden) tests of this lab are not available to this runner\.$/, (m) => `这个运行器拿不到本实验的${SUITE_ZH[m[1]]}测试。`, 'The hidden tests of this lab are not available to this runner.'),
  p(['The tests could not start: ${}${}', '${}: '], /^The tests could not start: ([\s\S]+)$/, (m, tr) => `测试无法开始：${tr(m[1])}`, 'The tests could not start: ModuleNotFoundError: Cannot find module "./nope.ts" imported from stack/core/tcp/handshake.learner.ts'),
  p(['Cannot find module "${}" imported from ${}'], /^(?:ModuleNotFoundError: )?Cannot find module "([^"]+)" imported from (\S+)$/, (m) => `找不到 ${m[2]} 导入的模块“${m[1]}”`, 'Cannot find module "./nope.ts" imported from stack/core/tcp/handshake.learner.ts'),
  p(['The worker could not prepare the run: ${}'], /^The worker could not prepare the run: ([\s\S]+)$/, (m, tr) => `worker 无法准备这次运行：${tr(m[1])}`, 'The worker could not prepare the run: HTTP 404'),
  // The stack the terminal's sim runs (stack/core/scenarios).
  p(['unknown scenario "${}" (known: ${})'], /^unknown scenario "([^"]*)" \(known: ([\s\S]*)\)$/, (m) => `没有名为“${m[1]}”的场景（已有：${m[2]}）`, 'unknown scenario "nope" (known: handshake, teardown)'),
  // The course server's checks of a sim request (site/server/sim-request.ts), which the terminal
  // shows inside "the course server refused the sim: …".
  p(['unknown sysctl "${}"'], /^unknown sysctl "([^"]*)"$/, (m) => `没有名为“${m[1]}”的 sysctl`, 'unknown sysctl "net.ipv4.tcp_nope"'),
  p(['${}: invalid value (an integer from ${} to ${})'], /^(\S+): invalid value \(an integer from (-?\d+) to (-?\d+)\)$/, (m) => `${m[1]} 的值无效（应为 ${m[2]} 到 ${m[3]} 之间的整数）`, 'net.ipv4.tcp_syn_retries: invalid value (an integer from 1 to 127)'),
  p(['seed must be a whole number from 0 to ${}'], /^seed must be a whole number from 0 to (\d+)$/, (m) => `seed 必须是 0 到 ${m[1]} 之间的整数`, 'seed must be a whole number from 0 to 4294967295'),
];

/**
 * The Chinese of a text a runner produced: the first phrase that matches all of it, with its parts
 * translated in turn; a text no phrase knows (a test's own words, an engine's error) as it is.
 */
export function translateHarnessText(text: string): string {
  for (const phrase of PHRASES) {
    const m = phrase.re.exec(text);
    if (m) return spaced(phrase.zh([...m].map((g) => g as string), translateHarnessText));
  }
  return text;
}

/**
 * The "recent segments" part of a grader's text report in Chinese: its heading, and the direction
 * column (the same width in monospace, so the columns still line up).
 */
export function recentSegmentsZh(section: string): string {
  const [heading, ...lines] = section.split('\n');
  return [translateHarnessText(heading), ...lines].join('\n')
    .replace(/peer→host/g, '对端→主机')
    .replace(/host→peer/g, '主机→对端')
    .replace(/(\d+) undecodable bytes/g, '$1 字节无法解码的数据');
}

/** Whether a text contains Chinese (used by the tests and by callers that must not translate twice). */
export function hasChinese(text: string): boolean {
  return HAN.test(text);
}
