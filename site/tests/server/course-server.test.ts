// The `npm start` server over real HTTP on a free port, with a grader that records what reaches it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createCourseServer, makeJoinToken, TOKEN_HEADER, type Grader } from '../../server/course-server.ts';
import { parseServeArgs } from '../../server/serve.ts';
import { TOKEN_BITS } from '../../server/join-token.ts';
import { TOKEN_WORDS } from '../../server/token-words.ts';
import type { LabDefinition } from '../../../labs/kit/definition.ts';

const dist = mkdtempSync(join(tmpdir(), 'course-dist-'));
mkdirSync(join(dist, 'labs/handshake'), { recursive: true });
mkdirSync(join(dist, 'lab-data/handshake'), { recursive: true });
writeFileSync(join(dist, 'index.html'), '<h1>course</h1>');
writeFileSync(join(dist, '404.html'), '<h1>not here</h1>');
writeFileSync(join(dist, 'labs/handshake/index.html'), '<h1>lab</h1>');
writeFileSync(join(dist, 'lab-data/handshake/hidden.json'), '{"secret":"hidden tests"}');
writeFileSync(join(dist, 'lab-data/handshake/visible.json'), '{"reference":"every lab region"}');
writeFileSync(join(dist, 'lab-data/handshake/visible.server.json'), '{"stubbed":true}');
writeFileSync(join(dist, 'lab-data/handshake/solution.json'), '{"stack/core/tcp/handshake.ts":"the reference"}');
writeFileSync(join(tmpdir(), 'outside-secret.txt'), 'secret');

const def = { slug: 'handshake', files: ['stack/core/tcp/handshake.ts'], tasks: [] } as unknown as LabDefinition;
const graded: Array<{ files: Map<string, string>; suite: string }> = [];
const grader: Grader = {
  loadLab(slug) {
    if (slug !== 'handshake') throw new Error(`unknown lab "${slug}"`);
    return def;
  },
  async grade(_def, files, suite) {
    graded.push({ files: new Map(files), suite });
    const pass = [...files.values()].every((text) => text.includes('PASS'));
    const tests = [{ name: 'known', task_id: 1, status: pass ? 'pass' : 'fail', message: null, steps: [], trace_ref: null, seed: 1, duration_ms: 1 }];
    return { version: 1, lab: 'handshake', suite, status: pass ? 'pass' : 'fail', seed: 1, score: { points: pass ? 100 : 15, max: 100 }, tasks: [], tests, traces: {}, message: null } as never;
  },
};

const traced: string[] = [];
const referenceTrace = async (lab: string, suite: string, test: string, seed: number) => {
  traced.push(`${lab}/${suite}/${test}/${seed}`);
  return test === 'known' ? [{ kind: 'note' as const, t: 0, text: 'reference' }] : null;
};

function start(options: Partial<Parameters<typeof createCourseServer>[0]>) {
  const server = createCourseServer({ dist, grader, referenceTrace, ...options });
  return new Promise<{ base: string; close: () => void }>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })),
  );
}

let plain: { base: string; close: () => void };
let workshop: { base: string; close: () => void };
let staticOnly: { base: string; close: () => void };
let open: { base: string; close: () => void };
beforeAll(async () => {
  plain = await start({ maxBodyBytes: 2048, log: () => {} });
  workshop = await start({ joinToken: 'abc234', log: () => {} });
  staticOnly = await start({ grader: null });
  open = await start({ solutions: 'open', log: () => {} });
});
afterAll(() => [plain, workshop, staticOnly, open].forEach((s) => s.close()));

