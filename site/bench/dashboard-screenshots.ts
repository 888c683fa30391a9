/**
 * The instructor page's pictures of the workshop dashboard: a made-up class of seven (invented
 * names, Run and Submit histories with real task titles and visible-test names) in a workshop
 * record in memory, the course server's dashboard over it on a loopback port, and Chromium taking
 * the English and the Chinese page. The PNGs land in site/public/instructor/ (the page shows them).
 *
 *   npx tsx site/bench/dashboard-screenshots.ts [out-dir]
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { createCourseServer } from '../server/course-server.ts';
import { dashboardLabs } from '../server/serve.ts';
import { WorkshopRecord, type Learner } from '../server/workshop/record.ts';
import { endWorkshopStreams, makeInstructorKey } from '../server/workshop/dashboard.ts';
import type { ResultsDocument, TestResult } from '../../labs/kit/results.ts';

const out = process.argv[2] ?? 'site/public/instructor';
const MIN = 60_000;
// The class started 50 minutes ago, so the pictures show times of today.
const now = Date.now();
const T0 = now - 50 * MIN;

/** Visible-test names per task (the hidden suite's names stay out of a public picture). */
const TESTS: Record<string, Record<number, string[]>> = {
  handshake: {
    1: ['connect() sends a SYN whose sequence number is the RFC 6528 ISN', 'chooseIss: the same 4-tuple one second later gets an ISN larger by 15,625,000 (the 64 ns clock)'],
    2: ['a SYN-ACK acknowledging ISN+1 makes the client ESTABLISHED and it sends the ACK', 'a SYN-ACK with an unacceptable ACK draws a RST'],
    3: ['the server answers a SYN with a SYN-ACK acknowledging ISN+1', 'the final ACK completes the passive open and accept() returns'],
    4: ['the first SYN retransmissions come 1 s apart', 'connect() gives up with ETIMEDOUT at 131 s'],
  },
  teardown: {
    1: ['close() on an idle connection sends a FIN and moves to FIN_WAIT_1', 'close() with unread data sends a RST instead of a FIN, and no TIME_WAIT follows'],
    2: ['the peer closes first: its FIN moves us to CLOSE_WAIT, and close() then sends our FIN (LAST_ACK)'],
    3: ['TIME_WAIT lasts 60 s on Linux'],
    4: ['an orphaned FIN_WAIT_2 is freed after tcp_fin_timeout (60 s)'],
  },
};
const POINTS: Record<string, Record<number, number>> = { handshake: { 1: 15, 2: 30, 3: 30, 4: 25 }, teardown: { 1: 25, 2: 25, 3: 25, 4: 25 } };
const MESSAGES: Record<string, string> = {
  'connect() sends a SYN whose sequence number is the RFC 6528 ISN': 'step 4: SYN with ISN = SipHash(4-tuple) + clock: seq 2409206011, wanted 2409206010',
  'the server answers a SYN with a SYN-ACK acknowledging ISN+1': 'step 2: no segment from the host at t=0 ms (wanted S. ack 1)',
  'a SYN-ACK with an unacceptable ACK draws a RST': 'step 2: RST <SEQ=SEG.ACK>: nothing was sent',
  'TIME_WAIT lasts 60 s on Linux': 'the connection left TIME_WAIT at 30 s, wanted 60 s',
};

/** A results document: `failing` tasks fail on their first test; every other task passes. */
function result(lab: string, suite: 'visible' | 'hidden', failing: number[], unfinished: number[] = []): ResultsDocument {
  const tests: TestResult[] = [];
  for (const [task, names] of Object.entries(TESTS[lab])) {
    names.forEach((name, i) => {
      const broken = unfinished.includes(Number(task)) || (failing.includes(Number(task)) && i === 0);
      const message = unfinished.includes(Number(task)) ? `not implemented yet: ${lab}/${task}` : MESSAGES[name] ?? 'expected a different segment';
      tests.push({ name, task_id: Number(task), status: broken ? 'fail' : 'pass', message: broken ? message : null, steps: [], trace_ref: null, seed: 1, duration_ms: 4 });
    });
  }
  const tasks = Object.keys(TESTS[lab]).map(Number).map((id) => {
    const mine = tests.filter((t) => t.task_id === id);
    const passed = mine.filter((t) => t.status === 'pass').length;
    const max = POINTS[lab][id];
    return { id, title: `task ${id}`, status: (passed === mine.length ? 'pass' : 'fail') as 'pass' | 'fail', points: Math.round((max * passed) / mine.length * 100) / 100, max, passed, total: mine.length };
  });
  const points = tasks.reduce((n, t) => n + t.points, 0);
  return { version: 1, lab, suite, status: points === 100 ? 'pass' : 'fail', seed: 1, score: { points, max: 100 }, tasks, tests, traces: {}, message: null };
}

