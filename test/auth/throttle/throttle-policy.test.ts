import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  decide,
  DEFAULT_THROTTLE_POLICY,
  ipKey,
  accountKey,
  lockSeconds,
  type ThrottleState,
} from '../../../src/auth/throttle/index.js';

const T0 = new Date('2030-03-01T08:00:00.000Z');
const plus = (s: number) => new Date(T0.getTime() + s * 1000);

describe('throttle back-off arithmetic', () => {
  it('allows 5 free attempts, then doubles from 30 s up to an hour', () => {
    const locks = Array.from({ length: 14 }, (_, i) => lockSeconds(i + 1));
    expect(locks).toEqual([0, 0, 0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    expect(lockSeconds(10_000)).toBe(3600);
  });

  it('follows a policy', () => {
    const p = {
      ...DEFAULT_THROTTLE_POLICY,
      freeFailures: 1,
      baseLockSeconds: 1,
      maxLockSeconds: 5,
    };
    expect([1, 2, 3, 4, 5].map((n) => lockSeconds(n, p))).toEqual([1, 2, 4, 5, 5]);
  });

  it('decides from the lock end, rounding the wait up', () => {
    const s: ThrottleState = { failures: 5, firstFailureAt: T0, lockedUntil: plus(30) };
    expect(decide(undefined, T0)).toEqual({ allowed: true });
    expect(decide(s, T0)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(decide(s, new Date(plus(29).getTime() + 1))).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    expect(decide(s, plus(30))).toEqual({ allowed: true });
  });

  it('counts failures, never shortens a lock, and forgets after a quiet day', () => {
    let s: ThrottleState | undefined;
    for (let i = 0; i < 6; i++) s = afterFailure(s, T0);
    expect(s).toEqual({ failures: 6, firstFailureAt: T0, lockedUntil: plus(60) });
    s = afterFailure({ ...s!, lockedUntil: plus(7200) }, plus(1));
    expect(s.lockedUntil).toEqual(plus(7200));
    const later = new Date(plus(7200).getTime() + 24 * 3600 * 1000);
    expect(afterFailure(s, later)).toEqual({
      failures: 1,
      firstFailureAt: later,
      lockedUntil: later,
    });
  });
});

describe('throttle keys', () => {
  it('keys accounts by blind index and addresses by IPv4 or IPv6 /64', () => {
    expect(accountKey(Buffer.from([0xab, 0x01]))).toBe('account:ab01');
    expect(ipKey('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(ipKey('::ffff:203.0.113.7')).toBe('ip:203.0.113.7');
    expect(ipKey('2001:db8:1:2:3:4:5:6')).toBe('ip:2001:db8:1:2::/64');
    expect(ipKey('2001:db8:1:2::9')).toBe(ipKey('2001:0db8:0001:0002:ffff::1'));
    expect(ipKey('2001:db8::1')).toBe('ip:2001:db8:0:0::/64');
    expect(ipKey('::1')).toBe('ip:0:0:0:0::/64');
    expect(() => ipKey('not-an-ip')).toThrow(TypeError);
  });
});
