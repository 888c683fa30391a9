/**
 * Loaded only when a learner presses Run: the stack's scenario runner and the figure renderers.
 * The same pure renderers as the build, so the figure a learner produces looks exactly like the
 * chapter's own.
 */
import { renderFigureBody } from '../../lib/figures/figure.ts';
import type { ScenarioRunner } from '../../lib/figures/figure.ts';
import { experimentOptions, type ExperimentConfig, type KnobChoice } from '../../lib/figures/experiment.ts';

interface ScenarioModule {
  runScenario?: ScenarioRunner;
}

const modules = import.meta.glob<ScenarioModule>('../../../stack/core/scenarios/index.ts', { eager: true });
const stackScenarios = Object.values(modules)[0];

export function runExperiment(config: ExperimentConfig, choices: readonly KnobChoice[]): string {
  const run = stackScenarios?.runScenario;
  if (typeof run !== 'function') throw new Error('the stack’s scenario runner is not available in this build');
  const result = run(config.scenario, experimentOptions(config, choices));
  return renderFigureBody(config.show, result, { host: config.host });
}
