/**
 * The instructor's live class dashboard, routed by the course server under WORKSHOP_PREFIX:
 *
 *   GET  /workshop/               the page (or the key form when the key is missing)
 *   POST /workshop/key            key form → HttpOnly cookie, then back to the page
 *   GET  /workshop/events         server-sent events: `matrix` after every join, Run and Submit
 *   GET  /workshop/matrix.json    the matrix as JSON
 *   GET  /workshop/matrix.csv     the matrix as CSV (a download)
 *   POST /workshop/open-solutions "open the solutions now": calls ctx.onOpenSolutions()
 *
 * The instructor key is separate from the learners' join token, and travels only in a header
 * (x-instructor-key) or an HttpOnly, SameSite=Strict cookie — never in a URL, where it would end
 * up in history, logs and screenshots of the projector.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { WorkshopRecord } from './record.ts';
import { buildMatrix, describeStuck, matrixCsv, type Matrix, type MatrixOptions } from './matrix.ts';
import { SseHub } from './sse.ts';

export const WORKSHOP_PREFIX = '/workshop';
export const KEY_HEADER = 'x-instructor-key';
export const KEY_COOKIE = 'workshop_key';
const FORM_LIMIT = 4096;

export interface WorkshopContext {
  record: WorkshopRecord;
  instructorKey: string;
  /** Opens the solutions to everyone (the course server's `solutions: 'open'`). */
  onOpenSolutions: () => void;
  /** Whether they are open already (shown on the page). */
  solutionsOpen?: () => boolean;
  matrix?: MatrixOptions;
  now?: () => number;
}

/** 24 characters of base64url (144 bits), printed at start; not the join token. */
export function makeInstructorKey(): string {
  return randomBytes(18).toString('base64url');
}

