export { parseScope, parseScopes, scopesAllow, ScopeSyntaxError } from './scopes.js';
export type { Scope, ScopeContext, Interaction } from './scopes.js';
export type { Principal, RequestContext } from './principal.js';
export { createApiClient, authenticateClientToken, hashToken } from './api-clients.js';
export type { ClientStore } from './api-clients.js';
