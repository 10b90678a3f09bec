/**
 * Data types shared by the search module. A parsed {@link SearchRequest} is plain data (no
 * functions), so it can be logged without values, cached or compared in tests.
 */

export type ParamKind = 'string' | 'token' | 'reference' | 'date' | 'number' | 'quantity' | 'uri';

/**
 * How the elements found at a definition's paths are read.
 * - `HumanName`: text, family, given, prefix and suffix are the string parts.
 * - `string`: a plain string element.
 * - `CodeableConcept` / `Coding` / `Identifier` / `ContactPoint` / `code`: token sources.
 * - `Reference`: a Reference whose `reference` is a relative `Type/id`.
 * - `date`: a date, dateTime or instant string, or a Period object.
 * - `Address`: line, city, district, state, postalCode, country and text are the string parts.
 * - `number`: integer or decimal; `Quantity`: a Quantity (Age, Duration… included); `uri`.
 */
export type ValueType =
  | 'HumanName'
  | 'string'
  | 'CodeableConcept'
  | 'Coding'
  | 'Identifier'
  | 'ContactPoint'
  | 'code'
  | 'Reference'
  | 'date'
  | 'Address'
  | 'number'
  | 'Quantity'
  | 'uri';

/** One element path a parameter reads, and how its values are read. */
export interface ValueSource {
  /** Dotted element path from the resource root; arrays are flattened at every step. */
  readonly path: string;
  readonly valueType: ValueType;
  /** For `ContactPoint` sources: only contact points with this `system` (R4 `phone`, `email`). */
  readonly telecomSystem?: string;
  /** For references: `.where(resolve() is X)` narrows the parameter's targets to these. */
  readonly targets?: readonly string[];
}

export interface SearchParamDef {
  readonly name: string;
  readonly kind: ParamKind;
  /** The R4 FHIRPath expression this definition implements (for every base it is shared by). */
  readonly expression: string;
  /** The canonical URL of the R4 SearchParameter (CapabilityStatement `definition`). */
  readonly definition?: string;
  /** The element paths of `sources` (which elements a search by it reveals). */
  readonly paths: readonly string[];
  /** Where the values are read, compiled from `expression`. */
  readonly sources: readonly ValueSource[];
  /** For references: the resource types the parameter may point to. */
  readonly targets?: readonly string[];
}

/** A token read from a resource. `system` undefined = the element carries no system. */
export interface Token {
  readonly system?: string;
  readonly code?: string;
}

/**
 * A token search value. `system`: undefined = any system (`code`), '' = no system (`|code`),
 * otherwise that system. `code`: undefined = any code (`system|`).
 */
export interface TokenQuery {
  readonly system?: string;
  readonly code?: string;
}

/** Half-open instant range [lo, hi) in milliseconds since the epoch (UTC); ±Infinity = open. */
export interface DateRange {
  readonly lo: number;
  readonly hi: number;
}

/** The R4 comparison prefixes of date, number and quantity values. */
export type ComparisonPrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
export type DatePrefix = ComparisonPrefix;

export interface DateQuery extends DateRange {
  readonly prefix: DatePrefix;
}

export type NumberPrefix = ComparisonPrefix;

/**
 * A number search value: `value` and the half-width of its implied precision (R4: `100` stands
 * for [99.5, 100.5), `1e2` likewise for its significant figures).
 */
export interface NumberQuery {
  readonly prefix: NumberPrefix;
  readonly value: number;
  readonly halfWidth: number;
}

/** A quantity search value: a number plus optional `system|code` (code also matches `unit`). */
export interface QuantityQuery extends NumberQuery {
  readonly system?: string;
  readonly code?: string;
}

/** A quantity read from a resource. */
export interface QuantityValue {
  readonly value: number;
  readonly system?: string;
  readonly code?: string;
  readonly unit?: string;
}

export type Criterion =
  /** `values` are normalized (starts-with) or raw (`:exact`). */
  | {
      readonly kind: 'string';
      readonly param: string;
      readonly exact: boolean;
      readonly values: readonly string[];
    }
  | {
      readonly kind: 'token';
      readonly param: string;
      readonly negate: boolean;
      readonly values: readonly TokenQuery[];
    }
  /** `values` are relative references `Type/id`, already expanded over the parameter's targets. */
  | { readonly kind: 'reference'; readonly param: string; readonly values: readonly string[] }
  | { readonly kind: 'date'; readonly param: string; readonly values: readonly DateQuery[] }
  | { readonly kind: 'number'; readonly param: string; readonly values: readonly NumberQuery[] }
  | {
      readonly kind: 'quantity';
      readonly param: string;
      readonly values: readonly QuantityQuery[];
    }
  /** `values` are compared exactly (no `:above`/`:below`). */
  | { readonly kind: 'uri'; readonly param: string; readonly values: readonly string[] }
  | { readonly kind: 'missing'; readonly param: string; readonly missing: boolean };

export interface SortKey {
  readonly param: string;
  readonly descending: boolean;
}

export interface SearchRequest {
  readonly resourceType: string;
  /** AND of criteria; each criterion is an OR of its values. */
  readonly criteria: readonly Criterion[];
  readonly sort: readonly SortKey[];
  readonly count: number;
  readonly offset: number;
  readonly summaryCount: boolean;
  readonly total?: 'none' | 'estimate' | 'accurate';
}

/** What `indexTerms` accepts: any FHIR resource as parsed JSON. */
export type IndexableResource = {
  resourceType: string;
  id?: string;
  meta?: { lastUpdated?: string };
} & Record<string, unknown>;
