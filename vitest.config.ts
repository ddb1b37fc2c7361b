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
    // Two files already share the two cores: relays and clients started by tests run wasm on
    // one thread each. wasm_threads.test.ts asks for two threads explicitly.
    env: { SPLITNN_WASM_THREADS: '1' },
  },
});
