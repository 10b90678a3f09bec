import { parseDateValue, parsePeriod } from './date-range.js';
import type { DateRange, QuantityValue, SearchParamDef, Token, ValueSource } from './types.js';

/**
 * Reading a parameter's values out of a resource. The same functions feed the index (terms),
 * the exact matcher and the sorter, so the two phases of search cannot disagree about what a
 * resource contains.
 */

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const splitPaths = new Map<string, readonly string[]>();

function steps(path: string): readonly string[] {
  let s = splitPaths.get(path);
  if (s === undefined) {
    s = path.split('.');
    splitPaths.set(path, s);
  }
  return s;
}

/** All elements at a source's path, arrays flattened at every step (FHIRPath navigation). */
function elements(resource: object, source: ValueSource): unknown[] {
  const out: unknown[] = [];
  walk(resource, steps(source.path), 0, out);
  return out;
}

/** Each element of the parameter with the source it was read through. */
function* sourced(resource: object, def: SearchParamDef): Generator<[unknown, ValueSource]> {
  for (const source of def.sources) for (const el of elements(resource, source)) yield [el, source];
}

function walk(node: unknown, path: readonly string[], i: number, out: unknown[]): void {
  if (node === undefined || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) walk(item, path, i, out);
    return;
  }
  const key = path[i];
  if (key === undefined) {
    out.push(node);
    return;
  }
  if (isObject(node) && Object.hasOwn(node, key)) walk(node[key], path, i + 1, out);
}

/**
 * String parts: a HumanName's text, family, given, prefix and suffix; an Address's text, lines,
 * city, district, state, postal code and country; or the string itself.
 */
export function stringValues(resource: object, def: SearchParamDef): string[] {
  const out: string[] = [];
  for (const [el, source] of sourced(resource, def)) {
    if (typeof el === 'string') out.push(el);
    else if (isObject(el)) {
      const parts =
        source.valueType === 'HumanName'
          ? HUMAN_NAME_PARTS
          : source.valueType === 'Address'
            ? ADDRESS_PARTS
            : [];
      for (const key of parts) pushStrings(el[key], out);
    }
  }
  return out;
}

const HUMAN_NAME_PARTS = ['text', 'family', 'given', 'prefix', 'suffix'] as const;
const ADDRESS_PARTS = [
  'text',
  'line',
  'city',
  'district',
  'state',
  'postalCode',
  'country',
] as const;

function pushStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') out.push(s);
}

/**
 * Tokens per R4's table: Coding (system, code); CodeableConcept (each coding); Identifier
 * (system, value); ContactPoint (no system, value — its `system` is phone/email, not a URI);
 * code/string/boolean primitives (no system). ContactPoint values are trimmed, otherwise exact.
 */
export function tokenValues(resource: object, def: SearchParamDef): Token[] {
  const out: Token[] = [];
  for (const [el, source] of sourced(resource, def)) {
    switch (source.valueType) {
      case 'CodeableConcept':
        if (isObject(el) && Array.isArray(el.coding)) for (const c of el.coding) pushCoding(c, out);
        break;
      case 'Coding':
        pushCoding(el, out);
        break;
      case 'Identifier':
        if (isObject(el)) pushToken(el.system, el.value, out);
        break;
      case 'ContactPoint':
        if (isObject(el) && typeof el.value === 'string') {
          if (source.telecomSystem === undefined || el.system === source.telecomSystem)
            out.push({ code: el.value.trim() });
        }
        break;
      default:
        if (typeof el === 'string') out.push({ code: el });
        else if (typeof el === 'boolean') out.push({ code: String(el) });
    }
  }
  return out;
}

function pushCoding(c: unknown, out: Token[]): void {
  if (isObject(c)) pushToken(c.system, c.code, out);
}

