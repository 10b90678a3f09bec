import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BulkExports, ExportLevel } from '../bulk/index.js';
import { FhirError } from '../records/index.js';
import type { authenticate } from './request-context.js';
import { contextOf } from './request-context.js';
import { queryPairs } from './url.js';

export interface BulkRouteKit {
  bulk: BulkExports;
  auth: ReturnType<typeof authenticate>;
  base: (req: FastifyRequest) => string;
}

const NDJSON_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const TYPE = /^[A-Z][A-Za-z]{1,63}$/;

/**
 * FHIR Bulk Data Access (v2) `$export` at system, Patient and Group level (ADR 0036): an async
 * kick-off (202 + Content-Location), a status URL polled until the manifest (200), files fetched
 * with the same credentials, DELETE to cancel or to say the files are no longer needed.
 */
export function bulkRoutes(app: FastifyInstance, kit: BulkRouteKit): void {
  const { bulk, auth, base } = kit;
  const kickOff = async (
    req: FastifyRequest,
    reply: FastifyReply,
    level: ExportLevel,
    groupId?: string,
  ) => {
    if (!/(^|[\s,;])respond-async($|[\s,;])/.test(String(req.headers.prefer ?? '')))
      throw new FhirError(400, 'invalid', '$export needs the header Prefer: respond-async');
    const { types, since } = kickOffParams(queryPairs(req.raw.url ?? ''));
    const id = await bulk.kickOff(contextOf(req), {
      level,
      ...(groupId !== undefined && { groupId }),
      types,
      since,
      request: `${base(req).replace(/\/fhir\/R4$/, '')}${req.raw.url ?? ''}`,
      base: base(req),
    });
    return reply
      .status(202)
      .header('content-location', `${base(req)}/$export-status/${id}`)
      .send();
  };
  const kick = { config: { permission: 'fhir:bulkexport' as const }, preHandler: auth };
  app.get('/$export', kick, (req, reply) => kickOff(req, reply, 'system'));
  app.get('/Patient/$export', kick, (req, reply) => kickOff(req, reply, 'patient'));
  app.get<{ Params: { id: string } }>('/Group/:id/$export', kick, (req, reply) =>
    kickOff(req, reply, 'group', req.params.id),
  );

  const own = { config: { permission: 'fhir:bulkresult' as const }, preHandler: auth };
  app.get<{ Params: { id: string } }>('/$export-status/:id', own, async (req, reply) => {
    const state = await bulk.status(contextOf(req), req.params.id);
    if (state.status === 'in-progress')
      return reply
        .status(202)
        .header('x-progress', `${state.progress} resources exported`)
        .header('retry-after', '2')
        .send();
    if (state.status === 'failed')
      throw new FhirError(500, 'exception', `the export failed (${state.error}); start a new one`);
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(state.manifest);
  });
  app.delete<{ Params: { id: string } }>('/$export-status/:id', own, async (req, reply) => {
    await bulk.cancel(contextOf(req), req.params.id);
    return reply.status(202).send();
  });
  app.get<{ Params: { id: string; file: string } }>(
    '/$export-file/:id/:file',
    own,
    async (req, reply) => {
      const ndjson = await bulk.download(contextOf(req), req.params.id, req.params.file);
      return reply
        .header('content-type', 'application/fhir+ndjson')
        .header('cache-control', 'no-store')
        .send(ndjson);
    },
  );
}

/** `_outputFormat`, `_type` and `_since`; any other parameter is refused, not ignored. */
function kickOffParams(pairs: Array<[string, string]>): {
  types: string[] | undefined;
  since: string | undefined;
} {
  let types: string[] | undefined;
  let since: string | undefined;
  for (const [k, v] of pairs) {
    if (k === '_outputFormat') {
      if (!NDJSON_FORMATS.has(v))
        throw new FhirError(400, 'not-supported', '_outputFormat must be application/fhir+ndjson');
    } else if (k === '_type') {
      const list = v.split(',').map((t) => t.trim());
      if (list.some((t) => !TYPE.test(t)))
        throw new FhirError(400, 'invalid', '_type must list resource types');
      types = [...(types ?? []), ...list];
    } else if (k === '_since') {
      if (since !== undefined || !INSTANT.test(v) || Number.isNaN(Date.parse(v)))
        throw new FhirError(400, 'invalid', '_since must be one FHIR instant');
      since = new Date(v).toISOString();
    } else
      throw new FhirError(400, 'not-supported', '$export takes _outputFormat, _type and _since');
  }
  return { types, since };
}
