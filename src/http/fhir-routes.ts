import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientStore } from '../auth/index.js';
import {
  capabilityStatement,
  createRecord,
  FhirError,
  historyBundle,
  historyRecord,
  patientEverything,
  openCursor,
  readRecord,
  compartmentQuery,
  conditionalCreate,
  conditionalDelete,
  conditionalUpdate,
  deleteRecord,
  isBatch,
  runBatch,
  expandChains,
  includedResources,
  splitDepthParams,
  withElements,
  withSummary,
  parseSummary,
  patchRecord,
  runTransaction,
  sealCursor,
  searchRecords,
  searchsetBundle,
  transactionResponseBundle,
  updateRecord,
  type RecordBytes,
  type RecordDeps,
} from '../records/index.js';
import type { BulkExports } from '../bulk/index.js';
import { bulkRoutes } from './bulk-routes.js';
import { rawBinaryResource, registerFhirBodyParsers } from './fhir-body.js';
import { authenticate, contextOf, type AuthenticateOptions } from './request-context.js';
import { publicOrigin, queryPairs } from './url.js';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export interface FhirRouteOptions extends AuthenticateOptions {
  records: RecordDeps;
  /** Bulk Data $export jobs (ADR 0036). */
  bulk: BulkExports;
  clients: ClientStore;
  software: { name: string; version: string };
  binaryLimitBytes: number;
  /** Public base URL (https://host:port); derived from the Host header when absent. */
  publicBaseUrl: string | undefined;
}

type Params = { type: string; id: string; vid: string };

/** The FHIR R4 REST API at /fhir/R4: every route authenticates, and records decide access. */
export async function fhirRoutes(app: FastifyInstance, opts: FhirRouteOptions): Promise<void> {
  registerFhirBodyParsers(app, opts.binaryLimitBytes);
  const kit: FhirKit = {
    records: opts.records,
    auth: authenticate(opts),
    base: (req: FastifyRequest) => `${publicOrigin(req, opts.publicBaseUrl)}/fhir/R4`,
  };
  serverRoutes(app, kit, opts.software);
  searchRoutes(app, kit);
  instanceRoutes(app, kit);
  historyRoutes(app, kit);
  deleteAndPatchRoutes(app, kit);
  bulkRoutes(app, { bulk: opts.bulk, auth: kit.auth, base: kit.base });
}

/** What every group of FHIR routes shares. */
interface FhirKit {
  records: RecordDeps;
  /** The preHandler that resolves the caller to a principal (or refuses, audited). */
  auth: ReturnType<typeof authenticate>;
  /** This server's FHIR base URL, for links and Location headers. */
  base: (req: FastifyRequest) => string;
}

/** The server as a whole: its CapabilityStatement and transaction Bundles. */
function serverRoutes(
  app: FastifyInstance,
  { records, auth, base }: FhirKit,
  software: FhirRouteOptions['software'],
): void {
  app.get('/metadata', { config: { permission: 'public' } }, async (req, reply) =>
    reply.header('content-type', FHIR_JSON).send(capabilityStatement(base(req), software)),
  );

  app.post(
    '/',
    { config: { permission: 'fhir:transaction' }, preHandler: auth },
    async (req, reply) => {
      if (isBatch(req.body))
        return reply
          .header('content-type', FHIR_JSON)
          .send(await runBatch(records, contextOf(req), req.body, base(req)));
      const result = await runTransaction(records, contextOf(req), req.body);
      return reply
        .header('content-type', FHIR_JSON)
        .send(transactionResponseBundle(result.entries));
    },
  );
}

