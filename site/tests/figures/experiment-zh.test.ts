/**
 * The Experiment island on a Chinese page: what a run shows, the verdict and the lines around the
 * figure are worded in Chinese, from the same facts as in English (the headline numbers the
 * verdict compares do not depend on the language), and the Chinese chapters' own experiments are
 * judged correctly from their Chinese choices.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../stack/core/scenarios/index.ts';
import { figureProps, lineOf } from '../../../content/tests/chapters.ts';
import { describeKnobs, experimentOptions, judgeRun, predictionPremise, type ExperimentConfig, type KnobChoice } from '../../lib/figures/experiment.ts';
import { observeRun, quotedNumbers } from '../../lib/figures/experiment-observe.ts';
import { pcapFileName } from '../../lib/figures/experiment-pcap-name.ts';
import { figureStrings } from '../../i18n/figures.ts';
import { runExperiment } from '../../components/figures/experiment-run.ts';
import { floodRun } from './fixtures.ts';
import { chineseCount, englishWords, visibleText } from './english-left.ts';

/** Every observer, on a run that makes it say something (and the fallback for other scenarios). */
const OBSERVED: Array<[string, Record<string, unknown>]> = [
  ['connect-timeout', {}],
  ['connect-timeout', { sysctls: { 'net.ipv4.tcp_syn_linear_timeouts': 0 } }],
  ['handshake', {}],
  ['handshake-lost-synack', {}],
  ['teardown', {}],
  ['teardown', { faults: ['drop F. from client'] }],
  ['teardown', { faults: ['drop F. from server'] }],
  ['fin-wait-2-timeout', {}],
  ['keepalive-dead-peer', {}],
  ['accept-queue-overflow', {}],
  ['accept-queue-overflow-abort', {}],
  ['close-with-unread-data', {}],
  ['connect-refused', {}],
];

describe('what a run shows, in Chinese', () => {
  for (const [scenario, options] of OBSERVED) {
    it(`${scenario} ${JSON.stringify(options)}`, () => {
      const run = runScenario(scenario, options);
      const zh = observeRun(run, 'zh-cn');
      const en = observeRun(run);
      expect(zh.key).toEqual(en.key);
      expect(englishWords(zh.text, [...((options.faults as string[]) ?? [])]), zh.text).toEqual([]);
      expect(chineseCount(zh.text), zh.text).toBeGreaterThan(5);
    });
  }

  it('syn-flood (hand-made run)', () => {
    const zh = observeRun(floodRun(), 'zh-cn');
    expect(zh.key).toEqual(observeRun(floodRun()).key);
    expect(englishWords(zh.text), zh.text).toEqual([]);
    expect(zh.text).toMatch(/^客户端的第一个 SYN 在 200 毫秒发出；/);
  });

  it('reads like the chapter: seconds, Chinese list commas', () => {
    const run = runScenario('connect-timeout', { sysctls: { 'net.ipv4.tcp_syn_linear_timeouts': 0 } });
    expect(observeRun(run, 'zh-cn').text).toBe('客户端共发出 7 个 SYN（在 0、1、3、7、15、31、63 秒），connect() 在 127 秒时以 ETIMEDOUT 失败。');
    const lost = observeRun(runScenario('teardown', { faults: ['drop F. from client'] }), 'zh-cn').text;
    expect(lost).toMatch(/^客户端的 FIN 在 1 秒发出，丢失了（被故障规则丢弃）；它在 1\.2\d* 秒被重发，到达了；/);
  });
});

const CONFIG: ExperimentConfig = {
  scenario: 'connect-timeout',
  show: 'timers',
  knobs: [{ sysctl: 'net.ipv4.tcp_syn_linear_timeouts', values: [4, 0] }, { fault: 'drop S from client', label: '丢掉客户端的第一个 SYN' }, { seed: [1, 2] }],
  predict: {
    question: '把 tcp_syn_linear_timeouts 设为 0，客户端发出多少个 SYN？',
    choices: ['11 个 SYN，在 131 秒时失败', '7 个 SYN，在 127 秒时失败', '只有 1 个 SYN'],
    answer: 1,
    when: [0, null, null],
  },
  base: {},
};

