/**
 * The course's two editions. Routing is Astro's (astro.config.mjs `i18n`): English pages live at
 * the root, Chinese ones under /zh-cn/. These helpers name a page's counterpart in the other
 * edition and the language tag each edition's <html> carries; both the build and the browser use
 * them, so they import nothing from Astro.
 */
export const LOCALES = ['en', 'zh-cn'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/**
 * BCP 47 tags for <html lang>: `zh-Hans` (not `zh`, not `zh-CN`) is what makes browsers pick a
 * simplified-Chinese font for the Han characters that differ between the Chinese scripts.
 */
export const HTML_LANG: Record<Locale, string> = { en: 'en', 'zh-cn': 'zh-Hans' };

/** How each edition names itself in the language switch (in its own language). */
export const LANGUAGE_NAME: Record<Locale, string> = { en: 'English', 'zh-cn': '简体中文' };

/** localStorage key of the reader's chosen edition (set by the switch or the first visit). */
export const LOCALE_CHOICE_KEY = 'tcp-course:locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Which edition a site path belongs to, and the path with the edition's prefix removed. */
export function splitLocale(pathname: string): { locale: Locale; path: string } {
  const m = /^\/(zh-cn)(?=\/|$)(.*)$/i.exec(pathname);
  if (!m) return { locale: 'en', path: pathname || '/' };
  return { locale: 'zh-cn', path: m[2] || '/' };
}

/** A site path in the given edition: `/chapters/queues#x` → `/zh-cn/chapters/queues#x`. */
export function localePath(locale: Locale, path: string): string {
  const { path: bare } = splitLocale(path);
  if (locale === DEFAULT_LOCALE) return bare;
  return bare === '/' ? `/${locale}/` : `/${locale}${bare}`;
}

/** The edition a browser asks for first (navigator.languages order), or undefined if neither. */
export function preferredLocale(languages: readonly string[]): Locale | undefined {
  for (const tag of languages) {
    const lower = tag.toLowerCase();
    // Traditional-script readers (zh-TW, zh-HK, zh-Hant) read the simplified edition more easily
    // than the English one, so any Chinese tag picks it.
    if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-cn';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
  }
  return undefined;
}

/** The edition of the page the browser is showing (read from <html lang>). */
export function documentLocale(doc: Document): Locale {
  return doc.documentElement.lang.toLowerCase().startsWith('zh') ? 'zh-cn' : 'en';
}
