/**
 * The Experiment island's logic that needs no DOM and no stack: checking the props an author
 * wrote in a chapter, turning the learner's knob choices into scenario options, and judging the
 * prediction. Small on purpose: the client script imports it before the learner presses Run.
 */
import type { Locale } from '../../i18n/locale.ts';
import { figureStrings } from '../../i18n/figures.ts';
import type { FigureKind, FigureRunOptions } from './figure.ts';
import { choiceFitsRun, quotedNumbers, type RunFacts } from './experiment-observe.ts';

export type ExperimentKnob =
  | { sysctl: string; values: number[]; label?: string }
  | { fault: string; label?: string }
  | { seed: number[]; label?: string };

export interface ExperimentPredict {
  question: string;
  choices: string[];
  /** Index into choices. */
  answer: number;
  /**
   * The knob settings the question is about, one entry per knob (null: any value). Without it the
   * question is taken to be about each two-valued sysctl knob at its second value (the first is
   * the default the chapter started from), each fault ticked, and any seed.
   */
  when?: Array<KnobChoice | null>;
}

export interface ExperimentConfig {
  scenario: string;
  show: FigureKind;
  host?: string;
  knobs: ExperimentKnob[];
  predict?: ExperimentPredict;
  /** Options every run starts from (the chapter's seed, sysctls, faults). */
  base: FigureRunOptions;
}

/** One entry per knob, in knob order: the chosen value (sysctl, seed) or whether the fault is on. */
export type KnobChoice = number | boolean;

const SHOWS = ['sequence', 'timers', 'queues', 'states'];

/** Checks what a chapter author wrote; returns the problems in words an author can act on. */
export function experimentProblems(props: {
  scenario?: unknown;
  knobs?: unknown;
  predict?: unknown;
  show?: unknown;
}): string[] {
  const problems: string[] = [];
  if (typeof props.scenario !== 'string' || props.scenario === '') problems.push('scenario must be a scenario name');
  if (!SHOWS.includes(props.show as string)) problems.push(`show must be one of ${SHOWS.join(', ')}, got ${JSON.stringify(props.show)}`);
  if (props.knobs !== undefined && !Array.isArray(props.knobs)) problems.push('knobs must be an array');
  for (const [i, knob] of (Array.isArray(props.knobs) ? props.knobs : []).entries()) {
    const k = knob as Record<string, unknown>;
    if (typeof k?.sysctl === 'string') {
      if (!Array.isArray(k.values) || k.values.length === 0 || !k.values.every((v) => Number.isFinite(v))) {
        problems.push(`knob ${i + 1} (${k.sysctl}): values must be a non-empty list of numbers`);
      }
    } else if (typeof k?.fault === 'string') {
      if (k.fault.trim() === '') problems.push(`knob ${i + 1}: fault rule is empty`);
    } else if (Array.isArray(k?.seed)) {
      if (k.seed.length === 0 || !k.seed.every((v) => Number.isInteger(v))) problems.push(`knob ${i + 1}: seed must list integers`);
    } else {
      problems.push(`knob ${i + 1} must be { sysctl, values }, { fault, label } or { seed: [...] }`);
    }
  }
  if (props.predict !== undefined) {
    const p = props.predict as Record<string, unknown>;
    if (typeof p?.question !== 'string') problems.push('predict.question must be text');
    if (!Array.isArray(p?.choices) || p.choices.length < 2) problems.push('predict.choices must list at least two answers');
    else if (!Number.isInteger(p.answer) || (p.answer as number) < 0 || (p.answer as number) >= p.choices.length) {
      problems.push(`predict.answer must be an index into choices (0..${p.choices.length - 1})`);
    }
  }
  return problems;
}

/** The options for one run: the base options with each knob's chosen value applied. */
export function experimentOptions(config: ExperimentConfig, choices: readonly KnobChoice[]): FigureRunOptions {
  if (choices.length !== config.knobs.length) {
    throw new Error(`experiment: ${config.knobs.length} knobs but ${choices.length} choices`);
  }
  const options: FigureRunOptions = {
    ...config.base,
    sysctls: { ...(config.base.sysctls ?? {}) },
    faults: [...(config.base.faults ?? [])],
  };
  config.knobs.forEach((knob, i) => {
    const choice = choices[i];
    if ('sysctl' in knob) {
      if (typeof choice !== 'number' || !knob.values.includes(choice)) {
        throw new Error(`experiment: ${knob.sysctl} cannot be ${String(choice)} (choices: ${knob.values.join(', ')})`);
      }
      options.sysctls![knob.sysctl] = choice;
    } else if ('fault' in knob) {
      if (choice === true) options.faults!.push(knob.fault);
    } else {
      if (typeof choice !== 'number' || !knob.seed.includes(choice)) {
        throw new Error(`experiment: seed cannot be ${String(choice)} (choices: ${knob.seed.join(', ')})`);
      }
      options.seed = choice;
    }
  });
  if (Object.keys(options.sysctls!).length === 0) delete options.sysctls;
  if (options.faults!.length === 0) delete options.faults;
  return options;
}