describe('the verdict in Chinese', () => {
  const facts = (setting: KnobChoice[]) => observeRun(runScenario(CONFIG.scenario, experimentOptions(CONFIG, setting)), 'zh-cn');
  const old = facts([0, false, 1]);
  const now = facts([4, false, 1]);

  it('every branch is Chinese and quotes the run', () => {
    const verdicts = [
      judgeRun(CONFIG, [0, false, 1], 1, old, 'zh-cn'),
      judgeRun(CONFIG, [0, false, 1], 0, old, 'zh-cn'),
      judgeRun(CONFIG, [0, false, 1], null, old, 'zh-cn'),
      judgeRun(CONFIG, [4, false, 1], 1, now, 'zh-cn'),
      judgeRun({ ...CONFIG, predict: { ...CONFIG.predict!, choices: ['9 个 SYN', '8 个 SYN'], answer: 0 } }, [0, false, 1], 0, old, 'zh-cn'),
      judgeRun({ ...CONFIG, predict: undefined }, [0, false, 1], null, old, 'zh-cn'),
      judgeRun({ ...CONFIG, predict: { ...CONFIG.predict!, when: [0, true, 2] } }, [4, false, 1], null, now, 'zh-cn'),
    ];
    for (const v of verdicts) {
      expect(v.message.includes(old.text) || v.message.includes(now.text), v.message).toBe(true);
      expect(englishWords(v.message), v.message).toEqual([]);
    }
    expect(verdicts[0]!.matched).toBe(true);
    expect(verdicts[0]!.message).toBe(`你的预测“7 个 SYN，在 127 秒时失败”与运行结果一致。这次运行：${old.text}`);
    expect(verdicts[1]!.message).toMatch(/^你预测的是“11 个 SYN，在 131 秒时失败”；运行结果是“7 个 SYN，在 127 秒时失败”。这次运行：/);
    expect(verdicts[2]!.message).toMatch(/你没有作出预测；答案是“7 个 SYN，在 127 秒时失败”。$/);
    expect(verdicts[3]!.message).toContain('这正是“11 个 SYN，在 131 秒时失败”，也就是你所用设置下的答案。');
    expect(verdicts[3]!.message).toMatch(/这道题问的是另一次运行：请把 net\.ipv4\.tcp_syn_linear_timeouts 设为 0，然后再运行一次，检验你的预测。$/);
    expect(verdicts[4]!.message).toContain('本章给出的答案是“9 个 SYN”，但这次运行没有表现出来');
    expect(verdicts[5]!.message).toBe(`这次运行：${old.text}`);
    expect(verdicts[6]!.message).toContain('请把 net.ipv4.tcp_syn_linear_timeouts 设为 0，并勾选“丢掉客户端的第一个 SYN”，并选择种子 2，然后再运行一次');
  });

  it('the line under the figure is Chinese; the pcap file name stays ASCII', () => {
    const t = figureStrings('zh-cn').experiment;
    const choices: KnobChoice[] = [0, true, 2];
    expect(describeKnobs(CONFIG, choices, 'zh-cn')).toBe('net.ipv4.tcp_syn_linear_timeouts=0 · 故障：drop S from client · 种子 2');
    expect(t.source(CONFIG.scenario, describeKnobs(CONFIG, choices, 'zh-cn'))).toBe('场景 connect-timeout · net.ipv4.tcp_syn_linear_timeouts=0 · 故障：drop S from client · 种子 2 ');
    expect(pcapFileName(CONFIG.scenario, describeKnobs(CONFIG, choices))).toBe('connect-timeout-tcp_syn_linear_timeouts-0-fault-drop-S-from-client-seed-2.pcap');
    for (const text of [t.running, t.download, t.failed('ETIMEDOUT'), t.run, t.change, t.seed, t.kicker]) {
      expect(englishWords(text), text).toEqual([]);
      expect(chineseCount(text), text).toBeGreaterThan(0);
    }
  });

  it('the learner\'s figure is drawn in the page\'s language', () => {
    const result = runExperiment(CONFIG, [0, false, 1], 'zh-cn');
    expect(result.facts.text).toBe(old.text);
    expect(englishWords(visibleText(result.html), [CONFIG.scenario]), visibleText(result.html).slice(0, 300)).toEqual([]);
    expect(result.html).toContain('<summary>以表格查看跟踪记录</summary>');
    expect(runExperiment(CONFIG, [0, false, 1]).html).toContain('<summary>Trace as a table</summary>');
  });
});

/** The Chinese chapters' <Experiment>s, read as Experiment.astro receives them. */
function chineseExperiments(): Array<{ where: string; config: ExperimentConfig }> {
  const dir = join(import.meta.dirname, '../../../content/zh-cn/chapters');
  const out: Array<{ where: string; config: ExperimentConfig }> = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mdx'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/<Experiment\b/g)) {
      const { scenario, show, host, knobs = [], predict, seed, sysctls, faults } = figureProps(text, m.index! + m[0].length).props as Record<string, never>;
      out.push({
        where: `zh-cn/${file}:${lineOf(text, m.index!)}`,
        config: { scenario, show, host, knobs, predict, base: { ...(seed !== undefined ? { seed } : {}), ...(sysctls ? { sysctls } : {}), ...(faults ? { faults } : {}) } },
      });
    }
  }
  return out;
}

describe('the Chinese chapters\' experiments', () => {
  const experiments = chineseExperiments();

  it('finds them', () => {
    expect(experiments.length).toBeGreaterThan(0);
  });

  for (const { where, config } of experiments) {
    it(`${where} <Experiment scenario="${config.scenario}">: the question's own run is judged in Chinese`, () => {
      // The question's settings; a knob the question leaves open takes its first value.
      const premise = predictionPremise(config);
      const setting = config.knobs.map((k, i): KnobChoice => premise[i] ?? ('sysctl' in k ? k.values[0]! : 'fault' in k ? false : k.seed[0]!));
      const facts = observeRun(runScenario(config.scenario, experimentOptions(config, setting)), 'zh-cn');
      const ignore = [...config.knobs.flatMap((k) => ('fault' in k ? [k.fault] : [])), ...(config.base.faults ?? [])];
      expect(englishWords(facts.text, ignore), facts.text).toEqual([]);
      if (!config.predict) return;
      const answer = config.predict.choices[config.predict.answer]!;
      const verdict = judgeRun(config, setting, config.predict.answer, facts, 'zh-cn');
      expect(englishWords(verdict.message, ignore), verdict.message).toEqual([]);
      // A Chinese answer that quotes numbers must be the run's numbers, as the English one is.
      if (quotedNumbers(answer).length > 0) expect(verdict.matched, verdict.message).toBe(true);
    });
  }
});
