import { USER_ROLES, type UserRole } from './roles.js';

/**
 * Roles given only under the two-person rule over HTTP (issue 13, item 4; ADR 0015): all of
 * them. Clinicians, the lab, the scheduler (appointment times are PHI) and patients read records;
 * the auditor reads who accessed which patient id and is the check on admins. `admin` reads no
 * clinical data, but an admin is an approver: one admin who could create another alone could
 * mint their own "second admin" and approve anything. So every grant needs a second admin; only
 * taking roles away is immediate. The CLI (the operator at the console) is not bound by this.
 */
export const APPROVAL_ROLES: readonly UserRole[] = USER_ROLES;

/** Whether going from `before` to `after` grants any role that needs a second admin. */
export function grantsApprovalRole(before: readonly string[], after: readonly UserRole[]): boolean {
  return after.some((r) => APPROVAL_ROLES.includes(r) && !before.includes(r));
}

/** A new account needs approval if it holds such a role or is linked to a Patient/Practitioner. */
export function creationNeedsApproval(
  roles: readonly UserRole[],
  patientId: string | undefined,
  practitionerId: string | undefined,
): boolean {
  return grantsApprovalRole([], roles) || patientId !== undefined || practitionerId !== undefined;
}
