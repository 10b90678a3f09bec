import {
  afterFailure,
  decide,
  DEFAULT_THROTTLE_POLICY,
  type ThrottleDecision,
  type ThrottlePolicy,
  type ThrottleState,
} from './throttle-policy.js';

/** The slice of the store's ThrottleRepository this needs (rows carry ISO timestamps). */
export interface ThrottleStore {
  find(key: string): Promise<ThrottleRow | undefined>;
  insertIfAbsent(row: ThrottleRow): Promise<boolean>;
  replace(expected: ThrottleRow, next: ThrottleRow): Promise<boolean>;
  delete(key: string): Promise<boolean>;
}

export interface ThrottleRow {
  key: string;
  failures: number;
  firstFailureAt: string;
  lockedUntil: string | null;
}

export class ThrottleContentionError extends Error {
  readonly code = 'throttle-contention';
}

const KEY = /^(account|ip):[^\s]{1,256}$/;
// Each round of a race has one winner, so this bounds the parallel failures one key can absorb.
const MAX_RACES = 64;

/**
 * Exponential back-off per key ('account:<hex>', 'ip:<addr>'). Call `check` before verifying a
 * password and refuse without verifying when it says no; call `fail` after a wrong password,
 * `succeed` after a right one. Failures are counted exactly under concurrency: each write is a
 * compare-and-set, retried on a lost race.
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

  /** Records a failure; the decision returned says whether this failure started a lock. */
  async fail(key: string, now: Date): Promise<ThrottleDecision & { failures: number }> {
    checkKey(key);
    for (let i = 0; i < MAX_RACES; i++) {
      const prev = await this.store.find(key);
      const next = afterFailure(prev && toState(prev), now, this.policy);
      const row = toRow(key, next);
      const written = prev
        ? await this.store.replace(prev, row)
        : await this.store.insertIfAbsent(row);
      if (written) return { ...decide(next, now), failures: next.failures };
    }
    throw new ThrottleContentionError(`too many concurrent failures recorded for one key`);
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

function toRow(key: string, s: ThrottleState): ThrottleRow {
  return {
    key,
    failures: s.failures,
    firstFailureAt: s.firstFailureAt.toISOString(),
    lockedUntil: s.lockedUntil.toISOString(),
  };
}
