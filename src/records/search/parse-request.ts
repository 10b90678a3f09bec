import { isRefusedParam, paramDef, paramsOf } from './registry.js';
import { paramError, SearchRequestError } from './errors.js';
import {
  parseSortParam,
  parseResultParam,
  DEFAULT_COUNT,
  RESULT_PARAMS,
  type ResultSettings,
} from './parse-result-params.js';
import {
  parseDateQuery,
  parseReferenceValue,
  parseStringValue,
  parseTokenValue,
  splitValues,
} from './parse-values.js';
import { unescapeValue } from './escape.js';
import { parseNumberQuery, parseQuantityQuery } from './number-values.js';
import type { Criterion, SearchParamDef, SearchRequest } from './types.js';

/** FHIR search modifiers this server knows of but does not support, per parameter kind. */
const UNSUPPORTED_MODIFIERS: ReadonlySet<string> = new Set([
  'contains',
  'text',
  'above',
  'below',
  'in',
  'not-in',
  'of-type',
  'identifier',
  'iterate',
  'code-text',
  'text-advanced',
]);
export const MODIFIERS_BY_KIND: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(['exact', 'missing']),
  token: new Set(['not', 'missing']),
  reference: new Set(['missing']),
  date: new Set(['missing']),
  number: new Set(['missing']),
  quantity: new Set(['missing']),
  uri: new Set(['missing']),
};
/** R4 parameters and features that are refused rather than ignored. */
const UNSUPPORTED_PARAMS: ReadonlySet<string> = new Set([
  '_include',
  '_revinclude',
  '_elements',
  '_contained',
  '_containedType',
  '_text',
  '_content',
  '_list',
  '_query',
  '_filter',
  '_type',
  '_score',
  '_has',
]);
const MAX_CRITERIA = 32;
/** Most `Type/id` values one reference criterion may stand for (each is a lookup term). */
const MAX_REFERENCE_VALUES = 1024;

/**
 * Parse a search: ordered (name, value) pairs as decoded from the URL or form body. Repeating a
 * parameter ANDs the occurrences; commas inside one value OR its values. Anything the server
 * cannot honour exactly — unknown parameters or modifiers, chains, `_include`, malformed values —
 * is an error, never silently ignored.
 */
export function parseSearchRequest(
  resourceType: string,
  query: Array<[string, string]>,
): SearchRequest {
  if (paramsOf(resourceType) === undefined) {
    // Not a type this server searches: not one it can vouch for either, so not repeated.
    throw new SearchRequestError('unsupported', undefined, 'The resource type is not searchable');
  }
  const criteria: Criterion[] = [];
  const settings: ResultSettings = {
    count: DEFAULT_COUNT,
    offset: 0,
    summaryCount: false,
    seen: new Set(),
  };
  let sortText: string | undefined;
  for (const [name, value] of query) {
    // No FHIR string holds a NUL, and PostgreSQL refuses one in a query parameter (a 500).
    if (value.includes('\0')) throw paramError('invalid-value', name, 'contains a NUL character');
    if (RESULT_PARAMS.has(name)) {
      if (name === '_sort') {
        if (sortText !== undefined) throw paramError('invalid-value', name, 'may appear only once');
        sortText = value;
      } else parseResultParam(name, value, settings);
      continue;
    }
    criteria.push(parseCriterion(resourceType, name, value));
    if (criteria.length > MAX_CRITERIA)
      throw paramError(
        'invalid-value',
        name,
        `at most ${MAX_CRITERIA} search criteria are allowed`,
      );
  }
  const sort = sortText === undefined ? [] : parseSortParam(resourceType, sortText);
  return {
    resourceType,
    criteria,
    sort,
    count: settings.count,
    offset: settings.offset,
    summaryCount: settings.summaryCount,
    ...(settings.total === undefined ? {} : { total: settings.total }),
  };
}

function parseCriterion(resourceType: string, name: string, value: string): Criterion {
  const colon = name.indexOf(':');
  const base = colon < 0 ? name : name.slice(0, colon);
  const modifier = colon < 0 ? undefined : name.slice(colon + 1);
  // Only names the server defines are quoted (base, not the client's modifier): an unknown
  // parameter or modifier may be anything the client typed, PHI included.
  if (UNSUPPORTED_PARAMS.has(base))
    throw paramError('unsupported', base, 'is not supported by this server');
  if (base.includes('.'))
    throw paramError('unsupported', undefined, 'chained parameters are not supported');
  const def = paramDef(resourceType, base);
  // A standard R4 parameter Haven cannot evaluate (composite, special, an expression outside
  // the compiled subset): refused as such, so a client can tell it from a typo.
  if (def === undefined && isRefusedParam(resourceType, base))
    throw paramError('unsupported', base, `is not supported by this server for ${resourceType}`);
  if (def === undefined)
    throw paramError(
      'unknown-parameter',
      undefined,
      `is not a supported parameter of ${resourceType}`,
    );
  const typeModifier = checkModifier(def, name, modifier);
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false')
      throw paramError('invalid-value', name, "':missing' takes 'true' or 'false'");
    return { kind: 'missing', param: base, missing: value === 'true' };
  }
  const pieces = splitValues(name, value);
  switch (def.kind) {
    case 'string': {
      const exact = modifier === 'exact';
      return {
        kind: 'string',
        param: base,
        exact,
        values: pieces.map((p) => parseStringValue(name, p, exact)),
      };
    }
    case 'token':
      return {
        kind: 'token',
        param: base,
        negate: modifier === 'not',
        values: pieces.map((p) => parseTokenValue(name, p)),
      };
    case 'reference': {
      const values = pieces.flatMap((p) => parseReferenceValue(name, p, def, typeModifier));
      // A bare id stands for one reference per target type (Observation.focus has 145).
      if (values.length > MAX_REFERENCE_VALUES)
        throw paramError('invalid-value', name, "too many possible references; use 'Type/id'");
      return { kind: 'reference', param: base, values };
    }
    case 'date':
      return { kind: 'date', param: base, values: pieces.map((p) => parseDateQuery(name, p)) };
    case 'number':
      return { kind: 'number', param: base, values: pieces.map((p) => parseNumberQuery(name, p)) };
    case 'quantity':
      return {
        kind: 'quantity',
        param: base,
        values: pieces.map((p) => parseQuantityQuery(name, p)),
      };
    case 'uri':
      return { kind: 'uri', param: base, values: pieces.map((p) => unescapeValue(p)) };
  }
}

/** Validate a modifier; for a reference `:Type` modifier, return the type. */
function checkModifier(
  def: SearchParamDef,
  name: string,
  modifier: string | undefined,
): string | undefined {
  if (modifier === undefined) return undefined;
  if (modifier.includes(':') || modifier.includes('.'))
    throw paramError('unsupported', def.name, 'chained parameters are not supported');
  if (MODIFIERS_BY_KIND[def.kind]?.has(modifier)) return undefined;
  if (def.kind === 'reference' && /^[A-Z][A-Za-z]+$/.test(modifier)) {
    if (def.targets?.includes(modifier)) return modifier;
    throw paramError(
      'invalid-value',
      def.name,
      'the type modifier is not a type this parameter points to',
    );
  }
  if (UNSUPPORTED_MODIFIERS.has(modifier) || modifier === 'exact' || modifier === 'not') {
    throw paramError(
      'unsupported',
      name,
      `the modifier is not supported on ${def.kind} parameters over encrypted data`,
    );
  }
  throw paramError('unknown-parameter', def.name, 'unknown modifier');
}