const record = WorkshopRecord.open(':memory:');
const join_ = (name: string, minute: number): Learner => record.addLearner(name, T0 + minute * MIN);
const at = (who: Learner, minute: number, doc: ResultsDocument, seconds = 1.4) => record.addAttempt(who.id, doc, { at: T0 + minute * MIN, durationMs: seconds * 1000 });

const amara = join_('Amara Okafor', 0);
at(amara, 6, result('handshake', 'visible', [], [2, 3, 4]));
at(amara, 9, result('handshake', 'hidden', [], [3, 4]));
at(amara, 21, result('handshake', 'hidden', [4]));
at(amara, 27, result('handshake', 'hidden', []));
at(amara, 38, result('teardown', 'hidden', [3], [4]));
at(amara, 46, result('teardown', 'visible', [], [4]));

const ben = join_('Ben Keller', 1);
at(ben, 8, result('handshake', 'hidden', [1], [2, 3, 4]));
at(ben, 19, result('handshake', 'hidden', [3], [4]));
at(ben, 31, result('handshake', 'hidden', [3], [4]));
at(ben, 44, result('handshake', 'hidden', [3], [4]));

const chen = join_('陈静', 1);
at(chen, 12, result('handshake', 'visible', [], [2, 3, 4]));
at(chen, 25, result('handshake', 'visible', [2], [3, 4]));
at(chen, 47, result('handshake', 'visible', [], [3, 4]));

const dmitri = join_('Dmitri Volkov', 2);
at(dmitri, 15, result('handshake', 'hidden', [1], [2, 3, 4]));

const elena = join_('Elena García', 3);
at(elena, 10, result('handshake', 'hidden', [1], [3, 4]));
at(elena, 30, result('handshake', 'hidden', [2]));
at(elena, 45, result('handshake', 'hidden', []));

const farah = join_('Farah Haddad', 4);
at(farah, 14, result('handshake', 'hidden', [1, 3], [4]));
at(farah, 43, result('handshake', 'hidden', [3]));

const li = join_('李雷', 5);
at(li, 24, result('handshake', 'hidden', [], [4]));
at(li, 40, result('handshake', 'hidden', []));
at(li, 48, result('teardown', 'hidden', [], [2, 3, 4]));

// The dashboard needs no built site: an empty folder stands in for dist/.
const dist = mkdtempSync(join(tmpdir(), 'dashboard-shots-'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>course</title>');
const key = makeInstructorKey();
const server = createCourseServer({ dist, grader: null, joinToken: 'amber-falcon-ridge-tulip-orbit-cedar', workshop: { record, instructorKey: key, ...dashboardLabs(), now: () => now }, log: () => {} });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [locale, query, file] of [['en', '', 'dashboard.png'], ['zh-cn', '?lang=zh-cn', 'dashboard-zh-cn.png']] as const) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1, locale: locale === 'en' ? 'en-GB' : 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(`${base}/workshop/${query}`);
  await page.fill('#key', key);
  await Promise.all([page.waitForSelector('#matrix-table'), page.click('button[type="submit"]')]);
  // Wait for the live stream's first matrix, so the status line says "Live".
  await page.waitForFunction(() => !/…$/.test(document.getElementById('status')?.textContent ?? '…'));
  const height = await page.evaluate(() => Math.ceil(document.querySelector('main')!.getBoundingClientRect().bottom + 24));
  await page.setViewportSize({ width: 1280, height });
  const path = join(out, file);
  // A palette of 64 colours is plenty for text and three status colours, and a third of the bytes.
  const png = await sharp(await page.screenshot({ fullPage: false })).png({ palette: true, colours: 64, dither: 0, compressionLevel: 9, effort: 10 }).toBuffer();
  writeFileSync(path, png);
  console.log(`${path}: ${Math.round(statSync(path).size / 1024)} KB, 1280 × ${height}`);
  await ctx.close();
}
await browser.close();
endWorkshopStreams(record);
server.closeAllConnections();
server.close();
record.close();
rmSync(dist, { recursive: true, force: true });
