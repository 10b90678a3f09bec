import type { RequestContext } from '../../auth/index.js';
import { readRecord, searchRecords, type RecordDeps } from '../../records/index.js';

export type Json = Record<string, unknown>;

/** Reads and searches through the vault as the caller, parsed: each one access-checked and audited. */
export interface Vault {
  records: RecordDeps;
  read(ctx: RequestContext, type: string, id: string): Promise<Json>;
  search(ctx: RequestContext, type: string, q: [string, string][]): Promise<Json[]>;
}

export function vaultOf(records: RecordDeps): Vault {
  return {
    records,
    read: async (ctx, type, id) =>
      JSON.parse((await readRecord(records, ctx, type, id)).json.toString('utf8')) as Json,
    search: async (ctx, type, q) =>
      (await searchRecords(records, ctx, type, [...q, ['_count', '1000']])).resources,
  };
}

/** A FHIR transaction that PUTs each resource (server-owned meta left to the vault). */
export function bundle(resources: Json[]): Json {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((r) => {
      const { meta: _meta, ...body } = r;
      return {
        resource: body,
        request: { method: 'PUT', url: `${String(r.resourceType)}/${String(r.id)}` },
      };
    }),
  };
}
