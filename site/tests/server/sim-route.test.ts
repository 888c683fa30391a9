// POST /api/sim, the terminal's sim on the course server: what it accepts, who may ask, how it
// shares the grading queue, what it logs and answers. A stand-in simulator records what reaches
// it; the last block wires the real ones (the sandbox and the in-process reference stack).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createCourseServer, TOKEN_HEADER, type CourseServerOptions, type Grader, type Simulator } from '../../server/course-server.ts';
import { createReferenceRuns } from '../../server/reference-tracer.ts';
import { postFrom } from './http-client.ts';
import { listScenarios } from '../../../stack/core/scenarios/index.ts';
import { runSandboxedSim } from '../../../labs/kit/node/sandbox.ts';
import { loadLab, referenceFiles, repoPath } from '../../../labs/kit/node/repo.ts';
import type { LabDefinition } from '../../../labs/kit/definition.ts';
import type { SimRequest, SimWireReply } from '../../../labs/kit/sim.ts';

const dist = mkdtempSync(join(tmpdir(), 'course-sim-dist-'));
writeFileSync(join(dist, 'index.html'), '<h1>course</h1>');
const LAB = 'stack/core/tcp/handshake.ts';
const def = { slug: 'handshake', files: [LAB], tasks: [] } as unknown as LabDefinition;
const grader: Grader = {
  loadLab(slug) {
    if (slug !== 'handshake') throw new Error(`unknown lab "${slug}"`);
    return def;
  },
  async grade(_def, _files, suite) {
    const tests = [{ name: 'known', task_id: 1, status: 'fail', message: null, steps: [], trace_ref: null, seed: 1, duration_ms: 1 }];
    return { version: 1, lab: 'handshake', suite, status: 'fail', seed: 1, score: { points: 0, max: 100 }, tasks: [], tests, traces: {}, message: null } as never;
  },
};

const answer = (request: SimRequest, diagram = 'a diagram'): SimWireReply => ({
  ok: true,
  result: { scenario: request.scenario, title: 'T', diagram, endTime: 1, ss: {}, nstat: {}, trace: [], pcap: '', packets: 3 },
});

/** What reached the stand-in: each learner sim (and whether the server cancelled it) and each reference sim. */
const learnerSims: Array<{ files: Map<string, string>; request: SimRequest; cancelled: boolean }> = [];
const referenceSims: SimRequest[] = [];
const simulator: Simulator = {
  scenarios: () => ['handshake', 'syn-flood'],
  async reference(_lab, request) {
    referenceSims.push(request);
    return answer(request, request.scenario === 'syn-flood' ? 'x'.repeat(200_000) : 'the reference');
  },
  learner(_def, files, request, signal) {
    const run = { files: new Map(files), request, cancelled: false };
    learnerSims.push(run);
    // A learner loop: it ends only when the server cancels it (the client went away).
    const runaway = files.get(LAB)!.includes('RUNAWAY');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(answer(request, 'your run')), runaway ? 60_000 : 5);
      signal?.addEventListener('abort', () => {
        run.cancelled = true;
        clearTimeout(timer);
        resolve({ ok: false, error: 'cancelled' });
      });
    });
  },
};

interface Running {
  port: number;
  log: string[];
}
const servers: Server[] = [];
function start(options: Partial<CourseServerOptions> = {}): Promise<Running> {
  const log: string[] = [];
  const server = createCourseServer({ dist, grader, simulator, log: (line) => log.push(line), ...options });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, log })));
}
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

const sim = (extra: Record<string, unknown> = {}) => ({ lab: 'handshake', scenario: 'handshake', seed: 1, sysctls: {}, faults: [], reference: false, files: { [LAB]: 'mine' }, ...extra });
const B = '127.0.0.2';

