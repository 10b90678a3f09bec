import { paramDef } from './registry.js';
import { paramError } from './errors.js';
import type { SortKey } from './types.js';

/** Result parameters (R4 §3.1.1.5.x): paging, sorting, totals and summaries. */

export const RESULT_PARAMS: ReadonlySet<string> = new Set([
  '_count',
  '_offset',
  '_sort',
  '_total',
  '_summary',
  '_format',
  '_pretty',
]);
export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

export interface ResultSettings {
  count: number;
  offset: number;
  summaryCount: boolean;
  total?: 'none' | 'estimate' | 'accurate';
  seen: Set<string>;
}

const DIGITS = /^\d{1,16}$/;

export function parseResultParam(name: string, value: string, s: ResultSettings): void {
  if (s.seen.has(name)) throw paramError('invalid-value', name, 'may appear only once');
  s.seen.add(name);
  switch (name) {
    case '_count':
      // A server may return fewer than asked (R4), so a large _count is capped rather than refused.
      if (!DIGITS.test(value))
        throw paramError('invalid-value', name, 'must be a non-negative integer');
      s.count = Math.min(Number(value), MAX_COUNT);
      return;
    case '_offset':
      if (!DIGITS.test(value) || !Number.isSafeInteger(Number(value))) {
        throw paramError('invalid-value', name, 'must be a non-negative integer');
      }
      s.offset = Number(value);
      return;
    case '_total':
      if (value !== 'none' && value !== 'estimate' && value !== 'accurate') {
        throw paramError('invalid-value', name, "must be 'none', 'estimate' or 'accurate'");
      }
      s.total = value;
      return;
    case '_summary':
      if (value === 'count') s.summaryCount = true;
      else if (value !== 'false')
        throw paramError('unsupported', name, "only '_summary=count' is supported");
      return;
    default:
      return; // _format and _pretty shape the HTTP response, not the search
  }
}

/** `_sort=a,-b`: any parameter of the type, `-` for descending. */
export function parseSortParam(resourceType: string, value: string): SortKey[] {
  const keys: SortKey[] = [];
  for (const item of value.split(',')) {
    const descending = item.startsWith('-');
    const param = descending ? item.slice(1) : item;
    if (param.length === 0) throw paramError('invalid-value', '_sort', 'empty sort key');
    if (paramDef(resourceType, param) === undefined) {
      throw paramError(
        'unknown-parameter',
        '_sort',
        `names a parameter that ${resourceType} does not support`,
      );
    }
    if (keys.some((k) => k.param === param))
      throw paramError('invalid-value', '_sort', 'repeats a sort key');
    keys.push({ param, descending });
  }
  return keys;
}
