// Attacks on a running course server (in this process, on free loopback ports), each asserting
// that the attack fails and that another learner (another loopback address, 127.0.0.2) is still
// served. The grader here is a stand-in whose runs are instant, or "runaway" (they end only when
// the server cancels them), so the suite tests the server's rules, not the sandbox's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createCourseServer, TOKEN_HEADER, type CourseServerOptions, type Grader, type Simulator } from '../../server/course-server.ts';
import { TokenAttempts } from '../../server/join-token.ts';
import { halfRequest, postFrom, rawGet, rawRequest } from './http-client.ts';
import type { LabDefinition } from '../../../labs/kit/definition.ts';
import type { ResultsDocument } from '../../../labs/kit/results.ts';

const HIDDEN = 'labTest("a hidden test", SECRET_HIDDEN_BODY)';
const SOLUTION = 'function chooseIss() { return SECRET_REFERENCE; }';
const dist = mkdtempSync(join(tmpdir(), 'course-attack-dist-'));
const outside = mkdtempSync(join(tmpdir(), 'course-attack-outside-'));
mkdirSync(join(dist, 'lab-data/handshake'), { recursive: true });
mkdirSync(join(dist, 'labs/handshake'), { recursive: true });
writeFileSync(join(dist, 'index.html'), '<h1>course</h1>');
writeFileSync(join(dist, '404.html'), '<h1>not here</h1>');
writeFileSync(join(dist, 'labs/handshake/index.html'), '<h1>lab</h1>');
writeFileSync(join(dist, 'lab-data/handshake/hidden.json'), JSON.stringify({ hidden: HIDDEN }));
writeFileSync(join(dist, 'lab-data/handshake/solution.json'), JSON.stringify({ 'stack/core/tcp/handshake.ts': SOLUTION }));
writeFileSync(join(dist, 'lab-data/handshake/visible.json'), JSON.stringify({ reference: SOLUTION }));
writeFileSync(join(dist, 'lab-data/handshake/visible.server.json'), JSON.stringify({ stubbed: true }));
writeFileSync(join(dist, 'lab-data/handshake/webcontainer.json'), JSON.stringify({ hidden: HIDDEN, reference: SOLUTION }));
writeFileSync(join(dist, 'lab-data/handshake/webcontainer.server.json'), JSON.stringify({ stubbed: true }));
writeFileSync(join(dist, 'lab-data/handshake/workspace.json'), JSON.stringify({ starter: 'notImplemented()' }));
writeFileSync(join(outside, 'secret.txt'), 'SECRET_OUTSIDE');
// Links a careless build or a learner with write access could leave in dist.
symlinkSync(join(dist, 'lab-data/handshake/hidden.json'), join(dist, 'innocent.json'));
symlinkSync(join(outside, 'secret.txt'), join(dist, 'outside.txt'));
symlinkSync(join(dist, 'lab-data/handshake'), join(dist, 'mirror'));

const SECRETS = ['SECRET_HIDDEN_BODY', 'SECRET_REFERENCE', 'SECRET_OUTSIDE'];
const LAB = 'stack/core/tcp/handshake.ts';
const def = { slug: 'handshake', files: [LAB], tasks: [] } as unknown as LabDefinition;

/** What the stand-in grader saw: every run, and which runs the server cancelled. */
const runs: Array<{ text: string; cancelled: boolean; finished: boolean }> = [];
function doc(suite: 'visible' | 'hidden', pass: boolean): ResultsDocument {
  const tests = [{ name: 'known', task_id: 1, status: pass ? 'pass' : 'fail', message: null, steps: [], trace_ref: null, seed: 1, duration_ms: 1 }];
  return { version: 1, lab: 'handshake', suite, status: pass ? 'pass' : 'fail', seed: 1, score: { points: pass ? 100 : 0, max: 100 }, tasks: [], tests, traces: {}, message: null } as unknown as ResultsDocument;
}
const grader: Grader = {
  loadLab(slug) {
    if (slug !== 'handshake') throw new Error(`unknown lab "${slug}"`);
    return def;
  },
  grade(_def, files, suite, signal) {
    const text = files.get(LAB)!;
    const run = { text, cancelled: false, finished: false };
    runs.push(run);
    // A runaway learner's code: runs until the server cancels it (or a minute, the suite's bound).
    const runaway = text.includes('RUNAWAY');
    return new Promise((resolve) => {
      const end = () => {
        run.finished = true;
        resolve(doc(suite, text.includes('PASS')));
      };
      const timer = setTimeout(end, runaway ? 60_000 : 5);
      signal?.addEventListener('abort', () => {
        run.cancelled = true;
        clearTimeout(timer);
        end();
      });
    });
  },
};

