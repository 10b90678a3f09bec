/**
 * What kind of event an audit entry is, in the vocabularies the FHIR R4 AuditEvent page names:
 * RESTful interactions as type `rest` (audit-event-type) with the restful-interaction subtype;
 * everything else as the DICOM event type (PS3.16 CID 400) with its DICOM subtype (CIDs 403/404)
 * where one fits. Haven's own action code is added as a further subtype whenever the standard
 * codes do not already say it exactly, so nothing the entry records is lost in the view.
 */
export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface AuditEventKind {
  type: Coding;
  subtype: Coding[];
  /** FHIR AuditEvent.action: C, R, U, D or E. */
  action: 'C' | 'R' | 'U' | 'D' | 'E';
}

const REST_TYPE: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  code: 'rest',
  display: 'RESTful Operation',
};
const RESTFUL = 'http://hl7.org/fhir/restful-interaction';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const HAVEN_ACTION_SYSTEM = 'urn:haven:audit-action';

const dcm = (code: string, display: string): Coding => ({ system: DCM, code, display });

const EXPORT = dcm('110106', 'Export');
const IMPORT = dcm('110107', 'Import');
const PATIENT_RECORD = dcm('110110', 'Patient Record');
const AUDIT_LOG_USED = dcm('110101', 'Audit Log Used');
const APPLICATION_ACTIVITY = dcm('110100', 'Application Activity');
const APPLICATION_START = dcm('110120', 'Application Start');
const APPLICATION_STOP = dcm('110121', 'Application Stop');
const SECURITY_ALERT = dcm('110113', 'Security Alert');
const USER_AUTHENTICATION = dcm('110114', 'User Authentication');
const LOGIN = dcm('110122', 'Login');
const LOGOUT = dcm('110123', 'Logout');
const EMERGENCY_STARTED = dcm('110127', 'Emergency Override Started');
const EMERGENCY_STOPPED = dcm('110138', 'Emergency Override Stopped');
const RESTRICTED_FUNCTION = dcm('110132', 'Use of Restricted Function');
const ROLES_CHANGED = dcm('110136', 'Security Roles Changed');
const USER_ATTRIBUTES_CHANGED = dcm('110137', 'User Security Attributes Changed');

/** Haven action → FHIR restful interaction, with the CRUDE action letter. */
const REST: Record<string, { interaction: string; action: AuditEventKind['action'] }> = {
  read: { interaction: 'read', action: 'R' },
  vread: { interaction: 'vread', action: 'R' },
  history: { interaction: 'history-instance', action: 'R' },
  search: { interaction: 'search-type', action: 'E' },
  create: { interaction: 'create', action: 'C' },
  update: { interaction: 'update', action: 'U' },
  delete: { interaction: 'delete', action: 'D' },
  transaction: { interaction: 'transaction', action: 'E' },
  // Downloading an attachment is a read of its Binary.
  'attachment-download': { interaction: 'read', action: 'R' },
};

