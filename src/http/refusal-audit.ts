import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  runInRequestScope,
  type AuditDraft,
  type AuditedRequests,
  type AuditRecorder,
  type AuditOutcome,
} from '../audit/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The code of the error that refused this request (set by the onError hook). */
    refusalCode?: string;
    /** The person whose session cookie this request presented, once it resolved. */
    sessionUserId?: string;
  }
}

export interface RefusalAuditOptions {
  audit: AuditRecorder;
  audited: AuditedRequests;
}

/** The paths whose refusals are audited: the FHIR API and the sign-in/admin API. */
const AUDITED_PATHS = /^\/(fhir|api)\//;
const SAFE_CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Every refusal is audited, by one mechanism rather than a call at each place that refuses:
 * a 4xx answer on the FHIR or /api paths whose request has no durable audit entry yet (the
 * capability that refused it — a denied read, a wrong password — usually wrote one) gets a
 * `request-refused` entry with the actor if known, the route pattern, status and reason code.
 *
 * The entry is durable before the answer leaves (onSend runs before the first byte); if it
 * cannot be written the answer becomes a 503 instead (fail closed: a refusal never goes
 * unrecorded, and a 503 carries nothing). Nothing from the request but its route pattern,
 * method, address and user agent is recorded: no URL, no body, no header values.
 */
export function installRefusalAudit(app: FastifyInstance, o: RefusalAuditOptions): void {
  // Entries written deep inside a capability (sign-in events) take the address, user agent and
  // request id from here. preHandler: after body parsing, whose stream callbacks would lose it.
  app.addHook('preHandler', (request, _reply, done) => {
    runInRequestScope(
      { ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id },
      done,
    );
  });
  app.addHook('onError', async (request, _reply, error) => {
    request.refusalCode = codeOf(error);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const status = reply.statusCode;
    if (status < 400 || status >= 500 || !AUDITED_PATHS.test(request.url)) return payload;
    if (o.audited.has(request.id)) return payload;
    try {
      await o.audit.append(refusalDraft(request, status));
      return payload;
    } catch {
      return unavailable(request, reply);
    }
  });
  const forget = async (request: FastifyRequest) => o.audited.forget(request.id);
  app.addHook('onResponse', forget);
  app.addHook('onRequestAbort', forget);
}

function refusalDraft(request: FastifyRequest, status: number): AuditDraft {
  const actor = actorOf(request);
  return {
    action: 'request-refused',
    outcome: outcomeOf(status),
    actorType: actor.type,
    actorId: actor.id,
    ip: request.ip,
    userAgent: request.headers['user-agent'],
    requestId: request.id,
    reason: request.refusalCode ?? `http-${status}`,
    detail: {
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status,
      ...(request.principal?.appId !== undefined && { app: request.principal.appId }),
    },
  };
}

/** Refused for who the caller is (401, 403, 429): denied; for what they asked: failure. */
function outcomeOf(status: number): AuditOutcome {
  return status === 401 || status === 403 || status === 429 ? 'denied' : 'failure';
}

function actorOf(request: FastifyRequest): { type: AuditDraft['actorType']; id: string | null } {
  if (request.principal) return { type: request.principal.kind, id: request.principal.id };
  const userId = request.sessionContext?.account.id ?? request.sessionUserId;
  return userId ? { type: 'user', id: userId } : { type: 'anonymous', id: null };
}

/** A PHI-free reason code: Haven's own error codes, Fastify's FST_ codes, else 'error'. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && SAFE_CODE.test(code) ? code : 'error';
}

function unavailable(request: FastifyRequest, reply: FastifyReply): string {
  reply.header('retry-after', '5');
  return errorAnswer(request, reply, 503, {
    code: 'transient',
    apiCode: 'unavailable',
    message: 'the service cannot record this request right now; try again later',
  });
}

/** A fixed-text error in the shape of its API: OperationOutcome on /fhir, else JSON. */
function errorAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  e: { code: string; apiCode: string; message: string },
): string {
  reply.code(status);
  if (request.url.startsWith('/fhir/')) {
    reply.header('content-type', 'application/fhir+json; charset=utf-8');
    return JSON.stringify({
      resourceType: 'OperationOutcome',
      id: request.id,
      issue: [{ severity: 'error', code: e.code, diagnostics: e.message }],
    });
  }
  reply.header('content-type', 'application/json; charset=utf-8');
  return JSON.stringify({
    error: { code: e.apiCode, message: e.message, requestId: request.id },
  });
}

/**
 * Fastify's `frameworkErrors`: a URL that cannot be decoded (FST_ERR_BAD_URL) or a path
 * parameter over the length limit. Fastify's own answer quotes the whole URL, search values
 * included, and skips every hook; this one is a fixed text with the request id, and the
 * refusal is audited like any other (found by the route fuzzing, issue 13 item 11).
 */
export function frameworkErrorAnswer(o: Pick<RefusalAuditOptions, 'audit'>) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
    const status = tooLong ? 414 : 400;
    request.refusalCode = tooLong ? 'path-too-long' : 'bad-url';
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
    const answer = (): string =>
      errorAnswer(request, reply, status, {
        code: tooLong ? 'too-long' : 'invalid',
        apiCode: tooLong ? 'path-too-long' : 'bad-url',
        message: tooLong ? 'a path segment is too long' : 'the URL is not valid',
      });
    if (!AUDITED_PATHS.test(request.url)) {
      void reply.send(answer());
      return;
    }
    o.audit.append(refusalDraft(request, status)).then(
      () => reply.send(answer()),
      () => reply.send(unavailable(request, reply)),
    );
  };
}
