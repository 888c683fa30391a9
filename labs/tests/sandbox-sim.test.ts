/**
 * The terminal's `sim` of a learner's files in the sandbox (runSandboxedSim, what the course
 * server's POST /api/sim runs): the learner's code for this lab's regions, the course's for every
 * other lab's, behind the same walls, limits and cancel as a grading; and the check of what comes
 * back across the child's boundary (checkSimWire).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CANCELLED_MESSAGE, runSandboxedSim } from '../kit/node/sandbox.ts';
import { checkSimWire, simFromWire, SIM_PCAP_LIMIT_BYTES, type SimRequest } from '../kit/sim.ts';
import { repoPath } from '../kit/node/repo.ts';
import { REACH, def, inIsn, reference, starter, withFile } from './attack-cases.ts';

const handshake: SimRequest = { scenario: 'handshake', seed: 1, sysctls: {}, faults: [], reference: false };
const hiddenNames = [...readFileSync(repoPath('labs/handshake/hidden.test.ts'), 'utf8').matchAll(/labTest\(\s*'([^']+)'/g)].map((m) => m[1]);

describe('runSandboxedSim', () => {
  it('runs the scenario on the learner\'s files with every other lab\'s regions from the course: diagram, ss, nstat, trace, pcap', async () => {
    const reply = await runSandboxedSim(def, withFile(reference), handshake);
    if (!reply.ok) throw new Error(reply.error);
    const { result } = reply;
    expect(result.title).toBe('The three-way handshake');
    // listen() is the queues lab's code: it ran, so the child's stack has the course's regions.
    expect(result.diagram).toMatch(/LISTEN/);
    expect(result.diagram).toMatch(/ESTABLISHED/);
    expect(result.ss.client.map((row) => row.state)).toEqual(['ESTABLISHED']);
    expect(result.ss.server.map((row) => row.state)).toEqual(['LISTEN', 'ESTABLISHED']);
    expect(result.nstat.client.TcpActiveOpens).toBe(1);
    expect(result.trace.filter((e) => e.kind === 'segment')).toHaveLength(3);
    const pcap = simFromWire(reply);
    if (!pcap.ok) throw new Error('decoded to an error');
    expect(new DataView(pcap.result.pcap.buffer).getUint32(0, true)).toBe(0xa1b2c3d4);
    expect(pcap.result.packets).toBe(3);
    // Nothing of the hidden suite, nor the reference's code, rides along with a run's trace.
    const text = JSON.stringify(reply);
    expect(hiddenNames.length).toBeGreaterThan(10);
    for (const name of hiddenNames) expect(text).not.toContain(name);
    expect(text).not.toContain('isnClock(host)');
  }, 180_000);

  it('the learner\'s own unwritten region stops the sim with the stub\'s words', async () => {
    const reply = await runSandboxedSim(def, withFile(starter), handshake);
    expect(reply).toEqual({ ok: false, error: 'not implemented yet: handshake/1: Choose the initial sequence number (RFC 6528)' });
  }, 180_000);

  it('a learner loop that never ends is stopped at the time limit with a clear error', async () => {
    const started = performance.now();
    const reply = await runSandboxedSim(def, withFile(inIsn(reference, 'for (;;) {}')), handshake, { timeoutSeconds: 3 });
    expect(reply).toEqual({ ok: false, error: 'your code ran for more than 3 s — is there an infinite loop?' });
    // The limit, plus compiling and a child's start on a shared machine: not the 10 s default.
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 180_000);

  it('learner code in a sim sees no process, require, timers or fetch (the SYN carries what it found: 0)', async () => {
    const reply = await runSandboxedSim(def, withFile(inIsn(reference, `// @ts-ignore\n  return ${REACH};`)), handshake);
    if (!reply.ok) throw new Error(reply.error);
    const syn = reply.result.trace.find((e) => e.kind === 'segment');
    expect(syn && 'seq' in syn ? syn.seq : null).toBe(0);
  }, 180_000);

  it('refuses an import the grader refuses, and stops at once when the learner went away', async () => {
    const importing = await runSandboxedSim(def, withFile(`import { readFileSync } from 'node:fs';\n${reference}`), handshake);
    expect(importing.ok).toBe(false);
    expect(!importing.ok && importing.error).toMatch(/^your code imports something it may not/);
    const gone = new AbortController();
    const pending = runSandboxedSim(def, withFile(inIsn(reference, 'for (;;) {}')), handshake, { timeoutSeconds: 150, signal: gone.signal });
    setTimeout(() => gone.abort(), 3_000);
    expect(await pending).toEqual({ ok: false, error: CANCELLED_MESSAGE });
  }, 180_000);
});

describe('checkSimWire', () => {
  const good = { scenario: 'x', title: 'X', diagram: 'd', endTime: 1, ss: { h: [{ state: 'LISTEN' }] }, nstat: { h: { TcpActiveOpens: 1 } }, trace: [{ kind: 'state' }], pcap: 'AAAA', packets: 0 };

  it('passes the fields of a sim and nothing else', () => {
    const checked = checkSimWire({ ok: true, result: { ...good, extra: 'SECRET' }, also: 'SECRET' });
    expect(JSON.stringify(checked)).not.toContain('SECRET');
    expect(checked).toEqual({ ok: true, result: good });
    expect(checkSimWire({ ok: false, error: 'x'.repeat(5000) })).toEqual({ ok: false, error: 'x'.repeat(2000) });
  });

  it('refuses every malformed shape with a reason', () => {
    for (const bad of [
      null,
      [],
      { ok: 'yes' },
      { ok: false, error: 3 },
      { ok: true, result: { ...good, diagram: 1 } },
      { ok: true, result: { ...good, nstat: { h: { TcpActiveOpens: '1' } } } },
      { ok: true, result: { ...good, ss: { h: 'rows' } } },
      { ok: true, result: { ...good, trace: [1] } },
      { ok: true, result: { ...good, pcap: 'not base64!' } },
      { ok: true, result: { ...good, pcap: 'A'.repeat(Math.ceil((SIM_PCAP_LIMIT_BYTES * 4) / 3) + 4) } },
    ]) {
      expect(checkSimWire(bad), JSON.stringify(bad)?.slice(0, 80)).toEqual(expect.any(String));
    }
  });
});
