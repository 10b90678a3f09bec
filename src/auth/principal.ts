import type { AccessPolicyOptions } from '../access/index.js';
import type { Scope } from './scopes.js';

/**
 * Who is making a request. API clients (integrations) and people with sessions both resolve to
 * this one shape, so access checks and audit entries never care how
 * the caller authenticated.
 */
export interface Principal {
  kind: 'client' | 'user';
  /** Stable, never-reused id of the client or user. */
  id: string;
  /** Display label for operators (the client name); never shown in audit leaves. */
  label: string;
  roles: readonly string[];
  scopes: readonly Scope[];
  /** For a patient user, the Patient resource id they are; for staff, their Practitioner id. */
  patientId?: string;
  practitionerId?: string;
  /**
   * A person's session has completed its second factor. Absent for API clients; for a user,
   * anything but true means not yet (the access decision fails closed on it).
   */
  mfa?: boolean;
  /** For a person acting through an app token: that token's id (recorded in the audit trail). */
  appId?: string;
}

/** Facts about one request that every audit entry and access decision needs. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  ip: string | undefined;
  userAgent: string | undefined;
  /** Deployment policy for the access decision; absent means the strict default. */
  policy?: AccessPolicyOptions;
}
