/**
 * The WebContainer runner: a real Node (StackBlitz's `@webcontainer/api`) in the tab, booted once
 * per tab, with the lab's tree and a pre-installed test toolchain mounted — no `npm install` on
 * the learner's side. Everything here talks to the API through `WebContainerBoundary`, the subset
 * of `@webcontainer/api` 1.6 we use, so tests drive it with a fake that records every call.
 */
import { acceptResults, errorResults, type ResultsDocument } from './results.ts';
import type { Availability, RunRequest, Runner } from './runner.ts';
import { withTimeout } from './runner.ts';
import { learnerPath } from './worker-grade.ts';

/** `FileSystemTree` of @webcontainer/api. */
export type FileSystemTree = { [name: string]: { file: { contents: string | Uint8Array } } | { directory: FileSystemTree } };

export interface ContainerProcess {
  exit: Promise<number>;
  output: ReadableStream<string>;
  input: WritableStream<string>;
  kill(): void;
  resize(size: { cols: number; rows: number }): void;
}

export interface ContainerLike {
  mount(tree: FileSystemTree | Uint8Array | ArrayBuffer, options?: { mountPoint?: string }): Promise<void>;
  spawn(command: string, args?: string[], options?: { cwd?: string; env?: Record<string, string>; output?: boolean; terminal?: { cols: number; rows: number } }): Promise<ContainerProcess>;
  fs: {
    writeFile(path: string, data: string): Promise<void>;
    readFile(path: string, encoding: 'utf-8'): Promise<string>;
    mkdir(path: string, options: { recursive: true }): Promise<unknown>;
    rm(path: string, options?: { force?: boolean; recursive?: boolean }): Promise<void>;
  };
  on(event: 'error', listener: (error: { message: string }) => void): () => void;
  teardown(): void;
}

/** The one call that leaves our code: `WebContainer.boot`. */
export interface WebContainerBoundary {
  boot(options: { coep: 'require-corp' | 'credentialless'; workdirName: string }): Promise<ContainerLike>;
}

export interface Environment {
  crossOriginIsolated: boolean;
  userAgent: string;
  maxTouchPoints: number;
  /** `navigator.onLine`: false means certainly offline (true only means "maybe online"). */
  online: boolean;
}

/** The toolchain's node_modules as a @webcontainer/snapshot binary, when the build made one. */
export interface ToolchainSource {
  /** Whether the build holds one (runtime.json), asked before anything is fetched or booted. */
  available(): Promise<boolean>;
  /** The snapshot's bytes, inflated (see inflateSnapshot). */
  load(): Promise<ArrayBuffer>;
}

export interface WebContainerRunnerOptions {
  lab: string;
  boundary: WebContainerBoundary;
  /** The lab's tree (site/lib/workbench/webcontainer-tree.ts), fetched as JSON. */
  loadTree: () => Promise<FileSystemTree>;
  toolchain: ToolchainSource;
  bootTimeoutMs?: number;
  runTimeoutMs?: number;
  /** Where the in-container run prints as it goes (the terminal). */
  onOutput?: (text: string) => void;
}

export const BOOT_TIMEOUT_MS = 20_000;
export const RESULTS_DIR = '.results';

/**
 * Why this browser should not even try. iPhones and iPads crash tabs under WebContainers
 * (learn.svelte.dev and svelte.dev disable them there), and without cross-origin isolation
 * SharedArrayBuffer — which the runtime needs — does not exist.
 */
export function webContainerBlocker(env: Environment): string | null {
  if (!env.crossOriginIsolated) return 'this page is not cross-origin isolated (the server must send COOP/COEP headers)';
  const ios = /iPhone|iPad|iPod/.test(env.userAgent) || (/Macintosh/.test(env.userAgent) && env.maxTouchPoints > 1);
  if (ios) return 'WebContainers are not used on iPhone and iPad (tabs run out of memory)';
  if (!env.online) return 'the browser is offline, and a WebContainer boots from StackBlitz\'s servers';
  return null;
}

/**
 * The build ships the snapshot gzipped (static hosts seldom compress application/octet-stream).
 * A host that served it with `Content-Encoding: gzip` has already inflated it, so only bytes that
 * still start with gzip's magic number are inflated here.
 */
