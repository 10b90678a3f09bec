// SMART App Launch 2.x (ADR 0035): registered apps, authorization code with PKCE, tokens.
export type {
  SmartStore,
  SmartClientRecord,
  SmartGrantRecord,
  SmartTokenRecord,
  NewSmartGrant,
  GrantDecision,
} from './store.js';
export { OAuthError } from './errors.js';
export { registerSmartClient, authenticateClient, SmartClientError } from './clients.js';
export type { SmartClientRegistration } from './clients.js';
export {
  startAuthorization,
  describeAuthorization,
  decideAuthorization,
  issueLaunch,
  AuthorizationGoneError,
} from './authorize.js';
export type { AuthorizeParams, AuthorizeOutcome, Decider } from './authorize.js';
export {
  exchangeCode,
  refreshTokens,
  resolveAccessToken,
  introspectToken,
  revokeToken,
  ReusedRefreshToken,
} from './tokens.js';
export type { TokenResponse, SmartAccess, IdTokenSigner, TokenContext } from './tokens.js';
export { createIdTokenSigner } from './id-token.js';
export { SMART_LIFETIMES } from './lifetimes.js';
export { SPECIAL_SCOPES, readScopes, describeScopes, formatScopes } from './requested-scopes.js';