/** Haven action → DICOM event type and, where DICOM has one, its subtype. */
const DICOM: Record<string, { type: Coding; subtype?: Coding }> = {
  export: { type: EXPORT },
  'audit-read': { type: AUDIT_LOG_USED },
  login: { type: USER_AUTHENTICATION, subtype: LOGIN },
  'login-password': { type: USER_AUTHENTICATION, subtype: LOGIN },
  'login-totp': { type: USER_AUTHENTICATION, subtype: LOGIN },
  'login-recovery-code': { type: USER_AUTHENTICATION, subtype: LOGIN },
  'login-webauthn': { type: USER_AUTHENTICATION, subtype: LOGIN },
  'token-rejected': { type: USER_AUTHENTICATION, subtype: LOGIN },
  logout: { type: USER_AUTHENTICATION, subtype: LOGOUT },
  'break-glass': { type: SECURITY_ALERT, subtype: EMERGENCY_STARTED },
  'break-glass-end': { type: SECURITY_ALERT, subtype: EMERGENCY_STOPPED },
  'api-denied': { type: SECURITY_ALERT, subtype: RESTRICTED_FUNCTION },
  'request-refused': { type: SECURITY_ALERT, subtype: RESTRICTED_FUNCTION },
  // Listing grants or people reads security data, not the trail or a record.
  'break-glass-list': { type: APPLICATION_ACTIVITY },
  'user-list': { type: APPLICATION_ACTIVITY },
  'alert-acknowledge': { type: SECURITY_ALERT },
  'user-roles-change': { type: SECURITY_ALERT, subtype: ROLES_CHANGED },
  'privilege-request': { type: SECURITY_ALERT, subtype: ROLES_CHANGED },
  'privilege-approve': { type: SECURITY_ALERT, subtype: ROLES_CHANGED },
  'user-create': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  enroll: { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  lockout: { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'user-unlock': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'user-disable': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'invitation-resend': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'mfa-enroll': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'mfa-reset': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'mfa-remove': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'password-change': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'password-reset-issued': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'client-create': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'client-revoke': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  // SMART App Launch (ADR 0035): the authorization steps are user authentication (an app is
  // being given a credential to act for the person); apps registered or revoked, like clients.
  'smart-authorize': { type: USER_AUTHENTICATION, subtype: LOGIN },
  'smart-consent-grant': { type: USER_AUTHENTICATION, subtype: LOGIN },
  'smart-consent-deny': { type: USER_AUTHENTICATION, subtype: LOGIN },
  'smart-token-issue': { type: USER_AUTHENTICATION, subtype: LOGIN },
  'smart-token-refresh': { type: USER_AUTHENTICATION, subtype: LOGIN },
  'smart-token-revoke': { type: USER_AUTHENTICATION, subtype: LOGOUT },
  'smart-launch': { type: APPLICATION_ACTIVITY },
  'smart-client-create': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  'smart-client-revoke': { type: SECURITY_ALERT, subtype: USER_ATTRIBUTES_CHANGED },
  // A video visit (ADR 0027): a participant entering the room, being admitted, hanging up.
  'visit-start': { type: APPLICATION_ACTIVITY, subtype: APPLICATION_START },
  'visit-admit': { type: APPLICATION_ACTIVITY, subtype: APPLICATION_START },
  'visit-end': { type: APPLICATION_ACTIVITY, subtype: APPLICATION_STOP },
  // Visit recording (ADR 0034): a consent is a change to the patient's record; a recording
  // starting and stopping is application activity.
  'recording-consent': { type: PATIENT_RECORD },
  'recording-withdraw': { type: PATIENT_RECORD },
  'recording-start': { type: APPLICATION_ACTIVITY, subtype: APPLICATION_START },
  'recording-stop': { type: APPLICATION_ACTIVITY, subtype: APPLICATION_STOP },
  // A PHI-free notice leaving Haven (email, SMS) is application activity; one the PHI check
  // stopped is a security alert: some code tried to send record data out.
  'notification-send': { type: APPLICATION_ACTIVITY },
  'notification-refused': { type: SECURITY_ALERT, subtype: RESTRICTED_FUNCTION },
  'key-rotate': { type: SECURITY_ALERT },
  'key-retire': { type: SECURITY_ALERT },
  // Backups are exports of the whole store (DICOM "Export"); a restore imports one; a
  // verification restores into a scratch database and reads it back (application activity).
  'backup-created': { type: EXPORT },
  'backup-restored': { type: IMPORT },
  'backup-verified': { type: APPLICATION_ACTIVITY },
  // Disposal deletes a patient's record: the request and the second admin's approval that
  // carries it out are uses of a restricted function.
  'patient-dispose-request': { type: SECURITY_ALERT, subtype: RESTRICTED_FUNCTION },
  'patient-disposed': { type: PATIENT_RECORD, subtype: RESTRICTED_FUNCTION },
  // Compliance (src/compliance): an incident is a security alert; reading it, the report and
  // the affected-individuals count use the application; the de-identified extract is an export.
  'compliance-report': { type: APPLICATION_ACTIVITY },
  'incident-create': { type: SECURITY_ALERT },
  'incident-update': { type: SECURITY_ALERT },
  'incident-read': { type: APPLICATION_ACTIVITY },
  'incident-affected': { type: APPLICATION_ACTIVITY },
  'incident-notice': { type: APPLICATION_ACTIVITY },
  'deidentified-export': { type: EXPORT },
  // Bulk Data export: the job and each file handed to the client are exports.
  'bulk-export': { type: EXPORT },
  'bulk-export-download': { type: EXPORT },
};

const havenAction = (action: string): Coding => ({ system: HAVEN_ACTION_SYSTEM, code: action });

export function auditEventKind(action: string): AuditEventKind {
  const rest = REST[action];
  if (rest) {
    const interaction: Coding = { system: RESTFUL, code: rest.interaction };
    return {
      type: REST_TYPE,
      subtype: action === rest.interaction ? [interaction] : [interaction, havenAction(action)],
      action: rest.action,
    };
  }
  const dicom = DICOM[action];
  if (dicom) {
    return {
      type: dicom.type,
      subtype: [...(dicom.subtype ? [dicom.subtype] : []), havenAction(action)],
      action: 'E',
    };
  }
  // An action this table does not know yet still says what it was.
  return { type: APPLICATION_ACTIVITY, subtype: [havenAction(action)], action: 'E' };
}