/** Compares digests, so neither the content nor the length of the key leaks through timing. */
export function keyMatches(given: string | undefined | null, expected: string): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function isInstructor(req: IncomingMessage, key: string): boolean {
  const header = req.headers[KEY_HEADER];
  return keyMatches(typeof header === 'string' ? header : null, key) || keyMatches(cookieValue(req.headers.cookie, KEY_COOKIE), key);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const SYMBOL: Record<string, string> = { pass: '✓ pass', fail: '✗ fail', error: '⚠ error', none: '—' };

function clock(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toISOString().slice(11, 16);
}

/** The live part of the page: the matrix table and the common failures (re-sent on every change). */
export function renderMatrix(m: Matrix): string {
  const head = m.columns.map((c) => `<th scope="col"><span class="lab">${escapeHtml(c.lab)}</span> ${escapeHtml(c.taskId)}<span class="title">${escapeHtml(c.title)}</span></th>`).join('');
  const body = m.rows.length
    ? m.rows
        .map((r) => {
          const cells = r.cells
            .map((c) => `<td class="s-${c.status}">${SYMBOL[c.status]}${c.status === 'none' ? '' : ` <span class="pts">${escapeHtml(c.points)}/${escapeHtml(c.max)}</span>${c.suite === 'visible' ? ' <span class="run">(run)</span>' : ''}`}</td>`)
            .join('');
          const stuck = describeStuck(r.stuck);
          return `<tr${stuck ? ' class="stuck"' : ''}><th scope="row">${escapeHtml(r.learner.name)}</th><td>${escapeHtml(r.points)}/${escapeHtml(r.max)}</td>${cells}<td>${r.runs}/${r.submits}</td><td>${r.minutes} min, last ${clock(r.lastAt)}</td><td>${stuck ? `⚑ ${escapeHtml(stuck)}` : ''}</td></tr>`;
        })
        .join('\n')
    : `<tr><td colspan="${m.columns.length + 5}">No one has joined yet.</td></tr>`;
  const failures = m.commonFailures.length
    ? `<ol>${m.commonFailures.map((f) => `<li><strong>${escapeHtml(f.lab)} task ${escapeHtml(f.taskId)}</strong> — ${f.learners} learner${f.learners === 1 ? '' : 's'}: ${escapeHtml(f.test)}<br><span class="msg">${escapeHtml(f.message)}</span></li>`).join('')}</ol>`
    : '<p>No failing submits yet.</p>';
  return `<div class="scroll" role="region" aria-labelledby="matrix-caption" tabindex="0"><table id="matrix-table">
<caption id="matrix-caption">Learners × tasks (latest Submit; “(run)” when they have only run the visible tests) — ${m.rows.length} learner${m.rows.length === 1 ? '' : 's'}, updated ${clock(m.at)} UTC</caption>
<thead><tr><th scope="col">Learner</th><th scope="col">Points</th>${head}<th scope="col">Runs/Submits</th><th scope="col">Time</th><th scope="col">Stuck</th></tr></thead>
<tbody>
${body}
</tbody></table></div>
<h2 id="failures">Most common first failure, per task</h2>
${failures}`;
}

const STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1b1b; --muted: #5b5b5b; --line: #c9c9c9; --pass: #0a6b2d; --fail: #a4121b; --stuck: #fff4c2; --focus: #1a5fb4; }
@media (prefers-color-scheme: dark) { :root { --bg: #161616; --fg: #ececec; --muted: #b0b0b0; --line: #444; --pass: #6fdc8c; --fail: #ff8a8a; --stuck: #3b3200; --focus: #8ab4f8; } }
body { background: var(--bg); color: var(--fg); font: 16px/1.45 system-ui, sans-serif; margin: 1.5rem; }
table { border-collapse: collapse; } th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--bg); } .title { display: block; font-weight: normal; font-size: .8em; color: var(--muted); }
.s-pass { color: var(--pass); } .s-fail, .s-error { color: var(--fail); } .s-none, .run, .msg { color: var(--muted); }
tr.stuck > * { background: var(--stuck); } .scroll { overflow: auto; max-width: 100%; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
button, input { font: inherit; padding: .3rem .7rem; } .actions { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: 1rem 0; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

export function renderKeyForm(problem?: string): string {
  return page(
    'Workshop dashboard — instructor key',
    `<main><h1>Workshop dashboard</h1>
<p>Type the <strong>instructor key</strong> the course server printed when it started (not the learners' join token).</p>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="${WORKSHOP_PREFIX}/key"><label for="key">Instructor key</label>
<input id="key" name="key" type="password" autocomplete="off" required autofocus> <button type="submit">Open the dashboard</button></form></main>`,
  );
}

export function renderDashboard(m: Matrix, solutionsOpen: boolean, nonce: string): string {
  // The script only swaps in markup this server rendered and escaped; no learner text reaches it raw.
  const script = `
const live = document.getElementById('live'), status = document.getElementById('status');
const source = new EventSource('${WORKSHOP_PREFIX}/events');
source.addEventListener('matrix', (e) => {
  const { html, learners } = JSON.parse(e.data);
  // Keyboard users keep their place: focus inside the table returns to its scroll region.
  const hadFocus = live.contains(document.activeElement);
  live.innerHTML = html;
  if (hadFocus) live.querySelector('.scroll')?.focus();
  status.textContent = 'Live: ' + learners + ' learner' + (learners === 1 ? '' : 's') + ', updated ' + new Date().toLocaleTimeString();
});
source.addEventListener('error', () => { status.textContent = 'Reconnecting to the course server…'; });
document.getElementById('open-solutions')?.addEventListener('submit', (e) => {
  if (!confirm("Open every lab's solution to everyone now?")) e.preventDefault();
});
`;
  return page(
    'Workshop dashboard',
    `<main><h1>Workshop dashboard</h1>
<p id="status" role="status" aria-live="polite">Connecting for live updates…</p>
<div class="actions">
<a href="${WORKSHOP_PREFIX}/matrix.csv" download>Export the matrix (CSV)</a>
${
  solutionsOpen
    ? '<p><strong>Solutions are open to everyone.</strong></p>'
    : `<form id="open-solutions" method="post" action="${WORKSHOP_PREFIX}/open-solutions"><button type="submit">Open the solutions now</button></form>`
}
</div>
<div id="live">${renderMatrix(m)}</div></main>
<script nonce="${nonce}">${script}</script>`,
  );
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff', ...extra });
  res.end(body);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  return new Promise((resolvePromise) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > FORM_LIMIT) {
        resolvePromise(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolvePromise(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', () => resolvePromise(null));
  });
}

/**
 * A form posted from another site carries its own Origin: refused (the cookie is SameSite=Strict
 * too). Our pages use referrer policy same-origin: with no-referrer, browsers send `Origin: null`
 * on their own form posts, which is refused like any opaque origin.
 */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

interface Live {
  hub: SseHub;
  off: () => void;
}
const lives = new WeakMap<WorkshopRecord, Live>();

function liveFor(ctx: WorkshopContext): Live {
  let live = lives.get(ctx.record);
  if (!live) {
    const hub = new SseHub();
    const off = ctx.record.onChange(() => {
      if (hub.size > 0) hub.send('matrix', matrixEvent(currentMatrix(ctx)));
    });
    live = { hub, off };
    lives.set(ctx.record, live);
  }
  return live;
}

function matrixEvent(m: Matrix): string {
  return JSON.stringify({ html: renderMatrix(m), learners: m.rows.length });
}

export function currentMatrix(ctx: WorkshopContext): Matrix {
  return buildMatrix(ctx.record.learners(), ctx.record.attempts(), (ctx.now ?? Date.now)(), ctx.matrix);
}

/** Ends the dashboard's open event streams (call before server.close()). */
export function endWorkshopStreams(record: WorkshopRecord): void {
  const live = lives.get(record);
  if (live) {
    live.off();
    live.hub.close();
    lives.delete(record);
  }
}

/**
 * The seam: true when the request was under WORKSHOP_PREFIX and has been answered (possibly
 * asynchronously), false to let the course server handle it.
 */
export function handleWorkshopRequest(req: IncomingMessage, res: ServerResponse, ctx: WorkshopContext): boolean {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== WORKSHOP_PREFIX && !path.startsWith(`${WORKSHOP_PREFIX}/`)) return false;
  const html = 'text/html; charset=utf-8';
  const method = req.method ?? 'GET';

  if (path === WORKSHOP_PREFIX) {
    send(res, 308, 'text/plain; charset=utf-8', 'see /workshop/', { location: `${WORKSHOP_PREFIX}/` });
    return true;
  }
  if (path === `${WORKSHOP_PREFIX}/key`) {
    if (method !== 'POST') {
      send(res, 405, 'text/plain; charset=utf-8', 'POST the key form', { allow: 'POST' });
      return true;
    }
    if (!sameOrigin(req)) {
      send(res, 403, 'text/plain; charset=utf-8', 'a form from another site');
      return true;
    }
    void readForm(req).then((form) => {
      const key = form?.get('key')?.trim();
      if (!key || !keyMatches(key, ctx.instructorKey)) {
        send(res, 401, html, renderKeyForm('That is not the instructor key. The course server printed it at start ("instructor key: …").'));
        return;
      }
      send(res, 303, 'text/plain; charset=utf-8', 'opening the dashboard', {
        location: `${WORKSHOP_PREFIX}/`,
        'set-cookie': `${KEY_COOKIE}=${encodeURIComponent(key)}; HttpOnly; SameSite=Strict; Path=${WORKSHOP_PREFIX}; Max-Age=43200`,
      });
    });
    return true;
  }

  if (!isInstructor(req, ctx.instructorKey)) {
    if (path === `${WORKSHOP_PREFIX}/` && (method === 'GET' || method === 'HEAD')) send(res, 200, html, renderKeyForm());
    else send(res, 401, 'application/json; charset=utf-8', JSON.stringify({ error: `the workshop dashboard needs the instructor key (header ${KEY_HEADER}, or the key form at ${WORKSHOP_PREFIX}/)` }));
    return true;
  }

  const route = `${method} ${path.slice(WORKSHOP_PREFIX.length)}`;
  switch (route) {
    case 'GET /':
    case 'HEAD /': {
      const nonce = randomBytes(16).toString('base64');
      send(res, 200, html, renderDashboard(currentMatrix(ctx), ctx.solutionsOpen?.() ?? false, nonce), {
        'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      });
      return true;
    }
    case 'GET /events':
      liveFor(ctx).hub.add(res, { event: 'matrix', data: matrixEvent(currentMatrix(ctx)) });
      return true;
    case 'GET /matrix.json':
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify(currentMatrix(ctx)));
      return true;
    case 'GET /matrix.csv': {
      const m = currentMatrix(ctx);
      send(res, 200, 'text/csv; charset=utf-8', matrixCsv(m), { 'content-disposition': `attachment; filename="workshop-${new Date(m.at).toISOString().slice(0, 10)}.csv"` });
      return true;
    }
    case 'POST /open-solutions':
      if (!sameOrigin(req)) {
        send(res, 403, 'text/plain; charset=utf-8', 'a form from another site');
        return true;
      }
      req.resume();
      ctx.onOpenSolutions();
      if (/json/.test(req.headers.accept ?? '')) send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ solutions: 'open' }));
      else send(res, 303, 'text/plain; charset=utf-8', 'solutions opened', { location: `${WORKSHOP_PREFIX}/` });
      return true;
    default:
      send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ error: `nothing at ${method} ${path}` }));
      return true;
  }
}
