import { createAppToken, ScopeSyntaxError, type AppTokenStore } from '../auth/index.js';
import { apiGuard, type ApiGuardOptions } from './api-guard.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/app-token.js';
import { ApiError } from './session-auth.js';

export interface AppTokenRouteOptions extends ApiGuardOptions {
  clients: AppTokenStore;
  clock: () => Date;
}

/**
 * App tokens: a bearer token the signed-in person makes for an app that acts for them, with
 * SMART `user/` or `patient/` scopes; the person's role and the scopes both decide (ADR 0008).
 */
export async function appTokenRoutes(app: ApiApp, o: AppTokenRouteOptions): Promise<void> {
  const { route, contextOf, audit } = apiGuard(app, o, scopeRefusal);

  app.post(
    '/api/app-tokens',
    route('session:active', S.add, { reauth: true }),
    async (req, reply) => {
      const body = req.body;
      const ctx = contextOf(req);
      const made = await createAppToken(
        o.clients,
        ctx.principal.id,
        body.name,
        body.scopes,
        o.clock(),
      );
      await audit(
        ctx,
        { action: 'client-create', detail: { client: made.id, appToken: true } },
        'success',
      );
      // The token is shown once; only its SHA-256 is kept.
      return reply.status(201).send({ id: made.id, token: made.token, scopes: body.scopes });
    },
  );

  app.get('/api/app-tokens', route('session:active', S.list), async (req) => ({
    tokens: (await o.clients.listForUser(contextOf(req).principal.id)).map((t) => ({
      id: t.id,
      name: t.name,
      scopes: t.scopes,
      createdAt: t.createdAt,
    })),
  }));

  app.post('/api/app-tokens/:id/revoke', route('session:active', S.revoke), async (req, reply) => {
    const { id } = req.params;
    const ctx = contextOf(req);
    if (!(await o.clients.revokeForUser(id, ctx.principal.id)))
      throw new ApiError(404, 'not-found', 'no such app token');
    await audit(
      ctx,
      { action: 'client-revoke', detail: { client: id, appToken: true } },
      'success',
    );
    return reply.status(204).send();
  });
}

/**
 * A malformed scope is named by its position, never by its text (the client's text is not
 * repeated: it could be anything). `haven client add` prints the text; the operator typed it.
 */
function scopeRefusal(e: unknown): ApiError | undefined {
  if (!(e instanceof ScopeSyntaxError)) return undefined;
  if (e.index === undefined)
    return new ApiError(400, 'invalid-scopes', 'give at least one SMART scope');
  return new ApiError(
    400,
    'invalid-scopes',
    'a scope is not a SMART user/ or patient/ scope such as user/Observation.rs',
    { index: e.index },
  );
}
