/**
 * The Chinese edition (content/zh-cn/, labs/<slug>/lab.zh-cn.yaml) against the English one: every
 * page has its counterpart, keeps the same structure (headings, facts, myths, experiments), uses
 * the terminology table's terms, full-width punctuation, and is Chinese prose rather than English
 * left behind. The numbers inside <Fact> are checked against the stack as in the English chapters.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { factValue } from '../facts.ts';
import { chapterHeadings } from '../headings.ts';
import { CONTENT, REPO, lineOf, loadChapters, uses } from './chapters.ts';
import { LAB_SLUGS } from '../../site/lib/course-map.ts';

const ZH = join(CONTENT, 'zh-cn');
const HAN = /\p{Script=Han}/gu;

interface Terminology {
  states: Array<{ en: string[]; zh: string; avoid?: string[] }>;
  terms: Array<{ en: string[]; zh: string; avoid?: string[] }>;
}
const TERMINOLOGY = parse(readFileSync(join(CONTENT, 'terminology.yaml'), 'utf8')) as Terminology;
const TERMS = [...TERMINOLOGY.states, ...TERMINOLOGY.terms];

function split(text: string): { frontmatter: Record<string, unknown>; body: string; bodyStart: number } {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!m) throw new Error('no frontmatter');
  return { frontmatter: parse(m[1]) as Record<string, unknown>, body: text.slice(m[0].length), bodyStart: m[0].length };
}

/**
 * The prose of a document: code blocks, inline code, URLs, component tags and import lines become
 * blanks of the same length (so offsets still give line numbers). Text props that readers see
 * (caption, claim, question, choices, label) are kept, so they are checked like prose.
 */
