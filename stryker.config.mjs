// Mutation testing of the security core: `npm run mutate` (not in CI: it takes hours on two cores).
// Run one part at a time with e.g. `HAVEN_MUTATE=crypto npm run mutate` (parts: mutation-scopes.json).
// Scores and the surviving mutants we accept are recorded in docs/security-testing.md.
import fs from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

/**
 * The parts named in HAVEN_MUTATE (comma-separated), or all of them. vitest.mutate.config.ts
 * reads the same variable to run only those parts' unit tests.
 */
function chosenScopes() {
  const scopes = JSON.parse(fs.readFileSync(new URL('./mutation-scopes.json', import.meta.url)));
  const names = process.env.HAVEN_MUTATE?.split(',') ?? Object.keys(scopes);
  return names.map((name) => {
    if (!scopes[name]) throw new Error(`HAVEN_MUTATE: unknown part ${name}`);
    return scopes[name];
  });
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: [
    ...chosenScopes().flatMap((scope) => scope.mutate),
    // Re-exports only: nothing to mutate.
    '!src/**/index.ts',
  ],
  // 'perTest' records no per-test coverage with vitest 4.1 and this runner (every mutant's
  // coveredBy came back empty), so each mutant runs its part's unit tests; 'all' says so plainly
  // and still skips mutants no test reaches.
  coverageAnalysis: 'all',
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
