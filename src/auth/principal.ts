import type { Scope } from './scopes.js';

/**
 * Who is making a request. API clients (integrations) and, in a later issue, people with
 * sessions both resolve to this one shape, so access checks and audit entries never care how
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
}

/** Facts about one request that every audit entry and access decision needs. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  ip: string | undefined;
  userAgent: string | undefined;
}
