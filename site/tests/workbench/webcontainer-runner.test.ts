// The WebContainer runner up to the @webcontainer/api boundary: a fake container records every
// call, so these tests pin what the runner asks of the real API (boot options, mount order, the
// learner file's path, the npm script, the results file) and how it fails.
import { beforeEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import {
  inflateSnapshot,
  resetTabContainer,
  webContainerBlocker,
  WebContainerRunner,
  type ContainerLike,
  type ContainerProcess,
  type FileSystemTree,
  type WebContainerBoundary,
} from '../../lib/workbench/webcontainer-runner.ts';

const chrome = { crossOriginIsolated: true, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0', maxTouchPoints: 0, online: true };
const doc = { version: 1, lab: 'handshake', suite: 'visible', status: 'fail', seed: 1, score: { points: 0, max: 100 }, tasks: [], tests: [], traces: {}, message: null };

class FakeContainer implements ContainerLike {
  calls: string[] = [];
  files = new Map<string, string>();
  exitCode: Promise<number> = Promise.resolve(1);
  killed = false;
  /** What `npm run …` leaves behind, by script name. */
  onRun: (script: string) => void = () => {};
  errorListener: ((e: { message: string }) => void) | null = null;

  async mount(tree: FileSystemTree | Uint8Array | ArrayBuffer): Promise<void> {
    this.calls.push(tree instanceof ArrayBuffer ? `mount(snapshot ${tree.byteLength} bytes)` : `mount(tree: ${Object.keys(tree).join(',')})`);
  }
  async spawn(command: string, args: string[] = []): Promise<ContainerProcess> {
    this.calls.push(`spawn(${[command, ...args].join(' ')})`);
    if (command === 'npm') this.onRun(args[1]);
    return {
      exit: this.exitCode,
      output: new ReadableStream<string>({ start: (c) => { c.enqueue('vitest output\n'); c.close(); } }),
      input: new WritableStream<string>(),
      kill: () => { this.killed = true; },
      resize: () => {},
    };
  }
  fs = {
    writeFile: async (path: string, data: string) => { this.calls.push(`writeFile(${path})`); this.files.set(path, data); },
    readFile: async (path: string) => {
      const text = this.files.get(path);
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
    mkdir: async () => undefined,
    rm: async (path: string) => { this.files.delete(path); },
  };
  on(_event: 'error', listener: (e: { message: string }) => void): () => void {
    this.errorListener = listener;
    return () => { this.errorListener = null; };
  }
  teardown(): void {}
}

function boundary(container: FakeContainer | null, record: string[]): WebContainerBoundary {
  return {
    boot: (options) => {
      record.push(`boot(${JSON.stringify(options)})`);
      return container ? Promise.resolve(container) : new Promise(() => {});
    },
  };
}

const tree: FileSystemTree = { 'package.json': { file: { contents: '{}' } }, stack: { directory: {} } };
const snapshot = { available: async () => true, load: async () => new ArrayBuffer(8) };

beforeEach(() => resetTabContainer());

describe('webContainerBlocker', () => {
  it('refuses without cross-origin isolation and on iPhone/iPad, allows desktop Chromium', () => {
    expect(webContainerBlocker({ ...chrome, crossOriginIsolated: false })).toMatch(/not cross-origin isolated/);
    expect(webContainerBlocker({ ...chrome, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 19_0)' })).toMatch(/iPhone and iPad/);
    expect(webContainerBlocker({ ...chrome, userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X) Safari', maxTouchPoints: 5 })).toMatch(/iPhone and iPad/);
    expect(webContainerBlocker({ ...chrome, online: false })).toMatch(/offline/);
    expect(webContainerBlocker(chrome)).toBeNull();
  });
});

describe('inflateSnapshot', () => {
  it('inflates the gzipped snapshot the build serves, and passes through bytes a host already inflated', async () => {
    const raw = new TextEncoder().encode('\x81\xa1d\x80 a msgpack snapshot, say');
    const packed = gzipSync(raw);
    const inflated = await inflateSnapshot(packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength));
    expect(new Uint8Array(inflated)).toEqual(raw);
    expect(new Uint8Array(await inflateSnapshot(raw.buffer))).toEqual(raw);
    expect((await inflateSnapshot(new ArrayBuffer(0))).byteLength).toBe(0);
  });

  it('rejects a truncated download instead of mounting half a toolchain', async () => {
    const packed = gzipSync(new Uint8Array(4096).fill(7));
    await expect(inflateSnapshot(packed.buffer.slice(packed.byteOffset, packed.byteOffset + 20))).rejects.toThrow();
  });
});

describe('WebContainerRunner.probe', () => {
  it('does not contact StackBlitz at all when the build has no toolchain snapshot', async () => {
    const record: string[] = [];
    const runner = new WebContainerRunner({ lab: 'handshake', boundary: boundary(new FakeContainer(), record), loadTree: async () => tree, toolchain: { available: async () => false, load: async () => { throw new Error('must not be fetched'); } } });
    expect(await runner.probe(chrome)).toMatchObject({ ok: false, reason: expect.stringMatching(/no in-container test toolchain/) });
    expect(record).toEqual([]);
  });

  it('does not boot when the browser is offline', async () => {
    const record: string[] = [];
    const runner = new WebContainerRunner({ lab: 'handshake', boundary: boundary(new FakeContainer(), record), loadTree: async () => tree, toolchain: snapshot });
    expect(await runner.probe({ ...chrome, online: false })).toMatchObject({ ok: false, reason: expect.stringMatching(/offline/) });
    expect(record).toEqual([]);
  });

  it('boots while the toolchain downloads, and reports a failed download', async () => {
    const record: string[] = [];
    let fail: (error: Error) => void = () => {};
    const toolchain = { available: async () => true, load: () => { record.push('load'); return new Promise<ArrayBuffer>((_, reject) => { fail = reject; }); } };
    const container = new FakeContainer();
    const probing = new WebContainerRunner({ lab: 'handshake', boundary: boundary(container, record), loadTree: async () => tree, toolchain }).probe(chrome);
    await new Promise((r) => setTimeout(r, 0));
    expect(record).toEqual(['load', 'boot({"coep":"require-corp","workdirName":"tcp-course"})']);
    fail(new Error('HTTP 404 for /lab-data/webcontainer-toolchain.bin.gz'));
    expect(await probing).toMatchObject({ ok: false, reason: expect.stringMatching(/toolchain could not be loaded: HTTP 404/) });
    expect(container.calls).toEqual([]);
  });

  it('gives up on a boot that hangs, naming the timeout', async () => {
    const record: string[] = [];
    const runner = new WebContainerRunner({ lab: 'handshake', boundary: boundary(null, record), loadTree: async () => tree, toolchain: snapshot, bootTimeoutMs: 30 });
    const result = await runner.probe(chrome);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/WebContainer boot did not finish within 0 s.*StackBlitz/) });
    expect(record).toEqual(['boot({"coep":"require-corp","workdirName":"tcp-course"})']);
  });

  it('boots once per tab and mounts the toolchain snapshot before the lab tree', async () => {
    const record: string[] = [];
    const container = new FakeContainer();
    const options = { lab: 'handshake', boundary: boundary(container, record), loadTree: async () => tree, toolchain: snapshot };
    expect((await new WebContainerRunner(options).probe(chrome)).ok).toBe(true);
    expect((await new WebContainerRunner(options).probe(chrome)).ok).toBe(true);
    expect(record).toHaveLength(1);
    expect(container.calls.slice(0, 2)).toEqual(['mount(snapshot 8 bytes)', 'mount(tree: package.json,stack)']);
  });
});

describe('WebContainerRunner.run', () => {
  async function ready(container: FakeContainer, runTimeoutMs?: number) {
    const output: string[] = [];
    const runner = new WebContainerRunner({ lab: 'handshake', boundary: boundary(container, []), loadTree: async () => tree, toolchain: snapshot, runTimeoutMs, onOutput: (t) => output.push(t) });
    await runner.probe(chrome);
    container.calls = [];
    return { runner, output };
  }

  it('writes the learner file beside the dispatcher, runs the npm script and reads the results file', async () => {
    const container = new FakeContainer();
    container.onRun = (script) => container.files.set(`.results/${script === 'submit' ? 'hidden' : 'visible'}.json`, JSON.stringify(doc));
    const { runner, output } = await ready(container);
    const result = await runner.run({ lab: 'handshake', suite: 'visible', files: { 'stack/core/tcp/handshake.ts': 'export {}' } });
    expect(container.calls).toEqual(['writeFile(stack/core/tcp/handshake.learner.ts)', 'spawn(npm run test)']);
    expect(container.files.get('stack/core/tcp/handshake.learner.ts')).toBe('export {}');
    expect(result.status).toBe('fail');
    await new Promise((r) => setTimeout(r, 0));
    expect(output.join('')).toContain('vitest output');
    await runner.run({ lab: 'handshake', suite: 'hidden', files: {} });
    expect(container.calls.at(-1)).toBe('spawn(npm run submit)');
  });

  it('never reads a stale results file from an earlier run', async () => {
    const container = new FakeContainer();
    container.files.set('.results/visible.json', JSON.stringify(doc));
    const { runner } = await ready(container);
    const result = await runner.run({ lab: 'handshake', suite: 'visible', files: {} });
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/ended without writing its results/);
  });

  it('kills a run that does not finish in time', async () => {
    const container = new FakeContainer();
    container.exitCode = new Promise(() => {});
    const { runner } = await ready(container, 30);
    const result = await runner.run({ lab: 'handshake', suite: 'visible', files: {} });
    expect(result.message).toMatch(/the test run did not finish within 0 s; it was stopped/);
    expect(container.killed).toBe(true);
  });

  it('reports an error the container raised', async () => {
    const container = new FakeContainer();
    const { runner } = await ready(container);
    container.errorListener?.({ message: 'Out of memory' });
    expect((await runner.run({ lab: 'handshake', suite: 'visible', files: {} })).message).toBe('The WebContainer reported an error: Out of memory');
  });
});
