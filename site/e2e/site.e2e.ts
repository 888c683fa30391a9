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
    for (const [query, chapter] of [
      ['半连接队列', '/chapters/queues/'],
      ['四次挥手', '/chapters/teardown/'],
    ] as const) {
      it(`${query}: the chapter that teaches it comes first, and no excerpt is trace-table text`, async () => {
        const page = await phonePage(1366, 900);
        await page.goto(`${server.url}/`);
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
        expect(results.map((r) => r.url)).not.toContain('/');
        await page.context().close();
      });
    }
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
