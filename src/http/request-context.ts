import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_ACCESS_POLICY, type AccessPolicyOptions } from '../access/index.js';
import {
  authenticateClientToken,
  readSessionCookie,
  resolveAccessToken,
  resolveAppToken,
  type Account,
  type SmartStore,
  type ClientStore,
  type Principal,
  type RequestContext,
  type SessionManager,
  type UserService,
} from '../auth/index.js';
import type { AuditRecorder } from '../audit/index.js';
import { FhirError } from '../records/index.js';
import { ApiError, sessionGuard } from './session-auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    accessPolicy?: AccessPolicyOptions;
  }
}

/** What the authenticate preHandler needs; the FHIR and audit route options extend it. */
export interface AuthenticateOptions {
  clients: ClientStore;
  /** Where a rejected bearer token is recorded (durably, before the 401 leaves). */
  audit: AuditRecorder;
  /** Public base URL (https://host:port) for the same-origin check; else from the Host header. */
  publicBaseUrl: string | undefined;
  /** Sessions and users for people signed in with a cookie; without them, bearer tokens only. */
  people?: { sessions: SessionManager; users: UserService } | undefined;
  /** Whether a patient-only user needs the second factor before PHI (default 'required'). */
  patientMfa?: AccessPolicyOptions['patientMfa'] | undefined;
  /** SMART apps' access tokens (ADR 0035); without it, only API clients and app tokens. */
  smart?: { store: SmartStore; clock: () => Date } | undefined;
}

/**
 * preHandler for every PHI route: resolves the caller to one principal, however they signed in.
 * An `Authorization: Bearer` token is an API client (a presented but invalid or revoked token is
 * an audited failure, never the token itself); otherwise a `__Host-haven_session` cookie is a
 * person, through the same guard as the session API (idle and absolute limits, disabled
 * accounts, and for state-changing methods same-origin plus X-CSRF-Token). Neither: 401.
 * Whether the principal may do what it asks is decided later, by decideFhirAccess.
 */
export function authenticate(o: AuthenticateOptions) {
  const policy: AccessPolicyOptions = {
    patientMfa: o.patientMfa ?? DEFAULT_ACCESS_POLICY.patientMfa,
  };
  const guard = o.people
    ? sessionGuard(
        { sessions: o.people.sessions, users: o.people.users, publicBaseUrl: o.publicBaseUrl },
        // MFA is the access decision's to refuse (audited there), so the password step suffices
        // here; a PHI request is activity and keeps the session alive.
        { mfa: 'pending', touch: true },
      )
    : undefined;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    request.accessPolicy = policy;
    const header = request.headers.authorization;
    if (header !== undefined || !guard || !readSessionCookie(request.headers.cookie)) {
      request.principal = await bearerPrincipal(o, request, reply, header);
      return;
    }
    try {
      await guard(request);
    } catch (err) {
      throw err instanceof ApiError ? fhirRefusal(err, reply) : err;
    }
    request.principal = userPrincipal(
      request.sessionContext!.account,
      request.sessionContext!.session.mfaAt,
    );
  };
}

/** The API-client path: a valid bearer token's principal, or an (audited) 401. */
async function bearerPrincipal(
  o: AuthenticateOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  header: string | undefined,
): Promise<Principal> {
  const m = header ? /^Bearer ([^\s]+)$/i.exec(header) : null;
  const principal = m
    ? ((await authenticateClientToken(o.clients, m[1]!)) ??
      (await appPrincipal(o, m[1]!)) ??
      (await smartPrincipal(o, m[1]!)))
    : undefined;
  if (principal) return principal;
  if (header) {
    await o.audit.append({
      action: 'token-rejected',
      outcome: 'failure',
      actorType: 'anonymous',
      actorId: null,
      ip: request.ip,
      userAgent: request.headers['user-agent'],
      requestId: request.id,
      detail: { route: request.routeOptions.url ?? 'unmatched' },
    });
  }
  reply.header('www-authenticate', 'Bearer realm="haven"');
  throw new FhirError(
    401,
    'login',
    header ? 'the bearer token is invalid or revoked' : 'a bearer token is required',
  );
}

/**
 * An app token's principal: the person it acts for, with the token's SMART scopes, so the role
 * and the scopes both decide. The token was made from a session with both factors and a recent
 * re-authentication, which is what `mfa` vouches for; it stops working when the person is
 * disabled or changes or resets their password.
 */
async function appPrincipal(o: AuthenticateOptions, token: string): Promise<Principal | undefined> {
  if (!o.people) return undefined;
  const app = await resolveAppToken(o.clients, token);
  if (!app) return undefined;
  const account = await o.people.users.account(app.userId);
  if (!account) return undefined;
  if (account.passwordChangedAt !== null && app.createdAt < account.passwordChangedAt)
    return undefined;
  return {
    ...userPrincipal(account, new Date(app.createdAt)),
    label: 'app',
    scopes: app.scopes,
    appId: app.clientId,
  };
}

/**
 * A SMART app's access token: the person who approved it, with the token's scopes and patient
 * context, so the person's access policy and the scopes both decide. The approval was given from
 * a session with both factors (the consent API requires it). Refused when the token, its
 * approval or its app was revoked, when it expired, when the person is disabled, or when they
 * changed their password after it was issued.
 */
async function smartPrincipal(
  o: AuthenticateOptions,
  token: string,
): Promise<Principal | undefined> {
  if (!o.people || !o.smart) return undefined;
  const access = await resolveAccessToken(o.smart.store, token, o.smart.clock());
  // No resource scope would read as "no restriction" (appScopeReach): never for an app.
  if (!access || access.scopes.length === 0) return undefined;
  const account = await o.people.users.account(access.userId);
  if (!account) return undefined;
  if (account.passwordChangedAt !== null && access.createdAt < account.passwordChangedAt)
    return undefined;
  return {
    ...userPrincipal(account, new Date(access.createdAt)),
    label: 'smart-app',
    scopes: access.scopes,
    appId: access.clientId,
    ...(access.patientId !== undefined && { smartPatient: access.patientId }),
  };
}

/** A person's principal: who, roles, patient/practitioner link, and whether MFA is done. */
export function userPrincipal(account: Account, mfaAt: Date | undefined): Principal {
  return {
    kind: 'user',
    id: account.id,
    label: 'user',
    roles: account.roles,
    scopes: [],
    ...(account.patientId !== null && { patientId: account.patientId }),
    ...(account.practitionerId !== null && { practitionerId: account.practitionerId }),
    mfa: mfaAt != null,
  };
}

/** The session guard's refusals, as FHIR OperationOutcomes with the same status. */
function fhirRefusal(err: ApiError, reply: FastifyReply): FhirError {
  if (err.statusCode === 401) {
    reply.header('www-authenticate', 'Bearer realm="haven"');
    return new FhirError(401, 'login', 'the session has ended; sign in again');
  }
  if (err.code === 'csrf') {
    return new FhirError(
      403,
      'forbidden',
      'the CSRF token is missing or does not match the session',
    );
  }
  if (err.code === 'cross-site')
    return new FhirError(403, 'forbidden', 'cross-site requests are refused');
  return new FhirError(err.statusCode, 'forbidden', err.message);
}

export function contextOf(request: FastifyRequest): RequestContext {
  if (!request.principal) throw new FhirError(401, 'login', 'a bearer token is required');
  return {
    principal: request.principal,
    requestId: request.id,
    ip: request.ip,
    userAgent: request.headers['user-agent'],
    policy: request.accessPolicy ?? DEFAULT_ACCESS_POLICY,
  };
}
