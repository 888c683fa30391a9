/**
 * A learner's session on one lab, with no DOM (TutorialKit's runtime half): the saved work, the
 * hint ladder, attempts, one run at a time, the runner in use, scores (through progress.ts), the
 * last results and the solution's reveal policy. The page's views render what it holds and call
 * its methods; the tests drive it with a fake runner and an in-memory Storage.
 */
import { importCourse, loadProgress, recordLabScore, type ListableStorage } from '../progress.ts';
import { emptyLabSave, LabSaveError, loadLabSave, staleStarters, storeLabSave, textHash, type LabSave } from './lab-save.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';
import { solutionReveal, type Reveal, type SolutionPolicy } from './reveal.ts';
import { loadResults, storeResults, type StoredReference, type StoredResults } from './results-store.ts';
import { errorResults, type ResultsDocument, type Suite } from './results.ts';
import type { Runner } from './runner.ts';

export interface SessionOptions {
  lab: string;
  /** The files the learner edits, and their starters. */
  starters: Record<string, string>;
  solution: SolutionPolicy;
  storage: ListableStorage;
  /** ?instructor on the URL: an `instructor` policy opens the solution. */
  instructor?: boolean;
  /** Fetches the build's solution file (used when the runner does not keep the solution itself). */
  fetchSolution(): Promise<Record<string, string>>;
  now?: () => Date;
  /** The page's edition of what the session says (English when not given). */
  t?: WorkbenchStrings;
}

export type RunOutcome = { doc: ResultsDocument; elapsedMs: number; scoreProblem?: string } | { skipped: 'busy' | 'no-runner' };

export class LabSession {
  readonly lab: string;
  readonly paths: string[];
  readonly save: LabSave;
  /** Set when the saved work could not be read (it was kept aside). */
  readonly loadProblem: string | null;
  /** The learner had changed a file before this page opened. */
  readonly hadSavedWork: boolean;
  /** Files whose starter changed under the save (a course update). */
  readonly stale: string[];
  runner: Runner | null = null;
  busy = false;
  lastResults: StoredResults | null;
  private readonly now: () => Date;
  private readonly t: WorkbenchStrings;

  constructor(private readonly options: SessionOptions) {
    this.lab = options.lab;
    this.paths = Object.keys(options.starters);
    this.now = options.now ?? (() => new Date());
    this.t = options.t ?? WORKBENCH_EN;
    const loaded = loadLabSave(options.storage, options.lab, this.now());
    this.loadProblem = loaded.problem ? this.t.saveUnreadable(loaded.problem.problems, loaded.problem.keptAs) : null;
    this.save = loaded.save ?? emptyLabSave(options.lab, this.now());
    this.hadSavedWork = this.paths.some((p) => this.save.files[p] !== undefined && this.save.files[p] !== options.starters[p]);
    this.stale = staleStarters(this.save, options.starters);
    for (const path of this.paths) {
      this.save.files[path] ??= options.starters[path];
      this.save.starterHashes[path] ??= textHash(options.starters[path]);
    }
    this.lastResults = loadResults(options.storage, options.lab);
  }

  /** Saves; returns a learner-facing message when the browser refused. */
  persist(): string | null {
    try {
      storeLabSave(this.options.storage, this.save, this.now());
      return null;
    } catch (error) {
      if (!(error instanceof LabSaveError)) return (error as Error).message;
      return 'refused' in error.reason ? this.t.saveRefused(error.reason.refused) : this.t.saveMalformed(error.reason.problems);
    }
  }

  edit(path: string, text: string): string | null {
    this.save.files[path] = text;
    return this.persist();
  }

  /** Puts the starters back; returns the texts for the editor. */
  resetToStarter(): Record<string, string> {
    for (const path of this.paths) this.save.files[path] = this.options.starters[path];
    this.save.starterHashes = Object.fromEntries(this.paths.map((p) => [p, textHash(this.options.starters[p])]));
    this.persist();
    return { ...this.options.starters };
  }

