import { searchableResourceTypes, searchRegistry } from './registry.js';

export type SearchErrorCode = 'unknown-parameter' | 'invalid-value' | 'unsupported';

/**
 * A search request the server refuses. The message names the parameter but never quotes a
 * searched value: values are PHI (names, birth dates, identifiers) and messages reach logs and
 * OperationOutcomes.
 */
export class SearchRequestError extends Error {
  override readonly name = 'SearchRequestError';

  constructor(
    readonly code: SearchErrorCode,
    /** The parameter as the client spelled it, when it is safe to repeat (see `safeName`). */
    readonly parameter: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

/** Modifiers and special parameters of the FHIR R4 search specification (quotable words). */
const SPEC_WORDS = [
  ...['exact', 'missing', 'not', 'contains', 'text', 'above', 'below', 'in', 'not-in'],
  ...['of-type', 'identifier', 'type', 'iterate', 'recurse'],
  ...['_count', '_sort', '_summary', '_elements', '_include', '_revinclude', '_has', '_total'],
  ...['_id', '_lastUpdated', '_format', '_contained', '_containedType', '_list', '_text'],
  ...['_content', '_query', '_filter', '_type', '_tag', '_profile', '_security', '_source'],
  ...['_cursor', '_pretty', '_offset'],
];
let knownWords: ReadonlySet<string> | undefined;

/** Every word a parameter name may be built from: Haven's parameters, types and the spec's. */
function known(): ReadonlySet<string> {
  knownWords ??= new Set([
    ...SPEC_WORDS,
    ...searchableResourceTypes,
    ...Object.values(searchRegistry().supported).flatMap((params) => Object.keys(params)),
    ...Object.values(searchRegistry().unsupported).flatMap((names) => [...names]),
  ]);
  return knownWords;
}

/**
 * A parameter name fit to quote in a message: well-formed and built only of words Haven or the
 * FHIR specification defines. A name the client made up (`?Smith1911=x`, `family:Smith`) can
 * carry data, so it is not repeated (found by the route fuzzing, issue 13 item 11).
 */
export function safeName(name: string): string | undefined {
  return SAFE_NAME.test(name) && name.split(/[:.]/).every((w) => known().has(w)) ? name : undefined;
}

/**
 * `name` is quoted only when the server defines it (a parameter of some searchable type, a result
 * parameter, or an R4 name this server refuses, with a known modifier): callers pass undefined
 * for a name the client made up, which is never repeated.
 */
export function paramError(
  code: SearchErrorCode,
  name: string | undefined,
  problem: string,
): SearchRequestError {
  const safe = name === undefined ? undefined : safeName(name);
  const label = safe === undefined ? 'A search parameter' : `Search parameter '${safe}'`;
  return new SearchRequestError(code, safe, `${label}: ${problem}`);
}
