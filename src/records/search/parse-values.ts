import { parseDateValue } from './date-range.js';
import { paramError } from './errors.js';
import { splitUnescaped, unescapeValue } from './escape.js';
import { normalizeString } from './normalize.js';
import type {
  ComparisonPrefix,
  DatePrefix,
  DateQuery,
  SearchParamDef,
  TokenQuery,
} from './types.js';

/** Per-kind parsing of one parameter occurrence's comma-separated values. Errors never quote values. */

export const MAX_VALUES = 64;
export const MAX_VALUE_LENGTH = 1024;

export function splitValues(name: string, raw: string): string[] {
  if (raw.length > MAX_VALUE_LENGTH * 4)
    throw paramError('invalid-value', name, 'value is too long');
  const pieces = splitUnescaped(raw, ',');
  if (pieces.length > MAX_VALUES)
    throw paramError(
      'invalid-value',
      name,
      `at most ${MAX_VALUES} comma-separated values are allowed`,
    );
  for (const p of pieces) {
    if (p.length === 0) throw paramError('invalid-value', name, 'empty value');
    if (p.length > MAX_VALUE_LENGTH) throw paramError('invalid-value', name, 'value is too long');
  }
  return pieces;
}

export function parseStringValue(name: string, piece: string, exact: boolean): string {
  const value = unescapeValue(piece);
  if (normalizeString(value).length === 0)
    throw paramError('invalid-value', name, 'value has no searchable characters');
  return exact ? value : normalizeString(value);
}

export function parseTokenValue(name: string, piece: string): TokenQuery {
  const parts = splitUnescaped(piece, '|');
  if (parts.length > 2)
    throw paramError('invalid-value', name, "a token is '[system]|[code]' with one unescaped '|'");
  const [first = '', second] = parts.map(unescapeValue);
  if (second === undefined) return { code: first };
  if (first === '' && second === '')
    throw paramError('invalid-value', name, 'a token needs a system or a code');
  return second === '' ? { system: first } : { system: first, code: second };
}

const ID = /^[A-Za-z0-9.-]{1,64}$/;
const TYPED = /^([A-Za-z]+)\/([^/]+)$/;

/** A reference value as the `Type/id` strings it stands for (a bare id: one per allowed type). */
export function parseReferenceValue(
  name: string,
  piece: string,
  def: SearchParamDef,
  typeModifier?: string,
): string[] {
  const value = unescapeValue(piece);
  if (value.includes('://') || value.startsWith('urn:')) {
    throw paramError(
      'unsupported',
      name,
      "absolute references are not supported; use 'Type/id' or 'id'",
    );
  }
  if (value.includes('/_history/'))
    throw paramError('unsupported', name, 'version-specific references are not supported');
  const allowed = typeModifier !== undefined ? [typeModifier] : (def.targets ?? []);
  const typed = TYPED.exec(value);
  if (typed !== null) {
    const [, type = '', id = ''] = typed;
    if (!allowed.includes(type))
      throw paramError(
        'invalid-value',
        name,
        'the reference type is not one this parameter points to',
      );
    if (!ID.test(id)) throw paramError('invalid-value', name, 'invalid resource id in reference');
    return [`${type}/${id}`];
  }
  if (!ID.test(value)) throw paramError('invalid-value', name, "a reference is 'Type/id' or 'id'");
  return allowed.map((type) => `${type}/${value}`);
}

/** The comparison prefixes a date, number or quantity value may start with. */
export const COMPARISON_PREFIXES: ReadonlySet<string> = new Set<ComparisonPrefix>([
  'eq',
  'ne',
  'gt',
  'lt',
  'ge',
  'le',
  'sa',
  'eb',
  'ap',
]);

export function parseDateQuery(name: string, piece: string): DateQuery {
  const value = unescapeValue(piece);
  let prefix: DatePrefix = 'eq';
  let text = value;
  if (/^[a-z]/i.test(value)) {
    const candidate = value.slice(0, 2);
    if (!COMPARISON_PREFIXES.has(candidate)) {
      throw paramError(
        'invalid-value',
        name,
        'unknown date prefix (use eq, ne, gt, lt, ge, le, sa, eb or ap)',
      );
    }
    prefix = candidate as DatePrefix;
    text = value.slice(2);
  }
  const range = parseDateValue(text);
  if (range === undefined) {
    throw paramError(
      'invalid-value',
      name,
      'invalid date (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm])',
    );
  }
  return { prefix, lo: range.lo, hi: range.hi };
}
