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