/** Search by GET or POST _search; paging links carry a sealed cursor, never the parameters. */
function searchRoutes(app: FastifyInstance, kit: FhirKit): void {
  const { records, auth, base } = kit;
  const search = async (
    req: FastifyRequest,
    reply: FastifyReply,
    resourceType: string,
    pairs: Array<[string, string]>,
  ) => {
    const ctx = contextOf(req);
    let query = pairs;
    const cursor = pairs.find(([k]) => k === '_cursor');
    if (cursor) {
      if (pairs.length !== 1)
        throw new FhirError(400, 'invalid', '_cursor cannot be combined with other parameters');
      const state = openCursor(records.cursorKey, ctx.principal.id, cursor[1], records.clock());
      if (state.resourceType !== resourceType)
        throw new FhirError(400, 'invalid', 'the paging cursor belongs to another search');
      query = [...state.query.filter(([k]) => k !== '_offset'), ['_offset', String(state.offset)]];
    }
    const { rest, depth } = splitDepthParams(query);
    const chained = await expandChains(records, ctx, resourceType, rest);
    const page = await searchRecords(records, ctx, resourceType, chained);
    const included = await includedResources(records, ctx, resourceType, page.resources, depth);
    const { count, offset } = page.request;
    // The cursor keeps what was asked (chains re-run, includes re-read on the next page).
    const asked = query.filter(([k]) => k !== '_offset');
    const url = (o: number) =>
      `${base(req)}/${resourceType}?_cursor=${sealCursor(records.cursorKey, ctx.principal.id, { resourceType, query: asked, offset: o }, records.clock())}`;
    const links: { relation: 'self' | 'next' | 'previous'; url: string }[] = [
      { relation: 'self', url: url(offset) },
    ];
    if (!page.request.summaryCount && offset + count < page.total)
      links.push({ relation: 'next', url: url(offset + count) });
    if (offset > 0) links.push({ relation: 'previous', url: url(Math.max(0, offset - count)) });
    const total = page.request.total === 'none' ? undefined : page.total;
    const shape = (r: Record<string, unknown>) =>
      depth.elements
        ? withElements(r, depth.elements)
        : depth.summary
          ? withSummary(r, depth.summary)
          : r;
    return reply
      .header('content-type', FHIR_JSON)
      .send(
        searchsetBundle(
          base(req),
          page.resources.map(shape),
          total,
          links,
          depth.summary ? included.map(shape) : included,
        ),
      );
  };

  app.get<{ Params: Params }>(
    '/:type',
    { config: { permission: 'fhir:search' }, preHandler: auth },
    (req, reply) => search(req, reply, req.params.type, queryPairs(req.raw.url ?? '')),
  );
  app.post<{ Params: Params }>(
    '/:type/_search',
    { config: { permission: 'fhir:search' }, preHandler: auth },
    (req, reply) => {
      const body = typeof req.body === 'string' ? req.body : '';
      return search(req, reply, req.params.type, [
        ...queryPairs(req.raw.url ?? ''),
        ...new URLSearchParams(body),
      ]);
    },
  );

  // Patient compartment search: Patient/{id}/Observation is Observation?patient=Patient/{id}.
  app.get<{ Params: { id: string; type: string } }>(
    '/Patient/:id/:type',
    // The router takes Patient/{id}/_history here too (a static "Patient" outranks ":type"):
    // it is still the history, under the history permission.
    {
      config: { permission: 'fhir:search' },
      preHandler: auth,
    },
    async (req, reply) => {
      if (req.params.type === '_history')
        return sendHistory(kit, req, reply, 'Patient', req.params.id);
      const query = queryPairs(req.raw.url ?? '');
      if (req.params.type === '*') {
        const resources = await patientEverything(records, contextOf(req), req.params.id, query);
        return reply
          .header('content-type', FHIR_JSON)
          .send(
            searchsetBundle(base(req), resources, resources.length, [
              { relation: 'self', url: `${base(req)}/Patient/${req.params.id}/*` },
            ]),
          );
      }
      const type = req.params.type;
      return search(req, reply, type, compartmentQuery(req.params.id, type, query));
    },
  );
}

