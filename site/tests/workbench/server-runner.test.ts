import { describe, expect, it } from 'vitest';
import { JOIN_TOKEN_HEADER, ServerRunner } from '../../lib/workbench/server-runner.ts';
import { LEARNER_HEADER, RECORD_HEADER, SOLUTIONS_HEADER } from '../../server/protocol.ts';

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

describe('ServerRunner in a workshop that keeps a record', () => {
  const headers = (call: Call) => (call.init?.headers ?? {}) as Record<string, string>;
  const request = { lab: 'handshake', suite: 'hidden' as const, files: {} };
  /** A server that takes any name and records runs of the learner it gave out. */
  function server(options: { knows?: (id: string) => boolean } = {}) {
    return fakeFetch((call) => {
      if (headers(call)[JOIN_TOKEN_HEADER] !== 'abc234') return json(401, { error: 'token' });
      if (call.url === '/api/join') return json(200, { learner: { id: 'id-of-ada-123456', name: JSON.parse(String(call.init?.body)).name } });
      const id = headers(call)[LEARNER_HEADER];
      const recorded: Record<string, string> = id === undefined ? {} : { [RECORD_HEADER]: (options.knows ?? ((x) => x === 'id-of-ada-123456'))(id) ? 'recorded' : 'unknown-learner' };
      return new Response(JSON.stringify(doc), { status: 200, headers: { 'content-type': 'application/json', ...recorded } });
    });
  }

  it('learns from the probe that the server records, and whether solutions are open', async () => {
    const health = (h: object) => fakeFetch(() => json(200, { course: 'tcp-connection-course', server: true, grading: true, ...h }));
    const recorded = await ServerRunner.probe({ ...health({ workshop: true, record: true, solutions: 'open' }) });
    expect(recorded.ok && (recorded.runner as ServerRunner).solutionsOpen).toBe(true);
    // A record on a server without a join token is not a workshop: nobody is asked for a name.
    const asked: unknown[] = [];
    const plain = await ServerRunner.probe({ ...health({ workshop: false, record: true }), askName: (p) => (asked.push(p), 'Ada') });
    expect(plain.ok).toBe(true);
    if (plain.ok) await plain.runner.run(request).catch(() => undefined);
    expect(asked).toEqual([]);
  });

  it('asks for a name once, after the token, joins, and sends the learner id with every run (not with other calls)', async () => {
    const f = server();
    const order: string[] = [];
    const joined: unknown[] = [];
    const runner = new ServerRunner({
      fetch: f.fetch, workshop: true, record: true,
      askToken: () => (order.push('token'), 'abc234'),
      askName: (problem) => (order.push(`name:${problem}`), '  Ada  '),
      onJoined: (l) => joined.push(l),
    });
    expect((await runner.run(request)).status).toBe('fail');
    expect((await runner.run(request)).status).toBe('fail');
    await runner.solution('handshake', {});
    expect(order).toEqual(['token', 'name:null']);
    expect(joined).toEqual([{ id: 'id-of-ada-123456', name: 'Ada' }]);
    expect(f.calls.map((c) => `${c.url} ${headers(c)[LEARNER_HEADER] ?? '-'}`)).toEqual(['/api/join -', '/api/run id-of-ada-123456', '/api/run id-of-ada-123456', '/api/solution -']);
    expect(JSON.parse(String(f.calls[0].init?.body))).toEqual({ name: 'Ada' });
  });

  it('says why a name was refused and asks again, without asking the server', async () => {
    const f = server();
    const problems: unknown[] = [];
    const answers = ['   ', 'x'.repeat(41), 'a\u202eb', 'Bo'];
    const runner = new ServerRunner({ fetch: f.fetch, workshop: true, record: true, token: 'abc234', askName: (p) => (problems.push(p), answers.shift()!) });
    await runner.run(request);
    expect(problems).toEqual([null, 'empty', 'too-long']);
    // Three tries, then this run goes unrecorded; the next run asks again.
    expect(f.calls.map((c) => c.url)).toEqual(['/api/run']);
    await runner.run(request);
    expect(problems).toEqual([null, 'empty', 'too-long', null]);
    expect(f.calls.map((c) => c.url)).toEqual(['/api/run', '/api/join', '/api/run']);
  });

  it('runs unrecorded when the learner declines, and does not ask again', async () => {
    const f = server();
    let asked = 0;
    let declined = 0;
    const runner = new ServerRunner({ fetch: f.fetch, workshop: true, record: true, token: 'abc234', askName: () => (asked++, null), onDeclined: () => declined++ });
    expect((await runner.run(request)).status).toBe('fail');
    expect((await runner.run(request)).status).toBe('fail');
    expect([asked, declined]).toEqual([1, 1]);
    expect(f.calls.every((c) => c.url === '/api/run' && headers(c)[LEARNER_HEADER] === undefined)).toBe(true);
    // Declined in an earlier page of this tab: not asked at all.
    const again = new ServerRunner({ fetch: f.fetch, workshop: true, record: true, token: 'abc234', declined: true, askName: () => (asked++, 'Ada') });
    await again.run(request);
    expect(asked).toBe(1);
  });

  it('uses the remembered id without asking, and forgets it when the server does not know it', async () => {
    const f = server({ knows: () => false });
    let forgotten = 0;
    const names: string[] = [];
    const runner = new ServerRunner({ fetch: f.fetch, workshop: true, record: true, token: 'abc234', learner: 'id-from-another-db', askName: () => (names.push('asked'), 'Ada'), onLearnerUnknown: () => forgotten++ });
    await runner.run(request);
    expect(names).toEqual([]);
    expect(headers(f.calls[0])[LEARNER_HEADER]).toBe('id-from-another-db');
    expect(forgotten).toBe(1);
    await runner.run(request);
    expect(names).toEqual(['asked']);
    expect(f.calls.map((c) => c.url)).toEqual(['/api/run', '/api/join', '/api/run']);
  });

  it('treats a join refused for its token like a refused run: forgets the token and asks again next time', async () => {
    const f = server();
    const tokens = ['wrong1', 'abc234'];
    let rejected = 0;
    const runner = new ServerRunner({ fetch: f.fetch, workshop: true, record: true, askToken: () => tokens.shift() ?? null, askName: () => 'Ada', onTokenRejected: () => rejected++ });
    const refused = await runner.run(request);
    expect(refused.message).toMatch(/did not accept that join token/);
    expect(rejected).toBe(1);
    expect((await runner.run(request)).status).toBe('fail');
    expect(f.calls.map((c) => `${c.url} ${headers(c)[JOIN_TOKEN_HEADER]}`)).toEqual(['/api/join wrong1', '/api/join abc234', '/api/run abc234']);
  });

  it('runs unrecorded when the server cannot take the join now, and tries again on the next run', async () => {
    let busy = true;
    const f = fakeFetch((call) => (call.url === '/api/join' ? (busy ? json(429, { error: 'too many joins' }) : json(200, { learner: { id: 'id-of-ada-123456', name: 'Ada' } })) : json(200, doc)));
    let asked = 0;
    const runner = new ServerRunner({ fetch: f.fetch, workshop: true, record: true, token: 'abc234', askName: () => (asked++, 'Ada') });
    expect((await runner.run(request)).status).toBe('fail');
    busy = false;
    await runner.run(request);
    expect(f.calls.map((c) => `${c.url} ${headers(c)[LEARNER_HEADER] ?? '-'}`)).toEqual(['/api/join -', '/api/run -', '/api/join -', '/api/run id-of-ada-123456']);
    expect(asked).toBe(2);
  });

  it('learns from a run\'s answer that the solutions were opened', async () => {
    let open = 'after-pass';
    const f = fakeFetch(() => new Response(JSON.stringify(doc), { status: 200, headers: { 'content-type': 'application/json', [SOLUTIONS_HEADER]: open } }));
    const runner = new ServerRunner({ fetch: f.fetch });
    await runner.run(request);
    expect(runner.solutionsOpen).toBe(false);
    open = 'open';
    await runner.run(request);
    expect(runner.solutionsOpen).toBe(true);
  });

  it('asks the server again whether the solutions are open', async () => {
    let open = false;
    const f = fakeFetch(() => json(200, { course: 'tcp-connection-course', server: true, grading: true, solutions: open ? 'open' : 'after-pass' }));
    const runner = new ServerRunner({ fetch: f.fetch });
    expect(await runner.checkSolutionsOpen()).toBe(false);
    open = true;
    expect(await runner.checkSolutionsOpen()).toBe(true);
    expect(runner.solutionsOpen).toBe(true);
  });
});

