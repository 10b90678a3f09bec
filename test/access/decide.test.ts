import { describe, expect, it } from 'vitest';
import {
  decideApiAccess,
  decideFhirAccess,
  NO_RELATION,
  type FhirInteraction,
  type RelationFacts,
} from '../../src/access/index.js';
import { parseScopes, type Principal } from '../../src/auth/index.js';

const client = (scopes: string): Principal => ({
  kind: 'client',
  id: 'c1',
  label: 'lab integration',
  roles: [],
  scopes: parseScopes(scopes),
});

const user = (
  roles: string[],
  mfa: boolean | undefined = true,
  links: { patientId?: string; practitionerId?: string; scopes?: string } = {},
): Principal => ({
  kind: 'user',
  id: 'u1',
  label: 'user',
  roles,
  scopes: links.scopes ? parseScopes(links.scopes) : [],
  ...(links.patientId && { patientId: links.patientId }),
  ...(links.practitionerId && { practitionerId: links.practitionerId }),
  ...(mfa === undefined ? {} : { mfa }),
});

const OPTIONAL = { patientMfa: 'optional' } as const;
const CARE: RelationFacts = { care: true, labOrder: false };
const LAB: RelationFacts = { care: false, labOrder: true };
const GRANT: RelationFacts = { care: false, labOrder: false, emergencyGrant: 'g1' };

const typeLevel = (p: Principal, interaction: FhirInteraction, resourceType: string) =>
  decideFhirAccess(p, { interaction, resourceType });
const onRecord = (
  p: Principal,
  interaction: FhirInteraction,
  resourceType: string,
  owner: string,
  facts: RelationFacts = NO_RELATION,
) => decideFhirAccess(p, { interaction, resourceType, owner }, facts);

describe('decideFhirAccess: API clients', () => {
  it('allows what its system scopes grant, and nothing more', () => {
    const c = client('system/Patient.rs system/Observation.c');
    expect(typeLevel(c, 'read', 'Patient')).toMatchObject({ allowed: true, reason: 'scope' });
    expect(typeLevel(c, 'search', 'Patient').allowed).toBe(true);
    expect(typeLevel(c, 'create', 'Observation').allowed).toBe(true);
    expect(typeLevel(c, 'update', 'Patient')).toEqual({ allowed: false, reason: 'scope-missing' });
    expect(typeLevel(c, 'read', 'Observation').reason).toBe('scope-missing');
    // System scopes reach every patient: no relation needed.
    expect(onRecord(c, 'read', 'Patient', 'Patient/p9').allowed).toBe(true);
  });

  it('keeps the audit trail out of a wildcard client scope', () => {
    expect(typeLevel(client('system/*.cruds'), 'read', 'AuditEvent').allowed).toBe(false);
    expect(typeLevel(client('system/AuditEvent.rs'), 'read', 'AuditEvent').allowed).toBe(true);
  });

  it('is not affected by the MFA policy (clients have no second factor)', () => {
    const c = client('system/Patient.r');
    expect(
      decideFhirAccess(c, { interaction: 'read', resourceType: 'Patient' }, NO_RELATION, {
        patientMfa: 'required',
      }).allowed,
    ).toBe(true);
  });
});

describe('decideFhirAccess: the second factor comes first', () => {
  it('refuses a person without it, whatever the role or relation', () => {
    for (const roles of [['nurse'], ['admin'], ['physician', 'auditor'], ['patient'], []]) {
      for (const interaction of ['read', 'search', 'create', 'delete'] as const) {
        expect(onRecord(user(roles, false), interaction, 'Patient', 'Patient/p1', CARE)).toEqual({
          allowed: false,
          reason: 'mfa-required',
        });
      }
    }
    const { mfa: _, ...unsaid } = user(['nurse']);
    expect(typeLevel(unsaid, 'read', 'Patient').reason).toBe('mfa-required');
  });

  it('lets a patient-only person skip it when the deployment says so, and nobody else', () => {
    const p = user(['patient'], false, { patientId: 'p1' });
    expect(
      decideFhirAccess(
        p,
        { interaction: 'read', resourceType: 'Patient', owner: 'Patient/p1' },
        NO_RELATION,
        OPTIONAL,
      ).allowed,
    ).toBe(true);
    for (const roles of [['nurse'], ['patient', 'nurse']]) {
      expect(
        decideFhirAccess(
          user(roles, false),
          { interaction: 'read', resourceType: 'Patient' },
          NO_RELATION,
          OPTIONAL,
        ).reason,
      ).toBe('mfa-required');
    }
  });
});