const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/run`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('static files', () => {
  it('sends the cross-origin isolation headers on pages, 404s and API answers', async () => {
    for (const path of ['/labs/handshake', '/nowhere', '/api/health']) {
      const response = await fetch(`${plain.base}${path}`);
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    }
    expect((await fetch(`${plain.base}/nowhere`)).status).toBe(404);
  });

  it('withholds the hidden tests while it grades, serves them when grading is off', async () => {
    const withheld = await fetch(`${plain.base}/lab-data/handshake/hidden.json`);
    expect(withheld.status).toBe(403);
    expect(await withheld.text()).not.toContain('hidden tests"');
    // The worker's modules with every lab's reference are swapped for the build's stubbed copy.
    const visible = await fetch(`${plain.base}/lab-data/handshake/visible.json`);
    expect(visible.status).toBe(200);
    expect(await visible.json()).toEqual({ stubbed: true });
    expect(await (await fetch(`${staticOnly.base}/lab-data/handshake/visible.json`)).json()).toEqual({ reference: 'every lab region' });
    expect((await fetch(`${staticOnly.base}/lab-data/handshake/hidden.json`)).status).toBe(200);
    expect(await (await fetch(`${staticOnly.base}/api/health`)).json()).toEqual({ course: 'tcp-connection-course', grading: false, workshop: false, solutions: 'open' });
    expect(await (await fetch(`${plain.base}/lab-data/runtime.json`)).json()).toEqual({ course: 'tcp-connection-course', server: true, grading: true, workshop: false, solutions: 'after-pass' });
  });

  it('keeps the solutions while it grades unless they are open', async () => {
    const withheld = await fetch(`${plain.base}/lab-data/handshake/solution.json`);
    expect(withheld.status).toBe(403);
    expect((await withheld.json()).error).toMatch(/once your files pass every hidden test/);
    expect(await (await fetch(`${open.base}/lab-data/handshake/solution.json`)).json()).toEqual({ 'stack/core/tcp/handshake.ts': 'the reference' });
    expect((await fetch(`${open.base}/lab-data/handshake/hidden.json`)).status).toBe(403);
    expect((await fetch(`${staticOnly.base}/lab-data/handshake/solution.json`)).status).toBe(200);
  });

  it('never serves a file outside the site', async () => {
    const response = await fetch(`${plain.base}/..%2f..%2foutside-secret.txt`);
    // An encoded slash is refused before any lookup (request-path.ts).
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('secret');
  });
});

describe('POST /api/run', () => {
  it('grades the lab files it is sent', async () => {
    const response = await post(plain.base, { lab: 'handshake', suite: 'hidden', files: { 'stack/core/tcp/handshake.ts': 'mine' } });
    expect(response.status).toBe(200);
    expect((await response.json()).score).toEqual({ points: 15, max: 100 });
    expect(graded.at(-1)).toEqual({ files: new Map([['stack/core/tcp/handshake.ts', 'mine']]), suite: 'hidden' });
  });

  it('refuses bad requests with a reason and never grades them', async () => {
    const before = graded.length;
    const cases: Array<[unknown, number, RegExp]> = [
      ['not json', 400, /not JSON/],
      [{ lab: 'nope', suite: 'hidden', files: {} }, 404, /unknown lab "nope"/],
      [{ lab: 'handshake', suite: 'all', files: {} }, 400, /suite must be/],
      [{ lab: 'handshake', suite: 'visible', files: { 'stack/core/host.ts': 'x', 'stack/core/tcp/handshake.ts': 'y' } }, 400, /stack\/core\/host.ts is not a file of lab handshake/],
      [{ lab: 'handshake', suite: 'visible', files: {} }, 400, /no copy of stack\/core\/tcp\/handshake.ts/],
      [{ lab: 'handshake', suite: 'visible', files: { 'stack/core/tcp/handshake.ts': 'x'.repeat(4000) } }, 413, /larger than 2 KB/],
    ];
    for (const [body, status, message] of cases) {
      const response = await post(plain.base, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect((await response.json()).error).toMatch(message);
    }
    expect((await fetch(`${plain.base}/api/run`)).status).toBe(405);
    expect(graded.length).toBe(before);
  });

  it('requires the join token in workshop mode', async () => {
    const body = { lab: 'handshake', suite: 'visible', files: { 'stack/core/tcp/handshake.ts': 'x' } };
    expect((await post(workshop.base, body)).status).toBe(401);
    expect((await post(workshop.base, body, { [TOKEN_HEADER]: 'wrong1' })).status).toBe(401);
    expect((await post(workshop.base, body, { [TOKEN_HEADER]: 'ABC234' })).status).toBe(200);
    expect((await (await fetch(`${workshop.base}/api/health`)).json()).workshop).toBe(true);
  });
});

describe('POST /api/reference', () => {
  const ask = (base: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/reference`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('answers the reference trace of a test in the client\'s own last result, and refuses any other', async () => {
    await post(plain.base, { lab: 'handshake', suite: 'hidden', files: { 'stack/core/tcp/handshake.ts': 'mine' } });
    const before = traced.length;
    expect(await (await ask(plain.base, { lab: 'handshake', suite: 'hidden', test: 'known', seed: 1 })).json()).toEqual({ trace: [{ kind: 'note', t: 0, text: 'reference' }] });
    const other = await ask(plain.base, { lab: 'handshake', suite: 'hidden', test: 'other', seed: 2 });
    expect(other.status).toBe(403);
    expect((await other.json()).error).toMatch(/your own last run/);
    expect((await ask(plain.base, { lab: 'handshake', suite: 'hidden', test: 'known', seed: 7 })).status).toBe(403);
    expect(traced.slice(before)).toEqual(['handshake/hidden/known/1']);
  });

  it('checks the request and the workshop token like /api/run', async () => {
    const before = traced.length;
    expect((await ask(plain.base, { lab: 'handshake', suite: 'hidden', test: 'known' })).status).toBe(400);
    expect((await ask(plain.base, { lab: 'nope', suite: 'hidden', test: 'known', seed: 1 })).status).toBe(404);
    expect((await ask(workshop.base, { lab: 'handshake', suite: 'hidden', test: 'known', seed: 1 })).status).toBe(401);
    expect(traced.length).toBe(before);
    await post(workshop.base, { lab: 'handshake', suite: 'hidden', files: { 'stack/core/tcp/handshake.ts': 'mine' } }, { [TOKEN_HEADER]: 'abc234' });
    expect((await ask(workshop.base, { lab: 'handshake', suite: 'hidden', test: 'known', seed: 1 }, { [TOKEN_HEADER]: 'abc234' })).status).toBe(200);
  });
});

