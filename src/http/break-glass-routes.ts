import { BreakGlassError, type BreakGlassService } from '../access/index.js';
import { apiGuard, type ApiGuardOptions } from './api-guard.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/break-glass.js';
import { ApiError } from './session-auth.js';

export interface BreakGlassRouteOptions extends ApiGuardOptions {
  breakGlass: BreakGlassService;
}

/** Emergency access (ADR 0008): request a grant, see one's grants (the banner), end one. */
export async function breakGlassRoutes(app: ApiApp, o: BreakGlassRouteOptions): Promise<void> {
  const { route, contextOf } = apiGuard(app, o, translate);

  app.post(
    '/api/break-glass',
    route('api:break-glass:request', S.request, { reauth: true }),
    async (req, reply) => {
      const body = req.body;
      const grant = await o.breakGlass.request(contextOf(req), body.patient, body.reason);
      return reply.status(201).send({ grant });
    },
  );

  /** The banner data: one's own active grants (a reviewer sees everyone's, with reasons). */
  app.get('/api/break-glass', route('session:active', S.list), async (req) => ({
    grants: await o.breakGlass.listActive(contextOf(req)),
  }));

  app.post('/api/break-glass/:id/end', route('session:active', S.end), async (req, reply) => {
    const { id } = req.params;
    await o.breakGlass.end(contextOf(req), id);
    return reply.status(204).send();
  });
}

const STATUS: Record<BreakGlassError['code'], number> = {
  'not-permitted': 403,
  'unknown-patient': 404,
  'already-active': 409,
  'not-found': 404,
};

function translate(error: unknown): ApiError | undefined {
  return error instanceof BreakGlassError
    ? new ApiError(STATUS[error.code], error.code, error.message)
    : undefined;
}
