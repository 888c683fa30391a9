/**
 * "Which kernel are you on?" on a Chinese page: every change has its Chinese text, with the same
 * versions, commit ids and commands as the English one, and the box (site/components/kernel-box.ts,
 * what KernelVersions.astro shows) speaks Chinese; the English box is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { DISTRIBUTIONS, KERNEL_CHANGES, atLeast, type KernelChange } from '../kernel-versions.ts';
import { kernelBox } from '../../site/components/kernel-box.ts';
import { chineseCount, englishWords } from '../../site/tests/figures/english-left.ts';

const changes = Object.entries(KERNEL_CHANGES as Record<string, KernelChange>);
const command = (line: string): string => line.split('#')[0]!.trim();
const comment = (line: string): string => (line.includes('#') ? line.slice(line.indexOf('#') + 1).trim() : '');
/** Version numbers, counts and commit ids a text states. */
const numbers = (text: string): string[] => [...new Set(text.match(/\b[0-9a-f]{12}\b|\d+(?:\.\d+)*/g) ?? [])].sort();

describe('the Chinese text of each kernel change', () => {
  for (const [topic, c] of changes) {
    it(`${topic}: translated, same numbers, same commands`, () => {
      const zh = c.zh;
      expect('unsure' in zh, topic).toBe('unsure' in c);
      for (const field of ['what', 'before', 'after', 'source', 'unsure'] as const) {
        const en = c[field];
        const text = zh[field];
        if (en === undefined) continue;
        expect(text, `${topic}.${field}`).toBeTruthy();
        expect(chineseCount(text!), `${topic}.${field}: ${text}`).toBeGreaterThan(1);
        // Commit titles and the kernel's own words stay English, quoted.
        expect(englishWords(text!), `${topic}.${field}: ${text}`).toEqual([]);
        for (const n of numbers(en)) expect(numbers(text!), `${topic}.${field}: ${n}`).toContain(n);
        // House style: a space between Chinese and Latin letters or digits.
        expect(text, `${topic}.${field}`).not.toMatch(/[\u4e00-\u9fff][A-Za-z0-9]|[A-Za-z0-9][\u4e00-\u9fff]/);
      }
      expect(zh.check.map(command), topic).toEqual(c.check.map(command));
      zh.check.forEach((line, i) => {
        if (comment(c.check[i]!)) expect(chineseCount(comment(line)), line).toBeGreaterThan(2);
      });
    });
  }
});

describe('the box', () => {
  it('speaks Chinese on a Chinese page', () => {
    const box = kernelBox(['syn-linear-timeouts', 'tw-reuse'], 'zh-cn');
    expect(box.words.label).toBe('你的内核是哪个版本？');
    expect([box.words.distribution, box.words.kernel, box.words.behavesLike]).toEqual(['发行版', '内核', '行为']);
    const [linear, reuse] = box.changes;
    expect(linear!.what).toBe(KERNEL_CHANGES['syn-linear-timeouts'].zh.what);
    expect(linear!.rows.map((r) => r.behaves)).toContain('6.5 之前：SYN 在 0、1、3、7、15、31、63 秒发出；connect() 在 127 秒时失败');
    expect(linear!.rows.find((r) => r.distribution === 'Ubuntu 24.04')!.behaves).toMatch(/^6\.5 及以后：/);
    expect(linear!.check).toBe('$ uname -r\n$ sysctl net.ipv4.tcp_syn_linear_timeouts   # 6.5 之前会报 "unknown key"');
    expect(reuse!.unsure).toBe(KERNEL_CHANGES['tw-reuse'].zh.unsure);
    const words = box.words;
    const shown = [
      words.label,
      words.distribution,
      words.kernel,
      words.behavesLike,
      words.checkOnMachine,
      words.checkedAgainst,
      words.notConfirmed,
      words.backports,
      ...box.changes.flatMap((c) => [c.what, ...c.rows.map((r) => r.behaves), c.source, c.unsure ?? '']),
    ].join('\n');
    expect(englishWords(shown), shown).toEqual([]);
  });

  it('is unchanged in English', () => {
    const box = kernelBox(['somaxconn'], 'en');
    const c = KERNEL_CHANGES.somaxconn;
    expect(box.labelId).toBe('kernel-somaxconn-label');
    expect(box.words.label).toBe('Which kernel are you on?');
    expect(box.changes[0]!.what).toBe(c.what);
    expect(box.changes[0]!.rows).toEqual(
      DISTRIBUTIONS.map((d) => ({
        distribution: d.name,
        kernel: d.kernel,
        behaves: atLeast(d.kernel, c.since) ? `${c.since} and later: ${c.after}` : `before ${c.since}: ${c.before}`,
      })),
    );
    expect(box.changes[0]!.check).toBe(c.check.map((line) => `$ ${line}`).join('\n'));
    const w = box.words;
    expect(`${w.checkedAgainst}${c.source}${w.stop}${w.gap}${w.backports}`).toBe(
      `Version checked against: ${c.source}. Distribution kernels carry backported changes, so the command is the authority.`,
    );
    expect(() => kernelBox([], 'en')).toThrow(/topics must name at least one change/);
    expect(() => kernelBox(['nope'], 'zh-cn')).toThrow(/unknown kernel topic "nope"/);
  });
});
