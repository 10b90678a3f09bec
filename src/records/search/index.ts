/**
 * FHIR R4 search over encrypted records, as pure functions.
 *
 * Phase 1 (database): `indexTerms` gives each stored resource its term strings (HMAC'd
 * elsewhere into blind indexes); `candidateTermSets` turns a parsed request into an AND of ORs of
 * terms whose matches are a SUPERSET of the true results. Phase 2 (after decryption):
 * `matchesSearch` applies the exact R4 semantics and `compareForSort` orders the survivors.
 */
export type {
  Criterion,
  DatePrefix,
  DateQuery,
  DateRange,
  IndexableResource,
  ParamKind,
  SearchParamDef,
  SearchRequest,
  SortKey,
  TokenQuery,
  ValueType,
} from './types.js';
export { SearchRequestError, type SearchErrorCode } from './errors.js';
export {
  searchParameters,
  searchableResourceTypes,
  searchRegistry,
  isRefusedParam,
  paramDef as paramDefOf,
  type SearchRegistry,
} from './registry.js';
export { indexTerms } from './index-terms.js';
export { parseSearchRequest, MODIFIERS_BY_KIND } from './parse-request.js';
export { DEFAULT_COUNT, MAX_COUNT } from './parse-result-params.js';
export { candidateTermSets, MAX_TERMS_PER_SET } from './candidate-terms.js';
export { candidateColumns, COLUMN_PARAMS, type ColumnCriteria } from './column-criteria.js';
export { matchesSearch } from './match.js';
export { compareForSort } from './sort.js';
export { patientCompartmentRef } from './compartment.js';
export { referenceValues as referenceValuesOf } from './extract.js';
export { normalizeString } from './normalize.js';
