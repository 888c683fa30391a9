// Loaded on first use of search. Drives Pagefind's JS API (the index Pagefind writes into
// dist/pagefind/ after `astro build`) and renders results as ordinary links.
import { normaliseQuery, segmentedQuery } from './search-query.ts';
import { documentLocale } from '../i18n/locale.ts';
import { ui } from '../i18n/ui.ts';

interface PagefindSubResult {
  url: string;
  title: string;
}
interface PagefindResultData {
  url: string;
  excerpt: string;
  meta: { title?: string };
  sub_results?: PagefindSubResult[];
}
interface PagefindSearch {
  results: { id: string; data: () => Promise<PagefindResultData> }[];
}
interface Pagefind {
  options: (options: Record<string, unknown>) => Promise<void>;
  init: () => Promise<void>;
  search: (query: string) => Promise<PagefindSearch>;
  debouncedSearch: (query: string, options?: object, ms?: number) => Promise<PagefindSearch | null>;
}

const MAX_RESULTS = 12;
let pagefind: Promise<Pagefind | null> | null = null;
const attached = new WeakSet<HTMLDialogElement>();

function loadPagefind(): Promise<Pagefind | null> {
  // A variable path keeps the bundler from trying to resolve a file that only exists after the
  // Pagefind step has run on dist/.
  const url = '/pagefind/pagefind.js';
  pagefind ??= import(/* @vite-ignore */ url)
    .then(async (module: Pagefind) => {
      await module.options({ excerptLength: 24 });
      await module.init();
      return module;
    })
    .catch(() => null);
  return pagefind;
}

export function attachSearch(dialog: HTMLDialogElement): void {
  const input = dialog.querySelector<HTMLInputElement>('#search-input');
  const status = dialog.querySelector<HTMLElement>('#search-status');
  const list = dialog.querySelector<HTMLOListElement>('#search-results');
  if (!input || !status || !list) return;
  const t = ui(documentLocale(document));
  input.focus();
  input.select();
  if (attached.has(dialog)) return;
  attached.add(dialog);

  // A click on the backdrop (outside the form) closes the dialog, as Escape does.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });

  const render = async (query: string) => {
    const engine = await loadPagefind();
    if (!engine) {
      status.textContent = t.searchNeedsBuild;
      return;
    }
    const terms = normaliseQuery(query);
    if (terms === '') {
      list.replaceChildren();
      status.textContent = '';
      return;
    }
    let search = await engine.debouncedSearch(terms, {}, 200);
    if (search === null) return; // a newer keystroke superseded this search
    const segmented = search.results.length === 0 ? segmentedQuery(terms) : null;
    if (segmented !== null) {
      search = await engine.search(segmented);
      if (normaliseQuery(input.value) !== terms) return;
    }
    const shown = await Promise.all(search.results.slice(0, MAX_RESULTS).map((result) => result.data()));
    list.replaceChildren(
      ...shown.map((data) => {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.href = data.url;
        const title = document.createElement('span');
        title.className = 'search-dialog__result-title';
        title.textContent = data.meta.title ?? data.url;
        const excerpt = document.createElement('span');
        excerpt.className = 'search-dialog__excerpt';
        // Pagefind escapes the page text and adds only <mark> around matches.
        excerpt.innerHTML = data.excerpt;
        link.append(title, excerpt);
        item.append(link);
        // Long pages (chapters, the interview bank) also link straight to the matching sections.
        const sections = (data.sub_results ?? []).filter((sub) => sub.url !== data.url && sub.title !== data.meta.title).slice(0, 3);
        if (sections.length > 0) {
          const nested = document.createElement('ul');
          nested.className = 'search-dialog__sections';
          for (const sub of sections) {
            const subItem = document.createElement('li');
            const subLink = document.createElement('a');
            subLink.href = sub.url;
            subLink.textContent = sub.title;
            subItem.append(subLink);
            nested.append(subItem);
          }
          item.append(nested);
        }
        return item;
      }),
    );
    const total = search.results.length;
    status.textContent =
      total === 0 ? t.noResults(query) : t.results(total, MAX_RESULTS);
  };

  input.addEventListener('input', () => void render(input.value));
  dialog.addEventListener('keydown', (event) => {
    // A search field's own Escape only clears its text; here Escape always closes, as it does
    // when focus is on a result.
    if (event.key === 'Escape') {
      event.preventDefault();
      dialog.close();
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const links = [...list.querySelectorAll<HTMLAnchorElement>('a')];
    if (links.length === 0) return;
    event.preventDefault();
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (event.key === 'ArrowDown') (links[at + 1] ?? links[0]).focus();
    else if (at <= 0) input.focus();
    else links[at - 1].focus();
  });
  if (input.value) void render(input.value);
}
