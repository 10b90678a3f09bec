/**
 * One canary case per registered route: a valid-looking request (path parameters, query, body)
 * that the sweep then fills with canaries field by field, and the credentials to send it with.
 * The sweep fails when the app registers a route that has no case here.
 */

/** Who sends a probe: nobody, the integration token, a person's app token, or a person. */
export type Credential =
  | 'none'
  | 'system'
  | 'app'
  | 'session:nurse'
  | 'session:physician'
  | 'session:admin'
  | 'session:auditor'
  | 'session:logout';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface RouteCase {
  /** Sample values of the path parameters, by name. */
  params?: Record<string, string | ((f: Fixtures) => string)>;
  query?: Array<[string, string]>;
  /** A JSON body (objects of any depth) or a form body (name/value pairs). */
  body?: Json | ((f: Fixtures) => Json);
  form?: Array<[string, string]>;
  contentType?: string;
  as: Credential[];
  /**
   * Why a successful answer may contain a canary sent as a VALUE (never a key, parameter name or
   * header): the route stores what it is given and returns it, or names what was asked for.
   */
  echoesOnSuccess?: string;
}

/** Ids created before the sweep, so probes can reach past "not found". */
export interface Fixtures {
  patientId: string;
  userId: string;
}

const FHIR = ['system', 'app', 'session:physician'] as const satisfies Credential[];

const patient = (f: Fixtures, withId = false): Json => ({
  resourceType: 'Patient',
  ...(withId ? { id: f.patientId } : {}),
  active: true,
  name: [{ family: 'Testfamily', given: ['Testgiven'], period: { start: '2001-01-01' } }],
  gender: 'other',
  birthDate: '1970-01-01',
  identifier: [{ system: 'http://example.test/mrn', value: 'TEST-1' }],
  telecom: [{ system: 'email', value: 'test@example.test' }],
});

