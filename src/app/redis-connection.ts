import { Redis, ReplyError } from 'ioredis';
import type { Logger } from '../logging/index.js';

export class RedisUnreachableError extends Error {
  readonly code = 'redis-unreachable';
}

/** Redis could not answer a command now (down, unreachable, too slow): the request gets 503. */
export class RedisUnavailableError extends Error {
  readonly code = 'store-unavailable';
}

/**
 * Connects to REDIS_URL and waits until Redis answers; refuses to start when it does not.
 *
 * Fail fast and closed while Redis is away: with the offline queue off, a command issued while
 * the connection is down is rejected at once instead of waiting for a reconnect (which made
 * requests fail with 500 after 10-15 s), and `commandTimeout` ends one that Redis never answers
 * (a hung or partitioned server). Either way the request gets 503 with Retry-After. The client
 * keeps reconnecting in the background (at most a second apart), so service resumes by itself
 * when Redis returns. Every error has a listener: an 'error' event without one would end the
 * process.
 */
export async function connectRedis(
  url: string,
  o: { timeoutMs: number; logger: Logger },
): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: o.timeoutMs,
    connectTimeout: Math.max(o.timeoutMs, 1000),
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  let reported = false;
  let lastError: unknown;
  // One line per outage, not one per reconnect attempt; the code only (never the URL, which may
  // carry a password).
  const report = (code: string) => {
    if (reported) return;
    reported = true;
    o.logger.warn({ event: 'redis-unavailable', code }, 'Redis is unreachable');
  };
  redis.on('error', (err: unknown) => {
    lastError = err;
    report(codeOf(err));
  });
  // A dropped connection is an outage even when Redis is back before the first reconnect attempt
  // fails (no 'error' then): requests were refused in between.
  redis.on('reconnecting', () => report('connection-closed'));
  redis.on('ready', () => {
    if (reported) o.logger.info({ event: 'redis-available' }, 'Redis is reachable again');
    reported = false;
  });
  try {
    await redis.connect();
  } catch (e) {
    redis.disconnect();
    throw new RedisUnreachableError(
      `cannot reach Redis at ${where(url)} (REDIS_URL): ${codeOf(lastError ?? e)}; start Redis or unset REDIS_URL`,
    );
  }
  return failingAsUnavailable(redis);
}

/**
 * The client as the stores see it: a command that Redis did not answer (connection down, offline
 * queue off, timed out) rejects with RedisUnavailableError, which every route answers with 503;
 * an error Redis itself replied (a bug in a script) stays what it is, a 500. One place for all
 * the Redis-backed stores (sessions, passkey challenges, and any added later).
 */
function failingAsUnavailable(redis: Redis): Redis {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(redis, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        fn = (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result instanceof Promise ? result.catch(asUnavailable) : result;
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}

function asUnavailable(e: unknown): never {
  if (e instanceof ReplyError) throw e;
  throw new RedisUnavailableError(`Redis did not answer: ${codeOf(e)}`);
}

/** Closes politely when connected; otherwise just stops reconnecting. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through: Redis went away while we were closing
    }
  }
  redis.disconnect();
}

/** host:port of a redis:// URL, without credentials. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'the configured address';
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.length < 80 ? message : 'unreachable';
}
