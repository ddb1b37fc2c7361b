import { defineConfig } from 'vitest/config';

// One test command for the whole monorepo: unit and integration tests live beside the
// code they test; Playwright end-to-end tests live in e2e/ and run through their own file.
export default defineConfig({
  test: {
    include: ['packages/**/src/**/*.test.ts', 'apps/**/src/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs keeps global engine state per process: isolate files in forks, two at a time (2 cores).
    pool: 'forks',
    maxWorkers: 2,
  },
});
