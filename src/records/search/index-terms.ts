import { dayOf, lastDayBefore } from './calendar.js';
import { COLUMN_PARAMS } from './column-criteria.js';
import { paramsOf } from './registry.js';
import { pointTerms } from './date-terms.js';
import {
  dateValues,
  numberValues,
  quantityValues,
  referenceValues,
  stringValues,
  tokenValues,
  uriValues,
} from './extract.js';
import { quantityIndexTerms } from './number-values.js';
import { stringIndexTerms } from './string-terms.js';
import { tokenIndexTerms } from './token-terms.js';
import type { IndexableResource, SearchParamDef } from './types.js';

/** The term every resource carries for each parameter it has a value for (`:missing`, `ne`). */
export const PRESENCE = '*';

/**
 * All blind-index term strings of a resource, deduplicated. Each term starts with
 * `<resourceType>|<param>|`, so terms of different types or parameters never collide. Unknown
 * resource types have no terms (they are still found by a search without criteria).
 */
export function indexTerms(resource: IndexableResource): string[] {
  const params = paramsOf(resource.resourceType);
  if (params === undefined) return [];
  const out: string[] = [];
  for (const def of Object.values(params)) {
    if (COLUMN_PARAMS.has(def.name)) continue;
    addParamTerms(resource, def, out, `${resource.resourceType}|${def.name}|`);
  }
  return [...new Set(out)];
}

function addParamTerms(resource: object, def: SearchParamDef, out: string[], prefix: string): void {
  const before = out.length;
  switch (def.kind) {
    case 'string': {
      const parts = stringValues(resource, def);
      if (parts.length > 0) out.push(`${prefix}${PRESENCE}`);
      stringIndexTerms(parts, out, prefix);
      break;
    }
    case 'token': {
      const tokens = tokenValues(resource, def);
      if (tokens.length > 0) out.push(`${prefix}${PRESENCE}`);
      tokenIndexTerms(tokens, out, prefix);
      break;
    }
    case 'reference':
      for (const ref of referenceValues(resource, def)) out.push(`${prefix}r:${ref}`);
      if (out.length > before) out.push(`${prefix}${PRESENCE}`);
      break;
    case 'date':
      for (const range of dateValues(resource, def)) {
        pointTerms('s', dayOf(range.lo), out, prefix);
        pointTerms('e', lastDayBefore(range.hi), out, prefix);
      }
      if (out.length > before) out.push(`${prefix}${PRESENCE}`);
      break;
    case 'number':
      // Numbers are compared after decryption; the index says only that there is one.
      if (numberValues(resource, def).length > 0) out.push(`${prefix}${PRESENCE}`);
      break;
    case 'quantity': {
      const values = quantityValues(resource, def);
      if (values.length > 0) out.push(`${prefix}${PRESENCE}`);
      quantityIndexTerms(values, out, prefix);
      break;
    }
    case 'uri':
      for (const uri of uriValues(resource, def)) out.push(`${prefix}u:${uri}`);
      if (out.length > before) out.push(`${prefix}${PRESENCE}`);
      break;
  }
}