function pushToken(system: unknown, code: unknown, out: Token[]): void {
  const s = typeof system === 'string' && system !== '' ? system : undefined;
  const c = typeof code === 'string' && code !== '' ? code : undefined;
  if (s === undefined && c === undefined) return;
  out.push(
    s === undefined ? { code: c } : c === undefined ? { system: s } : { system: s, code: c },
  );
}

const RELATIVE_REFERENCE =
  /^([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9.-]{1,64})(?:\/_history\/[A-Za-z0-9.-]{1,64})?$/;

/**
 * A reference string as `Type/id`, if it is a relative literal reference (a version suffix is
 * dropped). Absolute URLs, `urn:uuid:` and contained (`#x`) references give undefined: the server
 * rewrites bundle-internal references to `Type/id` before storing.
 */
export function relativeReference(reference: unknown): string | undefined {
  if (typeof reference !== 'string') return undefined;
  const m = RELATIVE_REFERENCE.exec(reference);
  return m === null ? undefined : `${m[1]}/${m[2]}`;
}

/**
 * References `Type/id` whose type is one of the parameter's targets (and of the source's, for
 * `.where(resolve() is X)`).
 */
export function referenceValues(resource: object, def: SearchParamDef): string[] {
  const out: string[] = [];
  for (const [el, source] of sourced(resource, def)) {
    if (!isObject(el)) continue;
    const ref = relativeReference(el.reference);
    if (ref === undefined) continue;
    const type = ref.slice(0, ref.indexOf('/'));
    if (def.targets !== undefined && !def.targets.includes(type)) continue;
    if (source.targets !== undefined && !source.targets.includes(type)) continue;
    out.push(ref);
  }
  return out;
}

/** Ranges of date/dateTime/instant strings and Periods; unparseable values are skipped. */
export function dateValues(resource: object, def: SearchParamDef): DateRange[] {
  const out: DateRange[] = [];
  for (const [el] of sourced(resource, def)) {
    const range =
      typeof el === 'string' ? parseDateValue(el) : isObject(el) ? parsePeriod(el) : undefined;
    if (range !== undefined) out.push(range);
  }
  return out;
}

/** Whether the parameter has at least one value in the resource (`:missing`, presence term). */
export function hasValue(resource: object, def: SearchParamDef): boolean {
  switch (def.kind) {
    case 'string':
      return stringValues(resource, def).length > 0;
    case 'token':
      return tokenValues(resource, def).length > 0;
    case 'reference':
      return referenceValues(resource, def).length > 0;
    case 'date':
      return dateValues(resource, def).length > 0;
    case 'number':
      return numberValues(resource, def).length > 0;
    case 'quantity':
      return quantityValues(resource, def).length > 0;
    case 'uri':
      return uriValues(resource, def).length > 0;
  }
}

/** integer and decimal values (JSON numbers). */
export function numberValues(resource: object, def: SearchParamDef): number[] {
  const out: number[] = [];
  for (const [el] of sourced(resource, def))
    if (typeof el === 'number' && Number.isFinite(el)) out.push(el);
  return out;
}

/** Quantities with a numeric value; system, code and unit kept when they are strings. */
export function quantityValues(resource: object, def: SearchParamDef): QuantityValue[] {
  const out: QuantityValue[] = [];
  for (const [el] of sourced(resource, def)) {
    if (!isObject(el) || typeof el.value !== 'number' || !Number.isFinite(el.value)) continue;
    out.push({
      value: el.value,
      ...(typeof el.system === 'string' ? { system: el.system } : {}),
      ...(typeof el.code === 'string' ? { code: el.code } : {}),
      ...(typeof el.unit === 'string' ? { unit: el.unit } : {}),
    });
  }
  return out;
}

/** uri, url and canonical values, exactly as stored. */
export function uriValues(resource: object, def: SearchParamDef): string[] {
  const out: string[] = [];
  for (const [el] of sourced(resource, def)) if (typeof el === 'string' && el !== '') out.push(el);
  return out;
}
