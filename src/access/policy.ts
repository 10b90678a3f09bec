import type { AccessPolicyOptions } from '../auth/index.js';

// The type lives with the request context in src/auth (see principal.ts); the default is here.
export type { AccessPolicyOptions };

export const DEFAULT_ACCESS_POLICY: AccessPolicyOptions = Object.freeze({ patientMfa: 'required' });

/** Reason code of a refusal because the session has not completed its second factor. */
export const MFA_REQUIRED = 'mfa-required';
