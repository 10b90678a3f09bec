import { describe, expect, it } from 'vitest';
import { decideAuditView, MFA_REQUIRED } from '../../src/access/index.js';
import type { AuditViewRequest } from '../../src/audit/index.js';
import { parseScopes, type Principal, type RequestContext } from '../../src/auth/index.js';

const ctx = (principal: Principal): RequestContext => ({
  principal,
  requestId: 'r1',
  ip: undefined,
  userAgent: undefined,
});

const client = (scopes: string): Principal => ({
  kind: 'client',
  id: 'c1',
  label: 'siem',
  roles: [],
  scopes: parseScopes(scopes),
});

const person = (
  roles: string[],
  o: { patientId?: string; scopes?: string; mfa?: boolean } = {},
): Principal => ({
  kind: 'user',
  id: 'u1',
  label: 'user',
  roles,
  scopes: o.scopes ? parseScopes(o.scopes) : [],
  ...(o.patientId && { patientId: o.patientId }),
  mfa: o.mfa ?? true,
});

const decide = (p: Principal, request: AuditViewRequest) => decideAuditView(ctx(p), request);
const reasonOf = (p: Principal, request: AuditViewRequest) => {
  const d = decide(p, request);
  return d.allowed ? 'allowed' : d.reason;
};
const own = { view: 'disclosures', patientId: 'p1' } as const;
const other = { view: 'disclosures', patientId: 'p2' } as const;

describe('decideAuditView: who may look at the audit trail', () => {
  it('lets an auditor read and search AuditEvents, and no clinician', () => {
    for (const view of ['read', 'search'] as const) {
      expect(decide(person(['auditor']), { view }).allowed).toBe(true);
      expect(decide(person(['physician']), { view }).allowed).toBe(false);
    }
  });

  it('needs an explicit system/AuditEvent scope from an API client, not a wildcard', () => {
    expect(decide(client('system/AuditEvent.read'), { view: 'read' }).allowed).toBe(true);
    expect(decide(client('system/*.read'), { view: 'read' }).allowed).toBe(false);
    expect(decide(client('system/AuditEvent.read'), own).allowed).toBe(true);
    expect(decide(client('system/Patient.read'), own).allowed).toBe(false);
  });

  it('shows a patient their own disclosures only, an auditor anyone’s', () => {
    expect(reasonOf(person(['patient'], { patientId: 'p1' }), own)).toBe('allowed');
    expect(reasonOf(person(['patient'], { patientId: 'p1' }), other)).not.toBe('allowed');
    expect(reasonOf(person(['auditor']), other)).toBe('allowed');
    expect(reasonOf(person(['nurse']), own)).not.toBe('allowed');
  });

  it('holds an app acting for the patient to its scopes', () => {
    const app = (scopes: string) => ({
      ...person(['patient'], { patientId: 'p1', scopes }),
      appId: 'a1',
    });
    expect(reasonOf(app('patient/Observation.read'), own)).toBe('scope-missing');
    expect(reasonOf(app('patient/AuditEvent.read'), own)).toBe('allowed');
  });

  it('asks for the second factor before any view', () => {
    const pending = person(['auditor'], { mfa: false });
    expect(reasonOf(pending, { view: 'search' })).toBe(MFA_REQUIRED);
    expect(reasonOf(pending, other)).toBe(MFA_REQUIRED);
  });
});
