import type { PasswordRole } from '../password/index.js';
import { InvalidLinkError, InvalidRoleError } from './errors.js';

export const USER_ROLES = [
  'admin',
  'physician',
  'nurse',
  'lab_assistant',
  'scheduler',
  'patient',
  'auditor',
] as const;

export type UserRole = (typeof USER_ROLES)[number];

/** Validated, de-duplicated roles in canonical order. A person may hold several. */
export function parseRoles(roles: readonly string[]): UserRole[] {
  if (roles.length === 0) throw new InvalidRoleError('at least one role is required');
  for (const r of roles) {
    if (!(USER_ROLES as readonly string[]).includes(r)) {
      throw new InvalidRoleError(`unknown role (expected one of ${USER_ROLES.join(', ')})`);
    }
  }
  return USER_ROLES.filter((r) => roles.includes(r));
}

/** Staff hold access to many records, so any staff role raises the minimum length (SPEC). */
export function passwordRoleFor(roles: readonly string[]): PasswordRole {
  return roles.every((r) => r === 'patient') ? 'patient' : 'staff';
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** A patient link needs the patient role; a practitioner link needs a staff role. */
export function checkLinks(
  roles: readonly UserRole[],
  patientId: string | undefined,
  practitionerId: string | undefined,
): void {
  for (const [name, id] of [
    ['patient', patientId],
    ['practitioner', practitionerId],
  ] as const) {
    if (id !== undefined && !FHIR_ID.test(id)) {
      throw new InvalidLinkError(`${name} id must be a FHIR id ([A-Za-z0-9-.]{1,64})`);
    }
  }
  if (patientId !== undefined && !roles.includes('patient')) {
    throw new InvalidLinkError('a patient link needs the patient role');
  }
  if (practitionerId !== undefined && passwordRoleFor(roles) !== 'staff') {
    throw new InvalidLinkError('a practitioner link needs a staff role');
  }
}
