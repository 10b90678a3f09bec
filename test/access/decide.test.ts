import { describe, expect, it } from 'vitest';
import { decideFhirAccess } from '../../src/access/index.js';
import { parseScopes, type Principal } from '../../src/auth/index.js';

const client = (scopes: string): Principal => ({
  kind: 'client',
  id: 'c1',
  label: 'lab integration',
  roles: [],
  scopes: parseScopes(scopes),
});

const user = (roles: string[], mfa: boolean | undefined): Principal => ({
  kind: 'user',
  id: 'u1',
  label: 'user',
  roles,
  scopes: [],
  ...(mfa === undefined ? {} : { mfa }),
});

const OPTIONAL = { patientMfa: 'optional' } as const;

describe('decideFhirAccess', () => {
  it('allows an API client what its system scopes grant, and nothing more', () => {
    const c = client('system/Patient.rs system/Observation.c');
    expect(decideFhirAccess(c, 'read', 'Patient')).toEqual({ allowed: true, reason: 'scope' });
    expect(decideFhirAccess(c, 'search', 'Patient').allowed).toBe(true);
    expect(decideFhirAccess(c, 'create', 'Observation').allowed).toBe(true);
    expect(decideFhirAccess(c, 'update', 'Patient')).toEqual({
      allowed: false,
      reason: 'scope-missing',
    });
    expect(decideFhirAccess(c, 'read', 'Observation').reason).toBe('scope-missing');
  });

  it('keeps the audit trail out of a wildcard client scope', () => {
    expect(decideFhirAccess(client('system/*.cruds'), 'read', 'AuditEvent').allowed).toBe(false);
    expect(decideFhirAccess(client('system/AuditEvent.rs'), 'read', 'AuditEvent').allowed).toBe(
      true,
    );
  });

  it('is not affected for clients by the MFA policy (clients have no second factor)', () => {
    const c = client('system/Patient.r');
    expect(decideFhirAccess(c, 'read', 'Patient', { patientMfa: 'required' }).allowed).toBe(true);
  });

  it('refuses a user without the second factor with mfa-required, before anything else', () => {
    for (const roles of [['nurse'], ['admin'], ['physician', 'auditor'], ['patient'], []]) {
      for (const interaction of ['read', 'search', 'create', 'delete'] as const) {
        expect(decideFhirAccess(user(roles, false), interaction, 'Patient')).toEqual({
          allowed: false,
          reason: 'mfa-required',
        });
      }
      expect(decideFhirAccess(user(roles, false), 'read', 'AuditEvent').reason).toBe(
        'mfa-required',
      );
    }
  });

  it('fails closed when a user principal does not say whether MFA is done', () => {
    expect(decideFhirAccess(user(['nurse'], undefined), 'read', 'Patient').reason).toBe(
      'mfa-required',
    );
  });

  it('requires MFA of patients by default, and of staff even when patients may skip it', () => {
    expect(decideFhirAccess(user(['patient'], false), 'read', 'Patient').reason).toBe(
      'mfa-required',
    );
    expect(
      decideFhirAccess(user(['patient'], false), 'read', 'Patient', { patientMfa: 'required' })
        .reason,
    ).toBe('mfa-required');
    for (const roles of [['nurse'], ['patient', 'nurse'], []]) {
      expect(decideFhirAccess(user(roles, false), 'read', 'Patient', OPTIONAL).reason).toBe(
        'mfa-required',
      );
    }
  });

  it('lets a patient without MFA past the MFA gate when patientMfa is optional', () => {
    // Past the gate only: people have no access policy yet, so the decision is still a denial.
    expect(decideFhirAccess(user(['patient'], false), 'read', 'Patient', OPTIONAL)).toEqual({
      allowed: false,
      reason: 'no-policy-for-principal',
    });
  });

  it('denies a user with MFA for want of a policy until the access-control issue lands', () => {
    for (const roles of [['nurse'], ['admin'], ['patient']]) {
      expect(decideFhirAccess(user(roles, true), 'read', 'Patient')).toEqual({
        allowed: false,
        reason: 'no-policy-for-principal',
      });
    }
  });
});
