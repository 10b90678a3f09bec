import { z } from 'zod';

/**
 * Shapes shared by the /api route schemas. Request objects strip keys they do not name (an
 * unknown key is no error, so no refusal can name it); no schema uses records or catch-alls,
 * so every path in a refusal's `fields` is a name Haven chose, never one the client sent.
 */

/** A FHIR logical id (R4 `id`: letters, digits, '-' and '.', at most 64). */
export const FHIR_ID = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/);

/** The id of something Haven made (a user, an approval, a grant, an app token). */
export const IdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) });

/** Every /api refusal (src/http/errors.ts): fixed texts, a code and the request id. */
export const ApiErrorAnswer = z
  .looseObject({
    error: z.looseObject({
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
    }),
  })
  .describe('A refusal: a code, a fixed text and the request id; never the input')
  // One component of the document (#/components/schemas/ApiError), referenced by every route.
  .meta({ id: 'ApiError' });

/** A 204: no body (a handler answers it with `send()`). */
export const NoContent = z.undefined().describe('No content');

/** The answers every /api route may give besides its own: refusals, and 503 when busy. */
export const REFUSALS = { '4xx': ApiErrorAnswer, 503: ApiErrorAnswer } as const;
