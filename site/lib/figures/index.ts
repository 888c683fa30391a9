/** Figures computed from the stack's runs: pure functions from a ScenarioRun to SVG/HTML strings. */
export { renderSequence, type SequenceOptions } from './sequence.ts';
export { firstDivergence, type Divergence } from './divergence.ts';
export { renderStateMachine, stateSteps, STANDARD_TRANSITIONS, TCP_STATES, type StateMachineOptions } from './state-machine.ts';
export { renderQueueChart, queueSeries, QUEUE_COUNTERS, type QueueChartOptions } from './queue-chart.ts';
export { renderTimerTimeline, timerSpans, stateSpans, type TimerTimelineOptions } from './timer-timeline.ts';
export { renderTraceTable, filterTrace, describeEvent, type TraceFilter } from './trace-table.ts';
export {
  renderFigureSvg,
  renderFigureBody,
  renderFigureHtml,
  renderFigureError,
  memoiseRunner,
  defaultHost,
  isFigureKind,
  runOptionsOf,
  FIGURE_KINDS,
  type FigureKind,
  type FigureRequest,
  type FigureRunOptions,
  type ScenarioRunner,
} from './figure.ts';
export { formatTime, formatDuration, formatSegment, formatSegmentHeader, formatOptions } from './format.ts';
export { escapeMarkup } from './escape.ts';
