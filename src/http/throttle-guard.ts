import type { FastifyReply } from 'fastify';
import type { LoginThrottle, ThrottleGrant } from '../auth/index.js';
import { ApiError } from './session-auth.js';

/**
 * Reserves a sign-in attempt on every key (account, client address) before anything is
 * verified, or on none: when one key is locked, the grants already taken are given back and the
 * request is refused with 429 and the longest wait. Parallel requests each take their own
 * reservation atomically, so no more of them are verified than the throttle allows (issue 13).
 */
export async function reserveAll(
  throttle: LoginThrottle,
  keys: readonly string[],
  now: Date,
  reply: FastifyReply,
): Promise<[string, ThrottleGrant][]> {
  const results = await Promise.all(keys.map((k) => throttle.reserve(k, now)));
  const granted: [string, ThrottleGrant][] = [];
  let wait = 0;
  results.forEach((r, i) => {
    if (r.allowed) granted.push([keys[i]!, r]);
    else wait = Math.max(wait, r.retryAfterSeconds);
  });
  if (wait === 0) return granted;
  await Promise.all(granted.map(([k, g]) => throttle.release(k, g, now)));
  reply.header('retry-after', String(wait));
  throw new ApiError(429, 'throttled', 'too many failed sign-ins; try again later', {
    retryAfterSeconds: wait,
  });
}

/** Gives back the grants of an attempt that was right. */
export async function releaseAll(
  throttle: LoginThrottle,
  grants: readonly [string, ThrottleGrant][],
  now: Date,
): Promise<void> {
  await Promise.all(grants.map(([k, g]) => throttle.release(k, g, now)));
}
