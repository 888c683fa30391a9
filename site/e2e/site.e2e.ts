// The site around the workbench in a real browser against the `npm start` server: experiments
// judge the run actually made and offer its pcap, pages fit a phone, figures take focus only when
// they scroll, the theme button says what it does, search finds the teaching page first, and a lab
// page's first visit stays within its transfer budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { countingRelay, measureVisit, PAGE_TYPES } from '../bench/page-bytes.ts';
import { precompressDir } from '../scripts/precompress.ts';
import { builtSite, CHROMIUM, launchChromium, removeBuiltSite, ROOT, startServer, type RunningServer } from './harness.ts';

const PORT = Number(process.env.E2E_PORT ?? 4392);
/** A lab page's first visit, everything the editor and its workers fetch included. */
const LAB_FIRST_VISIT_BUDGET = 3 * 1024 * 1024;

let dist: string;
let server: RunningServer;
let browser: Browser;

/** What `npm run build` adds after astro build: the search index and the compressed copies. */
async function completeBuild(dir: string): Promise<void> {
  if (!existsSync(join(dir, 'pagefind'))) {
    const r = spawnSync('npx', ['pagefind', '--site', dir], { cwd: ROOT, encoding: 'utf8', timeout: 280_000 });
    if (r.status !== 0) throw new Error(`pagefind failed:\n${r.stdout}${r.stderr}`);
  }
  if (!readdirSync(join(dir, '_astro')).some((f) => f.endsWith('.br'))) await precompressDir(dir);
}

async function phonePage(width = 390, height = 844): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, acceptDownloads: true });
  return context.newPage();
}

