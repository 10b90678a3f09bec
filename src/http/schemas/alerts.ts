import { z } from 'zod';
import { IdParams, REFUSALS } from './common.js';

const RULES = [
  'volume',
  'vip-access',
  'same-surname',
  'break-glass',
  'failed-logins-account',
  'failed-logins-address',
  'after-hours',
  'no-care-relation',
  'mass-export',
  'search-sweep',
  'privilege-request',
  'privilege-granted',
] as const;

const HAVEN_ID = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/);

const Alert = z.object({
  id: z.string(),
  rule: z.string(),
  severity: z.string(),
  userId: z.string().nullable(),
  patientId: z.string().nullable(),
  ref: z.string().nullable(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  count: z.number(),
  status: z.enum(['open', 'acknowledged']),
  ackBy: z.string().nullable(),
  ackAt: z.string().nullable(),
  ackComment: z.string().nullable(),
});

/** Security alerts (src/http/alert-routes.ts, ADR 0030): auditors only. */
export const list = {
  summary: 'Security alerts raised by the anomaly rules, newest first, with filters',
  querystring: z.object({
    status: z.enum(['open', 'acknowledged']).optional(),
    rule: z.enum(RULES).optional(),
    user: HAVEN_ID.optional(),
    patient: HAVEN_ID.optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
  response: { 200: z.object({ alerts: z.array(Alert) }), ...REFUSALS },
};

export const acknowledge = {
  summary: 'Acknowledge an open alert with a comment (what was checked, what was found)',
  params: IdParams,
  body: z.object({ comment: z.string().trim().min(3).max(1000) }),
  response: { 200: z.object({ alert: Alert }), ...REFUSALS },
};
