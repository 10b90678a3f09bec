import { describe, expect, it } from 'vitest';
import { toAuditEvent, type AuditAction, type AuditEntry } from '../../src/audit/index.js';

/**
 * Issue 21 part 4: an AuditEvent's type and subtype say what happened, in the FHIR/DICOM audit
 * vocabularies (a record read is a RESTful `read`, not DICOM 110114 User Authentication).
 * The table is keyed by every AuditAction, so the type checker flags a new action left out.
 */
const REST = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL = 'http://hl7.org/fhir/restful-interaction';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

type Expect = [typeSystem: string, typeCode: string, subtype: [string, string] | undefined];
const EXPECTED: Record<AuditAction, Expect> = {
  read: [REST, 'rest', [RESTFUL, 'read']],
  vread: [REST, 'rest', [RESTFUL, 'vread']],
  history: [REST, 'rest', [RESTFUL, 'history-instance']],
  search: [REST, 'rest', [RESTFUL, 'search-type']],
  create: [REST, 'rest', [RESTFUL, 'create']],
  update: [REST, 'rest', [RESTFUL, 'update']],
  delete: [REST, 'rest', [RESTFUL, 'delete']],
  transaction: [REST, 'rest', [RESTFUL, 'transaction']],
  'attachment-download': [REST, 'rest', [RESTFUL, 'read']],
  export: [DCM, '110106', undefined],
  'audit-read': [DCM, '110101', undefined],
  'request-refused': [DCM, '110113', [DCM, '110132']],
  'break-glass-list': [DCM, '110100', undefined],
  'user-list': [DCM, '110100', undefined],
  'alert-acknowledge': [DCM, '110113', undefined],
  login: [DCM, '110114', [DCM, '110122']],
  'login-password': [DCM, '110114', [DCM, '110122']],
  'login-totp': [DCM, '110114', [DCM, '110122']],
  'login-recovery-code': [DCM, '110114', [DCM, '110122']],
  'login-webauthn': [DCM, '110114', [DCM, '110122']],
  'token-rejected': [DCM, '110114', [DCM, '110122']],
  logout: [DCM, '110114', [DCM, '110123']],
  'break-glass': [DCM, '110113', [DCM, '110127']],
  'break-glass-end': [DCM, '110113', [DCM, '110138']],
  'api-denied': [DCM, '110113', [DCM, '110132']],
  'user-roles-change': [DCM, '110113', [DCM, '110136']],
  'privilege-request': [DCM, '110113', [DCM, '110136']],
  'privilege-approve': [DCM, '110113', [DCM, '110136']],
  'user-create': [DCM, '110113', [DCM, '110137']],
  enroll: [DCM, '110113', [DCM, '110137']],
  lockout: [DCM, '110113', [DCM, '110137']],
  'user-unlock': [DCM, '110113', [DCM, '110137']],
  'user-disable': [DCM, '110113', [DCM, '110137']],
  'invitation-resend': [DCM, '110113', [DCM, '110137']],
  'mfa-enroll': [DCM, '110113', [DCM, '110137']],
  'mfa-reset': [DCM, '110113', [DCM, '110137']],
  'mfa-remove': [DCM, '110113', [DCM, '110137']],
  'password-change': [DCM, '110113', [DCM, '110137']],
  'password-reset-issued': [DCM, '110113', [DCM, '110137']],
  'client-create': [DCM, '110113', [DCM, '110137']],
  'client-revoke': [DCM, '110113', [DCM, '110137']],
  'smart-authorize': [DCM, '110114', [DCM, '110122']],
  'smart-consent-grant': [DCM, '110114', [DCM, '110122']],
  'smart-consent-deny': [DCM, '110114', [DCM, '110122']],
  'smart-token-issue': [DCM, '110114', [DCM, '110122']],
  'smart-token-refresh': [DCM, '110114', [DCM, '110122']],
  'smart-token-revoke': [DCM, '110114', [DCM, '110123']],
  'smart-launch': [DCM, '110100', undefined],
  'smart-client-create': [DCM, '110113', [DCM, '110137']],
  'smart-client-revoke': [DCM, '110113', [DCM, '110137']],
  'notification-send': [DCM, '110100', undefined],
  'notification-refused': [DCM, '110113', [DCM, '110132']],
  'key-rotate': [DCM, '110113', undefined],
  'key-retire': [DCM, '110113', undefined],
  'visit-start': [DCM, '110100', [DCM, '110120']],
  'visit-admit': [DCM, '110100', [DCM, '110120']],
  'visit-end': [DCM, '110100', [DCM, '110121']],
  'recording-consent': [DCM, '110110', undefined],
  'recording-withdraw': [DCM, '110110', undefined],
  'recording-start': [DCM, '110100', [DCM, '110120']],
  'recording-stop': [DCM, '110100', [DCM, '110121']],
  'backup-created': [DCM, '110106', undefined],
  'backup-restored': [DCM, '110107', undefined],
  'backup-verified': [DCM, '110100', undefined],
  'patient-dispose-request': [DCM, '110113', [DCM, '110132']],
  'patient-disposed': [DCM, '110110', [DCM, '110132']],
  'compliance-report': [DCM, '110100', undefined],
  'incident-create': [DCM, '110113', undefined],
  'incident-update': [DCM, '110113', undefined],
  'incident-read': [DCM, '110100', undefined],
  'incident-affected': [DCM, '110100', undefined],
  'incident-notice': [DCM, '110100', undefined],
  'deidentified-export': [DCM, '110106', undefined],
  'bulk-export': [DCM, '110106', undefined],
  'bulk-export-download': [DCM, '110106', undefined],
};

const entry = (action: string): AuditEntry => ({
  seq: 1,
  at: '2026-01-01T00:00:00.000Z',
  actorType: 'client',
  actorId: 'c1',
  action,
  resourceType: null,
  resourceId: null,
  resourceVersion: null,
  patientId: null,
  outcome: 'success',
  ip: null,
  userAgent: null,
  requestId: null,
  reason: null,
  detail: null,
});

type Coding = { system: string; code: string };

describe('AuditEvent type and subtype', () => {
  it.each(Object.entries(EXPECTED))('%s', (action, [system, code, subtype]) => {
    const ev = toAuditEvent(entry(action)) as { type: Coding; subtype: Coding[] };
    expect(ev.type).toMatchObject({ system, code });
    const first = ev.subtype[0]!;
    if (subtype) expect(first).toMatchObject({ system: subtype[0], code: subtype[1] });
    // Haven's own code is there whenever the standard codes do not already say it exactly.
    const codes = ev.subtype.map((s) => `${s.system}|${s.code}`);
    if (!(system === REST && subtype?.[1] === action)) {
      expect(codes).toContain(`urn:haven:audit-action|${action}`);
    } else {
      expect(codes).toEqual([`${RESTFUL}|${action}`]);
    }
  });

  it('an action not in the table yet is Application Activity with its Haven code', () => {
    const ev = toAuditEvent(entry('something-new')) as { type: Coding; subtype: Coding[] };
    expect(ev.type).toMatchObject({ system: DCM, code: '110100' });
    expect(ev.subtype).toEqual([{ system: 'urn:haven:audit-action', code: 'something-new' }]);
  });
});
