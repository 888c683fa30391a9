// The chapter page's single entry to the figure components, which the figures engineer writes in
// ./figures/. A glob (rather than five static imports) keeps chapters building while some of those
// files do not exist yet: a missing figure renders as a visible "not built yet" box instead.
import FigurePending from './FigurePending.astro';

type AstroComponent = typeof FigurePending;

const figures = import.meta.glob<{ default: AstroComponent }>('./figures/*.astro', { eager: true });

export const FIGURE_NAMES = ['SequenceDiagram', 'StateMachine', 'QueueChart', 'TimerTimeline', 'Experiment'] as const;

function figure(name: (typeof FIGURE_NAMES)[number]): AstroComponent {
  return figures[`./figures/${name}.astro`]?.default ?? FigurePending;
}

/** Names of figure components that are still placeholders (the chapter build warns about them). */
export const pendingFigures: string[] = FIGURE_NAMES.filter((name) => !figures[`./figures/${name}.astro`]);

export const SequenceDiagram = figure('SequenceDiagram');
export const StateMachine = figure('StateMachine');
export const QueueChart = figure('QueueChart');
export const TimerTimeline = figure('TimerTimeline');
export const Experiment = figure('Experiment');
