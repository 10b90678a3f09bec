import { z } from 'zod';
import { IdParams, REFUSALS } from './common.js';

/** The compliance report and breach response (src/http/compliance-routes.ts, ADR 0031). */
const Check = z.object({
  id: z.string(),
  title: z.string(),
  regulation: z.string(),
  status: z.enum(['pass', 'fail', 'unknown']),
  evidence: z.string(),
  fix: z.string(),
});

export const report = {
  summary: 'The compliance report: each safeguard checked, with evidence and the fix (auditors)',
  response: {
    200: z.object({
      generatedAt: z.string(),
      engine: z.enum(['sqlite', 'postgres']),
      checks: z.array(Check),
      summary: z.object({ pass: z.number(), fail: z.number(), unknown: z.number() }),
    }),
    ...REFUSALS,
  },
};

const Assessment = z.object({
  natureAndExtent: z.string(),
  unauthorizedPerson: z.string(),
  acquiredOrViewed: z.enum(['acquired', 'viewed', 'not-acquired', 'unknown']),
  mitigation: z.string(),
  lowProbabilityOfCompromise: z.boolean(),
  assessedBy: z.string(),
  assessedAt: z.string(),
});

const IncidentView = z.object({
  incident: z.object({
    id: z.string(),
    discoveredAt: z.string(),
    description: z.string(),
    systems: z.array(z.string()),
    createdBy: z.string(),
    assessment: Assessment.optional(),
    affected: z
      .object({
        actorId: z.string(),
        from: z.string(),
        to: z.string(),
        count: z.number(),
        // State names are the keys: an object of counts, documented as such.
        byState: z.record(z.string(), z.number()),
        computedAt: z.string(),
      })
      .optional(),
  }),
  version: z.number(),
  deadlines: z.array(
    z.object({
      kind: z.enum(['individuals', 'hhs', 'media']),
      regulation: z.string(),
      due: z.string(),
      daysLeft: z.number(),
      state: z.string().optional(),
      note: z.string(),
    }),
  ),
});

const Text = (max: number) => z.string().trim().min(3).max(max);
const Instant = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$/);
const Version = z.number().int().min(1);

export const list = {
  summary: 'Security incidents with their notification deadlines',
  response: { 200: z.object({ incidents: z.array(IncidentView) }), ...REFUSALS },
};

export const create = {
  summary: 'Record a security incident (no PHI: refused if the text looks like it)',
  body: z.object({
    discoveredAt: Instant,
    description: Text(2000),
    systems: z.array(Text(100)).max(20),
  }),
  response: { 201: IncidentView, ...REFUSALS },
};

export const get = {
  summary: 'One incident',
  params: IdParams,
  response: { 200: IncidentView, ...REFUSALS },
};

export const assess = {
  summary: 'Record the four-factor risk assessment (45 CFR 164.402(2))',
  params: IdParams,
  body: z.object({
    version: Version,
    natureAndExtent: Text(2000),
    unauthorizedPerson: Text(2000),
    acquiredOrViewed: z.enum(['acquired', 'viewed', 'not-acquired', 'unknown']),
    mitigation: Text(2000),
    lowProbabilityOfCompromise: z.boolean(),
  }),
  response: { 200: IncidentView, ...REFUSALS },
};

export const affected = {
  summary: "Count the patients an actor's accesses reached in a window, per state (audit trail)",
  params: IdParams,
  body: z.object({
    version: Version,
    actorId: z.string().regex(/^[\w:.@-]{1,200}$/),
    from: Instant,
    to: Instant,
  }),
  response: { 200: IncidentView, ...REFUSALS },
};

export const notice = {
  summary: 'A notice letter draft (45 CFR 164.404(c)); recipient fields stay placeholders',
  params: IdParams,
  body: z.object({
    organization: Text(300),
    phone: Text(300),
    email: Text(300),
    postalAddress: Text(300),
  }),
  response: { 200: z.object({ draft: z.string() }), ...REFUSALS },
};
