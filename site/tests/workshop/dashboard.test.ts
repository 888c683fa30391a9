/**
 * The workshop dashboard: the matrix and stuck detection (matrix.ts), CSV escaping, SSE framing
 * and the broadcaster (sse.ts), and the request handler with its instructor key over a real HTTP
 * server on a loopback port (dashboard.ts).
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WorkshopRecord, type Learner } from '../../server/workshop/record.ts';
import { buildMatrix, csvField, matrixCsv } from '../../server/workshop/matrix.ts';
import { SseHub, sseFrame } from '../../server/workshop/sse.ts';
import { KEY_COOKIE, KEY_HEADER, cookieValue, endWorkshopStreams, handleWorkshopRequest, keyMatches, makeInstructorKey, renderMatrix, type WorkshopContext } from '../../server/workshop/dashboard.ts';
import { doc } from './results-fixture.ts';
import { DASHBOARD_EN, dashboardStrings, type DashboardStrings } from '../../i18n/dashboard.ts';
import { englishWords, HAN, styleProblems } from '../workbench/chinese-words.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 7, 9, 0);
const LABS = [{ slug: 'handshake', tasks: [{ id: 1, title: 'ISN' }, { id: 2, title: 'SYN-SENT' }] }];

describe('buildMatrix', () => {
  let r: WorkshopRecord;
  let ada: Learner;
  let bob: Learner;
  beforeEach(() => {
    r = WorkshopRecord.open(':memory:');
    ada = r.addLearner('Ada', T0);
    bob = r.addLearner('Bob', T0);
  });

  it('shows each learner\'s latest Submit per task, a Run only where there is no Submit, and their points', () => {
    r.addAttempt(ada.id, doc('handshake', 'hidden', [[1, 'pass'], [2, 'fail', 'x']]), { at: T0 + MIN });
    r.addAttempt(ada.id, doc('handshake', 'visible', [[1, 'fail', 'v'], [2, 'fail', 'v']]), { at: T0 + 2 * MIN });
    r.addAttempt(bob.id, doc('handshake', 'visible', [[1, 'pass'], [2, 'pass']]), { at: T0 + 3 * MIN });
    r.addAttempt(bob.id, doc('queues', 'hidden', [[1, 'pass']]), { at: T0 + 4 * MIN });
    const m = buildMatrix(r.learners(), r.attempts(), T0 + 5 * MIN, { labs: LABS });
    expect(m.columns.map((c) => `${c.lab}/${c.taskId} ${c.title}`)).toEqual(['handshake/1 ISN', 'handshake/2 SYN-SENT', 'queues/1 task 1']);
    const [a, b] = m.rows;
    expect(a.cells).toEqual([
      { status: 'pass', points: 5, max: 5, suite: 'hidden' },
      { status: 'fail', points: 0, max: 5, suite: 'hidden' },
      { status: 'none', points: 0, max: 0, suite: null },
    ]);
    expect([a.points, a.max, a.runs, a.submits, a.minutes]).toEqual([5, 10, 1, 1, 2]);
    expect(b.cells.map((c) => `${c.status}:${c.suite}`)).toEqual(['pass:visible', 'pass:visible', 'pass:hidden']);
    // Only Submits count towards points.
    expect([b.points, b.max]).toEqual([5, 5]);
  });

  it('flags the same first failure over 3 submits in a row, not over 2, and not when broken by another failure', () => {
    const fail = (who: Learner, test: string, at: number) => r.addAttempt(who.id, doc('handshake', 'hidden', [[1, 'pass'], [2, 'fail', test]]), { at });
    fail(ada, 'rst on bad ack', T0 + MIN);
    fail(ada, 'rst on bad ack', T0 + 2 * MIN);
    expect(buildMatrix(r.learners(), r.attempts(), T0 + 3 * MIN).rows[0].stuck).toBeNull();
    fail(ada, 'rst on bad ack', T0 + 3 * MIN);
    expect(buildMatrix(r.learners(), r.attempts(), T0 + 3 * MIN).rows[0].stuck).toEqual({ kind: 'same-failure', lab: 'handshake', test: 'rst on bad ack', submits: 3 });
    fail(bob, 'rst on bad ack', T0 + MIN);
    fail(bob, 'another', T0 + 2 * MIN);
    fail(bob, 'rst on bad ack', T0 + 3 * MIN);
    expect(buildMatrix(r.learners(), r.attempts(), T0 + 3 * MIN).rows[1].stuck).toBeNull();
    // Runs in between do not reset the count: it is about Submits.
    r.addAttempt(ada.id, doc('handshake', 'visible', [[1, 'pass']]), { at: T0 + 4 * MIN });
    fail(ada, 'rst on bad ack', T0 + 5 * MIN);
    expect(buildMatrix(r.learners(), r.attempts(), T0 + 5 * MIN, { stuckSubmits: 4 }).rows[0].stuck).toMatchObject({ kind: 'same-failure', submits: 4 });
  });

  it('flags no progress after the idle minutes while the lab is unfinished; a finished lab or a new best score clears it', () => {
    r.addAttempt(ada.id, doc('handshake', 'hidden', [[1, 'pass'], [2, 'fail', 'a']]), { at: T0 + MIN });
    r.addAttempt(ada.id, doc('handshake', 'hidden', [[1, 'fail', 'b'], [2, 'fail', 'a']]), { at: T0 + 5 * MIN });
    r.addAttempt(bob.id, doc('handshake', 'hidden', [[1, 'pass'], [2, 'pass']]), { at: T0 + MIN });
    const at11 = buildMatrix(r.learners(), r.attempts(), T0 + 11 * MIN, { idleMinutes: 10 });
    expect(at11.rows[0].stuck).toEqual({ kind: 'no-progress', lab: 'handshake', minutes: 10 });
    expect(at11.rows[1].stuck).toBeNull();
    expect(buildMatrix(r.learners(), r.attempts(), T0 + 10 * MIN, { idleMinutes: 10 }).rows[0].stuck).toBeNull();
    r.addAttempt(ada.id, doc('handshake', 'hidden', [[1, 'pass'], [2, 'pass', 'a'], [2, 'fail', 'c']]), { at: T0 + 11 * MIN });
    expect(buildMatrix(r.learners(), r.attempts(), T0 + 12 * MIN, { idleMinutes: 10 }).rows[0].stuck).toBeNull();
    // Joined and never ran anything.
    const cy = r.addLearner('Cy', T0);
    expect(buildMatrix(r.learners(), r.attempts(), T0 + 12 * MIN, { idleMinutes: 10 }).rows.find((x) => x.learner.id === cy.id)!.stuck).toEqual({ kind: 'no-progress', lab: null, minutes: 12 });
  });

  it('names each task\'s most common first failure, counting each learner\'s latest Submit once', () => {
    const cy = r.addLearner('Cy', T0);
    for (let i = 0; i < 3; i++) r.addAttempt(ada.id, doc('handshake', 'hidden', [[1, 'fail', 'isn clock']]), { at: T0 + i });
    r.addAttempt(bob.id, doc('handshake', 'hidden', [[1, 'fail', 'isn hash']]), { at: T0 + 5 });
    r.addAttempt(cy.id, doc('handshake', 'hidden', [[1, 'fail', 'isn hash']]), { at: T0 + 6 });
    r.addAttempt(cy.id, doc('handshake', 'hidden', [[1, 'pass'], [2, 'fail', 'rst']]), { at: T0 + 7 });
    const m = buildMatrix(r.learners(), r.attempts(), T0 + 8);
    expect(m.commonFailures.map((f) => [f.lab, f.taskId, f.test, f.learners, f.message])).toEqual([
      ['handshake', 1, 'isn clock', 1, 'why isn clock'],
      ['handshake', 2, 'rst', 1, 'why rst'],
    ]);
    // Bob and Ada tie at one learner each on task 1: the order is by name, stable.
    r.addAttempt(ada.id, doc('handshake', 'hidden', [[1, 'fail', 'isn hash']]), { at: T0 + 9 });
    expect(buildMatrix(r.learners(), r.attempts(), T0 + 10).commonFailures[0]).toMatchObject({ taskId: 1, test: 'isn hash', learners: 2 });
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, and defuses formula prefixes', () => {
    expect(csvField('Lovelace, Ada')).toBe('"Lovelace, Ada"');
    expect(csvField('The "Countess"')).toBe('"The ""Countess"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    for (const p of ['=', '+', '-', '@']) expect(csvField(`${p}SUM(A1:A9)`)).toBe(`'${p}SUM(A1:A9)`);
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField(-3)).toBe('-3');
    expect(csvField('plain')).toBe('plain');
  });

  it('writes one row per learner with a column per task, matching the matrix', () => {
    const r = WorkshopRecord.open(':memory:');
    const a = r.addLearner('=cmd|"/c calc"!A0, x', T0);
    r.addAttempt(a.id, doc('handshake', 'hidden', [[1, 'pass'], [2, 'fail', 'x']]), { at: T0 + 2 * MIN });
    const csv = matrixCsv(buildMatrix(r.learners(), r.attempts(), T0 + 3 * MIN, { labs: LABS }));
    expect(csv).toBe(
      'name,points,max,handshake task 1,handshake task 2,runs,submits,minutes,stuck\r\n' +
        `"'=cmd|""/c calc""!A0, x",5,10,pass 5/5,fail 0/5,0,1,2,\r\n`,
    );
  });
});

describe('SSE', () => {
  it('frames an event with one data line per line of the payload', () => {
    expect(sseFrame('matrix', '{"a":1}')).toBe('event: matrix\ndata: {"a":1}\n\n');
    expect(sseFrame('note', 'one\ntwo\r\nthree\rfour')).toBe('event: note\ndata: one\ndata: two\ndata: three\ndata: four\n\n');
    expect(() => sseFrame('bad\nname', 'x')).toThrow('an SSE event name is one line');
  });
});

// ---- over a real server --------------------------------------------------------------------
const PORT = 4471;
const key = makeInstructorKey();
let server: Server;
let record: WorkshopRecord;
let opened = 0;
const ctx = (): WorkshopContext => ({ record, instructorKey: key, onOpenSolutions: () => void opened++, solutionsOpen: () => opened > 0 });

beforeAll(async () => {
  record = WorkshopRecord.open(':memory:');
  server = createServer((req, res) => {
    if (!handleWorkshopRequest(req, res, ctx())) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not the dashboard');
    }
  });
  await new Promise<void>((r) => server.listen(PORT, '127.0.0.1', r));
});
afterAll(async () => {
  endWorkshopStreams(record);
  await new Promise<void>((r) => server.close(() => r()));
  record.close();
});

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}
function call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port: PORT, method, path, headers: { host: `127.0.0.1:${PORT}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolvePromise({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const withKey = { [KEY_HEADER]: key };

describe('the instructor key', () => {
  it('compares keys by digest: equal, different, different length, missing', () => {
    expect(keyMatches(key, key)).toBe(true);
    expect(keyMatches(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'), key)).toBe(false);
    expect(keyMatches(`${key}x`, key)).toBe(false);
    expect(keyMatches('', key)).toBe(false);
    expect(keyMatches(null, key)).toBe(false);
    expect(key).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(makeInstructorKey()).not.toBe(key);
  });

  it('without it: the page is the key form, the data is refused, and a key in the URL query does not count', async () => {
    const page = await call('GET', '/workshop/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post" action="/workshop/key">');
    expect(page.body).not.toContain('matrix-table');
    for (const path of ['/workshop/matrix.json', '/workshop/matrix.csv', '/workshop/events', `/workshop/matrix.json?key=${key}`]) {
      const r = await call('GET', path);
      expect(r.status, path).toBe(401);
      expect(JSON.parse(r.body).error).toMatch(/needs the instructor key/);
    }
    expect((await call('GET', '/workshop/matrix.json', { [KEY_HEADER]: 'wrong' })).status).toBe(401);
  });

  it('the key form sets an HttpOnly, SameSite=Strict cookie that then opens the page; a wrong key gets the form again', async () => {
    const wrong = await call('POST', '/workshop/key', { 'content-type': 'application/x-www-form-urlencoded' }, 'key=nope');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('That is not the instructor key');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const right = await call('POST', '/workshop/key', { 'content-type': 'application/x-www-form-urlencoded' }, `key=${encodeURIComponent(key)}`);
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe('/workshop/');
    const cookie = right.headers['set-cookie']![0];
    expect(cookie).toBe(`${KEY_COOKIE}=${key}; HttpOnly; SameSite=Strict; Path=/workshop; Max-Age=43200`);
    const page = await call('GET', '/workshop/', { cookie: `other=1; ${cookie.split(';')[0]}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<table id="matrix-table">');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(cookieValue(`a=1; ${KEY_COOKIE}=abc%3D`, KEY_COOKIE)).toBe('abc=');
  });

  it('leaves other paths to the course server', async () => {
    const r = await call('GET', '/labs/handshake/');
    expect([r.status, r.body]).toEqual([404, 'not the dashboard']);
    expect((await call('GET', '/workshopx')).body).toBe('not the dashboard');
    expect((await call('GET', '/workshop/nothing', withKey)).status).toBe(404);
  });
});

describe('the dashboard', () => {
  it('renders a real table with escaped names, and JSON and CSV of the same matrix', async () => {
    const evil = record.addLearner('<img src=x onerror=alert(1)>, "Eve"');
    record.addAttempt(evil.id, doc('handshake', 'hidden', [[1, 'pass'], [2, 'fail', '<b>rst</b>']]));
    const page = await call('GET', '/workshop/', withKey);
    expect(page.body).toContain('<th scope="row">&lt;img src=x onerror=alert(1)&gt;, &quot;Eve&quot;</th>');
    expect(page.body).not.toContain('<img src=x');
    // The summary first (it stays in view however many task columns scroll), then a column per task.
    expect(page.body).toMatch(/<th scope="col">Learner<\/th><th scope="col">Points<\/th><th scope="col">Runs\/Submits<\/th><th scope="col">Time<\/th><th scope="col">Stuck<\/th><th scope="col"><span class="lab">handshake<\/span> 1/);
    expect(page.body).toContain('&lt;b&gt;rst&lt;/b&gt;');
    const json = JSON.parse((await call('GET', '/workshop/matrix.json', withKey)).body);
    expect(json.rows.map((r: any) => r.learner.name)).toEqual(['<img src=x onerror=alert(1)>, "Eve"']);
    const csv = await call('GET', '/workshop/matrix.csv', withKey);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="workshop-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(csv.body.split('\r\n')[1]).toBe('"<img src=x onerror=alert(1)>, ""Eve""",5,10,pass 5/5,fail 0/5,0,1,0,');
  });

  it('streams the matrix: the current one on connect, a new one after each join and attempt, heartbeats, and forgets closed clients', async () => {
    const frames: string[] = [];
    let buffer = '';
    const res = await new Promise<IncomingMessage>((resolvePromise) => {
      request({ host: '127.0.0.1', port: PORT, path: '/workshop/events', headers: withKey }, resolvePromise).end();
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const waitFor = (pred: () => boolean) =>
      new Promise<void>((resolvePromise, reject) => {
        const t = setTimeout(() => reject(new Error(`no such frame; got ${JSON.stringify(frames)}`)), 5000);
        const check = () => (pred() ? (clearTimeout(t), res.off('data', check), resolvePromise()) : undefined);
        res.on('data', check);
        check();
      });
    res.setEncoding('utf8');
    res.on('data', (d: string) => {
      buffer += d;
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) (frames.push(buffer.slice(0, i)), (buffer = buffer.slice(i + 2)));
    });
    await waitFor(() => frames.some((f) => f.startsWith('event: matrix')));
    expect(frames[0]).toBe('retry: 3000');
    const parse = (f: string) => JSON.parse(f.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n'));
    const before = frames.filter((f) => f.startsWith('event: matrix')).length;
    const zoe = record.addLearner('Zoë');
    await waitFor(() => frames.filter((f) => f.startsWith('event: matrix')).length === before + 1);
    const joined = parse(frames[frames.length - 1]);
    expect(joined.html).toContain('<th scope="row">Zoë</th>');
    record.addAttempt(zoe.id, doc('teardown', 'hidden', [[1, 'pass']]));
    await waitFor(() => frames.filter((f) => f.startsWith('event: matrix')).length === before + 2);
    expect(parse(frames[frames.length - 1]).html).toMatch(/<th scope="row">Zoë<\/th><td>5\/5<\/td>/);
    res.destroy();
  });

  it('the broadcaster sends heartbeats and drops a client that went away', async () => {
    const hub = new SseHub(30);
    const s = createServer((_req, res) => hub.add(res));
    await new Promise<void>((r) => s.listen(PORT + 1, '127.0.0.1', r));
    const res = await new Promise<IncomingMessage>((r) => request({ host: '127.0.0.1', port: PORT + 1, path: '/' }, r).end());
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (text += d));
    await new Promise((r) => setTimeout(r, 150));
    expect(text.startsWith('retry: 3000\n\n: heartbeat\n\n')).toBe(true);
    expect(hub.size).toBe(1);
    res.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(hub.size).toBe(0);
    hub.close();
    await new Promise<void>((r) => s.close(() => r()));
  });

  it('opens the solutions on a same-origin POST only', async () => {
    const cross = await call('POST', '/workshop/open-solutions', { ...withKey, origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    expect((await call('POST', '/workshop/open-solutions', { ...withKey, origin: 'null' })).status).toBe(403);
    expect((await call('POST', '/workshop/key', { origin: 'null' }, `key=${key}`)).status).toBe(403);
    // Our own pages must keep sending a real Origin on their form posts (no-referrer would make it "null").
    expect((await call('GET', '/workshop/')).body).toContain('<meta name="referrer" content="same-origin">');
    expect(opened).toBe(0);
    expect((await call('POST', '/workshop/open-solutions')).status).toBe(401);
    expect(opened).toBe(0);
    const ok = await call('POST', '/workshop/open-solutions', { ...withKey, origin: `http://127.0.0.1:${PORT}` });
    expect([ok.status, ok.headers.location]).toEqual([303, '/workshop/']);
    expect(opened).toBe(1);
    const json = await call('POST', '/workshop/open-solutions', { ...withKey, accept: 'application/json' });
    expect(JSON.parse(json.body)).toEqual({ solutions: 'open' });
    expect((await call('GET', '/workshop/', withKey)).body).toContain('Solutions are open to everyone.');
  });

  it('renders an empty class as one explanatory row spanning the table', () => {
    const html = renderMatrix(buildMatrix([], [], T0, { labs: LABS }));
    expect(html).toContain('<tr><td colspan="7">No one has joined yet.</td></tr>');
  });
});

describe('the dashboard in Chinese', () => {
  const zh = dashboardStrings('zh-cn');
  /** Each entry as the page shows it: strings as they are, functions called with samples. */
  function shown(t: DashboardStrings): Array<[string, string]> {
    const samples: Record<string, unknown[]> = {
      caption: [3, '09:41'], timeSpent: [12, '09:41'], failureTask: ['handshake', 2], failureWho: [2],
      stuckSame: ['handshake', 3, 'rst on bad ack'], stuckIdle: [12, 'handshake'], live: [3, '09:41'], stuckShortSame: [3], stuckShortIdle: [12],
    };
    const out: Array<[string, string]> = [];
    for (const [key, value] of Object.entries(t)) {
      if (key === 'htmlLang' || key === 'otherEdition' || key === 'dash') continue; // a language tag; the other edition's name in its own language; a dash
      if (typeof value === 'string') out.push([key, value]);
      else if (typeof value === 'function') out.push([key, String((value as (...args: unknown[]) => unknown)(...(samples[key] ?? [])))]);
      else for (const [sub, text] of Object.entries(value as Record<string, string>)) if (sub !== 'none') out.push([`${key}.${sub}`, text]);
    }
    return out;
  }

  it('says every entry in Chinese, in the house style (the server\'s own terminal line and test names stay as written)', () => {
    const problems: string[] = [];
    for (const [key, text] of shown(zh)) {
      if (!HAN.test(text)) problems.push(`${key}: no Chinese in ${JSON.stringify(text)}`);
      // "instructor key: …" quotes what the terminal prints; "rst on bad ack" is a sample test name.
      const left = englishWords(text.replace(/<\/?strong>/g, ''), ['instructor', 'key', 'rst', 'on', 'bad']);
      if (left.length > 0) problems.push(`${key}: English ${JSON.stringify(left)} in ${JSON.stringify(text)}`);
      for (const p of styleProblems(text)) problems.push(`${key}: ${p}`);
    }
    expect(problems).toEqual([]);
    expect(Object.keys(zh).sort()).toEqual(Object.keys(DASHBOARD_EN).sort());
  });

  it('renders the matrix in Chinese with the names, slugs, titles and test names as written', () => {
    const r = WorkshopRecord.open(':memory:');
    const a = r.addLearner('林小雨', T0);
    r.addAttempt(a.id, doc('handshake', 'hidden', [[1, 'pass'], [2, 'fail', 'rst on bad ack']]), { at: T0 + MIN });
    const html = renderMatrix(buildMatrix(r.learners(), r.attempts(), T0 + 2 * MIN, { labs: [{ slug: 'handshake', tasks: [{ id: 1, title: '选取初始序列号' }, { id: 2, title: '处理 SYN-SENT 状态下的报文段' }] }] }), zh);
    expect(html).toContain('<th scope="col">学员</th><th scope="col">得分</th>');
    expect(html).toContain('<th scope="row">林小雨</th><td>5/10</td><td>0/1</td>');
    expect(html).toContain('<td class="s-pass">✓ 通过 <span class="pts">5/5</span></td><td class="s-fail">✗ 未通过 <span class="pts">0/5</span></td></tr>');
    expect(html).toContain('<th scope="col">学员</th><th scope="col">得分</th><th scope="col">运行/提交</th><th scope="col">用时</th><th scope="col">卡住</th>');
    expect(html).toContain('<h2 id="stuck">现在卡住的学员</h2>\n<p>没有人卡住。</p>');
    expect(html).toContain('<strong>handshake 任务 2</strong>——1 名学员：rst on bad ack');
    expect(html).toContain('1 分钟，最近一次');
    r.close();
  });
});
