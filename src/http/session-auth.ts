import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  clearedCsrfCookie,
  clearedSessionCookie,
  ipKey,
  readSessionCookie,
  type Account,
  type Session,
  type SessionManager,
  type StartedSession,
  type UserService,
} from '../auth/index.js';
import { publicOrigin } from './url.js';

/**
 * A refusal of the session API, answered as `{ error: { code, message, requestId } }` by the
 * plugin's error handler. Messages are fixed texts: never an email, a password or a code.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a session-authenticated request carries once its preHandler has passed. */
export interface SessionContext {
  /** The presented session id: only ever in the cookie and in this request's memory. */
  id: string;
  session: Session;
  account: Account;
}

declare module 'fastify' {
  interface FastifyRequest {
    sessionContext?: SessionContext;
  }
}

/**
 * Refuses a cross-site request. A browser always sends Origin on a cross-origin POST; when it is
 * present it must be Haven's own origin (the configured public URL, else https://<Host>). Fetch
 * metadata (Sec-Fetch-Site) is checked too where the browser sends it.
 */
export function requireSameOrigin(request: FastifyRequest, publicBaseUrl: string | undefined) {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    throw new ApiError(403, 'cross-site', 'cross-site requests are refused');
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const own = new URL(publicOrigin(request, publicBaseUrl)).origin;
  if (origin !== own) throw new ApiError(403, 'cross-site', 'cross-site requests are refused');
}

export interface SessionGuardOptions {
  sessions: SessionManager;
  users: UserService;
  publicBaseUrl: string | undefined;
}

export type SessionRequirement = {
  /** 'pending': the password step is enough; 'satisfied': the second factor is required too. */
  mfa: 'pending' | 'satisfied';
  /** Record activity (false for polling endpoints such as GET /api/session). */
  touch: boolean;
};

/**
 * preHandler for session-cookie routes: a live session of an active user, MFA as required and,
 * for every state-changing method, a same-origin request whose X-CSRF-Token matches the session.
 */
export function sessionGuard(o: SessionGuardOptions, need: SessionRequirement) {
  return async (request: FastifyRequest): Promise<void> => {
    const stateChanging = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
    if (stateChanging) requireSameOrigin(request, o.publicBaseUrl);
    const id = readSessionCookie(request.headers.cookie);
    const session = id ? await o.sessions.resolve(id, { touch: need.touch }) : undefined;
    if (!id || !session) throw new ApiError(401, 'session-required', 'sign in first');
    // A refusal from here on (CSRF, disabled account) is recorded against this person.
    request.sessionUserId = session.userId;
    if (stateChanging && !o.sessions.checkCsrf(session, csrfHeader(request))) {
      throw new ApiError(403, 'csrf', 'the CSRF token is missing or does not match the session');
    }
    const account = await o.users.account(session.userId);
    if (!account) {
      // Disabled meanwhile: the session must not outlive the account.
      await o.sessions.end(id);
      throw new ApiError(401, 'session-required', 'sign in first');
    }
    if (need.mfa === 'satisfied' && session.mfaAt === undefined) {
      throw new ApiError(403, 'mfa-required', 'complete the second factor first');
    }
    request.sessionContext = { id, session, account };
  };
}

export function sessionOf(request: FastifyRequest): SessionContext {
  const ctx = request.sessionContext;
  if (!ctx) throw new ApiError(401, 'session-required', 'sign in first');
  return ctx;
}

function csrfHeader(request: FastifyRequest): string | undefined {
  const h = request.headers['x-csrf-token'];
  return typeof h === 'string' ? h : undefined;
}

export function setSessionCookies(reply: FastifyReply, started: StartedSession): void {
  reply.header('set-cookie', [started.cookie, started.csrfCookie]);
}

export function clearSessionCookies(reply: FastifyReply): void {
  reply.header('set-cookie', [clearedSessionCookie(), clearedCsrfCookie()]);
}

export function reauthRequired(): ApiError {
  return new ApiError(401, 'reauth-required', 'confirm who you are again first');
}

/** The per-address throttle key of a request, or undefined when its address cannot be keyed. */
export function clientKey(req: FastifyRequest): string | undefined {
  try {
    return ipKey(req.ip);
  } catch {
    return undefined;
  }
}
