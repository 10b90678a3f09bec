import type { UserRow } from '../../store/index.js';
import type { UserRole } from './roles.js';

/** What sign-in hands to the session layer: ids and roles, no identifying fields. */
export interface Account {
  id: string;
  roles: UserRole[];
  patientId: string | null;
  practitionerId: string | null;
  /** A confirmed TOTP; WebAuthn credentials are counted by the admin list. */
  totpConfirmed: boolean;
  passwordChangedAt: string | null;
}

export function toAccount(row: UserRow): Account {
  return {
    id: row.id,
    roles: row.roles as UserRole[],
    patientId: row.patientId,
    practitionerId: row.practitionerId,
    totpConfirmed: row.totpConfirmedAt !== null,
    passwordChangedAt: row.passwordChangedAt,
  };
}
