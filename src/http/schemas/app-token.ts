import { z } from 'zod';
import { IdParams, NoContent, REFUSALS } from './common.js';

/** App tokens (src/http/app-token-routes.ts). */
export const add = {
  summary: 'Make an app token with SMART user/ or patient/ scopes; the token is shown once',
  body: z.object({
    name: z.string().regex(/^[\w .-]{1,64}$/),
    scopes: z.string().min(1).max(2000),
  }),
  response: {
    201: z.object({ id: z.string(), token: z.string(), scopes: z.string() }),
    ...REFUSALS,
  },
};

export const list = {
  summary: "The signed-in person's app tokens (never the tokens themselves)",
  response: {
    200: z.object({
      tokens: z.array(
        z.object({ id: z.string(), name: z.string(), scopes: z.string(), createdAt: z.string() }),
      ),
    }),
    ...REFUSALS,
  },
};

export const revoke = {
  summary: 'Revoke one of the signed-in person’s app tokens',
  params: IdParams,
  response: { 204: NoContent, ...REFUSALS },
};
