/**
 * Every chapter experiment, for every setting its controls offer and every prediction a learner
 * can pick: the verdict is about the run actually made. "Matches" only for the question's own
 * settings and the right pick; any other run is described from its trace, never with the answer's
 * facts; and for the question's own settings the trace bears out the chapter's answer.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../stack/core/scenarios/index.ts';
import { experimentOptions, judgeRun, predictionPremise, type KnobChoice } from '../../lib/figures/experiment.ts';
import { observeRun, quotedNumbers, choiceFitsRun } from '../../lib/figures/experiment-observe.ts';
import { chapterExperiments, everySetting } from './chapter-experiments.ts';

const experiments = chapterExperiments();

/**
 * Answers that quote no number, each with the trace fact that bears it out. A new experiment whose
 * answer quotes no number needs its line here: the test below fails until it has one.
 */
const ANSWER_IN_TRACE: Record<string, RegExp> = {
  'The client sends the FIN again once its retransmission timer expires, a few hundred milliseconds later':
    /FIN left at 1 s and was lost \(dropped-by-rule\); it was sent again at 1\.2\d* s and arrived/,
  'The client stays in FIN_WAIT_1 and resends the FIN when its retransmission timer fires; the server stays ESTABLISHED until then':
    /was lost .*; it was sent again at ([\d.]+ s) and arrived; the client stayed in FIN_WAIT_1 until [\d.]+ s .*the server stayed ESTABLISHED until [\d.]+ s/,
  'connect() succeeds; its next read() or write() fails with ECONNRESET': /connect\(\) returned 0, then (read|write)\(\) failed with ECONNRESET/,
  'The absolute sequence numbers, that is the two ISNs': /ISNs with seed \d+: client \d+, server \d+/,
  'It is freed silently about 10 s after its FIN was acknowledged, without entering TIME_WAIT': /10 s later it left FIN_WAIT_2 for CLOSED .*without entering TIME_WAIT; it sent no RST/,
  None: /The server retransmitted no SYN-ACKs to forged sources/,
  'No: the same path, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT; it only stays in FIN_WAIT_2 longer, until the server resends its FIN':
    /the server's FIN left at [\d.]+ s and was lost .*; it was sent again at [\d.]+ s and arrived; the client went FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT/,
};

describe('chapter experiments: the verdict comes from the run', () => {
  it('finds the chapters’ experiments', () => {
    expect(experiments.length).toBeGreaterThanOrEqual(8);
  });

  for (const { where, config } of experiments) {
    describe(`${where} <Experiment scenario="${config.scenario}">`, () => {
      const premise = predictionPremise(config);
      for (const setting of everySetting(config)) {
        const run = runScenario(config.scenario, experimentOptions(config, setting));
        const facts = observeRun(run);
        const isPremise = config.knobs.every((_, i) => premise[i] === null || premise[i] === setting[i]);
        const picks: Array<number | null> = [null, ...(config.predict?.choices.map((_, i) => i) ?? [])];
        it(`setting ${JSON.stringify(setting)}: every pick gets a verdict about this run`, () => {
          for (const pick of picks) {
            const v = judgeRun(config, setting, pick, facts);
            expect(v.message, `pick ${pick}`).toContain(facts.text);
            expect(v.premiseMet).toBe(isPremise);
            expect(v.matched === true, `pick ${pick}: ${v.message}`).toBe(isPremise && pick === config.predict?.answer);
            if (!isPremise) {
              expect(v.message).not.toMatch(/matches the run|the run shows “/);
              expect(v.message).toMatch(/The question is about another run: (set|tick|untick|choose) /);
            }
          }
        });
        if (isPremise && config.predict) {
          it(`setting ${JSON.stringify(setting)} is the question’s: its trace bears out the answer`, () => {
            const answer = config.predict!.choices[config.predict!.answer]!;
            if (quotedNumbers(answer).length > 0) {
              expect(choiceFitsRun(answer, facts), `${answer} vs ${facts.text}`).toBe(true);
              if (ANSWER_IN_TRACE[answer]) expect(facts.text, answer).toMatch(ANSWER_IN_TRACE[answer]);
            } else expect(facts.text, answer).toMatch(ANSWER_IN_TRACE[answer] ?? /no trace check for this answer/);
          });
        }
      }
      it('the question names the setting it is about', () => {
        config.knobs.forEach((knob, i) => {
          if ('sysctl' in knob && premise[i] !== null && config.predict) {
            const short = knob.sysctl.split('.').pop()!;
            expect(config.predict.question).toContain(short);
            expect(quotedNumbers(config.predict.question)).toContain(premise[i] as number);
          }
        });
      });
    });
  }
});

describe('the two runs the issue found misjudged', () => {
  const find = (scenario: string, knobText: string) =>
    experiments.find((e) => e.config.scenario === scenario && JSON.stringify(e.config.knobs).includes(knobText))!.config;

  it('connect-timeout with tcp_syn_linear_timeouts left at 4 is not told "7 SYNs, 127 s" matches', () => {
    const config = find('connect-timeout', 'tcp_syn_linear_timeouts');
    const setting: KnobChoice[] = [4];
    const facts = observeRun(runScenario(config.scenario, experimentOptions(config, setting)));
    const v = judgeRun(config, setting, 1, facts);
    expect(v.matched).toBeNull();
    expect(v.message).toContain('The client sent 11 SYNs');
    expect(v.message).toContain('failed with ETIMEDOUT at 131 s');
    expect(v.message).toContain('That is “11 SYNs, failing at 131 s, as before”');
    expect(v.message).toContain('set net.ipv4.tcp_syn_linear_timeouts to 0');
    const at0 = judgeRun(config, [0], 1, observeRun(runScenario(config.scenario, experimentOptions(config, [0]))));
    expect(at0.matched).toBe(true);
    expect(at0.message).toContain('The client sent 7 SYNs (at 0, 1, 3, 7, 15, 31, 63 s)');
  });

  it('the lost-FIN experiment without the fault announces no retransmission and hides the explanation', () => {
    const config = find('teardown', 'drop F. from client');
    const v = judgeRun(config, [false], 1, observeRun(runScenario(config.scenario, experimentOptions(config, [false]))));
    expect(v.premiseMet).toBe(false);
    expect(v.message).toContain('nothing was retransmitted');
    expect(v.message).not.toContain('sent again');
    expect(v.message).toContain('tick “lose the client\'s FIN”');
    const lost = judgeRun(config, [true], 1, observeRun(runScenario(config.scenario, experimentOptions(config, [true]))));
    expect(lost.matched).toBe(true);
    expect(lost.message).toMatch(/was lost \(dropped-by-rule\); it was sent again at 1\.21 s and arrived/);
  });

  it('the seed experiment: ISNs change with the seed, relative numbers and flags do not', () => {
    const config = find('handshake', 'seed');
    const runs = [1, 2, 3].map((seed) => runScenario(config.scenario, experimentOptions(config, [seed])));
    const segs = runs.map((r) => r.trace.filter((e) => e.kind === 'segment'));
    const isns = runs.map((r) => observeRun(r).text.match(/client (\d+), server (\d+)/)!.slice(1).join('/'));
    expect(new Set(isns).size).toBe(3);
    const shape = (s: (typeof segs)[number]) => JSON.stringify(s.map((e) => e.kind === 'segment' && [e.flags, e.relSeq, e.relAck]));
    expect(shape(segs[1]!)).toBe(shape(segs[0]!));
    expect(shape(segs[2]!)).toBe(shape(segs[0]!));
  });
});
