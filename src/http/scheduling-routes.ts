import {
  SchedulingError,
  isTimeZone,
  weekOf,
  type SchedulingService,
} from '../telehealth/index.js';
import { apiGuard, type ApiGuardOptions } from './api-guard.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/scheduling.js';
import { ApiError } from './session-auth.js';

export interface SchedulingRouteOptions extends ApiGuardOptions {
  scheduling: SchedulingService;
  /** The clinic's zone (HAVEN_CLINIC_TIME_ZONE): the calendar's default. */
  timeZone: string;
}

/**
 * Appointments under /api/scheduling (ADR 0026: a JSON API rather than FHIR `$book`
 * operations). Each route needs an active session only: who may read or write which Schedule,
 * Slot, Patient and Appointment is the record vault's access decision, made per resource with
 * the caller's role, reach and field set, and audited there, allowed or refused.
 */
export async function schedulingRoutes(app: ApiApp, o: SchedulingRouteOptions): Promise<void> {
  const { route, contextOf } = apiGuard(app, o, translate);

  app.post('/api/scheduling/slots', route('session:active', S.publish), async (req, reply) => {
    const slots = await o.scheduling.publish(
      contextOf(req),
      req.body.practitionerId,
      req.body.slots,
    );
    return reply.status(201).send({ slots });
  });

  app.get('/api/scheduling/calendar', route('session:active', S.calendar), async (req) => {
    const zone = req.query.timeZone ?? o.timeZone;
    if (!isTimeZone(zone)) throw new ApiError(400, 'invalid-time-zone', 'unknown time zone');
    const { from, to } = weekOf(req.query.week, zone);
    const week = await o.scheduling.calendar(contextOf(req), req.query.practitionerId, from, to);
    return { timeZone: zone, from, to, ...week };
  });

  app.post('/api/scheduling/appointments', route('session:active', S.book), async (req, reply) => {
    const r = await o.scheduling.book(contextOf(req), req.body.slotId, req.body.patientId);
    return reply.status(201).send(r);
  });

  app.post(
    '/api/scheduling/appointments/:id/reschedule',
    route('session:active', S.reschedule),
    async (req) => o.scheduling.reschedule(contextOf(req), req.params.id, req.body.slotId),
  );

  app.post(
    '/api/scheduling/appointments/:id/cancel',
    route('session:active', S.cancel),
    async (req) => o.scheduling.cancel(contextOf(req), req.params.id),
  );

  app.get('/api/scheduling/my-appointments', route('session:active', S.mine), async (req) => ({
    appointments: await o.scheduling.upcomingForPatient(contextOf(req)),
  }));
}

function translate(error: unknown): ApiError | undefined {
  return error instanceof SchedulingError
    ? new ApiError(error.status, error.code, error.message)
    : undefined;
}
