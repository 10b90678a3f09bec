import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * The read-path caches' invalidation counter (issue 19, ADR 0037). `cache_epoch` holds one row;
 * triggers add one to it in the same transaction as every write that can change who may read
 * what: a session ended or its factors changed (not its last-seen time), an account changed or
 * removed (roles, links, disabled, password), an API client or app token changed or removed,
 * any care relation or break-glass grant written. A process serves a cached session, account,
 * token or care fact only while the counter still reads what it read when it cached them, and
 * it reads the counter afresh for every lookup: whoever writes, in whichever process or
 * instance, through Haven or by hand in SQL, the next request anywhere sees it.
 */
export const WATCHED: readonly { table: string; events: readonly string[] }[] = [
  {
    table: 'sessions',
    events: ['DELETE', 'UPDATE OF user_id, expires_at, mfa_at, reauth_at, csrf_hash'],
  },
  { table: 'users', events: ['INSERT', 'UPDATE', 'DELETE'] },
  { table: 'api_clients', events: ['UPDATE', 'DELETE'] },
  { table: 'care_relations', events: ['INSERT', 'UPDATE', 'DELETE'] },
  { table: 'break_glass_grants', events: ['INSERT', 'UPDATE', 'DELETE'] },
];

const triggerName = (table: string, event: string) =>
  `cache_epoch_${table}_${event.split(' ')[0]!.toLowerCase()}`;

export function readPathCachesMigration(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('cache_epoch')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('epoch', engine === 'sqlite' ? 'integer' : 'bigint', (c) => c.notNull())
        .execute();
      await sql`INSERT INTO cache_epoch (id, epoch) VALUES (1, 0)`.execute(db);
      if (engine === 'postgres') {
        // SECURITY DEFINER: the restricted application role (docs/operations/postgresql-roles.sql)
        // needs only SELECT on the counter; the raise runs with the owner's rights, pinned to
        // this schema so that no search_path can redirect it.
        const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(
          db,
        );
        const schema = `"${rows[0]!.schema.replaceAll('"', '""')}"`;
        await sql
          .raw(
            `CREATE FUNCTION ${schema}.haven_bump_cache_epoch() RETURNS trigger LANGUAGE plpgsql
             SECURITY DEFINER SET search_path = ${schema} AS $$
             BEGIN UPDATE ${schema}.cache_epoch SET epoch = epoch + 1 WHERE id = 1; RETURN NULL; END $$`,
          )
          .execute(db);
      }
      for (const { table, events } of WATCHED) {
        for (const event of events) {
          const name = triggerName(table, event);
          await sql
            .raw(
              engine === 'sqlite'
                ? `CREATE TRIGGER ${name} AFTER ${event} ON ${table} FOR EACH ROW
                   BEGIN UPDATE cache_epoch SET epoch = epoch + 1 WHERE id = 1; END`
                : // Deferred to the commit: the counter row is locked last and only briefly,
                  // so two writers can never hold it and wait for each other's rows.
                  `CREATE CONSTRAINT TRIGGER ${name} AFTER ${event} ON ${table}
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                   EXECUTE FUNCTION haven_bump_cache_epoch()`,
            )
            .execute(db);
        }
      }
    },
  };
}
