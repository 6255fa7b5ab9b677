import { defineConfig } from 'vitest/config';

/**
 * The fault suite (`npm run test:faults`, docs/RELIABILITY.md): long runs that kill workers,
 * restart Redis and take storage away. One file at a time — each run has the 2 cores to itself,
 * and timing faults stay what the test says they are.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