describe('POST /api/sim: the request', () => {
  it('runs a learner\'s sim with their files and answers the sim', async () => {
    const server = await start();
    const before = learnerSims.length;
    const response = await postFrom(server.port, '/api/sim', sim({ seed: 7, sysctls: { 'net.ipv4.tcp_syn_retries': 2 }, faults: ['drop F from client'] }), '127.0.0.1');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual(answer({ scenario: 'handshake' } as SimRequest, 'your run'));
    const [run] = learnerSims.slice(before);
    expect(run.files).toEqual(new Map([[LAB, 'mine']]));
    expect(run.request).toEqual({ scenario: 'handshake', seed: 7, sysctls: { 'net.ipv4.tcp_syn_retries': 2 }, faults: ['drop F from client'], reference: false });
  });

  it('refuses with a reason, and runs nothing, for every request shell.ts would not send', async () => {
    const server = await start();
    const before = [learnerSims.length, referenceSims.length];
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ scenario: 'no-such' }, /unknown scenario "no-such"/],
      [{ scenario: 7 }, /unknown scenario/],
      [{ seed: -1 }, /seed must be a whole number/],
      [{ seed: 1.5 }, /seed must be a whole number/],
      [{ seed: 2 ** 40 }, /seed must be a whole number from 0 to 4294967295/],
      [{ sysctls: { 'net.ipv4.no_such': 1 } }, /unknown sysctl "net\.ipv4\.no_such"/],
      [{ sysctls: { 'net.ipv4.tcp_syn_retries': 999 } }, /tcp_syn_retries: invalid value \(an integer from \d+ to \d+\)/],
      [{ sysctls: { 'net.ipv4.tcp_syn_retries': '2' } }, /tcp_syn_retries: invalid value/],
      [{ sysctls: { 'net.ipv4.tcp_rmem': 4096 } }, /takes several numbers/],
      [{ sysctls: [] }, /sysctls must map/],
      [{ faults: Array(17).fill('drop F from client') }, /at most 16 rules/],
      [{ faults: ['drop F from client ' + 'x'.repeat(200)] }, /at most 200 characters/],
      [{ faults: ['explode everything'] }, /bad fault rule "explode everything"/],
      [{ faults: 'drop F from client' }, /faults must be a list/],
      [{ reference: 'yes' }, /reference must be true or false/],
      [{ files: undefined }, /files must map/],
      [{ files: {} }, /no copy of stack\/core\/tcp\/handshake\.ts/],
      [{ files: { [LAB]: 'x', 'stack/core/tcp/queues.ts': 'y' } }, /stack\/core\/tcp\/queues\.ts is not a file of lab handshake/],
      [{ files: { [LAB]: 3 } }, /must be text/],
    ];
    for (const [change, reason] of cases) {
      const response = await postFrom(server.port, '/api/sim', sim(change), '127.0.0.1');
      expect(response.status, JSON.stringify(change).slice(0, 60)).toBe(400);
      expect(JSON.parse(response.body).error).toMatch(reason);
    }
    expect((await postFrom(server.port, '/api/sim', sim({ lab: 'nowhere' }), '127.0.0.1')).status).toBe(404);
    expect((await postFrom(server.port, '/api/sim', '{"lab":', '127.0.0.1')).status).toBe(400);
    expect([learnerSims.length, referenceSims.length]).toEqual(before);
  });

  it('takes at most the body limit, and only JSON', async () => {
    const server = await start({ maxBodyBytes: 4096 });
    const big = await postFrom(server.port, '/api/sim', sim({ files: { [LAB]: 'x'.repeat(8000) } }), '127.0.0.1');
    expect(big.status).toBe(413);
    const text = await fetch(`http://127.0.0.1:${server.port}/api/sim`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(sim()) });
    expect(text.status).toBe(415);
  });

  it('runs --reference in the course\'s stack without learner code, and needs no files', async () => {
    const server = await start();
    const before = learnerSims.length;
    const response = await postFrom(server.port, '/api/sim', sim({ reference: true, files: undefined }), '127.0.0.1');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).result.diagram).toBe('the reference');
    expect(referenceSims.at(-1)).toEqual({ scenario: 'handshake', seed: 1, sysctls: {}, faults: [], reference: true });
    expect(learnerSims.length).toBe(before);
  });

  it('gzips a large answer for a client that takes gzip, and only then', async () => {
    const server = await start();
    const ask = (scenario: string, encoding: string) =>
      fetch(`http://127.0.0.1:${server.port}/api/sim`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': encoding }, body: JSON.stringify(sim({ scenario, reference: true })) });
    const large = await ask('syn-flood', 'gzip, deflate');
    expect(large.headers.get('content-encoding')).toBe('gzip');
    expect(Number(large.headers.get('content-length'))).toBeLessThan(50_000);
    // fetch inflates it: the answer is whole.
    expect((await large.json()).result.diagram).toHaveLength(200_000);
    const identity = await ask('syn-flood', 'identity');
    expect(identity.headers.get('content-encoding')).toBeNull();
    expect((await identity.json()).result.diagram).toHaveLength(200_000);
    const small = await ask('handshake', 'gzip');
    expect(small.headers.get('content-encoding')).toBeNull();
  });

  it('answers 404 where no simulator was given, 503 with grading off', async () => {
    const none = await start({ simulator: undefined });
    expect((await postFrom(none.port, '/api/sim', sim(), '127.0.0.1')).status).toBe(404);
    const off = await start({ grader: null });
    expect((await postFrom(off.port, '/api/sim', sim(), '127.0.0.1')).status).toBe(503);
  });
});

