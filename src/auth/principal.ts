import type { Scope } from './scopes.js';

/**
 * Deployment choices the access decision depends on. Passed to decideFhirAccess with every call
 * (through the request context); anything absent means the strict default.
 *
 * Defined here rather than in src/access, which decides with it: access depends on auth (the
 * principal, scopes, roles), so a request context that named access's type made the two import
 * each other. src/access re-exports it with its default.
 */
export interface AccessPolicyOptions {
  /**
   * Whether a person whose only role is patient needs a verified second factor before PHI.
   * Staff always do. Default 'required'.
   */
  patientMfa: 'required' | 'optional';
}

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
  /**
   * For a SMART app's token: the Patient in context (launch/patient, or the patient user's own
   * record). `patient/` scopes reach this patient only; the person's role still decides.
   */
  smartPatient?: string;
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
