import type { FhirInteraction } from '../access/index.js';
import { decideFhirAccess, MFA_REQUIRED } from '../access/index.js';
import type { AuditDraft } from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';
import type { BatchWriter, ResourceRepository } from '../store/index.js';
import { FhirError } from './errors.js';
import { isSupportedType } from './resource-types.js';
import type { SealedResources } from './sealed-resources.js';
import { FHIR_ID } from './validate.js';

/** What every record operation needs, passed in once at start-up. */
export interface RecordDeps {
  resources: ResourceRepository;
  writer: BatchWriter<AuditDraft>;
  sealed: SealedResources;
  clock: () => Date;
  /** Key for the encrypted paging cursors (search parameters never appear in links). */
  cursorKey: Buffer;
  binaryLimitBytes: number;
  newId: () => string;
}

export type AuditFields = Omit<
  AuditDraft,
  'actorType' | 'actorId' | 'ip' | 'userAgent' | 'requestId'
>;

export function draft(ctx: RequestContext, f: AuditFields): AuditDraft {
  return {
    actorType: ctx.principal.kind,
    actorId: ctx.principal.id,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    ...f,
  };
}

/** Appends audit entries and resolves once they are durable; rejects (fail closed) otherwise. */
export function audit(deps: RecordDeps, drafts: AuditDraft[]): Promise<void> {
  return deps.writer.submit({ onSuccess: () => drafts, onFailure: () => [] });
}

export function assertType(resourceType: string): void {
  if (!isSupportedType(resourceType)) {
    throw new FhirError(404, 'not-supported', 'this server does not support that resource type');
  }
}

export function assertId(id: string): void {
  if (!FHIR_ID.test(id)) throw new FhirError(400, 'invalid', 'the id is not a valid FHIR id');
}

/** Access decision with its denial recorded before the 403 leaves. */
export async function authorize(
  deps: RecordDeps,
  ctx: RequestContext,
  interaction: FhirInteraction,
  resourceType: string,
  resourceId?: string,
): Promise<void> {
  const decision = decideFhirAccess(ctx.principal, interaction, resourceType, ctx.policy);
  if (decision.allowed) return;
  await audit(deps, [
    draft(ctx, {
      action: interaction,
      outcome: 'denied',
      resourceType,
      resourceId,
      detail: { reason: decision.reason },
    }),
  ]);
  // A person who has not completed the second factor is asked to (401), not told they may not.
  if (decision.reason === MFA_REQUIRED) {
    throw new FhirError(401, 'login', 'complete the second factor');
  }
  throw new FhirError(
    403,
    'forbidden',
    'your credentials do not allow this interaction on this resource type',
  );
}
