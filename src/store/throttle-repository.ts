import { sql, type Kysely } from 'kysely';
import { lockEndFor, type LockSchedule } from './lock-schedule.js';
import type { HavenDatabase } from './schema.js';

/** Failed-login bookkeeping for one key ('account:<hex>' or 'ip:<address>'). */
export interface ThrottleRow {
  key: string;
  failures: number;
  firstFailureAt: string;
  /** ISO time until which attempts are refused; never null once written by Haven. */
  lockedUntil: string | null;
}

/** What a granted reservation counted: the failures now recorded and the lock it left. */
export interface ThrottleReservation {
  failures: number;
  lockedUntil: string;
}

/**
 * Login throttling counters. An attempt is counted (reserved) before it is verified, by one
 * statement that both engines run atomically: a second request for the same key waits on the row
 * lock and sees the first one's count, so no number of parallel requests gets past the limit.
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

  /**
   * Counts one attempt unless the key is locked at `s.now`; counts recorded before
   * `forgetBefore` (measured from the end of their lock) start again from 1. The lock the attempt
   * would leave as a failure is set at once. Undefined when the key is locked: nothing counted.
   */
  async reserve(
    key: string,
    s: LockSchedule,
    forgetBefore: string,
  ): Promise<ThrottleReservation | undefined> {
    const t = 'login_throttle';
    const end = sql<string>`COALESCE(${sql.ref(`${t}.locked_until`)}, ${sql.ref(`${t}.first_failure_at`)})`;
    const forgotten = sql<boolean>`${end} <= ${forgetBefore}`;
    const next = sql<number>`(${sql.ref(`${t}.failures`)} + 1)`;
    const firstLock = lockEndFor(sql<number>`1`, s, sql`${s.now}`);
    const row = await this.db
      .insertInto(t)
      .values({ key, failures: 1, first_failure_at: s.now, locked_until: firstLock })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({
            failures: sql`CASE WHEN ${forgotten} THEN 1 ELSE ${next} END`,
            first_failure_at: sql`CASE WHEN ${forgotten} THEN ${s.now} ELSE ${sql.ref(`${t}.first_failure_at`)} END`,
            locked_until: sql`CASE WHEN ${forgotten} THEN ${firstLock} ELSE ${lockEndFor(next, s, sql`${s.now}`)} END`,
          })
          .where(sql<boolean>`${end} <= ${s.now}`),
      )
      .returning(['failures', 'locked_until'])
      .executeTakeFirst();
    return row && { failures: Number(row.failures), lockedUntil: row.locked_until ?? s.now };
  }

  /**
   * Gives a reservation back (the attempt was right): one failure fewer, and the lock it set is
   * lifted unless a later reservation has replaced it.
   */
  async release(key: string, r: ThrottleReservation, now: string): Promise<void> {
    await this.db
      .updateTable('login_throttle')
      .set({
        failures: sql`CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END`,
        locked_until: sql`CASE WHEN locked_until = ${r.lockedUntil} THEN ${now} ELSE locked_until END`,
      })
      .where('key', '=', key)
      .execute();
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
