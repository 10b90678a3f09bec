export { buildApp } from './build-app.js';
export type { AppOptions } from './build-app.js';
export { startServer } from './start-server.js';
export type { RunningServer } from './start-server.js';
export { declaredRoutes } from './permissions.js';
export type { RoutePermission } from './permissions.js';
export { ensureDevCertificate } from './tls/index.js';