export interface PredictionVerdict {
  /** null when there was no question, no pick, or the run was not the one the question asks about. */
  matched: boolean | null;
  /** Whether the run had the settings the question is about (its explanation applies to this run). */
  premiseMet: boolean;
  message: string;
}

/** The settings the question is about: the author's `when`, or the convention described on `when`. */
export function predictionPremise(config: ExperimentConfig): Array<KnobChoice | null> {
  if (config.predict?.when) return config.predict.when;
  return config.knobs.map((knob) => {
    if ('sysctl' in knob) return knob.values.length === 2 ? knob.values[1]! : null;
    if ('fault' in knob) return true;
    return null;
  });
}

function premiseMet(config: ExperimentConfig, choices: readonly KnobChoice[]): boolean {
  const premise = predictionPremise(config);
  return config.knobs.every((_, i) => premise[i] === null || premise[i] === undefined || premise[i] === choices[i]);
}

/** "set tcp_syn_linear_timeouts to 0 and tick “lose the client's FIN”": what to change for the question's run. */
function premiseInstructions(config: ExperimentConfig, choices: readonly KnobChoice[], locale: Locale): string {
  const t = figureStrings(locale).experiment;
  const premise = predictionPremise(config);
  const steps: string[] = [];
  config.knobs.forEach((knob, i) => {
    const want = premise[i];
    if (want === null || want === undefined || want === choices[i]) return;
    if ('sysctl' in knob) steps.push(t.setTo(knob.label ?? knob.sysctl, String(want)));
    else if ('fault' in knob) steps.push(t.tick(Boolean(want), knob.label ?? knob.fault));
    else steps.push(t.chooseSeed(String(want)));
  });
  return steps.join(t.stepsJoin);
}

/**
 * What the learner is told after a run, from the settings it ran with and the facts its trace
 * shows. "Matches" is said only when the run had the question's settings, the learner picked the
 * answer, and the run's trace agrees with that answer (every number the answer quotes is in it).
 * `facts` must be worded in the same locale (observeRun(run, locale)); the question and its
 * choices come from the chapter, already in the page's language.
 */
export function judgeRun(
  config: ExperimentConfig,
  choices: readonly KnobChoice[],
  picked: number | null,
  facts: RunFacts,
  locale: Locale = 'en',
): PredictionVerdict {
  const t = figureStrings(locale).experiment;
  const predict = config.predict;
  const shows = t.shows(facts.text);
  const met = premiseMet(config, choices);
  if (!predict) return { matched: null, premiseMet: met, message: shows };
  if (!met) {
    // Naming the choice a run fits is safe only for a question answered by numbers (a count, a
    // time); a number in a descriptive choice ("60 s in TIME_WAIT") says nothing about the rest.
    const numeric = quotedNumbers(predict.choices[predict.answer] ?? '').length > 0;
    const fitting = numeric ? predict.choices.filter((c) => choiceFitsRun(c, facts)) : [];
    return {
      matched: null,
      premiseMet: false,
      message: t.otherRun(shows, fitting.length === 1 ? fitting[0]! : null, premiseInstructions(config, choices, locale)),
    };
  }
  const answer = predict.choices[predict.answer]!;
  // The chapter's answer is trusted only as far as the trace bears it out.
  if (quotedNumbers(answer).length > 0 && !choiceFitsRun(answer, facts)) {
    return {
      matched: null,
      premiseMet: true,
      message: t.notBorneOut(shows, answer),
    };
  }
  if (picked === null) return { matched: null, premiseMet: true, message: t.noPick(shows, answer) };
  if (picked === predict.answer) return { matched: true, premiseMet: true, message: t.match(shows, answer) };
  return {
    matched: false,
    premiseMet: true,
    message: t.miss(shows, predict.choices[picked] ?? '?', answer),
  };
}

/**
 * Knob description for the options line under the figure. The pcap's file name is built from
 * the English one (locale 'en'), whatever the page's language: it must stay ASCII.
 */
export function describeKnobs(config: ExperimentConfig, choices: readonly KnobChoice[], locale: Locale = 'en'): string {
  const t = figureStrings(locale).experiment;
  return config.knobs
    .map((knob, i) => {
      if ('sysctl' in knob) return `${knob.sysctl}=${String(choices[i])}`;
      if ('fault' in knob) return choices[i] ? t.knobFault(knob.fault) : '';
      return t.knobSeed(choices[i]!);
    })
    .filter(Boolean)
    .join(' · ');
}
