import crypto from 'node:crypto';
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { WebauthnCredentialRow } from '../../store/index.js';
import { CHALLENGE_TTL_MS, type PendingChallenge } from './challenge-store.js';
import {
  asLibraryCredential,
  descriptor,
  MAX_CREDENTIAL_ID_LENGTH,
  MAX_STORED_COUNTER,
  passwordlessKey,
  secondFactorKey,
  type WebauthnContext,
} from './context.js';
import { NoWebauthnCredentialsError } from './errors.js';

export interface AuthenticationChallenge {
  options: PublicKeyCredentialRequestOptionsJSON;
  /** Passwordless only: the opaque key of the pending challenge, to return with the response. */
  handle?: string;
}

/** Which pending challenge a response answers: the signed-in user's, or a passwordless handle. */
export type AuthenticationTarget = { userId: string } | { handle: string };

/** Why an assertion was refused: for the audit trail, never for the client. */
export type AuthenticationRefusal =
  | 'no-challenge'
  | 'unknown-credential'
  | 'wrong-user'
  | 'invalid-response'
  | 'counter-not-increased'
  | 'counter-out-of-range';

export type AuthenticationResult =
  | { ok: true; userId: string; credentialId: string; userVerified: boolean }
  | { ok: false; reason: AuthenticationRefusal };

/**
 * Options for navigator.credentials.get(). With a user id (the second factor after a password)
 * they list that user's credentials; without one (passwordless) they list none, so the browser
 * offers discoverable credentials, user verification is required, and the challenge is keyed by a
 * fresh random handle because nobody is identified yet.
 */
export async function authenticationOptions(
  ctx: WebauthnContext,
  userId?: string,
): Promise<AuthenticationChallenge> {
  if (userId === undefined) {
    const options = await generateAuthenticationOptions({
      rpID: ctx.rp.rpId,
      userVerification: 'required',
    });
    const handle = crypto.randomBytes(32).toString('base64url');
    await remember(ctx, passwordlessKey(handle), options.challenge, null);
    return { options, handle };
  }
  const credentials = await ctx.repo.listForUser(userId);
  if (credentials.length === 0) throw new NoWebauthnCredentialsError();
  const options = await generateAuthenticationOptions({
    rpID: ctx.rp.rpId,
    allowCredentials: credentials.map(descriptor),
    userVerification: 'preferred',
  });
  await remember(ctx, secondFactorKey(userId), options.challenge, userId);
  return { options };
}

/**
 * Verifies an assertion (WebAuthn §7.2): the pending challenge is spent by this call whatever the
 * outcome; the credential must belong to the expected user (or, passwordless, to the user its
 * user handle names); the signature, RP ID hash, origin, type and user presence are checked by
 * the library, user verification too when passwordless; and the signature counter must advance.
 */
export async function verifyAuthentication(
  ctx: WebauthnContext,
  response: AuthenticationResponseJSON,
  target: AuthenticationTarget,
): Promise<AuthenticationResult> {
  const pending = await ctx.challenges.take(
    'userId' in target ? secondFactorKey(target.userId) : passwordlessKey(target.handle),
  );
  const expectedUser = 'userId' in target ? target.userId : null;
  if (!pending || pending.ceremony !== 'authentication' || pending.userId !== expectedUser) {
    return refuse('no-challenge');
  }
  const credential = await findCredential(ctx, response);
  if (!credential) return refuse('unknown-credential');
  if (!ownedAsClaimed(credential, pending, response)) return refuse('wrong-user');

  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: pending.challenge,
      expectedOrigin: ctx.rp.origin,
      expectedRPID: ctx.rp.rpId,
      // Counter 0 turns the library's own counter test off: the rule is applied below, only to
      // a correctly signed assertion, and atomically by the repository's compare-and-set.
      credential: asLibraryCredential(credential, 0),
      requireUserVerification: pending.userId === null,
    });
  } catch {
    return refuse('invalid-response');
  }
  if (!verified.verified) return refuse('invalid-response');
  const { newCounter, userVerified } = verified.authenticationInfo;

  // §6.1.1: a counter that does not increase suggests a cloned authenticator. Authenticators
  // without a counter always report 0, which is accepted only while the stored value is 0 too.
  if (newCounter > MAX_STORED_COUNTER) return refuse('counter-out-of-range');
  const advanced = await ctx.repo.updateCounter(
    credential.id,
    newCounter,
    ctx.clock().toISOString(),
  );
  if (!advanced) return refuse('counter-not-increased');
  return { ok: true, userId: credential.userId, credentialId: credential.id, userVerified };
}

async function remember(
  ctx: WebauthnContext,
  key: string,
  challenge: string,
  userId: string | null,
): Promise<void> {
  await ctx.challenges.put(
    key,
    { challenge, ceremony: 'authentication', userId },
    CHALLENGE_TTL_MS,
  );
}

async function findCredential(
  ctx: WebauthnContext,
  response: AuthenticationResponseJSON,
): Promise<WebauthnCredentialRow | undefined> {
  const id: unknown = response?.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_CREDENTIAL_ID_LENGTH) {
    return undefined;
  }
  return ctx.repo.findById(id);
}

/**
 * §7.2 steps 6–7: for a second factor the credential must be one of the user's; passwordless,
 * the user handle must be present and name the credential's owner. A user handle, when sent,
 * must always match.
 */
function ownedAsClaimed(
  credential: WebauthnCredentialRow,
  pending: PendingChallenge,
  response: AuthenticationResponseJSON,
): boolean {
  if (pending.userId !== null && credential.userId !== pending.userId) return false;
  const handle: unknown = response.response?.userHandle;
  if (handle === undefined || handle === null || handle === '') return pending.userId !== null;
  if (typeof handle !== 'string') return false;
  const named = Buffer.from(handle, 'base64url');
  const owner = Buffer.from(credential.userId, 'utf8');
  return named.length === owner.length && crypto.timingSafeEqual(named, owner);
}

function refuse(reason: AuthenticationRefusal): AuthenticationResult {
  return { ok: false, reason };
}
