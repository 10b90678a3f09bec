import type { UserRole } from './roles.js';

/**
 * Roles that reach PHI, or oversee those who do, and so are given only under the two-person
 * rule (issue 13, item 4; ADR 0009): clinicians, the lab, the scheduler (appointment times are
 * PHI) and patients read records; the auditor reads who accessed which patient id, and is the
 * check on admins, so an admin must not be able to appoint one alone. `admin` reads no clinical
 * data (SPEC: separation of duties) and stays a one-admin change, never to oneself.
 */
export const APPROVAL_ROLES: readonly UserRole[] = [
  'physician',
  'nurse',
  'lab_assistant',
  'scheduler',
  'patient',
  'auditor',
];

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
