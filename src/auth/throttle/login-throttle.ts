import type { LockSchedule, ThrottleReservation } from '../../store/index.js';
import { lockSchedule } from './lock-schedule.js';
import {
  decide,
  DEFAULT_THROTTLE_POLICY,
  lockSeconds,
  type ThrottleDecision,
  type ThrottlePolicy,
  type ThrottleState,
} from './throttle-policy.js';

/**
 * Where throttle counters live: the database (store/ThrottleRepository), or Redis when several
 * instances share one (RedisThrottleStore). `reserve` must count and lock in one atomic step.
 */
export interface ThrottleStore {
  find(key: string): Promise<ThrottleRow | undefined>;
  reserve(
    key: string,
    schedule: LockSchedule,
    forgetBefore: string,
  ): Promise<ThrottleReservation | undefined>;
  release(key: string, reservation: ThrottleReservation, now: string): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export interface ThrottleRow {
  key: string;
  failures: number;
  firstFailureAt: string;
  lockedUntil: string | null;
}

export type { ThrottleReservation };

/** A granted attempt: it is already counted as a failure until `release` gives it back. */
export interface ThrottleGrant {
  allowed: true;
  failures: number;
  reservation: ThrottleReservation;
}

export type ReserveResult = ThrottleGrant | { allowed: false; retryAfterSeconds: number };

export class ThrottleContentionError extends Error {
  readonly code = 'throttle-contention';
}

const KEY = /^(account|ip):[^\s]{1,256}$/;
/** A refused reservation whose lock has ended by the time it is read is tried again, this often. */
const MAX_TRIES = 3;

/**
 * Exponential back-off per key ('account:<hex>', 'ip:<addr>'). `reserve` counts an attempt as a
 * failure before it is verified, atomically, and refuses it without counting when the key is
 * locked; `release` gives the count back when the attempt was right, `succeed` clears the key.
 * So at most `freeFailures` guesses are ever evaluated before a lock, however many run at once.
 */
export class LoginThrottle {
  private readonly policy: ThrottlePolicy;

  constructor(
    private readonly store: ThrottleStore,
    policy: Partial<ThrottlePolicy> = {},
  ) {
    this.policy = { ...DEFAULT_THROTTLE_POLICY, ...policy };
  }

  async check(key: string, now: Date): Promise<ThrottleDecision> {
    const row = await this.store.find(checkKey(key));
    return decide(row && toState(row), now);
  }

  async reserve(key: string, now: Date): Promise<ReserveResult> {
    checkKey(key);
    const p = this.policy;
    const schedule = lockSchedule(now, p.freeFailures, (n) => lockSeconds(n, p) * 1000);
    // Forgetting is measured from the end of the last lock (throttle-policy.isForgotten).
    const forgetBefore = new Date(now.getTime() - p.forgetAfterSeconds * 1000).toISOString();
    for (let i = 0; i < MAX_TRIES; i++) {
      const reservation = await this.store.reserve(key, schedule, forgetBefore);
      if (reservation) return { allowed: true, failures: reservation.failures, reservation };
      const decision = await this.check(key, now);
      if (!decision.allowed) return decision;
    }
    throw new ThrottleContentionError('a throttle key kept changing under its reservation');
  }

  /** The reserved attempt was right: its count is given back (and any lock it set lifted). */
  async release(key: string, grant: ThrottleGrant, now: Date): Promise<void> {
    await this.store.release(checkKey(key), grant.reservation, now.toISOString());
  }

  /** A successful sign-in clears the key's failures. */
  async succeed(key: string): Promise<void> {
    await this.store.delete(checkKey(key));
  }

  /** An administrator lifts a lock before it ends. False when the key had no record. */
  unlock(key: string): Promise<boolean> {
    return this.store.delete(checkKey(key));
  }
}

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new TypeError("throttle key must be 'account:<hex>' or 'ip:<addr>'");
  return key;
}

function toState(r: ThrottleRow): ThrottleState {
  return {
    failures: r.failures,
    firstFailureAt: new Date(r.firstFailureAt),
    // Rows written before a lock existed count as "locked until the first failure".
    lockedUntil: new Date(r.lockedUntil ?? r.firstFailureAt),
  };
}
