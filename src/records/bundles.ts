import type { HistoryEntry } from './history-record.js';
import type { PreparedVersion } from './prepared-version.js';

type Json = Record<string, unknown>;

export function searchsetBundle(
  base: string,
  resources: Json[],
  total: number | undefined,
  links: { relation: 'self' | 'next' | 'previous'; url: string }[],
): Json {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total === undefined ? {} : { total }),
    link: links,
    entry: resources.map((r) => ({
      fullUrl: `${base}/${String(r.resourceType)}/${String(r.id)}`,
      resource: r,
      search: { mode: 'match' },
    })),
  };
}

export function historyBundle(
  base: string,
  resourceType: string,
  id: string,
  entries: HistoryEntry[],
): Json {
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: entries.length,
    entry: entries.map((e) => ({
      fullUrl: `${base}/${resourceType}/${id}`,
      resource: e.resource,
      request: {
        method: e.version === 1 ? 'POST' : 'PUT',
        url: e.version === 1 ? resourceType : `${resourceType}/${id}`,
      },
      response: {
        status: e.version === 1 ? '201 Created' : '200 OK',
        etag: `W/"${e.version}"`,
        lastModified: e.lastUpdated,
      },
    })),
  };
}

export function transactionResponseBundle(
  entries: { prepared: PreparedVersion; created: boolean }[],
): Json {
  return {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: entries.map(({ prepared: p, created }) => ({
      response: {
        status: created ? '201 Created' : '200 OK',
        location: `${p.resourceType}/${p.id}/_history/${p.version}`,
        etag: `W/"${p.version}"`,
        lastModified: p.lastUpdated,
      },
    })),
  };
}
