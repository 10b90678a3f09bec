import fs from 'node:fs';
import { defineConfig } from 'vitest/config';

// The unit tests that judge the part(s) `npm run mutate` mutates (mutation-scopes.json, chosen by
// HAVEN_MUTATE as in stryker.config.mjs). The HTTP, CLI-process and multi-process suites are left
// out: they take minutes per run, and a mutation run repeats the covering tests for every mutant.
const scopes = JSON.parse(
  fs.readFileSync(new URL('./mutation-scopes.json', import.meta.url), 'utf8'),
) as Record<string, { tests: string[] }>;
const names = process.env.HAVEN_MUTATE?.split(',') ?? Object.keys(scopes);

export default defineConfig({
  test: {
    // HAVEN_MUTATE_TESTS (comma-separated globs) narrows a run to fewer, faster test files.
    include:
      process.env.HAVEN_MUTATE_TESTS?.split(',') ??
      names.flatMap((name) => scopes[name]?.tests ?? []),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