interface Running {
  port: number;
  server: Server;
  log: string[];
}
const started: Server[] = [];
function start(options: Partial<CourseServerOptions> = {}): Promise<Running> {
  const log: string[] = [];
  const server = createCourseServer({ dist, grader, referenceTrace: async () => [], log: (line) => log.push(line), ...options });
  started.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, server, log })));
}
afterAll(() => {
  for (const s of started) {
    s.closeAllConnections();
    s.close();
  }
});

const body = (text: string, suite: 'visible' | 'hidden' = 'hidden') => ({ lab: 'handshake', suite, files: { [LAB]: text } });
const B = '127.0.0.2';

/** Learner B's Submit, which every attack must leave working. */
async function learnerBSubmits(port: number, headers: Record<string, string> = {}): Promise<void> {
  const response = await postFrom(port, '/api/run', body('PASS'), B, headers);
  expect(response.status).toBe(200);
  expect(JSON.parse(response.body).score).toEqual({ points: 100, max: 100 });
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

let plain: Running;
beforeAll(async () => {
  plain = await start();
});

describe('reading withheld files', () => {
  const spellings = [
    '/lab-data/handshake/hidden.json',
    '/lab-data/handshake/%68idden.json',
    '/lab-data/handshake/hidden%2ejson',
    '/lab-data/handshake/hidden%2Ejson',
    '//lab-data/handshake/hidden.json',
    '/lab-data//handshake//hidden.json',
    '/lab-data/handshake%2fhidden.json',
    '/lab-data%2Fhandshake%2Fhidden.json',
    '/lab-data/handshake/./hidden.json',
    '/lab-data/x/../handshake/hidden.json',
    '/lab-data/x/%2e%2e/handshake/hidden.json',
    '/lab-data/handshake%5chidden.json',
    '/lab-data\\handshake\\hidden.json',
    '/lab-data/handshake/HIDDEN.JSON',
    '/lab-data/Handshake/Hidden.json',
    '/lab-data/handshake/hidden.json.',
    '/lab-data/handshake/hidden.json;.js',
    '/lab-data/handshake/hidden.json%00.html',
    '/lab-data/handshake/hidden.json%20',
    '/lab-data/handshake/hidden',
    '/lab-data/handshake/%2568idden.json',
    '/lab-data/handshake/hidden.json?x=1',
    '/lab-data/handshake/hidden.json#x',
    '/lab-data/handshake/solution.json',
    '/lab-data/handshake/%73olution.json',
    '/lab-data//handshake/solution.json',
    '/lab-data/handshake/SOLUTION.json',
    '/innocent.json',
    '/outside.txt',
    '/mirror/hidden.json',
    '/mirror/solution.json',
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/lab-data/handshake/%ff.json',
    '/lab-data/handshake/%E0%A4%A.json',
    'http://127.0.0.1/lab-data/handshake/hidden.json',
    '*',
  ];

  it.each(spellings)('GET %s is refused and holds no secret', async (path) => {
    const response = await rawGet(plain.port, path);
    expect(response.status, `${path} → ${response.status}`).toBeGreaterThanOrEqual(400);
    expectNoSecret(response.body);
  });

  it('refuses HEAD and Range requests on withheld files too', async () => {
    const head = await rawGet(plain.port, '/lab-data/handshake/hidden.json', {}, 'HEAD');
    expect(head.status).toBe(403);
    expect(head.headers['content-length']).not.toBe(String(JSON.stringify({ hidden: HIDDEN }).length));
    for (const range of ['bytes=0-', 'bytes=10-40', 'bytes=-5']) {
      const ranged = await rawGet(plain.port, '/lab-data/handshake/hidden.json', { Range: range });
      expect(ranged.status).toBe(403);
      expectNoSecret(ranged.body);
    }
  });

  it('serves the stubbed copies in place of visible.json and webcontainer.json, however spelt', async () => {
    for (const path of ['/lab-data/handshake/visible.json', '/lab-data/handshake/%76isible.json', '/lab-data/handshake/webcontainer.json', '/lab-data/handshake/WEBCONTAINER.JSON']) {
      const response = await rawGet(plain.port, path);
      expect(response.status, path).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ stubbed: true });
    }
    await learnerBSubmits(plain.port);
  });

  it('refuses methods other than GET and HEAD on files, and serves no unlisted lab-data file', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PROPFIND']) {
      expect((await rawGet(plain.port, '/lab-data/handshake/hidden.json', {}, method)).status).toBeGreaterThanOrEqual(400);
    }
    writeFileSync(join(dist, 'lab-data/handshake/notes.json'), '{"SECRET_REFERENCE":1}');
    const unlisted = await rawGet(plain.port, '/lab-data/handshake/notes.json');
    expect(unlisted.status).toBe(403);
    expectNoSecret(unlisted.body);
  });

  it('still serves pages and the starter workspace', async () => {
    expect((await rawGet(plain.port, '/')).status).toBe(200);
    expect((await rawGet(plain.port, '/labs/handshake')).status).toBe(200);
    expect((await rawGet(plain.port, '/lab-data/handshake/workspace.json')).status).toBe(200);
  });
});