export function proseOf(source: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  let text = source
    .replace(/^---\n[\s\S]*?\n---\n/, blank)
    .replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n\1[^\n]*$/gm, blank)
    .replace(/^import .*$/gm, blank)
    .replace(/^\s*\|[-:| ]+\|\s*$/gm, blank)
    .replace(/`[^`\n]*`/g, blank)
    .replace(/\]\([^)\s]*\)/g, (m) => `]${blank(m.slice(1))}`)
    .replace(/https?:\/\/\S+/g, blank);
  // A component tag: blank it, but keep the readable text props' values.
  text = text.replace(/<\/?[A-Za-z][\w.]*(?:\s[^<>]*?)?\/?>/g, (tag) => {
    const kept = [...tag.matchAll(/\b(caption|claim|question|label|note)="([^"]*)"/g)].map((m) => m[2]).join(' ');
    const choices = [...tag.matchAll(/choices:\s*\[([^\]]*)\]/g)].map((m) => m[1]).join(' ');
    const shown = `${kept} ${choices}`.trim();
    return shown.length > 0 && shown.length <= tag.length ? shown + blank(tag.slice(shown.length)) : blank(tag);
  });
  return text;
}

/** Half-width punctuation touching a Chinese character (outside code, URLs and tags). */
export function halfWidthPunctuation(prose: string): Array<{ index: number; snippet: string }> {
  const marks = new Set<number>();
  const before = /\p{Script=Han}([,;:?!(]|\.(?=\s|$))/gu;
  const after = /([,;:?!)])\p{Script=Han}/gu;
  for (const m of prose.matchAll(before)) marks.add((m.index ?? 0) + m[0].length - m[1].length);
  for (const m of prose.matchAll(after)) marks.add(m.index ?? 0);
  return [...marks].sort((a, b) => a - b).map((index) => ({ index, snippet: prose.slice(Math.max(0, index - 8), index + 9).replace(/\s+/g, ' ') }));
}

// Latin words a Chinese paragraph legitimately contains: protocol and kernel names, units and
// the like. Identifiers with `_`, digits or dots, and ALL-CAPS words, are never counted.
const ALLOWED_WORDS = new Set(
  ('linux tcp udp ip ipv ipv4 ipv6 syn ack fin rst psh urg ece cwr rfc bsd freebsd macos windows posix api ' +
    'kernel socket sockets cookie cookies keepalive backlog somaxconn sysctl sysctls netstat ss nstat tcpdump tshark wireshark ' +
    'packetdrill iptables nftables conntrack nat http https tls ssh dns nginx redis mysql postgres java go node nodejs typescript javascript ' +
    'sipHash siphash md5 sha rtt rto mss mtu sack dsack ecn tfo paws tlp rack prr ts tsval tsecr wscale nop eol ' +
    'time wait request sock accept queue listen ms ns µs kb mb gb ok vs id ids ack\'d cve github stackblitz webcontainer monaco xterm vitest astro ' +
    'docker kubernetes k8s pod pods envoy haproxy lvs keepalived epoll select poll libuv seq ack qlen young old lab labs faq ' +
    'client server peer chrome firefox safari curl ping nc telnet man proc sys net core ipv4 ipv6 max min sk inet tw ssthresh cwnd ' +
    'timeout timeouts retries probes linger reuseaddr reuseport nodelay cork quickack defer user fast open flood').split(/\s+/),
);

function englishWords(paragraph: string, termWords: Set<string>): string[] {
  return [...paragraph.matchAll(/(?<![\w.])([A-Za-z][a-z]+(?:'[a-z]+)?)(?![\w.(])/g)]
    .map((m) => m[1])
    .filter((w) => !ALLOWED_WORDS.has(w.toLowerCase()) && !termWords.has(w.toLowerCase()));
}

const TERM_WORDS = new Set(TERMS.flatMap((t) => t.en.flatMap((e) => e.toLowerCase().split(/[\s-]+/))));

/** Paragraphs of prose that read as English: several English words and little Chinese. */
export function englishParagraphs(prose: string): Array<{ index: number; words: string[] }> {
  const out: Array<{ index: number; words: string[] }> = [];
  let offset = 0;
  for (const paragraph of prose.split(/\n\s*\n/)) {
    const words = englishWords(paragraph, TERM_WORDS);
    const han = paragraph.match(HAN)?.length ?? 0;
    if (words.length >= 5 && han < words.length * 3) out.push({ index: offset + paragraph.search(/\S/), words });
    offset += paragraph.length + 2;
  }
  return out;
}

/** State names are matched as written (CLOSING is a state, "closing" a word); terms in any case. */
function includesTerm(text: string, pattern: string): boolean {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const isState = /^[A-Z_-]+$/.test(pattern);
  return new RegExp(`(?<![\\w-])${escaped}${isState ? '(?![\\w-])' : ''}`, isState ? '' : 'i').test(text);
}

const english = loadChapters();

describe('Chinese chapters (content/zh-cn/chapters)', () => {
  for (const en of english) {
    const file = join(ZH, 'chapters', en.file);
    describe(en.file, () => {
      it('exists', () => {
        expect(existsSync(file), `content/zh-cn/chapters/${en.file} is missing: every English chapter has a Chinese counterpart`).toBe(true);
      });
      if (!existsSync(file)) return;
      const text = readFileSync(file, 'utf8');
      const { frontmatter } = split(text);
      const prose = proseOf(text);

      it('frontmatter holds only the words (title, summary); the structure is the English file’s', () => {
        expect(Object.keys(frontmatter).sort()).toEqual(['summary', 'title']);
      });

      it('has the English headings, in order and at the same levels (they share anchors)', () => {
        const zh = chapterHeadings(text).map((h) => h.depth);
        const enDepths = chapterHeadings(en.text).map((h) => h.depth);
        expect(zh).toEqual(enDepths);
      });

      // Every chapter but the short guide to the course itself (1,700 English words, about 2,800
      // characters in Chinese): a faithful translation of it cannot reach 5,000 without padding.
      if (en.slug !== 'how-this-course-works') {
        it('carries at least 5,000 Chinese characters of prose', () => {
          expect(prose.match(HAN)?.length ?? 0).toBeGreaterThanOrEqual(5000);
        });
      } else {
        it('carries about as much Chinese as the English has words (no paragraph left out)', () => {
          const words = proseOf(en.text).match(/[A-Za-z]+/g)?.length ?? 0;
          expect(prose.match(HAN)?.length ?? 0).toBeGreaterThanOrEqual(words);
        });
      }

      it('quotes the same facts, in the same order, with the stack’s numbers', () => {
        const zhFacts = uses(text, 'Fact');
        expect(zhFacts.map((f) => f.attrs.id)).toEqual(uses(en.text, 'Fact').map((f) => f.attrs.id));
        for (const f of zhFacts) {
          const written = [...f.children.replace(/(\d),(\d{3})/g, '$1$2').matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
          expect(written, `line ${f.line}: <Fact id="${f.attrs.id}">${f.children}</Fact>`).toEqual(factValue(f.attrs.id));
        }
      });

      it('keeps every figure, experiment, myth, answer mark and lab link of the English', () => {
        for (const component of ['SequenceDiagram', 'StateMachine', 'QueueChart', 'TimerTimeline', 'Experiment', 'Answers', 'LabLink', 'KernelVersions']) {
          const scenarios = (t: string) => uses(t, component).map((u) => u.attrs.scenario ?? u.attrs.q ?? u.attrs.lab ?? '');
          expect(scenarios(text), component).toEqual(scenarios(en.text));
        }
        expect(uses(text, 'Myth').map((m) => m.attrs.id)).toEqual(uses(en.text, 'Myth').map((m) => m.attrs.id));
      });

      it('quotes each myth as a source article makes it, naming the article', () => {
        for (const myth of uses(text, 'Myth')) {
          expect(myth.attrs.claim, `line ${myth.line}`).toMatch(HAN);
          expect(myth.attrs.source, `line ${myth.line}: <Myth id="${myth.attrs.id}"> needs source="<article title>"`).toBeTruthy();
        }
      });

      it('uses full-width punctuation in Chinese sentences', () => {
        const bad = halfWidthPunctuation(prose).map((b) => `line ${lineOf(text, b.index)}: “${b.snippet}”`);
        expect(bad).toEqual([]);
      });

      it('leaves no English prose paragraph', () => {
        const left = englishParagraphs(prose).map((p) => `line ${lineOf(text, p.index)}: ${p.words.slice(0, 8).join(' ')}`);
        expect(left).toEqual([]);
      });

      it('uses the terminology table’s terms', () => {
        const problems: string[] = [];
        for (const term of TERMS) {
          if (term.en.some((pattern) => includesTerm(en.text, pattern)) && !text.includes(term.zh)) {
            problems.push(`the English uses "${term.en[0]}": the Chinese should say ${term.zh}`);
          }
          for (const avoid of term.avoid ?? []) if (text.includes(avoid)) problems.push(`"${avoid}": say ${term.zh}`);
        }
        expect(problems).toEqual([]);
      });

      it('links within the Chinese edition, to headings that exist', () => {
        const problems: string[] = [];
        for (const m of text.matchAll(/\]\((\/[^)\s]*)\)/g)) {
          const target = m[1];
          if (!target.startsWith('/zh-cn/')) problems.push(`line ${lineOf(text, m.index ?? 0)}: ${target} leads to the English edition`);
          const chapter = /^\/zh-cn\/chapters\/([a-z0-9-]+)(?:#([^)]*))?$/.exec(target);
          if (chapter?.[2]) {
            const targetEn = english.find((c) => c.slug === chapter[1]);
            if (!targetEn) problems.push(`${target}: no such chapter`);
            else if (!chapterHeadings(targetEn.text).some((h) => h.id === chapter[2])) problems.push(`${target}: no such heading`);
          }
        }
        expect(problems).toEqual([]);
      });
    });
  }
});

describe('Chinese interview bank (content/zh-cn/interview)', () => {
  const dir = join(CONTENT, 'interview');
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.md'))) {
    const file = join(ZH, 'interview', name);
    it(`${name}: translated with the model, spoken and deeper answers`, () => {
      expect(existsSync(file), `content/zh-cn/interview/${name} is missing`).toBe(true);
      const en = split(readFileSync(join(dir, name), 'utf8'));
      const text = readFileSync(file, 'utf8');
      const zh = split(text);
      const keys = ['model', 'spoken', 'title', ...(en.frontmatter.experiment ? ['experimentNote'] : [])].sort();
      expect(Object.keys(zh.frontmatter).sort()).toEqual(keys);
      const spoken = String(zh.frontmatter.spoken);
      expect(spoken.match(HAN)?.length ?? 0, 'the spoken answer (about 30 seconds aloud)').toBeGreaterThanOrEqual(60);
      expect(spoken).not.toMatch(/^面试时这样答/);
      expect(zh.body.match(HAN)?.length ?? 0, 'the deeper answer').toBeGreaterThan(((en.body.match(/\b[a-z]+\b/gi)?.length ?? 0) * 0.6) | 0);
      const prose = proseOf(text) + '\n\n' + [zh.frontmatter.title, zh.frontmatter.model, spoken, zh.frontmatter.experimentNote ?? ''].join('\n\n');
      expect(halfWidthPunctuation(prose).map((b) => b.snippet)).toEqual([]);
      expect(englishParagraphs(prose).map((p) => p.words.join(' '))).toEqual([]);
    });
  }
});

describe('Chinese glossary (content/zh-cn/glossary.yaml)', () => {
  it('defines every English term, in the same order, in Chinese', () => {
    const en = parse(readFileSync(join(CONTENT, 'glossary.yaml'), 'utf8')) as Array<{ id: string }>;
    const file = join(ZH, 'glossary.yaml');
    expect(existsSync(file), 'content/zh-cn/glossary.yaml is missing').toBe(true);
    const zh = parse(readFileSync(file, 'utf8')) as Array<{ id: string; term: string; definition: string }>;
    expect(zh.map((t) => t.id)).toEqual(en.map((t) => t.id));
    for (const t of zh) {
      expect(Object.keys(t).sort(), t.id).toEqual(['definition', 'id', 'term']);
      expect(t.term, t.id).toMatch(HAN);
      expect(halfWidthPunctuation(t.definition).map((b) => `${t.id}: ${b.snippet}`)).toEqual([]);
      expect(englishParagraphs(t.definition).map((p) => `${t.id}: ${p.words.join(' ')}`)).toEqual([]);
    }
  });
});

describe('the terminology table', () => {
  it('has one Chinese term per concept and no term on its own avoid list', () => {
    const zh = TERMS.map((t) => t.zh);
    expect(zh.length).toBeGreaterThan(30);
    for (const t of TERMS) for (const avoid of t.avoid ?? []) expect(zh).not.toContain(avoid);
  });
  it('names the textbook state names the interviews use', () => {
    expect(TERMINOLOGY.states.map((s) => s.zh)).toEqual(expect.arrayContaining(['同步已发送', '同步已接收', '已建立连接', '终止等待1', '终止等待2', '关闭等待', '最后确认', '同时关闭', '时间等待']));
  });
});

describe('the checks themselves', () => {
  it('find half-width punctuation next to Chinese, and not in code or numbers', () => {
    expect(halfWidthPunctuation(proseOf('---\na: 1\n---\n连接建立后,客户端发送数据.\n'))).toHaveLength(2);
    expect(halfWidthPunctuation(proseOf('---\na: 1\n---\n重传间隔是 1.5 秒，`f(a,b)` 和 [链接](/zh-cn/x) 都不算。\n'))).toEqual([]);
  });
  it('find an English paragraph left in a Chinese page, and not a Chinese one with identifiers', () => {
    expect(englishParagraphs('The client retransmits its request until the timer expires and then gives up.')).toHaveLength(1);
    expect(englishParagraphs('客户端在 SYN_SENT 状态下重传 SYN，直到 tcp_syn_retries 用完为止，connect() 返回 ETIMEDOUT。')).toEqual([]);
  });
  it('see readable component props as prose and hide the rest', () => {
    const prose = proseOf('---\na: 1\n---\n<SequenceDiagram scenario="handshake" caption="三个报文段,依次到达" />\n');
    expect(prose).toContain('三个报文段,依次到达');
    expect(prose).not.toContain('handshake');
  });
});

describe('Chinese lab words (labs/<slug>/lab.zh-cn.yaml)', () => {
  for (const slug of LAB_SLUGS) {
    it(`${slug}: words for every objective, task and hint`, () => {
      const file = join(REPO, 'labs', slug, 'lab.zh-cn.yaml');
      expect(existsSync(file), `labs/${slug}/lab.zh-cn.yaml is missing`).toBe(true);
      const en = parse(readFileSync(join(REPO, 'labs', slug, 'lab.yaml'), 'utf8')) as { objectives: string[]; tasks: Array<{ id: number; hints: Array<Record<string, string>> }> };
      const zh = parse(readFileSync(file, 'utf8')) as { title: string; summary: string; objectives: string[]; tasks: Array<{ id: number; title: string; statement: string; hints: Array<Record<string, string>> }> };
      expect(zh.title).toMatch(HAN);
      expect(zh.objectives).toHaveLength(en.objectives.length);
      expect(zh.tasks.map((t) => t.id)).toEqual(en.tasks.map((t) => t.id));
      zh.tasks.forEach((task, i) => {
        expect(task.statement, `task ${task.id}`).toMatch(HAN);
        expect(task.hints.map((h) => Object.keys(h)), `task ${task.id} hints`).toEqual(en.tasks[i].hints.map((h) => Object.keys(h)));
      });
    });
  }
});

describe('the rest of the Chinese edition avoids the terms the table rules out', () => {
  const files = [
    ...readdirSync(join(ZH, 'interview')).map((f) => join(ZH, 'interview', f)),
    join(ZH, 'glossary.yaml'),
    ...LAB_SLUGS.map((slug) => join(REPO, 'labs', slug, 'lab.zh-cn.yaml')),
    join(REPO, 'site', 'i18n', 'ui.ts'),
    join(REPO, 'site', 'i18n', 'workbench.ts'),
    join(REPO, 'site', 'i18n', 'figures.ts'),
  ].filter((f) => existsSync(f));
  it('reads the interview bank, the glossary, the labs and the interface', () => {
    expect(files.length).toBeGreaterThan(60);
  });
  for (const file of files) {
    it(file.slice(REPO.length + 1), () => {
      const text = readFileSync(file, 'utf8');
      const problems = TERMS.flatMap((t) => (t.avoid ?? []).filter((a) => text.includes(a)).map((a) => `"${a}": say ${t.zh}`));
      expect(problems).toEqual([]);
    });
  }
});

describe('the interface’s textbook state names', () => {
  it('are the terminology table’s, for every state it names', async () => {
    const { TEXTBOOK_STATE_NAMES } = await import('../../site/i18n/state-names.ts');
    const table = Object.fromEntries(TERMINOLOGY.states.map((s) => [s.en[0], s.zh]));
    expect(TEXTBOOK_STATE_NAMES).toEqual(table);
  });
});
