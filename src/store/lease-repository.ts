import type { Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

/**
 * Named leases (migration 0017). Taking one is a single statement — insert, or take over a row
 * whose term has ended — so of concurrent takers across processes exactly one gets it: the
 * primary key serializes them on both engines. Times are ISO-8601 UTC, so text order is time.
 */
export class LeaseRepository {
  constructor(private readonly db: Kysely<HavenDatabase>) {}

  /** True when `holder` now holds `name` until `until`; false while someone else's term runs. */
  async tryTake(name: string, holder: string, now: string, until: string): Promise<boolean> {
    const row = await this.db
      .insertInto('leases')
      .values({ name, holder, expires_at: until })
      .onConflict((c) =>
        c
          .column('name')
          .doUpdateSet({ holder, expires_at: until })
          .where('leases.expires_at', '<=', now),
      )
      .returning('holder')
      .executeTakeFirst();
    return row?.holder === holder;
  }

  /** Gives the lease back, if `holder` still holds it (a taken-over lease is not touched). */
  async give(name: string, holder: string): Promise<void> {
    await this.db
      .deleteFrom('leases')
      .where('name', '=', name)
      .where('holder', '=', holder)
      .execute();
  }
}
