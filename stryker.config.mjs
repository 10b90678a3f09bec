// Mutation testing of the security core: `npm run mutate` (not in CI: it takes hours on two cores).
// Run one folder at a time with e.g. `npm run mutate -- --mutate 'src/crypto/**/*.ts'`.
// Scores and the surviving mutants we accept are recorded in docs/security-testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: [
    'src/crypto/**/*.ts',
    'src/audit/**/*.ts',
    'src/access/**/*.ts',
    'src/auth/sessions/**/*.ts',
    'src/auth/totp/**/*.ts',
    'src/auth/password/**/*.ts',
    // Re-exports only: nothing to mutate.
    '!src/**/index.ts',
  ],
  coverageAnalysis: 'perTest',
  // The machine is shared: one test process at a time.
  concurrency: 1,
  timeoutMS: 60_000,
  // The sandbox is a copy of the project; node_modules is linked in, never copied. Our own output
  // and data directories stay out of it.
  ignorePatterns: ['dist', 'coverage', 'reports', 'haven-data', '.tmp', 'bench/results'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
};
