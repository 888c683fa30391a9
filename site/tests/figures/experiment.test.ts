import { describe, expect, it } from 'vitest';
import {
  describeKnobs,
  experimentOptions,
  experimentProblems,
  judgeRun,
  predictionPremise,
  type ExperimentConfig,
} from '../../lib/figures/experiment.ts';

const config: ExperimentConfig = {
  scenario: 'connect-timeout',
  show: 'timers',
  knobs: [
    { sysctl: 'net.ipv4.tcp_syn_linear_timeouts', values: [4, 0] },
    { fault: 'drop S. from server', label: 'lose the SYN-ACK' },
    { seed: [1, 2, 3] },
  ],
  predict: { question: 'With linear timeouts off, when does connect() give up?', choices: ['63 s', '127 s', '131 s'], answer: 1 },
  base: { sysctls: { 'net.core.somaxconn': 4096 }, faults: ['delay=5 S from client'] },
};

describe('Experiment logic', () => {
  it('applies each knob on top of the base options', () => {
    expect(experimentOptions(config, [0, true, 2])).toEqual({
      seed: 2,
      sysctls: { 'net.core.somaxconn': 4096, 'net.ipv4.tcp_syn_linear_timeouts': 0 },
      faults: ['delay=5 S from client', 'drop S. from server'],
    });
    expect(experimentOptions(config, [4, false, 1])).toEqual({
      seed: 1,
      sysctls: { 'net.core.somaxconn': 4096, 'net.ipv4.tcp_syn_linear_timeouts': 4 },
      faults: ['delay=5 S from client'],
    });
    // The base is not modified by a run.
    expect(config.base.faults).toEqual(['delay=5 S from client']);
  });

  it('omits empty sysctls and faults', () => {
    const bare: ExperimentConfig = { ...config, knobs: [{ fault: 'drop F from client' }], base: {} };
    expect(experimentOptions(bare, [false])).toEqual({});
  });

  it('refuses values the author did not offer', () => {
    expect(() => experimentOptions(config, [7, false, 1])).toThrow(/tcp_syn_linear_timeouts cannot be 7/);
    expect(() => experimentOptions(config, [4, false, 9])).toThrow(/seed cannot be 9/);
    expect(() => experimentOptions(config, [4])).toThrow(/3 knobs but 1 choices/);
  });

  it('judges the prediction only for the run the question is about', () => {
    const facts127 = { text: 'connect() failed at 127 s.', key: [127] };
    const facts131 = { text: 'connect() failed at 131 s.', key: [131] };
    // The premise by convention: the second sysctl value, the fault ticked, any seed.
    expect(predictionPremise(config)).toEqual([0, true, null]);
    expect(judgeRun(config, [0, true, 2], 1, facts127)).toEqual({
      matched: true,
      premiseMet: true,
      message: 'Your prediction “127 s” matches the run. This run: connect() failed at 127 s.',
    });
    expect(judgeRun(config, [0, true, 1], 2, facts127)).toMatchObject({ matched: false, message: expect.stringContaining('the run shows “127 s”') });
    expect(judgeRun(config, [0, true, 1], null, facts127).matched).toBeNull();
    // Another setting: the verdict describes that run and says what to change, never "matches".
    const other = judgeRun(config, [4, false, 1], 1, facts131);
    expect(other).toEqual({
      matched: null,
      premiseMet: false,
      message:
        'This run: connect() failed at 131 s. That is “131 s”, the answer for the settings you ran. The question is about another run: set net.ipv4.tcp_syn_linear_timeouts to 0 and tick “lose the SYN-ACK”, then run again to check your prediction.',
    });
    // A trace that does not bear out the chapter's answer is reported, not papered over.
    expect(judgeRun(config, [0, true, 1], 1, facts131)).toMatchObject({ matched: null, message: expect.stringContaining('which this run does not show') });
    // An explicit premise wins over the convention.
    const explicit = { ...config, predict: { ...config.predict!, when: [4, null, null] } };
    expect(judgeRun(explicit, [4, false, 3], 1, facts127).premiseMet).toBe(true);
    expect(judgeRun({ ...config, predict: undefined }, [4, false, 1], null, facts131)).toEqual({ matched: null, premiseMet: false, message: 'This run: connect() failed at 131 s.' });
  });

  it('describes the chosen knobs', () => {
    expect(describeKnobs(config, [0, true, 2])).toBe('net.ipv4.tcp_syn_linear_timeouts=0 · fault: drop S. from server · seed 2');
    expect(describeKnobs(config, [4, false, 1])).toBe('net.ipv4.tcp_syn_linear_timeouts=4 · seed 1');
  });

  it('reports authoring mistakes in words', () => {
    expect(experimentProblems({ scenario: 'x', show: 'timers', knobs: config.knobs, predict: config.predict })).toEqual([]);
    expect(experimentProblems({ scenario: '', show: 'pie', knobs: [{ sysctl: 'a', values: [] }, { colour: 1 }], predict: { question: 'q', choices: ['a', 'b'], answer: 2 } })).toEqual([
      'scenario must be a scenario name',
      'show must be one of sequence, timers, queues, states, got "pie"',
      'knob 1 (a): values must be a non-empty list of numbers',
      'knob 2 must be { sysctl, values }, { fault, label } or { seed: [...] }',
      'predict.answer must be an index into choices (0..1)',
    ]);
  });
});
