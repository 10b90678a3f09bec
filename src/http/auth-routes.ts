import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { AuditDraft, AuditRecorder } from '../audit/index.js';
import type { People } from '../app/index.js';
import {
  accountKey,
  PasswordPolicyError,
  readSessionCookie,
  UserError,
  type StartedSession,
} from '../auth/index.js';
import { translateErrors } from './errors.js';
import type { RoutePermission } from './permissions.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/auth.js';
import { releaseAll, reserveAll } from './throttle-guard.js';
import {
  ApiError,
  clearSessionCookies,
  requireSameOrigin,
  sessionGuard,
  sessionOf,
  setSessionCookies,
  type SessionRequirement,
  clientKey,
  reauthRequired,
} from './session-auth.js';

export interface AuthRouteOptions {
  people: People;
  audit: AuditRecorder;
  clock: () => Date;
  /** Blind-index token of an email (undefined when it is not an address). */
  emailIndex: (email: string) => Buffer | undefined;
  publicBaseUrl: string | undefined;
}

/**
 * Sign-in for people: enrollment, password, second factor, session, logout, password change and
 * re-authentication. Sessions live in `__Host-` cookies; every state-changing request with a
 * session must be same-origin and carry its X-CSRF-Token. On the FHIR API a session becomes
 * the same principal as a bearer token (src/http/request-context.ts), behind the MFA gate.
 */
export async function authRoutes(app: ApiApp, o: AuthRouteOptions): Promise<void> {
  // Bodies are built in one place (errors.ts); this plugin only names its typed errors.
  translateErrors(app, fromUserError);
  const route = sessionRoute(o);
  signInRoutes(app, o, route);
  secondFactorRoutes(app, o, route);
  sessionRoutes(app, o, route);
  ownSessionRoutes(app, o, route);
}

type SessionRoute = ReturnType<typeof sessionRoute>;

/** The declared permission and its enforcement come from one place, so they cannot diverge. */
function sessionRoute(o: AuthRouteOptions) {
  const { users, sessions } = o.people;
  const guardOpts = { sessions, users, publicBaseUrl: o.publicBaseUrl };
  const need: Record<Exclude<SessionPermission, 'session:start'>, SessionRequirement> = {
    'session:pending': { mfa: 'pending', touch: true },
    'session:active': { mfa: 'satisfied', touch: true },
    'session:read': { mfa: 'pending', touch: false },
  };
  /**
   * The route's schemas (src/http/schemas/auth.ts) validate, shape and document it (ADR 0020).
   */
  return <T extends FastifySchema>(permission: SessionPermission, schema: T) =>
    permission === 'session:start'
      ? {
          config: { permission },
          schema,
          preHandler: async (req: FastifyRequest) => requireSameOrigin(req, o.publicBaseUrl),
        }
      : { config: { permission }, schema, preHandler: sessionGuard(guardOpts, need[permission]) };
}

/** Before any session: enrollment, a password reset link, and the password step of sign-in. */
function signInRoutes(app: ApiApp, o: AuthRouteOptions, route: SessionRoute): void {
  const { users, sessions, throttle } = o.people;

  app.post('/api/enroll', route('session:start', S.enroll), async (req, reply) => {
    const body = req.body;
    await users.enroll(body.token, body.password);
    return reply.status(204).send();
  });

  /** A new password from a reset link (issued by an operator or admin); ends every session. */
  app.post('/api/password/reset', route('session:start', S.reset), async (req, reply) => {
    const body = req.body;
    await users.resetPassword(body.token, body.password);
    return reply.status(204).send();
  });

  app.post('/api/login', route('session:start', S.login), async (req, reply) => {
    const body = req.body;
    const index = o.emailIndex(body.email);
    const keys = [index && accountKey(index), clientKey(req)].filter(
      (k): k is string => k !== undefined,
    );
    // Each key counts this attempt before the password is checked; a refused key gives the
    // others back. So parallel guesses get no further than the limit (issue 13).
    const grants = await reserveAll(throttle, keys, o.clock(), reply);
    const result = await users.verifyPassword(body.email, body.password, { recordSuccess: false });
    if (!result.ok) throw invalidCredentials();
    // The password was right; the entry records whether the sign-in as a whole succeeded.
    const userId = result.user.id;
    let started: StartedSession | undefined;
    try {
      if (index) await throttle.succeed(accountKey(index));
      await releaseAll(
        throttle,
        grants.filter(([k]) => !k.startsWith('account:')),
        o.clock(),
      );
      // A session presented with the login is replaced, never upgraded (session fixation).
      await sessions.end(readSessionCookie(req.headers.cookie));
      started = await sessions.start({
        userId,
        ip: req.ip,
        userAgent: req.headers['user-agent'],
        mfaSatisfied: false,
      });
      await users.recordPasswordStep(userId, { outcome: 'success', rehashed: result.rehashed });
    } catch (err) {
      // No cookie has been sent: a session started here must not outlive the failed sign-in.
      if (started) await sessions.end(started.sessionId).catch(() => false);
      await users
        .recordPasswordStep(userId, { outcome: 'failure', reason: 'server-error' })
        .catch(() => undefined);
      throw err;
    }
    setSessionCookies(reply, started);
    return { mfaRequired: true, mfaEnrolled: result.user.totpConfirmed };
  });
}

