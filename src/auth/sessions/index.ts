export { SessionManager } from './session-manager.js';
export type {
  Clock,
  Session,
  SessionManagerOptions,
  StartedSession,
  SessionDescription,
} from './session-manager.js';
export type { SessionLimits } from './session-options.js';
export { MAX_DEFAULT_IDLE_MINUTES } from './session-options.js';
export type { SessionRecord, SessionStore, SessionFieldUpdate } from './session-store.js';
export { DatabaseSessionStore } from './database-session-store.js';
export type { SessionRows } from './database-session-store.js';
export { RedisSessionStore } from './redis-session-store.js';
export {
  SESSION_COOKIE,
  CSRF_COOKIE,
  sessionCookie,
  csrfCookie,
  clearedSessionCookie,
  clearedCsrfCookie,
  readSessionCookie,
} from './session-cookie.js';
export { SessionConfigError } from './errors.js';
