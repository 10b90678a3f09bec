import type { Redis } from 'ioredis';
import type { WindowCounters } from './rules.js';

/** One instance's counters (no Redis): a map of members to when each was last seen. */
export class MemoryWindowCounters implements WindowCounters {
  private readonly sets = new Map<string, Map<string, number>>();

  add(key: string, member: string, atMs: number, windowMs: number): Promise<number> {
    const set = this.sets.get(key) ?? new Map<string, number>();
    this.sets.set(key, set);
    set.set(member, atMs);
    for (const [m, seen] of set) if (seen <= atMs - windowMs) set.delete(m);
    if (set.size === 0) this.sets.delete(key);
    return Promise.resolve(set.size);
  }
}

/**
 * Counters every instance shares: one sorted set per key under `${prefix}alerts:` (member =
 * patient id or request id, score = time), trimmed to the window and expiring with it. The
 * four commands run as one MULTI, so parallel adds from two instances each see the other's.
 */
export class RedisWindowCounters implements WindowCounters {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async add(key: string, member: string, atMs: number, windowMs: number): Promise<number> {
    const k = `${this.prefix}alerts:${key}`;
    const replies = await this.redis
      .multi()
      .zadd(k, atMs, member)
      .zremrangebyscore(k, '-inf', atMs - windowMs)
      .zcard(k)
      .pexpire(k, windowMs)
      .exec();
    const card = replies?.[2];
    if (!card || card[0]) throw new Error('redis-counter-failed');
    return Number(card[1]);
  }
}
