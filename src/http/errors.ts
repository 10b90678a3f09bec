import type { FastifyError, FastifyInstance } from 'fastify';
import { FhirError, operationOutcome, type IssueCode } from '../records/index.js';

/**
 * Every error leaves as an OperationOutcome (FHIR) or a JSON error with a code and the request
 * id. Messages come from Haven's own fixed texts: parser and driver messages can quote input,
 * so they are never forwarded, and nothing is logged but the error's type and code.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | FhirError | Error, request, reply) => {
    const mapped = mapError(error);
    if (mapped.status >= 500) {
      // request.log is a child logger that already carries reqId: adding it again printed the
      // key twice in every error line.
      request.log.error({ err: error, status: mapped.status }, 'request failed');
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
  if (code === 'store-unavailable') {
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
