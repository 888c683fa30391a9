/**
 * Sharing the grading slots among a room. A handful of slots (grading is CPU-bound and the
 * laptop has few cores), and around them:
 * - a per-client cap: one grading running per client and at most `perClient` in all, so one
 *   learner's runaway submissions hold one slot, never all of them;
 * - fair order: a free slot goes to the oldest waiting job of a client that has none running;
 * - a bounded queue: past `maxWaiting`, a request is refused at once with an estimate of when to
 *   retry, instead of waiting behind a queue that cannot drain in time;
 * - cancellation: a job whose client went away leaves the queue, or, if running, gets its
 *   AbortSignal fired so the grader kills the child process.
 */

export interface QueueLimits {
  slots: number;
  /** Jobs one client may have running or waiting. */
  perClient: number;
  /** Jobs waiting in all; more are refused with "busy". */
  maxWaiting: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { slots: 2, perClient: 2, maxWaiting: 60 };

/** Why a job was not run: an HTTP status, a learner-facing message and when to retry. */
export class QueueRefusal extends Error {
  constructor(readonly status: 429 | 503, message: string, readonly retryAfterS: number) {
    super(message);
  }
}

/** The client went away before its job started. */
export class JobCancelled extends Error {}

interface Waiting {
  client: string;
  start: () => void;
  cancel: () => void;
}

export class GradingQueue {
  private readonly running = new Map<string, number>();
  private readonly waiting: Waiting[] = [];
  private runningTotal = 0;
  /** Moving average of a job's duration, for the retry estimate. */
  private averageMs = 1000;

  constructor(readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS) {}

  get stats(): { running: number; waiting: number } {
    return { running: this.runningTotal, waiting: this.waiting.length };
  }

  private held(client: string): number {
    return (this.running.get(client) ?? 0) + this.waiting.filter((w) => w.client === client).length;
  }

  /** Seconds until a new job would likely start. */
  retryAfter(): number {
    const ahead = this.waiting.length + 1;
    return Math.max(1, Math.ceil((Math.ceil(ahead / this.limits.slots) * this.averageMs) / 1000));
  }

  /**
   * Runs `job` when a slot is free for this client. Rejects with QueueRefusal when the client or
   * the queue is full, with JobCancelled when `signal` fires before the job starts.
   */
  run<T>(client: string, signal: AbortSignal, job: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(new JobCancelled('the client went away'));
    if (this.held(client) >= this.limits.perClient) {
      return Promise.reject(new QueueRefusal(429, `you already have ${this.limits.perClient} runs in progress; wait for them to finish (retry in ${this.retryAfter()} s)`, this.retryAfter()));
    }
    const startNow = this.runningTotal < this.limits.slots && !this.running.get(client);
    if (!startNow && this.waiting.length >= this.limits.maxWaiting) {
      const after = this.retryAfter();
      return Promise.reject(new QueueRefusal(503, `the course server is busy grading for the room; retry in ${after} s`, after));
    }
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        signal.removeEventListener('abort', onAbort);
        this.runningTotal++;
        this.running.set(client, (this.running.get(client) ?? 0) + 1);
        const began = performance.now();
        job(signal)
          .then(resolve, reject)
          .finally(() => {
            this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - began);
            this.runningTotal--;
            const left = (this.running.get(client) ?? 1) - 1;
            if (left > 0) this.running.set(client, left);
            else this.running.delete(client);
            this.dispatch();
          });
      };
      const entry: Waiting = { client, start, cancel: () => reject(new JobCancelled('the client went away')) };
      const onAbort = () => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) {
          this.waiting.splice(at, 1);
          entry.cancel();
        }
      };
      if (startNow) {
        start();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private dispatch(): void {
    while (this.runningTotal < this.limits.slots) {
      const at = this.waiting.findIndex((w) => !this.running.get(w.client));
      if (at < 0) return;
      const [next] = this.waiting.splice(at, 1);
      next.start();
    }
  }
}
