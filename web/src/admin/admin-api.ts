import { get, post } from '../api';

/** The admin routes (src/http/admin-user-routes.ts), typed as the server's schemas answer. */
export interface AdminUser {
  id: string;
  email: string;
  roles: string[];
  status: string;
  mfaConfigured: boolean;
  patientId: string | null;
  practitionerId: string | null;
  createdAt: string;
}

export interface Approval {
  id: string;
  kind: 'user-create' | 'user-roles';
  subjectId: string;
  roles: string[];
  links: ('patient' | 'practitioner')[];
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
}

export type Change =
  { status: 'applied' } | { status: 'pending'; approvalId: string; expiresAt: string };

export interface NewPerson {
  email: string;
  roles: string[];
  displayName?: string;
  patientId?: string;
  practitionerId?: string;
}

export const ROLES: { value: string; label: string }[] = [
  { value: 'physician', label: 'Physician' },
  { value: 'nurse', label: 'Nurse' },
  { value: 'lab_assistant', label: 'Lab assistant' },
  { value: 'scheduler', label: 'Scheduler' },
  { value: 'patient', label: 'Patient' },
  { value: 'admin', label: 'Administrator' },
  { value: 'auditor', label: 'Auditor' },
];

export const roleName = (r: string) => ROLES.find((x) => x.value === r)?.label ?? r;

export const USERS_KEY = ['admin-users'];
export const APPROVALS_KEY = ['admin-approvals'];

const enc = encodeURIComponent;

export const adminApi = {
  users: () => get<{ users: AdminUser[] }>('/api/admin/users'),
  approvals: () => get<{ approvals: Approval[] }>('/api/admin/approvals'),
  // The answer to an applied creation carries an enrollment token: it is dropped here, never
  // shown (the link goes to the person by email, or to the server's terminal).
  add: async (p: NewPerson): Promise<Change> => {
    const r = await post<Change>('/api/admin/users', p);
    return r.status === 'pending' ? r : { status: 'applied' };
  },
  roles: (id: string, roles: string[]) =>
    post<Change>(`/api/admin/users/${enc(id)}/roles`, { roles }),
  act: (id: string, action: 'disable' | 'reset-mfa' | 'unlock' | 'resend-invitation') =>
    post<void>(`/api/admin/users/${enc(id)}/${action}`),
  approve: (id: string) => post<{ status: string }>(`/api/admin/approvals/${enc(id)}/approve`),
};
