import { paramError } from './errors.js';
import { splitUnescaped, unescapeValue } from './escape.js';
import { COMPARISON_PREFIXES } from './parse-values.js';
import type { NumberPrefix, NumberQuery, QuantityQuery, QuantityValue } from './types.js';

/**
 * R4 number and quantity search: parsing a value (`[prefix]number`, for quantities
 * `[prefix]number|system|code`) and comparing it with a stored value. The index holds only
 * presence and unit terms for these (no blind token can order numbers), so the comparison
 * happens in the exact phase, after decryption.
 */

const NUMBER = /^[-+]?(?:\d+(?:\.(\d+))?|\.(\d+))(?:[eE]([-+]?\d+))?$/;

export function parseNumberQuery(name: string, piece: string): NumberQuery {
  return parseNumber(name, unescapeValue(piece));
}

function parseNumber(name: string, value: string): NumberQuery {
  let prefix: NumberPrefix = 'eq';
  let text = value;
  if (/^[a-z]/i.test(value)) {
    const candidate = value.slice(0, 2);
    if (!COMPARISON_PREFIXES.has(candidate))
      throw paramError(
        'invalid-value',
        name,
        'unknown prefix (use eq, ne, gt, lt, ge, le, sa, eb or ap)',
      );
    prefix = candidate as NumberPrefix;
    text = value.slice(2);
  }
  const m = NUMBER.exec(text);
  const parsed = Number(text);
  if (m === null || !Number.isFinite(parsed))
    throw paramError('invalid-value', name, 'invalid number');
  // Implied precision: half a unit of the last digit given (R4 3.1.1.5.1).
  const decimals = (m[1] ?? m[2] ?? '').length;
  const exponent = m[3] === undefined ? 0 : Number(m[3]);
  return { prefix, value: parsed, halfWidth: 0.5 * 10 ** (exponent - decimals) };
}

export function parseQuantityQuery(name: string, piece: string): QuantityQuery {
  const parts = splitUnescaped(piece, '|').map(unescapeValue);
  if (parts.length !== 1 && parts.length !== 3)
    throw paramError('invalid-value', name, "a quantity is '[prefix]number[|system|code]'");
  const n = parseNumber(name, parts[0]!);
  const system = parts[1] ?? '';
  const code = parts[2] ?? '';
  if (system !== '' && code === '')
    throw paramError('invalid-value', name, 'a quantity with a system needs a code');
  return {
    ...n,
    ...(system === '' ? {} : { system }),
    ...(code === '' ? {} : { code }),
  };
}

/** R4 prefix semantics for an exact stored number against a search value with its precision. */
export function numberMatches(q: NumberQuery, x: number): boolean {
  const lo = q.value - q.halfWidth;
  const hi = q.value + q.halfWidth;
  switch (q.prefix) {
    case 'eq':
      return x >= lo && x < hi;
    case 'ne':
      return x < lo || x >= hi;
    case 'gt':
    case 'sa':
      return x > q.value;
    case 'lt':
    case 'eb':
      return x < q.value;
    case 'ge':
      return x >= q.value;
    case 'le':
      return x <= q.value;
    case 'ap': {
      const tolerance = Math.max(Math.abs(q.value) * 0.1, q.halfWidth);
      return Math.abs(x - q.value) <= tolerance;
    }
  }
}

/** A code alone matches the quantity's code or its unit; with a system, both must match. */
export function quantityMatches(q: QuantityQuery, v: QuantityValue): boolean {
  if (q.code !== undefined) {
    if (q.system !== undefined) {
      if (v.system !== q.system || v.code !== q.code) return false;
    } else if (v.code !== q.code && v.unit !== q.code) return false;
  }
  return numberMatches(q, v.value);
}

/** Unit terms of a stored quantity: `u:<code or unit>`, `su:<system>|<code>`. */
export function quantityIndexTerms(
  values: readonly QuantityValue[],
  out: string[],
  prefix: string,
): void {
  for (const v of values) {
    if (v.code !== undefined) out.push(`${prefix}u:${v.code}`);
    if (v.unit !== undefined) out.push(`${prefix}u:${v.unit}`);
    if (v.system !== undefined && v.code !== undefined)
      out.push(`${prefix}su:${v.system}|${v.code}`);
  }
}

/** The unit term a quantity search value needs, or undefined when it names no unit. */
export function quantityQueryTerm(q: QuantityQuery, prefix: string): string | undefined {
  if (q.code === undefined) return undefined;
  return q.system === undefined ? `${prefix}u:${q.code}` : `${prefix}su:${q.system}|${q.code}`;
}
