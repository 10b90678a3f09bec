import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyRequest,
  RawServerDefault,
} from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { ApiError } from './session-auth.js';

/** The app as the /api plugins see it: route schemas are zod, and type the handlers' input. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** An /api route registered without schemas (src/http/schemas/): it would go undocumented. */
export class UndocumentedRouteError extends Error {}

/**
 * Routes as data (ADR 0020): an /api route declares `schema: { body?, querystring?, params?,
 * response }` in zod, and that one declaration validates its input, shapes its output (keys a
 * response schema does not name are dropped, so nothing leaves by accident) and documents it
 * in /api/openapi.json. An /api route without a response schema fails at start-up.
 *
 * Validation runs after the route's own guards, not before (ADR 0010: authorize before anything
 * answers): the framework's verdict is attached to the request and `refuseInvalid`, appended
 * as the route's last preHandler, turns it into the one /api refusal for bad input, a 400
 * `invalid-request` naming the fields (schema keys and array indexes), never their values.
 */
export function installRouteSchemas(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Fastify's automatic HEAD twin of a GET is documented by its GET, and validated like it.
    const twin = methods.every((m) => m === 'HEAD');
    if (!twin && route.url.startsWith('/api/') && !route.schema?.response)
      throw new UndocumentedRouteError(`route ${methods.join(',')} ${route.url} has no schema`);
    const s = route.schema;
    if (!s?.body && !s?.params && !s?.querystring && !s?.headers) return;
    route.attachValidation = true;
    const own = route.preHandler;
    route.preHandler = [
      ...(own === undefined ? [] : Array.isArray(own) ? own : [own]),
      refuseInvalid,
    ];
  });
}

async function refuseInvalid(request: FastifyRequest): Promise<void> {
  const error = request.validationError as
    (FastifyError & { validationContext?: string }) | undefined;
  if (!error) return;
  // Paths only: the schemas hold no records, so a path is Haven's names and indexes (common.ts).
  const fields = [
    ...new Set(
      (error.validation ?? []).map(
        (v) =>
          v.instancePath.split('/').filter(Boolean).join('.') ||
          (error.validationContext ?? 'body'),
      ),
    ),
  ];
  throw new ApiError(400, 'invalid-request', 'the request is not valid', { fields });
}
