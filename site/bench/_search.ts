import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await b.newPage();
await p.goto('http://127.0.0.1:4450/glossary/');
for (const q of ['半连接队列', '四次挥手', 'TIME_WAIT', 'SYN cookie']) {
  const r = await p.evaluate(async (q) => {
    const url = '/pagefind/pagefind.js';
    const pf = await import(url);
    await pf.init();
    const s = await pf.search(q);
    return Promise.all(s.results.slice(0, 5).map(async (x: any) => { const d = await x.data(); return `${x.score.toFixed(3)} ${d.url} | ${d.excerpt.slice(0, 80)}`; }));
  }, q);
  console.log(q); console.log(r.join('\n'));
}
await b.close();
