// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';

// WebContainers need cross-origin isolation (SharedArrayBuffer); the same headers are sent by
// `astro dev`, `astro preview` and the local course server so every mode behaves alike.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  integrations: [mdx()],
  // github-dark's comments (#6A737D on #24292E) are 3.0:1; github-dark-default's reach WCAG AA.
  markdown: { shikiConfig: { theme: 'github-dark-default' } },
  server: { headers: isolation, host: '127.0.0.1', port: 4321 },
});
