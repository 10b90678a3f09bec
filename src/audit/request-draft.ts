import type { AuditDraft } from './entry.js';

/** Who asked and from where: the request facts every audit entry of a request carries. */
export interface RequestFacts {
  principal: { kind: 'client' | 'user'; id: string };
  ip: string | undefined;
  userAgent: string | undefined;
  requestId: string;
}

export type RequestAuditFields = Omit<
  AuditDraft,
  'actorType' | 'actorId' | 'ip' | 'userAgent' | 'requestId'
>;

/** An audit draft for something a request did: actor, address, user agent and request id. */
export function requestDraft(ctx: RequestFacts, f: RequestAuditFields): AuditDraft {
  return {
    actorType: ctx.principal.kind,
    actorId: ctx.principal.id,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    ...f,
  };
}
