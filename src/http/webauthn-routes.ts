import type { FastifyRequest, FastifySchema } from 'fastify';
import type { AuditDraft, AuditRecorder } from '../audit/index.js';
import type { People } from '../app/index.js';
import {
  CredentialAlreadyRegisteredError,
  NoWebauthnCredentialsError,
  readSessionCookie,
  WebauthnRegistrationError,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '../auth/index.js';
import { translateErrors } from './errors.js';
import type { RoutePermission } from './permissions.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/webauthn.js';
import { releaseAll, reserveAll } from './throttle-guard.js';
import {
  ApiError,
  requireSameOrigin,
  sessionGuard,
  sessionOf,
  setSessionCookies,
  type SessionRequirement,
  clientKey,
  reauthRequired,
} from './session-auth.js';

export interface WebauthnRouteOptions {
  people: People;
  audit: AuditRecorder;
  clock: () => Date;
  publicBaseUrl: string | undefined;
}

/** A credential id is at most 1023 bytes (WebAuthn §5.8.3): 1364 base64url characters. */
const MAX_CREDENTIAL_ID = 1364;

type WebauthnPermission = Extract<
  RoutePermission,
  'session:start' | 'session:pending' | 'session:active' | 'session:reauth'
>;

/**
 * Passkeys (WebAuthn) for people: registering one from a fresh, fully signed-in session; using
 * one as the second factor after the password; signing in with one alone (a discoverable
 * credential with user verification is two factors); listing and removing them. The relying
 * party (RP ID and the one accepted origin) is fixed at start-up from the public URL (People).
 * Refusals are generic and audited; the reason goes to the audit trail only.
 */
export async function webauthnRoutes(app: ApiApp, o: WebauthnRouteOptions): Promise<void> {
  // Bodies are built in one place (errors.ts); this plugin only names its typed errors.
  translateErrors(app, fromWebauthnError);
  const kit: WebauthnKit = { o, route: webauthnRoute(o), audit: requestAudit(o) };
  registrationRoutes(app, kit);
  secondFactorRoutes(app, kit);
  passwordlessRoutes(app, kit);
  credentialRoutes(app, kit);
}

/** What every group of passkey routes shares: the options, the route guard, the audit call. */
interface WebauthnKit {
  o: WebauthnRouteOptions;
  route: ReturnType<typeof webauthnRoute>;
  audit: ReturnType<typeof requestAudit>;
}

/** A route's declared permission and the guard that enforces it. */
function webauthnRoute(o: WebauthnRouteOptions) {
  const { users, sessions } = o.people;
  const guardOpts = { sessions, users, publicBaseUrl: o.publicBaseUrl };
  const need: Record<Exclude<WebauthnPermission, 'session:start'>, SessionRequirement> = {
    'session:pending': { mfa: 'pending', touch: true },
    'session:active': { mfa: 'satisfied', touch: true },
    'session:reauth': { mfa: 'satisfied', touch: true },
  };
  const guarded = (permission: WebauthnPermission) => {
    if (permission === 'session:start') {
      return {
        config: { permission },
        preHandler: async (req: FastifyRequest) => requireSameOrigin(req, o.publicBaseUrl),
      };
    }
    const guard = sessionGuard(guardOpts, need[permission]);
    if (permission !== 'session:reauth') return { config: { permission }, preHandler: guard };
    return {
      config: { permission },
      preHandler: async (req: FastifyRequest) => {
        await guard(req);
        if (sessions.needsReauth(sessionOf(req).session)) throw reauthRequired();
      },
    };
  };
  /** The guard, and the route's schemas (src/http/schemas/webauthn.ts, ADR 0020). */
  return <T extends FastifySchema>(permission: WebauthnPermission, schema: T) => ({
    ...guarded(permission),
    schema,
  });
}

/** Records a passkey event with the request's address, user agent and id. */
function requestAudit(o: WebauthnRouteOptions) {
  return async (req: FastifyRequest, draft: Omit<AuditDraft, 'ip' | 'userAgent'>) => {
    // Awaited: if the audit write fails, the request fails (fail closed).
    const full: AuditDraft = {
      ...draft,
      ip: req.ip,
      userAgent: req.headers['user-agent'],
      requestId: req.id,
    };
    await o.audit.append(full);
  };
}

/** Registration: a fully signed-in session, re-authenticated within 5 minutes. */
function registrationRoutes(app: ApiApp, { route, audit, o }: WebauthnKit): void {
  const { webauthn } = o.people;

  app.post('/api/webauthn/register/options', route('session:reauth', S.newOptions), async (req) => {
    const ctx = sessionOf(req);
    // The name the authenticator shows. Accounts carry ids only (no email) at this layer.
    return { options: await webauthn.registrationOptions(ctx.account.id, ctx.account.id) };
  });

  app.post('/api/webauthn/register/verify', route('session:reauth', S.add), async (req, reply) => {
    const ctx = sessionOf(req);
    const response = req.body.response as unknown as RegistrationResponseJSON;
    const base = { action: 'mfa-enroll', actorType: 'user', actorId: ctx.account.id } as const;
    try {
      const registered = await webauthn.verifyRegistration(ctx.account.id, response);
      await audit(req, {
        ...base,
        outcome: 'success',
        detail: { method: 'webauthn', userVerified: registered.userVerified },
      });
      reply.status(201);
      return { id: registered.credentialId, deviceType: registered.deviceType };
    } catch (e) {
      if (e instanceof WebauthnRegistrationError) {
        await audit(req, {
          ...base,
          outcome: 'failure',
          reason: e.reason,
          detail: { method: 'webauthn' },
        });
      } else if (e instanceof CredentialAlreadyRegisteredError) {
        await audit(req, {
          ...base,
          outcome: 'failure',
          reason: 'already-registered',
          detail: { method: 'webauthn' },
        });
      }
      throw e;
    }
  });
}

/** Second factor after the password step. */
function secondFactorRoutes(app: ApiApp, { route, audit, o }: WebauthnKit): void {
  const { users, sessions, webauthn } = o.people;

  app.post('/api/login/webauthn/options', route('session:pending', S.mfaOptions), async (req) => {
    const { options } = await webauthn.authenticationOptions(sessionOf(req).account.id);
    return { options };
  });

  app.post('/api/login/webauthn/verify', route('session:pending', S.mfa), async (req, reply) => {
    const ctx = sessionOf(req);
    const response = req.body.response as unknown as AuthenticationResponseJSON;
    const base = { action: 'login-webauthn', actorType: 'user', actorId: ctx.account.id } as const;
    // The assertion is a guess at the account's second factor: counted on the account lock
    // before it is verified, like a TOTP code (issue 13).
    const reserved = await users.reserveSecondFactor(ctx.account.id);
    const result = reserved
      ? await webauthn.verifyAuthentication(response, { userId: ctx.account.id })
      : undefined;
    if (result?.ok) await users.secondFactorSucceeded(ctx.account.id);
    else if (reserved) await users.secondFactorFailed(ctx.account.id, reserved);
    const reason = !result
      ? 'locked'
      : !result.ok
        ? result.reason
        : (await o.people.signInAccount(ctx.account.id))
          ? undefined
          : 'account-unavailable';
    if (reason !== undefined) {
      await audit(req, { ...base, outcome: 'failure', reason, detail: { mode: 'second-factor' } });
      throw passkeyRefused();
    }
    await audit(req, { ...base, outcome: 'success', detail: { mode: 'second-factor' } });
    // Second factor verified: record it and rotate the id (privilege change).
    const rotated = (await sessions.markMfa(ctx.id)) && (await sessions.rotate(ctx.id));
    if (!rotated) throw new ApiError(401, 'session-required', 'sign in first');
    setSessionCookies(reply, rotated);
    return { mfa: true };
  });
}

/** Passwordless: a discoverable credential with user verification, no session yet. */
function passwordlessRoutes(app: ApiApp, { route, audit, o }: WebauthnKit): void {
  const { sessions, throttle, webauthn } = o.people;

  app.post('/api/login/passkey/options', route('session:start', S.signInOptions), async () => {
    const { options, handle } = await webauthn.authenticationOptions();
    return { options, handle };
  });

  app.post('/api/login/passkey/verify', route('session:start', S.signIn), async (req, reply) => {
    const handle = req.body.handle;
    const response = req.body.response as unknown as AuthenticationResponseJSON;
    const key = clientKey(req);
    // Counted before the assertion is verified (issue 13); given back when it passes.
    const grants = await reserveAll(throttle, key ? [key] : [], o.clock(), reply);
    const result = await webauthn.verifyAuthentication(response, { handle });
    const account =
      result.ok && result.userVerified ? await o.people.signInAccount(result.userId) : undefined;
    if (!result.ok || !account) {
      await audit(req, {
        action: 'login-webauthn',
        outcome: 'failure',
        actorType: result.ok ? 'user' : 'anonymous',
        actorId: result.ok ? result.userId : null,
        reason: result.ok
          ? result.userVerified
            ? 'account-unavailable'
            : 'no-user-verification'
          : result.reason,
        detail: { mode: 'passwordless' },
      });
      throw passkeyRefused();
    }
    await releaseAll(throttle, grants, o.clock());
    await audit(req, {
      action: 'login-webauthn',
      outcome: 'success',
      actorType: 'user',
      actorId: account.id,
      detail: { mode: 'passwordless' },
    });
    // A session presented with the sign-in is replaced, never upgraded (session fixation).
    await sessions.end(readSessionCookie(req.headers.cookie));
    const started = await sessions.start({
      userId: account.id,
      ip: req.ip,
      userAgent: req.headers['user-agent'],
      mfaSatisfied: true,
    });
    setSessionCookies(reply, started);
    return { mfa: true };
  });
}

/** The account's passkeys. */
function credentialRoutes(app: ApiApp, { route, audit, o }: WebauthnKit): void {
  const { webauthn } = o.people;

  app.get('/api/webauthn/credentials', route('session:active', S.list), async (req) => {
    const list = await webauthn.listCredentials(sessionOf(req).account.id);
    return {
      credentials: list.map((c) => ({
        id: c.id,
        createdAt: c.createdAt,
        lastUsedAt: c.lastUsedAt,
        transports: c.transports,
      })),
    };
  });

  app.delete(
    '/api/webauthn/credentials/:id',
    route('session:reauth', S.remove),
    async (req, reply) => {
      const ctx = sessionOf(req);
      const id = req.params.id;
      if (id.length === 0 || id.length > MAX_CREDENTIAL_ID || !/^[A-Za-z0-9_-]+$/.test(id)) {
        throw notFound();
      }
      if (!(await webauthn.removeCredential(ctx.account.id, id))) throw notFound();
      await audit(req, {
        action: 'mfa-remove',
        outcome: 'success',
        actorType: 'user',
        actorId: ctx.account.id,
        detail: { method: 'webauthn' },
      });
      return reply.status(204).send();
    },
  );
}

function passkeyRefused(): ApiError {
  return new ApiError(401, 'invalid-credentials', 'the passkey was not accepted');
}

function notFound(): ApiError {
  return new ApiError(404, 'not-found', 'no such passkey');
}

/** WebAuthn's typed errors as API answers; messages are fixed texts (no ids, no challenges). */
function fromWebauthnError(error: unknown): ApiError | undefined {
  if (error instanceof WebauthnRegistrationError) {
    return new ApiError(400, 'webauthn-refused', 'the passkey could not be registered');
  }
  if (error instanceof CredentialAlreadyRegisteredError) {
    return new ApiError(409, 'webauthn-exists', error.message);
  }
  if (error instanceof NoWebauthnCredentialsError) {
    return new ApiError(409, 'webauthn-not-enrolled', 'no passkey is registered for this account');
  }
  return undefined;
}
