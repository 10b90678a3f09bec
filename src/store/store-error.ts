/**
 * The store's own failures. `store-unavailable`: the database (or the audit trail in it) cannot
 * be reached or written now; `store-busy`: too much work is already waiting for it. Both are
 * transient: the HTTP layer answers 503 with Retry-After and serves nothing.
 */
export class StoreError extends Error {
  constructor(
    readonly code: 'store-unavailable' | 'store-busy' | 'migration-failed' | 'not-installed',
    message: string,
  ) {
    super(message);
  }
}
