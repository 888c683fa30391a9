/**
 * The build's one door to the stack's scenarios. A glob instead of a static import: while the
 * stack's runner does not exist yet the chapters still build, and every figure shows an error
 * box saying so. Runs are memoised per scenario + options for the whole build.
 */
import { memoiseRunner, type ScenarioRunner } from '../../lib/figures/figure.ts';

interface ScenarioModule {
  runScenario?: ScenarioRunner;
}

const modules = import.meta.glob<ScenarioModule>('../../../stack/core/scenarios/index.ts', { eager: true });
const stackScenarios = Object.values(modules)[0];

export const runScenarioOnce: ScenarioRunner = memoiseRunner((name, options) => {
  const run = stackScenarios?.runScenario;
  if (typeof run !== 'function') {
    throw new Error('stack/core/scenarios/index.ts does not export runScenario yet');
  }
  return run(name, options);
});
