import type { AuditQuery } from '../store/index.js';

export class AuditQueryError extends Error {
  readonly code = 'invalid-value';
}

const PARAMS = new Set(['patient', 'agent', 'date', 'subtype', 'outcome', '_count', '_offset']);
const OUTCOMES: Record<string, string> = { '0': 'success', '4': 'denied', '8': 'failure' };
const SUBTYPES: Record<string, string> = {
  read: 'read',
  vread: 'vread',
  'history-instance': 'history',
  'search-type': 'search',
  create: 'create',
  update: 'update',
  delete: 'delete',
  transaction: 'transaction',
};

/**
 * FHIR AuditEvent search over the plaintext, id-only audit columns: patient, agent (the actor
 * id), date with ge/gt/le/lt/eq prefixes on `recorded`, subtype (the interaction), outcome.
 */
export function parseAuditQuery(pairs: Array<[string, string]>): {
  query: AuditQuery;
  count: number;
  offset: number;
} {
  const query: AuditQuery = {};
  let count = 50;
  let offset = 0;
  for (const [k, v] of pairs) {
    // The name is not repeated: a made-up one can carry data (found by the route fuzzing).
    if (!PARAMS.has(k))
      // Not repeated: an unknown name is the client's text, which may be anything (issue 23).
      throw new AuditQueryError(
        `unsupported AuditEvent search parameter (supported: ${[...PARAMS].join(', ')})`,
      );
    // PostgreSQL refuses a NUL in a query parameter (a 500); no id or date holds one.
    if (v.includes('\0')) invalid(k);
    if (k === 'patient') query.patientId = v.replace(/^Patient\//, '');
    else if (k === 'agent') query.actorId = v.split('|').at(-1)!;
    else if (k === 'outcome') query.outcome = OUTCOMES[v] ?? invalid('outcome');
    else if (k === 'subtype') query.action = SUBTYPES[v.split('|').at(-1)!] ?? v.split('|').at(-1)!;
    else if (k === '_count') count = Math.min(positive(v, '_count'), 1000);
    else if (k === '_offset') offset = positive(v, '_offset', true);
    else if (k === 'date') applyDate(query, v);
  }
  return { query, count, offset };
}

function applyDate(q: AuditQuery, v: string): void {
  const m = /^(eq|ge|gt|le|lt)?(\d{4}(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?)?)?)$/.exec(v);
  if (!m) invalid('date');
  const prefix = m![1] ?? 'eq';
  const value = m![2]!;
  const start = new Date(
    value.length === 4
      ? `${value}-01-01T00:00:00Z`
      : value.length === 7
        ? `${value}-01T00:00:00Z`
        : value.length === 10
          ? `${value}T00:00:00Z`
          : value,
  );
  if (Number.isNaN(start.getTime())) invalid('date');
  const end = new Date(start);
  if (value.length === 4) end.setUTCFullYear(end.getUTCFullYear() + 1);
  else if (value.length === 7) end.setUTCMonth(end.getUTCMonth() + 1);
  else if (value.length === 10) end.setUTCDate(end.getUTCDate() + 1);
  else end.setTime(end.getTime() + 1);
  if (prefix === 'eq' || prefix === 'ge' || prefix === 'gt')
    q.from = (prefix === 'gt' ? end : start).toISOString();
  if (prefix === 'eq' || prefix === 'le' || prefix === 'lt')
    q.to = (prefix === 'lt' ? start : end).toISOString();
}

function positive(v: string, name: string, zeroOk = false): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < (zeroOk ? 0 : 1)) invalid(name);
  return n;
}

function invalid(name: string): never {
  throw new AuditQueryError(`invalid value for ${name}`);
}
