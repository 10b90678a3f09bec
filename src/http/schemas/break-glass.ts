import { z } from 'zod';
import { FHIR_ID, IdParams, NoContent, REFUSALS } from './common.js';

const Grant = z.object({
  id: z.string(),
  userId: z.string(),
  patientId: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  secondsLeft: z.number(),
});

/** Emergency access (src/http/break-glass-routes.ts, ADR 0008). */
export const request = {
  summary: 'Break the glass: emergency access to one patient, with a reason (re-authenticated)',
  body: z.object({
    patient: FHIR_ID,
    // A reason a reviewer can act on: long enough to say something, short enough to stay one.
    reason: z.string().trim().min(10).max(500),
  }),
  response: { 201: z.object({ grant: Grant }), ...REFUSALS },
};

export const list = {
  summary: "Active grants: one's own, or everyone's with reasons for a reviewer",
  response: {
    200: z.object({ grants: z.array(Grant.extend({ reason: z.string().optional() })) }),
    ...REFUSALS,
  },
};

export const end = {
  summary: 'End a grant',
  params: IdParams,
  response: { 204: NoContent, ...REFUSALS },
};
