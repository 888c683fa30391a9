import { defineConfig } from 'vitest/config';

// The browser suite: `npx vitest run --config site/e2e/vitest.config.ts`. It builds the site (or
// uses E2E_DIST), serves it with the `npm start` server, and drives Debian's Chromium.
export default defineConfig({
  test: {
    include: ['site/e2e/**/*.e2e.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
