/**
 * The figures on a Chinese page: every kind, drawn from hand-made runs and from the stack's own
 * scenarios with locale 'zh-cn', speaks Chinese and leaves no English interface word behind (see
 * english-left.ts for what may stay). The English rendering is the default and does not change.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { listScenarios, runScenario } from '../../../stack/core/scenarios/index.ts';
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import { ERRNO_TEXT } from '../../../stack/core/tcp/errno.ts';
import { memoiseRunner, renderFigureBody, renderFigureError, renderFigureHtml, FIGURE_KINDS, type ScenarioRunner } from '../../lib/figures/figure.ts';
import { firstDivergence } from '../../lib/figures/divergence.ts';
import { STANDARD_TRANSITIONS } from '../../lib/figures/state-machine.ts';
import { describeEvent } from '../../lib/figures/trace-table.ts';
import { formatTime } from '../../lib/figures/format.ts';
import { clip, displayLength } from '../../lib/figures/escape.ts';
import { figureStrings, tidyChinese, ZH_TABLES } from '../../i18n/figures.ts';
import { floodRun, handshakeRun, keepaliveRun, lostSynAckRun, queueOverflowRun, timeWaitRun } from './fixtures.ts';
import { chineseCount, englishWords, visibleText } from './english-left.ts';

const FIXTURES: Record<string, () => ScenarioRun> = {
  handshake: handshakeRun,
  'handshake-lost-synack': lostSynAckRun,
  teardown: timeWaitRun,
  'accept-queue-overflow': queueOverflowRun,
  'keepalive-alive-peer': keepaliveRun,
  'syn-flood': floodRun,
};
const fixtureRunner: ScenarioRunner = (name) => {
  const make = FIXTURES[name];
  if (!make) throw new Error(`unknown scenario "${name}"`);
  return make();
};

/** Fault rules are the chapter's own syntax ("drop F. from client"), shown as written. */
function faultRules(run: ScenarioRun): string[] {
  return run.trace.flatMap((e) => (e.kind === 'note' ? (/^fault rule: (.*) \(segment #\d+\)$/.exec(e.text)?.[1] ?? []) : []));
}

function expectChinese(markup: string, run: ScenarioRun, where: string): void {
  const text = visibleText(markup);
  expect(englishWords(text, [run.info.name, ...faultRules(run)]), `${where}: ${text.slice(0, 400)}`).toEqual([]);
  expect(chineseCount(text), where).toBeGreaterThan(5);
}

describe('the checker finds English', () => {
  it('reports the English rendering and passes identifiers', () => {
    const html = renderFigureHtml({ kind: 'sequence', scenario: 'handshake' }, fixtureRunner);
    expect(englishWords(visibleText(html))).toEqual(expect.arrayContaining(['Sequence', 'diagram', 'between', 'Trace']));
    expect(englishWords('SYN_SENT → ESTABLISHED（收到 SYN-ACK）[10.0.0.1:40000>10.0.0.2:80] S. seq 0 ack 1 win 65535 <mss 1460,sackOK,TS> connect(3, 10.0.0.2:80) = 0 net.ipv4.tcp_fin_timeout ListenOverflows ETIMEDOUT')).toEqual([]);
    expect(englishWords('内核日志：“Possible SYN flooding on port 80.” still pending')).toEqual(['still', 'pending']);
  });
});

describe('figures in Chinese, from hand-made runs', () => {
  for (const [scenario, make] of Object.entries(FIXTURES)) {
    for (const kind of FIGURE_KINDS) {
      it(`${scenario}: ${kind}`, () => {
        const html = renderFigureHtml({ kind, scenario, caption: '图注由章节提供' }, fixtureRunner, () => {}, 'zh-cn');
        expect(html).not.toContain('data-figure-error');
        expectChinese(html, make(), `${scenario} ${kind}`);
      });
    }
  }

  it('each kind says what it is in Chinese', () => {
    const body = (kind: (typeof FIGURE_KINDS)[number], run: ScenarioRun) => renderFigureBody(kind, run, { locale: 'zh-cn' });
    const seq = body('sequence', handshakeRun());
    expect(seq).toContain('aria-label="图"');
    expect(seq).toContain('<summary>以表格查看跟踪记录</summary>');
    expect(seq).toContain('<th scope="col">时间</th><th scope="col">主机</th><th scope="col">事件</th><th scope="col">详情</th>');
    expect(seq).toMatch(/aria-label="时序图，三次握手：客户端与服务器之间的 3 个报文段/);
    expect(seq).toContain('>客户端</text>');
    expect(seq).toContain('>服务器</text>');
    const states = body('states', handshakeRun());
    expect(states).toContain('>同步已发送</text>');
    expect(states).toContain('客户端：2 次状态变化');
    const queues = body('queues', queueOverflowRun());
    expect(queues).toContain('半连接队列（峰值 1）');
    expect(queues).toContain('全连接队列（峰值 5）');
    expect(queues).toContain('>虚拟时间</text>');
    expect(queues).toContain('服务器上的 nstat');
    const timers = body('timers', timeWaitRun());
    expect(timers).toContain('>重传定时器</text>');
    expect(timers).toContain('>TIME_WAIT 60 秒</text>');
    // Attributes tests and tools read keep one spelling in both editions.
    expect(body('timers', keepaliveRun())).toContain('data-break="7200 s"');
    expect(body('sequence', lostSynAckRun())).toContain('>被故障规则丢弃</text>');
  });

  it('the error box and the source line are Chinese too', () => {
    const report = vi.fn();
    const html = renderFigureHtml({ kind: 'sequence', scenario: 'no-such-thing' }, fixtureRunner, report, 'zh-cn');
    expect(html).toContain('data-figure-error="no-such-thing"');
    expect(html).toContain('<strong>图未能生成：</strong>场景 <code>no-such-thing</code> 的时序图：');
    const host = renderFigureHtml({ kind: 'states', scenario: 'handshake', host: 'mallory' }, fixtureRunner, () => {}, 'zh-cn');
    expect(host).toContain('没有名为“mallory”的主机（现有主机：client、server）');
    expect(renderFigureError('x', 'Experiment', 'problem', 'zh-cn')).toContain('<strong>图未能生成：</strong>场景 <code>x</code> 的实验：problem');
    const source = renderFigureHtml(
      { kind: 'timers', scenario: 'teardown', seed: 3, sysctls: { 'net.ipv4.tcp_fin_timeout': 30 }, faults: ['drop F. from client'] },
      fixtureRunner,
      () => {},
      'zh-cn',
    );
    expect(source).toContain('<span class="fig-source">场景 teardown · 种子 1 · net.ipv4.tcp_fin_timeout=30 · 故障：drop F. from client</span>');
  });

  it('English stays the default and is unchanged', () => {
    for (const kind of FIGURE_KINDS) {
      for (const make of Object.values(FIXTURES)) {
        const run = make();
        expect(renderFigureBody(kind, run, { locale: 'en' })).toBe(renderFigureBody(kind, run));
      }
    }
    expect(renderFigureHtml({ kind: 'sequence', scenario: 'nope' }, fixtureRunner, () => {}, 'en')).toContain('<strong>Figure failed:</strong> sequence of scenario <code>nope</code>');
  });

  it('times, trace rows and divergence read in Chinese', () => {
    expect(formatTime(1.5, 'zh-cn')).toBe('1.5 毫秒');
    expect(formatTime(7200000, 'zh-cn')).toBe('7200 秒');
    const [syscall, state, segment] = handshakeRun().trace;
    expect(describeEvent(state!, 'zh-cn')).toBe('CLOSED → SYN_SENT（connect()）[10.0.0.1:40000>10.0.0.2:80]');
    expect(describeEvent(segment!, 'zh-cn')).toMatch(/^客户端 → 服务器：S seq 0 win 65535 <mss 1460,sackOK,TS,wscale 7>；0\.5 毫秒到达；原始 seq 1000$/);
    expect(describeEvent(syscall!, 'zh-cn')).toBe('connect(3, 10.0.0.2:80) = 0');
    const d = firstDivergence(handshakeRun(), lostSynAckRun(), 'zh-cn');
    const en = firstDivergence(handshakeRun(), lostSynAckRun());
    expect(d?.fields).toEqual(en?.fields);
    expect(d?.description).toMatch(/^第 3 个报文段不同（发送方、标志位、seq、发送时间）：客户端 → 服务器 \. seq 1 ack 1 win 502，1 毫秒；对比：服务器 → 客户端 S\. seq 0 ack 1/);
    expect(englishWords(d!.description)).toEqual([]);
    const shorter = { ...handshakeRun(), trace: handshakeRun().trace.slice(0, 3) };
    expect(firstDivergence(handshakeRun(), shorter, 'zh-cn')?.description).toMatch(/^第 2 个报文段只出现在第一次运行中：服务器 → 客户端 S\./);
  });

  it('Chinese labels are measured twice as wide as Latin letters', () => {
    expect(displayLength('SYN 重传')).toBe(8);
    expect(clip('在 LAST_ACK 中收到对 FIN 的 ACK', 16)).toBe('在 LAST_ACK 中…');
    expect(clip('在 LAST_ACK 中收到对 FIN 的 ACK', 17)).toBe('在 LAST_ACK 中收…');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('figures in Chinese, from the stack\'s scenarios', () => {
  const runner = memoiseRunner((name, options) => runScenario(name, options));
  // syn-flood is drawn from the hand-made flood above: the real one takes seconds to run.
  for (const info of listScenarios().filter((s) => s.name !== 'syn-flood')) {
    it(`${info.name}: every kind, every lane`, () => {
      const run = runner(info.name);
      for (const kind of FIGURE_KINDS) {
        for (const host of info.lanes) {
          const html = renderFigureHtml({ kind, scenario: info.name, host }, runner, () => {}, 'zh-cn');
          expect(html).not.toContain('data-figure-error');
          expectChinese(html, run, `${info.name} ${kind} ${host}`);
        }
      }
    });
  }
});

describe('the lookup tables cover what the stack writes', () => {
  const zh = figureStrings('zh-cn');

  it('every scenario has a Chinese title', () => {
    for (const s of listScenarios()) expect(ZH_TABLES.scenarioTitles[s.name], s.name).toBeTruthy();
  });

  it('every standard transition has a Chinese label', () => {
    for (const t of STANDARD_TRANSITIONS) expect(ZH_TABLES.transitions[`${t.from}>${t.to}`], `${t.from}>${t.to}`).toBeTruthy();
  });

  it('every cause the stack writes on a state change is translated', () => {
    const root = join(import.meta.dirname, '../../../stack');
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (name !== 'tests' && name !== 'node_modules') walk(path);
        } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) files.push(path);
      }
    };
    walk(root);
    const causes = new Set<string>();
    for (const file of files) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!/\b(setState|destroy|dropRequest|enterTimeWait)\(|\bcause: '/.test(line) || /^\s*(\/\/|\*)/.test(line)) continue;
        for (const m of line.matchAll(/'([^']+)'/g)) {
          // State names, errno names, timer names and trace kinds are not causes.
          if (/^[A-Z_0-9]+$/.test(m[1]!) || /^[a-z0-9-]+$/.test(m[1]!)) continue;
          causes.add(m[1]!);
        }
      }
    }
    expect(causes.size).toBeGreaterThan(25);
    for (const cause of causes) {
      const text = zh.cause(cause);
      expect(englishWords(text), `${cause} → ${text}`).toEqual([]);
    }
    expect(zh.cause('RST received in ESTABLISHED')).toBe('在 ESTABLISHED 中收到 RST');
  });

  it('errno texts read as a Chinese-language Linux prints them', () => {
    for (const errno of Object.keys(ERRNO_TEXT)) expect(ZH_TABLES.errno[errno], errno).toBeTruthy();
    expect(zh.syscallResult('-1 ECONNREFUSED (Connection refused)')).toBe('-1 ECONNREFUSED（拒绝连接）');
    expect(zh.syscallResult('0')).toBe('0');
  });

  it('notes are translated, the kernel\'s log line kept verbatim', () => {
    expect(zh.note('Possible SYN flooding on port 80. Sending cookies.')).toBe('内核日志：“Possible SYN flooding on port 80. Sending cookies.”');
    expect(zh.note('accept queue full: final ACK from 10.0.0.15:59404 dropped')).toBe('全连接队列已满：来自 10.0.0.15:59404 的最后一个 ACK 被丢弃');
    expect(zh.note('fault rule: drop S. from server (segment #3)')).toBe('故障规则：drop S. from server（报文段 #3）');
    expect(zh.note('host rebooted: all TCP state lost')).toBe('主机重启：所有 TCP 状态丢失');
  });

  it('host names and spacing follow the house rules', () => {
    expect(zh.host('client')).toBe('客户端');
    expect(zh.host('client3')).toBe('客户端 3');
    expect(zh.host('router')).toBe('router');
    expect(tidyChinese('5 毫秒 到达，客户端2 的 FIN （重传）')).toBe('5 毫秒到达，客户端 2 的 FIN（重传）');
    expect(zh.stateSubtitle('FIN_WAIT_1')).toBe('终止等待1');
  });
});
