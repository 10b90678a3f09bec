import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError, operationOutcome, type Issue, type IssueCode } from '../records/index.js';
import { ApiError } from './session-auth.js';
// From the composition root, not src/store: the HTTP layer imports no store module (the rule
// http-not-store in .dependency-cruiser.cjs); which errors mean "database away" is the store's
// knowledge, passed on by the layer that assembled it.
import { isStoreUnavailable } from '../app/index.js';

/**
 * The one place where an error becomes a response body (issue 23). Every error of every route
 * leaves through `sendError`: an OperationOutcome under /fhir/, else the /api JSON error
 * `{ error: { code, message, requestId, ...extra } }`. Texts are Haven's own fixed ones
 * (FhirError, ApiError and the table below): parser, driver and framework messages can quote the
 * request (a URL, a key, a value that may be PHI), so they are never forwarded, and nothing is
 * logged but the error's type and code. Plugins that have typed errors of their own hand them in
 * through `translateErrors`; they do not build bodies themselves.
 */
export function installErrorHandlers(app: FastifyInstance, retryAfterSeconds = 1): void {
  retryAfter = retryAfterSeconds;
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      isFhirRequest(request)
        ? new FhirError(404, 'not-supported', 'no such endpoint')
        : new ApiError(404, 'not-found', 'no such endpoint'),
    ),
  );
}

/** A plugin's own typed errors, mapped to ApiError or FhirError before `sendError` answers. */
export type ErrorTranslation = (error: unknown) => ApiError | FhirError | undefined;

/** Sets an encapsulated plugin's error handler: its translation first, then `sendError`. */
export function translateErrors(app: FastifyInstance, translate: ErrorTranslation): void {
  app.setErrorHandler((error, request, reply) =>
    sendError(request, reply, translate(error) ?? error),
  );
}

/**
 * Seconds a client is told to wait on a 503 (HAVEN_RETRY_AFTER_SECONDS). One value per process,
 * set when the app is built, so that every plugin's `sendError` answers alike.
 */
let retryAfter = 1;

interface Refusal {
  status: number;
  code: string;
  issues: Issue[];
  extra?: Record<string, unknown>;
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): FastifyReply {
  const refusal = refusalOf(error);
  if (refusal.status === 503) {
    // Transient: a dependency is away or the server is full. The client may come back; the
    // cause is logged by its code only (the load shedder's refusals are not logged at all:
    // under overload one line each would add to the load).
    reply.header('retry-after', String(retryAfter));
    if (isStoreUnavailable(error) || codeOf(error) === 'store-busy') {
      request.log.warn({ code: codeOf(error) }, 'dependency unavailable');
    } else if (!(error instanceof OverloadedError)) {
      // A key that cannot be unwrapped names the key id and keyring it expected (no PHI).
      request.log.error({ err: error, code: codeOf(error), status: 503 }, 'request failed');
    }
  } else if (refusal.status >= 500) {
    request.log.error({ err: error, status: refusal.status }, 'request failed');
  }
  reply.status(refusal.status);
  if (isFhirRequest(request)) {
    reply.header('content-type', 'application/fhir+json; charset=utf-8');
    return reply.send(operationOutcome(refusal.issues, request.id));
  }
  return reply.send({
    error: {
      code: refusal.code,
      message: refusal.issues[0]!.diagnostics,
      requestId: request.id,
      ...refusal.extra,
    },
  });
}

function isFhirRequest(request: FastifyRequest): boolean {
  return (request.raw.url ?? request.url).startsWith('/fhir/');
}

function refusalOf(error: unknown): Refusal {
  if (error instanceof FhirError)
    return { status: error.status, code: error.code, issues: error.issues };
  if (error instanceof ApiError) {
    return {
      status: error.statusCode,
      code: error.code,
      issues: [{ code: issueCodeOf(error.statusCode), diagnostics: error.message }],
      extra: error.extra,
    };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof OverloadedError || code === 'store-busy') {
    return fixed(503, 'transient', 'the server is busy; retry later');
  }
  if (isStoreUnavailable(error)) {
    return fixed(
      503,
      'transient',
      'the service cannot record this access right now; nothing was served',
    );
  }
  const known = typeof code === 'string' ? FRAMEWORK_ERRORS[code] : undefined;
  if (known) return fixed(...known);
  const status = (error as FastifyError | null)?.statusCode ?? 500;
  if (error instanceof SyntaxError || (status === 400 && /JSON/i.test(String(code)))) {
    return fixed(400, 'structure', 'the request body is not valid JSON');
  }
  if (status >= 400 && status < 500) return fixed(status, 'invalid', 'the request is invalid');
  return fixed(500, 'exception', 'internal error; quote the request id to the operator');
}

/** Fastify's errors by code, each with Haven's fixed text (Fastify's own would quote input). */
const FRAMEWORK_ERRORS: Record<string, [number, IssueCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'not-supported',
    'send application/fhir+json or application/json',
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'too-long', 'the request body is too large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'structure', 'the request body is empty'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'structure', 'invalid Content-Length'],
  FST_ERR_BAD_URL: [400, 'invalid', 'the URL is not valid'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'too-long', 'a part of the URL is too long'],
};

function fixed(status: number, code: IssueCode, diagnostics: string): Refusal {
  return { status, code, issues: [{ code, diagnostics }] };
}

/** The OperationOutcome issue code of an /api refusal that reaches a /fhir URL. */
function issueCodeOf(status: number): IssueCode {
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 429) return 'transient'; // R4's 'throttled' is a kind of transient
  if (status >= 500) return 'exception';
  return 'invalid';
}

/** The in-flight limit was reached: refused before any work (see load-shedding.ts). */
export class OverloadedError extends Error {
  readonly code = 'overloaded';
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : ((error as Error)?.constructor?.name ?? 'unknown');
}
