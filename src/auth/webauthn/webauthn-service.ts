import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { WebauthnRepository } from '../../store/index.js';
import {
  authenticationOptions,
  verifyAuthentication,
  type AuthenticationChallenge,
  type AuthenticationResult,
  type AuthenticationTarget,
} from './authentication.js';
import type { ChallengeStore, Clock } from './challenge-store.js';
import type { WebauthnContext } from './context.js';
import {
  registrationOptions,
  verifyRegistration,
  type RegisteredCredential,
} from './registration.js';
import { checkRelyingParty } from './relying-party.js';

export interface WebauthnServiceOptions {
  repo: WebauthnRepository;
  /** The RP ID: Haven's public host name (or a registrable suffix of it). */
  rpId: string;
  /** Shown by the authenticator when registering. */
  rpName: string;
  /** The one origin ceremonies may run on: Haven's public URL's origin. */
  origin: string;
  challenges: ChallengeStore;
  clock?: Clock;
}

/** A credential as the account page lists it; the public key stays in the store. */
export interface CredentialSummary {
  id: string;
  transports: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

/**
 * WebAuthn / passkeys, as a second factor after a password or as a passwordless sign-in
 * (WebAuthn Level 2 §7). Options go to the browser; responses come back to the verify methods,
 * which spend the challenge they answer. Whether the user is active, locked or allowed to sign
 * in is the caller's decision: an `ok` result only says who holds the authenticator.
 */
export class WebauthnService {
  private readonly ctx: WebauthnContext;

  constructor(o: WebauthnServiceOptions) {
    this.ctx = {
      repo: o.repo,
      rp: checkRelyingParty({ rpId: o.rpId, rpName: o.rpName, origin: o.origin }),
      challenges: o.challenges,
      clock: o.clock ?? (() => new Date()),
    };
  }

  registrationOptions(
    userId: string,
    userName: string,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return registrationOptions(this.ctx, userId, userName);
  }

  verifyRegistration(
    userId: string,
    response: RegistrationResponseJSON,
  ): Promise<RegisteredCredential> {
    return verifyRegistration(this.ctx, userId, response);
  }

  /** With a user id: second factor. Without: passwordless; send `handle` back with the response. */
  authenticationOptions(userId?: string): Promise<AuthenticationChallenge> {
    return authenticationOptions(this.ctx, userId);
  }

  verifyAuthentication(
    response: AuthenticationResponseJSON,
    target: AuthenticationTarget,
  ): Promise<AuthenticationResult> {
    return verifyAuthentication(this.ctx, response, target);
  }

  async listCredentials(userId: string): Promise<CredentialSummary[]> {
    const rows = await this.ctx.repo.listForUser(userId);
    return rows.map((r) => ({
      id: r.id,
      transports: r.transports,
      createdAt: r.createdAt,
      lastUsedAt: r.lastUsedAt,
    }));
  }

  /** Removes one of the user's credentials (a sensitive action: ask for re-authentication). */
  removeCredential(userId: string, credentialId: string): Promise<boolean> {
    return this.ctx.repo.delete(userId, credentialId);
  }
}
