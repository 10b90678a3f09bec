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

/** A parameter name fit to quote in a message; anything odd is not repeated. */
export function safeName(name: string): string | undefined {
  return SAFE_NAME.test(name) ? name : undefined;
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
