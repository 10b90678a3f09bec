import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  BreakGlassError,
  decideApiAccess,
  type AccessPolicyOptions,
  type ApiAction,
  type BreakGlassService,
} from '../access/index.js';
import type { People } from '../app/index.js';
import type { AuditDraft } from '../audit/index.js';
import { createAppToken, ScopeSyntaxError, UserError, type RequestContext } from '../auth/index.js';
import type { BatchWriter, ClientRepository } from '../store/index.js';
import type { RoutePermission } from './permissions.js';
import { userPrincipal } from './request-context.js';
import { ApiError, reauthRequired, sessionGuard, sessionOf } from './session-auth.js';

export interface AccessRouteOptions {
  people: People;
  breakGlass: BreakGlassService;
  clients: ClientRepository;
  clock: () => Date;
  writer: BatchWriter<AuditDraft>;
  publicBaseUrl: string | undefined;
  policy: AccessPolicyOptions;
}

const FHIR_ID = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/);
const BreakGlassBody = z.object({
  patient: FHIR_ID,
  // A reason a reviewer can act on: long enough to say something, short enough to stay a reason.
  reason: z.string().trim().min(10).max(500),
});
const NewUserBody = z.object({
  email: z.string().min(3).max(320),
  roles: z.array(z.string().max(32)).min(1).max(7),
  patientId: FHIR_ID.optional(),
  practitionerId: FHIR_ID.optional(),
});
const AppTokenBody = z.object({
  name: z.string().regex(/^[\w .-]{1,64}$/),
  scopes: z.string().min(1).max(2000),
});
const IdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) });

/**
 * The /api actions that reach beyond one's own session: emergency access and user management.
 * Each route declares its permission; its guard asks decideApiAccess (the same role table as
 * the FHIR API) and records a refusal before answering 403.
 */
