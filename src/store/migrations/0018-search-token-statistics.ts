import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * PostgreSQL keeps 10,000 most-common values for `search_tokens.token` (the maximum; the
 * default is 100). Blind-index tokens are very skewed: a gender or a birth year is shared by
 * thousands of records, an identifier by one. With only 100 tracked, the planner estimated some
 * 200 matches for any rare token and, at 10,000 patients, answered a search by identifier with
 * a sequential scan of every resource head (about 2 ms, growing with the store) instead of two
 * index lookups (0.05 ms). With the long list the rare token is estimated at one row and the
 * plan stays an index nested loop at every size (docs/performance.md, "Latency as the store
 * grows"). ANALYZE samples more rows for this column in return. SQLite's planner needs no help.
 */
export function searchTokenStatisticsMigration(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (engine !== 'postgres') return;
      await sql`ALTER TABLE search_tokens ALTER COLUMN token SET STATISTICS 10000`.execute(db);
      await sql`ANALYZE search_tokens`.execute(db);
    },
  };
}