export async function inflateSnapshot(bytes: ArrayBuffer): Promise<ArrayBuffer> {
  const head = new Uint8Array(bytes, 0, Math.min(2, bytes.byteLength));
  if (head[0] !== 0x1f || head[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

// One container per tab, whatever number of runners ask (the API allows one instance at a time).
let tabContainer: Promise<ContainerLike> | null = null;

/** For tests: forget the tab's container. */
export function resetTabContainer(): void {
  tabContainer = null;
}

export class WebContainerRunner implements Runner {
  readonly kind = 'webcontainer' as const;
  readonly label = 'WebContainer';
  private container: ContainerLike | null = null;
  private bootError: string | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: WebContainerRunnerOptions) {}

  /** Boots (once per tab) and mounts the toolchain and the lab; reports why not on failure. */
  async probe(env: Environment): Promise<Availability> {
    const blocker = webContainerBlocker(env);
    if (blocker) return { ok: false, reason: blocker };
    // Without the toolchain snapshot there is nothing to run; do not contact StackBlitz at all.
    try {
      if (!(await this.options.toolchain.available())) return { ok: false, reason: 'this build has no in-container test toolchain (node_modules snapshot)' };
    } catch (error) {
      return { ok: false, reason: `could not tell whether this build has an in-container toolchain: ${(error as Error).message}` };
    }
    const timeout = this.options.bootTimeoutMs ?? BOOT_TIMEOUT_MS;
    // The download and the boot overlap: both take seconds on a real connection.
    const toolchainLoad = this.options.toolchain.load().then(
      (bytes) => ({ bytes }),
      (error: Error) => ({ error }),
    );
    try {
      tabContainer ??= withTimeout(this.options.boundary.boot({ coep: 'require-corp', workdirName: 'tcp-course' }), timeout, 'WebContainer boot');
      this.container = await tabContainer;
    } catch (error) {
      tabContainer = null;
      return { ok: false, reason: `${(error as Error).message} (it needs StackBlitz's servers; blocked third-party cookies also stop it)` };
    }
    const toolchain = await toolchainLoad;
    if ('error' in toolchain) return { ok: false, reason: `the in-container toolchain could not be loaded: ${toolchain.error.message}` };
    this.unsubscribe = this.container.on('error', (error) => {
      this.bootError = error.message;
    });
    try {
      await this.container.mount(toolchain.bytes);
      await this.container.mount(await this.options.loadTree());
    } catch (error) {
      return { ok: false, reason: `the lab could not be mounted: ${(error as Error).message}` };
    }
    return { ok: true, runner: this, note: 'A real Node runs the lab in this tab; the terminal is its shell.' };
  }

  /** The booted container, for the terminal's `jsh`. */
  get instance(): ContainerLike | null {
    return this.container;
  }

  async run(request: RunRequest): Promise<ResultsDocument> {
    const container = this.container;
    if (!container) return errorResults(request.lab, request.suite, 'The WebContainer is not running.');
    if (this.bootError) return errorResults(request.lab, request.suite, `The WebContainer reported an error: ${this.bootError}`);
    const resultsFile = `${RESULTS_DIR}/${request.suite}.json`;
    try {
      for (const [file, text] of Object.entries(request.files)) await container.fs.writeFile(learnerPath(file), text);
      await container.fs.rm(resultsFile, { force: true });
      const process = await container.spawn('npm', ['run', request.suite === 'hidden' ? 'submit' : 'test'], { output: true });
      const onOutput = this.options.onOutput;
      if (onOutput) void process.output.pipeTo(new WritableStream({ write: (chunk) => onOutput(chunk) })).catch(() => {});
      const limit = this.options.runTimeoutMs ?? 60_000;
      try {
        await withTimeout(process.exit, limit, 'the test run');
      } catch (error) {
        process.kill();
        return errorResults(request.lab, request.suite, `${(error as Error).message}; it was stopped. Look for a loop that never ends.`);
      }
      // vitest exits non-zero when a test fails; the results file is what says how.
      let text: string;
      try {
        text = await container.fs.readFile(resultsFile, 'utf-8');
      } catch {
        return errorResults(request.lab, request.suite, 'The test run ended without writing its results (see the terminal for what it printed).');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return errorResults(request.lab, request.suite, `${resultsFile} is not JSON.`);
      }
      return acceptResults(parsed, request.lab, request.suite);
    } catch (error) {
      return errorResults(request.lab, request.suite, `The WebContainer run failed: ${(error as Error).message}`);
    }
  }

  dispose(): void {
    this.unsubscribe?.();
    // The container itself stays for the tab (boot is the slow part); navigation reuses it.
  }
}
