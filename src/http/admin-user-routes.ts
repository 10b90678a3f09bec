import { UserError, type RequestContext } from '../auth/index.js';
import { apiGuard, type ApiGuardOptions } from './api-guard.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/admin-user.js';
import { ApiError } from './session-auth.js';

/**
 * User management for admins over HTTP, as `haven user` does from the shell: list, invite,
 * disable, reset MFA, unlock. Changes need a re-authentication within 5 minutes. Nobody changes
 * their own roles here; a change that reaches PHI (a clinical, patient or auditor role, a record
 * link) waits for a second admin (two-person rule, ADR 0015). The CLI is the operator's
 * authority at the console and applies changes directly.
 */
export async function adminUserRoutes(app: ApiApp, o: ApiGuardOptions): Promise<void> {
  const { users } = o.people;
  const { route, contextOf, audit } = apiGuard(app, o, translate);

  app.get('/api/admin/users', route('api:users:manage', S.users), async (req) => {
    const list = await users.list();
    // Who has an account, with which roles and links, is disclosed here: recorded first.
    await audit(
      contextOf(req),
      { action: 'user-list', detail: { returned: list.length } },
      'success',
    );
    return { users: list };
  });

  app.post(
    '/api/admin/users',
    route('api:users:manage', S.add, { reauth: true }),
    async (req, reply) => {
      const body = req.body;
      const change = await users.requestUserCreate(body, actorOf(contextOf(req)));
      // A PHI role or a record link waits for a second admin (202), and its enrollment link will
      // go to the person, never to an admin. Other accounts (admin) are created at once, and the
      // token is shown once to the admin who sends the link; only its hash is kept.
      if (change.status === 'pending') return reply.status(202).send(change);
      return reply.status(201).send({
        status: 'applied',
        userId: change.userId,
        enrollmentToken: change.enrollmentToken,
        expiresAt: change.expiresAt,
      });
    },
  );

  /** Pending changes under the two-person rule, for a second admin to review. */
  app.get('/api/admin/approvals', route('api:users:manage', S.approvals), async () => ({
    approvals: await users.listApprovals(),
  }));

  app.post(
    '/api/admin/approvals/:id/approve',
    route('api:users:manage', S.approve, { reauth: true }),
    async (req) => {
      const { id } = req.params;
      const done = await users.approve(id, actorOf(contextOf(req)));
      return { status: 'approved', kind: done.kind, subjectId: done.subjectId };
    },
  );

  /** A change of privilege: the person's sessions and app tokens end; they sign in again. */
  app.post(
    '/api/admin/users/:id/roles',
    route('api:users:manage', S.roles, { reauth: true }),
    async (req, reply) => {
      const { id } = req.params;
      const { roles } = req.body;
      const change = await users.requestRoleChange(id, roles, actorOf(contextOf(req)));
      if (change.status === 'pending') return reply.status(202).send(change);
      return change;
    },
  );

  for (const [path, act] of [
    ['disable', (id: string, ctx: RequestContext) => users.disable(id, actorOf(ctx))],
    ['reset-mfa', (id: string, ctx: RequestContext) => users.resetMfa(id, actorOf(ctx))],
    ['unlock', (id: string, ctx: RequestContext) => users.unlock(id, actorOf(ctx))],
    [
      'resend-invitation',
      (id: string, ctx: RequestContext) => users.resendInvitation(id, actorOf(ctx)),
    ],
  ] as const) {
    app.post(
      `/api/admin/users/:id/${path}`,
      route('api:users:manage', S.act[path], { reauth: true }),
      async (req, reply) => {
        const { id } = req.params;
        await act(id, contextOf(req));
        return reply.status(204).send();
      },
    );
  }
}

function actorOf(ctx: RequestContext) {
  return { actorType: 'user' as const, actorId: ctx.principal.id };
}

function translate(error: unknown): ApiError | undefined {
  if (!(error instanceof UserError)) return undefined;
  switch (error.code) {
    case 'user-unknown':
      return new ApiError(404, 'user-unknown', 'no such user');
    case 'user-duplicate':
      return new ApiError(409, 'user-duplicate', 'that email is already registered');
    case 'self-role-change':
    case 'approval-same-admin':
      return new ApiError(403, error.code, error.message);
    case 'approval-unknown':
      return new ApiError(404, error.code, error.message);
    case 'approval-closed':
    case 'user-not-invited':
      return new ApiError(409, error.code, error.message);
    case 'user-role-invalid':
    case 'user-email-invalid':
    case 'user-link-invalid':
      return new ApiError(400, error.code, error.message);
    default:
      return undefined;
  }
}