describe('POST /api/sim: who may ask, sharing, the log', () => {
  it('needs the workshop join token like /api/run', async () => {
    const server = await start({ joinToken: 'amber-falcon-ridge' });
    expect((await postFrom(server.port, '/api/sim', sim(), '127.0.0.1')).status).toBe(401);
    expect((await postFrom(server.port, '/api/sim', sim(), '127.0.0.1', { [TOKEN_HEADER]: 'wrong' })).status).toBe(401);
    expect((await postFrom(server.port, '/api/sim', sim(), '127.0.0.1', { [TOKEN_HEADER]: 'amber-falcon-ridge' })).status).toBe(200);
  });

  it('counts against the client\'s cap with its gradings; a learner who leaves frees the slot; others are served', async () => {
    const server = await start();
    const leave = new AbortController();
    const before = learnerSims.length;
    const refused: Array<Awaited<ReturnType<typeof postFrom>>> = [];
    // A runaway sim and a Submit hold this client's two places: a third request is refused at once.
    void postFrom(server.port, '/api/sim', sim({ files: { [LAB]: 'RUNAWAY' } }), '127.0.0.1', {}, leave.signal).catch(() => {});
    await expect.poll(() => learnerSims.length, { timeout: 10_000 }).toBe(before + 1);
    void postFrom(server.port, '/api/sim', sim({ files: { [LAB]: 'RUNAWAY' } }), '127.0.0.1', {}, leave.signal).catch(() => {});
    await new Promise((r) => setTimeout(r, 200));
    for (const path of ['/api/sim', '/api/run']) {
      const body = path === '/api/run' ? { lab: 'handshake', suite: 'visible', files: { [LAB]: 'x' } } : sim();
      refused.push(await postFrom(server.port, path, body, '127.0.0.1'));
    }
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(JSON.parse(r.body).error).toMatch(/you already have 2 runs in progress/);
    }
    // Learner B is served while A's loop runs.
    expect((await postFrom(server.port, '/api/sim', sim(), B)).status).toBe(200);
    leave.abort();
    await expect.poll(() => learnerSims[before].cancelled, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => server.log.some((l) => /127\.0\.0\.1 handshake sim handshake: cancelled before it started/.test(l)), { timeout: 10_000 }).toBe(true);
    expect(learnerSims.slice(before).filter((r) => r.files.get(LAB) === 'RUNAWAY')).toHaveLength(1);
  });

  it('logs every sim like a grading: time, client, lab, scenario, outcome and duration', async () => {
    const server = await start();
    await postFrom(server.port, '/api/sim', sim(), B);
    expect(server.log.at(-1)).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z 127\.0\.0\.2 handshake sim handshake: 3 packets in \d+\.\d\d s$/);
    await postFrom(server.port, '/api/sim', sim({ reference: true }), B);
    expect(server.log.at(-1)).toMatch(/ 127\.0\.0\.2 handshake sim handshake --reference: 3 packets in \d+\.\d\d s$/);
  });

  it('opens no reference run of a hidden test: a sim is not a graded result', async () => {
    const server = await start({ referenceTrace: async () => [] });
    await postFrom(server.port, '/api/sim', sim(), '127.0.0.1');
    const asked = await postFrom(server.port, '/api/reference', { lab: 'handshake', suite: 'hidden', test: 'known', seed: 1 }, '127.0.0.1');
    expect(asked.status).toBe(403);
  });
});

describe('POST /api/sim with the real sandbox and reference stack', () => {
  const realDef = loadLab('handshake');
  const reference = referenceFiles(realDef).get(LAB)!;
  const hiddenNames = [...readFileSync(repoPath('labs/handshake/hidden.test.ts'), 'utf8').matchAll(/labTest\(\s*'([^']+)'/g)].map((m) => m[1]);
  const runs = createReferenceRuns();
  const real: Simulator = {
    scenarios: () => listScenarios().map((s) => s.name),
    reference: runs.sim,
    learner: (d, files, request, signal) => runSandboxedSim(d, files, request, { timeoutSeconds: 3, signal }),
  };
  const realGrader: Grader = { loadLab, grade: grader.grade };

  it('--reference draws the course\'s run, a learner loop gives a clear error, and no answer holds a hidden test or the reference code', async () => {
    const server = await start({ grader: realGrader, simulator: real });
    const answers: string[] = [];
    const ref = await postFrom(server.port, '/api/sim', sim({ reference: true, files: undefined, scenario: 'connect-timeout', sysctls: { 'net.ipv4.tcp_syn_retries': 2, 'net.ipv4.tcp_syn_linear_timeouts': 0 } }), '127.0.0.1');
    answers.push(ref.body);
    const refBody = JSON.parse(ref.body);
    expect(refBody.ok).toBe(true);
    // Three SYNs (0, 1, 3 s) with tcp_syn_retries=2 and no linear timeouts, drawn and captured.
    expect(refBody.result.packets).toBe(3);
    expect(Buffer.from(refBody.result.pcap, 'base64').readUInt32LE(0)).toBe(0xa1b2c3d4);
    const mine = await postFrom(server.port, '/api/sim', sim({ files: { [LAB]: reference } }), '127.0.0.1');
    answers.push(mine.body);
    expect(JSON.parse(mine.body).result.diagram).toMatch(/ESTABLISHED/);
    const looping = reference.replace('// #region lab handshake/1 ', 'for (;;) {}\n  // #region lab handshake/1 ');
    expect(looping).not.toBe(reference);
    const loop = await postFrom(server.port, '/api/sim', sim({ files: { [LAB]: looping } }), '127.0.0.1');
    expect(JSON.parse(loop.body)).toEqual({ ok: false, error: 'your code ran for more than 3 s — is there an infinite loop?' });
    expect(server.log.at(-1)).toMatch(/handshake sim handshake: error: your code ran for more than 3 s/);
    for (const text of answers) {
      for (const name of hiddenNames) expect(text).not.toContain(name);
      expect(text).not.toContain('isnClock(host)');
    }
  }, 180_000);
});
