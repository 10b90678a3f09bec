import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { RateLimitConfig } from '../config/index.js';
import { ApiError } from './session-auth.js';

/** Probes answer any address as often as it asks: a balancer must see a busy server as alive. */
const UNLIMITED_ROUTES = new Set(['/healthz', '/readyz', '/api/health']);

/**
 * Per-address request limits (ADR 0020), on top of the login throttle (which counts guesses per
 * account and address, src/auth/throttle) and the in-flight limit (which protects the process
 * from everyone at once, load-shedding.ts): one address cannot take the server for itself. Past
 * the limit a request gets 429 with Retry-After before its body is read or anything is looked
 * up; the refusal is audited like any other (refusal-audit.ts). With Redis the count is shared
 * by every server. While Redis does not answer, requests go uncounted rather than refused: the
 * limit is about fairness, not about PHI, and API clients, which need no Redis otherwise, keep
 * being served through an outage (ADR 0018); the in-flight limit still bounds the load.
 */
export async function installRateLimit(
  app: FastifyInstance,
  o: { limit: RateLimitConfig | undefined; redis: Redis | undefined },
): Promise<void> {
  const limit = o.limit;
  if (!limit) return;
  const redis = o.redis;
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.windowSeconds * 1000,
    keyGenerator: (request) => request.ip,
    allowList: (request) => UNLIMITED_ROUTES.has(request.routeOptions.url ?? ''),
    ...(redis && { store: redisWindowStore(redis, limit.keyPrefix), skipOnError: true }),
    errorResponseBuilder: () =>
      new ApiError(429, 'rate-limited', 'too many requests from this address; retry later'),
  });
}

/**
 * A fixed window per address in Redis: the first request of a window sets its expiry. Written
 * here rather than taken from the plugin because the plugin's Redis store speaks callbacks to the
 * client, past the wrapper that turns an unanswered command into a 503 (redis-connection.ts).
 */
function redisWindowStore(redis: Redis, prefix: string): new () => FastifyRateLimitStore {
  const script = `
    local current = redis.call('INCR', KEYS[1])
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl < 0 then
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      ttl = tonumber(ARGV[1])
    end
    return {current, ttl}`;
  class RedisWindowStore implements FastifyRateLimitStore {
    incr(
      key: string,
      done: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      (redis.eval(script, 1, prefix + key, timeWindow) as Promise<[number, number]>).then(
        ([current, ttl]) => done(null, { current, ttl }),
        (e: Error) => done(e),
      );
    }
    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return RedisWindowStore;
}
