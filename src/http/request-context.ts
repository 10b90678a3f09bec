import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  authenticateClientToken,
  type ClientStore,
  type Principal,
  type RequestContext,
} from '../auth/index.js';
import type { AuditDraft } from '../audit/index.js';
import { FhirError } from '../records/index.js';
import type { BatchWriter } from '../store/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Resolves the bearer token of a request to its principal, or answers 401. A presented but
 * invalid or revoked token is an authentication failure and is audited (never the token itself).
 */
export function bearerAuth(clients: ClientStore, writer: BatchWriter<AuditDraft>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const m = header ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    const principal = m ? await authenticateClientToken(clients, m[1]!) : undefined;
    if (!principal) {
      if (header) {
        await writer.submit({
          onSuccess: () => [
            {
              action: 'token-rejected',
              outcome: 'failure',
              actorType: 'anonymous',
              actorId: null,
              ip: request.ip,
              userAgent: request.headers['user-agent'],
              requestId: request.id,
              detail: { route: request.routeOptions.url ?? 'unmatched' },
            },
          ],
          onFailure: () => [],
        });
      }
      reply.header('www-authenticate', 'Bearer realm="haven"');
      throw new FhirError(
        401,
        'login',
        header ? 'the bearer token is invalid or revoked' : 'a bearer token is required',
      );
    }
    request.principal = principal;
  };
}

export function contextOf(request: FastifyRequest): RequestContext {
  if (!request.principal) throw new FhirError(401, 'login', 'a bearer token is required');
  return {
    principal: request.principal,
    requestId: request.id,
    ip: request.ip,
    userAgent: request.headers['user-agent'],
  };
}