describe('the Host header', () => {
  it('answers only to the names it is reached by (DNS rebinding)', async () => {
    for (const host of ['evil.example', 'evil.example:80', '127.0.0.1.evil.example', 'localhost.evil', '10.0.0.1', '[::2]', '']) {
      const lines = `GET /lab-data/handshake/workspace.json HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
      const response = await rawRequest(plain.port, lines);
      expect([400, 421], host).toContain(response.status);
    }
    const post = await postFrom(plain.port, '/api/run', body('PASS'), '127.0.0.1', { Host: 'rebound.example' });
    expect(post.status).toBe(421);
    for (const host of ['127.0.0.1', 'localhost', 'LOCALHOST:4321', 'localhost.', '[::1]:80']) {
      const response = await rawRequest(plain.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(response.status, host).toBe(200);
    }
  });

  it('refuses an HTTP/1.0 request without a Host', async () => {
    expect((await rawRequest(plain.port, 'GET / HTTP/1.0\r\n\r\n')).status).toBe(421);
  });
});

describe('the API against malformed and hostile requests', () => {
  it('grades nothing it should not, and learner B still gets graded', async () => {
    const before = runs.length;
    const cases: Array<[string, string | Buffer, number[]]> = [
      ['text/plain (a CORS simple request)', `POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`, [415]],
      ['a huge declared body', `POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n{`, [413]],
      ['Content-Length and Transfer-Encoding together', `POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /lab-data/handshake/hidden.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, [0, 400]],
      ['two different Content-Lengths', `POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 30\r\nConnection: close\r\n\r\n{}`, [0, 400]],
      ['an obfuscated Transfer-Encoding', `POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: xchunked\r\nConnection: close\r\n\r\n{}`, [0, 400, 501]],
      ['a header folded over two lines', `POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length:\r\n 2\r\nConnection: close\r\n\r\n{}`, [0, 400]],
      ['a bare LF request line', `POST /api/run HTTP/1.1\nHost: 127.0.0.1\nContent-Length: 2\n\n{}`, [0, 400, 415]],
      ['non-UTF-8 bytes', Buffer.concat([Buffer.from(`POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4\r\nConnection: close\r\n\r\n`), Buffer.from([0x22, 0xff, 0xfe, 0x22])]), [400]],
    ];
    for (const [name, request, statuses] of cases) {
      const response = await rawRequest(plain.port, request);
      expect(statuses, `${name} → ${response.status}`).toContain(response.status);
      expectNoSecret(response.body);
    }
    // A chunked body that never ends its size budget.
    const chunk = 'a'.repeat(64 * 1024);
    const chunked = `POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${`${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(12)}0\r\n\r\n`;
    expect((await rawRequest(plain.port, chunked)).status).toBe(413);
    expect(runs.length).toBe(before);
    await learnerBSubmits(plain.port);
  });

  it('refuses JSON bombs and deep JSON with a reason, without grading', async () => {
    const before = runs.length;
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const deepObject = '{"lab":'.repeat(40_000) + '"handshake"' + '}'.repeat(40_000);
    const wide = JSON.stringify({ lab: 'handshake', suite: 'hidden', files: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, ''])) });
    const notString = JSON.stringify({ lab: 'handshake', suite: 'hidden', files: { [LAB]: { toString: 'x' } } });
    const proto = '{"lab":"handshake","suite":"hidden","files":{"__proto__":{"stack/core/tcp/handshake.ts":"PASS"}}}';
    for (const text of [deep, deepObject, wide, notString, proto, '{"lab":"constructor","suite":"hidden","files":{}}', '{"lab":"../handshake","suite":"hidden","files":{}}']) {
      const response = await postFrom(plain.port, '/api/run', text, '127.0.0.1');
      expect([400, 404, 413], text.slice(0, 40)).toContain(response.status);
      expect(JSON.parse(response.body).error).toEqual(expect.any(String));
    }
    expect(runs.length).toBe(before);
    await learnerBSubmits(plain.port);
  });

  it('sends no CORS permission: another origin cannot read an answer', async () => {
    const preflight = await rawGet(plain.port, '/api/run', { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' }, 'OPTIONS');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    const answer = await postFrom(plain.port, '/api/run', body('mine'), '127.0.0.1', { Origin: 'http://evil.example' });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});

describe('POST /api/reference', () => {
  it('draws only tests of the asking client\'s own last result', async () => {
    const server = await start();
    const ask = (test: string, seed: number, from: string) => postFrom(server.port, '/api/reference', { lab: 'handshake', suite: 'hidden', test, seed }, from);
    // No result yet: nothing, for any name.
    expect((await ask('known', 1, '127.0.0.1')).status).toBe(403);
    expect((await postFrom(server.port, '/api/run', body('mine'), '127.0.0.1')).status).toBe(200);
    expect((await ask('known', 1, '127.0.0.1')).status).toBe(200);
    expect((await ask('a hidden test', 1, '127.0.0.1')).status).toBe(403);
    expect((await ask('known', 2, '127.0.0.1')).status).toBe(403);
    // Another client's result opens nothing for B.
    expect((await ask('known', 1, B)).status).toBe(403);
    // Visible results do not open hidden tests.
    expect((await postFrom(server.port, '/api/reference', { lab: 'handshake', suite: 'visible', test: 'known', seed: 1 }, '127.0.0.1')).status).toBe(403);
  });
});

describe('POST /api/sim', () => {
  /** What reached the stand-in simulator: learner sims (runaway until cancelled) and reference sims. */
  const sims: Array<{ text: string | null; cancelled: boolean }> = [];
  const simulator: Simulator = {
    scenarios: () => ['handshake'],
    reference: async (_lab, request) => {
      sims.push({ text: null, cancelled: false });
      return { ok: true, result: { scenario: request.scenario, title: 'T', diagram: 'd', endTime: 0, ss: {}, nstat: {}, trace: [], pcap: '', packets: 0 } };
    },
    learner: (_def, files, request, signal) => {
      const run = { text: files.get(LAB)!, cancelled: false };
      sims.push(run);
      return new Promise((resolve) => {
        const done = () => resolve({ ok: true, result: { scenario: request.scenario, title: 'T', diagram: 'd', endTime: 0, ss: {}, nstat: {}, trace: [], pcap: '', packets: 0 } });
        const timer = setTimeout(done, run.text.includes('RUNAWAY') ? 60_000 : 5);
        signal?.addEventListener('abort', () => {
          run.cancelled = true;
          clearTimeout(timer);
          done();
        });
      });
    },
  };
  const simBody = (extra: Record<string, unknown> = {}) => ({ lab: 'handshake', scenario: 'handshake', seed: 1, sysctls: {}, faults: [], reference: false, files: { [LAB]: 'mine' }, ...extra });

  it('refuses hostile bodies with a reason and runs nothing', async () => {
    const server = await start({ simulator });
    const before = sims.length;
    const texts = [
      '['.repeat(200_000) + ']'.repeat(200_000),
      JSON.stringify(simBody({ sysctls: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 1])) })),
      JSON.stringify(simBody({ faults: Array.from({ length: 5000 }, () => 'drop F from client') })),
      JSON.stringify(simBody({ scenario: '__proto__' })),
      JSON.stringify(simBody({ scenario: 'constructor' })),
      '{"lab":"handshake","scenario":"handshake","seed":1,"sysctls":{"__proto__":{"net.ipv4.tcp_syn_retries":1}},"faults":[],"reference":false,"files":{"stack/core/tcp/handshake.ts":"x"}}',
      '{"lab":"handshake","scenario":"handshake","seed":1,"sysctls":{},"faults":[],"reference":false,"files":{"__proto__":{"stack/core/tcp/handshake.ts":"x"}}}',
      JSON.stringify(simBody({ reference: 1 })),
    ];
    for (const text of texts) {
      const response = await postFrom(server.port, '/api/sim', text, '127.0.0.1');
      expect([400, 413], text.slice(0, 60)).toContain(response.status);
      expect(JSON.parse(response.body).error).toEqual(expect.any(String));
      expectNoSecret(response.body);
    }
    expect(sims.length).toBe(before);
    await learnerBSubmits(server.port);
  });

  it('ten runaway sims from one learner who then leaves do not hold up learner B, nor open a reference run', async () => {
    const server = await start({ simulator });
    const leave = new AbortController();
    const before = sims.length;
    const refused: Array<Awaited<ReturnType<typeof postFrom>>> = [];
    for (let i = 0; i < 10; i++) void postFrom(server.port, '/api/sim', simBody({ files: { [LAB]: 'RUNAWAY' } }), '127.0.0.1', {}, leave.signal).then((r) => refused.push(r), () => {});
    await expect.poll(() => refused.length, { timeout: 20_000 }).toBe(8);
    for (const r of refused) expect(r.status).toBe(429);
    expect(sims.slice(before)).toHaveLength(1);
    await learnerBSubmits(server.port);
    expect((await postFrom(server.port, '/api/sim', simBody(), B)).status).toBe(200);
    leave.abort();
    await expect.poll(() => sims[before].cancelled, { timeout: 15_000 }).toBe(true);
    // A sim is not a graded result: it opens no reference run of a hidden test.
    expect((await postFrom(server.port, '/api/reference', { lab: 'handshake', suite: 'hidden', test: 'known', seed: 1 }, '127.0.0.1')).status).toBe(403);
  });
});

describe('the join token', () => {
  const TOKEN = 'amber-falcon-ridge-tulip-orbit-cedar';
  const run = (port: number, from: string, token?: string) => postFrom(port, '/api/run', body('PASS'), from, token === undefined ? {} : { [TOKEN_HEADER]: token });

  it('is accepted however it is typed, only in its header', async () => {
    const server = await start({ joinToken: TOKEN });
    for (const typed of [TOKEN, 'Amber Falcon Ridge Tulip Orbit Cedar', ' amber  falcon-ridge tulip.orbit cedar ']) expect((await run(server.port, '127.0.0.1', typed)).status, typed).toBe(200);
    const inQuery = await postFrom(server.port, `/api/run?token=${TOKEN}`, body('PASS'), '127.0.0.1');
    expect(inQuery.status).toBe(401);
    const inCookie = await postFrom(server.port, '/api/run', body('PASS'), '127.0.0.1', { Cookie: `${TOKEN_HEADER}=${TOKEN}` });
    expect(inCookie.status).toBe(401);
    expect((await run(server.port, '127.0.0.1', 'amber-falcon-ridge-tulip-orbit')).status).toBe(401);
    expect((await run(server.port, '127.0.0.1', `${TOKEN}-cedar`)).status).toBe(401);
  });

  it('stops guessing after ten wrong tries a minute from one address, logs them, and lets others in', async () => {
    const server = await start({ joinToken: TOKEN, tokenAttempts: new TokenAttempts(10, 60_000) });
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await run(server.port, '127.0.0.3', `guess-${i}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(4).fill(429));
    const blocked = await run(server.port, '127.0.0.3', TOKEN);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(blocked.body).error).toMatch(/too many wrong join tokens.*try again in \d+ s/);
    expect(server.log.filter((l) => /join token refused for 127\.0\.0\.3/.test(l))).toHaveLength(10);
    await learnerBSubmits(server.port, { [TOKEN_HEADER]: TOKEN });
  });

  it('lets an address back in once its wrong tries leave the window', async () => {
    let now = 0;
    const server = await start({ joinToken: TOKEN, tokenAttempts: new TokenAttempts(3, 60_000, () => now) });
    for (let i = 0; i < 3; i++) await run(server.port, '127.0.0.4', 'nope');
    expect((await run(server.port, '127.0.0.4', TOKEN)).status).toBe(429);
    now = 61_000;
    expect((await run(server.port, '127.0.0.4', TOKEN)).status).toBe(200);
  });
});

