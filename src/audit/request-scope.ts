import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditDraft } from './entry.js';

/** Where a request came from, for the entries written on its behalf deep in a capability. */
export interface RequestOrigin {
  ip: string | undefined;
  userAgent: string | undefined;
  requestId: string;
}

const scope = new AsyncLocalStorage<RequestOrigin>();

/**
 * Runs `fn` (and everything it awaits) as part of one HTTP request. The user service records
 * sign-in events without knowing about HTTP; this is how those entries still say from which
 * address, with which user agent and in which request they happened.
 */
export function runInRequestScope<T>(origin: RequestOrigin, fn: () => T): T {
  return scope.run(origin, fn);
}

/** The draft with the current request's address, user agent and id where it has none. */
export function withRequestOrigin(draft: AuditDraft): AuditDraft {
  const origin = scope.getStore();
  if (!origin) return draft;
  return {
    ...draft,
    ip: draft.ip ?? origin.ip,
    userAgent: draft.userAgent ?? origin.userAgent,
    requestId: draft.requestId ?? origin.requestId,
  };
}
