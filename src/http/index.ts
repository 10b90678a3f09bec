export { buildApp } from './build-app.js';
export type { AppOptions } from './build-app.js';
export { startServer } from './start-server.js';
export type { RunningServer } from './start-server.js';
export { declaredRoutes, ROUTE_SCOPES } from './permissions.js';
export type { RoutePermission, ScopeRequirement } from './permissions.js';
export { ensureDevCertificate } from './tls/index.js';
