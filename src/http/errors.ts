import type { FastifyError, FastifyInstance } from 'fastify';
import { FhirError, operationOutcome, type IssueCode } from '../records/index.js';
import { isStoreUnavailable } from '../store/index.js';

/**
 * Every error leaves as an OperationOutcome (FHIR) or a JSON error with a code and the request
 * id. Messages come from Haven's own fixed texts: parser and driver messages can quote input,
 * so they are never forwarded, and nothing is logged but the error's type and code.
 */
export function installErrorHandlers(app: FastifyInstance, retryAfterSeconds: number): void {
  app.setErrorHandler((error: FastifyError | FhirError | Error, request, reply) => {
    const mapped = mapError(error);
    if (mapped.status === 503) {
      // Transient: a dependency is away or the server is full. The client may come back; the
      // cause is logged by its code only (the load shedder's refusals are not logged at all:
      // under overload one line each would add to the load).
      reply.header('retry-after', String(retryAfterSeconds));
      if (!(error instanceof OverloadedError)) {
        request.log.warn({ reqId: request.id, code: codeOf(error) }, 'dependency unavailable');
      }
    } else if (mapped.status >= 500) {
      request.log.error({ reqId: request.id, err: error, status: mapped.status }, 'request failed');
    }
    reply.status(mapped.status);
    if (request.url.startsWith('/fhir/')) {
      reply.header('content-type', 'application/fhir+json; charset=utf-8');
      return reply.send(operationOutcome(mapped.issues, request.id));
    }
    return reply.send({
      error: {
        code: mapped.issues[0]!.code,
        message: mapped.issues[0]!.diagnostics,
        requestId: request.id,
      },
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const issues = [{ code: 'not-supported' as const, diagnostics: 'no such endpoint' }];
    reply.status(404);
    if (request.url.startsWith('/fhir/')) {
      reply.header('content-type', 'application/fhir+json; charset=utf-8');
      return reply.send(operationOutcome(issues, request.id));
    }
    return reply.send({
      error: { code: 'not-found', message: 'no such endpoint', requestId: request.id },
    });
  });
}

function mapError(error: unknown): {
  status: number;
  issues: { code: IssueCode; diagnostics: string; expression?: string[] }[];
} {
  if (error instanceof FhirError) return { status: error.status, issues: error.issues };
  const code = (error as { code?: unknown }).code;
  if (error instanceof OverloadedError || code === 'store-busy') {
    return {
      status: 503,
      issues: [{ code: 'transient', diagnostics: 'the server is busy; retry later' }],
    };
  }
  if (isStoreUnavailable(error)) {
    return {
      status: 503,
      issues: [
        {
          code: 'transient',
          diagnostics: 'the service cannot record this access right now; nothing was served',
        },
      ],
    };
  }
  const status = (error as FastifyError).statusCode ?? 500;
  switch (code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        issues: [
          { code: 'not-supported', diagnostics: 'send application/fhir+json or application/json' },
        ],
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        issues: [{ code: 'too-long', diagnostics: 'the request body is too large' }],
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        issues: [{ code: 'structure', diagnostics: 'the request body is empty' }],
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        status: 400,
        issues: [{ code: 'structure', diagnostics: 'invalid Content-Length' }],
      };
    default:
      break;
  }
  if (error instanceof SyntaxError || (status === 400 && /JSON/i.test(String(code)))) {
    return {
      status: 400,
      issues: [{ code: 'structure', diagnostics: 'the request body is not valid JSON' }],
    };
  }
  if (status >= 400 && status < 500) {
    return { status, issues: [{ code: 'invalid', diagnostics: 'the request is invalid' }] };
  }
  return {
    status: 500,
    issues: [
      { code: 'exception', diagnostics: 'internal error; quote the request id to the operator' },
    ],
  };
}

/** The in-flight limit was reached: refused before any work (see load-shedding.ts). */
export class OverloadedError extends Error {
  readonly code = 'overloaded';
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : ((error as Error)?.constructor?.name ?? 'unknown');
}
