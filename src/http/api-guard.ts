import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import { decideApiAccess, type AccessPolicyOptions, type ApiAction } from '../access/index.js';
import type { People } from '../app/index.js';
import type { AuditDraft, AuditRecorder } from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';
import { translateErrors, type ErrorTranslation } from './errors.js';
import type { RoutePermission } from './permissions.js';
import { userPrincipal } from './request-context.js';
import { ApiError, reauthRequired, sessionGuard, sessionOf } from './session-auth.js';

/** What every /api plugin beyond one's own session needs. */
export interface ApiGuardOptions {
  people: People;
  audit: AuditRecorder;
  publicBaseUrl: string | undefined;
  policy: AccessPolicyOptions;
}

/**
 * The shared plumbing of the /api plugins that act beyond one's own session (break-glass, app
 * tokens, user admin): a route's declared permission and its check come from one place. An
 * `api:` permission asks decideApiAccess (the same role table as the FHIR API) and records a
 * refusal before answering 403; `reauth` asks for a re-authentication within 5 minutes; `schema`
 * (src/http/schemas/) validates, shapes and documents the route (ADR 0020).
 * Refusals are `{ error: { code, message, requestId } }` (errors.ts); `translate` names the
 * plugin's own typed errors.
 */
export function apiGuard(app: FastifyInstance, o: ApiGuardOptions, translate: ErrorTranslation) {
  const { sessions, users } = o.people;
  const guard = sessionGuard(
    { sessions, users, publicBaseUrl: o.publicBaseUrl },
    { mfa: 'satisfied', touch: true },
  );
  const contextOf = (req: FastifyRequest): RequestContext => {
    const s = sessionOf(req);
    return {
      principal: userPrincipal(s.account, s.session.mfaAt),
      requestId: req.id,
      ip: req.ip,
      userAgent: req.headers['user-agent'],
      policy: o.policy,
    };
  };
  const audit = (
    ctx: RequestContext,
    d: Pick<AuditDraft, 'action' | 'detail'>,
    outcome: AuditDraft['outcome'],
  ) => o.audit.record(ctx, { ...d, outcome });
  const route = <T extends FastifySchema>(
    permission: Extract<RoutePermission, 'session:active' | `api:${string}`>,
    schema: T,
    opts: { reauth?: boolean } = {},
  ) => ({
    config: { permission },
    schema,
    preHandler: async (req: FastifyRequest) => {
      await guard(req);
      if (permission.startsWith('api:')) {
        const action = permission.slice('api:'.length) as ApiAction;
        const ctx = contextOf(req);
        const decision = decideApiAccess(ctx.principal, action, undefined, o.policy);
        if (!decision.allowed) {
          await audit(
            ctx,
            { action: 'api-denied', detail: { route: action, reason: decision.reason } },
            'denied',
          );
          throw new ApiError(403, 'forbidden', 'your role does not allow this');
        }
      }
      if (opts.reauth && sessions.needsReauth(sessionOf(req).session)) throw reauthRequired();
    },
  });

  translateErrors(app, translate);

  return { route, contextOf, audit };
}