describe('sharing the grader', () => {
  it('ten runaway submissions from one learner who then leaves do not hold up learner B', async () => {
    const server = await start();
    const leave = new AbortController();
    const before = runs.length;
    const refused: Array<Awaited<ReturnType<typeof postFrom>>> = [];
    for (let i = 0; i < 10; i++) void postFrom(server.port, '/api/run', body('RUNAWAY'), '127.0.0.1', {}, leave.signal).then((r) => refused.push(r), () => {});
    // Two are held for A (one running, one waiting); the other eight are refused at once.
    await expect.poll(() => refused.length, { timeout: 20_000 }).toBe(8);
    await new Promise((r) => setTimeout(r, 300));
    expect(refused).toHaveLength(8);
    for (const r of refused) {
      expect(r!.status).toBe(429);
      expect(Number(r!.headers['retry-after'])).toBeGreaterThan(0);
    }
    const aRuns = () => runs.slice(before).filter((r) => r.text === 'RUNAWAY');
    expect(aRuns()).toHaveLength(1);
    // B is graded while A's runaway run is still going.
    await learnerBSubmits(server.port);
    expect(aRuns()[0].finished).toBe(false);
    // A closes the tab: the running grading is cancelled, the waiting one never starts.
    leave.abort();
    await expect.poll(() => aRuns()[0].cancelled, { timeout: 15_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(aRuns()).toHaveLength(1);
    expect(server.log.some((l) => /127\.0\.0\.1 handshake hidden: cancelled before it started/.test(l))).toBe(true);
    await learnerBSubmits(server.port);
  });

  it('answers "busy, retry in N s" with Retry-After when the queue is full, and runs what it took', async () => {
    const server = await start({ queue: { slots: 1, perClient: 2, maxWaiting: 3 } });
    const leave = new AbortController();
    // One runaway from each of five learners: one runs, three wait, one is refused.
    const busy: Array<Awaited<ReturnType<typeof postFrom>>> = [];
    for (const n of [2, 3, 4, 5, 6]) {
      void postFrom(server.port, '/api/run', body('RUNAWAY'), `127.0.0.${10 + n}`, {}, leave.signal).then((r) => busy.push(r), () => {});
    }
    await expect.poll(() => busy.length, { timeout: 20_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(busy).toHaveLength(1);
    expect(busy[0].status).toBe(503);
    expect(JSON.parse(busy[0].body).error).toMatch(/busy.*retry in \d+ s/);
    expect(Number(busy[0].headers['retry-after'])).toBeGreaterThan(0);
    leave.abort();
  });

  it('logs every grading: time, client, lab, suite, score and duration', async () => {
    const server = await start();
    await postFrom(server.port, '/api/run', body('PASS', 'visible'), B);
    expect(server.log.at(-1)).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z 127\.0\.0\.2 handshake visible: pass 100\/100 in \d+\.\d\d s$/);
  });
});

describe('holding connections open', () => {
  it('slowloris connections and a crowd of idle ones leave learner B served', async () => {
    const server = await start();
    const slow = await Promise.all(Array.from({ length: 60 }, () => halfRequest(server.port)));
    const idle = await Promise.all(Array.from({ length: 150 }, () => halfRequest(server.port, '127.0.0.5')));
    // One address holds at most 64 connections; the server closes the rest at once.
    await expect.poll(() => idle.filter((s) => s.destroyed || s.readableEnded).length, { timeout: 15_000 }).toBe(150 - 64);
    await learnerBSubmits(server.port);
    expect((await rawGet(server.port, '/', {}, 'GET', B)).status).toBe(200);
    for (const s of [...slow, ...idle]) s.destroy();
  });
});