  /** Reveals the next hint level of a task; returns how many are now shown. */
  showHint(taskId: number): number {
    const shown = (this.save.hintsShown[String(taskId)] ?? 0) + 1;
    this.save.hintsShown[String(taskId)] = shown;
    this.persist();
    return shown;
  }

  /**
   * One run at a time: a second Run while one is going is skipped, not queued. Counts the
   * attempt, records a Submit's score in progress.ts, unlocks an after-pass solution, and keeps
   * the results for the next visit.
   */
  async run(suite: Suite, files: Record<string, string>): Promise<RunOutcome> {
    if (this.busy) return { skipped: 'busy' };
    if (!this.runner) return { skipped: 'no-runner' };
    this.busy = true;
    this.save.attempts[suite]++;
    this.persist();
    const started = performance.now();
    let doc: ResultsDocument;
    try {
      doc = await this.runner.run({ lab: this.lab, suite, files });
    } catch (error) {
      doc = errorResults(this.lab, suite, `The runner failed: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
    const outcome: RunOutcome = { doc, elapsedMs: performance.now() - started };
    storeResults(this.options.storage, this.lab, doc, this.now());
    this.lastResults = { version: 1, doc, suite, savedAt: this.now().toISOString() };
    if (suite === 'hidden' && doc.status !== 'error' && doc.score.max > 0) {
      try {
        recordLabScore(this.options.storage, this.lab, doc.score.points, doc.score.max, this.now());
      } catch (error) {
        outcome.scoreProblem = this.t.progressText((error as Error).message);
      }
      if (doc.status === 'pass') this.save.passed = true;
      this.persist();
    }
    return outcome;
  }

  /**
   * Keeps the reference run drawn beside `doc`'s first failure with the stored results, so a reload
   * draws it again without a runner (results-store.ts says why). Only for the results kept now.
   */
  keepReference(doc: ResultsDocument, reference: StoredReference): void {
    const last = this.lastResults;
    if (!last || last.doc !== doc) return;
    if (storeResults(this.options.storage, this.lab, doc, new Date(last.savedAt), reference)) last.reference = reference;
  }

  /** The score line, from progress.ts. */
  scoreText(): string {
    const lab = loadProgress(this.options.storage, this.now()).progress.labs[this.lab];
    return lab ? this.t.score(lab.points, lab.max) : this.t.notSubmittedYet;
  }

  reveal(): Reveal {
    const byPolicy = solutionReveal(this.options.solution, this.save, this.options.instructor ?? false, this.t);
    // The course server opened every solution (the instructor's switch): the server decides.
    if (!byPolicy.available && this.runner?.solutionsOpen) return { available: true, reason: this.t.revealOpenToAll };
    return byPolicy;
  }

  /**
   * The reference solution, if the policy opens it: from the runner when it keeps solutions (the
   * course server checks the policy itself), else the build's file.
   */
  async solution(files: Record<string, string>): Promise<{ files: Record<string, string> } | { refused: string }> {
    const reveal = this.reveal();
    if (!reveal.available) return { refused: reveal.reason };
    if (this.runner?.solution) {
      const answer = await this.runner.solution(this.lab, files);
      return 'refused' in answer ? { refused: this.t.serverWithheldSolution(answer.refused) } : { files: answer.solution };
    }
    try {
      return { files: await this.options.fetchSolution() };
    } catch (error) {
      return { refused: this.t.solutionNotLoaded((error as Error).message) };
    }
  }

  /**
   * Imports a course file (progress.ts); when it restored this lab's files, the session takes
   * them. Returns the sentence to show and whether this lab's files changed. Throws on a bad file
   * (nothing is written).
   */
  importFile(text: string): { message: string; thisLabRestored: boolean } {
    const report = importCourse(this.options.storage, text, this.now());
    const thisLabRestored = report.labFiles.includes(this.lab);
    if (thisLabRestored) {
      const fresh = loadLabSave(this.options.storage, this.lab, this.now()).save;
      if (fresh) {
        Object.assign(this.save, fresh);
        for (const path of this.paths) this.save.files[path] ??= this.options.starters[path];
      }
    }
    return { message: this.t.importReport(report), thisLabRestored };
  }
}
