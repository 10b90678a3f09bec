import {
  addedRelations,
  hiddenFieldsIn,
  relationAuthority,
  isReleasedToPatient,
  mergeHiddenFields,
  type FhirInteraction,
  type Grant,
} from '../access/index.js';
import type { RequestContext } from '../auth/index.js';
import { openOrFail } from './read-record.js';
import { authorizeOwner, coveredBy, refuseContent } from './record-access.js';
import type { RecordDeps } from './record-context.js';
import { ownerForDecision, securityContextOf, type OwnersInBatch } from './owner.js';
import { patientCompartmentRef } from './search/index.js';
import type { PreparedVersion } from './prepared-version.js';

type Resource = Record<string, unknown> & { resourceType: string };

/** What the write checks learned before the new version was prepared. */
export interface WriteCheck {
  /** The body to prepare: a restricted writer's withheld elements carried over from current. */
  body: Resource;
  /** The current version (decrypted), when an update's checks needed it. */
  current: Record<string, unknown> | undefined;
  grant: Grant;
}

/**
 * The checks before a create or update is prepared: the record's current patient and content
 * (an update may not reach into a record the writer could not read), the elements the writer
 * may set, and the patient the body names (or an attachment's securityContext), before anything
 * reveals whether that patient or record exists.
 */
export async function checkBeforeWrite(
  deps: RecordDeps,
  ctx: RequestContext,
  interaction: FhirInteraction,
  typeGrant: Grant,
  body: Resource,
  id: string,
  head: { owner: string } | undefined,
  inBatch?: OwnersInBatch,
): Promise<WriteCheck> {
  const { resourceType } = body;
  let current: Record<string, unknown> | undefined;
  let grant = typeGrant;
  if (head) {
    grant = await authorizeOwner(deps, ctx, interaction, resourceType, id, head.owner, 'forbid');
    if (!isUnrestricted(grant)) {
      const stored = await deps.resources.readCurrent(resourceType, id);
      if (stored) {
        const json = await openOrFail(deps, ctx, stored, 'update');
        current = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
        if (!coveredBy(grant, current))
          await refuseContent(
            deps,
            ctx,
            interaction,
            resourceType,
            id,
            head.owner,
            'forbid',
            'content',
          );
      }
    }
  }
  if (grant.fields !== 'all') {
    if (hiddenFieldsIn(body, grant.fields).length > 0)
      await refuseContent(
        deps,
        ctx,
        interaction,
        resourceType,
        id,
        head?.owner ?? resourceType,
        'forbid',
        'field-not-visible',
      );
    body = mergeHiddenFields(body, current, grant.fields) as Resource;
  }
  const claimed = patientCompartmentRef({ ...body, id });
  if (claimed !== undefined && claimed !== head?.owner)
    await authorizeOwner(deps, ctx, interaction, resourceType, id, claimed, 'forbid');
  // An attachment's owner is its securityContext's owner. Decide on it before preparing the
  // version, which would tell a missing context (400) from another patient's (403).
  const context = resourceType === 'Binary' ? securityContextOf(body) : undefined;
  const contextOwner = context && (await ownerForDecision(deps.resources, context, inBatch));
  if (contextOwner !== undefined && contextOwner !== claimed && contextOwner !== head?.owner)
    await authorizeOwner(deps, ctx, interaction, resourceType, id, contextOwner, 'forbid');
  return { body, current, grant };
}

/**
 * The checks after the new version is prepared: the patient it really belongs to (an attachment
 * belongs to the owner of its securityContext), its content, and who may release it.
 */
export async function checkPrepared(
  deps: RecordDeps,
  ctx: RequestContext,
  interaction: FhirInteraction,
  check: WriteCheck,
  p: PreparedVersion,
): Promise<Grant> {
  const grant = await authorizeOwner(
    deps,
    ctx,
    interaction,
    p.resourceType,
    p.id,
    p.owner,
    'forbid',
  );
  await checkRelations(deps, ctx, interaction, p, grant);
  if (isUnrestricted(grant)) return grant;
  const resource = JSON.parse(p.json.toString('utf8')) as Record<string, unknown>;
  if (!coveredBy(grant, resource))
    await refuseContent(deps, ctx, interaction, p.resourceType, p.id, p.owner, 'forbid', 'content');
  const wasReleased = check.current !== undefined && isReleasedToPatient(check.current);
  if (!grant.release && isReleasedToPatient(resource) !== wasReleased)
    await refuseContent(
      deps,
      ctx,
      interaction,
      p.resourceType,
      p.id,
      p.owner,
      'forbid',
      'release-not-permitted',
    );
  return grant;
}

/**
 * The relations a CareTeam, Appointment or lab ServiceRequest version would hold, against the
 * writer's authority to create them (ADR 0013): a write allowed only through break-glass may
 * keep or remove relations but add none, for anyone. Keyed and sealed here for the write,
 * with who creates them and under which authority.
 */
async function checkRelations(
  deps: RecordDeps,
  ctx: RequestContext,
  interaction: FhirInteraction,
  p: PreparedVersion,
  grant: Grant,
): Promise<void> {
  if (p.relations === undefined) return;
  const authority = relationAuthority(ctx.principal, grant);
  if (authority === undefined) {
    const current = await deps.relations.inForce(p.resourceType, p.id);
    if (addedRelations(current, p.relations).length > 0)
      await refuseContent(
        deps,
        ctx,
        interaction,
        p.resourceType,
        p.id,
        p.owner,
        'forbid',
        'relation-under-break-glass',
      );
  }
  p.encodedRelations = deps.relations.encode(p.resourceType, p.id, p.relations, {
    authority,
    by: ctx.principal.id,
    byKind: ctx.principal.kind,
    at: p.lastUpdated,
  });
}

function isUnrestricted(grant: Grant): boolean {
  return grant.fields === 'all' && grant.conditions.length === 0 && grant.release;
}
