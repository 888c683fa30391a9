/**
 * The lab page's controller: loads the lab's workspace and the learner's saved work, starts the
 * editor and the terminal (both dynamic imports, so their weight lands only on lab pages), picks
 * a runner, and wires Run / Submit / Reset / Hints / Solution / Export / Import.
 */
import { describeImport, exportCourse, importCourse, recordLabScore, PROGRESS_EVENT } from '../progress.ts';
import { emptyLabSave, loadLabSave, staleStarters, storeLabSave, textHash, type LabSave } from './lab-save.ts';
import { solutionReveal, type SolutionPolicy } from './reveal.ts';
import { renderTasks as renderTaskList, type TaskView } from './tasks-view.ts';
import { taskCodePlace } from './task-code.ts';
import { firstFailure, summarise, type ResultsDocument, type Suite } from './results.ts';
import { loadResults, storeResults } from './results-store.ts';
import { traceDivergence } from './divergence.ts';
import { chooseRunner, runnerOrder, RUNNER_LABELS, TRYING, type Runner, type RunnerCandidate } from './runner.ts';
import { RUNTIME_URL, ServerRunner } from './server-runner.ts';
import { WorkerRunner } from './worker-runner.ts';
import { inflateSnapshot, WebContainerRunner, type FileSystemTree } from './webcontainer-runner.ts';
import type { WorkbenchEditor } from './editor.ts';
import type { LabTerminal } from './terminal.ts';
import type { WorkerLab } from './worker-grade.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

interface PageConfig {
  slug: string;
  urls: { workspace: string; visible: string; hidden: string; solution: string; webcontainer: string; toolchain: string };
}

interface Workspace {
  lab: Omit<WorkerLab, 'tasks'> & {
    title: string;
    solution: SolutionPolicy;
    tasks: TaskView[];
  };
  files: Array<{ path: string; text: string; editable: boolean }>;
  starters: Record<string, string>;
}

const root = document.querySelector<HTMLElement>('[data-workbench]');
if (root) void start(root);

function q<T extends HTMLElement>(root: HTMLElement, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`workbench markup is missing ${selector}`);
  return found;
}