describe('decideFhirAccess: roles and relations', () => {
  const physician = user(['physician'], true, { practitionerId: 'dr1' });
  const nurse = user(['nurse'], true, { practitionerId: 'rn1' });

  it('lets clinicians reach their own patients only', () => {
    for (const p of [physician, nurse]) {
      for (const type of ['Patient', 'Observation', 'Condition', 'DocumentReference', 'Binary']) {
        expect(onRecord(p, 'read', type, 'Patient/p1', CARE).allowed).toBe(true);
        expect(onRecord(p, 'update', type, 'Patient/p1', CARE).allowed).toBe(true);
        expect(onRecord(p, 'read', type, 'Patient/p2', NO_RELATION)).toEqual({
          allowed: false,
          reason: 'no-relation',
        });
      }
    }
  });

  it('never lets clinicians delete, or reach billing records', () => {
    expect(typeLevel(physician, 'delete', 'Observation').allowed).toBe(false);
    expect(onRecord(physician, 'read', 'Claim', 'Patient/p1', CARE).allowed).toBe(false);
  });

  it('gives only physicians the right to release results to the patient', () => {
    const grant = (p: Principal) => {
      const d = onRecord(p, 'update', 'Observation', 'Patient/p1', CARE);
      return d.allowed ? d.grant.release : undefined;
    };
    expect(grant(physician)).toBe(true);
    expect(grant(nurse)).toBe(false);
  });

  it('opens a record outside the care team only through a break-glass grant, marked as such', () => {
    const d = onRecord(physician, 'read', 'Condition', 'Patient/p2', GRANT);
    expect(d).toMatchObject({ allowed: true, reason: 'break-glass', grant: { emergency: 'g1' } });
    // A care relation makes the same access ordinary (not marked as an emergency).
    const ordinary = onRecord(physician, 'read', 'Condition', 'Patient/p2', {
      ...CARE,
      emergencyGrant: 'g1',
    });
    expect(ordinary.allowed && ordinary.grant.emergency).toBe(undefined);
    // A grant means nothing to roles without care relationships.
    expect(onRecord(user(['scheduler']), 'read', 'Condition', 'Patient/p2', GRANT).allowed).toBe(
      false,
    );
    expect(
      onRecord(user(['lab_assistant']), 'read', 'Observation', 'Patient/p2', GRANT).allowed,
    ).toBe(false);
  });

  it('lets a lab assistant work on lab Observations of patients with a lab order, nothing else', () => {
    const lab = user(['lab_assistant']);
    const d = onRecord(lab, 'update', 'Observation', 'Patient/p1', LAB);
    expect(d).toMatchObject({ allowed: true, grant: { conditions: ['laboratory'] } });
    expect(onRecord(lab, 'create', 'Observation', 'Patient/p2', NO_RELATION).allowed).toBe(false);
    for (const type of ['Condition', 'DocumentReference', 'Encounter', 'MedicationRequest']) {
      expect(typeLevel(lab, 'read', type)).toEqual({
        allowed: false,
        reason: 'role-not-permitted',
      });
    }
    const patient = onRecord(lab, 'read', 'Patient', 'Patient/p1', LAB);
    expect(patient.allowed && patient.grant.fields).toBe('identification');
  });

  it('gives the scheduler front-desk fields of any patient and appointments, no clinical data', () => {
    const s = user(['scheduler']);
    const d = onRecord(s, 'read', 'Patient', 'Patient/p7');
    expect(d.allowed && d.grant.fields).toBe('front-desk');
    expect(onRecord(s, 'create', 'Appointment', 'Patient/p7').allowed).toBe(true);
    expect(typeLevel(s, 'read', 'Observation').allowed).toBe(false);
    expect(typeLevel(s, 'history', 'Patient').allowed).toBe(false);
  });

  it('lets a patient read only their own record, results only once released', () => {
    const p = user(['patient'], true, { patientId: 'p1' });
    const obs = onRecord(p, 'read', 'Observation', 'Patient/p1');
    expect(obs).toMatchObject({ allowed: true, grant: { conditions: ['released-to-patient'] } });
    const cond = onRecord(p, 'read', 'Condition', 'Patient/p1');
    expect(cond).toMatchObject({ allowed: true, grant: { conditions: [] } });
    expect(onRecord(p, 'read', 'Condition', 'Patient/p2', CARE).allowed).toBe(false);
    expect(onRecord(p, 'update', 'Patient', 'Patient/p1').allowed).toBe(false);
  });

  it('keeps admins and auditors out of every clinical record', () => {
    for (const role of ['admin', 'auditor']) {
      for (const type of ['Patient', 'Observation', 'Condition', 'Binary', 'Appointment']) {
        expect(onRecord(user([role]), 'read', type, 'Patient/p1', CARE).allowed).toBe(false);
      }
    }
    expect(typeLevel(user(['admin']), 'update', 'Practitioner').allowed).toBe(true);
    expect(typeLevel(user(['auditor']), 'search', 'AuditEvent').allowed).toBe(true);
    expect(typeLevel(user(['admin']), 'search', 'AuditEvent').allowed).toBe(false);
  });

  it('takes the widest grant when two roles both allow (fields and conditions)', () => {
    const both = user(['scheduler', 'lab_assistant']);
    const d = onRecord(both, 'read', 'Patient', 'Patient/p1', LAB);
    expect(d.allowed && d.grant.fields).toBe('front-desk');
    const clinicianAndPatient = user(['nurse', 'patient'], true, {
      patientId: 'p1',
      practitionerId: 'rn1',
    });
    const o = onRecord(clinicianAndPatient, 'read', 'Observation', 'Patient/p1', CARE);
    expect(o.allowed && o.grant.conditions).toEqual([]);
  });

  it('denies roles it does not know', () => {
    expect(onRecord(user(['superuser']), 'read', 'Patient', 'Patient/p1', CARE)).toEqual({
      allowed: false,
      reason: 'role-not-permitted',
    });
  });
});

