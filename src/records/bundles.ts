import type { HistoryEntry } from './history-record.js';
import type { TransactionEntryResult } from './transaction.js';

type Json = Record<string, unknown>;

export function searchsetBundle(
  base: string,
  resources: Json[],
  total: number | undefined,
  links: { relation: 'self' | 'next' | 'previous'; url: string }[],
  included: Json[] = [],
): Json {
  const entry = (r: Json, mode: 'match' | 'include') => ({
    fullUrl: `${base}/${String(r.resourceType)}/${String(r.id)}`,
    resource: r,
    search: { mode },
  });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total === undefined ? {} : { total }),
    link: links,
    entry: [
      ...resources.map((r) => entry(r, 'match')),
      ...included.map((r) => entry(r, 'include')),
    ],
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
    entry: entries.map((e) =>
      e.deleted
        ? {
            // A delete has no resource: the entry says only that it happened, and when.
            fullUrl: `${base}/${resourceType}/${id}`,
            request: { method: 'DELETE', url: `${resourceType}/${id}` },
            response: {
              status: '204 No Content',
              etag: `W/"${e.version}"`,
              lastModified: e.lastUpdated,
            },
          }
        : {
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
          },
    ),
  };
}

export function transactionResponseBundle(entries: TransactionEntryResult[]): Json {
  return {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: entries.map((e) => {
      // A conditional create that matched answers 200 with the record it found.
      const p = 'matched' in e ? e.matched : e.prepared;
      const created = 'matched' in e ? false : e.created;
      return {
        response: {
          status: created ? '201 Created' : '200 OK',
          location: `${p.resourceType}/${p.id}/_history/${p.version}`,
          etag: `W/"${p.version}"`,
          lastModified: p.lastUpdated,
        },
      };
    }),
  };
}
