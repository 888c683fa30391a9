/**
 * Screenshots of every page type at 1366 px and on a 390 × 844 phone, for looking at, with each
 * page's scroll width (a page wider than the viewport scrolls sideways) and, for the handshake
 * chapter, each figure's box and whether it is a tab stop.
 *
 *   npx tsx site/bench/screenshots.ts [http://127.0.0.1:4321] [out-dir]
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { PAGE_TYPES } from './page-bytes.ts';
const base = process.argv[2] ?? 'http://127.0.0.1:4321';
const out = process.argv[3] ?? '.cache/screenshots';
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [w, h] of [[1366, 900], [390, 844]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: h } });
  const page = await ctx.newPage();
  for (const t of PAGE_TYPES) {
    await page.goto(base + t.path);
    if (t.ready) await page.waitForSelector(t.ready, { timeout: 120000 });
    await page.waitForTimeout(500);
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.screenshot({ path: `${out}/${t.name.replace(' ', '-')}-${w}.png`, fullPage: false });
    console.log(w, t.name, 'scrollWidth', sw);
  }
  // A long timeline and a sequence diagram up close.
  await page.goto(base + '/chapters/handshake/');
  const figs = page.locator('.fig-figure');
  const n = await figs.count();
  for (let i = 0; i < n; i++) {
    const info = await figs.nth(i).evaluate((el) => { const b = el.querySelector('.fig-scroll') as HTMLElement; return { kind: el.querySelector('svg')?.getAttribute('aria-label')?.slice(0, 60), sw: b?.scrollWidth, cw: b?.clientWidth, tab: b?.getAttribute('tabindex') }; });
    console.log(w, 'fig', i, JSON.stringify(info));
  }
  await figs.nth(0).screenshot({ path: `${out}/fig0-${w}.png` });
  await ctx.close();
}
await browser.close();
