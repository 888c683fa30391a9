/**
 * The lab page: composes the session (session.ts, no DOM) with the views — notices, file tree,
 * editor, tasks, results, diagrams, terminal — and the runners. Monaco and xterm are dynamic
 * imports, so their weight lands only on lab pages. The page's edition is its <html lang>; every
 * view gets that edition's words (site/i18n/workbench.ts), and the lab's own words come with the
 * page's config when they are not the workspace's English ones.
 */
import { exportCourse, PROGRESS_EVENT } from '../progress.ts';
import { documentLocale } from '../../i18n/locale.ts';
import { workbenchStrings } from '../../i18n/workbench.ts';
import { withLabText, type LabText } from './lab-text.ts';
import { chooseRunner } from './runner.ts';
import { summarise, firstFailure, type ResultsDocument, type Suite } from './results.ts';
import { LabSession } from './session.ts';
import { createNotices } from './notices-view.ts';
import { renderFileTree } from './file-tree-view.ts';
import { renderTasks, type TaskView } from './tasks-view.ts';
import { createDiagrams } from './diagrams-view.ts';
import { pageRunners } from './runner-candidates.ts';
import { taskCodePlace } from './task-code.ts';
import type { SolutionPolicy } from './reveal.ts';
import type { WorkbenchEditor } from './editor.ts';
import type { LabTerminal } from './terminal.ts';
import { labMeta, type LabMeta } from '../../../labs/kit/definition.ts';

interface PageConfig {
  slug: string;
  urls: { workspace: string; visible: string; hidden: string; solution: string; webcontainer: string; toolchain: string };
  /** The lab's words in the page's edition (absent: the workspace's own, lab.yaml's English). */
  text?: LabText;
}

interface Workspace {
  lab: Omit<LabMeta, 'tasks'> & { title: string; solution: SolutionPolicy; tasks: TaskView[] };
  files: Array<{ path: string; text: string; editable: boolean }>;
  starters: Record<string, string>;
}

const root = document.querySelector<HTMLElement>('[data-workbench]');
const t = workbenchStrings(documentLocale(document));
if (root) void start(root);

function q<T extends HTMLElement>(root: HTMLElement, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`workbench markup is missing ${selector}`);
  return found;
}

