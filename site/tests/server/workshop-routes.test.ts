// The workshop routes of the `npm start` server over real HTTP: POST /api/join and its checks, the
// recording of a joined learner's Runs and Submits (and of nothing else), and the instructor key in
// front of the dashboard, its event stream, the CSV and the solutions switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCourseServer, LEARNER_HEADER, RECORD_HEADER, SOLUTIONS_HEADER, TOKEN_HEADER, type Grader } from '../../server/course-server.ts';
import { parseServeArgs } from '../../server/serve.ts';
import { WorkshopRecord } from '../../server/workshop/record.ts';
import { KEY_COOKIE, KEY_HEADER, endWorkshopStreams, makeInstructorKey } from '../../server/workshop/dashboard.ts';
import type { LabDefinition } from '../../../labs/kit/definition.ts';
import { doc } from '../workshop/results-fixture.ts';
import { postFrom, rawRequest } from './http-client.ts';

const scratch = mkdtempSync(join(tmpdir(), 'workshop-routes-'));
const dist = join(scratch, 'dist');
mkdirSync(join(dist, 'lab-data/handshake'), { recursive: true });
writeFileSync(join(dist, 'index.html'), '<h1>course</h1>');
writeFileSync(join(dist, '404.html'), '<h1>not here</h1>');
writeFileSync(join(dist, 'lab-data/handshake/solution.json'), '{"stack/core/tcp/handshake.ts":"the reference"}');

const FILE = 'stack/core/tcp/handshake.ts';
const def = { slug: 'handshake', files: [FILE], tasks: [] } as unknown as LabDefinition;
let gradings = 0;
// "PASS" in the file passes both tasks; anything else fails task 2 on "rst on bad ack".
const grader: Grader = {
  loadLab(slug) {
    if (slug !== 'handshake') throw new Error(`unknown lab "${slug}"`);
    return def;
  },
  async grade(_def, files, suite) {
    gradings++;
    const pass = files.get(FILE)!.includes('PASS');
    return doc('handshake', suite, [[1, 'pass'], [2, pass ? 'pass' : 'fail', 'rst on bad ack']]);
  },
};

const TOKEN = 'abc234';
const key = makeInstructorKey();
let record: WorkshopRecord;
let base: string;
let port: number;
let close: () => Promise<void>;
let plainBase: string;
let closePlain: () => Promise<void>;
const logged: string[] = [];

