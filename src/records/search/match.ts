import { dateMatches } from './date-compare.js';
import { paramDef } from './registry.js';
import {
  dateValues,
  hasValue,
  numberValues,
  quantityValues,
  referenceValues,
  stringValues,
  tokenValues,
  uriValues,
} from './extract.js';
import { numberMatches, quantityMatches } from './number-values.js';
import { normalizeString } from './normalize.js';
import { tokenMatches } from './token-terms.js';
import type { Criterion, SearchParamDef, SearchRequest } from './types.js';

/**
 * The exact phase: does a decrypted resource satisfy the request under R4 semantics? Every
 * criterion must hold (AND); within a criterion any value may match (OR).
 */
export function matchesSearch(resource: object, req: SearchRequest, now: Date): boolean {
  if ((resource as { resourceType?: unknown }).resourceType !== req.resourceType) return false;
  const nowMs = now.getTime();
  for (const c of req.criteria) {
    const def = paramDef(req.resourceType, c.param);
    if (def === undefined || !criterionHolds(resource, def, c, nowMs)) return false;
  }
  return true;
}

function criterionHolds(
  resource: object,
  def: SearchParamDef,
  c: Criterion,
  nowMs: number,
): boolean {
  switch (c.kind) {
    case 'missing':
      return hasValue(resource, def) !== c.missing;
    case 'string': {
      const parts = stringValues(resource, def);
      if (c.exact) return parts.some((p) => c.values.includes(p));
      const normalized = parts.map(normalizeString);
      return normalized.some((p) => c.values.some((v) => p.startsWith(v)));
    }
    case 'token': {
      const tokens = tokenValues(resource, def);
      const any = tokens.some((t) => c.values.some((q) => tokenMatches(t, q)));
      return c.negate ? !any : any;
    }
    case 'reference': {
      const refs = referenceValues(resource, def);
      return refs.some((r) => c.values.includes(r));
    }
    case 'date': {
      const ranges = dateValues(resource, def);
      return ranges.some((t) => c.values.some((q) => dateMatches(q.prefix, q, t, nowMs)));
    }
    case 'number':
      return numberValues(resource, def).some((x) => c.values.some((q) => numberMatches(q, x)));
    case 'quantity':
      return quantityValues(resource, def).some((v) => c.values.some((q) => quantityMatches(q, v)));
    case 'uri':
      return uriValues(resource, def).some((u) => c.values.includes(u));
  }
}
