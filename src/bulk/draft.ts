import { requestDraft, type AuditDraft, type RequestAuditFields } from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';

/** An audit draft for the caller's request; a person acting through an app names the app too. */
export function draftOf(ctx: RequestContext, f: RequestAuditFields): AuditDraft {
  const { appId } = ctx.principal;
  return requestDraft(ctx, appId === undefined ? f : { ...f, detail: { ...f.detail, app: appId } });
}
