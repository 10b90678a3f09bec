import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Per-run temp directory and schema prefix; fails the run if a test leaves either behind.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run files in parallel processes, but not more than the machine has.
    pool: 'forks',
    maxWorkers: 2,
  },
});
