import type { Principal } from '../auth/index.js';
import type { CareRelation, RelationAuthority } from '../store/index.js';
import type { Grant } from './decide.js';

/**
 * Who may create a care relation (ADR 0013). A relation grants access, so it may only come
 * from someone already entitled to write its source for that patient — a person through their
 * role's reach, an integration through its scopes — never from access obtained through
 * break-glass: otherwise an emergency grant would outlive itself (the holder names themselves
 * on a CareTeam) or pass to a colleague (who could then name the holder). Under break-glass a
 * write may keep or remove relations; it may add none, for anyone. Undefined: no authority.
 */
export function relationAuthority(
  principal: Principal,
  grant: Grant,
): RelationAuthority | undefined {
  if (grant.emergency !== undefined) return undefined;
  return principal.kind === 'client' ? 'client-scope' : 'role-reach';
}

/** The relations of `next` not already in force (`current`): what a write would add. */
export function addedRelations(
  current: readonly CareRelation[],
  next: readonly CareRelation[],
): CareRelation[] {
  const id = (r: CareRelation) => `${r.kind}|${r.practitioner}|${r.patient}`;
  const have = new Set(current.map(id));
  return next.filter((r) => !have.has(id(r)));
}