/** One record: create, read, update, and a patient's whole record ($everything). */
function instanceRoutes(app: FastifyInstance, { records, auth, base }: FhirKit): void {
  app.post<{ Params: Params }>(
    '/:type',
    { config: { permission: 'fhir:create' }, preHandler: auth },
    async (req, reply) => {
      const body = rawBinaryResource(req.params.type, req.body, req.headers['x-security-context']);
      const criteria = req.headers['if-none-exist'];
      const { record: rec, created } =
        typeof criteria === 'string'
          ? await conditionalCreate(records, contextOf(req), req.params.type, body, criteria)
          : {
              record: await createRecord(records, contextOf(req), req.params.type, body),
              created: true,
            };
      reply
        .status(created ? 201 : 200)
        .header('location', `${base(req)}/${rec.resourceType}/${rec.id}/_history/${rec.version}`);
      return sendRecord(req, reply, rec);
    },
  );

  app.get<{ Params: Params }>(
    '/:type/:id',
    { config: { permission: 'fhir:read' }, preHandler: auth },
    async (req, reply) => {
      summaryOf(req); // a bad _summary is refused before anything is read
      return sendRecord(
        req,
        reply,
        await readRecord(records, contextOf(req), req.params.type, req.params.id, undefined, {
          download: rawBinaryWanted(req, req.params.type),
        }),
      );
    },
  );

  app.get<{ Params: Params }>(
    '/Patient/:id/$everything',
    { config: { permission: 'fhir:export' }, preHandler: auth },
    async (req, reply) => {
      const resources = await patientEverything(
        records,
        contextOf(req),
        req.params.id,
        queryPairs(req.raw.url ?? ''),
      );
      return reply
        .header('content-type', FHIR_JSON)
        .send(
          searchsetBundle(base(req), resources, resources.length, [
            { relation: 'self', url: `${base(req)}/Patient/${req.params.id}/$everything` },
          ]),
        );
    },
  );

  // Conditional update: PUT Type?criteria updates the one match, or creates when none does.
  // The same operation by POST, as clients send operations by default: its input as Parameters.
  app.post<{ Params: Params }>(
    '/Patient/:id/$everything',
    { config: { permission: 'fhir:export' }, preHandler: auth },
    async (req, reply) => {
      const resources = await patientEverything(records, contextOf(req), req.params.id, [
        ...queryPairs(req.raw.url ?? ''),
        ...operationInput(req.body),
      ]);
      return reply
        .header('content-type', FHIR_JSON)
        .send(
          searchsetBundle(base(req), resources, resources.length, [
            { relation: 'self', url: `${base(req)}/Patient/${req.params.id}/$everything` },
          ]),
        );
    },
  );

  app.put<{ Params: { type: string } }>(
    '/:type',
    { config: { permission: 'fhir:update' }, preHandler: auth },
    async (req, reply) => {
      const { record, created } = await conditionalUpdate(
        records,
        contextOf(req),
        req.params.type,
        req.body,
        queryString(req),
        ifMatch(req),
      );
      if (created)
        reply
          .status(201)
          .header(
            'location',
            `${base(req)}/${record.resourceType}/${record.id}/_history/${record.version}`,
          );
      return sendRecord(req, reply, record);
    },
  );

  app.put<{ Params: Params }>(
    '/:type/:id',
    { config: { permission: 'fhir:update' }, preHandler: auth },
    async (req, reply) => {
      const body = rawBinaryResource(
        req.params.type,
        req.body,
        req.headers['x-security-context'],
        req.params.id,
      );
      const { record, created } = await updateRecord(
        records,
        contextOf(req),
        req.params.type,
        req.params.id,
        body,
        ifMatch(req),
      );
      if (created)
        reply
          .status(201)
          .header(
            'location',
            `${base(req)}/${record.resourceType}/${record.id}/_history/${record.version}`,
          );
      return sendRecord(req, reply, record);
    },
  );
}

/** A record's versions: its history and one version (vread). */
function historyRoutes(app: FastifyInstance, { records, auth, base }: FhirKit): void {
  app.get<{ Params: Params }>(
    '/:type/:id/_history',
    { config: { permission: 'fhir:history' }, preHandler: auth },
    (req, reply) =>
      sendHistory({ records, auth, base }, req, reply, req.params.type, req.params.id),
  );

  app.get<{ Params: Params }>(
    '/:type/:id/_history/:vid',
    { config: { permission: 'fhir:vread' }, preHandler: auth },
    async (req, reply) => {
      if (!/^[1-9][0-9]{0,9}$/.test(req.params.vid))
        throw new FhirError(400, 'invalid', 'the version id must be a positive integer');
      return sendRecord(
        req,
        reply,
        await readRecord(
          records,
          contextOf(req),
          req.params.type,
          req.params.id,
          Number(req.params.vid),
          { download: rawBinaryWanted(req, req.params.type) },
        ),
      );
    },
  );
}

/** Instance history as a Bundle. */
async function sendHistory(
  { records, base }: FhirKit,
  req: FastifyRequest,
  reply: FastifyReply,
  resourceType: string,
  id: string,
): Promise<FastifyReply> {
  const entries = await historyRecord(records, contextOf(req), resourceType, id);
  return reply
    .header('content-type', FHIR_JSON)
    .send(historyBundle(base(req), resourceType, id, entries));
}