describe('ServerRunner.simulate', () => {
  const request = { scenario: 'handshake', seed: 1, sysctls: {}, faults: [], reference: false };
  const pcapBytes = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0];
  const wire = { ok: true, result: { scenario: 'handshake', title: 'T', diagram: 'd', endTime: 1, ss: {}, nstat: {}, trace: [], pcap: btoa(String.fromCharCode(...pcapBytes)), packets: 0 } };

  it('posts the sim with the learner\'s files (none for --reference) and decodes the pcap', async () => {
    const f = fakeFetch(() => json(200, wire));
    const runner = new ServerRunner({ fetch: f.fetch });
    const reply = await runner.simulate('handshake', request, { a: 'x' });
    expect(reply.ok && [...reply.result.pcap]).toEqual(pcapBytes);
    expect(f.calls[0].url).toBe('/api/sim');
    expect(JSON.parse(String(f.calls[0].init?.body))).toEqual({ lab: 'handshake', ...request, files: { a: 'x' } });
    await runner.simulate('handshake', { ...request, reference: true }, { a: 'x' });
    expect(JSON.parse(String(f.calls[1].init?.body))).toEqual({ lab: 'handshake', ...request, reference: true });
  });

  it('says what the server refused, asks for a workshop token, and refuses a malformed answer', async () => {
    const refused = await new ServerRunner({ fetch: fakeFetch(() => json(400, { error: 'unknown sysctl "x"' })).fetch }).simulate('handshake', request, {});
    expect(refused).toEqual({ ok: false, error: 'the course server refused the sim: unknown sysctl "x"' });
    const busy = await new ServerRunner({ fetch: fakeFetch(() => json(429, { error: 'you already have 2 runs in progress' })).fetch }).simulate('handshake', request, {});
    expect(busy).toEqual({ ok: false, error: 'the course server refused the sim: you already have 2 runs in progress' });
    const malformed = await new ServerRunner({ fetch: fakeFetch(() => json(200, { ok: true, result: { diagram: 3 } })).fetch }).simulate('handshake', request, {});
    expect(malformed).toEqual({ ok: false, error: "the course server's answer: the sim returned a malformed answer" });
    const declined = fakeFetch(() => json(200, wire));
    expect(await new ServerRunner({ fetch: declined.fetch, workshop: true, askToken: () => null }).simulate('handshake', request, {})).toMatchObject({ ok: false, error: expect.stringMatching(/join token/) });
    expect(declined.calls).toHaveLength(0);
    let rejected = 0;
    const wrong = await new ServerRunner({ fetch: fakeFetch(() => json(401, { error: 'token' })).fetch, workshop: true, askToken: () => 'nope', onTokenRejected: () => rejected++ }).simulate('handshake', request, {});
    expect(wrong).toMatchObject({ ok: false, error: expect.stringMatching(/did not accept that join token/) });
    expect(rejected).toBe(1);
  });
});
