import type { Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

/** Failed-login bookkeeping for one key ('account:<hex>' or 'ip:<address>'). */
export interface ThrottleRow {
  key: string;
  failures: number;
  firstFailureAt: string;
  /** ISO time until which attempts are refused; never null once written by Haven. */
  lockedUntil: string | null;
}

/**
 * Login throttling counters. Writes are compare-and-set so that concurrent failures for one key
 * are all counted: the caller re-reads and retries when a write reports a lost race.
 */
export class ThrottleRepository {
  constructor(private readonly db: Kysely<HavenDatabase>) {}

  async find(key: string): Promise<ThrottleRow | undefined> {
    const row = await this.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
    return row && toRow(row);
  }

  /** Inserts the first record for a key; false when another writer created it first. */
  async insertIfAbsent(row: ThrottleRow): Promise<boolean> {
    const r = await this.db
      .insertInto('login_throttle')
      .values({
        key: row.key,
        failures: row.failures,
        first_failure_at: row.firstFailureAt,
        locked_until: row.lockedUntil,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Replaces `expected` with `next`; false when the stored row is no longer `expected`. */
  async replace(expected: ThrottleRow, next: ThrottleRow): Promise<boolean> {
    let q = this.db
      .updateTable('login_throttle')
      .set({
        failures: next.failures,
        first_failure_at: next.firstFailureAt,
        locked_until: next.lockedUntil,
      })
      .where('key', '=', expected.key)
      .where('failures', '=', expected.failures)
      .where('first_failure_at', '=', expected.firstFailureAt);
    q =
      expected.lockedUntil === null
        ? q.where('locked_until', 'is', null)
        : q.where('locked_until', '=', expected.lockedUntil);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Forgets a key (successful login, or an administrator's unlock). */
  async delete(key: string): Promise<boolean> {
    const r = await this.db.deleteFrom('login_throttle').where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
}

function toRow(r: HavenDatabase['login_throttle']): ThrottleRow {
  return {
    key: r.key,
    failures: Number(r.failures),
    firstFailureAt: r.first_failure_at,
    lockedUntil: r.locked_until,
  };
}
