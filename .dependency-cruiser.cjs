/* global module -- dependency-cruiser reads a CommonJS config */
/**
 * Haven's import rules (issue 14 part 3), checked by `npm run lint` so CI fails on a new one.
 *
 * - no-circular: no module reaches itself through its imports (type-only imports count: a type
 *   cycle is still two folders that cannot be understood one without the other).
 * - through-index-only: a folder src/X uses another folder src/Y only through src/Y/index.ts,
 *   its public face. There are no exceptions, not even for the composition root (src/app) or
 *   the CLI: both assemble capabilities from what the folders export.
 * - http-not-store: routes call capabilities and capabilities own their transactions; src/http
 *   imports nothing from src/store, not even through its index.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles: put the shared types where both sides can depend on them.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'through-index-only',
      severity: 'error',
      comment: "Another folder's internals: import from its index.ts instead.",
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'http-not-store',
      severity: 'error',
      comment:
        'src/http reaches the database only through capabilities (audit, auth, records, app).',
      from: { path: '^src/http/' },
      to: { path: '^src/store/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too (the auth <-> access cycle was one).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
