// The course server's rules one by one: path decoding, the Host allow-list, the lab-data policy,
// the grading queue. attacks.test.ts tries the same rules over HTTP.
import { describe, expect, it } from 'vitest';
import { decodeRequestPath } from '../../server/request-path.ts';
import { allowedHostNames, hostAllowed, hostName } from '../../server/host-check.ts';
import { gradingModeFile } from '../../server/lab-data-policy.ts';
import { GradingQueue, JobCancelled, QueueRefusal } from '../../server/grading-queue.ts';
import { normaliseToken, tokenMatches } from '../../server/join-token.ts';

describe('decodeRequestPath', () => {
  it('decodes once and collapses repeated slashes', () => {
    expect(decodeRequestPath('/lab-data/%68idden.json?x=1')).toEqual({ path: '/lab-data/hidden.json' });
    expect(decodeRequestPath('//lab-data//a///b/')).toEqual({ path: '/lab-data/a/b/' });
    expect(decodeRequestPath('/%2568')).toEqual({ path: '/%68' });
    expect(decodeRequestPath('/')).toEqual({ path: '/' });
  });

  it.each([
    ['/a%2fb', /encoded slashes/],
    ['/a%5Cb', /encoded slashes/],
    ['/a%zz', /invalid percent-encoding/],
    ['/a%ff', /invalid percent-encoding/],
    ['/a%00b', /control character/],
    ['/a\\b', /backslashes/],
    ['/a/../b', /\.\. segments/],
    ['/a/%2e%2e/b', /\.\. segments/],
    ['/a/./b', /\.\. segments/],
    ['http://x/a', /starting with \//],
    ['*', /starting with \//],
  ])('refuses %s', (raw, reason) => {
    const result = decodeRequestPath(raw);
    expect('error' in result && result.error).toMatch(reason);
  });
});

describe('the Host allow-list', () => {
  it('reads the host name out of a Host header', () => {
    expect(hostName('LocalHost:4321')).toBe('localhost');
    expect(hostName('localhost.')).toBe('localhost');
    expect(hostName('[::1]:80')).toBe('::1');
    expect(hostName('a b')).toBeNull();
    expect(hostName(undefined)).toBeNull();
  });

  it('allows the loopback names and the listening address, and every interface address on 0.0.0.0', () => {
    expect(allowedHostNames('127.0.0.1')).toEqual(expect.arrayContaining(['127.0.0.1', 'localhost', '::1']));
    expect(allowedHostNames('192.168.1.5')).toContain('192.168.1.5');
    const all = allowedHostNames('0.0.0.0');
    expect(all).toContain('127.0.0.1');
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(hostAllowed('evil.example', all)).toBe(false);
    expect(hostAllowed('127.0.0.1:4321', all)).toBe(true);
  });
});

describe('the lab-data policy while grading', () => {
  it('serves pages, the workspace and the stubbed copies; withholds the rest of lab-data', () => {
    expect(gradingModeFile('labs/handshake/index.html', 'after-pass')).toEqual({ serve: 'labs/handshake/index.html' });
    expect(gradingModeFile('lab-data/handshake/workspace.json', 'after-pass')).toEqual({ serve: 'lab-data/handshake/workspace.json' });
    expect(gradingModeFile('lab-data/handshake/visible.json', 'after-pass')).toEqual({ serve: 'lab-data/handshake/visible.server.json' });
    expect(gradingModeFile('lab-data/handshake/WebContainer.json', 'after-pass')).toEqual({ serve: 'lab-data/handshake/webcontainer.server.json' });
    expect(gradingModeFile('lab-data/handshake/hidden.json', 'open')).toHaveProperty('withhold');
    expect(gradingModeFile('Lab-Data/handshake/HIDDEN.json', 'open')).toHaveProperty('withhold');
    expect(gradingModeFile('lab-data/handshake/solution.json', 'after-pass')).toHaveProperty('withhold');
    expect(gradingModeFile('lab-data/handshake/solution.json', 'open')).toEqual({ serve: 'lab-data/handshake/solution.json' });
    expect(gradingModeFile('lab-data/handshake/anything-new.json', 'open')).toHaveProperty('withhold');
    expect(gradingModeFile('lab-data/handshake/deeper/visible.json', 'open')).toHaveProperty('withhold');
  });
});

describe('join tokens', () => {
  it('compare however they are typed, and only whole', () => {
    expect(normaliseToken('  Amber  FALCON.ridge ')).toBe('amber-falcon-ridge');
    expect(tokenMatches('amber falcon ridge', 'amber-falcon-ridge')).toBe(true);
    expect(tokenMatches('amber falcon', 'amber-falcon-ridge')).toBe(false);
    expect(tokenMatches(undefined, 'amber-falcon-ridge')).toBe(false);
    expect(tokenMatches('x'.repeat(10_000), 'amber-falcon-ridge')).toBe(false);
  });
});

describe('GradingQueue', () => {
  /** A job that ends when told to, recording that it started. */
  function controllable(log: string[], name: string) {
    let finish!: () => void;
    const done = new Promise<string>((r) => (finish = () => r(name)));
    return { job: async () => (log.push(name), done), finish };
  }

  it('runs one job per client at a time and gives a free slot to another client', async () => {
    const queue = new GradingQueue({ slots: 2, perClient: 2, maxWaiting: 10 });
    const started: string[] = [];
    const never = new AbortController().signal;
    const a1 = controllable(started, 'a1');
    const a2 = controllable(started, 'a2');
    const b1 = controllable(started, 'b1');
    const pa1 = queue.run('a', never, a1.job);
    const pa2 = queue.run('a', never, a2.job);
    const pb1 = queue.run('b', never, b1.job);
    await Promise.resolve();
    // A's second job waits though a slot is free; B's starts at once.
    expect(started).toEqual(['a1', 'b1']);
    await expect(queue.run('a', never, async () => 'a3')).rejects.toBeInstanceOf(QueueRefusal);
    a1.finish();
    await pa1;
    await expect.poll(() => started).toEqual(['a1', 'b1', 'a2']);
    a2.finish();
    b1.finish();
    expect(await Promise.all([pa2, pb1])).toEqual(['a2', 'b1']);
    expect(queue.stats).toEqual({ running: 0, waiting: 0 });
  });

  it('drops a waiting job whose client went away, and signals a running one', async () => {
    const queue = new GradingQueue({ slots: 1, perClient: 2, maxWaiting: 10 });
    const leave = new AbortController();
    let runningSignal: AbortSignal | null = null;
    const running = queue.run('a', leave.signal, (signal) => {
      runningSignal = signal;
      return new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('stopped')));
    });
    let secondStarted = false;
    const waiting = queue.run('a', leave.signal, async () => {
      secondStarted = true;
      return 'ran';
    });
    leave.abort();
    await expect(waiting).rejects.toBeInstanceOf(JobCancelled);
    expect(await running).toBe('stopped');
    expect(runningSignal!.aborted).toBe(true);
    expect(secondStarted).toBe(false);
    expect(queue.stats).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses with 503 and a retry estimate once maxWaiting jobs wait', async () => {
    const queue = new GradingQueue({ slots: 1, perClient: 1, maxWaiting: 2 });
    const never = new AbortController().signal;
    const hold = () => new Promise<void>(() => {});
    void queue.run('a', never, hold);
    void queue.run('b', never, hold);
    void queue.run('c', never, hold);
    const refusal = await queue.run('d', never, hold).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(QueueRefusal);
    expect((refusal as QueueRefusal).status).toBe(503);
    expect((refusal as QueueRefusal).retryAfterS).toBeGreaterThanOrEqual(1);
    expect((refusal as QueueRefusal).message).toMatch(/busy.*retry in \d+ s/);
  });
});
