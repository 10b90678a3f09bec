import {
  decideApiAccess,
  decideFhirAccess,
  MFA_REQUIRED,
  scopesPermit,
  type Decision,
  type FhirInteraction,
} from '../access/index.js';
import {
  auditEntryFromRow,
  AuditQueryError,
  parseAuditQuery,
  requestDraft,
  toAuditEvent,
  type AuditDraft,
} from '../audit/index.js';
import type { ClientStore, RequestContext } from '../auth/index.js';
import { FhirError, searchsetBundle } from '../records/index.js';
import type { AuditRepository, BatchWriter } from '../store/index.js';
import { ROUTE_SCOPES, type ScopeRequirement } from './permissions.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/audit.js';
import { authenticate, contextOf, type AuthenticateOptions } from './request-context.js';
import { publicOrigin, queryPairs } from './url.js';

export interface AuditRouteOptions extends AuthenticateOptions {
  auditRepo: AuditRepository;
  writer: BatchWriter<AuditDraft>;
  clients: ClientStore;
  publicBaseUrl: string | undefined;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/**
 * Read-only views of the audit trail: FHIR AuditEvent (for privacy officers' tools) and the
 * accounting of disclosures for one patient. Looking at the trail is itself audited.
 */
export async function auditRoutes(app: ApiApp, opts: AuditRouteOptions): Promise<void> {
  const auth = authenticate(opts);
  const trail = (ctx: RequestContext, interaction: FhirInteraction) =>
    decideFhirAccess(
      ctx.principal,
      { interaction, resourceType: 'AuditEvent' },
      undefined,
      ctx.policy,
    );
  const guard = async (ctx: RequestContext, decision: Decision, detail: AuditDraft['detail']) => {
    await opts.writer.submit({
      onSuccess: () => [
        requestDraft(ctx, {
          action: 'audit-read',
          outcome: decision.allowed ? 'success' : 'denied',
          resourceType: 'AuditEvent',
          detail: decision.allowed ? detail : { ...detail, reason: decision.reason },
        }),
      ],
      onFailure: () => [],
    });
    if (decision.reason === MFA_REQUIRED) {
      throw new FhirError(401, 'login', 'complete the second factor');
    }
    if (!decision.allowed)
      throw new FhirError(
        403,
        'forbidden',
        'your credentials do not allow reading the audit trail',
      );
  };

  app.get<{ Params: { id: string } }>(
    '/fhir/R4/AuditEvent/:id',
    { config: { permission: 'audit:read' }, preHandler: auth },
    async (req, reply) => {
      if (!/^(0|[1-9][0-9]{0,14})$/.test(req.params.id))
        throw new FhirError(400, 'invalid', 'AuditEvent ids are sequence numbers');
      const ctx = contextOf(req);
      await guard(ctx, trail(ctx, 'read'), { seq: Number(req.params.id) });
      const row = await opts.auditRepo.entry(Number(req.params.id));
      if (!row) throw new FhirError(404, 'not-found', 'resource not found');
      return reply.header('content-type', FHIR_JSON).send(toAuditEvent(auditEntryFromRow(row)));
    },
  );

  app.get(
    '/fhir/R4/AuditEvent',
    { config: { permission: 'audit:search' }, preHandler: auth },
    async (req, reply) => {
      const pairs = queryPairs(req.raw.url ?? '');
      const { query, count, offset } = parse(pairs);
      const ctx = contextOf(req);
      await guard(ctx, trail(ctx, 'search'), {
        params: [...new Set(pairs.map(([k]) => k))].sort(),
      });
      const { rows, total } = await opts.auditRepo.search(query, count, offset);
      const base = `${publicOrigin(req, opts.publicBaseUrl)}/fhir/R4`;
      const keep = pairs.filter(([k]) => k !== '_offset');
      const link = (o: number) =>
        `${base}/AuditEvent?${new URLSearchParams([...keep, ['_offset', String(o)]]).toString()}`;
      const links: { relation: 'self' | 'next' | 'previous'; url: string }[] = [
        { relation: 'self', url: link(offset) },
      ];
      if (offset + count < total) links.push({ relation: 'next', url: link(offset + count) });
      if (offset > 0) links.push({ relation: 'previous', url: link(Math.max(0, offset - count)) });
      const events = rows.map((r) => toAuditEvent(auditEntryFromRow(r)));
      return reply
        .header('content-type', FHIR_JSON)
        .send(searchsetBundle(base, events, total, links));
    },
  );

  // Accounting of disclosures (45 CFR 164.528): who accessed this patient's record, when, how.
  // Staff-internal details (addresses, user agents, request ids) are left out.
  app.get(
    '/api/patients/:id/disclosures',
    { config: { permission: 'audit:disclosures' }, preHandler: auth, schema: S.disclosures },
    async (req) => {
      const ctx = contextOf(req);
      // The patient themself, or a privacy officer: the same decision as every /api action,
      // and the token's scopes on top (an app acting for the patient needs an AuditEvent scope).
      const owner = `Patient/${req.params.id}`;
      const decision = decideApiAccess(ctx.principal, 'disclosures:read', owner, ctx.policy);
      await guard(ctx, withScopes(ctx, decision, DISCLOSURES_SCOPE, owner), {
        disclosuresOf: req.params.id,
      });
      const rows = await opts.auditRepo.forPatient(req.params.id, 1000);
      return {
        patient: req.params.id,
        accesses: rows.map((r) => ({
          when: r.at,
          who: { type: r.actor_type, id: r.actor_id },
          action: r.action,
          outcome: r.outcome,
          ...(r.resource_type
            ? { resource: r.resource_id ? `${r.resource_type}/${r.resource_id}` : r.resource_type }
            : {}),
          ...(r.reason ? { reason: r.reason } : {}),
        })),
      };
    },
  );
}

const DISCLOSURES_SCOPE = ROUTE_SCOPES['audit:disclosures'] as Extract<
  ScopeRequirement,
  { kind: 'scope' }
>;

/**
 * The route's declared scope applied to a decision. An integration (API client) is decided by its
 * `system/AuditEvent` scope alone, as before; a person's role decides, and an app acting for them
 * needs the scope too.
 */
function withScopes(
  ctx: RequestContext,
  decision: Decision,
  need: Extract<ScopeRequirement, { kind: 'scope' }>,
  owner: string,
): Decision {
  if (ctx.principal.kind === 'client')
    return decideFhirAccess(
      ctx.principal,
      { interaction: need.interaction, resourceType: need.resourceType },
      undefined,
      ctx.policy,
    );
  if (!decision.allowed) return decision;
  return scopesPermit(ctx.principal, need.resourceType, need.interaction, owner)
    ? decision
    : { allowed: false, reason: 'scope-missing' };
}

function parse(pairs: Array<[string, string]>) {
  try {
    return parseAuditQuery(pairs);
  } catch (e) {
    if (e instanceof AuditQueryError) throw new FhirError(400, 'invalid', e.message);
    throw e;
  }
}
