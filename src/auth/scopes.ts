/**
 * SMART on FHIR scopes (App Launch 2.0 §scopes-and-launch-context), v2 syntax with the v1 forms
 * read/write/* accepted as aliases: `system/Patient.rs`, `user/*.cruds`, `patient/Observation.read`.
 */
export type ScopeContext = 'patient' | 'user' | 'system';
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

export interface Scope {
  context: ScopeContext;
  /** A FHIR resource type, or '*' for all. */
  resourceType: string;
  interactions: ReadonlySet<Interaction>;
}

/**
 * A scope string that cannot be granted. The message quotes the scope for the operator's CLI;
 * HTTP answers use `index` (0-based position in the space-separated list) instead, because a
 * client's text is not repeated back (it may be anything, PHI included).
 */
export class ScopeSyntaxError extends Error {
  readonly code = 'invalid-scope';
  constructor(
    message: string,
    /** Which scope of the list is at fault, when one is. */
    readonly index?: number,
  ) {
    super(message);
  }
}

const SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.(\*|read|write|c?r?u?d?s?)$/;

export function parseScope(text: string): Scope {
  const m = SCOPE.exec(text);
  if (!m || m[3] === '') {
    throw new ScopeSyntaxError(
      `invalid SMART scope "${text}": expected context/Type.permissions, e.g. system/Patient.rs`,
    );
  }
  const perms = m[3]!;
  const interactions = new Set<Interaction>(
    perms === '*'
      ? ['c', 'r', 'u', 'd', 's']
      : perms === 'read'
        ? ['r', 's']
        : perms === 'write'
          ? ['c', 'u', 'd']
          : (perms.split('') as Interaction[]),
  );
  return { context: m[1] as ScopeContext, resourceType: m[2]!, interactions };
}

/** Space-separated scope string, as in OAuth; rejects unknown or empty input. */
export function parseScopes(text: string): Scope[] {
  const parts = text.split(/\s+/).filter((p) => p.length > 0);
  if (parts.length === 0) throw new ScopeSyntaxError('at least one scope is required');
  return parts.map((part, index) => {
    try {
      return parseScope(part);
    } catch (e) {
      throw e instanceof ScopeSyntaxError ? new ScopeSyntaxError(e.message, index) : e;
    }
  });
}

/** Whether any granted scope allows this interaction on this resource type. */
export function scopesAllow(
  scopes: readonly Scope[],
  resourceType: string,
  interaction: Interaction,
): boolean {
  return scopes.some(
    (s) =>
      (s.resourceType === '*' || s.resourceType === resourceType) &&
      s.interactions.has(interaction),
  );
}