describe('decideFhirAccess: a person acting through an app needs role and scopes', () => {
  it('refuses what the scopes do not cover even when the role would allow it', () => {
    const p = user(['physician'], true, { practitionerId: 'dr1', scopes: 'user/Observation.rs' });
    expect(onRecord(p, 'read', 'Observation', 'Patient/p1', CARE).allowed).toBe(true);
    expect(onRecord(p, 'update', 'Observation', 'Patient/p1', CARE).reason).toBe('scope-missing');
    expect(onRecord(p, 'read', 'Condition', 'Patient/p1', CARE).reason).toBe('scope-missing');
  });

  it('refuses what the role does not cover even when the scopes would allow it', () => {
    const p = user(['scheduler'], true, { scopes: 'user/*.cruds' });
    expect(typeLevel(p, 'read', 'Observation').allowed).toBe(false);
  });

  it('limits patient/ scopes to the person’s own record', () => {
    const p = user(['patient', 'nurse'], true, {
      patientId: 'p1',
      practitionerId: 'rn1',
      scopes: 'patient/Condition.rs',
    });
    expect(onRecord(p, 'read', 'Condition', 'Patient/p1').allowed).toBe(true);
    expect(onRecord(p, 'read', 'Condition', 'Patient/p2', CARE).reason).toBe('scope-missing');
  });
});

describe('decideApiAccess', () => {
  it('follows the role table for /api actions', () => {
    expect(decideApiAccess(user(['admin']), 'users:manage').allowed).toBe(true);
    expect(decideApiAccess(user(['physician']), 'users:manage').allowed).toBe(false);
    expect(decideApiAccess(user(['physician']), 'break-glass:request').allowed).toBe(true);
    expect(decideApiAccess(user(['scheduler']), 'break-glass:request').allowed).toBe(false);
    expect(decideApiAccess(user(['auditor']), 'break-glass:review').allowed).toBe(true);
    expect(decideApiAccess(user(['admin'], false), 'users:manage').reason).toBe('mfa-required');
    expect(decideApiAccess(client('system/*.cruds'), 'users:manage').allowed).toBe(false);
  });

  it('lets a patient read their own accounting of disclosures only', () => {
    const p = user(['patient'], true, { patientId: 'p1' });
    expect(decideApiAccess(p, 'disclosures:read', 'Patient/p1').allowed).toBe(true);
    expect(decideApiAccess(p, 'disclosures:read', 'Patient/p2').allowed).toBe(false);
    expect(decideApiAccess(user(['auditor']), 'disclosures:read', 'Patient/p2').allowed).toBe(true);
  });
});

/**
 * Cases found by mutation testing (npm run mutate): each pins a branch whose removal or
 * inversion no test above noticed. Whole decisions are compared, so an "allowed: true" carrying a
 * denial reason, or a denial with the wrong reason, fails too.
 */
