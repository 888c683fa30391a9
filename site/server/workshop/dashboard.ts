/**
 * The instructor's live class dashboard, routed by the course server under WORKSHOP_PREFIX:
 *
 *   GET  /workshop/               the page (or the key form when the key is missing); ?lang=zh-cn: in Chinese
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
import { DASHBOARD_EN, dashboardStrings, type DashboardStrings } from '../../i18n/dashboard.ts';
import { isLocale, type Locale } from '../../i18n/locale.ts';

export const WORKSHOP_PREFIX = '/workshop';
export const KEY_HEADER = 'x-instructor-key';
export const KEY_COOKIE = 'workshop_key';
const FORM_LIMIT = 4096;
/** Joins and attempts that arrive together (a room submitting at once) make one update. */
export const COALESCE_MS = 200;
/** Open dashboards get a fresh matrix this often even when nothing happens: "no progress" grows. */
export const REFRESH_MS = 30_000;

export interface WorkshopContext {
  record: WorkshopRecord;
  instructorKey: string;
  /** Opens the solutions to everyone (the course server's `solutions: 'open'`). */
  onOpenSolutions: () => void;
  /** Whether they are open already (shown on the page). */
  solutionsOpen?: () => boolean;
  matrix?: MatrixOptions;
  /** Task titles in another edition (lab.zh-cn.yaml's), for that edition's column headers. */
  localizedLabs?: Partial<Record<Locale, MatrixOptions['labs']>>;
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

/** The course server's local time (it runs on the instructor's laptop), hours and minutes. */
function clock(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toTimeString().slice(0, 5);
}

/** The live part of the page: who is stuck, the matrix table and the common failures (re-sent on every change). */
export function renderMatrix(m: Matrix, t: DashboardStrings = DASHBOARD_EN): string {
  const head = m.columns.map((c) => `<th scope="col"><span class="lab">${escapeHtml(c.lab)}</span> ${escapeHtml(c.taskId)}<span class="title">${escapeHtml(c.title)}</span></th>`).join('');
  const short = (r: Matrix['rows'][number]) => (!r.stuck ? '' : r.stuck.kind === 'same-failure' ? t.stuckShortSame(r.stuck.submits) : t.stuckShortIdle(r.stuck.minutes));
  const body = m.rows.length
    ? m.rows
        .map((r) => {
          const cells = r.cells
            .map((c) => `<td class="s-${c.status}">${escapeHtml(t.status[c.status])}${c.status === 'none' ? '' : ` <span class="pts">${escapeHtml(c.points)}/${escapeHtml(c.max)}</span>${c.suite === 'visible' ? ` <span class="run">${escapeHtml(t.fromRun)}</span>` : ''}`}</td>`)
            .join('');
          return `<tr${r.stuck ? ' class="stuck"' : ''}><th scope="row">${escapeHtml(r.learner.name)}</th><td>${escapeHtml(r.points)}/${escapeHtml(r.max)}</td><td>${r.runs}/${r.submits}</td><td>${escapeHtml(t.timeSpent(r.minutes, clock(r.lastAt)))}</td><td>${r.stuck ? `⚑ ${escapeHtml(short(r))}` : ''}</td>${cells}</tr>`;
        })
        .join('\n')
    : `<tr><td colspan="${m.columns.length + 5}">${escapeHtml(t.nobodyYet)}</td></tr>`;
  const stuck = m.rows.filter((r) => r.stuck);
  const stuckList = stuck.length
    ? `<ul class="stuck-list">${stuck.map((r) => `<li><strong>${escapeHtml(r.learner.name)}</strong>${escapeHtml(t.dash)}${escapeHtml(describeStuck(r.stuck, t))}</li>`).join('')}</ul>`
    : `<p>${escapeHtml(t.nobodyStuck)}</p>`;
  const failures = m.commonFailures.length
    ? `<ol>${m.commonFailures.map((f) => `<li><strong>${escapeHtml(t.failureTask(f.lab, f.taskId))}</strong>${escapeHtml(t.failureWho(f.learners))}${escapeHtml(f.test)}<br><span class="msg">${escapeHtml(f.message)}</span></li>`).join('')}</ol>`
    : `<p>${escapeHtml(t.noFailures)}</p>`;
  return `<h2 id="stuck">${escapeHtml(t.stuckHeading)}</h2>
${stuckList}
<div class="scroll" role="region" aria-labelledby="matrix-caption" tabindex="0"><table id="matrix-table">
<caption id="matrix-caption">${escapeHtml(t.caption(m.rows.length, clock(m.at)))}</caption>
<thead><tr><th scope="col">${escapeHtml(t.colLearner)}</th><th scope="col">${escapeHtml(t.colPoints)}</th><th scope="col">${escapeHtml(t.colRuns)}</th><th scope="col">${escapeHtml(t.colTime)}</th><th scope="col">${escapeHtml(t.colStuck)}</th>${head}</tr></thead>
<tbody>
${body}
</tbody></table></div>
<h2 id="failures">${escapeHtml(t.failuresHeading)}</h2>
${failures}`;
}

const STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1b1b; --muted: #5b5b5b; --line: #c9c9c9; --pass: #0a6b2d; --fail: #a4121b; --stuck: #fff4c2; --focus: #1a5fb4; }
@media (prefers-color-scheme: dark) { :root { --bg: #161616; --fg: #ececec; --muted: #b0b0b0; --line: #444; --pass: #6fdc8c; --fail: #ff8a8a; --stuck: #3b3200; --focus: #8ab4f8; } }
body { background: var(--bg); color: var(--fg); font: 16px/1.45 system-ui, sans-serif; margin: 1.5rem; }
h1 { margin: 0 0 .5rem; } h2 { font-size: 1.15rem; margin: 1.25rem 0 .4rem; } .edition { float: right; margin: 0; }
table { border-collapse: collapse; font-size: .9rem; } th, td { border: 1px solid var(--line); padding: .25rem .45rem; text-align: left; vertical-align: top; }
td, th { white-space: nowrap; } .title { white-space: normal; } caption { text-align: left; color: var(--muted); padding-bottom: .3rem; }
thead th { position: sticky; top: 0; background: var(--bg); } .title { display: block; font-weight: normal; font-size: .8em; color: var(--muted); min-width: 7em; max-width: 11em; }
.s-pass { color: var(--pass); } .s-fail, .s-error { color: var(--fail); } .s-none, .run, .msg { color: var(--muted); }
tr.stuck > * { background: var(--stuck); } .scroll { overflow: auto; max-width: 100%; } .stuck-list, ol { margin: 0; padding-left: 1.4rem; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
button, input { font: inherit; padding: .3rem .7rem; } .actions { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: .75rem 0; }
#status { margin: .25rem 0; color: var(--muted); }
`;

function page(title: string, body: string, t: DashboardStrings): string {
  return `<!doctype html>
<html lang="${t.htmlLang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

/** The edition a dashboard request asks for (`?lang=zh-cn`; English otherwise). */
export function localeOf(req: IncomingMessage | string | null | undefined): Locale {
  const raw = typeof req === 'string' || req == null ? req : new URL(req.url ?? '/', 'http://localhost').searchParams.get('lang');
  return isLocale(raw) ? raw : 'en';
}

const langQuery = (locale: Locale): string => (locale === 'en' ? '' : `?lang=${locale}`);

/** A link to the same page in the other edition. */
function otherEdition(locale: Locale, t: DashboardStrings): string {
  const other: Locale = locale === 'en' ? 'zh-cn' : 'en';
  return `<p class="edition"><a href="${WORKSHOP_PREFIX}/${langQuery(other)}" lang="${dashboardStrings(other).htmlLang}">${escapeHtml(t.otherEdition)}</a></p>`;
}

/** A JavaScript string literal safe inside a <script> element. */
function jsString(text: string): string {
  return JSON.stringify(text).replace(/</g, '\\u003c');
}

export function renderKeyForm(problem?: string, t: DashboardStrings = DASHBOARD_EN, locale: Locale = 'en'): string {
  return page(
    t.keyTitle,
    `<main><h1>${escapeHtml(t.title)}</h1>${otherEdition(locale, t)}
<p>${t.keyIntro}</p>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="${WORKSHOP_PREFIX}/key"><label for="key">${escapeHtml(t.keyLabel)}</label>
<input id="key" name="key" type="password" autocomplete="off" required autofocus>${locale === 'en' ? '' : ` <input type="hidden" name="lang" value="${locale}">`} <button type="submit">${escapeHtml(t.keyOpen)}</button></form></main>`,
    t,
  );
}

export function renderDashboard(m: Matrix, solutionsOpen: boolean, nonce: string, t: DashboardStrings = DASHBOARD_EN, locale: Locale = 'en'): string {
  // The script only swaps in markup this server rendered and escaped; no learner text reaches it raw.
  const script = `
const live = document.getElementById('live'), status = document.getElementById('status');
const source = new EventSource('${WORKSHOP_PREFIX}/events${langQuery(locale)}');
source.addEventListener('matrix', (e) => {
  const { html, status: said } = JSON.parse(e.data);
  // Keyboard users keep their place: focus inside the table returns to its scroll region.
  const hadFocus = live.contains(document.activeElement);
  live.innerHTML = html;
  if (hadFocus) live.querySelector('.scroll')?.focus();
  status.textContent = said;
});
source.addEventListener('error', () => {
  // CLOSED: the server refused the stream (restarted with a new key): only a reload helps.
  status.textContent = source.readyState === EventSource.CLOSED ? ${jsString(t.lostConnection)} : ${jsString(t.reconnecting)};
});
document.getElementById('open-solutions')?.addEventListener('submit', (e) => {
  if (!confirm(${jsString(t.openSolutionsConfirm)})) e.preventDefault();
});
`;
  return page(
    t.title,
    `<main><h1>${escapeHtml(t.title)}</h1>${otherEdition(locale, t)}
<p id="status" role="status" aria-live="polite">${escapeHtml(t.connecting)}</p>
<div class="actions">
<a href="${WORKSHOP_PREFIX}/matrix.csv" download>${escapeHtml(t.exportCsv)}</a>
${
  solutionsOpen
    ? `<p><strong>${escapeHtml(t.solutionsOpen)}</strong></p>`
    : `<form id="open-solutions" method="post" action="${WORKSHOP_PREFIX}/open-solutions${langQuery(locale)}"><button type="submit">${escapeHtml(t.openSolutions)}</button></form>`
}
</div>
<div id="live">${renderMatrix(m, t)}</div></main>
<script nonce="${nonce}">${script}</script>`,
    t,
  );
}

/** Pages without a script of their own (the key form) get the strictest policy. */
const FORM_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  const csp = type.startsWith('text/html') ? { 'content-security-policy': FORM_CSP } : {};
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', ...csp, ...extra });
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
  hubs: Map<Locale, SseHub>;
  off: () => void;
  timer: NodeJS.Timeout;
  pending: NodeJS.Timeout | null;
}
const lives = new WeakMap<WorkshopRecord, Live>();

function liveFor(ctx: WorkshopContext): Live {
  let live = lives.get(ctx.record);
  if (!live) {
    const hubs = new Map<Locale, SseHub>();
    const push = () => {
      try {
        for (const [locale, hub] of hubs) if (hub.size > 0) hub.send('matrix', matrixEvent(currentMatrix(ctx, locale), dashboardStrings(locale)));
      } catch {
        // A record closed under a timer (shutdown): the open dashboards keep their last matrix.
      }
    };
    // The matrix is built after the Run's answer has gone, and once for a burst of them.
    const off = ctx.record.onChange(() => {
      if (!live!.pending) {
        live!.pending = setTimeout(() => {
          live!.pending = null;
          push();
        }, COALESCE_MS);
        live!.pending.unref();
      }
    });
    const timer = setInterval(push, REFRESH_MS);
    timer.unref();
    live = { hubs, off, timer, pending: null };
    lives.set(ctx.record, live);
  }
  return live;
}

function hubFor(live: Live, locale: Locale): SseHub {
  let hub = live.hubs.get(locale);
  if (!hub) live.hubs.set(locale, (hub = new SseHub()));
  return hub;
}

function matrixEvent(m: Matrix, t: DashboardStrings): string {
  return JSON.stringify({ html: renderMatrix(m, t), learners: m.rows.length, status: t.live(m.rows.length, clock(m.at)) });
}

export function currentMatrix(ctx: WorkshopContext, locale: Locale = 'en'): Matrix {
  const labs = ctx.localizedLabs?.[locale] ?? ctx.matrix?.labs;
  return buildMatrix(ctx.record.learners(), ctx.record.attempts(), (ctx.now ?? Date.now)(), { onlyAttemptedLabs: true, ...ctx.matrix, labs });
}

/** Ends the dashboard's open event streams (call before server.close()). */
export function endWorkshopStreams(record: WorkshopRecord): void {
  const live = lives.get(record);
  if (live) {
    live.off();
    clearInterval(live.timer);
    if (live.pending) clearTimeout(live.pending);
    for (const hub of live.hubs.values()) hub.close();
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
  const locale = localeOf(req);
  const t = dashboardStrings(locale);

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
      const formLocale = localeOf(form?.get('lang'));
      if (!key || !keyMatches(key, ctx.instructorKey)) {
        send(res, 401, html, renderKeyForm(dashboardStrings(formLocale).keyWrong, dashboardStrings(formLocale), formLocale));
        return;
      }
      send(res, 303, 'text/plain; charset=utf-8', 'opening the dashboard', {
        location: `${WORKSHOP_PREFIX}/${langQuery(formLocale)}`,
        'set-cookie': `${KEY_COOKIE}=${encodeURIComponent(key)}; HttpOnly; SameSite=Strict; Path=${WORKSHOP_PREFIX}; Max-Age=43200`,
      });
    });
    return true;
  }

  if (!isInstructor(req, ctx.instructorKey)) {
    if (path === `${WORKSHOP_PREFIX}/` && (method === 'GET' || method === 'HEAD')) send(res, 200, html, renderKeyForm(undefined, t, locale));
    else send(res, 401, 'application/json; charset=utf-8', JSON.stringify({ error: `the workshop dashboard needs the instructor key (header ${KEY_HEADER}, or the key form at ${WORKSHOP_PREFIX}/)` }));
    return true;
  }

  const route = `${method} ${path.slice(WORKSHOP_PREFIX.length)}`;
  switch (route) {
    case 'GET /':
    case 'HEAD /': {
      const nonce = randomBytes(16).toString('base64');
      send(res, 200, html, renderDashboard(currentMatrix(ctx, locale), ctx.solutionsOpen?.() ?? false, nonce, t, locale), {
        'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      });
      return true;
    }
    case 'GET /events':
      hubFor(liveFor(ctx), locale).add(res, { event: 'matrix', data: matrixEvent(currentMatrix(ctx, locale), t) });
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
      else send(res, 303, 'text/plain; charset=utf-8', 'solutions opened', { location: `${WORKSHOP_PREFIX}/${langQuery(locale)}` });
      return true;
    default:
      send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ error: `nothing at ${method} ${path}` }));
      return true;
  }
}
