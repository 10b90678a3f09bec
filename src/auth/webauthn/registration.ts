import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
  type VerifiedRegistrationResponse,
} from '@simplewebauthn/server';
import { CHALLENGE_TTL_MS } from './challenge-store.js';
import {
  descriptor,
  knownTransports,
  MAX_STORED_COUNTER,
  registrationKey,
  userHandleFor,
  type WebauthnContext,
} from './context.js';
import { CredentialAlreadyRegisteredError, WebauthnRegistrationError } from './errors.js';

export interface RegisteredCredential {
  credentialId: string;
  /** Whether the authenticator verified the user (PIN, biometric) while registering. */
  userVerified: boolean;
  /** 'multiDevice' for a synced passkey, 'singleDevice' for a hardware key. */
  deviceType: 'singleDevice' | 'multiDevice';
}

/**
 * Options for navigator.credentials.create(). Existing credentials are excluded so one
 * authenticator is not registered twice; a resident key is preferred so the credential can also
 * sign in without a password; attestation is not requested (no authenticator allow-list, and no
 * device details to keep). The challenge waits for this user's response.
 */
export async function registrationOptions(
  ctx: WebauthnContext,
  userId: string,
  userName: string,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await ctx.repo.listForUser(userId);
  const options = await generateRegistrationOptions({
    rpName: ctx.rp.rpName,
    rpID: ctx.rp.rpId,
    userName,
    userID: userHandleFor(userId),
    attestationType: 'none',
    excludeCredentials: existing.map(descriptor),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await ctx.challenges.put(
    registrationKey(userId),
    { challenge: options.challenge, ceremony: 'registration', userId },
    CHALLENGE_TTL_MS,
  );
  return options;
}

/**
 * Verifies a registration response against this user's pending challenge (spent by this call,
 * whatever the outcome) and the relying party's RP ID and origin (WebAuthn §7.1), then stores the
 * credential. User verification is not required here: a credential registered without it can
 * still serve as a second factor, and passwordless sign-in demands it on every assertion.
 */
export async function verifyRegistration(
  ctx: WebauthnContext,
  userId: string,
  response: RegistrationResponseJSON,
): Promise<RegisteredCredential> {
  const pending = await ctx.challenges.take(registrationKey(userId));
  if (!pending || pending.ceremony !== 'registration' || pending.userId !== userId) {
    throw new WebauthnRegistrationError('no-challenge');
  }
  let verified: VerifiedRegistrationResponse;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: pending.challenge,
      expectedOrigin: ctx.rp.origin,
      expectedRPID: ctx.rp.rpId,
      requireUserVerification: false,
    });
  } catch {
    // The library's message quotes the response (origin, challenge): not ours to pass on.
    throw new WebauthnRegistrationError('invalid-response');
  }
  if (!verified.verified) throw new WebauthnRegistrationError('invalid-response');
  const info = verified.registrationInfo;
  if (info.credential.counter > MAX_STORED_COUNTER) {
    throw new WebauthnRegistrationError('counter-out-of-range');
  }
  const inserted = await ctx.repo.insert({
    id: info.credential.id,
    userId,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    // The browser reports transports next to the response; only the spec's tokens are kept.
    transports: knownTransports(response.response.transports),
    at: ctx.clock().toISOString(),
  });
  if (!inserted) throw new CredentialAlreadyRegisteredError();
  return {
    credentialId: info.credential.id,
    userVerified: info.userVerified,
    deviceType: info.credentialDeviceType,
  };
}
