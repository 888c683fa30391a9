// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { satteri } from '@astrojs/markdown-satteri';
import { headingIdsFromEnglish } from './site/lib/heading-ids-from-english.ts';

// WebContainers need cross-origin isolation (SharedArrayBuffer); the same headers are sent by
// `astro dev`, `astro preview` and the local course server so every mode behaves alike.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The languages the labs edit: the workbench opens only TypeScript (and JavaScript shares its worker). */
const MONACO_LANGUAGES = new Set(['typescript', 'javascript']);

/**
 * `import * as monaco from 'monaco-editor'` pulls in monaco's index, which registers ~80 basic
 * languages and the CSS, HTML and JSON language services, each with its own web worker (1.1, 0.7
 * and 0.4 MB) that the labs never start. This rewrites that one module at build time: the other
 * languages' registrations go, and the css/html/json/lsp namespaces become empty objects. The
 * editor core, the diff editor and TypeScript are untouched.
 * @returns {import('vite').Plugin}
 */
function monacoTypeScriptOnly() {
  return {
    name: 'course:monaco-typescript-only',
    enforce: 'pre',
    transform(code, id) {
      if (!/monaco-editor[\\/]esm[\\/]vs[\\/]index\.js$/.test(id)) return null;
      const out = code
        .replace(/^import '\.\/languages\/definitions\/([\w-]+)\/register\.js';$/gm, (line, name) => (MONACO_LANGUAGES.has(name) ? line : ''))
        .replace(/^import \* as (__src_languages_features_(?:css|html|json)_register_ts) from '[^']+';$/gm, 'const $1 = {};')
        .replace(/^import \* as (\w+) from '\.\.\/external\/monaco-lsp-client\/out\/index\.js';$/m, 'const $1 = {};');
      if (out === code) this.warn('monaco-editor index.js did not have the expected shape; all languages are bundled');
      return { code: out, map: null };
    },
  };
}

export default defineConfig({
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  integrations: [mdx()],
  // English at the root, the Chinese edition under /zh-cn/ (site/i18n/locale.ts names the pairs).
  i18n: {
    locales: ['en', 'zh-cn'],
    defaultLocale: 'en',
    routing: { prefixDefaultLocale: false, redirectToDefaultLocale: false },
  },
  // Astro's HTML compression drops the line break between a word and an element that starts the
  // next source line ("the\n<strong>local" became "thelocal" on the instructor page). The build
  // brotli-compresses every page anyway, so the whitespace costs nothing on the wire.
  compressHTML: false,
  // github-dark's comments (#6A737D on #24292E) are 3.0:1; github-dark-default's reach WCAG AA.
  markdown: {
    shikiConfig: { theme: 'github-dark-default' },
    processor: satteri({ hastPlugins: [headingIdsFromEnglish] }),
  },
  server: { headers: isolation, host: '127.0.0.1', port: 4321 },
  vite: { plugins: [monacoTypeScriptOnly()] },
});
