/** Failed attempts before an account locks. */
export const DEFAULT_LOCKOUT_THRESHOLD = 5;

const BASE_LOCK_MS = 60_000;
const MAX_LOCK_MS = 3_600_000;

/**
 * How long to lock after the `failures`-th consecutive failure: nothing below the threshold,
 * then 1 minute doubling with each further failure, capped at 1 hour. Attempts while locked
 * are refused without counting, so the lock grows only with guesses actually evaluated.
 */
export function lockDurationMs(failures: number, threshold = DEFAULT_LOCKOUT_THRESHOLD): number {
  if (failures < threshold) return 0;
  const exponent = Math.min(failures - threshold, 16);
  return Math.min(BASE_LOCK_MS * 2 ** exponent, MAX_LOCK_MS);
}

export function isLocked(lockedUntil: string | null, now: Date): boolean {
  return lockedUntil !== null && lockedUntil > now.toISOString();
}
