import type { AlertReview } from '../alerts/index.js';
import { apiGuard, type ApiGuardOptions } from './api-guard.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/alerts.js';
import { ApiError } from './session-auth.js';

export interface AlertRouteOptions extends ApiGuardOptions {
  alerts: AlertReview;
  clock: () => Date;
}

/**
 * The auditor's alerts (ADR 0030): list with filters, acknowledge with a comment. Alerts hold
 * ids only, but patient ids among them tie people to records, so the list is recorded as a use
 * of the audit log and answered `no-store`; an acknowledgement is recorded as alert-acknowledge
 * (the comment stays in the alert row, not in the trail).
 */
export async function alertRoutes(app: ApiApp, o: AlertRouteOptions): Promise<void> {
  const { route, contextOf, audit } = apiGuard(app, o, () => undefined);

  app.get('/api/alerts', route('api:alerts:review', S.list), async (req, reply) => {
    const q = req.query;
    const ctx = contextOf(req);
    const alerts = await o.alerts.list({
      status: q.status,
      rule: q.rule,
      userId: q.user,
      patientId: q.patient,
      since: q.since,
      limit: q.limit,
    });
    await audit(
      ctx,
      { action: 'audit-read', detail: { view: 'alerts', count: alerts.length } },
      'success',
    );
    return reply.header('cache-control', 'no-store').send({ alerts });
  });

  app.post(
    '/api/alerts/:id/acknowledge',
    route('api:alerts:review', S.acknowledge),
    async (req, reply) => {
      const ctx = contextOf(req);
      const { id } = req.params;
      const done = await o.alerts.acknowledge(
        id,
        ctx.principal.id,
        o.clock().toISOString(),
        req.body.comment,
      );
      const after = await o.alerts.find(id);
      const outcome = done ? 'success' : 'failure';
      const error = after === undefined ? 'not-found' : 'already-acknowledged';
      await audit(
        ctx,
        { action: 'alert-acknowledge', detail: done ? { alert: id } : { alert: id, error } },
        outcome,
      );
      if (!done || after === undefined)
        throw after === undefined
          ? new ApiError(404, 'not-found', 'no such alert')
          : new ApiError(409, 'already-acknowledged', 'this alert was already acknowledged');
      return reply.header('cache-control', 'no-store').send({ alert: after });
    },
  );
}
