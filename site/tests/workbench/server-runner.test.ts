import { describe, expect, it } from 'vitest';
import { JOIN_TOKEN_HEADER, ServerRunner } from '../../lib/workbench/server-runner.ts';

type Call = { url: string; init?: RequestInit };
function fakeFetch(respond: (call: Call) => Response | Promise<Response>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: (async (url: string, init?: RequestInit) => {
      const call = { url, init };
      calls.push(call);
      return respond(call);
    }) as typeof fetch,
  };
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const doc = { version: 1, lab: 'handshake', suite: 'hidden', status: 'fail', seed: 1, score: { points: 15, max: 100 }, tasks: [], tests: [], traces: {}, message: null };

describe('ServerRunner.probe', () => {
  it('is available only for this course\'s server with grading on', async () => {
    expect(await ServerRunner.probe(fakeFetch(() => new Response('nope', { status: 404 })))).toMatchObject({ ok: false, reason: expect.stringMatching(/runtime.json answered HTTP 404/) });
    expect(await ServerRunner.probe(fakeFetch(() => json(200, { course: 'tcp-connection-course', server: false })))).toMatchObject({ ok: false, reason: expect.stringMatching(/static host/) });
    expect(await ServerRunner.probe(fakeFetch(() => json(200, { course: 'other' })))).toMatchObject({ ok: false, reason: expect.stringMatching(/another application/) });
    expect(await ServerRunner.probe(fakeFetch(() => json(200, { course: 'tcp-connection-course', server: true, grading: false })))).toMatchObject({ ok: false, reason: expect.stringMatching(/grading off/) });
    expect(await ServerRunner.probe(fakeFetch(() => { throw new TypeError('Failed to fetch'); }))).toMatchObject({ ok: false, reason: expect.stringMatching(/Failed to fetch/) });
    const ok = await ServerRunner.probe(fakeFetch(() => json(200, { course: 'tcp-connection-course', server: true, grading: true, workshop: true })));
    expect(ok.ok && ok.note).toMatch(/Workshop mode/);
  });
});

describe('ServerRunner.run', () => {
  it('posts the lab, suite and files as JSON and accepts the document', async () => {
    const f = fakeFetch(() => json(200, doc));
    const result = await new ServerRunner({ fetch: f.fetch }).run({ lab: 'handshake', suite: 'hidden', files: { a: 'x' } });
    expect(result.score).toEqual({ points: 15, max: 100 });
    expect(f.calls[0].url).toBe('/api/run');
    expect(JSON.parse(String(f.calls[0].init?.body))).toEqual({ lab: 'handshake', suite: 'hidden', files: { a: 'x' } });
  });

  it('in workshop mode asks for the token before the first run, and again after a refusal', async () => {
    const f = fakeFetch((call) => ((call.init?.headers as Record<string, string>)[JOIN_TOKEN_HEADER] === 'abc234' ? json(200, doc) : json(401, { error: 'token' })));
    const answers = ['wrong1', 'abc234'];
    let rejected = 0;
    const runner = new ServerRunner({ fetch: f.fetch, workshop: true, askToken: () => answers.shift() ?? null, onTokenRejected: () => rejected++ });
    const refused = await runner.run({ lab: 'handshake', suite: 'hidden', files: {} });
    expect(refused.status).toBe('error');
    expect(refused.message).toMatch(/did not accept that join token/);
    expect(rejected).toBe(1);
    expect((await runner.run({ lab: 'handshake', suite: 'hidden', files: {} })).status).toBe('fail');
    expect((await runner.run({ lab: 'handshake', suite: 'hidden', files: {} })).status).toBe('fail');
    expect(answers).toEqual([]);
    expect(f.calls).toHaveLength(3);
    expect((f.calls[0].init?.headers as Record<string, string>)[JOIN_TOKEN_HEADER]).toBe('wrong1');
  });

  it('sends nothing when the learner declines to give a token', async () => {
    const f = fakeFetch(() => json(200, doc));
    const result = await new ServerRunner({ fetch: f.fetch, workshop: true, askToken: () => null }).run({ lab: 'handshake', suite: 'visible', files: {} });
    expect(result.message).toMatch(/needs the workshop join token/);
    expect(f.calls).toHaveLength(0);
  });

  it('shows the server\'s reason when it refuses', async () => {
    const f = fakeFetch(() => json(400, { error: 'stack/core/x.ts is not a file of lab handshake' }));
    const result = await new ServerRunner({ fetch: f.fetch }).run({ lab: 'handshake', suite: 'visible', files: {} });
    expect(result.status).toBe('error');
    expect(result.message).toBe('The course server refused the run: stack/core/x.ts is not a file of lab handshake');
  });

  it('gives up on a server that does not answer in time', async () => {
    const f = fakeFetch(() => new Promise<Response>(() => {}));
    const result = await new ServerRunner({ fetch: f.fetch, timeoutMs: 20 }).run({ lab: 'handshake', suite: 'visible', files: {} });
    expect(result.message).toMatch(/did not answer: the course server did not finish/);
  });
});

describe('ServerRunner.solution', () => {
  it('posts the lab and the learner files with the token, and returns the solution or the refusal', async () => {
    const given = fakeFetch(() => json(200, { solution: { 'stack/core/tcp/handshake.ts': 'reference' } }));
    const runner = new ServerRunner({ fetch: given.fetch, token: 'abc234' });
    expect(await runner.solution('handshake', { 'stack/core/tcp/handshake.ts': 'mine' })).toEqual({ solution: { 'stack/core/tcp/handshake.ts': 'reference' } });
    expect(given.calls[0].url).toBe('/api/solution');
    expect(JSON.parse(String(given.calls[0].init?.body))).toEqual({ lab: 'handshake', files: { 'stack/core/tcp/handshake.ts': 'mine' } });
    expect((given.calls[0].init?.headers as Record<string, string>)[JOIN_TOKEN_HEADER]).toBe('abc234');

    const refused = fakeFetch(() => json(403, { error: 'your files score 15/100' }));
    expect(await new ServerRunner({ fetch: refused.fetch }).solution('handshake', {})).toEqual({ refused: 'your files score 15/100' });
    const broken = fakeFetch(() => new Response('<html>', { status: 502 }));
    expect(await new ServerRunner({ fetch: broken.fetch }).solution('handshake', {})).toEqual({ refused: 'the course server answered HTTP 502' });
  });
});
