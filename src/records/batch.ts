import type { RequestContext } from '../auth/index.js';
import { conditionalCreate } from './conditional-create.js';
import { deleteRecord } from './delete-record.js';
import { FhirError, operationOutcome } from './errors.js';
import { readRecord, type RecordBytes } from './read-record.js';
import { audit, draft, type RecordDeps } from './record-context.js';
import { searchRecords } from './search-records.js';
import { createRecord, updateRecord } from './write-record.js';

const MAX_ENTRIES = 1000;
const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
};

type Json = Record<string, unknown>;

interface BatchEntry {
  request?: { method?: unknown; url?: unknown; ifNoneExist?: unknown; ifMatch?: unknown };
  resource?: unknown;
}

/**
 * A FHIR batch Bundle: each entry is its own interaction, run in order and answered on its own
 * (R4 3.1.0.11.2) — one entry's refusal or error is its entry's OperationOutcome and the rest go
 * on. Each entry is decided, audited and written exactly as the same request sent alone. What
 * must stop the whole batch still does: a failure to audit, a key that cannot be unwrapped or a
 * lost database (5xx) fails the request closed, so no entry's PHI goes out unaudited.
 */
export async function runBatch(
  deps: RecordDeps,
  ctx: RequestContext,
  bundle: unknown,
  base: string,
): Promise<Json> {
  const entries = readBatch(bundle);
  const out: Json[] = [];
  for (const [index, entry] of entries.entries()) {
    try {
      out.push(await runEntry(deps, ctx, entry, base));
    } catch (e) {
      if (!(e instanceof FhirError) || e.status >= 500) throw e;
      // The request answers 200, so the refusal hook never sees this entry's 4xx: every refused
      // entry gets its own entry here, durable before the answer (or the batch fails closed).
      await audit(deps, [refusedEntry(ctx, index, e)]);
      out.push({
        response: {
          status: statusLine(e.status),
          outcome: operationOutcome(e.issues, ctx.requestId),
        },
      });
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry: out };
}

/** PHI-free: the entry's position, status and issue code; the entry's url and body are not kept. */
function refusedEntry(ctx: RequestContext, index: number, e: FhirError) {
  const denied = e.status === 401 || e.status === 403 || e.status === 429;
  return draft(ctx, {
    action: 'request-refused',
    outcome: denied ? 'denied' : 'failure',
    reason: e.issues[0]?.code ?? `http-${e.status}`,
    detail: { route: 'batch-entry', entry: index, status: e.status },
  });
}

async function runEntry(
  deps: RecordDeps,
  ctx: RequestContext,
  e: BatchEntry,
  base: string,
): Promise<Json> {
  const method = e.request?.method;
  const url = e.request?.url;
  if (typeof url !== 'string' || url.length === 0 || url.length > 2048)
    throw new FhirError(400, 'invalid', 'the entry has no request url');
  const [path, query = ''] = url.split('?', 2) as [string, string?];
  const parts = path.replace(/^\//, '').split('/');
  const [type, id, history, vid] = parts as [string, string?, string?, string?];
  switch (method) {
    case 'GET': {
      if (id === undefined) {
        const page = await searchRecords(deps, ctx, type, [...new URLSearchParams(query)]);
        return {
          resource: {
            resourceType: 'Bundle',
            type: 'searchset',
            total: page.request.total === 'none' ? undefined : page.total,
            entry: page.resources.map((r) => ({
              fullUrl: `${base}/${type}/${String(r.id)}`,
              resource: r,
              search: { mode: 'match' },
            })),
          },
          response: { status: statusLine(200) },
        };
      }
      if (parts.length === 4 && history === '_history' && /^[1-9][0-9]{0,9}$/.test(vid ?? ''))
        return ok(await readRecord(deps, ctx, type, id, Number(vid)), 200);
      if (parts.length !== 2)
        throw new FhirError(400, 'not-supported', 'this GET is not supported in a batch');
      return ok(await readRecord(deps, ctx, type, id), 200);
    }
    case 'POST': {
      if (parts.length !== 1)
        throw new FhirError(400, 'invalid', 'a POST entry url is the resource type');
      const criteria = e.request?.ifNoneExist;
      if (typeof criteria === 'string') {
        const { record, created } = await conditionalCreate(deps, ctx, type, e.resource, criteria);
        return ok(record, created ? 201 : 200);
      }
      return ok(await createRecord(deps, ctx, type, e.resource), 201);
    }
    case 'PUT': {
      if (parts.length !== 2 || id === undefined)
        throw new FhirError(400, 'invalid', 'a PUT entry url is Type/id');
      const { record, created } = await updateRecord(deps, ctx, type, id, e.resource, ifMatchOf(e));
      return ok(record, created ? 201 : 200);
    }
    case 'DELETE': {
      if (parts.length !== 2 || id === undefined)
        throw new FhirError(400, 'invalid', 'a DELETE entry url is Type/id');
      const { version } = await deleteRecord(deps, ctx, type, id);
      return {
        response: { status: statusLine(204), ...(version ? { etag: `W/"${version}"` } : {}) },
      };
    }
    default:
      throw new FhirError(400, 'not-supported', 'a batch entry method is GET, POST, PUT or DELETE');
  }
}

function ok(rec: RecordBytes, status: number): Json {
  return {
    resource: JSON.parse(rec.json.toString('utf8')) as Json,
    response: {
      status: statusLine(status),
      location: `${rec.resourceType}/${rec.id}/_history/${rec.version}`,
      etag: `W/"${rec.version}"`,
      lastModified: rec.lastUpdated,
    },
  };
}

function ifMatchOf(e: BatchEntry): number | undefined {
  const h = e.request?.ifMatch;
  if (h === undefined) return undefined;
  const m = typeof h === 'string' ? /^(?:W\/)?"([1-9][0-9]{0,9})"$/.exec(h.trim()) : null;
  if (!m) throw new FhirError(400, 'invalid', 'ifMatch must be an ETag like W/"3"');
  return Number(m[1]);
}

function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? ''}`.trim();
}

function readBatch(bundle: unknown): BatchEntry[] {
  const entries = (bundle as { entry?: unknown }).entry;
  if (!Array.isArray(entries) || entries.length === 0)
    throw new FhirError(400, 'invalid', 'the batch has no entries');
  if (entries.length > MAX_ENTRIES)
    throw new FhirError(400, 'too-costly', `a batch may hold at most ${MAX_ENTRIES} entries`);
  entries.forEach((e: unknown, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e))
      throw new FhirError(400, 'invalid', `entry ${i} is not an object`);
  });
  return entries as BatchEntry[];
}

/** Whether a POSTed Bundle is a batch (the rest go to the transaction, which says what it takes). */
export function isBatch(bundle: unknown): boolean {
  const b = bundle as { resourceType?: unknown; type?: unknown } | null;
  return typeof b === 'object' && b !== null && b.resourceType === 'Bundle' && b.type === 'batch';
}
