/**
 * Errors an expert review found in the course (issue 11), each pinned so it cannot come back: the
 * old wording must be absent everywhere a learner reads (chapters, interview bank, glossary), and the
 * corrected statement present where the review asked for it. Numbers the stack can produce are
 * <Fact>s (facts.test.ts); these guards cover what is a rule or a history rather than a number.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT, loadChapters } from './chapters.ts';
import { KERNEL_CHANGES, DISTRIBUTIONS, atLeast, kernelChange, parseKernelVersion } from '../kernel-versions.ts';

const files = new Map<string, string>();
for (const c of loadChapters()) files.set(`chapters/${c.file}`, c.text);
for (const f of readdirSync(join(CONTENT, 'interview')).filter((x) => x.endsWith('.md'))) files.set(`interview/${f}`, readFileSync(join(CONTENT, 'interview', f), 'utf8'));
files.set('glossary.yaml', readFileSync(join(CONTENT, 'glossary.yaml'), 'utf8'));

/** Text with line breaks and markdown emphasis flattened, so a phrase split over lines still matches. */
const flat = (s: string) => s.replace(/\s+/g, ' ').replace(/[*`]/g, '');
const everywhere = [...files.entries()].map(([name, text]) => ({ name, text: flat(text) }));
const file = (name: string) => {
  const text = files.get(name);
  if (text === undefined) throw new Error(`no file ${name}`);
  return flat(text);
};

function absent(wrong: RegExp): string[] {
  return everywhere.filter((f) => wrong.test(f.text)).map((f) => `${f.name}: ${wrong.exec(f.text)![0]}`);
}

describe('issue 11: the errors the review found stay fixed', () => {
  it('1. TIME_WAIT and RST: only an exact-sequence RST that PAWS accepts kills a real TIME_WAIT; the orphan FIN_WAIT_2 dies from any in-window RST', () => {
    expect(absent(/an in-window RST ends TIME_WAIT early/i)).toEqual([]);
    expect(absent(/lets an in-window RST kill the TIME_WAIT socket/i)).toEqual([]);
    for (const name of ['chapters/teardown.mdx', 'interview/time-wait-assassination.md']) {
      expect(file(name), name).toMatch(/RCV\.NXT exactly/);
      expect(file(name), name).toMatch(/PAWS/);
      expect(file(name), name).toMatch(/any (RST inside its window|in-window RST)/);
    }
  });

  it('2. the third segment waits for data when a thread is blocked in send()/write() (sk_write_pending), not for "Fast Open data pending"', () => {
    expect(absent(/(Fast Open|TFO) data (still )?pending/i)).toEqual([]);
    for (const name of ['chapters/handshake.mdx', 'interview/data-on-handshake.md']) expect(file(name), name).toMatch(/sk_write_pending/);
  });

  it('3. tcp_syn_linear_timeouts: five waits of 1 s (the initial RTO plus four), added in Linux 6.5', () => {
    expect(absent(/first four (SYN )?timeouts (at 1 s|\*?not\*? doubl)/i)).toEqual([]);
    expect(absent(/makes the first four timeouts/i)).toEqual([]);
    for (const name of ['chapters/handshake.mdx', 'interview/lost-syn.md', 'glossary.yaml']) expect(file(name), name).toMatch(/6\.5/);
    expect(file('glossary.yaml')).toMatch(/1, 1, 1, 1, 1, 2, 4/);
  });

  it('4. not every segment after the first SYN carries ACK', () => {
    expect(absent(/(?<!nearly )every segment after the first SYN carries it/i)).toEqual([]);
    expect(absent(/Only the initial SYN lacks it/i)).toEqual([]);
    expect(file('interview/tcp-flags.md')).toMatch(/<SEQ=SEG\.ACK><CTL=RST>/);
    expect(file('interview/tcp-flags.md')).toMatch(/simultaneous open/);
  });

  it('5. challenge-ACK history: 100/s from 3.6, 1000/s randomised from 4.7, per-netns INT_MAX since 6.0, per-socket limit remains', () => {
    const text = file('interview/challenge-ack.md');
    for (const needle of [/3\.6/, /100 per second/, /4\.7/, /1000 per second/, /CVE-2016-5696/, /6\.0/, /INT_MAX/, /tcp_invalid_ratelimit/, /SEG\.ACK > SND\.NXT/]) expect(text).toMatch(needle);
  });

  it('6. with cookies off, unproven peers are cut at about ¾ of tcp_max_syn_backlog, far below backlog + 1', () => {
    const text = file('chapters/syn-flood.mdx');
    expect(text).toMatch(/<Fact id="synqueue\.unprovenLimit">/);
    expect(text).toMatch(/three quarters of tcp_max_syn_backlog/);
  });

  it('7. pruning: no "ninefold" or "585 SYNs per second"; an order of magnitude at most', () => {
    expect(absent(/ninefold|nine-fold|\b585\b/i)).toEqual([]);
    expect(file('chapters/syn-flood.mdx')).toMatch(/order of magnitude/);
  });

  it('8. tcp_orphan_retries is explained where it is named: 0 means 8 retries', () => {
    expect(file('chapters/teardown.mdx')).toMatch(/0 does not mean "no retries"/);
    expect(file('chapters/teardown.mdx')).toMatch(/<Fact id="orphan\.finRetries">8<\/Fact>/);
  });

  it('9. nginx 511 holds 512 only where somaxconn ≥ 511; cookie costs name MSS, ECN and the missing retransmission; 4.10 per-connection offsets apart from the later per-address-pair change', () => {
    expect(file('chapters/queues.mdx')).toMatch(/Where somaxconn is at least 511/);
    expect(file('chapters/queues.mdx')).toMatch(/accept queue holds 129/);
    const defenses = file('interview/syn-flood-defenses.md');
    for (const needle of [/MSS is rounded down/, /never retransmitted/, /ECN/]) expect(defenses).toMatch(needle);
    expect(absent(/randomising the timestamp offset per connection \(a keyed hash of the addresses\)/)).toEqual([]);
    expect(file('interview/tw-recycle-gone.md')).toMatch(/one per pair of addresses/);
  });

  it('10. the cookies-off timer figure no longer promises retransmissions its run does not have (captions.test.ts compares the numbers)', () => {
    expect(file('chapters/syn-flood.mdx')).not.toMatch(/<TimerTimeline scenario="syn-flood-no-cookies"/);
  });
});

describe('which kernel are you on? (content/kernel-versions.ts)', () => {
  it('lists the distributions the course promises, each with a parseable kernel', () => {
    expect(DISTRIBUTIONS.map((d) => `${d.name.split(' /')[0]} ${d.kernel}`)).toEqual([
      'CentOS 7 3.10',
      'RHEL 8 4.18',
      'Ubuntu 20.04 5.4',
      'openEuler 22.03 5.10',
      'Alibaba Cloud Linux 3 5.10',
      'RHEL 9 5.14',
      'Ubuntu 22.04 5.15',
      'Debian 12 6.1',
      'Ubuntu 24.04 6.8',
    ]);
    for (const d of DISTRIBUTIONS) expect(() => parseKernelVersion(d.kernel)).not.toThrow();
  });

  it('compares versions numerically, not as text', () => {
    expect(atLeast('5.10', '5.4')).toBe(true);
    expect(atLeast('4.18', '5.4')).toBe(false);
    expect(atLeast('6.8', '6.5')).toBe(true);
    expect(atLeast('6.1', '6.5')).toBe(false);
    expect(() => parseKernelVersion('6')).toThrow(/not major\.minor/);
    expect(() => kernelChange('nope')).toThrow(/unknown kernel topic "nope"/);
  });

  it('has the versions the fact sheet gives, a command to check each, and says where it is unsure', () => {
    const since = Object.fromEntries(Object.entries(KERNEL_CHANGES).map(([k, v]) => [k, v.since]));
    expect(since).toMatchObject({ 'syn-linear-timeouts': '6.5', somaxconn: '5.4', 'tw-recycle': '4.12', 'challenge-ack': '6.0', 'accept-full-drops-syn': '4.10' });
    for (const [topic, c] of Object.entries(KERNEL_CHANGES)) {
      expect(c.check.length, topic).toBeGreaterThan(0);
      expect(c.check.every((cmd) => /^(sysctl|uname|ss|nstat) /.test(cmd) || cmd === 'uname -r'), topic).toBe(true);
      expect(c.source.length, topic).toBeGreaterThan(10);
    }
    expect('unsure' in KERNEL_CHANGES['tw-reuse']).toBe(true);
    expect('unsure' in KERNEL_CHANGES['syn-queue-limit']).toBe(true);
  });

  it('every <KernelVersions topics={[...]}> in the chapters names known topics, and each topic the issue lists is used', () => {
    const used = new Set<string>();
    for (const [name, text] of files) {
      for (const m of text.matchAll(/<KernelVersions topics=\{\[([^\]]*)\]\}/g)) {
        for (const t of m[1].matchAll(/"([^"]+)"/g)) {
          expect(() => kernelChange(t[1]), `${name}: ${t[1]}`).not.toThrow();
          used.add(t[1]);
        }
      }
    }
    expect([...used].sort()).toEqual(expect.arrayContaining(['challenge-ack', 'somaxconn', 'syn-linear-timeouts', 'syn-queue-limit', 'tw-recycle', 'tw-reuse']));
  });
});

describe('glossary: the terms the review found missing', () => {
  it('has request sock, tcp_max_syn_backlog, SO_REUSEPORT, SO_LINGER, tcp_max_tw_buckets, PAWS, tcp_retries2 and the other terms the chapters now use', () => {
    const ids = [...file('glossary.yaml').matchAll(/- id: ([a-z0-9-]+)/g)].map((m) => m[1]);
    for (const id of ['request-sock', 'tcp-max-syn-backlog', 'so-reuseport', 'so-linger', 'tcp-max-tw-buckets', 'paws', 'tcp-retries2', 'tcp-orphan-retries', 'tcp-rfc1337', 'port-exhaustion', 'conntrack', 'network-namespace', 'ip-ttl', 'mtu', 'partial-write', 'self-connect', 'tcp-syn-linear-timeouts']) {
      expect(ids, id).toContain(id);
    }
  });
});
