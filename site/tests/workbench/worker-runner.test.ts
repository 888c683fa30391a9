import { describe, expect, it, vi } from 'vitest';
import { WorkerRunner, type WorkerLike } from '../../lib/workbench/worker-runner.ts';
import type { WorkerMessage, WorkerReply } from '../../lib/workbench/run-worker.ts';
import type { ResultsDocument } from '../../lib/workbench/results.ts';

const lab = { slug: 'handshake', tasks: [{ id: 1, title: 'ISN', points: 10 }], files: ['stack/core/tcp/handshake.ts'], tests: { visible: 'visible.test.ts', hidden: 'hidden.test.ts' } };

function passDoc(suite: 'visible' | 'hidden'): ResultsDocument {
  return { version: 1, lab: 'handshake', suite, status: 'pass', seed: 1, score: { points: 10, max: 10 }, tasks: [], tests: [{ name: 't', task_id: 1, status: 'pass', message: null, steps: [], trace_ref: null, seed: 1, duration_ms: 1 }], traces: {}, message: null };
}

/** A worker that answers each run with `answer(message)`, or never when it returns undefined. */
class FakeWorker implements WorkerLike {
  static made: FakeWorker[] = [];
  posted: WorkerMessage[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<WorkerReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  constructor(private readonly answer: (m: WorkerMessage) => WorkerReply | undefined) {
    FakeWorker.made.push(this);
  }
  postMessage(message: WorkerMessage): void {
    this.posted.push(message);
    const reply = this.answer(message);
    if (reply) queueMicrotask(() => this.onmessage?.({ data: reply } as MessageEvent<WorkerReply>));
  }
  terminate(): void {
    this.terminated = true;
  }
}

const options = (answer: (m: WorkerMessage) => WorkerReply | undefined, timeLimitMs = 1000) => ({
  lab,
  createWorker: () => new FakeWorker(answer),
  moduleUrls: { visible: '/v.json', hidden: '/h.json' },
  timeLimitMs,
});

describe('WorkerRunner', () => {
  it('sends the learner files and the module maps a suite needs, and returns the document', async () => {
    FakeWorker.made = [];
    const runner = new WorkerRunner(options((m) => (m.type === 'run' ? { type: 'result', id: m.id, doc: passDoc(m.request.suite), timings: { loadMs: 1, gradeMs: 2 } } : undefined)));
    const doc = await runner.run({ lab: 'handshake', suite: 'hidden', files: { 'stack/core/tcp/handshake.ts': 'mine' } });
    expect(doc.status).toBe('pass');
    const sent = FakeWorker.made[0].posted[0];
    expect(sent.type === 'run' && sent.moduleUrls).toEqual(['/v.json', '/h.json']);
    expect(sent.type === 'run' && sent.request.files).toEqual({ 'stack/core/tcp/handshake.ts': 'mine' });
    expect(runner.lastTimings?.gradeMs).toBe(2);
  });

  it('stops a run that overstays its time limit, terminates that worker and uses a fresh one next', async () => {
    vi.useFakeTimers();
    try {
      FakeWorker.made = [];
      let hang = true;
      const runner = new WorkerRunner(options((m) => (m.type === 'run' && !hang ? { type: 'result', id: m.id, doc: passDoc('visible'), timings: { loadMs: 0, gradeMs: 0 } } : undefined), 500));
      const pending = runner.run({ lab: 'handshake', suite: 'visible', files: {} });
      await vi.advanceTimersByTimeAsync(501);
      const doc = await pending;
      expect(doc.status).toBe('error');
      expect(doc.message).toMatch(/longer than 0.5 s and was stopped/);
      expect(FakeWorker.made[0].terminated).toBe(true);
      hang = false;
      const next = runner.run({ lab: 'handshake', suite: 'visible', files: {} });
      await vi.advanceTimersByTimeAsync(1);
      expect((await next).status).toBe('pass');
      expect(FakeWorker.made).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('turns a malformed reply into an error document', async () => {
    const runner = new WorkerRunner(options((m) => (m.type === 'run' ? ({ type: 'result', id: m.id, doc: { nonsense: true }, timings: { loadMs: 0, gradeMs: 0 } } as never) : undefined)));
    const doc = await runner.run({ lab: 'handshake', suite: 'visible', files: {} });
    expect(doc.status).toBe('error');
    expect(doc.message).toMatch(/not a results document/);
  });

  it('reports a failed warm-up as "not available" with the worker\'s reason', async () => {
    const runner = new WorkerRunner(options((m) => (m.type === 'warm' ? { type: 'warm', ok: false, message: '/v.json is not served here (HTTP 404)' } : undefined)));
    expect(await runner.warm()).toEqual({ ok: false, reason: '/v.json is not served here (HTTP 404)' });
  });
});
