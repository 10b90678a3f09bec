/**
 * Whether an error means "the database cannot be used right now" rather than "this request is
 * wrong": a lost or refused connection, a backend terminated by an administrator, PostgreSQL
 * starting up or shutting down, a full disk or a locked SQLite file. Such failures are answered
 * 503 with Retry-After (nothing is served, the client may try again); anything else stays a 500.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (code === 'store-unavailable' || code === 'store-busy') return true;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    // SQLSTATE class 08 (connection exception), 57P01-57P03 (terminated by an administrator,
    // crash shutdown, cannot connect now), 53300 (too many connections), 53100 (disk full).
    if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-3]$/.test(code)) return true;
    if (code === '53300' || code === '53100') return true;
    if (SQLITE_UNAVAILABLE.test(code)) return true;
  }
  // node-postgres reports a connection lost mid-query or a pool checkout that timed out with
  // plain Errors and no code; these texts are its own (never user input).
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY)/;

const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end on the pool)/;
