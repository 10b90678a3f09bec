import type { Redis } from 'ioredis';
import type { LockSchedule, ThrottleReservation } from '../../store/index.js';
import type { ThrottleRow, ThrottleStore } from './login-throttle.js';

/**
 * Count-and-lock in one Lua script, which Redis runs atomically: the same rule as the database's
 * upsert (store/throttle-repository.ts). Times are ISO-8601 UTC strings from Haven's clock, which
 * compare as text; Redis's own clock only drops keys long forgotten.
 * KEYS[1] the hash; ARGV: now, forgetBefore, threshold, cap, ttlMs, then the schedule's untils.
 */
const RESERVE = `
local h = redis.call('HMGET', KEYS[1], 'failures', 'first', 'until')
local now, forgetBefore, threshold, cap = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local failures, first = tonumber(h[1]), h[2]
if failures then
  local lockEnd = h[3] or first
  if lockEnd > now then return false end
  if lockEnd <= forgetBefore then failures = nil end
end
if not failures then first = now end
local n = (failures or 0) + 1
local lock = now
if n >= threshold then lock = ARGV[6 + n - threshold] or cap end
redis.call('HSET', KEYS[1], 'failures', n, 'first', first, 'until', lock)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {n, lock}
`;

/** One failure fewer; the lock lifted if it is still the one this reservation set. */
const RELEASE = `
local f = tonumber(redis.call('HGET', KEYS[1], 'failures'))
if not f then return 0 end
redis.call('HSET', KEYS[1], 'failures', math.max(f - 1, 0))
if redis.call('HGET', KEYS[1], 'until') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'until', ARGV[2])
end
return 1
`;

/**
 * Throttle counters in Redis (REDIS_URL), shared by every instance: one hash per key,
 * `<prefix>throttle:<key>`, holding failures, first failure and lock end.
 */
export class RedisThrottleStore implements ThrottleStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    o: { prefix?: string } = {},
  ) {
    this.prefix = `${o.prefix ?? 'haven:'}throttle:`;
  }

  async find(key: string): Promise<ThrottleRow | undefined> {
    const [failures, first, until] = await this.redis.hmget(
      this.prefix + key,
      'failures',
      'first',
      'until',
    );
    if (failures == null || first == null) return undefined;
    return { key, failures: Number(failures), firstFailureAt: first, lockedUntil: until ?? null };
  }

  async reserve(
    key: string,
    s: LockSchedule,
    forgetBefore: string,
  ): Promise<ThrottleReservation | undefined> {
    const now = Date.parse(s.now);
    const ttlMs = Math.max(0, Date.parse(s.cap) - now) + (now - Date.parse(forgetBefore)) + 1000;
    const reply = (await this.redis.eval(
      RESERVE,
      1,
      this.prefix + key,
      s.now,
      forgetBefore,
      s.threshold,
      s.cap,
      ttlMs,
      ...s.untils,
    )) as [number, string] | null;
    return reply ? { failures: Number(reply[0]), lockedUntil: reply[1] } : undefined;
  }

  async release(key: string, r: ThrottleReservation, now: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + key, r.lockedUntil, now);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) === 1;
  }
}
