/**
 * Deployment choices the access decision depends on. Passed to decideFhirAccess with every call
 * (through the request context); anything absent means the strict default.
 */
export interface AccessPolicyOptions {
  /**
   * Whether a person whose only role is patient needs a verified second factor before PHI.
   * Staff always do. Default 'required'.
   */
  patientMfa: 'required' | 'optional';
}

export const DEFAULT_ACCESS_POLICY: AccessPolicyOptions = Object.freeze({ patientMfa: 'required' });

/** Reason code of a refusal because the session has not completed its second factor. */
export const MFA_REQUIRED = 'mfa-required';