export async function accessRoutes(app: FastifyInstance, o: AccessRouteOptions): Promise<void> {
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
  /** The permission a route declares and the check it runs come from one place. */
  const route = (
    permission: Extract<RoutePermission, 'session:active' | `api:${string}`>,
    opts: { reauth?: boolean } = {},
  ) => ({
    config: { permission },
    preHandler: async (req: FastifyRequest) => {
      await guard(req);
      if (permission.startsWith('api:')) {
        const action = permission.slice('api:'.length) as ApiAction;
        const ctx = contextOf(req);
        const decision = decideApiAccess(ctx.principal, action, undefined, o.policy);
        if (!decision.allowed) {
          await audit(ctx, {
            action: 'api-denied',
            detail: { route: action, reason: decision.reason },
          });
          throw new ApiError(403, 'forbidden', 'your role does not allow this');
        }
      }
      if (opts.reauth && sessions.needsReauth(sessionOf(req).session)) throw reauthRequired();
    },
  });
  const record = (
    ctx: RequestContext,
    action: 'client-create' | 'client-revoke',
    detail: AuditDraft['detail'],
  ) => audit(ctx, { action, detail }, 'success');
  const audit = (
    ctx: RequestContext,
    d: Pick<AuditDraft, 'action' | 'detail'>,
    outcome: AuditDraft['outcome'] = 'denied',
  ) =>
    o.writer.submit({
      onSuccess: () => [
        {
          ...d,
          outcome,
          actorType: ctx.principal.kind,
          actorId: ctx.principal.id,
          ip: ctx.ip,
          userAgent: ctx.userAgent,
          requestId: ctx.requestId,
        },
      ],
      onFailure: () => [],
    });

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const api = error instanceof ApiError ? error : translate(error);
    if (!api) throw error;
    reply.status(api.statusCode);
    return reply.send({
      error: { code: api.code, message: api.message, requestId: request.id, ...api.extra },
    });
  });

  // --- Break-glass ---------------------------------------------------------------------------

  app.post(
    '/api/break-glass',
    route('api:break-glass:request', { reauth: true }),
    async (req, reply) => {
      const body = parse(BreakGlassBody, req.body);
      const grant = await o.breakGlass.request(contextOf(req), body.patient, body.reason);
      return reply.status(201).send({ grant });
    },
  );

  /** The banner data: one's own active grants (a reviewer sees everyone's, with reasons). */
  app.get('/api/break-glass', route('session:active'), async (req) => ({
    grants: await o.breakGlass.listActive(contextOf(req)),
  }));

  app.post<{ Params: { id: string } }>(
    '/api/break-glass/:id/end',
    route('session:active'),
    async (req, reply) => {
      const { id } = parse(IdParams, req.params);
      await o.breakGlass.end(contextOf(req), id);
      return reply.status(204).send();
    },
  );

  // --- App tokens: an app acting for the signed-in person (role and scopes both apply) -------

  app.post('/api/app-tokens', route('session:active', { reauth: true }), async (req, reply) => {
    const body = parse(AppTokenBody, req.body);
    const ctx = contextOf(req);
    const made = await createAppToken(
      o.clients,
      ctx.principal.id,
      body.name,
      body.scopes,
      o.clock(),
    );
    await record(ctx, 'client-create', { client: made.id, appToken: true });
    // The token is shown once; only its SHA-256 is kept.
    return reply.status(201).send({ id: made.id, token: made.token, scopes: body.scopes });
  });

  app.get('/api/app-tokens', route('session:active'), async (req) => ({
    tokens: (await o.clients.listForUser(contextOf(req).principal.id)).map((t) => ({
      id: t.id,
      name: t.name,
      scopes: t.scopes,
      createdAt: t.createdAt,
    })),
  }));

  app.post<{ Params: { id: string } }>(
    '/api/app-tokens/:id/revoke',
    route('session:active'),
    async (req, reply) => {
      const { id } = parse(IdParams, req.params);
      const ctx = contextOf(req);
      if (!(await o.clients.revokeForUser(id, ctx.principal.id)))
        throw new ApiError(404, 'not-found', 'no such app token');
      await record(ctx, 'client-revoke', { client: id, appToken: true });
      return reply.status(204).send();
    },
  );

  // --- User management (admin) ---------------------------------------------------------------

  app.get('/api/admin/users', route('api:users:manage'), async () => ({
    users: await users.list(),
  }));

  app.post('/api/admin/users', route('api:users:manage', { reauth: true }), async (req, reply) => {
    const body = parse(NewUserBody, req.body);
    const added = await users.addUser(body, actorOf(contextOf(req)));
    // The enrollment token is shown once, to the admin who sends the link; only its hash is kept.
    return reply.status(201).send({
      userId: added.userId,
      enrollmentToken: added.enrollmentToken,
      expiresAt: added.expiresAt,
    });
  });

  for (const [path, act] of [
    ['disable', (id: string, ctx: RequestContext) => users.disable(id, actorOf(ctx))],
    ['reset-mfa', (id: string, ctx: RequestContext) => users.resetMfa(id, actorOf(ctx))],
    ['unlock', (id: string, ctx: RequestContext) => users.unlock(id, actorOf(ctx))],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `/api/admin/users/:id/${path}`,
      route('api:users:manage', { reauth: true }),
      async (req, reply) => {
        const { id } = parse(IdParams, req.params);
        await act(id, contextOf(req));
        return reply.status(204).send();
      },
    );
  }
}

function actorOf(ctx: RequestContext) {
  return { actorType: 'user' as const, actorId: ctx.principal.id };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    // Field names only: the values may be an email or a reason.
    const fields = [...new Set(r.error.issues.map((i) => i.path.join('.') || 'body'))];
    throw new ApiError(400, 'invalid-request', 'the request is not valid', { fields });
  }
  return r.data;
}

function translate(error: unknown): ApiError | undefined {
  if (error instanceof ScopeSyntaxError) return new ApiError(400, 'invalid-scopes', error.message);
  if (error instanceof BreakGlassError) {
    const status = {
      'not-permitted': 403,
      'unknown-patient': 404,
      'already-active': 409,
      'not-found': 404,
    }[error.code];
    return new ApiError(status, error.code, error.message);
  }
  if (error instanceof UserError) {
    switch (error.code) {
      case 'user-unknown':
        return new ApiError(404, 'user-unknown', 'no such user');
      case 'user-duplicate':
        return new ApiError(409, 'user-duplicate', 'that email is already registered');
      case 'user-role-invalid':
      case 'user-email-invalid':
      case 'user-link-invalid':
        return new ApiError(400, error.code, error.message);
      default:
        return undefined;
    }
  }
  return undefined;
}
