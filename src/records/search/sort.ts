import { paramDef } from './registry.js';
import {
  dateValues,
  numberValues,
  quantityValues,
  referenceValues,
  stringValues,
  tokenValues,
  uriValues,
} from './extract.js';
import { normalizeString } from './normalize.js';
import type { SortKey } from './types.js';

type SortValue = number | string | undefined;

/**
 * Order for `_sort`. A parameter with several values sorts by its lowest value ascending and its
 * highest descending; for dates, the earliest start ascending and the latest end descending.
 * Strings compare in normalized form. A resource without the value sorts last in either
 * direction. Remaining ties are broken by id so that offset paging is deterministic.
 */
export function compareForSort(a: object, b: object, sort: readonly SortKey[]): number {
  for (const key of sort) {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === vb) continue;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    const order = va < vb ? -1 : 1;
    return key.descending ? -order : order;
  }
  return compareIds(a, b);
}

function compareIds(a: object, b: object): number {
  const ia = (a as { id?: unknown }).id;
  const ib = (b as { id?: unknown }).id;
  const sa = typeof ia === 'string' ? ia : '';
  const sb = typeof ib === 'string' ? ib : '';
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function sortValue(resource: object, key: SortKey): SortValue {
  const type = (resource as { resourceType?: unknown }).resourceType;
  const def = typeof type === 'string' ? paramDef(type, key.param) : undefined;
  if (def === undefined) return undefined;
  switch (def.kind) {
    case 'date': {
      const ranges = dateValues(resource, def);
      if (ranges.length === 0) return undefined;
      return key.descending
        ? Math.max(...ranges.map((r) => r.hi))
        : Math.min(...ranges.map((r) => r.lo));
    }
    case 'string':
      return pick(stringValues(resource, def).map(normalizeString), key.descending);
    case 'token':
      return pick(
        tokenValues(resource, def).flatMap((t) => (t.code === undefined ? [] : [t.code])),
        key.descending,
      );
    case 'reference':
      return pick(referenceValues(resource, def), key.descending);
    case 'uri':
      return pick(uriValues(resource, def), key.descending);
    case 'number':
      return pickNumber(numberValues(resource, def), key.descending);
    case 'quantity':
      return pickNumber(
        quantityValues(resource, def).map((q) => q.value),
        key.descending,
      );
  }
}

function pickNumber(values: number[], highest: boolean): number | undefined {
  if (values.length === 0) return undefined;
  return highest ? Math.max(...values) : Math.min(...values);
}

function pick(values: string[], highest: boolean): string | undefined {
  let best: string | undefined;
  for (const v of values) if (best === undefined || (highest ? v > best : v < best)) best = v;
  return best;
}
