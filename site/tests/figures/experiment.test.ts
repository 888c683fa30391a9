import { describe, expect, it } from 'vitest';
import {
  describeKnobs,
  experimentOptions,
  experimentProblems,
  judgePrediction,
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

  it('judges the prediction', () => {
    expect(judgePrediction(config.predict, 1)).toEqual({ matched: true, message: 'Your prediction “127 s” matches the run.' });
    expect(judgePrediction(config.predict, 2)).toEqual({ matched: false, message: 'You predicted “131 s”; the run shows “127 s”.' });
    expect(judgePrediction(config.predict, null).matched).toBeNull();
    expect(judgePrediction(undefined, null).matched).toBeNull();
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
