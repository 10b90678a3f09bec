import pg from 'pg';
import type { PostgresPool } from 'kysely';
import { StoreError } from './store-error.js';

export interface PostgresPoolOptions {
  connectionString: string | undefined;
  schema: string | undefined;
  size: number;
  /**
   * Most callers that may wait for a connection at once; past it a caller is refused at once
   * (503) instead of joining an ever longer line. The request in-flight limit keeps it far away
   * in normal operation; this is the backstop that keeps the waiters' memory bounded.
   */
  maxWaiting: number;
  /** How long a caller waits for a connection (including connecting) before a 503. */
  connectTimeoutMs: number;
  /** Told the error code of every connection lost while idle or checked out (to log it). */
  onConnectionError: (code: string) => void;
}

/**
 * The pg pool, hardened against PostgreSQL going away. A pool or client 'error' without a
 * listener is an uncaught exception in Node: one pg_terminate_backend or a PostgreSQL restart
 * would end the whole server. Every client gets a listener from the moment it connects (the pool
 * removes its own while a client is checked out, exactly when a transaction may be waiting on
 * the application); pg-pool discards a client whose connection failed when it is released, and
 * opens a new one on the next checkout, so service resumes by itself when PostgreSQL returns.
 */
export function createPostgresPool(o: PostgresPoolOptions): {
  pool: pg.Pool;
  dialectPool: PostgresPool;
} {
  const pool = new pg.Pool({
    connectionString: o.connectionString,
    max: o.size,
    connectionTimeoutMillis: o.connectTimeoutMs,
    // Finds a peer that vanished without closing the connection (a cut network path).
    keepAlive: true,
    // Names the connections, so an operator (or a test) can tell this server's backends apart.
    application_name: applicationName(o.schema),
    // int8 (counts, sequence numbers) as JS numbers: they stay far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as never,
    },
    ...(o.schema ? { options: `-c search_path=${o.schema}` } : {}),
  });
  const report = (err: unknown) => o.onConnectionError(errorCode(err));
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  const dialectPool: PostgresPool = {
    connect: () => {
      if (pool.waitingCount >= o.maxWaiting) {
        return Promise.reject(
          new StoreError('store-busy', 'too many requests are waiting for the database'),
        );
      }
      return connectWithin(pool, o.connectTimeoutMs + CONNECT_GRACE_MS);
    },
    end: () => pool.end(),
  };
  return { pool, dialectPool };
}

/** Past pg-pool's own connect timeout, how long before our deadline gives up on it. */
const CONNECT_GRACE_MS = 1000;

/**
 * pool.connect() with a deadline of our own. pg-pool's `connectionTimeoutMillis` can fail to fire
 * under heavy concurrency, leaving a caller waiting forever (node-postgres issues #3197 and
 * #2338): in the overload bench, with no in-flight limit, requests were still unanswered a minute
 * after the load. A connection that arrives after the deadline is handed straight back.
 */
function connectWithin(pool: pg.Pool, ms: number): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new StoreError('store-unavailable', 'no database connection within the timeout'));
    }, ms);
    pool.connect().then(
      (client) => {
        clearTimeout(timer);
        if (late) client.release();
        else resolve(client);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (!late) reject(err as Error);
      },
    );
  });
}

/** `haven/<schema>` (or `haven`), within PostgreSQL's 63-byte identifier limit. */
export function applicationName(schema: string | undefined): string {
  return (schema ? `haven/${schema}` : 'haven').slice(0, 63);
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'connection-lost';
}
