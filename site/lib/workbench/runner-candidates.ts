/**
 * Which runners a lab page tries, in order (runner.ts runnerOrder): the course server (asking for
 * a workshop's join token once per tab), a WebContainer, the in-browser worker. The worker is
 * also the page's stack for the terminal and the reference diagrams, whichever runner grades.
 */
import { runnerOrder, type RunnerCandidate } from './runner.ts';
import { RUNTIME_URL, ServerRunner, type WorkshopLearner } from './server-runner.ts';
import { WorkerRunner } from './worker-runner.ts';
import { inflateSnapshot, WebContainerRunner, type FileSystemTree } from './webcontainer-runner.ts';
import type { LabMeta } from '../../../labs/kit/definition.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export interface CandidateUrls {
  visible: string;
  hidden: string;
  webcontainer: string;
  toolchain: string;
}

export interface PageRunners {
  candidates: RunnerCandidate[];
  webContainer: WebContainerRunner | null;
  /** The page's worker: the probed one when it won, else made on first use. */
  stackWorker(): WorkerRunner;
}

// The token lives for the tab (sessionStorage), so a reload or the next lab does not ask again.
const TOKEN_KEY = 'tcp-course:join-token';
// The learner's id in the workshop record lives for the browser (localStorage): a new tab, a
// restart of the browser or of the course server keeps recording under the same name. localStorage
// belongs to the origin, so each workshop server's address has its own.
const LEARNER_KEY = 'tcp-course:workshop-learner';
// "Run without joining", for the tab: not asked again on the next lab or a reload.
const DECLINED_KEY = 'tcp-course:workshop-declined';

export interface WorkshopEvents {
  /** The learner joined a workshop record (the page says so). */
  onJoined?(learner: WorkshopLearner): void;
}

/**
 * The tab's or the browser's storage, or nothing: a browser that blocks site data throws on the
 * mere property read (SecurityError), and a full one on a write; the workbench must still run
 * there. The join token (and the name) are then asked for again on the next page.
 */
function guarded(area: () => Storage) {
  return {
    get(key: string): string | null {
      try {
        return area().getItem(key);
      } catch {
        return null;
      }
    },
    set(key: string, value: string): void {
      try {
        area().setItem(key, value);
      } catch {
        // Not remembered: asked again on the next page.
      }
    },
    remove(key: string): void {
      try {
        area().removeItem(key);
      } catch {
        // Nothing was stored.
      }
    },
  };
}
const tabStorage = guarded(() => sessionStorage);
const browserStorage = guarded(() => localStorage);

/** The remembered learner, if the stored copy is one (anything else is forgotten). */
function storedLearner(): WorkshopLearner | null {
  try {
    const value = JSON.parse(browserStorage.get(LEARNER_KEY) ?? 'null') as Partial<WorkshopLearner> | null;
    if (value && typeof value.id === 'string' && typeof value.name === 'string') return { id: value.id, name: value.name };
  } catch {
    // Damaged: joining again makes a new one.
  }
  return null;
}

export function pageRunners(lab: LabMeta, urls: CandidateUrls, onContainerOutput: (text: string) => void, t: WorkbenchStrings = WORKBENCH_EN, workshop: WorkshopEvents = {}): PageRunners {
  const makeWorker = (): WorkerRunner =>
    new WorkerRunner({
      lab,
      createWorker: () => new Worker(new URL('./run-worker.ts', import.meta.url), { type: 'module', name: 'lab-runner' }) as never,
      moduleUrls: { visible: urls.visible, hidden: urls.hidden },
    });
  let worker: WorkerRunner | null = null;
  const order = runnerOrder(location.search);
  const candidates: RunnerCandidate[] = [];
  if (order.includes('server')) {
    candidates.push({
      kind: 'server',
      probe: () =>
        ServerRunner.probe({
          token: tabStorage.get(TOKEN_KEY),
          askToken: () => {
            const token = window.prompt(t.askJoinToken);
            if (token) tabStorage.set(TOKEN_KEY, token.trim());
            return token ? token.trim() : null;
          },
          onTokenRejected: () => tabStorage.remove(TOKEN_KEY),
          // After the token, once: the name the instructor's dashboard shows (Cancel: run unrecorded).
          learner: storedLearner()?.id ?? null,
          declined: tabStorage.get(DECLINED_KEY) === 'yes',
          askName: (problem) => window.prompt(t.askLearnerName(problem)),
          onDeclined: () => tabStorage.set(DECLINED_KEY, 'yes'),
          onJoined: (learner) => {
            browserStorage.set(LEARNER_KEY, JSON.stringify(learner));
            workshop.onJoined?.(learner);
          },
          onLearnerUnknown: () => browserStorage.remove(LEARNER_KEY),
        }),
    });
  }
  const webContainer = order.includes('webcontainer')
    ? new WebContainerRunner({
        lab: lab.slug,
        boundary: { boot: async (options) => (await import('@webcontainer/api')).WebContainer.boot(options) as never },
        loadTree: async () => (await (await fetch(urls.webcontainer)).json()) as FileSystemTree,
        toolchain: {
          // runtime.json says whether the build holds a toolchain, so no request fails when not.
          available: async () => ((await (await fetch(RUNTIME_URL)).json()) as { webcontainerToolchain?: boolean }).webcontainerToolchain === true,
          load: async () => {
            const response = await fetch(urls.toolchain);
            if (!response.ok) throw new Error(`HTTP ${response.status} for ${urls.toolchain}`);
            return inflateSnapshot(await response.arrayBuffer());
          },
        },
        onOutput: onContainerOutput,
      })
    : null;
  const environment = { crossOriginIsolated: window.crossOriginIsolated, userAgent: navigator.userAgent, maxTouchPoints: navigator.maxTouchPoints, online: navigator.onLine };
  if (webContainer) candidates.push({ kind: 'webcontainer', probe: () => webContainer.probe(environment) });
  if (order.includes('worker')) {
    candidates.push({
      kind: 'worker',
      probe: async () => {
        if (typeof Worker === 'undefined') return { ok: false, reason: 'this browser has no Web Workers' };
        const candidate = makeWorker();
        const ready = await candidate.warm();
        if (ready.ok) worker = candidate;
        return ready;
      },
    });
  }
  return { candidates, webContainer, stackWorker: () => (worker ??= makeWorker()) };
}
