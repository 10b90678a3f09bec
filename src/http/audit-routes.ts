import { MFA_REQUIRED } from '../access/index.js';
import { AuditQueryError, type AuditViews, type Viewed } from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';
import { FhirError, searchsetBundle } from '../records/index.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/audit.js';
import { authenticate, contextOf, type AuthenticateOptions } from './request-context.js';
import { publicOrigin, queryPairs } from './url.js';

export interface AuditRouteOptions extends AuthenticateOptions {
  /** Who may see what of the trail is the audit views' decision (src/audit/views). */
  auditViews: AuditViews<RequestContext>;
  /** The server's clock (injectable in tests), for when the status was checked. */
  clock?: () => Date;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/**
 * Read-only views of the audit trail: FHIR AuditEvent (for privacy officers' tools) and the
 * accounting of disclosures for one patient. The routes parse the request and shape the answer;
 * the views decide who may look and record every look before anything is read.
 */
export async function auditRoutes(app: ApiApp, opts: AuditRouteOptions): Promise<void> {
  const auth = authenticate(opts);
  const views = opts.auditViews;

  app.get<{ Params: { id: string } }>(
    '/fhir/R4/AuditEvent/:id',
    { config: { permission: 'audit:read' }, preHandler: auth },
    async (req, reply) => {
      if (!/^(0|[1-9][0-9]{0,14})$/.test(req.params.id))
        throw new FhirError(400, 'invalid', 'AuditEvent ids are sequence numbers');
      const event = allowedOrThrow(await views.event(contextOf(req), Number(req.params.id)));
      if (!event) throw new FhirError(404, 'not-found', 'resource not found');
      return reply.header('content-type', FHIR_JSON).send(event);
    },
  );

  app.get(
    '/fhir/R4/AuditEvent',
    { config: { permission: 'audit:search' }, preHandler: auth },
    async (req, reply) => {
      const pairs = queryPairs(req.raw.url ?? '');
      const found = allowedOrThrow(await search(views, contextOf(req), pairs));
      const { events, total, count, offset } = found;
      const base = `${publicOrigin(req, opts.publicBaseUrl)}/fhir/R4`;
      const keep = pairs.filter(([k]) => k !== '_offset');
      const link = (o: number) =>
        `${base}/AuditEvent?${new URLSearchParams([...keep, ['_offset', String(o)]]).toString()}`;
      const links: { relation: 'self' | 'next' | 'previous'; url: string }[] = [
        { relation: 'self', url: link(offset) },
      ];
      if (offset + count < total) links.push({ relation: 'next', url: link(offset + count) });
      if (offset > 0) links.push({ relation: 'previous', url: link(Math.max(0, offset - count)) });
      return reply
        .header('content-type', FHIR_JSON)
        .send(searchsetBundle(base, events, total, links));
    },
  );

  // Verifies the whole trail on each call: an auditor's occasional look, rate-limited like
  // every /api route; a large trail is better checked with `haven audit verify`.
  app.get(
    '/api/audit/status',
    { config: { permission: 'audit:search' }, preHandler: auth, schema: S.trailStatus },
    async (req) =>
      allowedOrThrow(await views.status(contextOf(req), opts.clock ?? (() => new Date()))),
  );

  // Accounting of disclosures (45 CFR 164.528): who accessed this patient's record, when, how.
  // Staff-internal details (addresses, user agents, request ids) are left out by the view.
  app.get(
    '/api/patients/:id/disclosures',
    { config: { permission: 'audit:disclosures' }, preHandler: auth, schema: S.disclosures },
    async (req) => {
      const accesses = allowedOrThrow(await views.disclosures(contextOf(req), req.params.id));
      return { patient: req.params.id, accesses };
    },
  );
}

/** A view's refusal as the FHIR answer: 401 for a missing second factor, else 403. */
function allowedOrThrow<T>(viewed: Viewed<T>): T {
  if (viewed.allowed) return viewed.value;
  if (viewed.reason === MFA_REQUIRED)
    throw new FhirError(401, 'login', 'complete the second factor');
  throw new FhirError(403, 'forbidden', 'your credentials do not allow reading the audit trail');
}

/** The search view, with an invalid parameter answered 400 (before anything is recorded). */
async function search(
  views: AuditViews<RequestContext>,
  ctx: RequestContext,
  pairs: Array<[string, string]>,
) {
  try {
    return await views.search(ctx, pairs);
  } catch (e) {
    if (e instanceof AuditQueryError) throw new FhirError(400, 'invalid', e.message);
    throw e;
  }
}
