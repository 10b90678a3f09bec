import { z } from 'zod';
import { FHIR_ID, REFUSALS } from './common.js';

/** The accounting of disclosures (src/http/audit-routes.ts; 45 CFR 164.528). */
export const disclosures = {
  summary: "Who accessed a patient's record, when and how",
  params: z.object({ id: FHIR_ID }),
  response: {
    200: z.object({
      patient: z.string(),
      accesses: z.array(
        z.object({
          when: z.string(),
          who: z.object({ type: z.string(), id: z.string().nullable() }),
          action: z.string(),
          outcome: z.string(),
          resource: z.string().optional(),
          reason: z.string().optional(),
        }),
      ),
    }),
    ...REFUSALS,
  },
};

/** The trail's verification status and newest checkpoint, for the auditor's screen. */
export const trailStatus = {
  summary: 'Whether the audit trail verifies, and its newest signed checkpoint',
  response: {
    200: z.object({
      checkedAt: z.string(),
      verified: z.boolean(),
      entries: z.number().int(),
      checkpointsChecked: z.number().int(),
      problem: z.object({ seq: z.number().int(), kind: z.string() }).optional(),
      lastCheckpoint: z
        .object({ size: z.number().int(), rootHash: z.string(), signedAt: z.string() })
        .optional(),
    }),
    ...REFUSALS,
  },
};