async function start(root: HTMLElement): Promise<void> {
  const config = JSON.parse(root.dataset.config ?? '{}') as PageConfig;
  const notices = q(root, '[data-notices]');
  const runnerStatus = q(root, '[data-runner-status]');
  const live = q(root, '[data-live]');
  const resultsPanel = q(root, '[data-results]');
  const buttons = {
    run: q<HTMLButtonElement>(root, '[data-action="run"]'),
    submit: q<HTMLButtonElement>(root, '[data-action="submit"]'),
    reset: q<HTMLButtonElement>(root, '[data-action="reset"]'),
    solution: q<HTMLButtonElement>(root, '[data-action="solution"]'),
    export: q<HTMLButtonElement>(root, '[data-action="export"]'),
    import: q<HTMLInputElement>(root, '[data-action="import"]'),
  };

  const notice = (text: string, kind: 'info' | 'warn' | 'error' = 'info', action?: { label: string; run: () => void }): HTMLElement => {
    const item = document.createElement('div');
    item.className = `wb-notice wb-notice--${kind}`;
    item.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    const p = document.createElement('p');
    p.textContent = text;
    item.append(p);
    if (action) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button';
      button.textContent = action.label;
      button.addEventListener('click', action.run);
      item.append(button);
    }
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'wb-notice__close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    close.addEventListener('click', () => item.remove());
    item.append(close);
    notices.append(item);
    return item;
  };

  let workspace: Workspace;
  try {
    const response = await fetch(config.urls.workspace);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    workspace = (await response.json()) as Workspace;
  } catch (error) {
    notice(`The lab could not be loaded (${(error as Error).message}). Reload the page; if it persists, rebuild the site.`, 'error');
    return;
  }
  const { lab, starters } = workspace;
  const editablePaths = lab.files;

  // ------------------------------------------------------------------ saved work
  const loaded = loadLabSave(localStorage, config.slug);
  if (loaded.problem) notice(loaded.problem.message, 'error');
  const save: LabSave = loaded.save ?? emptyLabSave(config.slug);
  const hadSavedWork = editablePaths.some((p) => save.files[p] !== undefined && save.files[p] !== starters[p]);
  const stale = staleStarters(save, starters);
  for (const path of editablePaths) {
    save.files[path] ??= starters[path];
    save.starterHashes[path] ??= textHash(starters[path]);
  }
  const persist = (): void => {
    try {
      storeLabSave(localStorage, save);
      root.dataset.saved = save.updatedAt;
    } catch (error) {
      notice((error as Error).message, 'error');
    }
  };

  // Run and Submit work from the first keystroke: a run asked for while the page is still choosing
  // its runner (a WebContainer boot can take 20 s) waits for it instead of doing nothing.
  let busy = false;
  let markReady: () => void = () => {};
  const pageReady = new Promise<void>((resolve) => (markReady = resolve));

  // ------------------------------------------------------------------ editor
  const phone = window.matchMedia('(max-width: 720px)').matches;
  const files = workspace.files.map((f) => (f.editable ? { ...f, text: save.files[f.path] } : f));
  const editorHost = q(root, '[data-editor]');
  let editor: WorkbenchEditor;
  try {
    const { createEditor } = await import('./editor.ts');
    editorHost.textContent = '';
    editor = createEditor(editorHost, {
      files,
      readOnly: phone,
      readOnlyReason: 'On a screen this small the editor is read-only; open the lab on a laptop to edit. Run and Submit still work.',
      onChange(path, text) {
        save.files[path] = text;
        persist();
      },
      onOpen: (path) => markOpenFile(path),
      onDiagnostics(errors) {
        const line = q(root, '[data-diagnostics]');
        line.textContent = errors.length === 0 ? 'No type errors' : `${errors.length} type error${errors.length === 1 ? '' : 's'} in your file${editablePaths.length > 1 ? 's' : ''} — first: ${errors[0]}`;
        line.dataset.errors = String(errors.length);
      },
      onRun: () => void run('visible'),
      onSubmit: () => void run('hidden'),
    });
  } catch (error) {
    editorHost.textContent = `The editor could not start: ${(error as Error).message}`;
    return;
  }
  if (phone) notice('On a screen this small the editor is read-only (it says so when you try to type). You can still read the stack, run the tests and read the hints.', 'info');
  root.dataset.editorReady = 'true';
  if (hadSavedWork) {
    notice(`Saved work loaded from this browser (last saved ${new Date(save.updatedAt).toLocaleString()}).`, 'info', { label: 'Reset to starter', run: () => resetToStarter() });
  }
  if (stale.length > 0) {
    notice(`The starter of ${stale.join(', ')} changed since you began (a course update). Your work is kept; compare with a reset copy if a test mentions something new.`, 'warn');
  }

  // ------------------------------------------------------------------ file tree
  const tree = q(root, '[data-file-tree]');
  const treeButtons = new Map<string, HTMLButtonElement>();
  const groups = new Map<string, Workspace['files']>();
  for (const file of workspace.files) {
    const dir = file.path.split('/').slice(0, -1).join('/');
    groups.set(dir, [...(groups.get(dir) ?? []), file]);
  }
  const ordered = [...groups].sort(([a], [b]) => {
    const editableFirst = (d: string) => (groups.get(d)!.some((f) => f.editable) ? 0 : 1);
    return editableFirst(a) - editableFirst(b) || a.localeCompare(b);
  });
  for (const [dir, list] of ordered) {
    const heading = document.createElement('p');
    heading.className = 'wb-tree__dir';
    heading.textContent = `${dir}/`;
    const ul = document.createElement('ul');
    for (const file of list.sort((a, b) => Number(b.editable) - Number(a.editable) || a.path.localeCompare(b.path))) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = file.editable ? 'wb-tree__file wb-tree__file--editable' : 'wb-tree__file';
      button.textContent = file.path.split('/').pop()!;
      const tag = document.createElement('span');
      tag.className = 'wb-tree__tag';
      tag.textContent = file.editable ? 'yours' : 'read-only';
      button.append(' ', tag);
      button.title = file.path;
      button.addEventListener('click', () => editor.open(file.path));
      treeButtons.set(file.path, button);
      li.append(button);
      ul.append(li);
    }
    tree.append(heading, ul);
  }
  function markOpenFile(path: string): void {
    for (const [p, b] of treeButtons) b.toggleAttribute('aria-current', p === path);
    q(root, '[data-open-file]').textContent = path.startsWith('solution:') ? `${path.slice(9)}: yours (left) beside the reference solution (right); pick a file to go back` : path;
  }
  markOpenFile(editor.current());

  // ------------------------------------------------------------------ tasks and hints
  const taskList = q(root, '[data-tasks]');
  let lastResults: ResultsDocument | null = null;
  const renderTasks = (): void =>
    renderTaskList(taskList, { tasks: lab.tasks, hintsShown: save.hintsShown, results: lastResults }, {
      showHint(id) {
        const task = lab.tasks.find((t) => t.id === id)!;
        const shown = save.hintsShown[String(id)] ?? 0;
        save.hintsShown[String(id)] = shown + 1;
        persist();
        renderTasks();
        taskList.querySelector<HTMLElement>(`[data-hint-task="${id}"]`)?.focus();
        const hint = task.hints[shown];
        live.textContent = `Hint ${shown + 1} for task ${id}: ${hint.text}`;
      },
      goToCode(id) {
        const place = taskCodePlace(Object.fromEntries(editablePaths.map((p) => [p, editor.text(p)])), lab.slug, id);
        if ('problem' in place) notice(place.problem, 'warn');
        else editor.goTo(place.path, place.line);
      },
    });
  renderTasks();

  // ------------------------------------------------------------------ terminal
  let terminal: LabTerminal | null = null;
  try {
    const [{ createTerminal }, { LabShell }] = await Promise.all([import('./terminal.ts'), import('./shell.ts')]);
    // The shell drives the stack in the page's worker whichever runner grades (sim needs no server).
    const stackWorker = (): WorkerRunner => (referenceWorker ??= workerRunner());
    const shell = new LabShell({
      scenarios: () => stackWorker().scenarios(),
      sim: (request) => stackWorker().sim(request, Object.fromEntries(editablePaths.map((p) => [p, editor.text(p)]))),
      run: () => void run('visible'),
      submit: () => void run('hidden'),
      download(name, bytes) {
        const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/vnd.tcpdump.pcap' }));
        const a = document.createElement('a');
        a.href = url;
        a.download = name;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      },
      lastTestTrace() {
        const failing = lastResults ? firstFailure(lastResults) : undefined;
        const trace = failing?.trace_ref ? lastResults!.traces[failing.trace_ref] : undefined;
        return failing && trace ? { name: failing.name, trace } : null;
      },
    });
    terminal = createTerminal(q(root, '[data-terminal]'), shell);
  } catch (error) {
    q(root, '[data-terminal]').textContent = `The terminal could not start: ${(error as Error).message}`;
  }

  // ------------------------------------------------------------------ runners
  const workerLab: WorkerLab = { slug: lab.slug, tasks: lab.tasks.map(({ id, title, points }) => ({ id, title, points })), files: lab.files, tests: lab.tests };
  const workerRunner = (): WorkerRunner =>
    new WorkerRunner({
      lab: workerLab,
      createWorker: () => new Worker(new URL('./run-worker.ts', import.meta.url), { type: 'module', name: 'lab-runner' }) as never,
      moduleUrls: { visible: config.urls.visible, hidden: config.urls.hidden },
    });
  // The worker also draws the reference run beside the learner's, whichever runner grades.
  let referenceWorker: WorkerRunner | null = null;
  let runner: Runner | null = null;
  const order = runnerOrder(location.search);
  const candidates: RunnerCandidate[] = [];
  if (order.includes('server')) {
    // The token lives for the tab (sessionStorage), so a reload or the next lab does not ask again.
    const TOKEN_KEY = 'tcp-course:join-token';
    candidates.push({
      kind: 'server',
      probe: () =>
        ServerRunner.probe({
          token: sessionStorage.getItem(TOKEN_KEY),
          askToken: () => {
            const token = window.prompt('This workshop server needs the join token your instructor shows (6 characters):');
            if (token) sessionStorage.setItem(TOKEN_KEY, token.trim());
            return token ? token.trim() : null;
          },
          onTokenRejected: () => sessionStorage.removeItem(TOKEN_KEY),
        }),
    });
  }
  const webContainer = order.includes('webcontainer')
    ? new WebContainerRunner({
        lab: config.slug,
        boundary: { boot: async (options) => (await import('@webcontainer/api')).WebContainer.boot(options) as never },
        loadTree: async () => (await (await fetch(config.urls.webcontainer)).json()) as FileSystemTree,
        toolchain: {
          // runtime.json says whether the build holds a toolchain, so no request fails when not.
          available: async () => ((await (await fetch(RUNTIME_URL)).json()) as { webcontainerToolchain?: boolean }).webcontainerToolchain === true,
          load: async () => {
            const response = await fetch(config.urls.toolchain);
            if (!response.ok) throw new Error(`HTTP ${response.status} for ${config.urls.toolchain}`);
            return inflateSnapshot(await response.arrayBuffer());
          },
        },
        onOutput: (text) => terminal?.write(text),
      })
    : null;
  const environment = { crossOriginIsolated: window.crossOriginIsolated, userAgent: navigator.userAgent, maxTouchPoints: navigator.maxTouchPoints, online: navigator.onLine };
  if (webContainer) candidates.push({ kind: 'webcontainer', probe: () => webContainer.probe(environment) });
  if (order.includes('worker')) {
    candidates.push({
      kind: 'worker',
      probe: async () => {
        if (typeof Worker === 'undefined') return { ok: false, reason: 'this browser has no Web Workers' };
        const candidate = workerRunner();
        const ready = await candidate.warm();
        if (ready.ok) referenceWorker = candidate;
        return ready;
      },
    });
  }
  buttons.run.addEventListener('click', () => void run('visible'));
  buttons.submit.addEventListener('click', () => void run('hidden'));
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    void run(event.shiftKey ? 'hidden' : 'visible');
  });
  // The last results come back with the page; their diagrams need a runner, so they follow it.
  const restored = loadResults(localStorage, config.slug);
  if (restored) await showResults(restored.doc, restored.savedAt);

  runnerStatus.textContent = 'Choosing where your tests run…';
  const choice = await chooseRunner(candidates, (kind) => (runnerStatus.textContent = TRYING[kind]));
  runner = choice.runner;
  root.dataset.runner = runner?.kind ?? 'none';
  runnerStatus.textContent = runner ? `Runner: ${RUNNER_LABELS[runner.kind]}. ${choice.explanation}` : choice.explanation;
  const trust = q(root, '[data-trust]');
  trust.dataset.grading = runner?.kind === 'server' ? 'server' : 'practice';
  trust.textContent =
    runner?.kind === 'server'
      ? 'Grading happens on the course server: it runs the hidden tests on your files, keeps the score and holds the solution back until you pass.'
      : 'Practice, not grading: there is no grading course server here, so the tests — hidden ones included — run in this browser, where anyone can read or change them. Scores on this page are for you; an instructor grades with the course server.';
  if (runner?.kind === 'webcontainer' && webContainer?.instance && terminal) await terminal.attachShell(webContainer.instance);
  if (!runner) {
    buttons.run.disabled = true;
    buttons.submit.disabled = true;
  }

  // ------------------------------------------------------------------ run and submit
  async function run(suite: Suite): Promise<void> {
    if (busy) return;
    busy = true;
    const stateBefore = resultsPanel.dataset.state;
    if (root.dataset.ready !== 'true') {
      live.textContent = 'Your run starts as soon as the page has chosen where tests run (see the line above the editor)…';
      resultsPanel.dataset.state = 'waiting';
      await pageReady;
    }
    if (!runner) {
      if (stateBefore === undefined) delete resultsPanel.dataset.state;
      else resultsPanel.dataset.state = stateBefore;
      busy = false;
      return;
    }
    buttons.run.disabled = buttons.submit.disabled = true;
    root.setAttribute('aria-busy', 'true');
    const label = suite === 'hidden' ? 'Submitting to the hidden tests' : 'Running the visible tests';
    live.textContent = `${label}…`;
    resultsPanel.dataset.state = 'running';
    const files = Object.fromEntries(editablePaths.map((p) => [p, editor.text(p)]));
    save.attempts[suite === 'hidden' ? 'hidden' : 'visible']++;
    persist();
    const started = performance.now();
    let doc: ResultsDocument;
    try {
      doc = await runner.run({ lab: config.slug, suite, files });
    } finally {
      busy = false;
      buttons.run.disabled = buttons.submit.disabled = false;
      root.removeAttribute('aria-busy');
    }
    const elapsed = performance.now() - started;
    resultsPanel.dataset.elapsedMs = elapsed.toFixed(1);
    storeResults(localStorage, config.slug, doc);
    await showResults(doc);
    if (suite === 'hidden' && doc.status !== 'error' && doc.score.max > 0) {
      try {
        recordLabScore(localStorage, config.slug, doc.score.points, doc.score.max);
      } catch (error) {
        notice((error as Error).message, 'error');
      }
      if (doc.status === 'pass') save.passed = true;
      persist();
      updateScore();
    }
    updateSolutionButton();
    live.textContent = summarise(doc);
    await drawDiagrams(doc);
  }

  /** Fills the Results pane (after a run, or from the last run on a reload). */
  async function showResults(doc: ResultsDocument, restoredFrom?: string): Promise<void> {
    const { renderResults, terminalReport } = await import('./results-view.ts');
    renderResults(resultsPanel, doc);
    if (restoredFrom) {
      const note = document.createElement('p');
      note.className = 'wb-restored';
      note.textContent = `Your last results, from ${new Date(restoredFrom).toLocaleString()}; Run again to check your current code.`;
      resultsPanel.prepend(note);
      resultsPanel.dataset.restored = 'true';
    } else {
      delete resultsPanel.dataset.restored;
      terminal?.write(terminalReport(doc));
      terminal?.shell?.noteTestRun();
    }
    resultsPanel.dataset.suite = doc.suite;
    if (!restoredFrom) resultsPanel.dataset.runs = String(Number(resultsPanel.dataset.runs ?? 0) + 1);
    resultsPanel.dataset.state = doc.status;
    lastResults = doc;
    renderTasks();
  }

  const scoreLine = q(root, '[data-score]');
  function updateScore(): void {
    const raw = localStorage.getItem('tcp-course:progress');
    let text = 'Not submitted yet';
    try {
      const lab = raw ? (JSON.parse(raw) as { labs?: Record<string, { points: number; max: number }> }).labs?.[config.slug] : undefined;
      if (lab) text = `Score ${lab.points}/${lab.max}`;
    } catch {
      // progress.ts reports unreadable saves on the pages that load it
    }
    scoreLine.textContent = text;
  }
  updateScore();
  window.addEventListener(PROGRESS_EVENT, updateScore);

  // ------------------------------------------------------------------ diagrams
  const diagrams = q(root, '[data-diagrams]');
  let diagramsDrawn = 0;
  async function drawDiagrams(doc: ResultsDocument): Promise<void> {
    const drawing = ++diagramsDrawn;
    const failing = firstFailure(doc);
    const learnerTrace = failing?.trace_ref ? doc.traces[failing.trace_ref] : undefined;
    if (!failing || !learnerTrace) {
      diagrams.hidden = true;
      return;
    }
    // Everything is computed first and swapped in at once, so the panes never show empty while
    // the figures module and the reference run load (they did for 0.1–0.4 s after each result).
    const [{ renderSequence }, { runFromTrace }] = await Promise.all([import('../figures/index.ts'), import('./trace-run.ts')]);
    const learnerRun = runFromTrace(learnerTrace, `your run of “${failing.name}”`, failing.seed);
    // The server draws reference runs of its hidden tests; the worker those the browser holds.
    const source = runner?.referenceTrace ? runner : (referenceWorker ??= workerRunner());
    const referenceTrace = (await source.referenceTrace?.(config.slug, doc.suite, failing.name, failing.seed)) ?? null;
    if (drawing !== diagramsDrawn) return; // a newer result is being drawn
    const referenceRun = referenceTrace ? runFromTrace(referenceTrace, `reference run of “${failing.name}”`, failing.seed) : null;
    const divergence = referenceTrace ? traceDivergence(learnerTrace, referenceTrace) : null;
    const mine = document.createElement('div');
    const theirs = document.createElement('div');
    if (learnerRun) mine.innerHTML = renderSequence(learnerRun, { highlightSegmentId: divergence?.learnerId ?? undefined });
    else mine.textContent = 'Your run sent no segment between two hosts.';
    if (referenceRun) theirs.innerHTML = renderSequence(referenceRun, { highlightSegmentId: divergence?.referenceId ?? undefined });
    else theirs.textContent = 'The reference run of this test is not available here.';
    q(diagrams, '[data-diagram="learner"]').replaceChildren(...mine.childNodes);
    q(diagrams, '[data-diagram="reference"]').replaceChildren(...theirs.childNodes);
    q(diagrams, '[data-divergence]').textContent = divergence
      ? divergence.text
      : referenceTrace
        ? 'Your run and the reference send exactly the same segments (every field, every time); the difference is in a state or timing check (see the steps).'
        : '';
    diagrams.hidden = false;
  }

  // ------------------------------------------------------------------ reset, solution, export, import
  function resetToStarter(): void {
    const names = editablePaths.join(', ');
    if (!window.confirm(`Reset ${names} to the starter? Your edits are replaced (Ctrl+Z in the editor brings them back until you reload).`)) return;
    for (const path of editablePaths) editor.setText(path, starters[path]);
    save.starterHashes = Object.fromEntries(editablePaths.map((p) => [p, textHash(starters[p])]));
    persist();
    notice(`${names} reset to the starter.`, 'info');
    editor.open(editablePaths[0]);
  }
  buttons.reset.addEventListener('click', resetToStarter);

  const instructor = new URLSearchParams(location.search).has('instructor');
  const solutionNote = q(root, '[data-solution-note]');
  function updateSolutionButton(): void {
    const reveal = solutionReveal(lab.solution, save, instructor);
    buttons.solution.setAttribute('aria-disabled', String(!reveal.available));
    solutionNote.textContent = reveal.reason;
  }
  updateSolutionButton();
  buttons.solution.addEventListener('click', async () => {
    const reveal = solutionReveal(lab.solution, save, instructor);
    if (!reveal.available) {
      live.textContent = reveal.reason;
      solutionNote.classList.add('wb-solution-note--flash');
      setTimeout(() => solutionNote.classList.remove('wb-solution-note--flash'), 1200);
      return;
    }
    // A grading course server keeps solutions and checks the pass itself; elsewhere it is a file.
    if (runner?.solution) {
      const answer = await runner.solution(lab.slug, Object.fromEntries(editablePaths.map((p) => [p, editor.text(p)])));
      if ('refused' in answer) notice(`The course server did not give out the solution: ${answer.refused}.`, 'error');
      else editor.showSolution(editablePaths[0], answer.solution[editablePaths[0]]);
      return;
    }
    try {
      const response = await fetch(config.urls.solution);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const solution = (await response.json()) as Record<string, string>;
      editor.showSolution(editablePaths[0], solution[editablePaths[0]]);
    } catch (error) {
      notice(`The solution could not be loaded: ${(error as Error).message}`, 'error');
    }
  });

  buttons.export.addEventListener('click', () => {
    persist();
    const text = exportCourse(localStorage);
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `tcp-course-progress-${new Date().toISOString().slice(0, 10)}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    live.textContent = 'Exported everything: progress, review cards and the files of every lab you started.';
  });

  buttons.import.addEventListener('change', async () => {
    const file = buttons.import.files?.[0];
    if (!file) return;
    try {
      const report = importCourse(localStorage, await file.text());
      if (report.labFiles.includes(config.slug)) {
        const fresh = loadLabSave(localStorage, config.slug).save;
        if (fresh) {
          Object.assign(save, fresh);
          for (const path of editablePaths) editor.setText(path, save.files[path] ?? starters[path]);
          renderTasks();
          updateSolutionButton();
        }
      }
      updateScore();
      notice(`Imported ${file.name}. ${describeImport(report)}`, 'info');
    } catch (error) {
      notice(`${file.name} was not imported, and nothing changed: ${(error as Error).message}`, 'error');
    } finally {
      buttons.import.value = '';
    }
  });

  root.dataset.ready = 'true';
  markReady();
  if (restored && resultsPanel.dataset.restored === 'true' && runner) await drawDiagrams(restored.doc);
}