/** The second factor after the password step: TOTP, a recovery code, TOTP enrollment. */
function secondFactorRoutes(app: ApiApp, o: AuthRouteOptions, route: SessionRoute): void {
  const { users, sessions } = o.people;

  const secondFactor = (verify: (userId: string, code: string) => Promise<{ ok: boolean }>) =>
    async function (req: FastifyRequest, reply: FastifyReply) {
      const { code } = req.body as { code: string }; // validated by S.totp
      const ctx = sessionOf(req);
      const result = await verify(ctx.account.id, code);
      if (!result.ok) throw new ApiError(401, 'invalid-code', 'the code is not valid');
      await upgrade(ctx.id, reply);
      return { mfa: true };
    };

  /** Second factor verified: record it and rotate the id (privilege change). */
  const upgrade = async (sessionId: string, reply: FastifyReply) => {
    const rotated = (await sessions.markMfa(sessionId)) && (await sessions.rotate(sessionId));
    if (!rotated) throw new ApiError(401, 'session-required', 'sign in first');
    setSessionCookies(reply, rotated);
  };

  app.post(
    '/api/login/totp',
    route('session:pending', S.totp),
    secondFactor((id, code) => users.verifyTotp(id, code)),
  );
  app.post('/api/login/recovery', route('session:pending', S.recovery), async (req, reply) => {
    const { code } = req.body;
    const ctx = sessionOf(req);
    const result = await users.useRecoveryCode(ctx.account.id, code);
    if (!result.ok) throw new ApiError(401, 'invalid-code', 'the code is not valid');
    await upgrade(ctx.id, reply);
    return { mfa: true, remainingRecoveryCodes: result.remainingRecoveryCodes ?? 0 };
  });

  app.post('/api/mfa/totp/setup', route('session:pending', S.totpSetup), async (req) => {
    const ctx = sessionOf(req);
    // Changing an active second factor is sensitive: a fresh, fully signed-in session only.
    if (
      ctx.account.totpConfirmed &&
      (ctx.session.mfaAt === undefined || sessions.needsReauth(ctx.session))
    ) {
      throw reauthRequired();
    }
    const enrollment = await users.beginTotpEnrollment(ctx.account.id);
    // The secret is in the URI anyway; given separately for people who type it in.
    return {
      otpauthUri: enrollment.otpauthUri,
      qrSvg: enrollment.qrSvg,
      secret: enrollment.secret,
    };
  });

  app.post('/api/mfa/totp/confirm', route('session:pending', S.confirm), async (req, reply) => {
    const { code } = req.body;
    const ctx = sessionOf(req);
    const result = await users.confirmTotp(ctx.account.id, code);
    if (!result.ok) throw new ApiError(401, 'invalid-code', 'the code is not valid');
    await upgrade(ctx.id, reply);
    return { recoveryCodes: result.recoveryCodes };
  });
}