/** DELETE (a tombstone version, history kept) and PATCH with a JSON Patch document. */
function deleteAndPatchRoutes(app: FastifyInstance, { records, auth }: FhirKit): void {
  app.delete<{ Params: Params }>(
    '/:type/:id',
    { config: { permission: 'fhir:delete' }, preHandler: auth },
    async (req, reply) => {
      const { version } = await deleteRecord(
        records,
        contextOf(req),
        req.params.type,
        req.params.id,
      );
      if (version !== undefined) reply.header('etag', `W/"${version}"`);
      return reply.status(204).send();
    },
  );
  // Conditional delete: DELETE Type?criteria deletes the one match (several: 412).
  app.delete<{ Params: { type: string } }>(
    '/:type',
    { config: { permission: 'fhir:delete' }, preHandler: auth },
    async (req, reply) => {
      const { version } = await conditionalDelete(
        records,
        contextOf(req),
        req.params.type,
        queryString(req),
      );
      if (version !== undefined) reply.header('etag', `W/"${version}"`);
      return reply.status(204).send();
    },
  );
  app.patch<{ Params: Params }>(
    '/:type/:id',
    { config: { permission: 'fhir:patch' }, preHandler: auth },
    async (req, reply) => {
      const { record } = await patchRecord(
        records,
        contextOf(req),
        req.params.type,
        req.params.id,
        req.body,
        ifMatch(req),
      );
      return sendRecord(req, reply, record);
    },
  );
}

/**
 * An operation's input Parameters as name/value pairs (primitive values only, which is all the
 * read operations take); an empty body is no input. Anything else is refused, naming nothing.
 */
function operationInput(body: unknown): Array<[string, string]> {
  if (body === undefined || body === null || body === '') return [];
  const params = body as { resourceType?: unknown; parameter?: unknown };
  if (params.resourceType !== 'Parameters')
    throw new FhirError(400, 'invalid', 'an operation body is a Parameters resource');
  const list = Array.isArray(params.parameter) ? (params.parameter as unknown[]) : [];
  return list.map((p) => {
    const entry = (p ?? {}) as Record<string, unknown>;
    const key = Object.keys(entry).find((k) => k.startsWith('value'));
    const value = key === undefined ? undefined : entry[key];
    if (typeof entry.name !== 'string' || !['string', 'number', 'boolean'].includes(typeof value))
      throw new FhirError(400, 'invalid', 'an operation parameter has a name and a simple value');
    return [entry.name, String(value)];
  });
}

/** The request's query string, without its '?' (a conditional write's criteria). */
function queryString(req: FastifyRequest): string {
  const url = req.raw.url ?? '';
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
}

/** Sends a record's stored JSON as is (no re-serialization), or a Binary's raw bytes if asked. */
function sendRecord(req: FastifyRequest, reply: FastifyReply, rec: RecordBytes): FastifyReply {
  reply
    .header('etag', `W/"${rec.version}"`)
    .header('last-modified', new Date(rec.lastUpdated).toUTCString());
  if (req.headers.prefer === 'return=minimal') return reply.send();
  if (rec.resourceType === 'Binary' && !wantsFhirJson(req)) {
    const binary = JSON.parse(rec.json.toString('utf8')) as { contentType: string; data?: string };
    return reply
      .header('content-type', binary.contentType)
      .header('content-disposition', 'attachment')
      .header('x-content-type-options', 'nosniff')
      .send(Buffer.from(binary.data ?? '', 'base64'));
  }
  const summary = summaryOf(req);
  if (summary !== undefined && summary !== 'false') {
    const resource = JSON.parse(rec.json.toString('utf8')) as Record<string, unknown>;
    return reply.header('content-type', FHIR_JSON).send(withSummary(resource, summary));
  }
  return reply.header('content-type', FHIR_JSON).send(rec.json);
}

/** `_summary` on a read or vread (`count` belongs to searches). */
function summaryOf(req: FastifyRequest): ReturnType<typeof parseSummary> | undefined {
  const values = queryPairs(req.raw.url ?? '').filter(([k]) => k === '_summary');
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new FhirError(400, 'invalid', '_summary may be given once');
  return parseSummary(values[0]![1]);
}

function rawBinaryWanted(req: FastifyRequest, resourceType: string): boolean {
  return resourceType === 'Binary' && !wantsFhirJson(req);
}

function wantsFhirJson(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return (
    /application\/(fhir\+)?json/.test(accept) ||
    /[?&]_format=(json|application\/(fhir\+)?json)/.test(req.url)
  );
}

function ifMatch(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined) return undefined;
  const m = /^(?:W\/)?"([1-9][0-9]{0,9})"$/.exec(String(h).trim());
  if (!m) throw new FhirError(400, 'invalid', 'If-Match must be an ETag like W/"3"');
  return Number(m[1]);
}