async function listen(options: Partial<Parameters<typeof createCourseServer>[0]>): Promise<{ base: string; port: number; close: () => Promise<void> }> {
  const server = createCourseServer({ dist, grader, log: (l) => logged.push(l), ...options });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${p}`,
    port: p,
    close: () => {
      if (options.workshop) endWorkshopStreams(options.workshop.record);
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

beforeAll(async () => {
  record = WorkshopRecord.open(join(scratch, 'record.sqlite'));
  ({ base, port, close } = await listen({ joinToken: TOKEN, workshop: { record, instructorKey: key } }));
  ({ base: plainBase, close: closePlain } = await listen({ joinToken: TOKEN }));
});
afterAll(async () => {
  await close();
  await closePlain();
  record.close();
  rmSync(scratch, { recursive: true, force: true });
});

const tokenHeader = { [TOKEN_HEADER]: TOKEN };
const postJson = (b: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${b}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const joinAs = async (name: unknown): Promise<string> => {
  const r = await postJson(base, '/api/join', { name }, tokenHeader);
  expect(r.status).toBe(200);
  return ((await r.json()) as { learner: { id: string } }).learner.id;
};
const run = (suite: 'visible' | 'hidden', text: string, headers: Record<string, string> = {}) =>
  postJson(base, '/api/run', { lab: 'handshake', suite, files: { [FILE]: text } }, { ...tokenHeader, ...headers });

describe('POST /api/join', () => {
  it('needs the join token, JSON, and a name of 1 to 40 characters without control or bidi characters; adds nobody otherwise', async () => {
    const before = record.learners().length;
    // From another loopback address: these wrong tokens do not count against the rest of the suite.
    expect((await postFrom(port, '/api/join', { name: 'Ada' }, '127.0.0.7')).status).toBe(401);
    expect((await postFrom(port, '/api/join', { name: 'Ada' }, '127.0.0.7', { [TOKEN_HEADER]: 'wrong1' })).status).toBe(401);
    // The instructor key is not a join token.
    expect((await postFrom(port, '/api/join', { name: 'Ada' }, '127.0.0.7', { [TOKEN_HEADER]: key })).status).toBe(401);
    const cases: Array<[unknown, number, RegExp]> = [
      ['{"name":', 400, /not JSON/],
      [{}, 400, /a name is needed to join/],
      [{ name: '   ' }, 400, /a name is needed to join/],
      [{ name: 42 }, 400, /a name is needed to join/],
      [{ name: 'x'.repeat(41) }, 400, /at most 40 characters/],
      [{ name: 'bell\u0007' }, 400, /without control characters/],
      [{ name: 'Eve\u202egnp.exe' }, 400, /without control characters/],
      [{ name: 'x'.repeat(5000) }, 413, /larger than 4 KB/],
    ];
    for (const [body, status, message] of cases) {
      const r = await postJson(base, '/api/join', body, tokenHeader);
      expect(r.status, JSON.stringify(body).slice(0, 40)).toBe(status);
      expect(((await r.json()) as { error: string }).error).toMatch(message);
    }
    const text = await fetch(`${base}/api/join`, { method: 'POST', headers: { 'content-type': 'text/plain', ...tokenHeader }, body: 'name=Ada' });
    expect(text.status).toBe(415);
    expect((await fetch(`${base}/api/join`, { headers: tokenHeader })).status).toBe(405);
    expect(record.learners().length).toBe(before);
  });

  it('adds a learner with an unguessable id and the name as given (folded to one line), and logs the join', async () => {
    const r = await postJson(base, '/api/join', { name: '  Zoë   "Z"\t<b> ' }, tokenHeader);
    expect(r.status).toBe(200);
    const { learner } = (await r.json()) as { learner: { id: string; name: string } };
    expect(learner.name).toBe('Zoë "Z" <b>');
    expect(learner.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(record.learner(learner.id)).toMatchObject({ name: 'Zoë "Z" <b>' });
    expect(logged.at(-1)).toMatch(/127\.0\.0\.1 joined the workshop as "Zoë \\"Z\\" <b>"$/);
  });

  it('is not there on a workshop server without a record, nor without --workshop', async () => {
    const r = await postJson(plainBase, '/api/join', { name: 'Ada' }, tokenHeader);
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: string }).error).toMatch(/keeps no workshop record/);
    expect(await (await fetch(`${base}/api/health`)).json()).toMatchObject({ workshop: true, record: true });
    expect(await (await fetch(`${plainBase}/api/health`)).json()).not.toHaveProperty('record');
  });

  it('takes a limited number of joins per address a minute, and a limited number of learners', async () => {
    const r = WorkshopRecord.open(':memory:');
    const s = await listen({ joinToken: TOKEN, workshop: { record: r, instructorKey: key, joinsPerMinute: 2, maxLearners: 3 } });
    const from = (address: string) => postFrom(s.port, '/api/join', { name: 'Sam' }, address, tokenHeader);
    expect((await from('127.0.0.2')).status).toBe(200);
    expect((await from('127.0.0.2')).status).toBe(200);
    const third = await from('127.0.0.2');
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect((await from('127.0.0.3')).status).toBe(200);
    const full = await from('127.0.0.4');
    expect(full.status).toBe(503);
    expect(JSON.parse(full.body).error).toMatch(/record is full/);
    expect(r.learners().length).toBe(3);
    await s.close();
    r.close();
  });
});

describe('recording Runs and Submits', () => {
  let ada: string;
  let bob: string;
  beforeAll(async () => {
    ada = await joinAs('Ada');
    bob = await joinAs('Bob');
  });

  it('records a joined learner\'s Run and Submit with time, lab, task states, score, duration and first failure', async () => {
    const t0 = Date.now();
    const r1 = await run('visible', 'mine', { [LEARNER_HEADER]: ada });
    expect(r1.status).toBe(200);
    expect(r1.headers.get(RECORD_HEADER)).toBe('recorded');
    const r2 = await run('hidden', 'PASS', { [LEARNER_HEADER]: ada });
    expect(((await r2.json()) as { status: string }).status).toBe('pass');
    const mine = record.attempts({ learnerId: ada });
    expect(mine.map((a) => [a.lab, a.suite, a.status, a.points, a.max])).toEqual([
      ['handshake', 'visible', 'fail', 5, 10],
      ['handshake', 'hidden', 'pass', 10, 10],
    ]);
    expect(mine[0].tasks).toEqual([{ id: 1, status: 'pass', points: 5, max: 5 }, { id: 2, status: 'fail', points: 0, max: 5 }]);
    expect(mine[0].firstFailure).toEqual({ test: 'rst on bad ack', taskId: 2, message: 'why rst on bad ack' });
    expect(mine[1].firstFailure).toBeNull();
    for (const a of mine) {
      expect(a.at).toBeGreaterThanOrEqual(t0);
      expect(a.durationMs).toBeGreaterThanOrEqual(0);
      expect(a.durationMs).toBeLessThan(5000);
    }
  });

  it('records nothing for a run without the header, with an unknown id, or with two ids, and still grades it', async () => {
    const before = record.attempts().length;
    const graded = gradings;
    const none = await run('hidden', 'mine');
    expect(none.status).toBe(200);
    expect(none.headers.get(RECORD_HEADER)).toBeNull();
    for (const id of ['made-up-id-12345', `${ada}x`, ada.toLowerCase() === ada ? ada.toUpperCase() : ada.toLowerCase(), '', `${ada}, ${bob}`]) {
      const r = await run('hidden', 'mine', { [LEARNER_HEADER]: id });
      expect(r.status, id).toBe(200);
      expect(((await r.json()) as { score: unknown }).score).toEqual({ points: 5, max: 10 });
      expect(r.headers.get(RECORD_HEADER), id).toBe('unknown-learner');
    }
    expect(gradings - graded).toBe(6);
    expect(record.attempts().length).toBe(before);
  });

  it('records one learner\'s runs under that learner only; a refused run or a solution request records nothing', async () => {
    const adaBefore = JSON.stringify(record.attempts({ learnerId: ada }));
    await run('hidden', 'mine', { [LEARNER_HEADER]: bob });
    await run('visible', 'mine', { [LEARNER_HEADER]: bob });
    expect(JSON.stringify(record.attempts({ learnerId: ada }))).toBe(adaBefore);
    expect(record.attempts({ learnerId: bob }).map((a) => a.suite)).toEqual(['hidden', 'visible']);
    const before = record.attempts().length;
    const bad = await postJson(base, '/api/run', { lab: 'handshake', suite: 'hidden', files: {} }, { ...tokenHeader, [LEARNER_HEADER]: bob });
    expect(bad.status).toBe(400);
    const wrongToken = await postFrom(port, '/api/run', { lab: 'handshake', suite: 'hidden', files: { [FILE]: 'x' } }, '127.0.0.8', { [TOKEN_HEADER]: 'wrong1', [LEARNER_HEADER]: bob });
    expect(wrongToken.status).toBe(401);
    const solution = await postJson(base, '/api/solution', { lab: 'handshake', files: { [FILE]: 'PASS' } }, { ...tokenHeader, [LEARNER_HEADER]: bob });
    expect(solution.status).toBe(200);
    expect(record.attempts().length).toBe(before);
  });
});

// ---- the instructor key ----------------------------------------------------------------------
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      // An event stream never ends: take what the first moments bring.
      if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
          if (text.includes('event: matrix')) {
            res.destroy();
            resolvePromise({ status: res.statusCode!, headers: res.headers, body: text });
          }
        });
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolvePromise({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard behind the instructor key', () => {
  const secrets = () => [...record.learners().flatMap((l) => [l.name, l.id]), 'rst on bad ack'];
  const wrong = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');

  it('refuses the data, the event stream and the CSV without the key, with a wrong key, a wrong cookie, the join token, or the key in the URL — and leaks nothing', async () => {
    await joinAs('Cy');
    const attempts: Array<[string, Record<string, string>]> = [];
    for (const path of ['/workshop/matrix.json', '/workshop/matrix.csv', '/workshop/events']) {
      attempts.push([path, {}], [path, { [KEY_HEADER]: wrong }], [path, { [KEY_HEADER]: TOKEN }], [path, { cookie: `${KEY_COOKIE}=${wrong}` }], [`${path}?key=${key}`, {}], [path, { [KEY_HEADER]: key.slice(1) }]);
    }
    for (const [path, headers] of attempts) {
      const r = await get(path, headers);
      expect(r.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
      for (const s of secrets()) expect(r.body).not.toContain(s);
    }
    // The page itself is the key form, with no learner in it.
    const page = await get('/workshop/', { [KEY_HEADER]: wrong });
    expect(page.status).toBe(200);
    expect(page.body).toContain('action="/workshop/key"');
    expect(page.body).not.toContain('matrix-table');
    for (const s of secrets()) expect(page.body).not.toContain(s);
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  });

  it('with the key: the matrix of every joined learner, its CSV, and its event stream', async () => {
    const json = JSON.parse((await get('/workshop/matrix.json', { [KEY_HEADER]: key })).body) as { rows: Array<{ learner: { name: string }; runs: number; submits: number }> };
    const names = json.rows.map((r) => r.learner.name);
    expect(names).toEqual(expect.arrayContaining(['Ada', 'Bob', 'Cy', 'Zoë "Z" <b>']));
    expect(json.rows.find((r) => r.learner.name === 'Ada')).toMatchObject({ runs: 1, submits: 1 });
    const csv = await get('/workshop/matrix.csv', { cookie: `${KEY_COOKIE}=${encodeURIComponent(key)}` });
    expect(csv.status).toBe(200);
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe('name,points,max,handshake task 1,handshake task 2,runs,submits,minutes,stuck');
    expect(lines.find((l) => l.startsWith('Ada,'))).toBe('Ada,10,10,pass 5/5,pass 5/5,1,1,0,');
    expect(lines).toContain('"Zoë ""Z"" <b>",0,0,,,0,0,0,');
    const events = await get('/workshop/events', { [KEY_HEADER]: key });
    expect(events.status).toBe(200);
    expect(events.body).toContain('<th scope=\\"row\\">Ada</th>');
    expect(events.body).toContain('Zoë &quot;Z&quot; &lt;b&gt;');
    // Another host name is refused before the key is even looked at (DNS rebinding).
    const rebound = await rawRequest(port, `GET /workshop/matrix.json HTTP/1.1\r\nHost: evil.example:${port}\r\n${KEY_HEADER}: ${key}\r\nConnection: close\r\n\r\n`);
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('Ada');
  });

  it('opens the solutions from the dashboard only with the key and from its own origin; then anyone gets them without a restart', async () => {
    const failing = () => postJson(base, '/api/solution', { lab: 'handshake', files: { [FILE]: 'mine' } }, tokenHeader);
    const post = (headers: Record<string, string>) => fetch(`${base}/workshop/open-solutions`, { method: 'POST', headers: { accept: 'application/json', ...headers }, redirect: 'manual' });
    const refused: Array<Record<string, string>> = [{}, { [KEY_HEADER]: wrong }, { [KEY_HEADER]: TOKEN }, { cookie: `${KEY_COOKIE}=${wrong}` }];
    for (const headers of refused) {
      const r = await post(headers);
      expect(r.status).toBe(401);
      expect(await r.text()).not.toContain('solutions');
    }
    expect((await post({ [KEY_HEADER]: key, origin: 'http://evil.example' })).status).toBe(403);
    expect((await fetch(`${base}/lab-data/handshake/solution.json`)).status).toBe(403);
    expect((await failing()).status).toBe(403);
    expect(((await (await fetch(`${base}/lab-data/runtime.json`)).json()) as { solutions: string }).solutions).toBe('after-pass');
    expect((await run('visible', 'mine')).headers.get(SOLUTIONS_HEADER)).toBe('after-pass');

    const opened = await post({ [KEY_HEADER]: key, origin: base });
    expect(opened.status).toBe(200);
    expect(await opened.json()).toEqual({ solutions: 'open' });
    expect(logged.some((l) => /solutions: opened to everyone from the workshop dashboard/.test(l))).toBe(true);
    expect(await (await fetch(`${base}/lab-data/handshake/solution.json`)).json()).toEqual({ [FILE]: 'the reference' });
    expect((await failing()).status).toBe(200);
    expect(((await (await fetch(`${base}/lab-data/runtime.json`)).json()) as { solutions: string }).solutions).toBe('open');
    // Every Run's answer tells the page, so its Solution button opens without a reload.
    expect((await run('visible', 'mine')).headers.get(SOLUTIONS_HEADER)).toBe('open');
    expect((await get('/workshop/', { [KEY_HEADER]: key })).body).toContain('Solutions are open to everyone.');
    // The other server was not touched.
    expect(((await (await fetch(`${plainBase}/api/health`)).json()) as { solutions: string }).solutions).toBe('after-pass');
  });

  it('is a plain missing page on a server without a workshop record', async () => {
    const r = await fetch(`${plainBase}/workshop/`, { headers: { [KEY_HEADER]: key } });
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('not here');
  });

  it('speaks Chinese at ?lang=zh-cn: the key form, the page and its event stream', async () => {
    const form = await get('/workshop/?lang=zh-cn');
    expect(form.body).toContain('<html lang="zh-Hans">');
    expect(form.body).toContain('讲师密钥');
    expect(form.body).toContain('<input type="hidden" name="lang" value="zh-cn">');
    const right = await fetch(`${base}/workshop/key`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${encodeURIComponent(key)}&lang=zh-cn`, redirect: 'manual' });
    expect([right.status, right.headers.get('location')]).toEqual([303, '/workshop/?lang=zh-cn']);
    const page = await get('/workshop/?lang=zh-cn', { [KEY_HEADER]: key });
    expect(page.body).toContain('工作坊看板');
    expect(page.body).toContain('<th scope="col">学员</th>');
    expect(page.body).toContain("new EventSource('/workshop/events?lang=zh-cn')");
    const events = await get('/workshop/events?lang=zh-cn', { [KEY_HEADER]: key });
    expect(events.body).toContain('实时：共');
    // Anything else in lang is English.
    expect((await get('/workshop/?lang=<x>', { [KEY_HEADER]: key })).body).toContain('<html lang="en">');
  });
});

describe('serve.ts workshop flags', () => {
  it('takes --db only with --workshop and grading on', () => {
    expect(parseServeArgs(['--workshop', '--db', 'x.sqlite'])).toMatchObject({ workshop: true, db: 'x.sqlite' });
    expect(parseServeArgs(['--workshop'])).toMatchObject({ db: null });
    expect(() => parseServeArgs(['--db', 'x.sqlite'])).toThrow(/add --workshop/);
    expect(() => parseServeArgs(['--workshop', '--db'])).toThrow(/--db needs a value/);
    expect(() => parseServeArgs(['--workshop', '--db', 'x.sqlite', '--grading', 'off'])).toThrow(/leave out --db/);
  });
});
