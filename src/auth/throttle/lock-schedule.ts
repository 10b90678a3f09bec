import type { LockSchedule } from '../../store/index.js';

/** Beyond this many doublings every lock policy here has reached its cap. */
const MAX_STEPS = 40;

/**
 * The lock end after each failure count from `threshold` on, as the store needs it to count an
 * attempt and set its lock in one atomic statement (see store/lock-schedule.ts). `durationMs`
 * is the policy's pure arithmetic; the schedule stops where it stops growing.
 */
export function lockSchedule(
  now: Date,
  threshold: number,
  durationMs: (failures: number) => number,
): LockSchedule {
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const untils: string[] = [];
  let ms = durationMs(threshold);
  for (let i = 0; i < MAX_STEPS; i++) {
    const following = durationMs(threshold + i + 1);
    untils.push(at(ms));
    if (following === ms) break;
    ms = following;
  }
  return { now: now.toISOString(), threshold, untils, cap: at(ms) };
}
