import { z } from 'zod';
import { FHIR_ID, REFUSALS } from './common.js';

/** SMART App Launch: the consent page's API (src/http/smart-routes.ts, ADR 0035). */
const RequestParams = z.object({ request: z.string().regex(/^hvq_[A-Za-z0-9_-]{43}$/) });

export const describe = {
  summary: 'What a SMART app asks for, in plain words, for the consent page',
  params: RequestParams,
  response: {
    200: z.object({ app: z.string(), scopes: z.array(z.string()), granted: z.string() }),
    ...REFUSALS,
  },
};

export const decide = {
  summary: 'Approve or decline a SMART app; answers where to send the browser',
  params: RequestParams,
  body: z.object({ approve: z.boolean() }),
  response: { 200: z.object({ location: z.string() }), ...REFUSALS },
};

export const launch = {
  summary: 'An EHR launch: a single-use launch context naming the open patient, for one app',
  body: z.object({ clientId: z.string().uuid(), patientId: FHIR_ID }),
  response: {
    200: z.object({ launch: z.string(), iss: z.string(), url: z.string().nullable() }),
    ...REFUSALS,
  },
};

export const apps = {
  summary:
    'The registered SMART apps a clinician can launch from the chart (live, with a launch URL)',
  response: {
    200: z.object({
      apps: z.array(z.object({ id: z.string().uuid(), name: z.string(), launchUrl: z.string() })),
    }),
    ...REFUSALS,
  },
};