describe.skipIf(!existsSync(CHROMIUM))('the site in Chromium', () => {
  beforeAll(async () => {
    dist = builtSite();
    await completeBuild(dist);
    server = await startServer(dist, PORT);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dist) removeBuiltSite(dist);
  });

  describe('experiments judge the run actually made', () => {
    async function experiment(page: Page, scenario: string, knobText: string) {
      const all = page.locator('[data-experiment]');
      for (let i = 0; i < (await all.count()); i++) {
        const e = all.nth(i);
        if ((await e.getAttribute('data-config'))!.includes(`"scenario":"${scenario}"`) && (await e.getAttribute('data-config'))!.includes(knobText)) return e;
      }
      throw new Error(`no ${scenario} experiment with ${knobText}`);
    }

    it('handshake: with tcp_syn_linear_timeouts left at 4, "7 SYNs, 127 s" is not told it matches; at 0 it is', async () => {
      const page = await phonePage(1366, 900);
      await page.goto(`${server.url}/chapters/handshake/`);
      const exp = await experiment(page, 'connect-timeout', 'tcp_syn_linear_timeouts');
      await exp.getByLabel('7 SYNs, failing at 127 s').check();
      await exp.getByRole('button', { name: 'Run', exact: true }).click();
      const status = exp.locator('.exp-status');
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('This run:');
      const text = (await status.textContent())!;
      expect(text).not.toContain('matches the run');
      expect(text).toContain('The client sent 11 SYNs');
      expect(text).toContain('set net.ipv4.tcp_syn_linear_timeouts to 0');
      expect(await exp.locator('.exp-explanation').isHidden()).toBe(true);
      // The diagram the learner sees shows the same 11 SYNs the verdict counts.
      expect(await exp.locator('.exp-figure svg [data-seg-id]').count()).toBeGreaterThanOrEqual(11);
      await exp.locator('select').selectOption('0');
      await exp.getByRole('button', { name: 'Run', exact: true }).click();
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('matches the run');
      expect(await status.textContent()).toContain('The client sent 7 SYNs');
      expect(await exp.locator('.exp-explanation').isVisible()).toBe(true);
      await page.context().close();
    });

    it('introduction: the lost-FIN experiment without the fault announces no retransmission; its pcap downloads', async () => {
      const page = await phonePage(1366, 900);
      await page.goto(`${server.url}/chapters/introduction/`);
      const exp = await experiment(page, 'teardown', 'drop F. from client');
      await exp.getByRole('radio').nth(1).check();
      await exp.getByRole('button', { name: 'Run', exact: true }).click();
      const status = exp.locator('.exp-status');
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('This run:');
      expect(await status.textContent()).toContain('nothing was retransmitted');
      expect(await status.textContent()).not.toMatch(/matches the run|sent again/);
      expect(await exp.locator('.exp-explanation').isHidden()).toBe(true);
      const [download] = await Promise.all([page.waitForEvent('download'), exp.getByRole('button', { name: /pcap/ }).click()]);
      expect(download.suggestedFilename()).toBe('teardown.pcap');
      const stream = await download.createReadStream();
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
      expect(bytes.readUInt32LE(20)).toBe(228);
      await page.context().close();
    });
  });

  describe('pages fit', () => {
    it('no page type scrolls sideways at 390 px', async () => {
      const page = await phonePage();
      const wide: string[] = [];
      for (const type of PAGE_TYPES) {
        await page.goto(server.url + type.path);
        if (type.ready) await page.waitForSelector(type.ready, { timeout: 120_000 });
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > 390) wide.push(`${type.name} (${type.path}): ${width} px`);
      }
      expect(wide).toEqual([]);
      await page.context().close();
    });

    it('on a phone a sequence diagram scrolls inside its box, which is a tab stop, to reach the server lane', async () => {
      const page = await phonePage();
      await page.goto(`${server.url}/chapters/handshake/`);
      const box = page.locator('.fig-figure .fig-scroll').first();
      const sizes = await box.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, tab: el.getAttribute('tabindex') }));
      if (sizes.scroll > sizes.client + 1) {
        expect(sizes.tab).toBe('0');
        // Scrolled to the end, the right lane's label is inside the box.
        await box.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
        const lane = box.locator('svg text', { hasText: 'server' }).first();
        const [laneBox, outer] = [await lane.boundingBox(), await box.boundingBox()];
        expect(laneBox!.x + laneBox!.width).toBeLessThanOrEqual(outer!.x + outer!.width + 1);
      } else {
        // Scaled to fit: then it must not be a tab stop.
        expect(sizes.tab).toBeNull();
      }
      await page.context().close();
    });

    it('at 1366 px only figures that overflow take focus', async () => {
      const page = await phonePage(1366, 900);
      await page.goto(`${server.url}/chapters/handshake/`);
      const boxes = await page.locator('.fig-scroll').evaluateAll((els) =>
        els.filter((el) => (el as HTMLElement).offsetParent !== null).map((el) => ({ overflow: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1, tab: el.getAttribute('tabindex') })),
      );
      expect(boxes.length).toBeGreaterThan(3);
      for (const b of boxes) expect(b.tab).toBe(b.overflow ? '0' : null);
      await page.context().close();
    });
  });

  it('the theme button says what it will do', async () => {
    const page = await phonePage(1366, 900);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${server.url}/`);
    const button = page.locator('[data-theme-toggle]');
    // Polled: on a loaded machine the module that wires the button may run after load.
    await expect.poll(() => button.innerText(), { timeout: 15_000 }).toBe('Switch to dark mode');
    await page.waitForFunction(() => document.querySelector('[data-theme-toggle]') !== null && document.readyState === 'complete');
    await button.click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme), { timeout: 15_000 }).toBe('dark');
    expect(await button.innerText()).toBe('Switch to light mode');
    expect(await page.getByRole('button', { name: 'Switch to light mode' }).count()).toBe(1);
    await page.context().close();
  });

  describe('search', () => {
    // Pagefind keeps one index per <html lang>: a query from an English page searches the English
    // edition (whose chapters carry their Chinese names), one from a Chinese page the Chinese edition.
    for (const [from, query, chapter] of [
      ['/', '半连接队列', '/chapters/queues/'],
      ['/', '四次挥手', '/chapters/teardown/'],
      ['/zh-cn/', '半连接队列', '/zh-cn/chapters/queues/'],
      ['/zh-cn/', '四次挥手', '/zh-cn/chapters/teardown/'],
      ['/zh-cn/', '保活探测', '/zh-cn/chapters/keepalive/'],
      ['/zh-cn/', '时间等待', '/zh-cn/chapters/teardown/'],
      ['/zh-cn/', '端口耗尽', '/zh-cn/chapters/operating/'],
      ['/zh-cn/', 'SYN 攻击', '/zh-cn/chapters/syn-flood/'],
    ] as const) {
      it(`${query} from ${from}: the chapter that teaches it comes first, and no excerpt is trace-table text`, async () => {
        const page = await phonePage(1366, 900);
        await page.goto(`${server.url}${from}`);
        // A string, not a function: vitest would rewrite import() inside a function for Node.
        const results = (await page.evaluate(`(async () => {
          const pagefind = await import('/pagefind/pagefind.js');
          await pagefind.init();
          const search = await pagefind.search(${JSON.stringify(query)});
          return Promise.all(search.results.slice(0, 5).map((r) => r.data()));
        })()`)) as Array<{ url: string; excerpt: string }>;
        expect(results.length).toBeGreaterThan(0);
        expect(results[0].url).toBe(chapter);
        for (const r of results) expect(r.excerpt).not.toMatch(/\b(seq|ack) \d+ (ack|win) \d+/);
        expect(results.map((r) => r.url)).not.toContain(from);
        for (const r of results) expect(r.url.startsWith('/zh-cn/')).toBe(from === '/zh-cn/');
        await page.context().close();
      });
    }
  });

  describe('the Chinese edition', () => {
    it('a first visit from a Chinese browser opens the Chinese page; the switch keeps the place and is remembered', async () => {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/chapters/handshake/`);
      await page.waitForURL(/\/zh-cn\/chapters\/handshake\/$/);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-Hans');
      await expect.poll(() => page.locator('h1').textContent()).toBe('三次握手');
      // The same anchor in both editions: scroll to a heading, switch, land on the English heading.
      // A reader stops at a section, then scrolls back up to the header to press the switch.
      // (Instant scrolls: the page scrolls smoothly, and a reader's pause is longer than a test's.)
      await page.evaluate(() => {
        const heading = document.querySelector('#choosing-the-initial-sequence-number')!;
        window.scrollTo({ top: heading.getBoundingClientRect().top + window.scrollY + 40, behavior: 'instant' });
      });
      await page.waitForTimeout(1000);
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      await page.locator('[data-locale-switch="en"]').click();
      await page.waitForURL(/\/chapters\/handshake\/#/);
      expect(new URL(page.url()).hash).toBe('#choosing-the-initial-sequence-number');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      expect(await page.locator(new URL(page.url()).hash).count()).toBe(1);
      // Switched to English by hand: the front page now opens in English for this reader.
      await page.goto(`${server.url}/`);
      await page.waitForLoadState('load');
      expect(new URL(page.url()).pathname).toBe('/');
      // An address naming the Chinese edition is still honoured.
      await page.goto(`${server.url}/zh-cn/glossary/`);
      await page.waitForLoadState('load');
      expect(new URL(page.url()).pathname).toBe('/zh-cn/glossary/');
      await context.close();
    });

    it('an English browser stays in English, and a Chinese address is honoured on a first visit', async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`${server.url}/chapters/queues/`);
      await page.waitForLoadState('load');
      expect(new URL(page.url()).pathname).toBe('/chapters/queues/');
      await context.close();
      const fresh = await (await browser.newContext({ locale: 'en-US' })).newPage();
      await fresh.goto(`${server.url}/zh-cn/chapters/queues/`);
      await fresh.waitForLoadState('load');
      expect(new URL(fresh.url()).pathname).toBe('/zh-cn/chapters/queues/');
      await fresh.goto(`${server.url}/`);
      await fresh.waitForURL(/\/zh-cn\/$/);
      await fresh.context().close();
    });

    it('an experiment in a Chinese chapter: the verdict is Chinese and still comes from the run', async () => {
      const page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } })).newPage();
      await page.goto(`${server.url}/zh-cn/chapters/handshake/`);
      const all = page.locator('[data-experiment]');
      let exp = all.first();
      for (let i = 0; i < (await all.count()); i++) {
        const config = (await all.nth(i).getAttribute('data-config'))!;
        if (config.includes('"scenario":"connect-timeout"') && config.includes('tcp_syn_linear_timeouts')) exp = all.nth(i);
      }
      await exp.getByLabel('7 个 SYN，在 127 秒时失败').check();
      await exp.getByRole('button', { name: '运行', exact: true }).click();
      const status = exp.locator('.exp-status');
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('这次运行：');
      expect(await status.textContent()).not.toContain('与运行结果一致');
      expect(await status.textContent()).toContain('11 个 SYN');
      await exp.locator('select').selectOption('0');
      await exp.getByRole('button', { name: '运行', exact: true }).click();
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('与运行结果一致');
      expect(await status.textContent()).toContain('7 个 SYN');
      // The figure's own words are Chinese too.
      expect(await exp.locator('.exp-figure').textContent()).toContain('重传');
      await page.context().close();
    });

    it('a Chinese lab page: Chinese tasks; Run and Submit of the starter report failing tests in Chinese', async () => {
      const page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } })).newPage();
      await page.goto(`${server.url}/zh-cn/labs/handshake/`);
      await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe('三次握手');
      const tasks = page.locator('[data-tasks]');
      await expect.poll(() => tasks.textContent(), { timeout: 30_000 }).toContain('选取初始序列号');
      const results = page.locator('[data-results]');
      const run = page.locator('[data-action="run"]');
      await expect.poll(() => run.isEnabled(), { timeout: 60_000 }).toBe(true);
      await run.click();
      await expect.poll(() => results.textContent(), { timeout: 120_000 }).toMatch(/运行（可见测试）：\d+ 个测试中通过 0 个/);
      const text = (await results.textContent())!;
      expect(text).toContain('尚未实现');
      expect(text).toContain('未通过');
      expect(text).not.toMatch(/not implemented yet|Steps that ran/);
      await page.locator('[data-action="submit"]').click();
      await expect.poll(() => results.textContent(), { timeout: 120_000 }).toMatch(/提交（隐藏测试）：\d+ 个测试中通过 0 个 · 得分 0\/100/);
      await page.context().close();
    });

    it('the interview review runs in Chinese: mark a question, review it, rate it', async () => {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/zh-cn/interview/`);
      const first = page.locator('[data-review-toggle]').first();
      await expect.poll(() => first.textContent()).toBe('加入复习');
      await first.click();
      await expect.poll(() => first.textContent()).toBe('已在复习 ✓（移除）');
      await page.goto(`${server.url}/zh-cn/interview/review/`);
      await expect.poll(() => page.locator('[data-review-status]').textContent()).toBe('有 1 道题到期。');
      await page.getByRole('button', { name: '展开答案' }).click();
      const answer = page.locator('[data-card]:not([hidden]) [data-answer]');
      await expect.poll(() => answer.isVisible()).toBe(true);
      expect(await answer.locator('h4').allTextContents()).toEqual(['面试时这样答', '参考答案', '深入一点']);
      expect(await page.locator('[data-rating="3"] small').textContent()).toMatch(/(分钟|小时|天)后$/);
      await page.getByRole('button', { name: /^良好/ }).click();
      await expect.poll(() => page.locator('[data-review-status]').textContent()).toMatch(/^完成：本轮复习了 1 道。现在没有到期的题目。/);
      await context.close();
    });
  });

  it(`a lab page's first visit transfers at most ${LAB_FIRST_VISIT_BUDGET / 1024 / 1024} MB and a repeat visit almost nothing`, async () => {
    const relay = await countingRelay(server.url);
    const context = await browser.newContext();
    try {
      const lab = PAGE_TYPES.find((p) => p.name === 'lab')!;
      const first = await measureVisit(context, relay, lab.path, lab.ready);
      expect(first.bytes).toBeLessThanOrEqual(LAB_FIRST_VISIT_BUDGET);
      // The editor and its TypeScript worker did load (the budget is not met by loading nothing).
      expect(first.bytes).toBeGreaterThan(1024 * 1024);
      const repeat = await measureVisit(context, relay, lab.path, lab.ready);
      expect(repeat.bytes).toBeLessThan(20 * 1024);
    } finally {
      await context.close();
      await relay.close();
    }
  });
});
