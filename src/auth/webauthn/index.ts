// Public surface of WebAuthn / passkeys (SPEC safeguard 2). Other folders import from here only.
export { WebauthnService } from './webauthn-service.js';
export type { WebauthnServiceOptions, CredentialSummary } from './webauthn-service.js';
export type {
  AuthenticationChallenge,
  AuthenticationTarget,
  AuthenticationResult,
  AuthenticationRefusal,
} from './authentication.js';
export type { RegisteredCredential } from './registration.js';
export { MemoryChallengeStore, CHALLENGE_TTL_MS } from './challenge-store.js';
export type { ChallengeStore, PendingChallenge } from './challenge-store.js';
export { RedisChallengeStore } from './redis-challenge-store.js';
export { relyingPartyFromPublicUrl, checkRelyingParty } from './relying-party.js';
export type { RelyingParty } from './relying-party.js';
export {
  WebauthnError,
  WebauthnConfigError,
  WebauthnRegistrationError,
  CredentialAlreadyRegisteredError,
  NoWebauthnCredentialsError,
} from './errors.js';
export type { RegistrationRefusal } from './errors.js';
// The JSON shapes exchanged with the browser, for route schemas.
export type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  AuthenticationResponseJSON,
} from '@simplewebauthn/server';
