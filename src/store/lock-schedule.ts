import { sql, type RawBuilder } from 'kysely';

/**
 * The lock an attempt leaves if it turns out to be a failure, precomputed by the caller for every
 * failure count so that one SQL statement (or one Redis script) can count the attempt and set the
 * lock atomically, without date arithmetic in either engine. ISO-8601 UTC strings compare as text.
 */
export interface LockSchedule {
  /** The caller's clock. */
  now: string;
  /** The failure count from which a lock applies (the policy's threshold). */
  threshold: number;
  /** untils[i]: the lock end after threshold + i failures. */
  untils: readonly string[];
  /** The lock end for any count past the schedule (the longest lock). */
  cap: string;
}

/**
 * `CASE` over a failure count expression: the lock end for that count, or `below` when the count
 * is under the threshold.
 */
export function lockEndFor(
  count: RawBuilder<number>,
  s: LockSchedule,
  below: RawBuilder<string | null>,
): RawBuilder<string | null> {
  const steps = s.untils.map((u, i) => sql`WHEN ${count} = ${s.threshold + i} THEN ${u}`);
  return sql<string | null>`CASE WHEN ${count} < ${s.threshold} THEN ${below} ${sql.join(
    steps,
    sql` `,
  )} ELSE ${s.cap} END`;
}
