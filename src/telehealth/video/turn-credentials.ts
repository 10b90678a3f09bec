import crypto from 'node:crypto';
import type { TurnConfig } from '../../config/index.js';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest, coturn's `use-auth-secret`): the
 * username is `<expiry unix seconds>:<opaque id>`, the credential base64(HMAC-SHA1(secret,
 * username)). coturn recomputes the HMAC with the same secret and refuses the allocation once
 * the expiry has passed, so a leaked credential stops working by itself. The opaque id is a
 * keyed hash of the user id: stable per person (coturn's per-user quota) without telling
 * coturn's logs who the person is.
 */
export function turnCredential(
  turn: TurnConfig,
  userId: string,
  now: Date,
): { username: string; credential: string; expiresAt: Date } {
  const expiry = Math.floor(now.getTime() / 1000) + turn.ttlSeconds;
  const opaque = crypto
    .createHmac('sha256', turn.secret())
    .update(`haven-turn-user:${userId}`)
    .digest('base64url')
    .slice(0, 16);
  const username = `${expiry}:${opaque}`;
  const credential = crypto.createHmac('sha1', turn.secret()).update(username).digest('base64');
  return { username, credential, expiresAt: new Date(expiry * 1000) };
}