describe('serve.ts options', () => {
  it('gives the solution only for files that pass the hidden tests here, and needs the workshop token', async () => {
    const ask = (base: string, text: string, headers: Record<string, string> = {}) =>
      fetch(`${base}/api/solution`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ lab: 'handshake', files: { 'stack/core/tcp/handshake.ts': text } }) });
    graded.length = 0;
    const refused = await ask(plain.base, 'my attempt');
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toBe('the solution opens once Submit passes every hidden test; your files score 15/100');
    expect(graded).toEqual([{ files: new Map([['stack/core/tcp/handshake.ts', 'my attempt']]), suite: 'hidden' }]);
    const given = await ask(plain.base, 'PASS');
    expect(given.status).toBe(200);
    expect(await given.json()).toEqual({ solution: { 'stack/core/tcp/handshake.ts': 'the reference' } });
    expect((await ask(workshop.base, 'PASS')).status).toBe(401);
    expect((await ask(workshop.base, 'PASS', { [TOKEN_HEADER]: 'abc234' })).status).toBe(200);
    expect((await ask(staticOnly.base, 'PASS')).status).toBe(503);
    const malformed = await fetch(`${plain.base}/api/solution`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lab: 'handshake', files: { 'other.ts': 'PASS' } }) });
    expect(malformed.status).toBe(400);
  });

  it('binds loopback by default and needs --workshop to listen on the network', () => {
    expect(parseServeArgs([])).toMatchObject({ host: '127.0.0.1', port: 4321, grading: true, workshop: false });
    expect(() => parseServeArgs(['--host', '0.0.0.0'])).toThrow(/add --workshop/);
    expect(parseServeArgs(['--host', '0.0.0.0', '--workshop'])).toMatchObject({ host: '0.0.0.0', workshop: true });
    expect(() => parseServeArgs(['--port', 'x'])).toThrow(/whole number/);
    expect(() => parseServeArgs(['--bogus'])).toThrow(/unknown option --bogus/);
  });
  it('makes tokens of six words from the fixed list, at least 60 bits', () => {
    expect(TOKEN_BITS).toBeGreaterThanOrEqual(60);
    expect(new Set(TOKEN_WORDS).size).toBe(TOKEN_WORDS.length);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const token = makeJoinToken();
      const words = token.split('-');
      expect(words).toHaveLength(6);
      for (const word of words) expect(TOKEN_WORDS).toContain(word);
      seen.add(token);
    }
    expect(seen.size).toBe(50);
  });
});
