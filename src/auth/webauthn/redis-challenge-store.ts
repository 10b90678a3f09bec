import type { Redis } from 'ioredis';
import type { ChallengeStore, Clock, PendingChallenge } from './challenge-store.js';

/**
 * Challenges in Redis (when REDIS_URL is set), so a response may reach any server of several.
 * Each is one string key `<prefix>webauthn:<key>` written with SET … PX (Redis drops it at its
 * expiry) and read with GETDEL, which is atomic: two servers racing on one response cannot both
 * get the challenge. The entry also carries its expiry by Haven's clock, checked on `take`, so
 * an entry is never honoured late even if Redis's clock and Haven's disagree.
 */
export class RedisChallengeStore implements ChallengeStore {
  private readonly prefix: string;
  private readonly clock: Clock;

  constructor(
    private readonly redis: Redis,
    o: { prefix?: string; clock?: Clock } = {},
  ) {
    this.prefix = `${o.prefix ?? 'haven:'}webauthn:`;
    this.clock = o.clock ?? (() => new Date());
  }

  async put(key: string, pending: PendingChallenge, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const stored: StoredChallenge = { ...pending, expiresAt: this.clock().getTime() + ttl };
    await this.redis.set(this.prefix + key, JSON.stringify(stored), 'PX', ttl);
  }

  async take(key: string): Promise<PendingChallenge | undefined> {
    const raw = await this.redis.getdel(this.prefix + key);
    if (raw === null) return undefined;
    const stored = parse(raw);
    if (!stored || stored.expiresAt <= this.clock().getTime()) return undefined;
    return { challenge: stored.challenge, ceremony: stored.ceremony, userId: stored.userId };
  }
}

interface StoredChallenge extends PendingChallenge {
  /** Epoch milliseconds by Haven's clock. */
  expiresAt: number;
}

/** Anything not shaped as we wrote it is treated as absent (never trusted as a challenge). */
function parse(raw: string): StoredChallenge | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (
    typeof o.challenge !== 'string' ||
    (o.ceremony !== 'registration' && o.ceremony !== 'authentication') ||
    (o.userId !== null && typeof o.userId !== 'string') ||
    typeof o.expiresAt !== 'number'
  ) {
    return undefined;
  }
  return {
    challenge: o.challenge,
    ceremony: o.ceremony,
    userId: o.userId,
    expiresAt: o.expiresAt,
  };
}