/** A signed-in session: logout, what the session is, password change, re-authentication. */
function sessionRoutes(app: ApiApp, o: AuthRouteOptions, route: SessionRoute): void {
  const { users, sessions } = o.people;

  app.post('/api/logout', route('session:pending', S.logout), async (req, reply) => {
    const ctx = sessionOf(req);
    const ended = await sessions.end(ctx.id);
    if (ended) {
      await o.audit.append(sessionEnded(req, ctx.account.id));
    }
    clearSessionCookies(reply);
    return reply.status(204).send();
  });

  app.get('/api/session', route('session:read', S.session), async (req) => {
    const ctx = sessionOf(req);
    // The person's own Practitioner link: the web app names it as a note's author and signer.
    const { practitionerId } = ctx.account;
    return {
      ...sessions.describe(ctx.session),
      roles: ctx.account.roles,
      ...(practitionerId !== null && { practitionerId }),
    };
  });

  app.post('/api/password', route('session:active', S.password), async (req, reply) => {
    const body = req.body;
    const ctx = sessionOf(req);
    if (sessions.needsReauth(ctx.session)) throw reauthRequired();
    // Revokes every session of the user, this one included: they sign in again.
    await users.changePassword(ctx.account.id, body.current, body.next);
    clearSessionCookies(reply);
    return reply.status(204).send();
  });

  /** Re-authentication for sensitive actions: the password ({ password }) or a code ({ code }). */
  app.post('/api/reauth', route('session:active', S.reauth), async (req, reply) => {
    const body = req.body;
    const ctx = sessionOf(req);
    if ('password' in body) {
      const result = await users.reauthenticate(ctx.account.id, body.password);
      if (!result.ok) throw new ApiError(401, 'invalid-credentials', 'the password is not valid');
    } else {
      const result = await users.verifyTotp(ctx.account.id, body.code);
      if (!result.ok) throw new ApiError(401, 'invalid-code', 'the code is not valid');
    }
    if (!(await sessions.markReauth(ctx.id))) {
      throw new ApiError(401, 'session-required', 'sign in first');
    }
    return reply.status(204).send();
  });
}

/** "Your sessions": keep this one alive, see them all, end one of the others. */
function ownSessionRoutes(app: ApiApp, o: AuthRouteOptions, route: SessionRoute): void {
  const { sessions } = o.people;

  // The guard (touch: true) records the activity; the route itself has nothing more to do.
  app.post('/api/session/touch', route('session:pending', S.touch), async (_req, reply) =>
    reply.status(204).send(),
  );

  app.get('/api/sessions', route('session:active', S.sessions), async (req) => {
    const ctx = sessionOf(req);
    const mine = await sessions.listForUser(ctx.account.id);
    return {
      sessions: mine.map((s) => ({
        id: sessions.handleOf(s),
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        ip: s.ip ?? null,
        userAgent: s.userAgent ?? null,
        current: s.idHash.equals(ctx.session.idHash),
      })),
    };
  });

  app.post(
    '/api/sessions/:handle/end',
    route('session:active', S.endSession),
    async (req, reply) => {
      const ctx = sessionOf(req);
      const ended = await sessions.endByHandle(ctx.account.id, req.params.handle);
      // Unknown, another person's, or ended meanwhile: one answer (the refusal is audited).
      if (!ended) throw new ApiError(404, 'not-found', 'no such session');
      await o.audit.append(
        sessionEnded(req, ctx.account.id, {
          ended: ended.idHash.equals(ctx.session.idHash) ? 'this-session' : 'other-session',
        }),
      );
      return reply.status(204).send();
    },
  );
}

/** The session permissions this plugin serves ('session:reauth' is webauthn-routes.ts's). */
export type SessionPermission = Exclude<
  Extract<RoutePermission, `session:${string}`>,
  'session:reauth'
>;

function invalidCredentials(): ApiError {
  return new ApiError(401, 'invalid-credentials', 'the email address or password is not correct');
}

/** User-management errors as API answers. Their messages are fixed texts (no emails, no secrets). */
function fromUserError(error: unknown): ApiError | undefined {
  if (!(error instanceof UserError)) return undefined;
  switch (error.code) {
    case 'enrollment-token-invalid':
      return new ApiError(400, 'enrollment-token-invalid', error.message);
    case 'password-policy':
      return new ApiError(400, 'password-policy', 'the password was refused', {
        reasons: error instanceof PasswordPolicyError ? [...error.reasons] : [],
      });
    case 'credentials-invalid':
      return new ApiError(401, 'invalid-credentials', 'the current password is not correct');
    case 'totp-state':
      return new ApiError(409, 'totp-state', error.message);
    case 'user-disabled':
    case 'user-unknown':
      return new ApiError(401, 'session-required', 'sign in first');
    default:
      return undefined;
  }
}

/** A session ended by its person (logout, or one of their sessions ended by handle). */
function sessionEnded(
  req: FastifyRequest,
  userId: string,
  detail?: AuditDraft['detail'],
): AuditDraft {
  return {
    action: 'logout',
    outcome: 'success',
    actorType: 'user',
    actorId: userId,
    ip: req.ip,
    userAgent: req.headers['user-agent'],
    requestId: req.id,
    ...(detail ? { detail } : {}),
  };
}