async function start(root: HTMLElement): Promise<void> {
  const config = JSON.parse(root.dataset.config ?? '{}') as PageConfig;
  const [live, resultsPanel, scoreLine, solutionNote, trust] = ['[data-live]', '[data-results]', '[data-score]', '[data-solution-note]', '[data-trust]'].map((s) => q(root, s));
  const button = (action: string) => q<HTMLButtonElement>(root, `[data-action="${action}"]`);
  const notice = createNotices(q(root, '[data-notices]'), t);
  let workspace: Workspace;
  try {
    const response = await fetch(config.urls.workspace);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    workspace = (await response.json()) as Workspace;
  } catch (error) {
    notice(t.loadFailed((error as Error).message), 'error');
    return;
  }
  const lab = withLabText(workspace.lab, config.text);
  const session = new LabSession({
    lab: config.slug,
    starters: Object.fromEntries(lab.files.map((p) => [p, workspace.starters[p]])),
    solution: lab.solution,
    storage: localStorage,
    t,
    instructor: new URLSearchParams(location.search).has('instructor'),
    fetchSolution: async () => {
      const response = await fetch(config.urls.solution);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()) as Record<string, string>;
    },
  });
  if (session.loadProblem) notice(session.loadProblem, 'error');
  const persist = (problem: string | null): void => (problem ? void notice(problem, 'error') : void (root.dataset.saved = session.save.updatedAt));
  // Run and Submit work from the first keystroke: a run asked for while the page is still choosing
  // its runner (a WebContainer boot can take 20 s) waits for it instead of doing nothing.
  let markReady: () => void = () => {};
  const pageReady = new Promise<void>((resolve) => (markReady = resolve));

  // ------------------------------------------------------------------ editor and file tree
  const phone = window.matchMedia('(max-width: 720px)').matches;
  const editorHost = q(root, '[data-editor]');
  let editor: WorkbenchEditor;
  let markTree: (path: string) => void = () => {};
  const markOpenFile = (path: string): void => {
    markTree(path);
    q(root, '[data-open-file]').textContent = path.startsWith('solution:') ? t.solutionOpenFile(path.slice(9)) : path;
  };
  try {
    const { createEditor } = await import('./editor.ts');
    editorHost.textContent = '';
    editor = createEditor(editorHost, {
      files: workspace.files.map((f) => (f.editable ? { ...f, text: session.save.files[f.path] } : f)),
      readOnly: phone,
      readOnlyReason: t.phoneReadOnlyReason,
      t,
      onChange: (path, text) => persist(session.edit(path, text)),
      onOpen: markOpenFile,
      onDiagnostics(errors) {
        const line = q(root, '[data-diagnostics]');
        line.textContent = errors.length === 0 ? t.noTypeErrors : t.typeErrors(errors.length, lab.files.length, errors[0]);
        line.dataset.errors = String(errors.length);
      },
      onRun: () => void run('visible'),
      onSubmit: () => void run('hidden'),
    });
  } catch (error) {
    editorHost.textContent = t.editorFailed((error as Error).message);
    return;
  }
  const learnerFiles = (): Record<string, string> => Object.fromEntries(lab.files.map((p) => [p, editor.text(p)]));
  if (phone) notice(t.phoneNotice, 'info');
  root.dataset.editorReady = 'true';
  if (session.hadSavedWork) notice(t.savedWorkLoaded(t.dateTime(new Date(session.save.updatedAt))), 'info', { label: t.resetToStarter, run: () => resetToStarter() });
  if (session.stale.length > 0) notice(t.starterChanged(session.stale), 'warn');
  markTree = renderFileTree(q(root, '[data-file-tree]'), workspace.files, (path) => editor.open(path), t);
  markOpenFile(editor.current());

  // ------------------------------------------------------------------ tasks
  const taskList = q(root, '[data-tasks]');
  const showTasks = (): void =>
    renderTasks(taskList, { tasks: lab.tasks, hintsShown: session.save.hintsShown, results: session.lastResults?.doc ?? null }, {
      showHint(id) {
        const shown = session.showHint(id);
        showTasks();
        taskList.querySelector<HTMLElement>(`[data-hint-task="${id}"]`)?.focus();
        live.textContent = t.hintAnnounced(shown, id, lab.tasks.find((task) => task.id === id)!.hints[shown - 1].text);
      },
      goToCode(id) {
        const place = taskCodePlace(learnerFiles(), lab.slug, id, t);
        if ('problem' in place) notice(place.problem, 'warn');
        else editor.goTo(place.path, place.line);
      },
    }, t);
  showTasks();

  // ------------------------------------------------------------------ runners, terminal, diagrams
  // The runners get lab.yaml's English titles: a results document is the same whichever edition asked.
  const workerLab: LabMeta = labMeta({ ...lab, tasks: workspace.lab.tasks });
  let terminal: LabTerminal | null = null;
  const runners = pageRunners(workerLab, config.urls, (text) => terminal?.write(text), t, {
    onJoined: (learner) => notice(t.joinedWorkshop(learner.name), 'info'),
  });
  try {
    const [{ createTerminal }, { LabShell }, { downloadBytes }] = await Promise.all([import('./terminal.ts'), import('./shell.ts'), import('./download.ts')]);
    const shell = new LabShell({
      lab: lab.slug,
      scenarios: () => runners.stackWorker().scenarios(),
      // Under a grading server the page's stack has every lab's regions stubbed: the server runs the
      // sim. A sim typed while the page still chooses its runner waits for the choice.
      sim: async (request) => {
        await pageReady;
        return session.runner?.simulate ? session.runner.simulate(lab.slug, request, learnerFiles()) : runners.stackWorker().sim(request, learnerFiles());
      },
      run: () => void run('visible'),
      submit: () => void run('hidden'),
      download: (name, bytes) => downloadBytes(name, bytes, 'application/vnd.tcpdump.pcap'),
      lastTestTrace() {
        const doc = session.lastResults?.doc;
        const failing = doc ? firstFailure(doc) : undefined;
        const trace = failing?.trace_ref ? doc!.traces[failing.trace_ref] : undefined;
        return failing && trace ? { name: failing.name, trace } : null;
      },
    }, t);
    terminal = createTerminal(q(root, '[data-terminal]'), shell, t);
  } catch (error) {
    q(root, '[data-terminal]').textContent = t.terminalFailed((error as Error).message);
  }
  // The server draws reference runs of its hidden tests; the worker those the browser holds. Once
  // drawn, the reference run is kept with the results (results-store.ts), and restored results are
  // drawn from that copy. Without one they are drawn with the worker alone: before a run a workshop
  // server has no join token yet, and asking it would only earn a 401.
  const restoredDocs = new WeakSet<ResultsDocument>();
  const drawDiagrams = createDiagrams(q(root, '[data-diagrams]'), async (doc, test, seed) => {
    const kept = session.lastResults?.doc === doc ? session.lastResults.reference : undefined;
    if (kept && kept.test === test && kept.seed === seed) return kept.trace;
    const source = session.runner?.referenceTrace && !restoredDocs.has(doc) ? session.runner : runners.stackWorker();
    const trace = (await source.referenceTrace?.(config.slug, doc.suite, test, seed)) ?? null;
    if (trace) session.keepReference(doc, { test, seed, trace });
    return trace;
  }, t);
  const taskTitle = (id: number): string | undefined => (config.text ? lab.tasks.find((task) => task.id === id)?.title : undefined);
  async function showResults(doc: ResultsDocument, restoredFrom?: string): Promise<void> {
    const { renderResults, terminalReport } = await import('./results-view.ts');
    renderResults(resultsPanel, doc, { t, taskTitle });
    if (restoredFrom) {
      const note = document.createElement('p');
      note.className = 'wb-restored';
      note.textContent = t.restoredResults(t.dateTime(new Date(restoredFrom)));
      resultsPanel.prepend(note);
      resultsPanel.dataset.restored = 'true';
    } else {
      delete resultsPanel.dataset.restored;
      resultsPanel.dataset.runs = String(Number(resultsPanel.dataset.runs ?? 0) + 1);
      terminal?.write(terminalReport(doc, t));
      terminal?.shell?.noteTestRun();
    }
    resultsPanel.dataset.suite = doc.suite;
    resultsPanel.dataset.state = doc.status;
    showTasks();
  }
  // The last results come back with the page; their diagrams need a runner, so they follow it.
  const restored = session.lastResults;
  if (restored) await showResults(restored.doc, restored.savedAt);

  for (const [action, suite] of [['run', 'visible'], ['submit', 'hidden']] as const) button(action).addEventListener('click', () => void run(suite));
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    void run(event.shiftKey ? 'hidden' : 'visible');
  });
  q(root, '[data-runner-status]').textContent = t.choosingRunner;
  const choice = await chooseRunner(runners.candidates, (kind) => (q(root, '[data-runner-status]').textContent = t.trying[kind]), t);
  session.runner = choice.runner;
  root.dataset.runner = session.runner?.kind ?? 'none';
  q(root, '[data-runner-status]').textContent = session.runner ? t.runnerStatus(t.runnerLabels[session.runner.kind], choice.explanation) : choice.explanation;
  trust.dataset.grading = session.runner?.kind === 'server' ? 'server' : 'practice';
  trust.textContent = session.runner?.kind === 'server' ? t.trustServer : t.trustPractice;
  if (session.runner?.kind === 'webcontainer' && runners.webContainer?.instance && terminal) await terminal.attachShell(runners.webContainer.instance);
  if (!session.runner) button('run').disabled = button('submit').disabled = true;

  // ------------------------------------------------------------------ run and submit
  async function run(suite: Suite): Promise<void> {
    if (session.busy || root.dataset.waiting === 'true') return;
    if (root.dataset.ready !== 'true') {
      const stateBefore = resultsPanel.dataset.state;
      live.textContent = t.waitingForRunner;
      resultsPanel.dataset.state = 'waiting';
      root.dataset.waiting = 'true';
      await pageReady;
      delete root.dataset.waiting;
      if (!session.runner) {
        if (stateBefore === undefined) delete resultsPanel.dataset.state;
        else resultsPanel.dataset.state = stateBefore;
        return;
      }
    }
    button('run').disabled = button('submit').disabled = true;
    root.setAttribute('aria-busy', 'true');
    live.textContent = t.running(suite);
    resultsPanel.dataset.state = 'running';
    const outcome = await session.run(suite, learnerFiles());
    button('run').disabled = button('submit').disabled = false;
    root.removeAttribute('aria-busy');
    persist(null);
    if ('skipped' in outcome) return;
    resultsPanel.dataset.elapsedMs = outcome.elapsedMs.toFixed(1);
    if (outcome.scoreProblem) notice(outcome.scoreProblem, 'error');
    await showResults(outcome.doc);
    updateScore();
    updateSolutionButton();
    live.textContent = summarise(outcome.doc, t);
    await drawDiagrams(outcome.doc);
  }
  const updateScore = (): void => void (scoreLine.textContent = session.scoreText());
  updateScore();
  window.addEventListener(PROGRESS_EVENT, updateScore);

  // ------------------------------------------------------------------ reset, solution, export, import
  function resetToStarter(): void {
    const names = lab.files.join(', ');
    if (!window.confirm(t.resetConfirm(names))) return;
    for (const [path, text] of Object.entries(session.resetToStarter())) editor.setText(path, text);
    notice(t.resetDone(names), 'info');
    editor.open(lab.files[0]);
  }
  button('reset').addEventListener('click', resetToStarter);
  function updateSolutionButton(): void {
    const reveal = session.reveal();
    button('solution').setAttribute('aria-disabled', String(!reveal.available));
    solutionNote.textContent = reveal.reason;
  }
  updateSolutionButton();
  // Back on the tab (the instructor may have opened the solutions meanwhile): ask the server.
  window.addEventListener('focus', () => {
    if (!session.reveal().available) void session.runner?.checkSolutionsOpen?.().then(updateSolutionButton);
  });
  button('solution').addEventListener('click', async () => {
    let reveal = session.reveal();
    // The instructor may have opened the solutions since the page loaded: ask the server.
    if (!reveal.available && (await session.runner?.checkSolutionsOpen?.())) {
      reveal = session.reveal();
      updateSolutionButton();
    }
    if (!reveal.available) {
      live.textContent = reveal.reason;
      solutionNote.classList.add('wb-solution-note--flash');
      setTimeout(() => solutionNote.classList.remove('wb-solution-note--flash'), 1200);
      return;
    }
    const answer = await session.solution(learnerFiles());
    if ('refused' in answer) notice(answer.refused, 'error');
    else editor.showSolution(lab.files[0], answer.files[lab.files[0]]);
  });
  button('export').addEventListener('click', async () => {
    persist(session.persist());
    const { downloadBytes } = await import('./download.ts');
    downloadBytes(`tcp-course-progress-${new Date().toISOString().slice(0, 10)}.json`, new TextEncoder().encode(exportCourse(localStorage)), 'application/json');
    live.textContent = t.exportedEverything;
  });
  const importInput = q<HTMLInputElement>(root, '[data-action="import"]');
  importInput.addEventListener('change', async () => {
    const file = importInput.files?.[0];
    if (!file) return;
    try {
      const { message, thisLabRestored } = session.importFile(await file.text());
      if (thisLabRestored) for (const path of lab.files) editor.setText(path, session.save.files[path]);
      showTasks();
      updateSolutionButton();
      updateScore();
      notice(t.imported(file.name, message), 'info');
    } catch (error) {
      notice(t.notImported(file.name, t.progressText((error as Error).message)), 'error');
    } finally {
      importInput.value = '';
    }
  });

  root.dataset.ready = 'true';
  markReady();
  if (restored && resultsPanel.dataset.restored === 'true' && session.runner) {
    restoredDocs.add(restored.doc);
    await drawDiagrams(restored.doc);
  }
}
