import type { FastifyRequest } from 'fastify';
import {
  complianceReport,
  IncidentError,
  type ComplianceSource,
  type IncidentActor,
  type IncidentService,
} from '../compliance/index.js';
import { apiGuard, type ApiGuardOptions } from './api-guard.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/compliance.js';
import { ApiError } from './session-auth.js';

export interface ComplianceRouteOptions extends ApiGuardOptions {
  compliance: ComplianceSource;
  incidents: IncidentService;
}

/** The privacy officer's /api (ADR 0031): the compliance report and breach response. */
export async function complianceRoutes(app: ApiApp, o: ComplianceRouteOptions): Promise<void> {
  const { route, contextOf } = apiGuard(app, o, translate);
  const actor = (req: FastifyRequest): IncidentActor => {
    const ctx = contextOf(req);
    return {
      actorType: ctx.principal.kind,
      actorId: ctx.principal.id,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      requestId: ctx.requestId,
    };
  };

  app.get('/api/compliance/report', route('api:compliance:read', S.report), async (req) =>
    complianceReport(o.compliance, (e) => o.audit.append({ ...actor(req), ...e })),
  );

  app.get('/api/incidents', route('api:incidents:manage', S.list), async (req) => ({
    incidents: await o.incidents.list(actor(req)),
  }));

  app.post('/api/incidents', route('api:incidents:manage', S.create), async (req, reply) =>
    reply.status(201).send(await o.incidents.create(actor(req), req.body)),
  );

  app.get('/api/incidents/:id', route('api:incidents:manage', S.get), async (req) =>
    o.incidents.get(actor(req), req.params.id),
  );

  app.post(
    '/api/incidents/:id/assessment',
    route('api:incidents:manage', S.assess),
    async (req) => {
      const { version, ...assessment } = req.body;
      return o.incidents.assess(actor(req), req.params.id, version, assessment);
    },
  );

  app.post(
    '/api/incidents/:id/affected',
    route('api:incidents:manage', S.affected),
    async (req) => {
      const { version, ...scope } = req.body;
      return o.incidents.computeAffected(actor(req), req.params.id, version, scope);
    },
  );

  app.post('/api/incidents/:id/notice', route('api:incidents:manage', S.notice), async (req) => ({
    draft: await o.incidents.notice(actor(req), req.params.id, req.body),
  }));
}

const STATUS: Record<IncidentError['code'], number> = {
  invalid: 400,
  'phi-refused': 422,
  'not-found': 404,
  conflict: 409,
  'no-assessment': 409,
};

function translate(error: unknown): ApiError | undefined {
  return error instanceof IncidentError
    ? new ApiError(STATUS[error.code], error.code, error.message)
    : undefined;
}
