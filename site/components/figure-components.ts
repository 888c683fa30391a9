// The chapter page's single entry to the figure components, which the figures engineer owns in
// ./figures/. Chapters use them without imports (content/README.md), so the page maps them here.
export { default as SequenceDiagram } from './figures/SequenceDiagram.astro';
export { default as StateMachine } from './figures/StateMachine.astro';
export { default as QueueChart } from './figures/QueueChart.astro';
export { default as TimerTimeline } from './figures/TimerTimeline.astro';
export { default as Experiment } from './figures/Experiment.astro';
