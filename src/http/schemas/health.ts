import { z } from 'zod';
import { REFUSALS } from './common.js';

/** Liveness under /api, for load balancers that probe by address (exempt from the Host check). */
export const apiHealth = {
  summary: 'Liveness',
  response: { 200: z.object({ status: z.literal('ok') }), ...REFUSALS },
};

/** This document. */
export const openApiDocument = {
  summary: 'This OpenAPI 3.1 description of /api',
  response: {
    200: z.looseObject({ openapi: z.string() }).describe('An OpenAPI 3.1 document'),
    ...REFUSALS,
  },
};
