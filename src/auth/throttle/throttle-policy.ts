/**
 * The pure arithmetic of login throttling: how long a key is locked after n failures, and
 * whether an attempt may proceed now. No I/O, no clock: time is an argument.
 */
export interface ThrottlePolicy {
  /** Attempts that may fail without any wait; the failure that uses the last of them locks. */
  freeFailures: number;
  /** First lock length; each further failure doubles it. */
  baseLockSeconds: number;
  maxLockSeconds: number;
  /** Failures are forgotten after this long with no lock in force (quiet time after the lock). */
  forgetAfterSeconds: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  baseLockSeconds: 30,
  maxLockSeconds: 3600,
  forgetAfterSeconds: 24 * 3600,
};

export interface ThrottleState {
  failures: number;
  firstFailureAt: Date;
  /** End of the current lock; equal to the last failure's time when that failure did not lock. */
  lockedUntil: Date;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Lock after the n-th consecutive failure: none before `freeFailures`, then
 * base × 2^(n − freeFailures), capped. With the defaults: failures 1–4 → 0, 5 → 30 s, 6 → 60 s,
 * 7 → 120 s … 11 → 960 s, 12 → 1920 s, 13 and beyond → 3600 s.
 */
export function lockSeconds(failures: number, p: ThrottlePolicy = DEFAULT_THROTTLE_POLICY): number {
  if (failures < p.freeFailures) return 0;
  const doublings = Math.min(failures - p.freeFailures, 40);
  return Math.min(p.baseLockSeconds * 2 ** doublings, p.maxLockSeconds);
}

/** True when the recorded failures are old enough to be ignored. */
export function isForgotten(
  s: ThrottleState,
  now: Date,
  p: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): boolean {
  return now.getTime() - s.lockedUntil.getTime() >= p.forgetAfterSeconds * 1000;
}

/** The state after one more failure at `now`. A lock in force is never shortened. */
export function afterFailure(
  prev: ThrottleState | undefined,
  now: Date,
  p: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): ThrottleState {
  const live = prev && !isForgotten(prev, now, p) ? prev : undefined;
  const failures = (live?.failures ?? 0) + 1;
  const until = now.getTime() + lockSeconds(failures, p) * 1000;
  return {
    failures,
    firstFailureAt: live?.firstFailureAt ?? now,
    lockedUntil: new Date(Math.max(until, live?.lockedUntil.getTime() ?? 0)),
  };
}

/** May an attempt proceed at `now`? */
export function decide(state: ThrottleState | undefined, now: Date): ThrottleDecision {
  const waitMs = state ? state.lockedUntil.getTime() - now.getTime() : 0;
  if (waitMs <= 0) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };
}
