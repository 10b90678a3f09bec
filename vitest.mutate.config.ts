import { defineConfig } from 'vitest/config';

// The unit tests that exercise the folders `npm run mutate` mutates (see stryker.config.mjs).
// The HTTP, CLI-process and multi-process suites are left out: they are slow, and the parts
// they reach in these folders are the same code the unit tests below already drive.
export default defineConfig({
  test: {
    include: [
      'test/crypto/**/*.test.ts',
      'test/access/**/*.test.ts',
      'test/audit/checkpoint/**/*.test.ts',
      'test/audit/merkle/**/*.test.ts',
      'test/audit/trail.test.ts',
      'test/audit/export.test.ts',
      'test/auth/sessions/**/*.test.ts',
      'test/auth/totp/**/*.test.ts',
      'test/auth/password/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
