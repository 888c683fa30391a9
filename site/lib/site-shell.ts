// Runs on every page: the dark-mode switch, the language switch, the keys that open search, and tab stops only on the
// figures that scroll. Kept tiny because
// chapter pages have a 50 KB JavaScript budget; search itself is a separate, lazily loaded chunk.

import { watchScrollBoxes } from './figures/scroll-focus.ts';
import { LOCALE_CHOICE_KEY } from '../i18n/locale.ts';

const THEME_KEY = 'tcp-course:theme';
const root = document.documentElement;
const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

function savedTheme(): 'light' | 'dark' | null {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null;
  }
}

// The button's label names the theme a press switches to (CSS shows the matching span), so it is
// an action, not a pressed/unpressed toggle.
function applyTheme(theme: 'light' | 'dark'): void {
  root.dataset.theme = theme;
}

applyTheme(savedTheme() ?? (darkQuery.matches ? 'dark' : 'light'));
// Until the learner picks a theme, follow the operating system, including changes while reading.
darkQuery.addEventListener('change', (event) => {
  if (savedTheme() === null) applyTheme(event.matches ? 'dark' : 'light');
});
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-theme-toggle]')) {
  button.addEventListener('click', () => {
    const next = root.dataset.theme === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // Private mode may refuse storage; the switch still works for this page view.
    }
    applyTheme(next);
  });
}

let searchModule: Promise<typeof import('./search-ui.ts')> | null = null;

function openSearch(): void {
  const dialog = document.querySelector<HTMLDialogElement>('#search-dialog');
  if (!dialog || dialog.open) return;
  dialog.showModal();
  searchModule ??= import('./search-ui.ts');
  void searchModule.then((module) => module.attachSearch(dialog));
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

// Monaco uses Ctrl/Cmd+K as a chord prefix and the terminal needs every key, so neither opens search.
function inEditor(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('.monaco-editor, .xterm') !== null;
}

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-search-open]')) {
  button.addEventListener('click', openSearch);
  if (/Mac|iPhone|iPad/.test(navigator.platform)) {
    const hint = button.querySelector('.kbd-hint');
    if (hint) hint.textContent = '⌘ K';
  }
}

document.addEventListener('keydown', (event) => {
  if (inEditor(event.target)) return;
  const modifierK = (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k';
  const slash = event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target);
  if (modifierK || slash) {
    event.preventDefault();
    openSearch();
  }
});

watchScrollBoxes();

// The language switch: remember the choice, and carry the reader's place across. Both editions
// give a heading the same id, so the last heading scrolled past names the place in either. The
// switch sits in the header, so a reader scrolls back to the top to press it: the place is the one
// they last stopped at further down, not the top they passed on the way up.
let readingPlace = '';
let settle: ReturnType<typeof setTimeout> | undefined;
window.addEventListener(
  'scroll',
  () => {
    clearTimeout(settle);
    settle = setTimeout(() => {
      if (window.scrollY > 300) readingPlace = placeHeading();
    }, 400);
  },
  { passive: true },
);

for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-locale-switch]')) {
  link.addEventListener('click', () => {
    try {
      localStorage.setItem(LOCALE_CHOICE_KEY, link.dataset.localeSwitch ?? '');
    } catch {
      // Storage refused: the link still leads to the other edition.
    }
    const url = new URL(link.href);
    url.search = location.search;
    url.hash = location.hash || (window.scrollY > 300 ? placeHeading() : readingPlace);
    link.href = url.href;
  });
}

function placeHeading(): string {
  let place = '';
  for (const heading of document.querySelectorAll<HTMLElement>('main h2[id], main h3[id]')) {
    if (heading.getBoundingClientRect().top > 80) break;
    place = `#${heading.id}`;
  }
  return place;
}
