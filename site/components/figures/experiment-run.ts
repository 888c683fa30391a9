/**
 * Loaded only when a learner presses Run: the stack's scenario runner and the figure renderers.
 * The same pure renderers as the build, so the figure a learner produces looks exactly like the
 * chapter's own.
 */
import { renderFigureBody } from '../../lib/figures/figure.ts';
import { experimentOptions, type ExperimentConfig, type KnobChoice } from '../../lib/figures/experiment.ts';
import { observeRun, type RunFacts } from '../../lib/figures/experiment-observe.ts';
import { experimentPcap } from '../../lib/figures/experiment-pcap.ts';
import { runScenario } from '../../../stack/core/scenarios/index.ts';
import type { Locale } from '../../i18n/locale.ts';

export interface ExperimentResult {
  html: string;
  /** What the trace shows, for the verdict. */
  facts: RunFacts;
}

export function runExperiment(config: ExperimentConfig, choices: readonly KnobChoice[], locale: Locale = 'en'): ExperimentResult {
  const run = runScenario(config.scenario, experimentOptions(config, choices));
  return { html: renderFigureBody(config.show, run, { host: config.host, locale }), facts: observeRun(run, locale) };
}

/** The same run again (scenarios are deterministic), captured as a pcap file. */
export function experimentPcapFile(config: ExperimentConfig, choices: readonly KnobChoice[]): Uint8Array {
  return experimentPcap(runScenario, config.scenario, experimentOptions(config, choices));
}
