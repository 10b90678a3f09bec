import type { RequestContext } from '../auth/index.js';
import { FhirError } from './errors.js';
import { readRecord, type RecordBytes } from './read-record.js';
import type { RecordDeps } from './record-context.js';
import { searchRecords } from './search-records.js';
import { oneAtATime } from './one-at-a-time.js';
import { createRecord } from './write-record.js';

/**
 * The search criteria of an `If-None-Exist` header (or a transaction entry's ifNoneExist):
 * a query string of ordinary search parameters, without result parameters, and not empty —
 * a condition that matches everything would make every retry a no-op.
 */
export function parseCriteria(criteria: string, where = 'If-None-Exist'): Array<[string, string]> {
  const text = criteria.startsWith('?') ? criteria.slice(1) : criteria;
  const pairs = [...new URLSearchParams(text)];
  if (pairs.length === 0 || pairs.some(([k]) => k === '' || (k.startsWith('_') && k !== '_id')))
    throw new FhirError(
      400,
      'invalid',
      `${where} must hold search parameters, like identifier=system|value`,
    );
  return pairs;
}

/**
 * What the criteria match, among the records the caller may see: none, one id, or "several"
 * (which R4 answers with 412). Searching as the caller keeps a record they may not see from
 * being revealed by the answer.
 */
export async function matchCriteria(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  pairs: Array<[string, string]>,
): Promise<{ kind: 'none' } | { kind: 'one'; id: string } | { kind: 'several' }> {
  const page = await searchRecords(deps, ctx, resourceType, [...pairs, ['_count', '2']]);
  if (page.total === 0) return { kind: 'none' };
  if (page.total > 1) return { kind: 'several' };
  return { kind: 'one', id: String(page.resources[0]!.id) };
}

/**
 * Conditional create (`If-None-Exist`): creates only when nothing matches, so a client that
 * retries a create cannot make a second patient. Conditional creates run one at a time, in this
 * process and across every process sharing the database (one-at-a-time.ts): two retries racing
 * would otherwise both see "none" and both create.
 */
export async function conditionalCreate(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  body: unknown,
  criteria: string,
): Promise<{ record: RecordBytes; created: boolean }> {
  const pairs = parseCriteria(criteria);
  return oneAtATime(deps, CONDITIONAL_CREATES, async () => {
    const match = await matchCriteria(deps, ctx, resourceType, pairs);
    if (match.kind === 'several')
      throw new FhirError(
        412,
        'multiple-matches',
        'the If-None-Exist criteria match more than one resource',
      );
    if (match.kind === 'one')
      return { record: await readRecord(deps, ctx, resourceType, match.id), created: false };
    return { record: await createRecord(deps, ctx, resourceType, body), created: true };
  });
}

/** One lease for every conditional create, single or in a transaction. */
export const CONDITIONAL_CREATES = 'conditional-create';
