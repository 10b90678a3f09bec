export { parseScope, parseScopes, scopesAllow, ScopeSyntaxError } from './scopes.js';
export type { Scope, ScopeContext, Interaction } from './scopes.js';
export type { AccessPolicyOptions, Principal, RequestContext } from './principal.js';
export {
  createApiClient,
  createAppToken,
  authenticateClientToken,
  resolveAppToken,
  hashToken,
} from './api-clients.js';
export type { AppTokenStore, ClientStore } from './api-clients.js';
// People: users and second factors, server-side sessions, login throttling.
export {
  UserService,
  ARGON2_HASHER,
  SYSTEM_ACTOR,
  USER_ROLES,
  parseRoles,
  normalizeEmail,
  emailIndexTerm,
  UserError,
  InvalidCredentialsError,
  PasswordPolicyError,
  InvalidEnrollmentTokenError,
  UserDisabledError,
  TotpStateError,
} from './users/index.js';
export type { Account, Actor, UserEventDraft, UserListEntry, UserRole } from './users/index.js';
export {
  SessionManager,
  DatabaseSessionStore,
  RedisSessionStore,
  SessionConfigError,
  SESSION_COOKIE,
  CSRF_COOKIE,
  readSessionCookie,
  clearedSessionCookie,
  clearedCsrfCookie,
} from './sessions/index.js';
export type {
  Session,
  SessionStore,
  StartedSession,
  SessionDescription,
} from './sessions/index.js';
export { LoginThrottle, RedisThrottleStore, accountKey, ipKey } from './throttle/index.js';
export type { ThrottleGrant } from './throttle/index.js';
export {
  WebauthnService,
  CredentialAlreadyRegisteredError,
  NoWebauthnCredentialsError,
  WebauthnRegistrationError,
  MemoryChallengeStore,
  RedisChallengeStore,
  relyingPartyFromPublicUrl,
} from './webauthn/index.js';
export { commonPasswordSet } from './password/index.js';
export type { AuthenticationResponseJSON, RegistrationResponseJSON } from './webauthn/index.js';
// The demo clinic (src/app/demo-clinic) confirms its people's TOTP enrollment with a current code.
export { totpCodeAt } from './totp/index.js';
// SMART App Launch (ADR 0035).
export * from './smart/index.js';
