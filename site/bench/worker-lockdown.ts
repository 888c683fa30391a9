// What SES costs the in-browser worker (site/lib/workbench/worker-lockdown.ts), in headless
// Chromium: parsing SES's script, lockdown(), one Compartment evaluating a module. Each round is a
// fresh worker fed SES from a blob (no network; the site serves it as a 48 KB gzip chunk).
//
//   npx tsx site/bench/worker-lockdown.ts [--rounds 9]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium } from '../e2e/harness.ts';
import { LOCKDOWN_OPTIONS } from '../lib/workbench/worker-lockdown.ts';

const i = process.argv.indexOf('--rounds');
const rounds = i >= 0 ? Number(process.argv[i + 1]) : 9;
const sesText = readFileSync(createRequire(import.meta.url).resolve('ses').replace(/index\.js$/, 'dist/ses.umd.min.js'), 'utf8');
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto('about:blank');
  const runs: Array<Record<string, number>> = [];
  for (let r = 0; r < rounds; r++) {
    runs.push(await page.evaluate(async ({ sesText, options }) => {
      const sesUrl = URL.createObjectURL(new Blob([sesText], { type: 'text/javascript' }));
      const source = `'use strict';
        const t0 = performance.now();
        importScripts(${JSON.stringify(sesUrl)});
        const t1 = performance.now();
        lockdown(${JSON.stringify(options)});
        const t2 = performance.now();
        const c = new Compartment({ globals: { console }, __options__: true });
        c.evaluate('(function (exports, require, module) { exports.x = 1; })')({}, () => {}, {});
        const t3 = performance.now();
        let frozen = false;
        try { JSON.stringify = () => 'forged'; } catch { frozen = true; }
        postMessage({ parse: t1 - t0, lockdown: t2 - t1, compartment: t3 - t2, frozen: frozen ? 1 : 0 });`;
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      const result = await new Promise<Record<string, number>>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
      });
      worker.terminate();
      return result;
    }, { sesText, options: LOCKDOWN_OPTIONS }));
  }
  if (runs.some((r) => r.frozen !== 1)) throw new Error('JSON.stringify could be replaced after lockdown()');
  for (const key of ['parse', 'lockdown', 'compartment']) {
    const v = runs.map((r) => r[key]).sort((a, b) => a - b);
    console.log(`${key.padEnd(11)} median ${v[v.length >> 1].toFixed(0)} ms (min ${v[0].toFixed(0)}, max ${v[v.length - 1].toFixed(0)}, ${rounds} workers)`);
  }
} finally {
  await browser.close();
}
