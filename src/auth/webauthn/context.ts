import type { WebauthnCredentialRow, WebauthnRepository } from '../../store/index.js';
import type {
  AuthenticatorTransportFuture,
  Uint8Array_,
  WebAuthnCredential,
} from '@simplewebauthn/server';
import type { ChallengeStore, Clock } from './challenge-store.js';
import type { RelyingParty } from './relying-party.js';

/** What every ceremony needs; built once by WebauthnService from its options. */
export interface WebauthnContext {
  repo: WebauthnRepository;
  rp: RelyingParty;
  challenges: ChallengeStore;
  clock: Clock;
}

/**
 * The largest signature counter the store keeps: the column is a 32-bit signed integer on
 * PostgreSQL, while WebAuthn's signCount is unsigned. No real authenticator gets near it.
 */
export const MAX_STORED_COUNTER = 2 ** 31 - 1;

/** A credential id is at most 1023 bytes (WebAuthn §5.8.3), so 1364 base64url characters. */
export const MAX_CREDENTIAL_ID_LENGTH = 1364;

/** Transports are hints for the browser; keep the spec's tokens and drop anything else. */
const TRANSPORTS: ReadonlySet<string> = new Set([
  'ble',
  'cable',
  'hybrid',
  'internal',
  'nfc',
  'smart-card',
  'usb',
]);

export function knownTransports(
  values: readonly string[] | undefined,
): AuthenticatorTransportFuture[] {
  return (values ?? []).filter((t): t is AuthenticatorTransportFuture => TRANSPORTS.has(t));
}

/** A stored credential as a descriptor for allowCredentials / excludeCredentials. */
export function descriptor(c: WebauthnCredentialRow): {
  id: string;
  transports: AuthenticatorTransportFuture[];
} {
  return { id: c.id, transports: knownTransports(c.transports) };
}

export function asLibraryCredential(c: WebauthnCredentialRow, counter: number): WebAuthnCredential {
  return {
    id: c.id,
    publicKey: new Uint8Array(c.publicKey),
    counter,
    transports: knownTransports(c.transports),
  };
}

/** The user handle we give authenticators: the user id's UTF-8 bytes (an opaque random UUID). */
export function userHandleFor(userId: string): Uint8Array_ {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}

export const registrationKey = (userId: string) => `registration:${userId}`;
export const secondFactorKey = (userId: string) => `authentication:user:${userId}`;
export const passwordlessKey = (handle: string) => `authentication:handle:${handle}`;
