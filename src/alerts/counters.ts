import type { Redis } from 'ioredis';
import type { WindowCount, WindowCounters } from './rules.js';

interface Window {
  /** Member to when it was last seen, oldest sighting first (a sighting moves it to the end). */
  seen: Map<string, number>;
  /** The latest time added: while times only grow, the map's order is time order. */
  newest: number;
}

/**
 * One instance's counters (no Redis): per key, the members and when each was last seen. An add
 * forgets expired members from the oldest end and stops at the first one still in the window,
 * so it costs what it forgets rather than the window's size. A time earlier than the newest
 * (a clock set back, a replay out of order) falls back to a full sweep, so the count stays exact.
 */
export class MemoryWindowCounters implements WindowCounters {
  private readonly windows = new Map<string, Window>();

  add(key: string, member: string, atMs: number, windowMs: number): WindowCount {
    let w = this.windows.get(key);
    if (!w) {
      w = { seen: new Map(), newest: atMs };
      this.windows.set(key, w);
    }
    const horizon = atMs - windowMs;
    const previous = w.seen.get(member);
    w.seen.delete(member);
    if (atMs >= w.newest) {
      w.newest = atMs;
      w.seen.set(member, atMs);
      for (const [m, at] of w.seen) {
        if (at > horizon) break;
        w.seen.delete(m);
      }
    } else {
      w.seen.set(member, atMs);
      for (const [m, at] of w.seen) if (at <= horizon) w.seen.delete(m);
      // Order no longer follows time: rebuild it so the next add can stop early again.
      const sorted = [...w.seen].sort((a, b) => a[1] - b[1]);
      w.seen = new Map(sorted);
    }
    const n = w.seen.size;
    if (n === 0) this.windows.delete(key);
    return { size: n, added: previous === undefined || previous <= horizon };
  }

  /** Keys with members in some window (tests: windows are forgotten, not kept forever). */
  get keys(): number {
    return this.windows.size;
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

  async add(key: string, member: string, atMs: number, windowMs: number): Promise<WindowCount> {
    const k = `${this.prefix}alerts:${key}`;
    // Trim before adding, so a member whose last sighting has left the window counts as new.
    const replies = await this.redis
      .multi()
      .zremrangebyscore(k, '-inf', atMs - windowMs)
      .zadd(k, atMs, member)
      .zcard(k)
      .pexpire(k, windowMs)
      .exec();
    const added = replies?.[1];
    const card = replies?.[2];
    if (!card || card[0] || !added || added[0]) throw new Error('redis-counter-failed');
    return { size: Number(card[1]), added: Number(added[1]) === 1 };
  }
}
