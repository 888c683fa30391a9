/**
 * Bytes on the wire per page type, measured in headless Chromium against a running course server:
 * a first visit (empty cache) and a repeat visit (same browser profile, new tab). The browser talks
 * to the server through a counting TCP relay, so every byte the server sends is counted, headers
 * and compressed bodies as transferred, including what the editor's web workers fetch (which
 * Chromium's per-page network accounting leaves out).
 *
 *   npx tsx site/bench/page-bytes.ts [--url http://127.0.0.1:4321] [--json]
 *
 * A size measurement, not a timing: the numbers do not depend on the machine's speed.
 */
import { connect, createServer, type Server } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** A relay in front of the course server that counts the bytes it sends back. */
export interface CountingRelay {
  url: string;
  /** Bytes from the server since the last reset, and the number of connections opened. */
  read(): { bytes: number; connections: number };
  reset(): void;
  close(): Promise<void>;
}

export async function countingRelay(target: string): Promise<CountingRelay> {
  const { hostname, port } = new URL(target);
  let bytes = 0;
  let connections = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((client) => {
    connections++;
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    upstream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    read: () => ({ bytes, connections }),
    reset: () => {
      bytes = 0;
      connections = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export const PAGE_TYPES: Array<{ name: string; path: string; ready?: string }> = [
  { name: 'home', path: '/' },
  { name: 'chapter', path: '/chapters/handshake/' },
  { name: 'labs index', path: '/labs/' },
  { name: 'lab', path: '/labs/handshake/', ready: '[data-workbench][data-ready="true"]' },
  { name: 'glossary', path: '/glossary/' },
  { name: 'interview', path: '/interview/' },
  { name: 'review', path: '/interview/review/' },
  { name: 'instructor', path: '/instructor/' },
  { name: '404', path: '/no-such-page/' },
];

export interface Transfer {
  bytes: number;
  requests: number;
}

/**
 * Loads `url` in a new tab of `context` and counts what the relay carried until the page and its
 * workers settled (2 s with no request in flight, after `ready` appeared).
 */
export async function measureVisit(context: BrowserContext, relay: CountingRelay, path: string, ready?: string): Promise<Transfer> {
  const page: Page = await context.newPage();
  let requests = 0;
  let inFlight = 0;
  let lastActivity = Date.now();
  const started = (): void => {
    requests++;
    inFlight++;
    lastActivity = Date.now();
  };
  const done = (): void => {
    inFlight = Math.max(0, inFlight - 1);
    lastActivity = Date.now();
  };
  context.on('request', started);
  context.on('requestfinished', done);
  context.on('requestfailed', done);
  relay.reset();
  await page.goto(relay.url + path, { waitUntil: 'load' });
  if (ready) await page.waitForSelector(ready, { timeout: 120_000 });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (inFlight > 0 || Date.now() - lastActivity < 2000)) await page.waitForTimeout(250);
  const { bytes } = relay.read();
  context.off('request', started);
  context.off('requestfinished', done);
  context.off('requestfailed', done);
  await page.close();
  return { bytes, requests };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const base = argv.includes('--url') ? argv[argv.indexOf('--url') + 1]! : 'http://127.0.0.1:4321';
  const relay = await countingRelay(base);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const results: Array<{ page: string; first: Transfer; repeat: Transfer }> = [];
  try {
    for (const type of PAGE_TYPES) {
      const context = await browser.newContext();
      const first = await measureVisit(context, relay, type.path, type.ready);
      const repeat = await measureVisit(context, relay, type.path, type.ready);
      await context.close();
      results.push({ page: type.name, first, repeat });
    }
  } finally {
    await browser.close();
    await relay.close();
  }
  if (argv.includes('--json')) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`.padStart(10);
  console.log(`${'page'.padEnd(12)} ${'first visit'.padStart(12)} ${'requests'.padStart(8)} ${'repeat'.padStart(9)} ${'requests'.padStart(8)}`);
  for (const r of results) console.log(`${r.page.padEnd(12)} ${kb(r.first.bytes).padStart(12)} ${String(r.first.requests).padStart(8)} ${kb(r.repeat.bytes)} ${String(r.repeat.requests).padStart(8)}`);
}

if (process.argv[1]?.endsWith('page-bytes.ts')) void main();