describe('decide: exact decisions at every branch', () => {
  const physician = user(['physician'], true, { practitionerId: 'dr1' });

  it('gives a client its full grant, and reads each interaction as its own scope letter', () => {
    const readOnly = client('system/Patient.r');
    expect(typeLevel(readOnly, 'read', 'Patient')).toEqual({
      allowed: true,
      reason: 'scope',
      grant: { fields: 'all', conditions: [], release: true },
    });
    expect(typeLevel(readOnly, 'vread', 'Patient').allowed).toBe(true);
    expect(typeLevel(readOnly, 'history', 'Patient').allowed).toBe(true);
    for (const i of ['update', 'delete', 'create', 'search'] as const) {
      expect(typeLevel(readOnly, i, 'Patient'), i).toEqual({
        allowed: false,
        reason: 'scope-missing',
      });
    }
    expect(typeLevel(client('system/Patient.u'), 'update', 'Patient').allowed).toBe(true);
    expect(typeLevel(client('system/Patient.d'), 'delete', 'Patient').allowed).toBe(true);
    const createOnly = client('system/Patient.c');
    for (const i of ['read', 'vread', 'history'] as const) {
      expect(typeLevel(createOnly, i, 'Patient').allowed, i).toBe(false);
    }
  });

  it('counts only system/ scopes for a client', () => {
    const c = client('user/Patient.rs patient/Patient.rs');
    expect(typeLevel(c, 'read', 'Patient')).toEqual({ allowed: false, reason: 'scope-missing' });
  });

  it('answers a type-level question for a role that reaches only related patients', () => {
    expect(typeLevel(physician, 'read', 'Observation')).toMatchObject({
      allowed: true,
      reason: 'role',
    });
    expect(onRecord(physician, 'read', 'Observation', 'Patient/p1', CARE)).toMatchObject({
      allowed: true,
      reason: 'role',
    });
  });

  it('gives no care reach to a record that belongs to no patient', () => {
    expect(onRecord(physician, 'read', 'Observation', 'Group/g1', CARE)).toEqual({
      allowed: false,
      reason: 'no-relation',
    });
  });

  it('does not take a person without a patient link for Patient/undefined', () => {
    expect(onRecord(user(['patient']), 'read', 'Condition', 'Patient/undefined')).toEqual({
      allowed: false,
      reason: 'no-relation',
    });
  });

  it('denies with the reason, never "allowed" alongside it', () => {
    const scoped = user(['physician'], true, { practitionerId: 'dr1', scopes: 'user/Condition.r' });
    expect(onRecord(scoped, 'read', 'Observation', 'Patient/p1', CARE)).toEqual({
      allowed: false,
      reason: 'scope-missing',
    });
    const own = user(['patient', 'nurse'], true, {
      patientId: 'p1',
      practitionerId: 'rn1',
      scopes: 'patient/Condition.rs',
    });
    expect(onRecord(own, 'read', 'Condition', 'Patient/p2', CARE)).toEqual({
      allowed: false,
      reason: 'scope-missing',
    });
    // patient/ scopes for another type do not open this one, even on the person's own record.
    expect(onRecord(own, 'read', 'Observation', 'Patient/p1', CARE)).toEqual({
      allowed: false,
      reason: 'scope-missing',
    });
    // A person's token never works through system/ scopes.
    const system = user(['patient'], true, { patientId: 'p1', scopes: 'system/Condition.rs' });
    expect(onRecord(system, 'read', 'Condition', 'Patient/p1')).toEqual({
      allowed: false,
      reason: 'scope-missing',
    });
  });

  it('requires the second factor of a person with no roles, whatever the patient MFA policy', () => {
    const nobody = user([], false);
    expect(
      decideFhirAccess(
        nobody,
        { interaction: 'read', resourceType: 'Patient' },
        NO_RELATION,
        OPTIONAL,
      ),
    ).toEqual({
      allowed: false,
      reason: 'mfa-required',
    });
  });

  it('takes all fields and the release right when any of two roles has them', () => {
    const both = user(['nurse', 'scheduler'], true, { practitionerId: 'rn1' });
    const d = onRecord(both, 'read', 'Patient', 'Patient/p1', CARE);
    expect(d.allowed && d.grant.fields).toBe('all');
    const physicianNurse = user(['nurse', 'physician'], true, { practitionerId: 'dr1' });
    const u = onRecord(physicianNurse, 'update', 'Observation', 'Patient/p1', CARE);
    expect(u.allowed && u.grant.release).toBe(true);
  });

  it('decides /api actions with exact reasons', () => {
    expect(decideApiAccess(client('system/*.cruds'), 'users:manage')).toEqual({
      allowed: false,
      reason: 'people-only',
    });
    expect(decideApiAccess(user(['admin'], false), 'users:manage')).toEqual({
      allowed: false,
      reason: 'mfa-required',
    });
    expect(decideApiAccess(user(['physician']), 'users:manage')).toEqual({
      allowed: false,
      reason: 'role-not-permitted',
    });
    expect(decideApiAccess(user(['admin']), 'users:manage')).toEqual({
      allowed: true,
      reason: 'role',
      grant: { fields: 'all', conditions: [], release: true },
    });
    const p = user(['patient'], true, { patientId: 'p1' });
    expect(decideApiAccess(p, 'disclosures:read', 'Patient/p2')).toEqual({
      allowed: false,
      reason: 'no-relation',
    });
    // With no patient named, the action itself is what is asked about.
    expect(decideApiAccess(p, 'disclosures:read').allowed).toBe(true);
    // One role reaching any patient is enough, even if another reaches only the person's own.
    const patientAuditor = user(['patient', 'auditor'], true, { patientId: 'p1' });
    expect(decideApiAccess(patientAuditor, 'disclosures:read', 'Patient/p2').allowed).toBe(true);
  });
});
