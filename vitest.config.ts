import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['stack/tests/**/*.test.ts', 'labs/tests/**/*.test.ts', 'site/tests/**/*.test.ts', 'content/tests/**/*.test.ts'],
    // Two cores on CI: keep worker count small so the simulator benchmarks-in-tests don't thrash.
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
