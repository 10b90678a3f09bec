import {
  meetsCondition,
  MFA_REQUIRED,
  withVisibleFields,
  type Decision,
  type FhirInteraction,
  type Grant,
} from '../access/index.js';
import type { RequestContext } from '../auth/index.js';
import { FhirError, notFound } from './errors.js';
import { audit, draft, type AuditFields, type RecordDeps } from './record-context.js';
import { patientIdOfOwner } from './sealed-resources.js';

/**
 * Where records meet the access decision. Two steps: the type (may this principal ever do this
 * on this type? else 403), then each record's patient (else 404 for reads, so a guessed or copied
 * id cannot tell a hidden record from a missing one; 403 for writes, which name their target).
 * Every refusal is audited before the error leaves.
 */
export async function authorizeType(
  deps: RecordDeps,
  ctx: RequestContext,
  interaction: FhirInteraction,
  resourceType: string,
  resourceId?: string,
): Promise<Grant> {
  const decision = await deps.access.decide(
    ctx.principal,
    { interaction, resourceType },
    ctx.policy,
  );
  if (decision.allowed) return decision.grant;
  await recordDenial(deps, ctx, interaction, resourceType, resourceId, undefined, decision.reason);
  // A person who has not completed the second factor is asked to (401), not told they may not.
  if (decision.reason === MFA_REQUIRED)
    throw new FhirError(401, 'login', 'complete the second factor');
  throw new FhirError(
    403,
    'forbidden',
    'your credentials do not allow this interaction on this resource type',
  );
}

/** One record, by its owner. `hide`: refuse as not found; `forbid`: refuse with 403. */
export async function authorizeOwner(
  deps: RecordDeps,
  ctx: RequestContext,
  interaction: FhirInteraction,
  resourceType: string,
  resourceId: string | undefined,
  owner: string,
  refusal: 'hide' | 'forbid',
): Promise<Grant> {
  const decision = await deps.access.decide(
    ctx.principal,
    { interaction, resourceType, owner },
    ctx.policy,
  );
  return allowedOrRefuse(
    deps,
    ctx,
    decision,
    interaction,
    resourceType,
    resourceId,
    owner,
    refusal,
  );
}

/** Applies an already-made decision: the grant, or an audited refusal. */
export async function allowedOrRefuse(
  deps: RecordDeps,
  ctx: RequestContext,
  decision: Decision,
  interaction: FhirInteraction,
  resourceType: string,
  resourceId: string | undefined,
  owner: string,
  refusal: 'hide' | 'forbid',
): Promise<Grant> {
  if (decision.allowed) return decision.grant;
  await recordDenial(deps, ctx, interaction, resourceType, resourceId, owner, decision.reason);
  throw refusalError(refusal);
}

/** Refuses a record whose content the grant does not cover (an unreleased result, a non-lab note). */
export async function refuseContent(
  deps: RecordDeps,
  ctx: RequestContext,
  interaction: FhirInteraction,
  resourceType: string,
  resourceId: string | undefined,
  owner: string,
  refusal: 'hide' | 'forbid',
  reason: string,
): Promise<never> {
  await recordDenial(deps, ctx, interaction, resourceType, resourceId, owner, reason);
  throw refusalError(refusal);
}

function refusalError(refusal: 'hide' | 'forbid'): FhirError {
  return refusal === 'hide'
    ? notFound()
    : new FhirError(403, 'forbidden', 'you may not write this record for this patient');
}

/** Whether a decrypted resource is within the grant's row conditions (any one suffices). */
export function coveredBy(grant: Grant, resource: Record<string, unknown>): boolean {
  return grant.conditions.length === 0 || grant.conditions.some((c) => meetsCondition(c, resource));
}

/** The stored bytes as this grant may see them: unchanged, or with withheld fields removed. */
export function shapeForGrant(grant: Grant, json: Buffer): Buffer {
  if (grant.fields === 'all') return json;
  const resource = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify(withVisibleFields(resource, grant.fields)), 'utf8');
}

/** Audit fields with the break-glass mark, when the access rests on an emergency grant. */
export function markEmergency(fields: AuditFields, grant: Grant): AuditFields {
  if (grant.emergency === undefined) return fields;
  return {
    ...fields,
    reason: 'emergency access (break-glass)',
    detail: { ...fields.detail, emergency: grant.emergency },
  };
}

async function recordDenial(
  deps: RecordDeps,
  ctx: RequestContext,
  interaction: FhirInteraction,
  resourceType: string,
  resourceId: string | undefined,
  owner: string | undefined,
  reason: string,
): Promise<void> {
  await audit(deps, [
    draft(ctx, {
      action: interaction,
      outcome: 'denied',
      resourceType,
      resourceId,
      patientId: owner === undefined ? undefined : patientIdOfOwner(owner),
      detail: { reason },
    }),
  ]);
}