export const ROUTE_CASES: Record<string, RouteCase> = {
  'GET /api/health': { as: ['none'] },
  'GET /api/openapi.json': { as: ['none'] },
  'GET /healthz': { as: ['none'] },
  'GET /readyz': { as: ['none'] },
  'GET /bench/baseline': { query: [['bytes', '64']], as: ['none'] },
  // The web app's files (src/http/web-routes.ts): never built from the request.
  'GET /*': { query: [['next', 'home']], as: ['none'] },
  'GET /assets/*': { as: ['none'] },
  'GET /favicon.svg': { as: ['none'] },

  // People's sign-in API.
  'POST /api/enroll': {
    body: { token: 'test-token', password: 'test password 123' },
    as: ['none'],
  },
  'POST /api/password/reset': {
    body: { token: 'test-token', password: 'test password 123' },
    as: ['none'],
  },
  'POST /api/login': {
    body: { email: 'nobody@example.test', password: 'test password 123' },
    as: ['none'],
  },
  'POST /api/login/totp': { body: { code: '123456' }, as: ['session:nurse'] },
  'POST /api/login/recovery': { body: { code: 'abcd-efgh' }, as: ['session:nurse'] },
  'POST /api/mfa/totp/setup': { body: {}, as: ['session:nurse'] },
  'POST /api/mfa/totp/confirm': { body: { code: '123456' }, as: ['session:nurse'] },
  'POST /api/logout': { body: {}, as: ['session:logout'] },
  'GET /api/session': { as: ['session:nurse'] },
  'POST /api/session/touch': { body: {}, as: ['session:nurse'] },
  'GET /api/sessions': { as: ['session:nurse'] },
  'POST /api/sessions/:handle/end': {
    params: { handle: 'test-handle' },
    body: {},
    as: ['session:nurse'],
  },
  'POST /api/password': {
    body: { current: 'not the password 1', next: 'another test password 2' },
    as: ['session:nurse'],
  },
  'POST /api/reauth': { body: { password: 'not the password 1' }, as: ['session:nurse'] },

  // Passkeys.
  'POST /api/webauthn/register/options': { body: {}, as: ['session:nurse'] },
  'POST /api/webauthn/register/verify': {
    body: { response: { id: 'test-id', rawId: 'test-id', type: 'public-key', response: {} } },
    as: ['session:nurse'],
  },
  'POST /api/login/webauthn/options': { body: {}, as: ['session:nurse'] },
  'POST /api/login/webauthn/verify': {
    body: { response: { id: 'test-id', rawId: 'test-id', type: 'public-key', response: {} } },
    as: ['session:nurse'],
  },
  'POST /api/login/passkey/options': { body: {}, as: ['none'] },
  'POST /api/login/passkey/verify': {
    body: {
      handle: 'test-handle',
      response: { id: 'test-id', rawId: 'test-id', type: 'public-key', response: {} },
    },
    as: ['none'],
  },
  'GET /api/webauthn/credentials': { as: ['session:nurse'] },
  'DELETE /api/webauthn/credentials/:id': { params: { id: 'test-id' }, as: ['session:nurse'] },

  // Break-glass, app tokens, user administration.
  'POST /api/break-glass': {
    body: (f) => ({ patient: f.patientId, reason: 'synthetic emergency for the canary test' }),
    as: ['session:physician'],
    echoesOnSuccess: 'answers with the grant it created (patient and reason) to its requester',
  },
  'GET /api/break-glass': { as: ['session:physician'] },
  'POST /api/break-glass/:id/end': { params: { id: 'test-id' }, as: ['session:physician'] },
  // Security alerts (ADR 0030): ids only; the auditor reviews and acknowledges.
  'GET /api/alerts': { as: ['session:auditor', 'session:nurse'] },
  'POST /api/alerts/:id/acknowledge': {
    params: { id: 'test-id' },
    body: { comment: 'synthetic acknowledgement for the canary test' },
    as: ['session:auditor'],
  },
  'POST /api/app-tokens': {
    body: { name: 'Test app', scopes: 'user/Patient.rs user/*.read' },
    as: ['session:nurse'],
  },
  'GET /api/app-tokens': { as: ['session:nurse'] },
  // SMART App Launch (ADR 0035): discovery, OAuth endpoints, the consent page's API.
  'GET /.well-known/smart-configuration': { as: ['none'] },
  'GET /fhir/R4/.well-known/smart-configuration': { as: ['none'] },
  'GET /oauth2/jwks': { as: ['none'] },
  'GET /oauth2/authorize': {
    query: [
      ['response_type', 'code'],
      ['client_id', '00000000-0000-4000-8000-000000000000'],
      ['redirect_uri', 'https://app.example.test/callback'],
      ['scope', 'patient/*.rs'],
      ['state', 'test-state'],
      ['code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'],
      ['code_challenge_method', 'S256'],
    ],
    as: ['none'],
  },
  'POST /oauth2/token': {
    form: [
      ['grant_type', 'authorization_code'],
      ['code', 'test-code'],
      ['redirect_uri', 'https://app.example.test/callback'],
      ['code_verifier', 'test-verifier'],
      ['client_id', '00000000-0000-4000-8000-000000000000'],
    ],
    as: ['none'],
  },
  'POST /oauth2/introspect': {
    form: [
      ['token', 'test-token'],
      ['client_id', '00000000-0000-4000-8000-000000000000'],
    ],
    as: ['none'],
  },
  'POST /oauth2/revoke': {
    form: [
      ['token', 'test-token'],
      ['client_id', '00000000-0000-4000-8000-000000000000'],
    ],
    as: ['none'],
  },
  'OPTIONS /fhir/R4/*': { as: ['none'] },
  'OPTIONS /oauth2/token': { as: ['none'] },
  'OPTIONS /oauth2/revoke': { as: ['none'] },
  'OPTIONS /.well-known/smart-configuration': { as: ['none'] },
  'GET /api/smart/authorizations/:request': {
    params: { request: 'hvq_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    as: ['session:nurse'],
  },
  'POST /api/smart/authorizations/:request/decision': {
    params: { request: 'hvq_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    body: { approve: true },
    as: ['session:nurse'],
  },
  'GET /api/smart/apps': { as: ['session:physician'] },
  'POST /api/smart/launch': {
    body: (f) => ({ clientId: '00000000-0000-4000-8000-000000000000', patientId: f.patientId }),
    as: ['session:physician'],
  },
  // The privacy officer's toolkit (ADR 0031).
  'GET /api/compliance/report': { as: ['session:auditor'] },
  'GET /api/incidents': { as: ['session:auditor'] },
  'POST /api/incidents': {
    body: {
      discoveredAt: '2026-01-02',
      description: 'synthetic incident for the canary test',
      systems: ['haven-web'],
    },
    as: ['session:auditor'],
    echoesOnSuccess: 'answers with the incident it recorded (description, systems) to its author',
  },
  'GET /api/incidents/:id': { params: { id: 'test-id' }, as: ['session:auditor'] },
  'POST /api/incidents/:id/assessment': {
    params: { id: 'test-id' },
    body: {
      version: 1,
      natureAndExtent: 'synthetic nature',
      unauthorizedPerson: 'synthetic person',
      acquiredOrViewed: 'viewed',
      mitigation: 'synthetic mitigation',
      lowProbabilityOfCompromise: false,
    },
    as: ['session:auditor'],
  },
  'POST /api/incidents/:id/affected': {
    params: { id: 'test-id' },
    body: { version: 1, actorId: 'test-actor', from: '2026-01-01', to: '2026-01-02' },
    as: ['session:auditor'],
  },
  'POST /api/incidents/:id/notice': {
    params: { id: 'test-id' },
    body: {
      organization: 'Synthetic Clinic',
      phone: '1-800-000-0000',
      email: 'privacy@clinic.example',
      postalAddress: '1 Synthetic Way',
    },
    as: ['session:auditor'],
  },

  'POST /api/app-tokens/:id/revoke': { params: { id: 'test-id' }, as: ['session:nurse'] },
  'GET /api/admin/users': { as: ['session:admin'] },
  'POST /api/admin/users': {
    body: { email: 'new@example.test', roles: ['nurse'], practitionerId: 'test-id' },
    as: ['session:admin'],
  },
  'POST /api/admin/users/:id/roles': {
    params: { id: (f) => f.userId },
    body: { roles: ['nurse', 'scheduler'] },
    as: ['session:admin'],
  },
  'POST /api/admin/users/:id/disable': { params: { id: 'test-id' }, as: ['session:admin'] },
  'POST /api/admin/users/:id/reset-mfa': { params: { id: 'test-id' }, as: ['session:admin'] },
  'POST /api/admin/users/:id/unlock': { params: { id: 'test-id' }, as: ['session:admin'] },
  'POST /api/admin/users/:id/resend-invitation': {
    params: { id: 'test-id' },
    as: ['session:admin'],
  },
  'GET /api/admin/approvals': { as: ['session:admin'] },
  'POST /api/admin/approvals/:id/approve': { params: { id: 'test-id' }, as: ['session:admin'] },

  // Scheduling (ADR 0026): ids and instants; the calendar names patients only to its staff.
  'POST /api/scheduling/slots': {
    body: {
      practitionerId: 'test-id',
      slots: [{ start: '2031-01-06T09:00:00Z', end: '2031-01-06T09:30:00Z' }],
    },
    as: ['session:physician'],
  },
  'GET /api/scheduling/calendar': {
    query: [
      ['practitionerId', 'test-id'],
      ['week', '2031-01-06'],
    ],
    as: ['session:physician'],
  },
  'POST /api/scheduling/appointments': {
    body: (f) => ({ slotId: 'test-id', patientId: f.patientId }),
    as: ['session:physician'],
  },
  'POST /api/scheduling/appointments/:id/reschedule': {
    params: { id: 'test-id' },
    body: { slotId: 'test-id' },
    as: ['session:physician'],
  },
  'POST /api/scheduling/appointments/:id/cancel': {
    params: { id: 'test-id' },
    as: ['session:physician'],
  },
  'GET /api/scheduling/my-appointments': { as: ['session:nurse'] },
  // Video visits (ADR 0027): ids only; the signaling route is a WebSocket upgrade.
  'GET /api/visits/waiting': { as: ['session:physician'] },
  'GET /api/visits/:id': { params: { id: 'test-id' }, as: ['session:physician'] },
  'GET /api/visits/:id/ice-servers': { params: { id: 'test-id' }, as: ['session:physician'] },
  'GET /api/visits/:id/signal': { params: { id: 'test-id' }, as: ['session:physician'] },
  // Visit recording (ADR 0034): a consent flag, a sequence number and base64 WebM bytes.
  'GET /api/visits/:id/recording': { params: { id: 'test-id' }, as: ['session:physician'] },
  'PUT /api/visits/:id/recording/consent': {
    params: { id: 'test-id' },
    body: { given: true },
    as: ['session:physician'],
  },
  'POST /api/visits/:id/recordings': { params: { id: 'test-id' }, as: ['session:physician'] },
  'POST /api/visits/:id/recordings/:recording/chunks': {
    params: { id: 'test-id', recording: '00000000-0000-4000-8000-000000000000' },
    body: { seq: 0, data: 'GkXfow==' },
    as: ['session:physician'],
  },
  'POST /api/visits/:id/recordings/:recording/stop': {
    params: { id: 'test-id', recording: '00000000-0000-4000-8000-000000000000' },
    as: ['session:physician'],
  },

  // The audit trail's views.
  'GET /api/audit/status': { as: ['session:auditor', 'session:nurse'] },
  // Secure messaging (ADR 0028): texts are PHI and never come back in a refusal.
  'GET /api/messages/threads': { as: ['session:physician', 'session:nurse'] },
  'POST /api/messages/threads': {
    body: (f) => ({
      patient: f.patientId,
      subject: 'Synthetic subject',
      text: 'Synthetic message',
      attachment: { contentType: 'text/plain', title: 'note.txt', data: 'U3ludGhldGlj' },
    }),
    as: ['session:physician'],
  },
  'GET /api/messages/threads/:id': { params: { id: 'test-id' }, as: ['session:physician'] },
  'POST /api/messages/threads/:id/messages': {
    params: { id: 'test-id' },
    body: { text: 'Synthetic message' },
    as: ['session:physician'],
  },
  'GET /api/messages/:id/attachment': { params: { id: 'test-id' }, as: ['session:physician'] },
  'GET /api/patients/:id/disclosures': {
    params: { id: (f) => f.patientId },
    as: ['session:auditor', 'system'],
    echoesOnSuccess: 'names the patient whose disclosures were asked for',
  },
  'GET /fhir/R4/AuditEvent': {
    query: [
      ['patient', 'test-id'],
      ['date', 'ge2020-01-01'],
      ['_count', '5'],
    ],
    as: ['session:auditor', 'system'],
    echoesOnSuccess: 'the Bundle links repeat the defined search parameters',
  },
  'GET /fhir/R4/AuditEvent/:id': { params: { id: '1' }, as: ['session:auditor', 'system'] },

  // FHIR R4.
  'GET /fhir/R4/metadata': { as: ['none'] },
  'POST /fhir/R4': {
    body: (f) => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ request: { method: 'POST', url: 'Patient' }, resource: patient(f) }],
    }),
    as: FHIR,
    echoesOnSuccess: 'stores the resources it is given and returns them',
  },
  'GET /fhir/R4/:type': {
    params: { type: 'Patient' },
    query: [
      ['family', 'Testfamily'],
      ['birthdate', 'ge1970'],
      ['_sort', 'family'],
      ['_count', '5'],
    ],
    as: FHIR,
  },
  'POST /fhir/R4/:type/_search': {
    params: { type: 'Patient' },
    form: [
      ['family', 'Testfamily'],
      ['_count', '5'],
    ],
    as: FHIR,
  },
  'POST /fhir/R4/:type': {
    params: { type: 'Patient' },
    body: (f) => patient(f),
    as: FHIR,
    echoesOnSuccess: 'stores the resource it is given and returns it',
  },
  'GET /fhir/R4/:type/:id': { params: { type: 'Patient', id: (f) => f.patientId }, as: FHIR },
  'GET /fhir/R4/Patient/:id/:type': {
    params: { id: (f) => f.patientId, type: 'Observation' },
    query: [['code', 'http://loinc.org|8867-4']],
    as: FHIR,
  },
  'GET /fhir/R4/Patient/:id/$everything': {
    params: { id: (f) => f.patientId },
    query: [['_type', 'Observation']],
    as: FHIR,
  },
  'POST /fhir/R4/Patient/:id/$everything': {
    params: { id: (f) => f.patientId },
    body: {
      resourceType: 'Parameters',
      parameter: [{ name: '_type', valueString: 'Observation' }],
    },
    as: FHIR,
  },
  'PUT /fhir/R4/:type/:id': {
    params: { type: 'Patient', id: (f) => f.patientId },
    body: (f) => patient(f, true),
    as: FHIR,
    echoesOnSuccess: 'stores the resource it is given (a new id creates it) and returns it',
  },
  'GET /fhir/R4/:type/:id/_history': {
    params: { type: 'Patient', id: (f) => f.patientId },
    as: FHIR,
  },
  'GET /fhir/R4/:type/:id/_history/:vid': {
    params: { type: 'Patient', id: (f) => f.patientId, vid: '1' },
    as: FHIR,
  },
  'PUT /fhir/R4/:type': {
    params: { type: 'Patient' },
    query: [['family', 'Testfamily']],
    body: (f) => patient(f),
    as: FHIR,
    echoesOnSuccess: 'stores the resource it is given (the match, or a new one) and returns it',
  },
  'DELETE /fhir/R4/:type/:id': { params: { type: 'Patient', id: (f) => f.patientId }, as: FHIR },
  'DELETE /fhir/R4/:type': {
    params: { type: 'Patient' },
    query: [['family', 'Testfamily']],
    as: FHIR,
  },
  // Bulk Data $export (ADR 0036): kick-offs (the canary sweep sends no Prefer header, so most
  // probes stop at 400) and the status, file and cancel URLs of an export nobody started.
  'GET /fhir/R4/$export': {
    query: [
      ['_type', 'Patient'],
      ['_since', '2020-01-01T00:00:00Z'],
    ],
    as: FHIR,
  },
  'GET /fhir/R4/Patient/$export': { query: [['_type', 'Patient']], as: FHIR },
  'GET /fhir/R4/Group/:id/$export': { params: { id: 'test-id' }, as: FHIR },
  'GET /fhir/R4/$export-status/:id': {
    params: { id: '00000000-0000-4000-8000-000000000000' },
    as: FHIR,
  },
  'DELETE /fhir/R4/$export-status/:id': {
    params: { id: '00000000-0000-4000-8000-000000000000' },
    as: FHIR,
  },
  'GET /fhir/R4/$export-file/:id/:file': {
    params: { id: '00000000-0000-4000-8000-000000000000', file: 'Patient-1.ndjson' },
    as: FHIR,
  },
  'PATCH /fhir/R4/:type/:id': {
    params: { type: 'Patient', id: (f) => f.patientId },
    body: [{ op: 'replace', path: '/gender', value: 'other' }],
    contentType: 'application/json-patch+json',
    as: FHIR,
  },
};
